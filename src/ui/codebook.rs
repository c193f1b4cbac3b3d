//! The codebook panel: every code decoded as a tile (one decoder call in the engine), its use in
//! this image and in the training set, dead codes greyed. Clicking a code outlines the cells
//! that use it and makes it the paint code; with a cell selected, it also sets that cell (a
//! palette). [`CodeTile`] shows one code's tile anywhere on the page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MouseEvent};

use super::engine_client::Engine;
use super::lab::draw;
use super::lab_state::{LabState, ModelStatus, usage_perplexity};
use super::tools::Tool;
use crate::protocol::ToEngine;

/// Tiles per row of the atlas.
const COLUMNS: usize = 16;

/// Draws the tiles as an atlas, dead codes veiled, codes of this image outlined, the
/// highlighted one in yellow.
fn paint_atlas(
    canvas: &HtmlCanvasElement,
    tiles: &[u8],
    tile: usize,
    k: usize,
    dead: &[bool],
    in_image: &[bool],
    highlighted: Option<u32>,
) -> Result<(), String> {
    let rows = k.div_ceil(COLUMNS);
    let (width, height) = (COLUMNS * tile, rows * tile);
    // Rearrange the tiles (stored one after the other) into the atlas's rows.
    let mut atlas = vec![0u8; 4 * width * height];
    for code in 0..k {
        let (ax, ay) = ((code % COLUMNS) * tile, (code / COLUMNS) * tile);
        for y in 0..tile {
            let from = 4 * (code * tile * tile + y * tile);
            let to = 4 * ((ay + y) * width + ax);
            if let (Some(src), Some(dst)) = (
                tiles.get(from..from + 4 * tile),
                atlas.get_mut(to..to + 4 * tile),
            ) {
                dst.copy_from_slice(src);
            }
        }
    }
    draw(canvas, &atlas, width, height)?;
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or("no 2D context")?;
    let t = tile as f64;
    for code in 0..k {
        let (x, y) = (
            ((code % COLUMNS) * tile) as f64,
            ((code / COLUMNS) * tile) as f64,
        );
        if dead.get(code).copied().unwrap_or(false) {
            context.set_fill_style_str("rgba(128, 128, 128, 0.8)");
            context.fill_rect(x, y, t, t);
        }
        if in_image.get(code).copied().unwrap_or(false) {
            context.set_stroke_style_str("rgba(255, 255, 255, 0.9)");
            context.set_line_width(1.0);
            context.stroke_rect(x + 0.5, y + 0.5, t - 1.0, t - 1.0);
        }
        if highlighted == Some(code as u32) {
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
    let rows = k.div_ceil(COLUMNS);
    if width <= 0.0 || height <= 0.0 {
        return None;
    }
    let col = (f64::from(event.offset_x()) / width * COLUMNS as f64) as usize;
    let row = (f64::from(event.offset_y()) / height * rows as f64) as usize;
    let code = row * COLUMNS + col.min(COLUMNS - 1);
    (code < k).then_some(code as u32)
}

/// The codebook panel (shown with an image).
#[component]
pub fn CodebookPanel(
    engine: Engine,
    lab: RwSignal<LabState>,
    paint_code: RwSignal<Option<u32>>,
    tool: RwSignal<Tool>,
) -> impl IntoView {
    // Ask for the tiles once per loaded model.
    let asked = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let name = lab.with(|lab| match &lab.model {
            ModelStatus::Loaded(info) if lab.codebook.is_none() => Some(info.name.clone()),
            _ => None,
        });
        if let Some(name) = name
            && asked.get_value().as_deref() != Some(&name)
        {
            asked.set_value(Some(name));
            engine.send(ToEngine::Codebook);
        }
    });
    let k = Memo::new(move |_| {
        lab.with(|lab| match &lab.model {
            ModelStatus::Loaded(info) => info.codebook_size,
            _ => 0,
        })
    });
    let image_usage = Memo::new(move |_| {
        lab.with(|lab| {
            let mut usage = vec![0u64; k.get()];
            if let Some(image) = &lab.image {
                for &code in &image.codes {
                    if let Some(slot) = usage.get_mut(code as usize) {
                        *slot += 1;
                    }
                }
            }
            usage
        })
    });
    let hovered = RwSignal::new(None::<u32>);
    let find = RwSignal::new(String::new());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let highlighted = lab.with(|lab| lab.highlighted_code);
        let in_image: Vec<bool> = image_usage.with(|u| u.iter().map(|&n| n > 0).collect());
        lab.with(|lab| {
            let (Some(codebook), Some(canvas)) = (&lab.codebook, canvas.get()) else {
                return;
            };
            let dead: Vec<bool> = codebook.train_usage.iter().map(|&n| n == 0).collect();
            let k = codebook.tiles.len() / (4 * codebook.tile * codebook.tile).max(1);
            if let Err(err) = paint_atlas(
                &canvas,
                &codebook.tiles,
                codebook.tile,
                k,
                &dead,
                &in_image,
                highlighted,
            ) {
                web_sys::console::error_1(&format!("drawing the codebook: {err}").into());
            }
        });
    });
    let choose = move |code: u32| {
        lab.update(|lab| lab.highlighted_code = Some(code));
        paint_code.set(Some(code));
        if tool.get_untracked() != Tool::Select {
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
            let codebook = lab.codebook.as_ref()?;
            let k = codebook.train_usage.len();
            let dead = codebook.train_usage.iter().filter(|&&n| n == 0).count();
            let used_here = image_usage.with(|u| u.iter().filter(|&&n| n > 0).count());
            Some(format!(
                "{k} codes. On the training set's grids: {} used, {dead} dead (greyed), \
                 perplexity {:.0}. This image uses {used_here} (outlined), perplexity {:.1}.",
                k - dead,
                usage_perplexity(&codebook.train_usage),
                image_usage.with(|u| usage_perplexity(u)),
            ))
        })
    };
    let detail = move || {
        let code = hovered
            .get()
            .or_else(|| lab.with(|lab| lab.highlighted_code))?;
        lab.with(|lab| {
            let codebook = lab.codebook.as_ref()?;
            let total: u64 = codebook.train_usage.iter().sum();
            let train = codebook.train_usage.get(code as usize).copied()?;
            let here = image_usage.with(|u| u.get(code as usize).copied())?;
            Some(format!(
                "Code {code}: {here} cells of this image; {:.2} % of the training set's cells{}",
                100.0 * train as f64 / total.max(1) as f64,
                if train == 0 { " (a dead code)" } else { "" }
            ))
        })
    };
    view! {
        <details class="codebook" data-testid="codebook" open>
            <summary>"Codebook"</summary>
            <p class="hint" data-testid="codebook-summary">
                {move || summary().unwrap_or_else(|| "Decoding every code…".to_owned())}
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
                            let code = text.trim().parse::<u32>().ok().filter(|&c| (c as usize) < k.get_untracked());
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
                on:mousemove=move |event| {
                    let code = canvas.get_untracked().and_then(|c| code_at(&event, &c, k.get_untracked()));
                    hovered.set(code);
                }
                on:mouseleave=move |_| hovered.set(None)
                on:click=move |event| {
                    if let Some(code) = canvas.get_untracked().and_then(|c| code_at(&event, &c, k.get_untracked())) {
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
            let Some(codebook) = &lab.codebook else {
                return;
            };
            if let Some(rgba) = codebook.tile_rgba(code)
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
            lab.codebook
                .as_ref()
                .map(|c| (c.tiles.len(), c.millis.to_bits()))
        })
    })
}
