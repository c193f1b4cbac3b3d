//! The prior's suggestions for one cell on the host, rescoring only the activations a
//! candidate changes ([`super::suggestions`] does a device pass over the whole window per
//! candidate).
//!
//! A candidate code `x` at cell `(r₀, c₀)` is scored by `log p(x | before) + Σ log p(later |
//! …, x)` over the later cells whose logits can see it. The caches of the whole window are
//! computed once with the grid as it is; every activation outside the candidate's [`Cone`] is
//! the same for every code at `(r₀, c₀)`, so a candidate recomputes only the cone, reading
//! the rest from those caches: about a quarter of the window's cells, fewer in the lower
//! layers. A few candidates are rescored together, walking the cone once: at each row and
//! layer the cone's cells of every candidate go through each map at once
//! ([`crate::prior::host::Dense::apply_many`]), the same sums, bit for bit, as one at a time
//! (tested), so the ranking is the same.

use std::ops::Range;

use super::cached::{Cache, Codes, Crop, RowState};
use super::softmax::{log_probabilities, log_probability};
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

    /// The columns of layer `layer`'s horizontal stack on row `r` that the cell reaches.
    fn horizontal_cols(&self, layer: usize, r: usize) -> Range<usize> {
        columns_where(self.width, |col| self.horizontal(layer, (r, col)))
    }
}

/// The columns `0..width` where `inside` holds, which are contiguous.
fn columns_where(width: usize, inside: impl Fn(usize) -> bool) -> Range<usize> {
    let start = (0..width).find(|&col| inside(col)).unwrap_or(width);
    let end = (start..width).find(|&col| !inside(col)).unwrap_or(width);
    debug_assert!((end..width).all(|col| !inside(col)), "not contiguous");
    start..end
}

/// Where the window's caches (the grid as it is) must be computed: per row and layer, the
/// columns of the vertical stack (`vertical[r][l]`) and of the horizontal stack
/// (`horizontal[r][l]`) that a candidate's rescoring reads outside its [`Cone`], or that those
/// are computed from, and the cell's own logits: on the photo prior 44 % of the window's
/// vertical stacks and 25 % of its horizontal ones (the upper layers are read only near the
/// cone).
///
/// Found backwards from what is read: the vertical stack of layer `l ≥ 1` at `(r, c)` reads
/// layer `l − 1`'s at rows `r − h ..= r`, columns `c ± h`; the horizontal stack of layer `l`
/// at `(r, c)` reads the vertical stack of its layer there and, for `l ≥ 1`, layer `l − 1`'s
/// horizontal stack at columns `c − h ..= c`; the logits of a cell read the last horizontal
/// stack there. A range covers every column needed in its row (those columns are contiguous
/// or nearly; a few more computed cost a little and change nothing).
#[derive(Debug, Clone)]
struct BaseColumns {
    vertical: Vec<Vec<Range<usize>>>,
    horizontal: Vec<Vec<Range<usize>>>,
}

impl BaseColumns {
    /// Every column of every row and layer.
    fn all(prior: &HostPrior, window: &Grid) -> Self {
        let every = vec![vec![0..window.width; prior.layers.len()]; window.height];
        Self {
            vertical: every.clone(),
            horizontal: every,
        }
    }

    /// The columns the candidates' rescoring needs from the first pass.
    fn needed(prior: &HostPrior, window: &Grid, cone: Cone) -> Self {
        let (height, width, layers) = (window.height, window.width, prior.layers.len());
        let half = prior.kernel / 2;
        let (r0, c0) = cone.cell;
        let at = |l: usize, r: usize, c: usize| (l * height + r) * width + c;
        let mut vertical = vec![false; layers * height * width];
        let mut horizontal = vec![false; layers * height * width];
        let in_cone_v = |l: usize, r: usize, c: usize| cone.vertical(l, r).contains(&c);
        let in_cone_h = |l: usize, r: usize, c: usize| r >= r0 && cone.horizontal(l, (r, c));
        // Work lists of (stack, layer, row, column) whose inputs are wanted: `true` vertical.
        let mut wanted: Vec<(bool, usize, usize, usize)> = Vec::new();
        for r in r0..height {
            for l in 0..layers {
                for c in 0..width {
                    if r > r0 && in_cone_v(l, r, c) {
                        wanted.push((true, l, r, c));
                    }
                    if in_cone_h(l, r, c) {
                        wanted.push((false, l, r, c));
                    }
                }
            }
        }
        // The cell's own logits read the last horizontal stack there, from the first pass.
        horizontal[at(layers - 1, r0, c0)] = true;
        wanted.push((false, layers - 1, r0, c0));
        while let Some((is_vertical, l, r, c)) = wanted.pop() {
            // The inputs of this activation, each taken from the first pass unless the
            // candidates compute it in their cone.
            let mut inputs: Vec<(bool, usize, usize, usize)> = Vec::new();
            if is_vertical {
                if l > 0 {
                    for rr in r.saturating_sub(half)..=r {
                        for cc in c.saturating_sub(half)..(c + half + 1).min(width) {
                            inputs.push((true, l - 1, rr, cc));
                        }
                    }
                }
            } else {
                inputs.push((true, l, r, c));
                if l > 0 {
                    for cc in c.saturating_sub(half)..=c {
                        inputs.push((false, l - 1, r, cc));
                    }
                }
            }
            for (v, l, r, c) in inputs {
                let computed = if v {
                    r > r0 && in_cone_v(l, r, c)
                } else {
                    in_cone_h(l, r, c)
                };
                let flags = if v { &mut vertical } else { &mut horizontal };
                if !computed && !flags[at(l, r, c)] {
                    flags[at(l, r, c)] = true;
                    wanted.push((v, l, r, c));
                }
            }
        }
        let ranges = |flags: &[bool]| -> Vec<Vec<Range<usize>>> {
            (0..height)
                .map(|r| {
                    (0..layers)
                        .map(|l| {
                            let row = &flags[at(l, r, 0)..at(l, r, 0) + width];
                            let first = row.iter().position(|&f| f);
                            let last = row.iter().rposition(|&f| f);
                            match (first, last) {
                                (Some(first), Some(last)) => first..last + 1,
                                _ => 0..0,
                            }
                        })
                        .collect()
                })
                .collect()
        };
        Self {
            vertical: ranges(&vertical),
            horizontal: ranges(&horizontal),
        }
    }
}

/// Candidates rescored together by one call of [`HostSuggester::rescore_next`]. The weights
/// are read once per pair of inputs whatever the batch (a cell's inputs go together too), so
/// the batch sets how long a call runs and how often the caller gives way: on the photo
/// prior four calls of about 14 ms natively.
const BATCH: usize = 4;

/// The suggestions for one cell: the window's caches computed once, then the candidates
/// rescored on their cone ([`HostSuggester::rescore_next`], four (`BATCH`) at a time so that a
/// caller can give way between them).
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
        cell: (usize, usize),
        class: Option<usize>,
        candidates: usize,
    ) -> Self {
        Self::with_base(prior, grid, cell, class, candidates, true)
    }

    /// [`Self::new`], the window's caches computed only where the candidates read them
    /// (`pruned`, [`BaseColumns`]) or everywhere (the tests' reference).
    fn with_base(
        prior: &HostPrior,
        grid: &Grid,
        (row, col): (usize, usize),
        class: Option<usize>,
        candidates: usize,
        pruned: bool,
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
        let cone = Cone {
            cell,
            half: prior.kernel / 2,
            width: window.width,
        };
        let columns = if pruned {
            BaseColumns::needed(prior, &window, cone)
        } else {
            BaseColumns::all(prior, &window)
        };
        let mut logits = vec![0.0; prior.codebook_size];
        let mut kept = Vec::with_capacity(window.height - cell.0);
        for r in 0..window.height {
            base.start_row_in(prior, &codes, r, class, &|l| columns.vertical[r][l].clone());
            base.fill_row_in(prior, &codes, r, class, &|l| {
                columns.horizontal[r][l].clone()
            });
            if r == cell.0 {
                base.logits(prior, cell.1, &mut logits);
            }
            if r >= cell.0 {
                kept.push(base.row());
            }
        }
        let causal = log_probabilities(&logits);
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

    /// Rescores the next four candidates (`BATCH`; fewer at the end) together; returns whether
    /// any were left.
    pub fn rescore_next(&mut self, prior: &HostPrior) -> bool {
        let done = self.scores.len();
        let next = &self.order[done..(done + BATCH).min(self.order.len())];
        if next.is_empty() {
            return false;
        }
        let scores = self.rescore(prior, next);
        self.scores.extend(scores);
        true
    }

    /// The scores of the candidates `codes` (one per code, the order of `codes`), computed
    /// together: one walk over the cone, where each map takes every candidate's input at once
    /// (the same sums, bit for bit, as one candidate at a time).
    fn rescore(&self, prior: &HostPrior, codes: &[usize]) -> Vec<f64> {
        let field = prior.receptive_field();
        let (r0, c0) = self.cell;
        let width = self.window.width;
        let variants: Vec<Grid> = codes
            .iter()
            .map(|&code| {
                let mut variant = self.window.clone();
                variant.codes[r0 * width + c0] = code as u32;
                variant
            })
            .collect();
        let grids = Codes {
            grids: &variants,
            crop: Crop::whole(&self.window),
        };
        let cone = Cone {
            cell: self.cell,
            half: prior.kernel / 2,
            width,
        };
        let (k, batch) = (prior.codebook_size, codes.len());
        let mut cache = self.base.repeated(prior, batch);
        let mut logits = vec![0.0; width * batch * k];
        let mut scores: Vec<f64> = codes.iter().map(|&code| self.causal[code]).collect();
        for (r, row) in (r0..self.window.height).zip(&self.rows) {
            cache.set_row(row);
            if r > r0 {
                let vertical = |layer| cone.vertical(layer, r);
                cache.start_row_in(prior, &grids, r, self.class, &vertical);
            }
            let horizontal = |layer| cone.horizontal_cols(layer, r);
            cache.fill_row_in(prior, &grids, r, self.class, &horizontal);
            // The cells of the row whose logits see the cell: not the cell itself, so the same
            // code in every variant.
            let seeing = columns_where(width, |c| field.contains((r, c), (r0, c0)));
            let logits = &mut logits[..seeing.len() * batch * k];
            cache.logits_in(prior, seeing.clone(), logits);
            for (c, per_code) in seeing.zip(logits.chunks_exact(batch * k)) {
                let code = self.window.codes[r * width + c];
                for (score, logits) in scores.iter_mut().zip(per_code.chunks_exact(k)) {
                    *score += log_probability(logits, code);
                }
            }
        }
        scores
    }

    /// The `k` most likely of the candidates rescored, with their probabilities among them.
    pub fn ranked(&self, k: usize) -> Vec<Suggestion> {
        super::rank(&self.order, &self.scores, k)
    }
}

#[cfg(test)]
mod tests {
    //! The batched rescoring against the way it was done before: one candidate at a time,
    //! cell by cell, one vector per map.

    use super::*;
    use crate::config::PriorConfig;
    use crate::prior::PixelCnnPrior;
    use crate::rng::SplitMix64;
    use burn::prelude::*;

    /// A candidate's score as before batching: its own cache of one grid, the cone's cells
    /// one at a time (the vertical stacks layer by layer, the horizontal ones cell by cell
    /// from the first layer the cell reaches), each map applied to one vector.
    fn one_at_a_time(suggester: &HostSuggester, prior: &HostPrior, code: usize) -> f64 {
        let field = prior.receptive_field();
        let (r0, c0) = suggester.cell;
        let mut variant = suggester.window.clone();
        let width = variant.width;
        variant.codes[r0 * width + c0] = code as u32;
        let codes = Codes {
            grids: std::slice::from_ref(&variant),
            crop: Crop::whole(&variant),
        };
        let cone = Cone {
            cell: suggester.cell,
            half: prior.kernel / 2,
            width,
        };
        let layers = prior.layers.len();
        let class = suggester.class;
        let mut cache = suggester.base.clone();
        let mut logits = vec![0.0; prior.codebook_size];
        let mut score = suggester.causal[code];
        for (r, row) in (r0..variant.height).zip(&suggester.rows) {
            cache.set_row(row);
            for l in (0..layers).filter(|_| r > r0) {
                for col in cone.vertical(l, r) {
                    let only = |layer: usize| if layer == l { col..col + 1 } else { 0..0 };
                    cache.start_row_in(prior, &codes, r, class, &only);
                }
            }
            for c in 0..width {
                if let Some(first) = (0..layers).find(|&l| cone.horizontal(l, (r, c))) {
                    let from = |layer: usize| if layer >= first { c..c + 1 } else { 0..0 };
                    cache.fill_row_in(prior, &codes, r, class, &from);
                }
                if field.contains((r, c), (r0, c0)) {
                    cache.logits(prior, c, &mut logits);
                    score += log_probability(&logits, variant.codes[r * width + c]);
                }
            }
        }
        score
    }

    /// At each cell, the scores [`HostSuggester::rescore_next`] gives in batches, those of
    /// all the candidates in one batch, and those from a first pass computed everywhere, are
    /// the scores of one candidate at a time, bit for bit.
    fn assert_batches_score_as_one_at_a_time(
        prior: &HostPrior,
        grid: &Grid,
        class: Option<usize>,
        cells: &[(usize, usize)],
    ) {
        let bits = |scores: &[f64]| scores.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
        for &cell in cells {
            let mut suggester = HostSuggester::new(prior, grid, cell, class, 8);
            while suggester.rescore_next(prior) {}
            let order = suggester.order.clone();
            let alone: Vec<f64> = order
                .iter()
                .map(|&code| one_at_a_time(&suggester, prior, code))
                .collect();
            assert_eq!(bits(&suggester.scores), bits(&alone), "cell {cell:?}");
            let all = suggester.rescore(prior, &order);
            assert_eq!(bits(&all), bits(&alone), "cell {cell:?}, one batch");
            // The first pass computed everywhere scores the same: the pruned one holds every
            // value the candidates read.
            let mut full = HostSuggester::with_base(prior, grid, cell, class, 8, false);
            while full.rescore_next(prior) {}
            assert_eq!(
                bits(&full.scores),
                bits(&alone),
                "cell {cell:?}, full first pass"
            );
            assert_eq!(full.order, order);
        }
    }

    /// The corners, the middles of the edges and the centre of a `height × width` grid.
    fn cells(height: usize, width: usize) -> Vec<(usize, usize)> {
        let (bottom, right) = (height - 1, width - 1);
        let (middle, centre) = (height / 2, width / 2);
        vec![
            (0, 0),
            (0, right),
            (bottom, 0),
            (bottom, right),
            (middle, centre),
            (0, centre),
            (middle, 0),
            (middle, right),
        ]
    }

    fn random_grid(height: usize, width: usize, k: usize, seed: u64) -> Grid {
        let mut rng = SplitMix64::new(seed);
        Grid {
            height,
            width,
            codes: (0..height * width).map(|_| rng.below(k) as u32).collect(),
        }
    }

    #[test]
    fn batches_score_as_one_at_a_time_on_the_fashion_prior() {
        let device = Device::flex();
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models/fashion");
        let model = crate::weights::load_dir(&dir, &device).expect("the fashion model");
        let prior =
            pollster::block_on(HostPrior::read(model.prior().expect("a prior"))).expect("weights");
        let grid = random_grid(7, 7, prior.codebook_size, 3);
        assert_batches_score_as_one_at_a_time(&prior, &grid, Some(2), &cells(7, 7));
    }

    /// A random prior whose maps have tails (lengths not multiples of eight: `c` = 12, `k` =
    /// 5) and an odd number of rows (`K` = 21).
    #[test]
    fn batches_score_as_one_at_a_time_on_a_random_prior() {
        let device = Device::flex();
        device.seed(7);
        let config = PriorConfig::new(21)
            .with_channels(12)
            .with_layers(3)
            .with_kernel(5)
            .with_num_classes(3);
        let prior = PixelCnnPrior::new(&config, &device);
        let prior = pollster::block_on(HostPrior::read(&prior)).expect("weights");
        let grid = random_grid(13, 15, 21, 5);
        assert_batches_score_as_one_at_a_time(&prior, &grid, None, &cells(13, 15));
        assert_batches_score_as_one_at_a_time(&prior, &grid, Some(1), &[(6, 7)]);
    }
}
