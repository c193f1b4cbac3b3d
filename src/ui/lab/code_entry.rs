//! Setting the selected cell's code by number, with undo, redo and reset beside it, the last
//! edit's time, and the sentence of a failed edit.

use leptos::prelude::*;

use super::history::{HistoryButtons, HistoryNote};
use crate::ui::checks::parse_code;
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;

/// The edit row. `code_input` holds the field's text (selecting a cell puts its code there).
#[component]
pub fn CodeEntry(
    engine: Engine,
    lab: RwSignal<LabState>,
    code_input: RwSignal<String>,
) -> impl IntoView {
    let apply_code = move || {
        let Some((row, col)) = lab.with_untracked(|lab| lab.selected) else {
            return;
        };
        let codebook_size = lab.with_untracked(|lab| lab.model.codebook_size());
        match parse_code(&code_input.get_untracked(), codebook_size) {
            Ok(code) => engine.edit(vec![(row, col, code)], None),
            Err(message) => lab.update(|lab| lab.edits.error = Some(message)),
        }
    };
    let nothing_selected = move || lab.with(|lab| lab.selected.is_none());
    view! {
        <div class="lab-row edit">
            {move || lab.with(|lab| lab.selected).map(|(row, col)| view! {
                <span data-testid="selected-cell">{format!("Cell ({row}, {col}) → code ")}</span>
            })}
            <input
                type="number"
                min="0"
                data-testid="code-input"
                aria-label="New code for the selected cell"
                prop:value=move || code_input.get()
                prop:disabled=nothing_selected
                on:input=move |event| code_input.set(event_target_value(&event))
                on:keydown=move |event| {
                    if event.key() == "Enter" {
                        apply_code();
                    }
                }
            />
            <button
                data-testid="apply-code"
                prop:disabled=nothing_selected
                on:click=move |_| apply_code()
            >
                "Set code"
            </button>
            <HistoryButtons engine=engine lab=lab />
            {move || lab.with(|lab| lab.edits.last_millis).map(|millis| view! {
                <span class="edit-time" data-testid="edit-time">{format!("last edit {millis:.1} ms")}</span>
            })}
            {move || lab.with(|lab| (lab.edits.pending() > 0).then_some(())).map(|()| view! {
                <span data-testid="edit-pending">"decoding…"</span>
            })}
        </div>
        {move || lab.with(|lab| lab.edits.error.clone()).map(|message| view! {
            <div class="error" role="alert" data-testid="edit-error">{message}</div>
        })}
        <HistoryNote lab=lab />
    }
}
