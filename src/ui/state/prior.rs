//! What the page knows of the prior: the drawing under way (samples or a completion's
//! candidates, snapshot by snapshot), the surprisal of the grid, the suggestions for a cell,
//! and the mask of cells to redraw.

use crate::protocol::{Drawn, SuggestedCode};
use crate::ui::tools::Cell;

/// What a drawing from the prior is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawPurpose {
    /// New grids, side by side.
    Sample,
    /// Candidates for the masked cells of the current grid.
    Complete,
}

impl DrawPurpose {
    /// The operation's name among the engine's timings.
    pub fn operation(self) -> &'static str {
        match self {
            Self::Sample => "sample",
            Self::Complete => "complete",
        }
    }
}

/// A drawing from the prior: its snapshots as the cells are drawn, the first (nothing drawn
/// yet) first, so that a timeline can step through them.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// The request's number.
    pub id: u64,
    /// What it is for.
    pub purpose: DrawPurpose,
    /// Snapshots in the order they came (every other one thinned out past
    /// [`SNAPSHOT_BUDGET`]).
    pub snapshots: Vec<Drawn>,
    /// Whether every cell is drawn.
    pub done: bool,
}

/// Steps of a finished sample's timeline through the order of drawing.
pub const TIMELINE_STEPS: usize = 24;

/// The most bytes of pictures a drawing's timeline keeps; past it, every other snapshot but
/// the first and the latest is dropped, so the timeline still spans the whole drawing.
pub const SNAPSHOT_BUDGET: usize = 32 * 1024 * 1024;

/// The bytes of pictures a snapshot holds.
fn snapshot_bytes(drawn: &Drawn) -> usize {
    drawn.pictures.iter().map(|picture| picture.len()).sum()
}

impl Drawing {
    /// The last snapshot.
    pub fn latest(&self) -> Option<&Drawn> {
        self.snapshots.last()
    }

    /// Whether the timeline steps through the order of drawing ([`TIMELINE_STEPS`]) rather
    /// than through the snapshots: a finished sample, whose cells were drawn in raster order.
    fn stepped(&self) -> bool {
        self.done
            && self.purpose == DrawPurpose::Sample
            && self.latest().is_some_and(|latest| latest.total > 0)
    }

    /// Positions of the timeline.
    pub fn steps(&self) -> usize {
        match self.latest() {
            Some(latest) if self.stepped() => TIMELINE_STEPS.min(latest.total) + 1,
            _ => self.snapshots.len(),
        }
    }

    /// What the timeline at `at` shows (the latest snapshot when `at` is `None`). While
    /// drawing, and for a completion, a snapshot. For a finished sample, step `at` of the
    /// order of drawing: the first snapshot that has drawn that many cells, with the cells
    /// after them veiled (the cached sampler is fast, so few snapshots are decoded; the
    /// pixels of the cells drawn are those of that later snapshot).
    pub fn shown(&self, at: Option<usize>) -> Option<Drawn> {
        let latest = self.latest()?;
        let Some(at) = at else {
            return Some(latest.clone());
        };
        if !self.stepped() {
            return Some(self.snapshots.get(at).unwrap_or(latest).clone());
        }
        let steps = TIMELINE_STEPS.min(latest.total);
        let drawn = at.min(steps) * latest.total / steps;
        let source = self.snapshots.iter().find(|s| s.drawn >= drawn)?;
        Some(Drawn {
            drawn,
            last_cell: drawn.checked_sub(1),
            ..source.clone()
        })
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

/// The cells masked for the prior to redraw, over a grid `width` cells wide with `cells` cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mask {
    /// One flag per cell, row-major (empty: none masked).
    flags: Vec<bool>,
    /// The last cell pressed: Shift and a press masks the rectangle from it.
    anchor: Option<Cell>,
}

/// A grid's width and number of cells, which a [`Mask`] covers.
pub type GridShape = (usize, usize);

impl Mask {
    /// One flag per cell, row-major (empty when nothing was masked since the last clear).
    pub fn flags(&self) -> &[bool] {
        &self.flags
    }

    /// How many cells are masked.
    pub fn count(&self) -> usize {
        self.flags.iter().filter(|&&m| m).count()
    }

    /// Unmasks every cell.
    pub fn clear(&mut self) {
        self.flags.clear();
    }

    /// Masks or unmasks a cell.
    pub fn set(&mut self, (width, cells): GridShape, (row, col): Cell, masked: bool) {
        if self.flags.len() != cells {
            self.flags = vec![false; cells];
        }
        if col < width
            && let Some(slot) = self.flags.get_mut(row * width + col)
        {
            *slot = masked;
        }
    }

    /// Whether a cell is masked.
    pub fn contains(&self, width: usize, (row, col): Cell) -> bool {
        col < width && self.flags.get(row * width + col).copied().unwrap_or(false)
    }

    /// A press on a cell: toggles it and returns the value to paint while the button is held;
    /// with `shift`, masks the rectangle from the last cell pressed and returns `None`
    /// (nothing to paint).
    pub fn press(&mut self, grid: GridShape, cell: Cell, shift: bool) -> Option<bool> {
        match self.anchor.replace(cell) {
            Some(anchor) if shift => {
                self.rectangle(grid, anchor, cell);
                None
            }
            _ => {
                let value = !self.contains(grid.0, cell);
                self.set(grid, cell, value);
                Some(value)
            }
        }
    }

    /// Masks the rectangle between two cells (inclusive).
    pub fn rectangle(&mut self, grid: GridShape, (r0, c0): Cell, (r1, c1): Cell) {
        for row in r0.min(r1)..=r0.max(r1) {
            for col in c0.min(c1)..=c0.max(c1) {
                self.set(grid, (row, col), true);
            }
        }
    }
}

/// The prior's side of the lab.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriorState {
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
    /// Why the engine could not measure the surprisal.
    pub surprisal_error: Option<String>,
    /// Why the engine could not suggest codes.
    pub suggestions_error: Option<String>,
    /// Cells masked for completion.
    pub mask: Mask,
}

impl PriorState {
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

    /// A snapshot of a drawing; returns the operation and its time when it completes the
    /// current drawing. Snapshots of an earlier drawing are ignored.
    pub fn drawn(&mut self, drawn: Drawn) -> Option<(&'static str, f64)> {
        let done = drawn.drawn == drawn.total;
        let millis = drawn.millis;
        let drawing = self.drawing.as_mut().filter(|d| d.id == drawn.id)?;
        drawing.snapshots.push(drawn);
        while drawing.snapshots.len() > 2
            && drawing.snapshots.iter().map(snapshot_bytes).sum::<usize>() > SNAPSHOT_BUDGET
        {
            let mut index = 0;
            let last = drawing.snapshots.len() - 1;
            drawing.snapshots.retain(|_| {
                index += 1;
                // Keep the first, the latest and every second one between them.
                index == 1 || index - 1 == last || index % 2 == 1
            });
        }
        drawing.done = done;
        done.then_some((drawing.purpose.operation(), millis))
    }

    /// A drawing failed; the sentence says why.
    pub fn draw_failed(&mut self, id: u64, message: String) {
        if self.drawing.as_ref().is_some_and(|d| d.id == id) {
            self.drawing = None;
        }
        self.draw_error = Some(message);
    }

    /// The codes and picture of candidate `index` of a finished completion.
    pub fn candidate(&self, index: usize) -> Option<(&[u32], &[u8])> {
        let drawing = self.drawing.as_ref().filter(|d| d.done)?;
        if drawing.purpose != DrawPurpose::Complete {
            return None;
        }
        let last = drawing.latest()?;
        Some((last.grids.get(index)?, last.pictures.get(index)?))
    }

    /// Another model was chosen: nothing of the last one's grids holds.
    pub fn model_changed(&mut self) {
        self.drawing = None;
        self.draw_error = None;
        self.surprisal_error = None;
        self.suggestions_error = None;
        self.surprisal = None;
        self.suggestions = None;
        self.mask.clear();
    }

    /// Another image was opened: its cells have no suggestions, mask or candidates yet
    /// (samples stay).
    pub fn image_changed(&mut self) {
        self.suggestions = None;
        self.mask.clear();
        if self
            .drawing
            .as_ref()
            .is_some_and(|d| d.purpose == DrawPurpose::Complete)
        {
            self.drawing = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawings_timeline_keeps_a_budget_of_bytes_and_its_ends() {
        let mut prior = PriorState::default();
        prior.start_drawing(1, DrawPurpose::Sample);
        // 4 MB pictures: past 32 MB, snapshots are thinned.
        let total = 40;
        for drawn in 0..=total {
            let snapshot = Drawn {
                id: 1,
                drawn,
                total,
                last_cell: None,
                grid_width: 1,
                grid_height: 1,
                grids: vec![vec![0]],
                width: 1024,
                height: 1024,
                pictures: vec![serde_bytes::ByteBuf::from(vec![0u8; 4 * 1024 * 1024])],
                millis: 0.0,
            };
            prior.drawn(snapshot);
        }
        let drawing = prior
            .drawing
            .as_ref()
            .unwrap_or_else(|| panic!("no drawing"));
        let kept: usize = drawing.snapshots.iter().map(snapshot_bytes).sum();
        assert!(kept <= SNAPSHOT_BUDGET, "{kept} bytes");
        assert_eq!(drawing.snapshots.first().map(|d| d.drawn), Some(0));
        assert_eq!(drawing.snapshots.last().map(|d| d.drawn), Some(total));
        assert!(drawing.done);
    }

    #[test]
    fn a_mask_toggles_a_cell_and_shift_masks_a_rectangle() {
        let grid = (2, 4);
        let mut mask = Mask::default();
        assert_eq!(mask.press(grid, (1, 0), false), Some(true));
        assert_eq!(
            mask.press(grid, (1, 1), true),
            None,
            "Shift masks the rectangle"
        );
        assert!(mask.contains(2, (1, 1)) && mask.contains(2, (1, 0)) && !mask.contains(2, (0, 1)));
        assert_eq!(mask.press(grid, (0, 0), false), Some(true));
        assert_eq!(
            mask.press(grid, (0, 0), false),
            Some(false),
            "a second press unmasks"
        );
        assert_eq!(mask.count(), 2);
        // A cell outside the grid's width is neither masked nor wraps to the next row.
        mask.set(grid, (0, 2), true);
        assert_eq!(mask.count(), 2);
        mask.clear();
        assert!(mask.flags().is_empty());
    }

    #[test]
    fn a_drawing_keeps_its_own_snapshots_and_says_when_it_is_done() {
        let snapshot = |id, drawn| Drawn {
            id,
            drawn,
            total: 2,
            last_cell: None,
            grid_width: 1,
            grid_height: 2,
            grids: vec![vec![0, 0]],
            width: 4,
            height: 8,
            pictures: vec![serde_bytes::ByteBuf::from(vec![0; 128])],
            millis: 5.0,
        };
        let mut prior = PriorState::default();
        prior.start_drawing(3, DrawPurpose::Sample);
        assert_eq!(prior.drawn(snapshot(2, 2)), None, "an earlier drawing's");
        assert_eq!(prior.drawn(snapshot(3, 1)), None);
        assert!(prior.is_drawing());
        assert_eq!(prior.drawn(snapshot(3, 2)), Some(("sample", 5.0)));
        assert!(!prior.is_drawing());
        let drawing = prior
            .drawing
            .as_ref()
            .unwrap_or_else(|| panic!("a drawing"));
        // A finished sample's timeline steps through the order of drawing, over its snapshots.
        assert_eq!(drawing.steps(), 3);
        assert_eq!(drawing.shown(Some(0)).map(|d| d.drawn), Some(0));
        assert_eq!(drawing.shown(Some(1)).map(|d| d.drawn), Some(1));
        assert_eq!(
            drawing.shown(Some(1)).map(|d| d.last_cell),
            Some(Some(0)),
            "the first cell"
        );
        assert_eq!(drawing.shown(None).map(|d| d.drawn), Some(2));
        assert_eq!(prior.candidate(0), None, "a sample is no candidate");
        prior.draw_failed(3, "There is no class 12.".to_owned());
        assert!(prior.drawing.is_none());
    }
}
