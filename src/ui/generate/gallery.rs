//! A drawing from the prior as the page shows it: the pictures side by side, cells not drawn
//! yet veiled, a timeline over its snapshots, and a button under each picture; and how a
//! drawing is started from the sampling fields.

use leptos::prelude::*;

use crate::protocol::{Drawn, Sampling, ToEngine};
use crate::ui::dom::draw;
use crate::ui::engine_client::Engine;
use crate::ui::layout::veil_styles;
use crate::ui::sampling::SamplingInput;
use crate::ui::state::LabState;
use crate::ui::state::prior::DrawPurpose;

/// A picture on a canvas, upscaled without smoothing; cells not yet drawn are veiled.
#[component]
fn DrawnPicture(
    testid: &'static str,
    index: usize,
    snapshot: Memo<Option<Drawn>>,
    /// Whether the drawing fills every cell (a sample) or only masked ones (a completion).
    veil_undrawn: bool,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        snapshot.with(|snapshot| {
            let Some(snapshot) = snapshot else { return };
            let (Some(rgba), Some(canvas)) = (snapshot.pictures.get(index), canvas.get()) else {
                return;
            };
            if let Err(err) = draw(&canvas, rgba, snapshot.width, snapshot.height) {
                web_sys::console::error_1(&format!("drawing {testid}: {err}").into());
            }
        });
    });
    // Undrawn cells of a raster-order sample: the rest of the current row, and every row below.
    let veil = move || {
        if !veil_undrawn {
            return None;
        }
        let [row, below] = snapshot.with(|snapshot| {
            let s = snapshot.as_ref()?;
            veil_styles(s.drawn, s.total, (s.grid_height, s.grid_width))
        })?;
        Some(view! {
            <div class="veil" style=row></div>
            <div class="veil" style=below></div>
        })
    };
    view! {
        <div class="pixel-frame">
            <canvas node_ref=canvas data-testid=testid data-index=index></canvas>
            {veil}
        </div>
    }
}

/// A timeline over a drawing's snapshots, and the progress line.
#[component]
fn Timeline(lab: RwSignal<LabState>, at: RwSignal<Option<usize>>) -> impl IntoView {
    let count =
        move || lab.with(|lab| lab.prior.drawing.as_ref().map_or(0, |d| d.steps()));
    let progress = move || {
        lab.with(|lab| {
            let drawing = lab.prior.drawing.as_ref()?;
            let shown = drawing.shown(at.get())?;
            let latest = drawing.latest()?;
            let state = if drawing.done {
                format!("done in {:.0} ms", latest.millis)
            } else {
                format!("{:.0} ms so far", latest.millis)
            };
            Some(format!(
                "Showing {} of {} cells drawn · {state}",
                shown.drawn, shown.total
            ))
        })
    };
    view! {
        <div class="lab-row timeline">
            <label>
                "Timeline "
                <input
                    type="range"
                    min="0"
                    data-testid="timeline"
                    aria-label="Step through the order in which the cells were drawn"
                    prop:max=move || count().saturating_sub(1)
                    prop:value=move || at.get().unwrap_or_else(|| count().saturating_sub(1))
                    on:input=move |event| {
                        let value = event_target_value(&event).parse::<usize>().ok();
                        let last = count().saturating_sub(1);
                        at.set(value.filter(|&v| v < last));
                    }
                />
            </label>
            <span class="draw-progress" data-testid="draw-progress" aria-live="polite">
                {progress}
            </span>
        </div>
    }
}

/// Starts a drawing for `purpose` with the controls' values: `request` builds the message from
/// the new id and the parsed values. A bad value becomes the page's sentence instead.
pub fn start_drawing(
    engine: Engine,
    lab: RwSignal<LabState>,
    input: RwSignal<SamplingInput>,
    at: RwSignal<Option<usize>>,
    purpose: DrawPurpose,
    request: impl FnOnce(u64, Sampling) -> ToEngine,
) {
    match input.with_untracked(SamplingInput::parse) {
        Ok(sampling) => {
            let id = engine.next_id();
            at.set(None);
            lab.update(|lab| lab.prior.start_drawing(id, purpose));
            engine.send(request(id, sampling));
        }
        Err(message) => lab.update(|lab| lab.prior.draw_error = Some(message)),
    }
}

/// "Stop" while a drawing for `purpose` is under way: the engine stops it at its next snapshot
/// and says where.
#[component]
pub fn StopButton(engine: Engine, lab: RwSignal<LabState>, purpose: DrawPurpose) -> impl IntoView {
    let running = move || {
        lab.with(|lab| {
            lab.prior
                .drawing
                .as_ref()
                .filter(|drawing| drawing.purpose == purpose && !drawing.done)
                .map(|drawing| drawing.id)
        })
    };
    move || {
        running().map(|id| {
            view! {
                <button
                    data-testid="stop-drawing"
                    title="Stop drawing (the cells drawn so far are shown)"
                    on:click=move |_| engine.send(ToEngine::Cancel { id })
                >
                    "Stop"
                </button>
            }
        })
    }
}

/// The pictures of the drawing for `purpose`, side by side, with its timeline and a button
/// under each (enabled once every cell is drawn).
#[component]
pub fn DrawingGallery(
    lab: RwSignal<LabState>,
    purpose: DrawPurpose,
    at: RwSignal<Option<usize>>,
    /// `data-testid` of the pictures; the buttons' is `use-` and the same.
    testid: &'static str,
    label: fn(usize) -> String,
    on_use: Callback<usize>,
) -> impl IntoView {
    let here = move || lab.with(|lab| lab.drawing_is_for(purpose));
    let snapshot = Memo::new(move |_| {
        lab.with(|lab| {
            let drawing = lab.prior.drawing.as_ref().filter(|d| d.purpose == purpose)?;
            drawing.shown(at.get())
        })
    });
    let pictures = move || {
        let count = snapshot.with(|s| s.as_ref().map_or(0, |s| s.pictures.len()));
        let done = lab.with(|lab| lab.prior.drawing.as_ref().is_some_and(|d| d.done));
        (0..count)
            .map(|index| {
                view! {
                    <figure class="sample">
                        <DrawnPicture
                            testid=testid
                            index=index
                            snapshot=snapshot
                            veil_undrawn=purpose == DrawPurpose::Sample
                        />
                        <figcaption>
                            <button
                                data-testid=format!("use-{testid}")
                                prop:disabled=move || !done
                                on:click=move |_| on_use.run(index)
                            >
                                {label(index)}
                            </button>
                        </figcaption>
                    </figure>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=here>
            <Timeline lab=lab at=at />
            <div class="samples">{pictures}</div>
        </Show>
    }
}
