//! The heatmap of a large grid (the `photo` model's 64×64 codes) on one canvas: thousands of
//! buttons would make every edit re-render thousands of nodes. The tools work as on the small
//! grid's buttons, with a pointer (mouse, pen or finger) or the keyboard (the canvas takes the
//! focus; arrows move the selection, Enter or Space use the tool there).

use leptos::prelude::*;
use web_sys::{HtmlCanvasElement, MouseEvent};

use super::editing::Editing;
use crate::ui::dom::context_2d;
use crate::ui::layout;
use crate::ui::state::LabState;
use crate::ui::tools::{Cell, Tool};

/// Pixels per cell on the canvas (CSS scales it to the frame).
const CELL_PX: usize = 8;

/// The cell under the mouse, from the event's position within the canvas.
fn cell_at(event: &MouseEvent, canvas: &HtmlCanvasElement, grid: (usize, usize)) -> Option<Cell> {
    let (width, height) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    if width <= 0.0 || height <= 0.0 {
        return None;
    }
    let x = f64::from(event.offset_x()) / width;
    let y = f64::from(event.offset_y()) / height;
    layout::cell_at(x, y, grid)
}

fn paint(
    canvas: &HtmlCanvasElement,
    colours: &[String],
    (rows, cols): (usize, usize),
    masked: &[bool],
    marked: &[Cell],
    previewed: &[Cell],
) -> Option<()> {
    let context = context_2d(canvas).ok()?;
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
    // Outlines inside the cells: the tool's footprint in white, hover, selection and the
    // highlighted code's cells in yellow.
    for (cells, colour, width) in [(previewed, "#ffffff", 1.5), (marked, "#ffd43b", 2.0)] {
        context.set_stroke_style_str(colour);
        context.set_line_width(width);
        for &(row, col) in cells {
            let inset = width / 2.0;
            context.stroke_rect(
                col as f64 * px + inset,
                row as f64 * px + inset,
                px - width,
                px - width,
            );
        }
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
    editing: Editing,
    /// The cells a press would change (outlined unless the Select tool is in hand).
    previewed: Memo<Vec<Cell>>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let masked = Memo::new(move |_| lab.with(|lab| lab.prior.mask.flags().to_vec()));
    let selected = Memo::new(move |_| lab.with(|lab| lab.selected));
    let highlighted = Memo::new(move |_| lab.with(|lab| lab.highlighted_code));
    let hover = editing.hover;
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let mut marked: Vec<Cell> = [hover.get(), selected.get()]
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
        let outlined = editing.tool.get() != Tool::Select;
        masked.with(|masked| {
            previewed.with(|previewed| {
                let previewed = if outlined { previewed.as_slice() } else { &[] };
                paint(&canvas, &colours, (rows, cols), masked, &marked, previewed)
            })
        });
    });
    let at = move |event: &MouseEvent| {
        let canvas = canvas.get_untracked()?;
        cell_at(event, &canvas, (rows, cols))
    };
    let tool = editing.tool;
    view! {
        <canvas
            node_ref=canvas
            class="heatmap-canvas"
            data-testid="heatmap-canvas"
            width=cols * CELL_PX
            height=rows * CELL_PX
            tabindex="0"
            role="application"
            aria-roledescription="grid of codes"
            aria-label=format!(
                "{rows}×{cols} codes. Arrow keys select a cell; Enter or Space uses the tool in \
                 hand there; the cell's code is read out below."
            )
            on:pointermove=move |event| editing.enter(at(&event))
            on:pointerleave=move |_| editing.enter(None)
            on:pointerdown=move |event| {
                let Some(cell) = at(&event) else { return };
                if tool.get_untracked() != Tool::Select && event.button() == 0 {
                    event.prevent_default();
                    editing.press(cell, event.shift_key());
                }
            }
            on:click=move |event| {
                if tool.get_untracked() == Tool::Select
                    && let Some(cell) = at(&event)
                {
                    editing.activate(cell);
                }
            }
            on:keydown=move |event| {
                if event.key() == " " || event.key() == "Enter" {
                    event.prevent_default();
                    let cell = lab.with_untracked(|lab| lab.selected).unwrap_or((0, 0));
                    editing.activate(cell);
                }
            }
        ></canvas>
    }
}
