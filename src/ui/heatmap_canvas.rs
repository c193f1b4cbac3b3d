//! The heatmap of a large grid (the `photo` model's 64×64 codes) on one canvas: thousands of
//! buttons would make every edit re-render thousands of nodes. Hover, click to select, and
//! mask painting work as on the small grid's buttons; the cells are drawn as filled squares.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MouseEvent};

use super::lab_state::LabState;

/// Pixels per cell on the canvas (CSS scales it to the frame).
const CELL_PX: usize = 8;

/// The cell under the mouse, from the event's position within the canvas.
fn cell_at(
    event: &MouseEvent,
    canvas: &HtmlCanvasElement,
    (rows, cols): (usize, usize),
) -> Option<(usize, usize)> {
    let (width, height) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    if width <= 0.0 || height <= 0.0 {
        return None;
    }
    let x = f64::from(event.offset_x()) / width;
    let y = f64::from(event.offset_y()) / height;
    if !(0.0..1.0).contains(&x) || !(0.0..1.0).contains(&y) {
        return None;
    }
    Some(((y * rows as f64) as usize, (x * cols as f64) as usize))
}

fn paint(
    canvas: &HtmlCanvasElement,
    colours: &[String],
    (rows, cols): (usize, usize),
    masked: &[bool],
    marked: &[(usize, usize)],
) -> Option<()> {
    let context = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let px = CELL_PX as f64;
    for row in 0..rows {
        for col in 0..cols {
            let index = row * cols + col;
            context.set_fill_style_str(colours.get(index).map_or("#000", String::as_str));
            context.fill_rect(col as f64 * px, row as f64 * px, px, px);
            if masked.get(index).copied().unwrap_or(false) {
                context.set_fill_style_str("rgba(255, 255, 255, 0.6)");
                context.fill_rect(
                    col as f64 * px + 2.0,
                    row as f64 * px + 2.0,
                    px - 4.0,
                    px - 4.0,
                );
            }
        }
    }
    context.set_stroke_style_str("#ffd43b");
    context.set_line_width(2.0);
    for &(row, col) in marked {
        context.stroke_rect(
            col as f64 * px + 1.0,
            row as f64 * px + 1.0,
            px - 2.0,
            px - 2.0,
        );
    }
    Some(())
}

/// A `rows × cols` heatmap with the colour of each cell, row-major.
#[component]
pub fn HeatmapCanvas(
    colours: Vec<String>,
    codes: Vec<u32>,
    rows: usize,
    cols: usize,
    lab: RwSignal<LabState>,
    hover: RwSignal<Option<(usize, usize)>>,
    mask_mode: RwSignal<bool>,
    painting: RwSignal<Option<bool>>,
    on_select: Callback<(usize, usize)>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let masked = Memo::new(move |_| lab.with(|lab| lab.mask.clone()));
    let selected = Memo::new(move |_| lab.with(|lab| lab.selected));
    let highlighted = Memo::new(move |_| lab.with(|lab| lab.highlighted_code));
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let mut marked: Vec<(usize, usize)> = [hover.get(), selected.get()]
            .into_iter()
            .flatten()
            .collect();
        if let Some(code) = highlighted.get() {
            marked.extend(
                codes
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| c == code)
                    .map(|(i, _)| (i / cols.max(1), i % cols.max(1))),
            );
        }
        masked.with(|masked| paint(&canvas, &colours, (rows, cols), masked, &marked));
    });
    let at = move |event: &MouseEvent| {
        let canvas = canvas.get_untracked()?;
        cell_at(event, &canvas, (rows, cols))
    };
    view! {
        <canvas
            node_ref=canvas
            class="heatmap-canvas"
            data-testid="heatmap-canvas"
            width=cols * CELL_PX
            height=rows * CELL_PX
            aria-label=format!("{rows}×{cols} codes; hover to inspect a cell, click to select it")
            on:mousemove=move |event| {
                let cell = at(&event);
                if cell != hover.get_untracked() {
                    hover.set(cell);
                }
                if let (Some((row, col)), Some(value)) = (cell, painting.get_untracked()) {
                    lab.update(|lab| lab.set_masked(row, col, value));
                }
            }
            on:mouseleave=move |_| hover.set(None)
            on:mousedown=move |event| {
                let Some((row, col)) = at(&event) else { return };
                if mask_mode.get_untracked() && event.button() == 0 {
                    event.prevent_default();
                    let shift = event.shift_key();
                    let value = lab.try_update(|lab| lab.mask_press((row, col), shift));
                    painting.set(value.flatten());
                }
            }
            on:click=move |event| {
                if mask_mode.get_untracked() {
                    return;
                }
                if let Some(cell) = at(&event) {
                    on_select.run(cell);
                }
            }
        ></canvas>
    }
}
