//! Inside the selected cell: the encoder's vector `z_e` as bars, its squared distance to every
//! code of the codebook (sorted, the nearest two marked), the code the quantizer chose, and a
//! slider that moves `z_e` along the line toward another code. The engine quantises and decodes
//! the moved vector; the choice switches where the line crosses the boundary between the two
//! codes' Voronoi cells, where both distances are equal.

use leptos::prelude::*;

use super::codebook::CodeTile;
use crate::protocol::{CellInside, MovedCell};
use crate::ui::dom::draw;
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;
use crate::ui::state::inside::sorted_codes;

/// Steps of the slider from `z_e` (0) to the code (1).
const SLIDER_STEPS: f32 = 1000.0;

/// The codes the distance chart shows, nearest first (among hundreds, the nearest would be too
/// thin to see).
const CHARTED: usize = 64;

/// The panel of the selected cell (nothing without a selection).
#[component]
pub fn InsidePanel(engine: Engine, lab: RwSignal<LabState>) -> impl IntoView {
    // Ask for the inside of each newly selected cell.
    let selected = Memo::new(move |_| lab.with(|lab| lab.selected.filter(|_| lab.image.is_some())));
    Effect::new(move |_| {
        let Some(cell) = selected.get() else { return };
        if lab.with_untracked(|lab| lab.inside.asked) == Some(cell) {
            return;
        }
        if let Some(request) = lab.try_update(|lab| lab.inside.ask(cell)).flatten() {
            engine.send(request);
        }
    });
    let inside = Memo::new(move |_| lab.with(|lab| lab.inside.cell.clone()));
    let error = move || lab.with(|lab| lab.inside.error.clone());
    view! {
        <Show when=move || selected.get().is_some()>
            <section class="inside" data-testid="inside" aria-label="Inside the selected cell">
                <h3>
                    {move || selected.get().map(|(row, col)| format!("Inside cell ({row}, {col})"))}
                </h3>
                {move || error().map(|message| view! {
                    <p class="error" role="alert" data-testid="inside-error">{message}</p>
                })}
                {move || match inside.get() {
                    Some(cell) => view! { <Journey engine=engine lab=lab cell=cell /> }.into_any(),
                    None => view! {
                        <p class="hint" data-testid="inside-pending">"Reading the cell's vector…"</p>
                    }
                    .into_any(),
                }}
            </section>
        </Show>
    }
}

/// One cell's vector, its distances, and the slider.
#[component]
fn Journey(engine: Engine, lab: RwSignal<LabState>, cell: CellInside) -> impl IntoView {
    let sorted = sorted_codes(&cell.distances);
    let (first, second) = (sorted[0], sorted.get(1).copied().unwrap_or(sorted[0]));
    let distance = |code: u32| cell.distances[code as usize];
    let encoded = !cell.z_e.is_empty();
    let vector_caption = if encoded {
        format!(
            "z_e, the encoder's {} numbers at this cell. The quantizer replaces it by the nearest \
             code's vector z_q = e_{}.",
            cell.z_e.len(),
            cell.nearest
        )
    } else {
        "This grid was not encoded from an image (a sample, a shared or restored grid): below, \
         the distances from the cell's own code."
            .to_owned()
    };
    let charted = CHARTED.min(sorted.len());
    let distances_caption = format!(
        "‖z_e − e_k‖² to the {charted} nearest of the {} codes: code {first} at {:.4} (chosen, \
         green), code {second} at {:.4} (red); the farthest code is at {:.4}.",
        cell.distances.len(),
        distance(first),
        distance(second),
        distance(sorted[sorted.len() - 1]),
    );
    let choices: Vec<u32> = lab.with_untracked(|lab| lab.inside.nearest_codes(&cell));
    let toward = move || lab.with(|lab| lab.inside.toward);
    let t = move || lab.with(|lab| lab.inside.t);
    let slide = move |toward: u32, t: f32| {
        if let Some(request) = lab.try_update(|lab| lab.inside.slide(toward, t)).flatten() {
            engine.send(request);
        }
    };
    // The chosen code's window decoded at once (the slider at 0), with the boundary named.
    if encoded && let Some(code) = lab.with_untracked(|lab| lab.inside.toward) {
        slide(code, 0.0);
    }
    let moved = Memo::new(move |_| lab.with(|lab| lab.inside.moved.clone()));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let (Some(canvas), Some(moved)) = (canvas.get(), moved.get()) else {
            return;
        };
        let patch = &moved.patch;
        if let Err(err) = draw(&canvas, &patch.rgba, patch.width, patch.height) {
            web_sys::console::error_1(&format!("drawing the moved cell: {err}").into());
        }
    });
    view! {
        <div class="inside-row">
            <figure class="inside-figure">
                {encoded.then(|| vector_bars(&cell.z_e))}
                <figcaption>{vector_caption}</figcaption>
            </figure>
            <figure class="inside-figure">
                {distance_bars(&cell.distances, &sorted[..charted])}
                <figcaption>{distances_caption}</figcaption>
            </figure>
        </div>
        <ol class="inside-nearest" data-testid="inside-nearest" aria-label="The nearest codes">
            {choices.iter().enumerate().map(|(rank, &code)| view! {
                <li data-code=code.to_string() class:chosen=rank == 0 class:runner-up=rank == 1>
                    <CodeTile code=code lab=lab />
                    {format!("{code} · {:.4}{}", distance(code), if rank == 0 { " (z_q)" } else { "" })}
                </li>
            }).collect_view()}
        </ol>
        {encoded.then(|| {
            let options = choices.clone();
            view! {
                <div class="inside-move">
                    <label>
                        "Move z_e toward code "
                        <select
                            data-testid="inside-toward"
                            prop:value=move || toward().map_or_else(String::new, |c| c.to_string())
                            on:change=move |event| {
                                if let Ok(code) = event_target_value(&event).parse::<u32>() {
                                    slide(code, 0.0);
                                }
                            }
                        >
                            {options.iter().skip(1).map(|&code| view! {
                                <option value=code.to_string()>{code.to_string()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <input
                        type="range"
                        data-testid="inside-slider"
                        aria-label="How far z_e moves toward the code: 0 is z_e, 1 is the code's vector"
                        min="0"
                        max=SLIDER_STEPS.to_string()
                        prop:value=move || (t() * SLIDER_STEPS).round().to_string()
                        on:input=move |event| {
                            let steps = event_target_value(&event).parse::<f32>().unwrap_or(0.0);
                            if let Some(code) = toward() {
                                slide(code, steps / SLIDER_STEPS);
                            }
                        }
                    />
                    <p class="inside-readout" data-testid="inside-readout">
                        {move || moved.get().map_or_else(
                            || "Drag the slider: the engine quantises and decodes the moved vector.".to_owned(),
                            |moved| readout(&moved, first),
                        )}
                    </p>
                    <figure class="inside-figure">
                        <canvas class="inside-patch" data-testid="inside-patch" node_ref=canvas></canvas>
                        <figcaption>
                            {move || moved.get().map(|moved| format!(
                                "The window around the cell decoded with code {} there.", moved.code
                            ))}
                        </figcaption>
                    </figure>
                </div>
            }
        })}
    }
}

/// The sentence under the slider.
fn readout(moved: &MovedCell, nearest: u32) -> String {
    let boundary = moved.boundary.filter(|t| (0.0..=1.0).contains(t)).map_or_else(
        String::new,
        |t| format!(" The two distances are equal at t = {t:.3}: there the choice switches."),
    );
    format!(
        "t = {:.3}: {:.4} from code {nearest}, {:.4} from code {} → quantises to code {}.{boundary}",
        moved.t, moved.distance_nearest, moved.distance_toward, moved.toward, moved.code
    )
}

/// `z_e` as bars above and below a middle line.
fn vector_bars(z: &[f32]) -> impl IntoView + use<> {
    let scale = z.iter().fold(f32::EPSILON, |m, v| m.max(v.abs()));
    let width = 6 * z.len();
    let bars = z
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let h = 48.0 * v.abs() / scale;
            let (y, class) = if v >= 0.0 {
                (50.0 - h, "bar-up")
            } else {
                (50.0, "bar-down")
            };
            view! {
                <rect x=(6 * i + 1).to_string() y=y.to_string() width="4" height=h.max(0.5).to_string()
                    class=class></rect>
            }
        })
        .collect_view();
    view! {
        <svg class="inside-chart" data-testid="inside-ze" viewBox=format!("0 0 {width} 100")
            preserveAspectRatio="none" role="img" aria-label="The encoder's vector at this cell">
            <line x1="0" x2=width.to_string() y1="50" y2="50" class="axis"></line>
            {bars}
        </svg>
    }
}

/// The squared distances of `sorted` (codes, nearest first), as bars; the nearest two marked.
fn distance_bars(distances: &[f32], sorted: &[u32]) -> impl IntoView + use<> {
    let largest = sorted
        .iter()
        .fold(f32::EPSILON, |m, &code| m.max(distances[code as usize]));
    let width = 2 * sorted.len();
    let bars = sorted
        .iter()
        .enumerate()
        .map(|(rank, &code)| {
            let h = (98.0 * distances[code as usize] / largest).max(0.5);
            let class = match rank {
                0 => "bar-chosen",
                1 => "bar-runner-up",
                _ => "bar",
            };
            view! {
                <rect x=(2 * rank).to_string() y=(100.0 - h).to_string() width="1.7" height=h.to_string()
                    class=class data-code=code.to_string()></rect>
            }
        })
        .collect_view();
    view! {
        <svg class="inside-chart" data-testid="inside-distances" viewBox=format!("0 0 {width} 100")
            preserveAspectRatio="none" role="img" aria-label="The distance to every code, nearest first">
            {bars}
        </svg>
    }
}
