//! The prior's tools on the lab's grid: suggestions for the selected cell, and completion of a
//! masked region with candidates to choose from.

use leptos::prelude::*;

use super::gallery::{DrawingGallery, StopButton, start_drawing};
use crate::protocol::ToEngine;
use crate::ui::dom::draw;
use crate::ui::engine_client::Engine;
use crate::ui::sampling::SamplingInput;
use crate::ui::state::LabState;
use crate::ui::state::prior::DrawPurpose;
use crate::ui::tools::Tool;

/// Candidates the prior proposes for a masked region.
const CANDIDATES: usize = 3;

/// The prior's tools on the lab's grid: suggestions for the selected cell, and completion of
/// a masked region with candidates to choose from.
#[component]
pub fn PriorTools(
    engine: Engine,
    lab: RwSignal<LabState>,
    input: RwSignal<SamplingInput>,
    tool: RwSignal<Tool>,
) -> impl IntoView {
    let masking = move || tool.get() == Tool::Mask;
    let at = RwSignal::new(None::<usize>);
    let apply = move |row: usize, col: usize, code: u32| engine.edit(vec![(row, col, code)], None);
    let suggestions = move || {
        lab.with(|lab| {
            let selected = lab.selected?;
            let list = lab
                .prior
                .suggestions
                .as_ref()
                .filter(|s| (s.row, s.col) == selected)?;
            let (row, col) = selected;
            let items = list
                .codes
                .iter()
                .map(|suggestion| {
                    let code = suggestion.code;
                    let preview = suggestion.preview.clone();
                    let canvas = NodeRef::<leptos::html::Canvas>::new();
                    Effect::new(move |_| {
                        if let Some(canvas) = canvas.get()
                            && let Err(err) =
                                draw(&canvas, &preview.rgba, preview.width, preview.height)
                        {
                            web_sys::console::error_1(&err.into());
                        }
                    });
                    view! {
                        <button
                            class="suggestion"
                            data-testid="suggestion"
                            data-code=code
                            title=format!("Set cell ({row}, {col}) to code {code}")
                            on:click=move |_| apply(row, col, code)
                        >
                            <canvas node_ref=canvas></canvas>
                            <span>{format!("{code} · {:.0} %", 100.0 * suggestion.probability)}</span>
                        </button>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="suggestions" data-testid="suggestions">
                    <span>
                        {format!(
                            "The prior suggests for cell ({row}, {col}), given the cells around it \
                             ({:.0} ms): ",
                            list.millis
                        )}
                    </span>
                    {items}
                </div>
            })
        })
    };
    // While the prior weighs the selected cell's codes (a few hundred ms on the photo model),
    // a line says so, so that the space where the suggestions will be is not just empty.
    let suggestions_pending = move || {
        lab.with(|lab| {
            let (row, col) = lab.selected?;
            let shown = lab
                .prior
                .suggestions
                .as_ref()
                .is_some_and(|s| (s.row, s.col) == (row, col));
            (lab.prior.suggesting && !shown).then(|| {
                view! {
                    <p class="suggestions pending" data-testid="suggestions-pending" role="status">
                        {format!("The prior is weighing codes for cell ({row}, {col})…")}
                    </p>
                }
            })
        })
    };
    let suggestions_error = move || {
        lab.with(|lab| lab.prior.suggestions_error.clone())
            .map(|message| view! { <div class="error" role="alert" data-testid="suggestions-error">{message}</div> })
    };
    let masked = move || lab.with(|lab| lab.prior.mask.count());
    let no_prior = move || lab.with(LabState::no_prior);
    let no_prior_note = move || {
        no_prior().map(|sentence| {
            view! { <p class="hint no-prior" role="note" data-testid="no-prior">{sentence}</p> }
        })
    };
    let complete = move || {
        let mask = lab.with_untracked(|lab| lab.prior.mask.flags().to_vec());
        start_drawing(
            engine,
            lab,
            input,
            at,
            DrawPurpose::Complete,
            |id, sampling| ToEngine::Complete {
                id,
                mask,
                sampling,
                count: CANDIDATES,
            },
        );
    };
    let use_candidate = Callback::new(move |index: usize| {
        let cells = lab.try_update(|lab| lab.use_candidate(index)).flatten();
        if let Some(cells) = cells {
            engine.send(ToEngine::SetCells { cells });
        }
    });
    view! {
        <div class="prior-tools" data-testid="prior-tools">
            {no_prior_note}
            {suggestions}
            {suggestions_pending}
            {suggestions_error}
            <div class="lab-row complete">
                <button
                    data-testid="mask-mode"
                    prop:disabled=move || no_prior().is_some()
                    aria-pressed=move || masking().to_string()
                    class:active=masking
                    on:click=move |_| tool.update(|t| *t = if *t == Tool::Mask { Tool::Select } else { Tool::Mask })
                >
                    {move || if masking() { "Masking: click, drag, or Shift-click a corner" } else { "Mask cells" }}
                </button>
                <button
                    data-testid="clear-mask"
                    prop:disabled=move || masked() == 0
                    on:click=move |_| lab.update(|lab| lab.prior.mask.clear())
                >
                    "Clear mask"
                </button>
                <button
                    class="primary"
                    data-testid="complete-button"
                    prop:disabled=move || {
                        masked() == 0 || lab.with(LabState::is_drawing) || no_prior().is_some()
                    }
                    on:click=move |_| complete()
                >
                    {move || format!("Let the prior redraw {} masked cells", masked())}
                </button>
                <StopButton engine=engine lab=lab purpose=DrawPurpose::Complete />
            </div>
            <p class="hint">
                "The prior reads the grid in raster order, so each redrawn cell sees only the \
                 cells before it (above, and to its left); the cells after the mask do not steer \
                 it. Class, temperature, top-k and seed are those of “Generate” below."
            </p>
            <DrawingGallery
                lab=lab
                purpose=DrawPurpose::Complete
                at=at
                testid="candidate"
                label=|index| format!("Use candidate {}", index + 1)
                on_use=use_candidate
            />
        </div>
    }
}
