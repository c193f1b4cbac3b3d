//! The heatmap: the grid of codes, coloured by code, by mean tile colour, by margin or by bits
//! under the prior ([`crate::ui::colouring`]), linked to the images on hover and edited with
//! the tools. A small grid is one button a cell; a large one (over 16×16) is one canvas
//! (`super::heatmap_canvas`), which a grid of more than 64 cells a side (a ÷2 model's photo)
//! can zoom to 2× or 4× in a frame that scrolls.

use leptos::prelude::*;

use super::codebook;
use super::editing::Editing;
use super::heatmap_canvas::HeatmapCanvas;
use crate::ui::colouring::{CellValues, ColourBy, cell_colours, cell_label};
use crate::ui::dom::element_at;
use crate::ui::state::LabState;
use crate::ui::statistics::{margins, surprisal_totals};
use crate::ui::tools::{Cell, Tool};

/// Grids with more cells than this are drawn on a canvas instead of as buttons.
const LARGEST_BUTTON_GRID: usize = 16 * 16;

/// Grids with more cells than this a side offer a zoom (at 1× their cells are under 4 screen
/// pixels in the lab's views).
const ZOOMABLE_SIDE: usize = 64;

/// The zooms offered.
const ZOOMS: [usize; 3] = [1, 2, 4];

/// The codes, width, height and margins of the grid.
type Grid = Option<(Vec<u32>, usize, usize, Vec<f32>)>;

/// The heatmap's cell (a button) at a point of the viewport.
fn cell_under(x: i32, y: i32) -> Option<Cell> {
    let cell = element_at(x, y, "[data-testid=code-cell]")?;
    let read = |name: &str| cell.get_attribute(name)?.parse().ok();
    Some((read("data-row")?, read("data-col")?))
}

/// One button of a small grid.
#[component]
fn CodeCell(
    cell: Cell,
    code: u32,
    colour: String,
    label: String,
    /// Show the code on the button (grids up to 16 wide).
    numbered: bool,
    lab: RwSignal<LabState>,
    editing: Editing,
    previewed: Memo<Vec<Cell>>,
    select: Callback<Cell>,
) -> impl IntoView {
    let (row, col) = cell;
    let tool = editing.tool;
    let selected = move || lab.with(|lab| lab.selected == Some(cell));
    let masked = move || lab.with(|lab| lab.is_masked(cell));
    let highlighted = move || lab.with(|lab| lab.highlighted_code == Some(code));
    let in_preview =
        move || tool.get() != Tool::Select && previewed.with(|cells| cells.contains(&cell));
    view! {
        <button
            class="code-cell"
            class:selected=selected
            class:masked=masked
            class:highlighted=highlighted
            class:previewed=in_preview
            data-masked=move || masked().to_string()
            data-testid="code-cell"
            data-row=row
            data-col=col
            data-code=code
            style=format!("background:{colour}")
            title=label.clone()
            aria-label=label
            on:mouseenter=move |_| editing.enter(Some(cell))
            on:pointerdown=move |event| {
                if tool.get_untracked() != Tool::Select && event.button() == 0 {
                    event.prevent_default();
                    editing.press(cell, event.shift_key());
                }
            }
            on:focus=move |_| editing.hover.set(Some(cell))
            on:click=move |_| {
                if tool.get_untracked() == Tool::Select {
                    select.run(cell);
                }
            }
            on:keydown=move |event| {
                if tool.get_untracked() != Tool::Select
                    && (event.key() == " " || event.key() == "Enter")
                {
                    event.prevent_default();
                    editing.activate(cell);
                }
            }
        >
            {numbered.then(|| code.to_string())}
        </button>
    }
}

/// The zoom of a large grid: 1×, 2× or 4× in its frame, which scrolls.
#[component]
fn ZoomChoice(zoom: RwSignal<usize>) -> impl IntoView {
    view! {
        <div class="heatmap-zoom" role="group" aria-label="Zoom of the codes" data-testid="heatmap-zoom">
            "Zoom "
            {ZOOMS
                .iter()
                .map(|&z| {
                    view! {
                        <button
                            type="button"
                            data-zoom=z
                            aria-pressed=move || (zoom.get() == z).to_string()
                            class:chosen=move || zoom.get() == z
                            on:click=move |_| zoom.set(z)
                        >
                            {format!("{z}×")}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The select of the colouring, and the surprisal's totals under it.
#[component]
fn ColourChoice(
    lab: RwSignal<LabState>,
    colour_by: RwSignal<ColourBy>,
    by: ColourBy,
    has_margins: bool,
) -> impl IntoView {
    let totals = move || {
        lab.with(|lab| {
            let surprisal = lab.current_surprisal()?;
            let image = lab.image.as_ref()?;
            let pixels = (image.encoding.width, image.encoding.height);
            Some(surprisal_totals(surprisal, lab.model.loaded()?, pixels))
        })
        .or_else(|| lab.with(|lab| lab.prior.surprisal_error.clone()))
        .or_else(|| lab.with(|lab| lab.no_prior().map(str::to_owned)))
        .unwrap_or_else(|| "Asking the prior…".to_owned())
    };
    view! {
        <figcaption>
            <label>
                "Codes, coloured by "
                <select
                    data-testid="colour-by"
                    on:change=move |event| {
                        colour_by.set(ColourBy::from_name(&event_target_value(&event)));
                    }
                >
                    <option value="code" selected=by == ColourBy::Code>"code index"</option>
                    <option value="colour" selected=by == ColourBy::MeanColour>
                        "mean colour of each code's decoded tile"
                    </option>
                    <option value="margin" selected=by == ColourBy::Margin disabled=!has_margins>
                        "margin (red: a near tie, blue: firm)"
                    </option>
                    <option value="surprisal" selected=by == ColourBy::Surprisal>
                        "surprisal (bits under the prior; red: surprising)"
                    </option>
                </select>
            </label>
            {(by == ColourBy::Surprisal).then(|| view! {
                <p class="surprisal-totals" data-testid="surprisal-totals">{totals}</p>
            })}
        </figcaption>
    }
}

/// The heatmap figure: the grid and its colouring's select.
#[component]
pub fn Heatmap(
    lab: RwSignal<LabState>,
    editing: Editing,
    colour_by: RwSignal<ColourBy>,
    /// The cells a press would change (outlined unless the Select tool is in hand).
    previewed: Memo<Vec<Cell>>,
    select: Callback<Cell>,
) -> impl IntoView {
    // Only what the heatmap shows, so that it re-renders when that changes and not on every
    // change of the lab.
    let grid: Memo<Grid> = Memo::new(move |_| {
        lab.with(|lab| {
            let image = lab.image.as_ref()?;
            let (width, height) = (image.encoding.grid_width, image.encoding.grid_height);
            Some((image.codes.clone(), width, height, margins(&image.encoding)))
        })
    });
    let surprisal_bits =
        Memo::new(move |_| lab.with(|lab| lab.current_surprisal().map(|s| s.bits.clone())));
    let uniform_bits = Memo::new(move |_| {
        lab.with(|lab| {
            lab.model
                .loaded()
                .map_or(1.0, |info| (info.codebook_size as f32).log2())
        })
    });
    let mean_colours = codebook::mean_colours(lab);
    // Kept across images: a student who zoomed in keeps zooming in.
    let zoom = RwSignal::new(1usize);
    move || {
        let by = colour_by.get();
        let bits = surprisal_bits.get();
        let means = mean_colours.get();
        grid.get().map(|(codes, width, height, margins)| {
            let colours = cell_colours(
                by,
                &CellValues {
                    codes: &codes,
                    margins: &margins,
                    bits: bits.as_deref(),
                    uniform_bits: uniform_bits.get(),
                    mean_colours: means.as_deref(),
                },
            );
            let has_margins = !margins.is_empty();
            let large = width * height > LARGEST_BUTTON_GRID;
            let zoomable = large && width.max(height) > ZOOMABLE_SIDE;
            let zoomed = Signal::derive(move || if zoomable { zoom.get() } else { 1 });
            let cells = if large {
                view! {
                    <HeatmapCanvas
                        colours=colours
                        codes=codes
                        rows=height
                        cols=width
                        lab=lab
                        editing=editing
                        previewed=previewed
                    />
                }
                .into_any()
            } else {
                codes
                    .iter()
                    .zip(colours)
                    .enumerate()
                    .map(|(index, (&code, colour))| {
                        let cell = (index / width, index % width);
                        let cell_bits = bits.as_ref().and_then(|b| b.get(index)).copied();
                        view! {
                            <CodeCell
                                cell=cell
                                code=code
                                colour=colour
                                label=cell_label(cell, code, by, cell_bits)
                                numbered=width <= 16
                                lab=lab
                                editing=editing
                                previewed=previewed
                                select=select
                            />
                        }
                    })
                    .collect_view()
                    .into_any()
            };
            view! {
                <figure class="heatmap-figure">
                    <div
                        class="heatmap-frame"
                        class:zoomed=move || zoomed.get() != 1
                        data-testid="heatmap-frame"
                        style=format!("aspect-ratio:{width} / {height}")
                    >
                    <div
                        class="heatmap"
                        class:heatmap-large=large
                        class:captures-drags=move || editing.captures_drags()
                        data-testid="heatmap"
                        data-rows=height
                        data-cols=width
                        style=move || format!(
                            "grid-template-columns:repeat({width}, 1fr);aspect-ratio:{width} / {height};width:{}%",
                            100 * zoomed.get()
                        )
                        on:mouseleave=move |_| editing.enter(None)
                        on:pointermove=move |event| {
                            // A finger's moves stay with the cell it touched first: find the
                            // cell under it.
                            if event.pointer_type() == "touch" {
                                editing.enter(cell_under(event.client_x(), event.client_y()));
                            }
                        }
                    >
                        {cells}
                    </div>
                    </div>
                    {zoomable.then(|| view! { <ZoomChoice zoom=zoom /> })}
                    <ColourChoice lab=lab colour_by=colour_by by=by has_margins=has_margins />
                </figure>
            }
        })
    }
}
