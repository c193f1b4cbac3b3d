//! Undo, redo and reset of the lab's edits ([`Step`]): the buttons, and the step the keyboard
//! takes too.
//! The page pastes the pixels it kept and tells the engine the codes (`SetCells`), so each step
//! restores the reconstruction exactly and decodes nothing.

use leptos::prelude::*;

use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;
pub use crate::ui::state::history::Step;
use crate::ui::state::history::Image;

/// Takes `step` on the lab's image and tells the engine; while edits are on their way, the
/// step waits for them (`LabState::history_step`).
pub fn take(engine: Engine, lab: RwSignal<LabState>, step: Step) {
    if let Some(Some(request)) = lab.try_update(|lab| lab.history_step(step)) {
        engine.send(request);
    }
}

/// The Undo, Redo and Reset buttons.
#[component]
pub fn HistoryButtons(engine: Engine, lab: RwSignal<LabState>) -> impl IntoView {
    [Step::Undo, Step::Redo, Step::Reset]
        .into_iter()
        .map(|step| {
            let (label, testid, shortcut) = step.button();
            let impossible =
                move || lab.with(|lab| lab.image.as_ref().is_none_or(|i| !step.possible(i)));
            view! {
                <button
                    data-testid=testid
                    title=shortcut
                    aria-keyshortcuts=shortcut.map(|s| s.replace("Ctrl-", "Control+"))
                    prop:disabled=impossible
                    on:click=move |_| take(engine, lab, step)
                >
                    {label}
                </button>
            }
        })
        .collect_view()
}

/// A line when the history dropped its oldest edits to stay within its budget.
#[component]
pub fn HistoryNote(lab: RwSignal<LabState>) -> impl IntoView {
    move || {
        lab.with(|lab| lab.image.as_ref().and_then(Image::history_note))
            .map(|note| view! { <p class="hint" data-testid="history-note">{note}</p> })
    }
}
