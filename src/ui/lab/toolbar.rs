//! The toolbar: the tool in hand, the brush size, the paint code and what is copied.

use leptos::prelude::*;

use super::codebook::CodeTile;
use super::editing::Editing;
use crate::ui::state::LabState;
use crate::ui::tools::{BRUSH_SIZES, Tool};

/// The toolbar: one button a tool, the brush size, the paint code and the copied region.
#[component]
pub fn Toolbar(editing: Editing, lab: RwSignal<LabState>) -> impl IntoView {
    let tool = editing.tool;
    let buttons = Tool::ALL
        .into_iter()
        .map(|t| {
            let key = t.key().to_ascii_uppercase();
            view! {
                <button
                    class="tool"
                    class:active=move || tool.get() == t
                    data-testid="tool"
                    data-tool=t.label()
                    aria-pressed=move || (tool.get() == t).to_string()
                    aria-keyshortcuts=key.to_string()
                    title=format!("{} ({key})", t.label())
                    on:click=move |_| editing.take(t)
                >
                    {t.label()}
                </button>
            }
        })
        .collect_view();
    let paint = move || {
        editing.paint_code.get().map_or_else(
            || view! { <span>"none yet (click a code in the codebook)"</span> }.into_any(),
            |code| {
                view! {
                    <CodeTile code=code lab=lab />
                    <span>{code.to_string()}</span>
                }
                .into_any()
            },
        )
    };
    let clipboard = move || {
        lab.with(|lab| {
            lab.clipboard.as_ref().map(|region| {
                format!(
                    "Copied: {}×{} codes from {}",
                    region.width, region.height, region.source
                )
            })
        })
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label="Editing tools" data-testid="toolbar">
            {buttons}
            <label>
                "Brush "
                <select
                    data-testid="brush-size"
                    aria-label="Brush size in cells"
                    on:change=move |event| {
                        let size = event_target_value(&event).parse().unwrap_or(1);
                        editing.brush_size.set(size);
                    }
                >
                    {BRUSH_SIZES
                        .iter()
                        .map(|&size| view! {
                            <option value=size selected=move || editing.brush_size.get() == size>
                                {format!("{size}×{size}")}
                            </option>
                        })
                        .collect_view()}
                </select>
            </label>
            <span
                class="paint-code"
                data-testid="paint-code"
                data-code=move || editing.paint_code.get().map(|c| c.to_string())
            >
                "Paint code: "
                {paint}
            </span>
            {move || clipboard().map(|text| view! {
                <span class="hint" data-testid="clipboard">{text}</span>
            })}
        </div>
        <p class="hint" data-testid="tool-hint">{move || tool.get().hint()}</p>
        {move || editing.message.get().map(|text| view! {
            <p class="tool-message" data-testid="tool-message" role="status">{text}</p>
        })}
    }
}
