//! The lab's state as the page shows it: the model's loading, the encoded image, its codes and
//! the history of edits. Plain data, changed by the engine's messages and by the user; tested
//! natively. Undo and redo paste pixels they kept, so they restore the reconstruction exactly.

use crate::protocol::{Encoding, FromEngine, LoadStage, ModelInfo, PatchPixels};

/// Where the chosen model stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ModelStatus {
    /// Nothing asked for yet.
    #[default]
    None,
    /// Loading, with progress.
    Loading {
        /// The model.
        name: String,
        /// The stage.
        stage: LoadStage,
        /// Bytes so far.
        loaded: u64,
        /// Bytes in all, when known.
        total: Option<u64>,
    },
    /// Loaded and warmed up.
    Loaded(ModelInfo),
    /// Could not be loaded; the sentence says why.
    Failed {
        /// The model.
        name: String,
        /// The sentence.
        message: String,
    },
}

/// One edit of one cell, with the pixels before and after it.
#[derive(Debug, Clone, PartialEq)]
pub struct EditRecord {
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The code before.
    pub before: u32,
    /// The code after.
    pub after: u32,
    /// The region of the reconstruction it changed, with its pixels after the edit.
    pub patch: PatchPixels,
    /// The same region's pixels before the edit.
    pub before_pixels: Vec<u8>,
}

/// The encoded image, its current codes and reconstruction, and the edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// What the engine encoded (codes and reconstruction as encoded, for reset).
    pub encoding: Encoding,
    /// The current codes (with edits).
    pub codes: Vec<u32>,
    /// The current reconstruction, RGBA.
    pub reconstruction: Vec<u8>,
    /// Edits done, the last one last.
    pub done: Vec<EditRecord>,
    /// Edits undone, the next to redo last.
    pub undone: Vec<EditRecord>,
}

/// A cell's code to set in the engine's grid, `(row, col, code)`.
pub type CellCode = (usize, usize, u32);

impl Image {
    /// The image as encoded, without edits.
    pub fn new(encoding: Encoding) -> Self {
        Self {
            codes: encoding.codes.clone(),
            reconstruction: encoding.reconstruction.clone(),
            encoding,
            done: Vec::new(),
            undone: Vec::new(),
        }
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

    /// Applies an edit the engine decoded; clears what could be redone.
    pub fn apply(&mut self, row: usize, col: usize, code: u32, patch: PatchPixels) {
        let before = self.code(row, col).unwrap_or(code);
        let before_pixels = self.crop(patch.top, patch.left, patch.width, patch.height);
        self.paste(
            patch.top,
            patch.left,
            patch.width,
            patch.height,
            &patch.rgba,
        );
        self.set_code(row, col, code);
        self.done.push(EditRecord {
            row,
            col,
            before,
            after: code,
            patch,
            before_pixels,
        });
        self.undone.clear();
    }

    /// Undoes the last edit; returns the cell the engine must set.
    pub fn undo(&mut self) -> Option<CellCode> {
        let edit = self.done.pop()?;
        let cell = self.show_edit(&edit, false);
        self.undone.push(edit);
        Some(cell)
    }

    /// Redoes the last undone edit; returns the cell the engine must set.
    pub fn redo(&mut self) -> Option<CellCode> {
        let edit = self.undone.pop()?;
        let cell = self.show_edit(&edit, true);
        self.done.push(edit);
        Some(cell)
    }

    /// Pastes the pixels and sets the code of `edit`, after it (`applied`) or before it.
    fn show_edit(&mut self, edit: &EditRecord, applied: bool) -> CellCode {
        let patch = &edit.patch;
        let (pixels, code) = if applied {
            (&patch.rgba, edit.after)
        } else {
            (&edit.before_pixels, edit.before)
        };
        self.paste(patch.top, patch.left, patch.width, patch.height, pixels);
        self.set_code(edit.row, edit.col, code);
        (edit.row, edit.col, code)
    }

    /// Back to the encoded grid and reconstruction; returns every cell for the engine.
    pub fn reset(&mut self) -> Vec<CellCode> {
        self.codes = self.encoding.codes.clone();
        self.reconstruction = self.encoding.reconstruction.clone();
        self.done.clear();
        self.undone.clear();
        let width = self.encoding.grid_width.max(1);
        self.codes
            .iter()
            .enumerate()
            .map(|(index, &code)| (index / width, index % width, code))
            .collect()
    }
}

/// Everything the lab shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabState {
    /// The model.
    pub model: ModelStatus,
    /// The encoded image, once there is one.
    pub image: Option<Image>,
    /// The name of the file being encoded.
    pub encoding: Option<String>,
    /// Why the last file could not be used.
    pub upload_error: Option<String>,
    /// Why the last edit failed.
    pub edit_error: Option<String>,
    /// The selected cell.
    pub selected: Option<(usize, usize)>,
    /// Wall time of the last edit in the engine, in milliseconds.
    pub last_edit_millis: Option<f64>,
    /// Edits sent and not yet answered.
    pub pending_edits: usize,
}

impl LabState {
    /// True for the messages this state handles (the rest are the engine's start).
    pub fn handles(message: &FromEngine) -> bool {
        !matches!(
            message,
            FromEngine::Started
                | FromEngine::Ready(_)
                | FromEngine::Failed { .. }
                | FromEngine::Panicked { .. }
        )
    }

    /// A model was asked for.
    pub fn loading(&mut self, name: &str) {
        self.model = ModelStatus::Loading {
            name: name.to_owned(),
            stage: LoadStage::Downloading,
            loaded: 0,
            total: None,
        };
        self.image = None;
        self.selected = None;
        self.upload_error = None;
    }

    /// True while a model loads.
    pub fn is_loading(&self) -> bool {
        matches!(self.model, ModelStatus::Loading { .. })
    }

    /// Applies a message of the engine.
    pub fn on_message(&mut self, message: FromEngine) {
        match message {
            FromEngine::LoadProgress {
                name,
                stage,
                loaded,
                total,
            } => {
                self.model = ModelStatus::Loading {
                    name,
                    stage,
                    loaded,
                    total,
                };
            }
            FromEngine::ModelLoaded(info) => self.model = ModelStatus::Loaded(info),
            FromEngine::ModelFailed { name, message } => {
                self.model = ModelStatus::Failed { name, message };
            }
            FromEngine::Encoded(encoding) => {
                self.encoding = None;
                self.upload_error = None;
                self.edit_error = None;
                self.selected = None;
                self.last_edit_millis = None;
                self.image = Some(Image::new(encoding));
            }
            FromEngine::EncodeFailed { source, message } => {
                self.encoding = None;
                self.upload_error = Some(format!("{source}: {message}"));
            }
            FromEngine::Patched {
                row,
                col,
                code,
                patch,
                millis,
                ..
            } => {
                self.pending_edits = self.pending_edits.saturating_sub(1);
                self.last_edit_millis = Some(millis);
                self.edit_error = None;
                if let Some(image) = &mut self.image {
                    image.apply(row, col, code, patch);
                }
            }
            FromEngine::EditFailed { message, .. } => {
                self.pending_edits = self.pending_edits.saturating_sub(1);
                self.edit_error = Some(message);
            }
            FromEngine::Started
            | FromEngine::Ready(_)
            | FromEngine::Failed { .. }
            | FromEngine::Panicked { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoding() -> Encoding {
        // 8×8 pixels, 2×2 cells; pixel value = its index.
        let reconstruction: Vec<u8> = (0..64u8).flat_map(|i| [i, i, i, 255]).collect();
        Encoding {
            source: "test".to_owned(),
            source_size: (8, 8),
            width: 8,
            height: 8,
            grid_width: 2,
            grid_height: 2,
            codes: vec![1, 2, 3, 4],
            distance: vec![0.0; 4],
            margin: vec![0.0; 4],
            original: reconstruction.clone(),
            reconstruction,
            inverted: false,
            invert_reason: String::new(),
            millis: 1.0,
        }
    }

    fn patch() -> PatchPixels {
        PatchPixels {
            top: 2,
            left: 3,
            width: 4,
            height: 5,
            rgba: vec![200; 4 * 4 * 5],
        }
    }

    #[test]
    fn an_edit_pastes_its_patch_and_undo_restores_exactly() {
        let mut image = Image::new(encoding());
        let original = image.reconstruction.clone();
        image.apply(1, 0, 9, patch());
        assert_eq!(image.code(1, 0), Some(9));
        assert_ne!(image.reconstruction, original);
        assert_eq!(image.crop(2, 3, 4, 5), vec![200; 80]);
        // Outside the patch nothing changed.
        assert_eq!(image.crop(0, 0, 8, 2), original[..4 * 16].to_vec());
        assert_eq!(image.undo(), Some((1, 0, 3)));
        assert_eq!(image.reconstruction, original);
        assert_eq!(image.codes, vec![1, 2, 3, 4]);
        assert_eq!(image.redo(), Some((1, 0, 9)));
        assert_eq!(image.crop(2, 3, 4, 5), vec![200; 80]);
        assert_eq!(image.undo(), Some((1, 0, 3)));
        assert_eq!(image.undo(), None);
    }

    #[test]
    fn a_patch_at_the_edge_is_clipped_and_reset_restores_everything() {
        let mut image = Image::new(encoding());
        let original = image.reconstruction.clone();
        image.apply(
            1,
            1,
            7,
            PatchPixels {
                top: 6,
                left: 6,
                width: 4,
                height: 4,
                rgba: vec![9; 64],
            },
        );
        assert_eq!(image.crop(6, 6, 2, 2), vec![9; 16]);
        image.apply(0, 0, 5, patch());
        let cells = image.reset();
        assert_eq!(cells, vec![(0, 0, 1), (0, 1, 2), (1, 0, 3), (1, 1, 4)]);
        assert_eq!(image.reconstruction, original);
        assert_eq!(image.redo(), None);
    }

    #[test]
    fn a_bad_file_keeps_the_last_image_and_says_why() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(encoding()));
        lab.on_message(FromEngine::EncodeFailed {
            source: "notes.png".to_owned(),
            message: "This file is not an image we can read.".to_owned(),
        });
        assert!(lab.image.is_some());
        assert_eq!(
            lab.upload_error.as_deref(),
            Some("notes.png: This file is not an image we can read.")
        );
        lab.on_message(FromEngine::Encoded(encoding()));
        assert_eq!(lab.upload_error, None);
    }
}
