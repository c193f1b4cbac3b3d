//! The lab's keyboard: one window listener that turns key presses into the shortcuts of
//! [`crate::ui::keys`], and the overlay that lists them (`?`).

use leptos::prelude::*;

use super::editing::Editing;
use super::history::{self, Step};
use crate::ui::dom::is_typing;
use crate::ui::engine_client::Engine;
use crate::ui::keys::{Modifiers, Shortcut, help_entries, next_brush_size, shortcut, step};
use crate::ui::state::LabState;
use crate::ui::tools::{Cell, Tool};

/// Listens for the lab's shortcuts while the lab is on the page; `help` shows the overlay,
/// `select` selects a cell.
pub fn listen(
    engine: Engine,
    lab: RwSignal<LabState>,
    editing: Editing,
    select: Callback<Cell>,
    help: RwSignal<bool>,
) {
    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        let modifiers = Modifiers {
            command: event.ctrl_key() || event.meta_key(),
            shift: event.shift_key(),
            alt: event.alt_key(),
        };
        let Some(shortcut) = shortcut(&event.key(), modifiers, is_typing(&event)) else {
            return;
        };
        match shortcut {
            Shortcut::Undo => history::take(engine, lab, Step::Undo),
            Shortcut::Redo => history::take(engine, lab, Step::Redo),
            Shortcut::Take(chosen) => {
                // The key of the tool in hand puts it down.
                let same = editing.tool.get_untracked() == chosen;
                editing.take(if same { Tool::Select } else { chosen });
            }
            Shortcut::ToggleHelp => help.update(|shown| *shown = !*shown),
            Shortcut::Escape => {
                help.set(false);
                editing.take(Tool::Select);
            }
            Shortcut::Brush { larger } => editing
                .brush_size
                .update(|size| *size = next_brush_size(*size, larger)),
            Shortcut::Move(direction) => {
                let Some(grid) = lab.with_untracked(|lab| lab.image.as_ref().map(|i| i.grid_size()))
                else {
                    return;
                };
                let from = lab.with_untracked(|lab| lab.selected).unwrap_or((0, 0));
                let next = step(from, direction, grid);
                select.run(next);
                editing.hover.set(Some(next));
            }
        }
        event.prevent_default();
    });
    on_cleanup(move || keys.remove());
}

/// The list of shortcuts, over the page; a click outside it or Esc closes it.
#[component]
pub fn HelpOverlay(help: RwSignal<bool>) -> impl IntoView {
    view! {
        <Show when=move || help.get()>
            <div class="help-overlay" data-testid="help" on:click=move |_| help.set(false)>
                <div
                    class="help-card card"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="help-title"
                    on:click=|event| event.stop_propagation()
                >
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <dl>
                        {help_entries()
                            .into_iter()
                            .map(|(key, what)| view! { <dt>{key}</dt><dd>{what}</dd> })
                            .collect_view()}
                    </dl>
                    <button data-testid="help-close" on:click=move |_| help.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
