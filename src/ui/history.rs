//! Undo, redo and reset of the lab's edits: the buttons, and the step the keyboard takes too.
//! The page pastes the pixels it kept and tells the engine the codes (`SetCells`), so each step
//! restores the reconstruction exactly and decodes nothing.

use leptos::prelude::*;

use super::engine_client::Engine;
use super::lab_state::{CellCode, Image, LabState};
use crate::protocol::ToEngine;

/// A step through the history of edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Take the last edit (or brush stroke) back.
    Undo,
    /// Do the last undone edit again.
    Redo,
    /// Back to the grid as encoded.
    Reset,
}

impl Step {
    /// The button's word, its test id and its shortcut.
    fn button(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Self::Undo => ("Undo", "undo", Some("Ctrl-Z")),
            Self::Redo => ("Redo", "redo", Some("Ctrl-Y")),
            Self::Reset => ("Reset", "reset", None),
        }
    }

    /// Whether there is anything to take this step on.
    fn possible(self, image: &Image) -> bool {
        match self {
            Self::Undo => !image.done.is_empty(),
            Self::Redo => !image.undone.is_empty(),
            Self::Reset => true,
        }
    }

    /// Takes the step on `image`; the cells the engine must set.
    fn take(self, image: &mut Image) -> Option<Vec<CellCode>> {
        match self {
            Self::Undo => image.undo(),
            Self::Redo => image.redo(),
            Self::Reset => Some(image.reset()),
        }
    }
}

/// Takes `step` on the lab's image and tells the engine.
pub fn take(engine: Engine, lab: RwSignal<LabState>, step: Step) {
    let cells = lab.try_update(|lab| lab.image.as_mut().and_then(|image| step.take(image)));
    if let Some(Some(cells)) = cells {
        engine.send(ToEngine::SetCells { cells });
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
