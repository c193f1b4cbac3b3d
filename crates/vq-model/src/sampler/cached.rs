//! Sampling that costs one cell per cell (Ramachandran et al. 2017, "Fast Generation for
//! Convolutional Autoregressive Models"): every layer's activations are cached, and each new
//! cell computes only the activations that its code completes, once.
//!
//! The gated PixelCNN makes the caches small. The vertical stack of row `r` sees only rows
//! above `r` in every layer, so the whole row's vertical stacks are computed when row `r`
//! starts (they need `k/2 + 1` rows of the previous layer, kept in a ring). The horizontal
//! stack of cell `(r, c)` sees cells `c − k/2 ..= c` of its row in the layer below, and the
//! vertical features of `(r, c)`: computed when the cell's turn comes, after the cells before
//! it are drawn. Only the cells to draw need the output layers.
//!
//! Over a grid each layer's activation at each cell is computed exactly once, as in one
//! teacher-forced pass: the `n` windowed forward passes of [`super::Resampler`] become one. It
//! runs on the host ([`HostPrior`]); with the same seed it draws the grids the windowed
//! sampler draws (tested), as both compute the same logits up to the order of float sums.

use super::{Grid, SampleOptions, choose};
use crate::prior::HostPrior;
use crate::prior::host::gate;
use crate::rng::SplitMix64;

/// The part of the grids that the cells to draw can see: rows `top..top+height`, columns
/// `left..left+width`. Cells outside it cannot change their logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Crop {
    top: usize,
    left: usize,
    height: usize,
    width: usize,
}

impl Crop {
    /// All of `grid`.
    pub(super) fn whole(grid: &Grid) -> Self {
        Self {
            top: 0,
            left: 0,
            height: grid.height,
            width: grid.width,
        }
    }

    /// The smallest crop holding the causal window of every cell of `order` (raster indices of
    /// a grid `width` wide, sorted).
    fn around(prior: &HostPrior, order: &[usize], (height, width): (usize, usize)) -> Self {
        let field = prior.receptive_field();
        let (Some(&first), Some(&last)) = (order.first(), order.last()) else {
            return Self {
                top: 0,
                left: 0,
                height: 0,
                width: 0,
            };
        };
        let (first_row, last_row) = (first / width, last / width);
        let min_col = order.iter().map(|i| i % width).min().unwrap_or(0);
        let max_col = order.iter().map(|i| i % width).max().unwrap_or(0);
        let top = first_row.saturating_sub(field.rows_above);
        let left = min_col.saturating_sub(field.cols_left());
        let right = (max_col + field.cols_side + 1).min(width);
        debug_assert!(last_row < height);
        Self {
            top,
            left,
            height: last_row + 1 - top,
            width: right - left,
        }
    }
}

/// Every layer's activations of the crop that later cells still need, for a batch of grids.
#[derive(Debug, Clone)]
pub(super) struct Cache {
    batch: usize,
    /// Columns of the crop.
    width: usize,
    /// `c`.
    channels: usize,
    /// Rows of the previous layer the vertical convolution reads: `k/2 + 1` (also the taps of
    /// the horizontal convolution).
    slots: usize,
    /// Rows of vertical outputs kept: `slots` for a sampler (a ring), every row of the window
    /// for the suggester, which goes back to rows it computed before.
    ring: usize,
    /// Per layer, the vertical stack's output (after the gate) of the last `ring` rows:
    /// `[ring, batch, width, c]`, row `r` in slot `r % ring`.
    vertical_out: Vec<Vec<f32>>,
    /// Per layer, the vertical features (before the gate) of the current row:
    /// `[batch, width, 2c]`.
    vertical_features: Vec<Vec<f32>>,
    /// Per layer, the horizontal stack's output of the current row: `[batch, width, c]`.
    horizontal_out: Vec<Vec<f32>>,
    /// Scratch: the taps of one convolution, and layer-sized vectors.
    taps: Vec<f32>,
    features: Vec<f32>,
    features_v: Vec<f32>,
    gated: Vec<f32>,
    out: Vec<f32>,
    hidden: Vec<f32>,
}

impl Cache {
    pub(super) fn new(prior: &HostPrior, batch: usize, width: usize) -> Self {
        Self::keeping(prior, batch, width, prior.kernel / 2 + 1)
    }

    /// Caches that keep the vertical outputs of `ring` rows (at least the `k/2 + 1` the
    /// vertical convolution reads).
    pub(super) fn keeping(prior: &HostPrior, batch: usize, width: usize, ring: usize) -> Self {
        let c = prior.channels;
        let layers = prior.layers.len();
        let slots = prior.kernel / 2 + 1;
        let ring = ring.max(slots);
        Self {
            batch,
            width,
            channels: c,
            slots,
            ring,
            vertical_out: vec![vec![0.0; ring * batch * width * c]; layers],
            vertical_features: vec![vec![0.0; batch * width * 2 * c]; layers],
            horizontal_out: vec![vec![0.0; batch * width * c]; layers],
            taps: vec![0.0; slots * prior.kernel * c],
            features: vec![0.0; 2 * c],
            features_v: vec![0.0; 2 * c],
            gated: vec![0.0; c],
            out: vec![0.0; c],
            hidden: vec![0.0; prior.out_hidden.rows],
        }
    }

    /// Offset of `(slot, b, col)` in a layer's `vertical_out`.
    fn v_at(&self, slot: usize, b: usize, col: usize) -> usize {
        ((slot * self.batch + b) * self.width + col) * self.channels
    }

    /// Offset of `(b, col)` in a `[batch, width, n]` row buffer, per `n` values.
    fn row_at(&self, b: usize, col: usize, n: usize) -> usize {
        (b * self.width + col) * n
    }

    /// The vertical stacks of crop row `r`, every layer, every grid.
    pub(super) fn start_row(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        r: usize,
        class: usize,
    ) {
        let width = self.width;
        self.start_row_in(prior, codes, r, class, &|_| 0..width);
    }

    /// The vertical stacks of crop row `r` in the columns `cols(layer)` of each layer; the
    /// others keep what they hold.
    pub(super) fn start_row_in(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        r: usize,
        class: usize,
        cols: &dyn Fn(usize) -> std::ops::Range<usize>,
    ) {
        let c = self.channels;
        let (k, half) = (prior.kernel, prior.kernel / 2);
        for (l, layer) in prior.layers.iter().enumerate() {
            let last = l + 1 == prior.layers.len();
            // Mask A reads rows r−half−1 ..= r−1, mask B rows r−half ..= r.
            let first_row = r as isize - half as isize - isize::from(layer.mask_a);
            for b in 0..self.batch {
                for col in cols(l) {
                    for ky in 0..self.slots {
                        for kx in 0..k {
                            let tap = (ky * k + kx) * c;
                            let row = first_row + ky as isize;
                            let column = col as isize + kx as isize - half as isize;
                            let inside = row >= 0 && column >= 0 && (column as usize) < self.width;
                            if !inside {
                                self.taps[tap..tap + c].fill(0.0);
                            } else if l == 0 {
                                let code = codes.at(b, row as usize, column as usize);
                                self.taps[tap..tap + c].copy_from_slice(prior.embedding(code));
                            } else {
                                let at = self.v_at(row as usize % self.ring, b, column as usize);
                                let below = &self.vertical_out[l - 1][at..at + c];
                                self.taps[tap..tap + c].copy_from_slice(below);
                            }
                        }
                    }
                    let at = self.row_at(b, col, 2 * c);
                    let features = &mut self.vertical_features[l][at..at + 2 * c];
                    layer.vertical.apply(&self.taps, features);
                    if !last {
                        let out = self.v_at(r % self.ring, b, col);
                        gate(
                            &self.vertical_features[l][at..at + 2 * c],
                            layer.class_bias(class),
                            &mut self.vertical_out[l][out..out + c],
                        );
                    }
                }
            }
        }
    }

    /// The horizontal stacks of crop cell `(r, col)`, every layer, every grid.
    pub(super) fn fill_cell(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        r: usize,
        col: usize,
        class: usize,
    ) {
        self.fill_cell_from(prior, codes, (r, col), class, 0);
    }

    /// The horizontal stacks of crop cell `(r, col)` from layer `first` up, every grid; the
    /// layers below keep what they hold.
    pub(super) fn fill_cell_from(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        (r, col): (usize, usize),
        class: usize,
        first: usize,
    ) {
        let c = self.channels;
        let half = prior.kernel / 2;
        for (l, layer) in prior.layers.iter().enumerate().skip(first) {
            // Mask A reads columns col−half−1 ..= col−1, mask B col−half ..= col.
            let first_col = col as isize - half as isize - isize::from(layer.mask_a);
            for b in 0..self.batch {
                for kx in 0..self.slots {
                    let tap = kx * c;
                    let column = first_col + kx as isize;
                    if column < 0 {
                        self.taps[tap..tap + c].fill(0.0);
                    } else if l == 0 {
                        let code = codes.at(b, r, column as usize);
                        self.taps[tap..tap + c].copy_from_slice(prior.embedding(code));
                    } else {
                        let at = self.row_at(b, column as usize, c);
                        let left = &self.horizontal_out[l - 1][at..at + c];
                        self.taps[tap..tap + c].copy_from_slice(left);
                    }
                }
                layer
                    .horizontal
                    .apply(&self.taps[..self.slots * c], &mut self.features);
                let at = self.row_at(b, col, 2 * c);
                layer.vertical_to_horizontal.apply(
                    &self.vertical_features[l][at..at + 2 * c],
                    &mut self.features_v,
                );
                for (h, v) in self.features.iter_mut().zip(&self.features_v) {
                    *h += v;
                }
                gate(&self.features, layer.class_bias(class), &mut self.gated);
                layer.horizontal_out.apply(&self.gated, &mut self.out);
                let at = self.row_at(b, col, c);
                if !layer.mask_a {
                    // The residual: the layer's input at the cell.
                    for (o, h) in self
                        .out
                        .iter_mut()
                        .zip(&self.horizontal_out[l - 1][at..at + c])
                    {
                        *o += h;
                    }
                }
                self.horizontal_out[l][at..at + c].copy_from_slice(&self.out);
            }
        }
    }

    /// The `K` logits of crop cell `(·, col)` of grid `b`, after [`Self::fill_cell`].
    pub(super) fn logits(&mut self, prior: &HostPrior, b: usize, col: usize, logits: &mut [f32]) {
        let c = self.channels;
        let at = self.row_at(b, col, c);
        let Some(top) = self.horizontal_out.last() else {
            return;
        };
        for (o, &h) in self.out.iter_mut().zip(&top[at..at + c]) {
            *o = h.max(0.0);
        }
        prior.out_hidden.apply(&self.out, &mut self.hidden);
        for h in &mut self.hidden {
            *h = h.max(0.0);
        }
        prior.out_logits.apply(&self.hidden, logits);
    }
}

impl Cache {
    /// What the current row holds: every layer's vertical features and horizontal outputs.
    pub(super) fn row(&self) -> RowState {
        RowState {
            vertical_features: self.vertical_features.clone(),
            horizontal_out: self.horizontal_out.clone(),
        }
    }

    /// Makes `row` ([`Self::row`]) the current row again.
    pub(super) fn set_row(&mut self, row: &RowState) {
        for (mine, kept) in self
            .vertical_features
            .iter_mut()
            .zip(&row.vertical_features)
        {
            mine.copy_from_slice(kept);
        }
        for (mine, kept) in self.horizontal_out.iter_mut().zip(&row.horizontal_out) {
            mine.copy_from_slice(kept);
        }
    }
}

/// A row's per-row caches, kept to go back to it ([`Cache::row`]).
#[derive(Debug, Clone)]
pub(super) struct RowState {
    vertical_features: Vec<Vec<f32>>,
    horizontal_out: Vec<Vec<f32>>,
}

/// The codes of a batch of grids, read in crop coordinates.
pub(super) struct Codes<'a> {
    pub(super) grids: &'a [Grid],
    pub(super) crop: Crop,
}

impl Codes<'_> {
    fn at(&self, b: usize, row: usize, col: usize) -> u32 {
        let grid = &self.grids[b];
        grid.codes[(self.crop.top + row) * grid.width + self.crop.left + col]
    }
}

/// Raster-order sampling one cell at a time with per-layer caches; the same interface as
/// [`super::Resampler`], driven by the caller between snapshots.
#[derive(Debug, Clone)]
pub struct CachedResampler {
    grids: Vec<Grid>,
    /// The cells to draw, in raster order.
    order: Vec<usize>,
    /// How many of `order` are drawn.
    drawn: usize,
    options: SampleOptions,
    rng: SplitMix64,
    /// The crop the caches cover, and the next crop cell (raster) to compute.
    crop: Option<Crop>,
    next: usize,
    cache: Option<Cache>,
}

impl CachedResampler {
    /// Will redraw the cells of `grids` (all of one size) where `mask` is true.
    pub fn new(grids: Vec<Grid>, mask: &[bool], options: SampleOptions) -> Self {
        let order = super::masked_cells(&grids, mask);
        Self {
            grids,
            order,
            drawn: 0,
            rng: SplitMix64::new(options.seed),
            options,
            crop: None,
            next: 0,
            cache: None,
        }
    }

    /// The grids as they stand.
    pub fn grids(&self) -> &[Grid] {
        &self.grids
    }

    /// Cells drawn so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.drawn, self.order.len())
    }

    /// Draws the next cell of every grid; returns its raster index, or `None` when all are
    /// drawn.
    pub fn step(&mut self, prior: &HostPrior) -> Option<usize> {
        let &target = self.order.get(self.drawn)?;
        let first = self.grids.first()?;
        let (height, width) = (first.height, first.width);
        let crop = *self
            .crop
            .get_or_insert_with(|| Crop::around(prior, &self.order, (height, width)));
        let batch = self.grids.len();
        let cache = self
            .cache
            .get_or_insert_with(|| Cache::new(prior, batch, crop.width));
        let class = prior.class_index(self.options.class);
        let mut logits = vec![0.0; prior.codebook_size];
        loop {
            let (r, col) = (self.next / crop.width, self.next % crop.width);
            let codes = Codes {
                grids: &self.grids,
                crop,
            };
            if col == 0 {
                cache.start_row(prior, &codes, r, class);
            }
            cache.fill_cell(prior, &codes, r, col, class);
            self.next += 1;
            if (crop.top + r) * width + crop.left + col == target {
                for b in 0..batch {
                    cache.logits(prior, b, col, &mut logits);
                    self.grids[b].codes[target] = choose(&logits, &self.options, &mut self.rng);
                }
                self.drawn += 1;
                return Some(target);
            }
        }
    }

    /// The grids, once drawn.
    pub fn into_grids(self) -> Vec<Grid> {
        self.grids
    }
}

/// The logits of every cell of `grid`, teacher-forced, on the host: `height × width` vectors
/// of `K`, raster order. Equal to [`crate::PixelCnnPrior::forward`] up to float rounding.
pub fn logits(prior: &HostPrior, grid: &Grid, class: Option<usize>) -> Vec<Vec<f32>> {
    let crop = Crop::whole(grid);
    let mut cache = Cache::new(prior, 1, grid.width);
    let class = prior.class_index(class);
    let codes = Codes {
        grids: std::slice::from_ref(grid),
        crop,
    };
    let mut all = Vec::with_capacity(grid.height * grid.width);
    for r in 0..grid.height {
        cache.start_row(prior, &codes, r, class);
        for col in 0..grid.width {
            cache.fill_cell(prior, &codes, r, col, class);
            let mut logits = vec![0.0; prior.codebook_size];
            cache.logits(prior, 0, col, &mut logits);
            all.push(logits);
        }
    }
    all
}

/// `log p(code | logits)`: the log-softmax of `logits` at `code`, in `f64`.
pub(super) fn log_probability(logits: &[f32], code: u32) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| f64::from(l - max).exp()).sum();
    f64::from(logits[code as usize] - max) - sum.ln()
}

/// The bits of every cell of a grid under the prior, `−log₂ p(code | cells before)`, on the
/// host: one teacher-forced pass through the caches, a row at a time, so that a caller can
/// give way between rows ([`super::surprisal`] is the same pass on the device, in one go).
#[derive(Debug, Clone)]
pub struct HostSurprisal {
    grid: Grid,
    class: usize,
    cache: Cache,
    /// Rows done.
    row: usize,
    /// The bits of the cells of the rows done, raster order.
    bits: Vec<f32>,
}

impl HostSurprisal {
    /// A pass over `grid` for `class`, nothing computed yet.
    pub fn new(prior: &HostPrior, grid: &Grid, class: Option<usize>) -> Self {
        Self {
            grid: grid.clone(),
            class: prior.class_index(class),
            cache: Cache::new(prior, 1, grid.width),
            row: 0,
            bits: Vec::with_capacity(grid.codes.len()),
        }
    }

    /// Rows done, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.row, self.grid.height)
    }

    /// Computes the next row's bits; returns whether a row was left.
    pub fn next_row(&mut self, prior: &HostPrior) -> bool {
        if self.row >= self.grid.height {
            return false;
        }
        let crop = Crop::whole(&self.grid);
        let codes = Codes {
            grids: std::slice::from_ref(&self.grid),
            crop,
        };
        let r = self.row;
        self.cache.start_row(prior, &codes, r, self.class);
        let mut logits = vec![0.0; prior.codebook_size];
        for c in 0..self.grid.width {
            self.cache.fill_cell(prior, &codes, r, c, self.class);
            self.cache.logits(prior, 0, c, &mut logits);
            let code = self.grid.codes[r * self.grid.width + c];
            let nats = log_probability(&logits, code);
            self.bits.push((-nats / std::f64::consts::LN_2) as f32);
        }
        self.row += 1;
        true
    }

    /// The bits of every cell, once every row is done (those done so far before).
    pub fn into_bits(self) -> Vec<f32> {
        self.bits
    }
}
