//! "What code k means": patches of real pictures (the model's examples and its held-out sample)
//! whose cells quantise to the highlighted code, the most typical first, as the engine found
//! them ([`crate::protocol::CodePatches`]). Opened by a click on a code in the codebook or on
//! the map, or by the cell line's "What does code k mean?".

use leptos::prelude::*;

use super::codebook::CodeTile;
use crate::protocol::{CodePatches, ToEngine};
use crate::ui::dom::draw;
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;

/// Shows the highlighted code's patches (nothing without a highlighted code).
#[component]
pub fn MeaningPanel(engine: Engine, lab: RwSignal<LabState>) -> impl IntoView {
    let code = Memo::new(move |_| lab.with(|lab| lab.highlighted_code.filter(|_| lab.model.loaded().is_some())));
    Effect::new(move |_| {
        let Some(code) = code.get() else { return };
        let answered = lab.with_untracked(|lab| {
            lab.teaching.patches.answer.as_ref().map(|p| p.code) == Some(code)
        });
        if answered {
            return;
        }
        let send = lab
            .try_update(|lab| {
                lab.teaching.patches_code = Some(code);
                lab.teaching.patches.ask()
            })
            .unwrap_or(false);
        if send {
            engine.send(ToEngine::CodePatches { code });
        }
    });
    let patches = Memo::new(move |_| {
        lab.with(|lab| {
            let code = lab.highlighted_code?;
            lab.teaching.patches.answer.clone().filter(|p| p.code == code)
        })
    });
    let error = move || lab.with(|lab| lab.teaching.patches.error.clone());
    view! {
        <Show when=move || code.get().is_some()>
            <section class="meaning" data-testid="meaning" aria-label="What the code means">
                <h3>
                    {move || code.get().map(|code| format!("What code {code} means"))}
                    <button
                        class="close"
                        data-testid="meaning-close"
                        aria-label="Close"
                        on:click=move |_| lab.update(|lab| lab.highlighted_code = None)
                    >
                        "×"
                    </button>
                </h3>
                {move || error().map(|message| view! {
                    <p class="error" role="alert" data-testid="meaning-error">{message}</p>
                })}
                {move || match patches.get() {
                    None => view! {
                        <p class="hint" data-testid="meaning-pending">
                            "Finding the cells of real pictures with this code (the first time, the \
                             model's pictures are encoded)…"
                        </p>
                    }
                    .into_any(),
                    Some(patches) => view! { <Patches lab=lab patches=patches /> }.into_any(),
                }}
            </section>
        </Show>
    }
}

/// The answer: the code's tile, the counts, and the patches.
#[component]
fn Patches(lab: RwSignal<LabState>, patches: CodePatches) -> impl IntoView {
    let CodePatches {
        code,
        side,
        rgba,
        sources,
        places,
        distances,
        count,
        cells,
        pictures,
        note,
        millis,
    } = patches;
    let summary = if count == 0 {
        format!(
            "No cell of the {pictures} pictures ({note}) quantises to code {code}: the encoder \
             rarely or never comes near it. Its decoded tile is all the codebook can say."
        )
    } else {
        let shown = match sources.len() {
            1 => "it is shown with the cells around it".to_owned(),
            n if n == count => format!("all {n} are shown, the nearest to the code (the most typical) first, each with the cells around it"),
            n => format!("the {n} nearest to the code (the most typical) are shown, each with the cells around it"),
        };
        format!(
            "{count} of the {cells} cells of {pictures} pictures ({note}) quantise{} to code \
             {code}; {shown} (the code's cell in the middle, outlined).",
            if count == 1 { "s" } else { "" }
        )
    };
    let size = 4 * side * side;
    let items = sources
        .into_iter()
        .zip(places)
        .zip(distances)
        .enumerate()
        .map(|(i, ((source, place), distance))| {
            let pixels = rgba.get(i * size..(i + 1) * size).map(<[u8]>::to_vec).unwrap_or_default();
            view! { <Patch pixels=pixels side=side source=source place=place distance=distance /> }
        })
        .collect_view();
    view! {
        <div class="meaning-row">
            <figure class="meaning-tile">
                <CodeTile code=code lab=lab />
                <figcaption>"decoded alone"</figcaption>
            </figure>
            <p data-testid="meaning-summary">{summary}</p>
        </div>
        <div class="patches" data-testid="meaning-patches">{items}</div>
        <p class="hint">{format!("Found in {millis:.0} ms.")}</p>
    }
}

/// One patch, scaled up, with its picture, its cell there and its distance.
#[component]
fn Patch(
    pixels: Vec<u8>,
    side: usize,
    source: String,
    place: (usize, usize),
    distance: f32,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(canvas) = canvas.get()
            && let Err(err) = draw(&canvas, &pixels, side, side)
        {
            web_sys::console::error_1(&format!("drawing a patch: {err}").into());
        }
    });
    view! {
        <figure
            class="patch"
            data-testid="meaning-patch"
            data-source=source.clone()
            data-row=place.0
            data-col=place.1
        >
            <div class="patch-frame">
                <canvas node_ref=canvas aria-label=format!("a patch of {source}")></canvas>
                <span class="patch-cell" aria-hidden="true"></span>
            </div>
            <figcaption title=format!("cell ({}, {})", place.0, place.1)>
                {format!("{source} · {distance:.3}")}
            </figcaption>
        </figure>
    }
}
