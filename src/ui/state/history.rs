//! The encoded image, its current codes and reconstruction, and the history of its edits. Each
//! edit keeps the pixels before and after it, so that undo and redo ([`Step`]) paste them back
//! and restore the reconstruction exactly, without decoding.

use serde::{Deserialize, Serialize};

use crate::protocol::{CellCode, Encoding, PatchPixels};

/// A cell's code before and after an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellChange {
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The code before.
    pub before: u32,
    /// The code after.
    pub after: u32,
}

/// One edit (of one cell, a brush's footprint, a rectangle, a paste, or a region the prior
/// completed), with the pixels before and after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditRecord {
    /// The brush stroke it belongs to: undo and redo take a stroke's edits together.
    pub stroke: Option<u64>,
    /// The cells it changed.
    pub cells: Vec<CellChange>,
    /// The region of the reconstruction it changed, with its pixels after the edit.
    pub patch: PatchPixels,
    /// The same region's pixels before the edit.
    #[serde(with = "serde_bytes")]
    pub before_pixels: Vec<u8>,
}

/// The encoded image, its current codes and reconstruction, and the edits. Kept in the browser
/// across reloads ([`super::saved`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// What the engine encoded (codes and reconstruction as encoded, for reset).
    pub encoding: Encoding,
    /// The current codes (with edits).
    #[serde(with = "crate::packed")]
    pub codes: Vec<u32>,
    /// The current reconstruction, RGBA.
    #[serde(with = "serde_bytes")]
    pub reconstruction: Vec<u8>,
    /// Edits done, the last one last.
    pub done: Vec<EditRecord>,
    /// Edits undone, the next to redo last.
    pub undone: Vec<EditRecord>,
    /// Edits dropped from the bottom of the history to keep it within [`HISTORY_BUDGET`].
    pub dropped: usize,
}

/// The most bytes of pixels the undo history keeps (before and after each edit): the oldest
/// edits are dropped past it. A photo edit keeps a few KB to a few hundred; a completion the
/// whole picture twice.
pub const HISTORY_BUDGET: usize = 64 * 1024 * 1024;

impl EditRecord {
    /// The bytes of pixels it keeps.
    pub fn bytes(&self) -> usize {
        self.patch.rgba.len() + self.before_pixels.len()
    }
}

impl Image {
    /// The image as encoded, without edits.
    pub fn new(encoding: Encoding) -> Self {
        Self {
            codes: encoding.codes.clone(),
            reconstruction: encoding.reconstruction.clone(),
            encoding,
            done: Vec::new(),
            undone: Vec::new(),
            dropped: 0,
        }
    }

    /// Pushes `edit` on the history and drops the oldest edits (whole strokes) past
    /// [`HISTORY_BUDGET`]; a redo after a new edit is gone.
    fn push_done(&mut self, edit: EditRecord) {
        self.done.push(edit);
        self.undone.clear();
        let mut kept: usize = self.done.iter().map(EditRecord::bytes).sum();
        while kept > HISTORY_BUDGET && self.done.len() > 1 {
            let stroke = self.done[0].stroke;
            let group = self
                .done
                .iter()
                .take_while(|edit| stroke.is_some() && edit.stroke == stroke)
                .count()
                .max(1)
                .min(self.done.len() - 1);
            kept -= self
                .done
                .drain(..group)
                .map(|edit| edit.bytes())
                .sum::<usize>();
            self.dropped += group;
        }
    }

    /// A line about the history, when its oldest edits were dropped.
    pub fn history_note(&self) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "The {} oldest edits were dropped to keep memory bounded ({} MB of pixels at \
                 most); undo reaches back {} edits, and Reset still restores the image as \
                 encoded.",
                self.dropped,
                HISTORY_BUDGET / (1024 * 1024),
                self.done.len()
            )
        })
    }

    /// The grid's `(rows, cols)`.
    pub fn grid_size(&self) -> (usize, usize) {
        (self.encoding.grid_height, self.encoding.grid_width)
    }

    /// The code of the cell `(row, col)`.
    pub fn code(&self, row: usize, col: usize) -> Option<u32> {
        (row < self.encoding.grid_height && col < self.encoding.grid_width)
            .then(|| {
                self.codes
                    .get(row * self.encoding.grid_width + col)
                    .copied()
            })
            .flatten()
    }

    fn set_code(&mut self, row: usize, col: usize, code: u32) {
        let width = self.encoding.grid_width;
        if let Some(slot) = self.codes.get_mut(row * width + col) {
            *slot = code;
        }
    }

    /// The reconstruction's pixels in a rectangle (clipped to the image), row-major RGBA.
    pub fn crop(&self, top: usize, left: usize, width: usize, height: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 * width * height);
        for y in top..(top + height).min(self.encoding.height) {
            let start = 4 * (y * self.encoding.width + left);
            let end = 4 * (y * self.encoding.width + (left + width).min(self.encoding.width));
            if let Some(row) = self.reconstruction.get(start..end) {
                out.extend_from_slice(row);
            }
        }
        out
    }

    /// Pastes `rgba` (`width × height`) into the reconstruction at `(top, left)`.
    pub fn paste(&mut self, top: usize, left: usize, width: usize, height: usize, rgba: &[u8]) {
        for y in 0..height {
            if top + y >= self.encoding.height {
                break;
            }
            let columns = width.min(self.encoding.width.saturating_sub(left));
            let from = 4 * y * width;
            let to = 4 * ((top + y) * self.encoding.width + left);
            if let (Some(source), Some(target)) = (
                rgba.get(from..from + 4 * columns),
                self.reconstruction.get_mut(to..to + 4 * columns),
            ) {
                target.copy_from_slice(source);
            }
        }
    }

    /// Applies an edit of cells whose decoded pixels are `patch`, part of `stroke` if any;
    /// clears what could be redone.
    pub fn apply_cells(&mut self, cells: &[CellCode], patch: PatchPixels, stroke: Option<u64>) {
        let changes: Vec<CellChange> = cells
            .iter()
            .filter_map(|&(row, col, after)| {
                let before = self.code(row, col)?;
                Some(CellChange {
                    row,
                    col,
                    before,
                    after,
                })
            })
            .collect();
        let before_pixels = self.crop(patch.top, patch.left, patch.width, patch.height);
        self.paste(
            patch.top,
            patch.left,
            patch.width,
            patch.height,
            &patch.rgba,
        );
        for change in &changes {
            self.set_code(change.row, change.col, change.after);
        }
        self.push_done(EditRecord {
            stroke,
            cells: changes,
            patch,
            before_pixels,
        });
    }

    /// Replaces the whole grid with `codes` and the whole picture with `rgba` as one edit (a
    /// completion's candidate); returns the cells that changed, for the engine. `None` when
    /// the sizes do not match this image.
    pub fn replace_all(&mut self, codes: &[u32], rgba: Vec<u8>) -> Option<Vec<CellCode>> {
        if codes.len() != self.codes.len() || rgba.len() != self.reconstruction.len() {
            return None;
        }
        let grid_width = self.encoding.grid_width.max(1);
        let cells: Vec<CellCode> = codes
            .iter()
            .enumerate()
            .filter(|&(i, &code)| self.codes.get(i) != Some(&code))
            .map(|(i, &code)| (i / grid_width, i % grid_width, code))
            .collect();
        let (width, height) = (self.encoding.width, self.encoding.height);
        self.apply_cells(
            &cells,
            PatchPixels {
                top: 0,
                left: 0,
                width,
                height,
                rgba,
            },
            None,
        );
        Some(cells)
    }

    /// Undoes the last edit (the whole stroke, for a brush's); returns the cells the engine
    /// must set, in order.
    pub fn undo(&mut self) -> Option<Vec<CellCode>> {
        let mut cells = Vec::new();
        for edit in last_group(&mut self.done)? {
            cells.extend(self.show_edit(&edit, false));
            self.undone.push(edit);
        }
        Some(cells)
    }

    /// Redoes the last undone edit (or stroke); returns the cells the engine must set, in
    /// order.
    pub fn redo(&mut self) -> Option<Vec<CellCode>> {
        let mut cells = Vec::new();
        for edit in last_group(&mut self.undone)? {
            cells.extend(self.show_edit(&edit, true));
            self.done.push(edit);
        }
        Some(cells)
    }

    /// Pastes the pixels and sets the codes of `edit`, after it (`applied`) or before it.
    fn show_edit(&mut self, edit: &EditRecord, applied: bool) -> Vec<CellCode> {
        let patch = &edit.patch;
        let pixels = if applied {
            &patch.rgba
        } else {
            &edit.before_pixels
        };
        self.paste(patch.top, patch.left, patch.width, patch.height, pixels);
        edit.cells
            .iter()
            .map(|change| {
                let code = if applied { change.after } else { change.before };
                self.set_code(change.row, change.col, code);
                (change.row, change.col, code)
            })
            .collect()
    }

    /// Back to the encoded grid and reconstruction; returns every cell for the engine.
    pub fn reset(&mut self) -> Vec<CellCode> {
        self.codes = self.encoding.codes.clone();
        self.reconstruction = self.encoding.reconstruction.clone();
        self.done.clear();
        self.undone.clear();
        self.dropped = 0;
        let width = self.encoding.grid_width.max(1);
        self.codes
            .iter()
            .enumerate()
            .map(|(index, &code)| (index / width, index % width, code))
            .collect()
    }
}

/// Takes the last edit off `stack`, with the edits of the same stroke under it, last first.
fn last_group(stack: &mut Vec<EditRecord>) -> Option<Vec<EditRecord>> {
    let last = stack.pop()?;
    let stroke = last.stroke;
    let mut group = vec![last];
    if stroke.is_some() {
        while let Some(edit) = stack.pop_if(|edit| edit.stroke == stroke) {
            group.push(edit);
        }
    }
    Some(group)
}

/// A step through the history of edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Take the last edit (or brush stroke) back.
    Undo,
    /// Do the last undone edit again.
    Redo,
    /// Back to the grid as encoded.
    Reset,
}

impl Step {
    /// The button's word, its test id and its shortcut.
    pub fn button(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Self::Undo => ("Undo", "undo", Some("Ctrl-Z")),
            Self::Redo => ("Redo", "redo", Some("Ctrl-Y")),
            Self::Reset => ("Reset", "reset", None),
        }
    }

    /// Whether there is anything to take this step on.
    pub fn possible(self, image: &Image) -> bool {
        match self {
            Self::Undo => !image.done.is_empty(),
            Self::Redo => !image.undone.is_empty(),
            Self::Reset => true,
        }
    }

    /// Takes the step on `image`; the cells the engine must set.
    pub fn take(self, image: &mut Image) -> Option<Vec<CellCode>> {
        match self {
            Self::Undo => image.undo(),
            Self::Redo => image.redo(),
            Self::Reset => Some(image.reset()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixtures::{encoding, patch};

    #[test]
    fn the_history_keeps_a_budget_of_bytes_and_says_what_it_dropped() {
        // A 512×512 picture: each whole-picture edit keeps 2 MB (before and after).
        let side = 512;
        let mut image = Image::new(Encoding {
            width: side,
            height: side,
            original: vec![0; 4 * side * side],
            reconstruction: vec![0; 4 * side * side],
            ..crate::ui::fixtures::encoding()
        });
        let whole = |value: u8| PatchPixels {
            top: 0,
            left: 0,
            width: side,
            height: side,
            rgba: vec![value; 4 * side * side],
        };
        let per_edit = 2 * 4 * side * side;
        let edits = HISTORY_BUDGET / per_edit + 5;
        for n in 0..edits {
            image.apply_cells(&[(0, 0, n as u32 % 4)], whole(n as u8), None);
        }
        let kept: usize = image.done.iter().map(EditRecord::bytes).sum();
        assert!(kept <= HISTORY_BUDGET, "{kept} bytes kept");
        assert_eq!(image.done.len() + image.dropped, edits);
        assert_eq!(image.dropped, 5);
        let note = image.history_note().unwrap_or_default();
        assert!(
            note.starts_with("The 5 oldest edits were dropped"),
            "{note}"
        );
        // Undo still works on what is kept, and reset forgets the note.
        assert!(image.undo().is_some());
        image.reset();
        assert_eq!((image.dropped, image.history_note()), (0, None));
    }

    #[test]
    fn an_edit_pastes_its_patch_and_undo_restores_exactly() {
        let mut image = Image::new(encoding());
        let original = image.reconstruction.clone();
        image.apply_cells(&[(1, 0, 9)], patch(), None);
        assert_eq!(image.code(1, 0), Some(9));
        assert_ne!(image.reconstruction, original);
        assert_eq!(image.crop(2, 3, 4, 5), vec![200; 80]);
        // Outside the patch nothing changed.
        assert_eq!(image.crop(0, 0, 8, 2), original[..4 * 16].to_vec());
        assert_eq!(image.undo(), Some(vec![(1, 0, 3)]));
        assert_eq!(image.reconstruction, original);
        assert_eq!(image.codes, vec![1, 2, 3, 4]);
        assert_eq!(image.redo(), Some(vec![(1, 0, 9)]));
        assert_eq!(image.crop(2, 3, 4, 5), vec![200; 80]);
        assert_eq!(image.undo(), Some(vec![(1, 0, 3)]));
        assert_eq!(image.undo(), None);
    }

    #[test]
    fn a_patch_at_the_edge_is_clipped_and_reset_restores_everything() {
        let mut image = Image::new(encoding());
        let original = image.reconstruction.clone();
        image.apply_cells(
            &[(1, 1, 7)],
            PatchPixels {
                top: 6,
                left: 6,
                width: 4,
                height: 4,
                rgba: vec![9; 64],
            },
            None,
        );
        assert_eq!(image.crop(6, 6, 2, 2), vec![9; 16]);
        image.apply_cells(&[(0, 0, 5)], patch(), None);
        let cells = image.reset();
        assert_eq!(cells, vec![(0, 0, 1), (0, 1, 2), (1, 0, 3), (1, 1, 4)]);
        assert_eq!(image.reconstruction, original);
        assert_eq!(image.redo(), None);
    }

    #[test]
    fn a_whole_grid_replaced_is_one_edit_of_the_cells_that_changed() {
        let mut image = Image::new(encoding());
        let original = image.reconstruction.clone();
        assert_eq!(image.replace_all(&[1, 2], vec![0; 256]), None, "wrong size");
        assert_eq!(
            image.replace_all(&[1, 2, 8, 6], vec![200; 256]),
            Some(vec![(1, 0, 8), (1, 1, 6)])
        );
        assert_eq!(image.reconstruction, vec![200; 256]);
        assert_eq!(image.undo(), Some(vec![(1, 0, 3), (1, 1, 4)]));
        assert_eq!(image.reconstruction, original);
    }

    #[test]
    fn each_step_is_possible_when_there_is_something_to_take() {
        let mut image = Image::new(encoding());
        assert!(!Step::Undo.possible(&image) && !Step::Redo.possible(&image));
        assert!(Step::Reset.possible(&image));
        image.apply_cells(&[(0, 0, 9)], patch(), None);
        assert!(Step::Undo.possible(&image));
        assert_eq!(Step::Undo.take(&mut image), Some(vec![(0, 0, 1)]));
        assert!(Step::Redo.possible(&image));
        assert_eq!(
            Step::Reset.take(&mut image).map(|cells| cells.len()),
            Some(4)
        );
        assert!(
            !Step::Redo.possible(&image),
            "a reset forgets what could be redone"
        );
        assert_eq!(Step::Undo.button().2, Some("Ctrl-Z"));
    }
}
