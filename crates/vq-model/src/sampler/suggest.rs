//! The prior's suggestions for one cell on the host, rescoring only the activations a
//! candidate changes ([`super::suggestions`] does a device pass over the whole window per
//! candidate).
//!
//! A candidate code `x` at cell `(r₀, c₀)` is scored by `log p(x | before) + Σ log p(later |
//! …, x)` over the later cells whose logits can see it. The caches of the whole window are
//! computed once with the grid as it is; every activation outside the candidate's [`Cone`] is
//! the same for every code at `(r₀, c₀)`, so a candidate recomputes only the cone, reading
//! the rest from those caches: about a quarter of the window's cells, fewer in the lower
//! layers.

use std::ops::Range;

use super::cached::{Cache, Codes, Crop, RowState, log_probability};
use super::{Grid, Suggestion};
use crate::prior::HostPrior;

/// The activations that the code of cell `(r₀, c₀)` reaches, layer by layer (0 the first,
/// mask A; `h = k/2`):
///
/// - the vertical stack of layer `l`: rows `r₀+1 ..= r₀+1+(l+1)·h`, columns `c₀ ± (l+1)·h`
///   (layer 0 reads the `h+1` rows above a cell, each later layer `h` more rows and `h` more
///   columns to either side);
/// - the horizontal stack of layer `l`: on row `r₀` the columns `c₀+1 ..= c₀+1+(l+1)·h` (each
///   layer reads `h` cells to the left, the first the cell to the left too); below, the
///   vertical stack's cells (a horizontal stack's spread to the right stays within them).
///
/// Each set holds the one of the layer below, so a cell's layers in the cone run from the
/// first one that holds it to the last.
#[derive(Debug, Clone, Copy)]
struct Cone {
    cell: (usize, usize),
    half: usize,
    width: usize,
}

impl Cone {
    /// Reach of layer `l` to either side, and downwards past the first row.
    fn spread(&self, layer: usize) -> usize {
        (layer + 1) * self.half
    }

    /// The columns of layer `layer`'s vertical stack on row `r` that the cell reaches.
    fn vertical(&self, layer: usize, r: usize) -> Range<usize> {
        let (r0, c0) = self.cell;
        let spread = self.spread(layer);
        if r <= r0 || r > r0 + 1 + spread {
            return 0..0;
        }
        c0.saturating_sub(spread)..(c0 + spread + 1).min(self.width)
    }

    /// Whether the cell reaches layer `layer`'s horizontal stack at `(r, col)`.
    fn horizontal(&self, layer: usize, (r, col): (usize, usize)) -> bool {
        let (r0, c0) = self.cell;
        let spread = self.spread(layer);
        if r == r0 {
            col > c0 && col <= c0 + 1 + spread
        } else {
            r > r0 && r <= r0 + 1 + spread && col + spread >= c0 && col <= c0 + spread
        }
    }

    /// The first of `layers` layers whose horizontal stack at `(r, col)` the cell reaches.
    fn first_layer(&self, layers: usize, at: (usize, usize)) -> Option<usize> {
        (0..layers).find(|&layer| self.horizontal(layer, at))
    }
}

/// The suggestions for one cell: the window's caches computed once, then each candidate
/// rescored on its cone ([`HostSuggester::rescore_next`], one at a time so that a caller can
/// give way between them).
#[derive(Debug, Clone)]
pub struct HostSuggester {
    /// The window holding the cell, its row's cells before it, the rows above that its row
    /// sees and the rows below that see it, with their receptive fields.
    window: Grid,
    /// The cell in the window.
    cell: (usize, usize),
    class: usize,
    /// The caches of the window with its codes as they are, the vertical outputs of every row.
    base: Cache,
    /// The per-row caches of the cell's row and the rows below it, from the cell's row on.
    rows: Vec<RowState>,
    /// `log p(x | before)` for every code `x`.
    causal: Vec<f64>,
    /// The candidates, most likely given the cells before first.
    order: Vec<usize>,
    /// The score of each candidate rescored so far.
    scores: Vec<f64>,
}

impl HostSuggester {
    /// The caches of the window around `(row, col)` of `grid`, and the `candidates` most
    /// likely codes there.
    pub fn new(
        prior: &HostPrior,
        grid: &Grid,
        (row, col): (usize, usize),
        class: Option<usize>,
        candidates: usize,
    ) -> Self {
        let field = prior.receptive_field();
        let rows =
            row.saturating_sub(field.rows_above)..(row + field.rows_above + 1).min(grid.height);
        let reach = field.cols_left() + field.cols_side;
        let cols = col.saturating_sub(reach)..(col + reach + 1).min(grid.width);
        let cell = (row - rows.start, col - cols.start);
        let window = grid.crop(rows, cols);
        let class = prior.class_index(class);
        let mut base = Cache::keeping(prior, 1, window.width, window.height);
        let codes = Codes {
            grids: std::slice::from_ref(&window),
            crop: Crop::whole(&window),
        };
        let mut logits = vec![0.0; prior.codebook_size];
        let mut kept = Vec::with_capacity(window.height - cell.0);
        for r in 0..window.height {
            base.start_row(prior, &codes, r, class);
            for c in 0..window.width {
                base.fill_cell(prior, &codes, r, c, class);
                if (r, c) == cell {
                    base.logits(prior, 0, c, &mut logits);
                }
            }
            if r >= cell.0 {
                kept.push(base.row());
            }
        }
        let causal: Vec<f64> = (0..logits.len())
            .map(|code| log_probability(&logits, code as u32))
            .collect();
        let mut order: Vec<usize> = (0..causal.len()).collect();
        order.sort_by(|&a, &b| causal[b].total_cmp(&causal[a]));
        order.truncate(candidates.max(1));
        Self {
            window,
            cell,
            class,
            base,
            rows: kept,
            causal,
            order,
            scores: Vec::new(),
        }
    }

    /// Candidates rescored, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.scores.len(), self.order.len())
    }

    /// Rescores the next candidate; returns whether one was left.
    pub fn rescore_next(&mut self, prior: &HostPrior) -> bool {
        let Some(&code) = self.order.get(self.scores.len()) else {
            return false;
        };
        let field = prior.receptive_field();
        let (r0, c0) = self.cell;
        let mut variant = self.window.clone();
        let width = variant.width;
        variant.codes[r0 * width + c0] = code as u32;
        let codes = Codes {
            grids: std::slice::from_ref(&variant),
            crop: Crop::whole(&variant),
        };
        let cone = Cone {
            cell: self.cell,
            half: prior.kernel / 2,
            width,
        };
        let layers = prior.layers.len();
        let mut cache = self.base.clone();
        let mut logits = vec![0.0; prior.codebook_size];
        let mut score = self.causal[code];
        for (r, row) in (r0..variant.height).zip(&self.rows) {
            cache.set_row(row);
            if r > r0 {
                cache.start_row_in(prior, &codes, r, self.class, &|layer| {
                    cone.vertical(layer, r)
                });
            }
            for c in 0..width {
                if let Some(first) = cone.first_layer(layers, (r, c)) {
                    cache.fill_cell_from(prior, &codes, (r, c), self.class, first);
                }
                if field.contains((r, c), (r0, c0)) {
                    cache.logits(prior, 0, c, &mut logits);
                    score += log_probability(&logits, variant.codes[r * width + c]);
                }
            }
        }
        self.scores.push(score);
        true
    }

    /// The `k` most likely of the candidates rescored, with their probabilities among them.
    pub fn ranked(&self, k: usize) -> Vec<Suggestion> {
        super::rank(&self.order, &self.scores, k)
    }
}
