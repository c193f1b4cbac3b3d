//! The editing tools at work: [`Editing`] turns presses, drags and keys on the heatmap into
//! edits (brush strokes, rectangle fills, copies and pastes, the eyedropper, the mask), and
//! previews the cells a press would change. The tools themselves, as data, are
//! [`crate::ui::tools`]; the toolbar that shows them is `super::toolbar`.

use leptos::prelude::*;

use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;
use crate::ui::tools::{Cell, CodeRegion, Tool, brush_cells, rectangle_cells};

/// The tools' state and what a press with each does. `Copy`: every field is a signal.
#[derive(Clone, Copy)]
pub struct Editing {
    /// The tool in hand.
    pub tool: RwSignal<Tool>,
    /// The brush's side, in cells.
    pub brush_size: RwSignal<usize>,
    /// The code the brush and the rectangle paint with (`None`: not chosen yet).
    pub paint_code: RwSignal<Option<u32>>,
    /// The cell under the pointer (or the keyboard's selection).
    pub hover: RwSignal<Option<Cell>>,
    /// The first corner of a rectangle or a copy, while it is being spanned.
    pub anchor: RwSignal<Option<Cell>>,
    /// A sentence about the last use of a tool.
    pub message: RwSignal<Option<String>>,
    /// The brush stroke under way (while the button is held).
    stroke: RwSignal<Option<u64>>,
    /// While the button is held in mask mode: whether it masks or unmasks.
    masking: RwSignal<Option<bool>>,
    /// The last cell the pointer was over, to end a span released outside the grid.
    last_cell: RwSignal<Option<Cell>>,
    /// The tool to go back to after the eyedropper.
    previous: RwSignal<Tool>,
    engine: Engine,
    lab: RwSignal<LabState>,
    select: Callback<Cell>,
}

impl Editing {
    /// Tools for the lab's grid; `select` selects a cell.
    pub fn new(engine: Engine, lab: RwSignal<LabState>, select: Callback<Cell>) -> Self {
        Self {
            tool: RwSignal::new(Tool::Select),
            brush_size: RwSignal::new(1),
            paint_code: RwSignal::new(None),
            hover: RwSignal::new(None),
            anchor: RwSignal::new(None),
            message: RwSignal::new(None),
            stroke: RwSignal::new(None),
            masking: RwSignal::new(None),
            last_cell: RwSignal::new(None),
            previous: RwSignal::new(Tool::Select),
            engine,
            lab,
            select,
        }
    }

    /// Takes up `tool` (the eyedropper remembers the tool to go back to).
    pub fn take(&self, tool: Tool) {
        let current = self.tool.get_untracked();
        if tool == Tool::Eyedropper && current != Tool::Eyedropper {
            self.previous.set(current);
        }
        self.anchor.set(None);
        self.message.set(None);
        self.tool.set(tool);
    }

    /// The grid's `(rows, cols)`, if there is an image.
    fn grid_size(&self) -> Option<(usize, usize)> {
        self.lab
            .with_untracked(|lab| lab.image.as_ref().map(|image| image.grid_size()))
    }

    /// Sets `cells` to the paint code (those that have another code), as part of `stroke`.
    fn paint(&self, cells: Vec<Cell>, stroke: Option<u64>) {
        let Some(code) = self.paint_code.get_untracked() else {
            self.message.set(Some(
                "Choose a paint code first: click a code in the codebook, or take one from a \
                 cell with the eyedropper (I)."
                    .to_owned(),
            ));
            return;
        };
        let changed = self.lab.with_untracked(|lab| {
            let image = lab.image.as_ref()?;
            Some(
                cells
                    .into_iter()
                    .filter(|&(row, col)| image.code(row, col).is_some_and(|c| c != code))
                    .map(|(row, col)| (row, col, code))
                    .collect::<Vec<_>>(),
            )
        });
        if let Some(cells) = changed {
            self.engine.edit(cells, stroke);
        }
    }

    /// Copies the rectangle between two corners.
    fn copy(&self, a: Cell, b: Cell) {
        let region = self.lab.with_untracked(|lab| {
            let image = lab.image.as_ref()?;
            let info = lab.model.loaded()?;
            CodeRegion::copy(
                &info.name,
                &image.encoding.source,
                &image.codes,
                image.encoding.grid_width,
                a,
                b,
            )
        });
        let Some(region) = region else { return };
        self.message.set(Some(format!(
            "Copied {}×{} codes from {}. Take Paste (V) and click where they go, here or in \
             another image of the {} model.",
            region.width, region.height, region.source, region.model
        )));
        self.lab.update(|lab| lab.clipboard = Some(region));
    }

    /// Pastes the copied codes with their top-left corner at `cell`.
    fn paste(&self, cell: Cell) {
        let Some(size) = self.grid_size() else { return };
        let outcome = self.lab.with_untracked(|lab| {
            let region = lab.clipboard.as_ref().ok_or(
                "Nothing is copied yet: take Copy region (C) and drag over the codes to copy.",
            )?;
            if lab
                .model
                .loaded()
                .is_some_and(|info| info.name != region.model)
            {
                return Err(
                    "The copied codes belong to another model's codebook; copy codes of this \
                     model first.",
                );
            }
            let image = lab.image.as_ref().ok_or("Open an image first.")?;
            Ok(region
                .paste_at(cell, size)
                .into_iter()
                .filter(|&(row, col, code)| image.code(row, col) != Some(code))
                .collect::<Vec<_>>())
        });
        match outcome {
            Ok(cells) => {
                self.message.set(None);
                self.engine.edit(cells, None);
            }
            Err(sentence) => self.message.set(Some(sentence.to_owned())),
        }
    }

    /// Takes the code of `cell` as the paint code and goes back to the previous tool.
    fn pick(&self, (row, col): Cell) {
        let code = self
            .lab
            .with_untracked(|lab| lab.image.as_ref().and_then(|i| i.code(row, col)));
        if let Some(code) = code {
            self.paint_code.set(Some(code));
            self.lab.update(|lab| lab.highlighted_code = Some(code));
            let back = self.previous.get_untracked();
            self.take(back);
            self.message.set(Some(format!(
                "Paint code {code}, taken from cell ({row}, {col})."
            )));
        }
    }

    /// The end of a span from `a` to `b` (a rectangle to fill, a region to copy).
    fn finish_span(&self, a: Cell, b: Cell) {
        match self.tool.get_untracked() {
            Tool::Rectangle => self.paint(rectangle_cells(a, b), None),
            Tool::Copy => self.copy(a, b),
            _ => {}
        }
    }

    /// The pointer's button went down on `cell` (`shift`: with Shift held).
    pub fn press(&self, cell: Cell, shift: bool) {
        self.last_cell.set(Some(cell));
        match self.tool.get_untracked() {
            Tool::Select => {}
            Tool::Mask => {
                let value = self.lab.try_update(|lab| lab.mask_press(cell, shift));
                self.masking.set(value.flatten());
            }
            Tool::Brush => {
                let Some(size) = self.grid_size() else { return };
                let stroke = self.engine.next_id();
                self.stroke.set(Some(stroke));
                self.paint(
                    brush_cells(cell, self.brush_size.get_untracked(), size),
                    Some(stroke),
                );
            }
            Tool::Rectangle | Tool::Copy => self.anchor.set(Some(cell)),
            Tool::Paste => self.paste(cell),
            Tool::Eyedropper => self.pick(cell),
        }
    }

    /// The pointer moved onto `cell` (`None`: off the grid).
    pub fn enter(&self, cell: Option<Cell>) {
        if cell != self.hover.get_untracked() {
            self.hover.set(cell);
        }
        let Some(cell) = cell else { return };
        if self.last_cell.get_untracked() == Some(cell) {
            return;
        }
        self.last_cell.set(Some(cell));
        if let Some(value) = self.masking.get_untracked() {
            self.lab.update(|lab| lab.set_masked(cell, value));
        }
        if let (Some(stroke), Some(size)) = (self.stroke.get_untracked(), self.grid_size()) {
            self.paint(
                brush_cells(cell, self.brush_size.get_untracked(), size),
                Some(stroke),
            );
        }
    }

    /// The pointer's button went up (anywhere on the page).
    pub fn release(&self) {
        self.masking.set(None);
        self.stroke.set(None);
        if self.tool.get_untracked().spans()
            && let Some(anchor) = self.anchor.get_untracked()
        {
            self.anchor.set(None);
            let end = self.last_cell.get_untracked().unwrap_or(anchor);
            self.finish_span(anchor, end);
        }
    }

    /// Ends strokes and spans when the pointer's button goes up (or the browser cancels the
    /// pointer) anywhere on the page, while the lab is there.
    pub fn release_on_pointer_up(self) {
        let release = window_event_listener(leptos::ev::pointerup, move |_| self.release());
        let cancel = window_event_listener(leptos::ev::pointercancel, move |_| self.release());
        on_cleanup(move || {
            release.remove();
            cancel.remove();
        });
    }

    /// Enter or Space on `cell` (the keyboard's press): a span takes two presses.
    pub fn activate(&self, cell: Cell) {
        match self.tool.get_untracked() {
            Tool::Select => self.select.run(cell),
            Tool::Mask => self.lab.update(|lab| {
                let value = !lab.is_masked(cell);
                lab.set_masked(cell, value);
            }),
            Tool::Brush => {
                if let Some(size) = self.grid_size() {
                    self.paint(
                        brush_cells(cell, self.brush_size.get_untracked(), size),
                        None,
                    );
                }
            }
            Tool::Rectangle | Tool::Copy => match self.anchor.get_untracked() {
                Some(anchor) => {
                    self.anchor.set(None);
                    self.finish_span(anchor, cell);
                }
                None => {
                    self.anchor.set(Some(cell));
                    self.message.set(Some(format!(
                        "First corner at cell ({}, {}); move to the other corner with the arrow \
                         keys and press Enter.",
                        cell.0, cell.1
                    )));
                }
            },
            Tool::Paste => self.paste(cell),
            Tool::Eyedropper => self.pick(cell),
        }
    }

    /// The cells a press at the pointer would change or take (tracked): the brush's
    /// footprint, the rectangle being spanned, the paste's footprint, or the hovered cell.
    pub fn preview(&self) -> Vec<Cell> {
        let Some(cell) = self.hover.get() else {
            return Vec::new();
        };
        let size = self
            .lab
            .with(|lab| lab.image.as_ref().map_or((0, 0), |i| i.grid_size()));
        match self.tool.get() {
            Tool::Brush => brush_cells(cell, self.brush_size.get(), size),
            Tool::Rectangle | Tool::Copy => match self.anchor.get() {
                Some(anchor) => rectangle_cells(anchor, cell),
                None => vec![cell],
            },
            Tool::Paste => self.lab.with(|lab| {
                lab.clipboard.as_ref().map_or_else(
                    || vec![cell],
                    |region| {
                        region
                            .paste_at(cell, size)
                            .into_iter()
                            .map(|(row, col, _)| (row, col))
                            .collect()
                    },
                )
            }),
            Tool::Select | Tool::Eyedropper | Tool::Mask => vec![cell],
        }
    }

    /// Whether presses on the grid paint, span or mask (the page must not scroll under a
    /// finger then).
    pub fn captures_drags(&self) -> bool {
        !matches!(self.tool.get(), Tool::Select)
    }
}
