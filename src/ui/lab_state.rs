//! The lab's state as the page shows it: the model's loading, the encoded image, its codes and
//! the history of edits. Plain data, changed by the engine's messages and by the user; tested
//! natively. Undo and redo paste pixels they kept, so they restore the reconstruction exactly.

use super::tools::CodeRegion;
pub use crate::protocol::CellCode;
use crate::protocol::{
    Codebook, Drawn, Encoding, FromEngine, LoadStage, ModelInfo, PatchPixels, SuggestedCode,
};

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

/// A cell's code before and after an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct EditRecord {
    /// The brush stroke it belongs to: undo and redo take a stroke's edits together.
    pub stroke: Option<u64>,
    /// The cells it changed.
    pub cells: Vec<CellChange>,
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
        self.done.push(EditRecord {
            stroke,
            cells: changes,
            patch,
            before_pixels,
        });
        self.undone.clear();
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

/// How much the error map brightens errors: an error of a third of the range is white.
pub const ERROR_GAIN: f32 = 3.0;

/// The error map of a reconstruction: each pixel's mean absolute error over R, G and B, times
/// [`ERROR_GAIN`], on a black → red → yellow → white ramp (RGBA); and the PSNR of the whole
/// image in dB (infinite when they are equal).
pub fn error_map(original: &[u8], reconstruction: &[u8]) -> (Vec<u8>, f64) {
    let mut squared = 0.0_f64;
    let mut values = 0usize;
    let rgba = original
        .chunks_exact(4)
        .zip(reconstruction.chunks_exact(4))
        .flat_map(|(a, b)| {
            let mut error = 0.0_f32;
            for (&x, &y) in a[..3].iter().zip(&b[..3]) {
                let d = f32::from(x) - f32::from(y);
                error += d.abs();
                squared += f64::from(d * d);
            }
            values += 3;
            let t = (ERROR_GAIN * error / (3.0 * 255.0)).clamp(0.0, 1.0);
            let ramp = |offset: f32| ((3.0 * t - offset).clamp(0.0, 1.0) * 255.0).round() as u8;
            [ramp(0.0), ramp(1.0), ramp(2.0), 255]
        })
        .collect();
    let mse = squared / values.max(1) as f64;
    let psnr = if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0_f64 * 255.0 / mse).log10()
    };
    (rgba, psnr)
}

/// The perplexity of a usage count, `exp(−Σ p log p)`: how many codes are used, in effect.
pub fn usage_perplexity(usage: &[u64]) -> f64 {
    let total: u64 = usage.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let entropy: f64 = usage
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    entropy.exp()
}

/// What a drawing from the prior is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawPurpose {
    /// New grids, side by side.
    Sample,
    /// Candidates for the masked cells of the current grid.
    Complete,
}

/// A drawing from the prior: its snapshots as the cells are drawn, the first (nothing drawn
/// yet) first, so that a timeline can step through them.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// The request's number.
    pub id: u64,
    /// What it is for.
    pub purpose: DrawPurpose,
    /// Snapshots in the order they came.
    pub snapshots: Vec<Drawn>,
    /// Whether every cell is drawn.
    pub done: bool,
}

impl Drawing {
    /// The last snapshot.
    pub fn latest(&self) -> Option<&Drawn> {
        self.snapshots.last()
    }
}

/// The bits of each cell under the prior, for the codes they were computed for.
#[derive(Debug, Clone, PartialEq)]
pub struct Surprisal {
    /// The codes, row-major.
    pub codes: Vec<u32>,
    /// `−log₂ p(code | cells before)` of each cell.
    pub bits: Vec<f32>,
    /// Wall time in the engine, in milliseconds.
    pub millis: f64,
}

impl Surprisal {
    /// Bits of the whole grid.
    pub fn total(&self) -> f64 {
        self.bits.iter().map(|&b| f64::from(b)).sum()
    }
}

/// The prior's suggestions for a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The most likely codes first.
    pub codes: Vec<SuggestedCode>,
    /// Wall time in the engine, in milliseconds.
    pub millis: f64,
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
    /// Edits sent and not yet answered: their numbers and strokes.
    pub pending: Vec<(u64, Option<u64>)>,
    /// Codes copied from a region (kept when another image is opened).
    pub clipboard: Option<CodeRegion>,
    /// The current drawing from the prior.
    pub drawing: Option<Drawing>,
    /// Why the last drawing failed.
    pub draw_error: Option<String>,
    /// The surprisal of the current grid (when asked for).
    pub surprisal: Option<Surprisal>,
    /// Suggestions for the selected cell.
    pub suggestions: Option<Suggestions>,
    /// A request for suggestions is on its way (the page asks one at a time).
    pub suggesting: bool,
    /// A request for the surprisal is on its way.
    pub measuring_surprisal: bool,
    /// Cells masked for completion, row-major (empty: none).
    pub mask: Vec<bool>,
    /// The last cell pressed while masking: Shift and a press masks the rectangle from it.
    pub mask_anchor: Option<(usize, usize)>,
    /// The loaded model's codebook, decoded.
    pub codebook: Option<Codebook>,
    /// The code whose cells the heatmap highlights.
    pub highlighted_code: Option<u32>,
    /// The last wall time of each operation in the engine, in milliseconds, in the order
    /// they were first done (the badge shows them).
    pub timings: Vec<(&'static str, f64)>,
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

    /// Records the wall time of an operation.
    pub fn time(&mut self, operation: &'static str, millis: f64) {
        match self.timings.iter_mut().find(|(op, _)| *op == operation) {
            Some(slot) => slot.1 = millis,
            None => self.timings.push((operation, millis)),
        }
    }

    /// An edit `id` was sent to the engine, part of `stroke` if any.
    pub fn edit_sent(&mut self, id: u64, stroke: Option<u64>) {
        self.pending.push((id, stroke));
    }

    /// Edits sent and not yet answered.
    pub fn pending_edits(&self) -> usize {
        self.pending.len()
    }

    /// Forgets the pending edit `id`; returns its stroke.
    fn answered(&mut self, id: u64) -> Option<u64> {
        let index = self.pending.iter().position(|&(i, _)| i == id)?;
        self.pending.remove(index).1
    }

    /// A drawing was asked for; its snapshots will replace any earlier one.
    pub fn start_drawing(&mut self, id: u64, purpose: DrawPurpose) {
        self.drawing = Some(Drawing {
            id,
            purpose,
            snapshots: Vec::new(),
            done: false,
        });
        self.draw_error = None;
    }

    /// True while cells are being drawn.
    pub fn is_drawing(&self) -> bool {
        self.drawing.as_ref().is_some_and(|d| !d.done)
    }

    /// The surprisal, if it was computed for the current codes.
    pub fn current_surprisal(&self) -> Option<&Surprisal> {
        let image = self.image.as_ref()?;
        self.surprisal.as_ref().filter(|s| s.codes == image.codes)
    }

    /// Masks or unmasks a cell for completion.
    pub fn set_masked(&mut self, row: usize, col: usize, masked: bool) {
        let Some(image) = &self.image else { return };
        let (width, cells) = (image.encoding.grid_width, image.codes.len());
        if self.mask.len() != cells {
            self.mask = vec![false; cells];
        }
        if col < width
            && let Some(slot) = self.mask.get_mut(row * width + col)
        {
            *slot = masked;
        }
    }

    /// A press on a cell while masking: toggles it and returns the value to paint while the
    /// button is held; with `shift`, masks the rectangle from the last cell pressed and
    /// returns `None` (nothing to paint).
    pub fn mask_press(&mut self, cell: (usize, usize), shift: bool) -> Option<bool> {
        let anchor = self.mask_anchor.replace(cell);
        match anchor {
            Some(anchor) if shift => {
                self.mask_rectangle(anchor, cell);
                None
            }
            _ => {
                let value = !self.is_masked(cell.0, cell.1);
                self.set_masked(cell.0, cell.1, value);
                Some(value)
            }
        }
    }

    /// Masks the rectangle between two cells (inclusive).
    pub fn mask_rectangle(&mut self, (r0, c0): (usize, usize), (r1, c1): (usize, usize)) {
        for row in r0.min(r1)..=r0.max(r1) {
            for col in c0.min(c1)..=c0.max(c1) {
                self.set_masked(row, col, true);
            }
        }
    }

    /// Whether a cell is masked.
    pub fn is_masked(&self, row: usize, col: usize) -> bool {
        let width = self.image.as_ref().map_or(0, |i| i.encoding.grid_width);
        col < width && self.mask.get(row * width + col).copied().unwrap_or(false)
    }

    /// Takes candidate `index` of a finished completion as one edit (undo restores the
    /// region); returns the cells the engine must set.
    pub fn use_candidate(&mut self, index: usize) -> Option<Vec<CellCode>> {
        let drawing = self.drawing.as_ref().filter(|d| d.done)?;
        if drawing.purpose != DrawPurpose::Complete {
            return None;
        }
        let last = drawing.latest()?;
        let codes = last.grids.get(index)?.clone();
        let picture = last.pictures.get(index)?.to_vec();
        let (width, height, grid_width) = (last.width, last.height, last.grid_width.max(1));
        let image = self.image.as_mut()?;
        if codes.len() != image.codes.len() || picture.len() != image.reconstruction.len() {
            return None;
        }
        let cells: Vec<CellCode> = codes
            .iter()
            .enumerate()
            .filter(|&(i, &code)| image.codes.get(i) != Some(&code))
            .map(|(i, &code)| (i / grid_width, i % grid_width, code))
            .collect();
        image.apply_cells(
            &cells,
            PatchPixels {
                top: 0,
                left: 0,
                width,
                height,
                rgba: picture,
            },
            None,
        );
        self.drawing = None;
        self.mask.clear();
        self.suggestions = None;
        Some(cells)
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
        self.drawing = None;
        self.draw_error = None;
        self.surprisal = None;
        self.suggestions = None;
        self.mask.clear();
        self.codebook = None;
        self.highlighted_code = None;
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
            FromEngine::ModelLoaded(info) => {
                self.time("load", info.millis);
                self.model = ModelStatus::Loaded(info);
            }
            FromEngine::ModelFailed { name, message } => {
                self.model = ModelStatus::Failed { name, message };
            }
            FromEngine::Encoded(encoding) => {
                self.time("encode", encoding.millis);
                self.encoding = None;
                self.upload_error = None;
                self.edit_error = None;
                self.selected = None;
                self.last_edit_millis = None;
                self.suggestions = None;
                self.mask.clear();
                if self
                    .drawing
                    .as_ref()
                    .is_some_and(|d| d.purpose == DrawPurpose::Complete)
                {
                    self.drawing = None;
                }
                self.image = Some(Image::new(*encoding));
            }
            FromEngine::EncodeFailed { source, message } => {
                self.encoding = None;
                self.upload_error = Some(format!("{source}: {message}"));
            }
            FromEngine::Patched {
                id,
                cells,
                patch,
                millis,
            } => {
                let stroke = self.answered(id);
                self.last_edit_millis = Some(millis);
                self.time("edit", millis);
                self.edit_error = None;
                if let Some(image) = &mut self.image {
                    image.apply_cells(&cells, patch, stroke);
                }
            }
            FromEngine::EditFailed { id, message } => {
                self.answered(id);
                self.edit_error = Some(message);
            }
            FromEngine::Drawing(drawn) | FromEngine::Drawn(drawn) => {
                let done = drawn.drawn == drawn.total;
                let millis = drawn.millis;
                if let Some(drawing) = self.drawing.as_mut().filter(|d| d.id == drawn.id) {
                    drawing.snapshots.push(drawn);
                    drawing.done = done;
                    let operation = match drawing.purpose {
                        DrawPurpose::Sample => "sample",
                        DrawPurpose::Complete => "complete",
                    };
                    if done {
                        self.time(operation, millis);
                    }
                }
            }
            FromEngine::DrawFailed { id, message } => {
                if self.drawing.as_ref().is_some_and(|d| d.id == id) {
                    self.drawing = None;
                }
                self.draw_error = Some(message);
            }
            FromEngine::Codebook(codebook) => {
                self.time("codebook", codebook.millis);
                self.codebook = Some(codebook);
            }
            FromEngine::Surprisal {
                codes,
                bits,
                millis,
            } => {
                self.time("surprisal", millis);
                self.measuring_surprisal = false;
                self.surprisal = Some(Surprisal {
                    codes,
                    bits,
                    millis,
                });
            }
            FromEngine::Suggestions {
                row,
                col,
                codes,
                millis,
            } => {
                self.time("suggestions", millis);
                self.suggesting = false;
                self.suggestions = Some(Suggestions {
                    row,
                    col,
                    codes,
                    millis,
                });
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
            nearest: Vec::new(),
            nearest_distance: Vec::new(),
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
    fn a_brush_stroke_is_undone_and_redone_as_one_edit() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        let original = lab.image.as_ref().map(|i| i.reconstruction.clone());
        let patched = |id: u64, cells: Vec<CellCode>, value: u8| FromEngine::Patched {
            id,
            cells,
            patch: PatchPixels {
                rgba: vec![value; 4 * 4 * 5],
                ..patch()
            },
            millis: 1.0,
        };
        // A single edit, then a stroke of two edits (5 then 6 on cell (0, 1)).
        lab.edit_sent(1, None);
        lab.edit_sent(2, Some(9));
        lab.edit_sent(3, Some(9));
        assert_eq!(lab.pending_edits(), 3);
        lab.on_message(patched(1, vec![(0, 0, 7)], 10));
        lab.on_message(patched(2, vec![(0, 1, 5), (1, 1, 5)], 20));
        lab.on_message(patched(3, vec![(0, 1, 6)], 30));
        assert_eq!(lab.pending_edits(), 0);
        let image = lab.image.as_mut().unwrap_or_else(|| panic!("no image"));
        assert_eq!(image.codes, vec![7, 6, 3, 5]);
        assert_eq!(
            image.undo(),
            Some(vec![(0, 1, 5), (0, 1, 2), (1, 1, 4)]),
            "the stroke's edits, last first"
        );
        assert_eq!(image.codes, vec![7, 2, 3, 4]);
        assert_eq!(
            image.crop(2, 3, 4, 5),
            vec![10; 80],
            "the single edit's pixels"
        );
        assert_eq!(image.redo(), Some(vec![(0, 1, 5), (1, 1, 5), (0, 1, 6)]));
        assert_eq!(image.codes, vec![7, 6, 3, 5]);
        assert_eq!(image.crop(2, 3, 4, 5), vec![30; 80]);
        assert_eq!(image.undo().map(|c| c.len()), Some(3));
        assert_eq!(image.undo(), Some(vec![(0, 0, 1)]));
        assert_eq!(Some(image.reconstruction.clone()), original);
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
    fn a_bad_file_keeps_the_last_image_and_says_why() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.on_message(FromEngine::EncodeFailed {
            source: "notes.png".to_owned(),
            message: "This file is not an image we can read.".to_owned(),
        });
        assert!(lab.image.is_some());
        assert_eq!(
            lab.upload_error.as_deref(),
            Some("notes.png: This file is not an image we can read.")
        );
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        assert_eq!(lab.upload_error, None);
    }

    fn drawn(id: u64, drawn: usize, grids: Vec<Vec<u32>>, value: u8) -> Drawn {
        let pictures = grids
            .iter()
            .map(|_| serde_bytes::ByteBuf::from(vec![value; 8 * 8 * 4]))
            .collect();
        Drawn {
            id,
            drawn,
            total: 2,
            last_cell: drawn.checked_sub(1),
            grid_width: 2,
            grid_height: 2,
            grids,
            width: 8,
            height: 8,
            pictures,
            millis: 1.0,
        }
    }

    #[test]
    fn a_completion_candidate_is_one_edit_that_undo_takes_back() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        let original = lab.image.as_ref().map(|i| i.reconstruction.clone());
        assert_eq!(lab.mask_press((1, 0), false), Some(true));
        assert_eq!(
            lab.mask_press((1, 1), true),
            None,
            "Shift masks the rectangle"
        );
        assert!(lab.is_masked(1, 1) && lab.is_masked(1, 0) && !lab.is_masked(0, 1));
        assert_eq!(lab.mask_press((0, 0), false), Some(true));
        assert_eq!(
            lab.mask_press((0, 0), false),
            Some(false),
            "a second press unmasks"
        );
        lab.start_drawing(7, DrawPurpose::Complete);
        // A stale drawing's snapshot is ignored; this one's are kept in order.
        lab.on_message(FromEngine::Drawing(drawn(6, 0, vec![vec![0; 4]], 1)));
        lab.on_message(FromEngine::Drawing(drawn(
            7,
            0,
            vec![vec![1, 2, 3, 4]; 2],
            1,
        )));
        assert!(lab.is_drawing());
        assert_eq!(lab.use_candidate(1), None, "not done yet");
        lab.on_message(FromEngine::Drawn(drawn(
            7,
            2,
            vec![vec![1, 2, 9, 4], vec![1, 2, 8, 6]],
            200,
        )));
        assert!(!lab.is_drawing());
        assert_eq!(lab.drawing.as_ref().map(|d| d.snapshots.len()), Some(2));
        let cells = lab.use_candidate(1);
        assert_eq!(cells, Some(vec![(1, 0, 8), (1, 1, 6)]));
        assert!(lab.mask.is_empty() && lab.drawing.is_none());
        let image = lab.image.as_mut().unwrap_or_else(|| panic!("no image"));
        assert_eq!(image.codes, vec![1, 2, 8, 6]);
        assert_eq!(image.reconstruction, vec![200; 256]);
        assert_eq!(image.undo(), Some(vec![(1, 0, 3), (1, 1, 4)]));
        assert_eq!(Some(image.reconstruction.clone()), original);
        assert_eq!(image.codes, vec![1, 2, 3, 4]);
    }

    #[test]
    fn the_error_map_is_black_where_equal_and_bright_where_wrong() {
        let original = [10, 20, 30, 255, 0, 0, 0, 255];
        let reconstruction = [10, 20, 30, 255, 255, 255, 255, 255];
        let (rgba, psnr) = error_map(&original, &reconstruction);
        assert_eq!(rgba, vec![0, 0, 0, 255, 255, 255, 255, 255]);
        // MSE = 255² / 2: PSNR = 10 log₁₀ 2.
        assert!((psnr - 10.0 * 2.0_f64.log10()).abs() < 1e-9, "{psnr}");
        let (_, equal) = error_map(&original, &original);
        assert!(equal.is_infinite());
    }

    #[test]
    fn perplexity_counts_the_codes_in_effect() {
        assert!((usage_perplexity(&[5, 5, 5, 5, 0]) - 4.0).abs() < 1e-9);
        assert!((usage_perplexity(&[7, 0, 0]) - 1.0).abs() < 1e-9);
        assert_eq!(usage_perplexity(&[0, 0]), 0.0);
    }

    #[test]
    fn surprisal_counts_only_for_the_codes_it_was_computed_for() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.measuring_surprisal = true;
        lab.on_message(FromEngine::Surprisal {
            codes: vec![1, 2, 3, 4],
            bits: vec![1.0, 2.0, 3.0, 0.5],
            millis: 1.0,
        });
        assert_eq!(lab.current_surprisal().map(Surprisal::total), Some(6.5));
        assert!(
            !lab.measuring_surprisal,
            "the answer lets the page ask again"
        );
        assert_eq!(lab.timings, vec![("encode", 1.0), ("surprisal", 1.0)]);
        lab.on_message(FromEngine::Patched {
            id: 0,
            cells: vec![(0, 0, 9)],
            patch: patch(),
            millis: 1.0,
        });
        assert_eq!(lab.current_surprisal(), None);
        lab.on_message(FromEngine::DrawFailed {
            id: 3,
            message: "There is no class 12.".to_owned(),
        });
        assert_eq!(lab.draw_error.as_deref(), Some("There is no class 12."));
    }
}
