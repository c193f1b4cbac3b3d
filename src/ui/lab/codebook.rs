//! The codebook panel: every code decoded as a tile (one decoder call in the engine), its use in
//! this image and in the training set, dead codes greyed. Clicking a code outlines the cells
//! that use it and makes it the paint code; with a cell selected, it also sets that cell (a
//! palette). [`CodeTile`] shows one code's tile anywhere on the page.

use leptos::prelude::*;
use web_sys::{HtmlCanvasElement, MouseEvent};

use super::editing::Editing;
use crate::protocol::{Codebook, ToEngine};
use crate::ui::atlas::{self, tile_origin};
use crate::ui::checks::parse_code;
use crate::ui::dom::{context_2d, draw};
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;
use crate::ui::statistics::{code_usage, usage_summary};
use crate::ui::tools::Tool;

/// Draws the atlas, dead codes veiled, codes of this image outlined, the highlighted one in
/// yellow.
fn paint_atlas(
    canvas: &HtmlCanvasElement,
    codebook: &Codebook,
    in_image: &[bool],
    highlighted: Option<u32>,
) -> Result<(), String> {
    let (tile, k) = (codebook.tile, atlas::tile_count(codebook));
    let (width, height) = atlas::atlas_size(k, tile);
    draw(canvas, &atlas::atlas_rgba(codebook), width, height)?;
    let context = context_2d(canvas)?;
    let t = tile as f64;
    for code in 0..k {
        let (x, y) = tile_origin(code, tile);
        let (x, y) = (x as f64, y as f64);
        if codebook.train_usage.get(code) == Some(&0) {
            context.set_fill_style_str("rgba(128, 128, 128, 0.8)");
            context.fill_rect(x, y, t, t);
        }
        if in_image.get(code).copied().unwrap_or(false) {
            context.set_stroke_style_str("rgba(255, 255, 255, 0.9)");
            context.set_line_width(1.0);
            context.stroke_rect(x + 0.5, y + 0.5, t - 1.0, t - 1.0);
        }
        if highlighted.is_some_and(|h| h as usize == code) {
            context.set_stroke_style_str("#ffd43b");
            context.set_line_width(2.0);
            context.stroke_rect(x + 1.0, y + 1.0, t - 2.0, t - 2.0);
        }
    }
    Ok(())
}

/// The code under the mouse on the atlas.
fn code_at(event: &MouseEvent, canvas: &HtmlCanvasElement, k: usize) -> Option<u32> {
    let (width, height) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    if width <= 0.0 || height <= 0.0 {
        return None;
    }
    atlas::code_at(
        f64::from(event.offset_x()) / width,
        f64::from(event.offset_y()) / height,
        k,
    )
}

/// The codebook panel (shown with an image).
#[component]
pub fn CodebookPanel(engine: Engine, lab: RwSignal<LabState>, editing: Editing) -> impl IntoView {
    // Ask for the tiles once per loaded model.
    let asked = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let name = lab.with(|lab| {
            let info = lab.model.loaded()?;
            lab.model.codebook.is_none().then(|| info.name.clone())
        });
        if let Some(name) = name
            && asked.get_value().as_deref() != Some(&name)
        {
            asked.set_value(Some(name));
            engine.send(ToEngine::Codebook);
        }
    });
    let k = Memo::new(move |_| lab.with(|lab| lab.model.codebook_size()));
    let image_usage = Memo::new(move |_| {
        lab.with(|lab| {
            let codes = lab.image.as_ref().map_or(&[][..], |image| &image.codes);
            vq_codes::usage_counts(codes, k.get())
        })
    });
    let hovered = RwSignal::new(None::<u32>);
    let find = RwSignal::new(String::new());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let highlighted = lab.with(|lab| lab.highlighted_code);
        let in_image: Vec<bool> = image_usage.with(|u| u.iter().map(|&n| n > 0).collect());
        lab.with(|lab| {
            let (Some(codebook), Some(canvas)) = (&lab.model.codebook, canvas.get()) else {
                return;
            };
            if let Err(err) = paint_atlas(&canvas, codebook, &in_image, highlighted) {
                web_sys::console::error_1(&format!("drawing the codebook: {err}").into());
            }
        });
    });
    let choose = move |code: u32| {
        lab.update(|lab| lab.highlighted_code = Some(code));
        editing.paint_code.set(Some(code));
        if editing.tool.get_untracked() != Tool::Select {
            return;
        }
        let selected = lab.with_untracked(|lab| {
            let (row, col) = lab.selected?;
            (lab.image.as_ref()?.code(row, col)? != code).then_some((row, col))
        });
        if let Some((row, col)) = selected {
            engine.edit(vec![(row, col, code)], None);
        }
    };
    let summary = move || {
        lab.with(|lab| {
            let codebook = lab.model.codebook.as_ref()?;
            Some(image_usage.with(|usage| usage_summary(&codebook.train_usage, usage)))
        })
    };
    let detail = move || {
        let code = hovered
            .get()
            .or_else(|| lab.with(|lab| lab.highlighted_code))?;
        lab.with(|lab| {
            let codebook = lab.model.codebook.as_ref()?;
            image_usage.with(|usage| code_usage(code, &codebook.train_usage, usage))
        })
    };
    let at = move |event: &MouseEvent| {
        canvas
            .get_untracked()
            .and_then(|c| code_at(event, &c, k.get_untracked()))
    };
    view! {
        <details class="codebook" data-testid="codebook" open>
            <summary>"Codebook"</summary>
            <p class="hint" data-testid="codebook-summary">
                {move || {
                    summary()
                        .or_else(|| lab.with(|lab| lab.model.codebook_error.clone()))
                        .unwrap_or_else(|| "Decoding every code…".to_owned())
                }}
            </p>
            <div class="lab-row">
                <label>
                    "Find code "
                    <input
                        type="number"
                        min="0"
                        data-testid="codebook-find"
                        prop:value=move || find.get()
                        on:input=move |event| {
                            let text = event_target_value(&event);
                            let code = parse_code(&text, k.get_untracked()).ok();
                            find.set(text);
                            lab.update(|lab| lab.highlighted_code = code);
                        }
                    />
                </label>
                <span class="hint" data-testid="codebook-detail">{detail}</span>
            </div>
            <canvas
                node_ref=canvas
                class="codebook-atlas"
                data-testid="codebook-atlas"
                aria-label="Every code decoded as a tile; click one to paint with it, see where it is used, and set the selected cell"
                on:mousemove=move |event| hovered.set(at(&event))
                on:mouseleave=move |_| hovered.set(None)
                on:click=move |event| {
                    if let Some(code) = at(&event) {
                        choose(code);
                    }
                }
            ></canvas>
            <p class="hint">
                "Click a code to paint with it (brush, rectangle) and outline the cells that use \
                 it; with the Select tool and a cell selected, the click also sets that cell."
            </p>
        </details>
    }
}

/// One code's decoded tile, drawn on a small canvas (empty until the codebook is decoded).
#[component]
pub fn CodeTile(code: u32, lab: RwSignal<LabState>) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let decoded = codebook_key(lab);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let _ = decoded.get();
        lab.with_untracked(|lab| {
            let Some(codebook) = &lab.model.codebook else {
                return;
            };
            if let Some(rgba) = atlas::tile_rgba(codebook, code)
                && let Err(err) = draw(&canvas, rgba, codebook.tile, codebook.tile)
            {
                web_sys::console::error_1(&format!("drawing code {code}: {err}").into());
            }
        });
    });
    view! { <canvas class="code-tile" node_ref=canvas aria-hidden="true"></canvas> }
}

/// Changes when the codebook is decoded (again), and not on other changes of the lab: the
/// tiles are too large to compare on every edit. Read it with `get` (a memo is lazy: `track`
/// alone would not run it, and it would never hear of the codebook).
pub fn codebook_key(lab: RwSignal<LabState>) -> Memo<Option<(usize, u64)>> {
    Memo::new(move |_| {
        lab.with(|lab| {
            lab.model
                .codebook
                .as_ref()
                .map(|c| (c.tiles.len(), c.millis.to_bits()))
        })
    })
}

/// The mean colour of each code's tile, recomputed only when the codebook is decoded.
pub fn mean_colours(lab: RwSignal<LabState>) -> Memo<Option<Vec<[u8; 3]>>> {
    let decoded = codebook_key(lab);
    Memo::new(move |_| {
        let _ = decoded.get();
        lab.with_untracked(|lab| lab.model.codebook.as_ref().map(atlas::mean_colours))
    })
}
