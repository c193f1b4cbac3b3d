//! What the page says about the hovered (or selected) cell: its code, whether it was edited,
//! the quantizer's distance and margin, its bits under the prior, and the five codes nearest
//! to the encoder's output there, each a button that paints with it.

use leptos::prelude::*;

use super::codebook::CodeTile;
use super::editing::Editing;
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;
use crate::ui::tools::{Cell, Tool};

/// The line about a cell, and its nearest codes.
#[component]
pub fn CellInfo(engine: Engine, lab: RwSignal<LabState>, editing: Editing) -> impl IntoView {
    let shown = Memo::new(move |_| editing.hover.get().or_else(|| lab.with(|lab| lab.selected)));
    let line = move || {
        let (row, col) = shown.get()?;
        lab.with(|lab| {
            let image = lab.image.as_ref()?;
            let index = row * image.encoding.grid_width + col;
            let code = image.code(row, col)?;
            let encoded = image.encoding.codes.get(index).copied()?;
            let edited = match (code == encoded, image.encoding.nearest.is_empty()) {
                (true, _) => String::new(),
                (false, false) => format!(" (edited; the encoder chose {encoded})"),
                (false, true) => format!(" (edited; the prior drew {encoded})"),
            };
            let quantiser = match (image.encoding.distance(index), image.encoding.margin(index)) {
                (Some(distance), Some(margin)) => {
                    format!(" · distance {distance:.4} · margin {margin:.4}")
                }
                _ => " · drawn by the prior, not encoded".to_owned(),
            };
            let bits = lab
                .current_surprisal()
                .and_then(|s| s.bits.get(index))
                .map_or_else(String::new, |b| format!(" · {b:.2} bits under the prior"));
            Some(format!(
                "Cell ({row}, {col}): code {code}{edited}{quantiser}{bits}"
            ))
        })
    };
    // The nearest codes of the shown cell: `(code, squared distance)`, nearest first.
    let nearest = Memo::new(move |_| {
        let (row, col) = shown.get()?;
        lab.with(|lab| {
            let encoding = &lab.image.as_ref()?.encoding;
            let (codes, distances) = encoding.nearest_of(row * encoding.grid_width + col)?;
            let list: Vec<(u32, f32)> = codes
                .iter()
                .copied()
                .zip(distances.iter().copied())
                .collect();
            Some(((row, col), list))
        })
    });
    let use_code = move |cell: Cell, code: u32| {
        editing.paint_code.set(Some(code));
        let selected = lab.with_untracked(|lab| lab.selected);
        let current =
            lab.with_untracked(|lab| lab.image.as_ref().and_then(|i| i.code(cell.0, cell.1)));
        if editing.tool.get_untracked() == Tool::Select
            && selected == Some(cell)
            && current != Some(code)
        {
            engine.edit(vec![(cell.0, cell.1, code)], None);
        }
    };
    let nearest_view = move || {
        nearest.get().map(|(cell, list)| {
            let items = list
                .into_iter()
                .enumerate()
                .map(|(rank, (code, distance))| {
                    view! {
                        <button
                            class="nearest-code"
                            data-testid="nearest-code"
                            data-code=code
                            title=format!(
                                "Paint with code {code}; with the Select tool and this cell selected, set it"
                            )
                            on:click=move |_| use_code(cell, code)
                        >
                            <CodeTile code=code lab=lab />
                            <span>{format!("{}. {code} · {distance:.3}", rank + 1)}</span>
                        </button>
                    }
                })
                .collect_view();
            view! {
                <div class="nearest" data-testid="nearest">
                    <span>"Codes nearest to the encoder's output here (squared distance): "</span>
                    {items}
                </div>
            }
        })
    };
    // The shown cell's code, for "What does code k mean?".
    let code = move || {
        let (row, col) = shown.get()?;
        lab.with(|lab| lab.image.as_ref()?.code(row, col))
    };
    view! {
        <div class="cell-details" aria-live="polite">
            {move || line().map(|text| view! {
                <p class="cell-line">
                    <span class="cell-info" data-testid="cell-info">{text}</span>
                    {code().map(|code| view! {
                        <button
                            class="link"
                            data-testid="code-meaning"
                            on:click=move |_| lab.update(|lab| lab.highlighted_code = Some(code))
                        >
                            {format!("What does code {code} mean?")}
                        </button>
                    })}
                </p>
            })}
            {nearest_view}
        </div>
    }
}
