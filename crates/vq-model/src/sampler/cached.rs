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
//!
//! A layer's cells of one row are independent of each other (each reads the layer below), so
//! a row's vertical stacks, and in a teacher-forced pass (the surprisal, the suggester's
//! window) its horizontal stacks and logits, go layer by layer with the row's cells, of every
//! grid, through each map at once ([`crate::prior::host::Dense::apply_many`]: the same sums,
//! bit for bit, as one cell at a time).

use std::ops::Range;

use super::softmax::log_probability;
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
///
/// The grids are the innermost index but one of every buffer (`[…, width, batch, n]`), so
/// that the inputs of a run of cells of every grid lie together and go through each map at
/// once ([`crate::prior::host::Dense::apply_many`], which reads each weight once for all of
/// them): the cells of a row are independent within a layer, as are the grids.
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
    /// `[ring, width, batch, c]`, row `r` in slot `r % ring`.
    vertical_out: Vec<Vec<f32>>,
    /// Per layer, the vertical features (before the gate) of the current row:
    /// `[width, batch, 2c]`.
    vertical_features: Vec<Vec<f32>>,
    /// Per layer, the horizontal stack's output of the current row: `[width, batch, c]`.
    horizontal_out: Vec<Vec<f32>>,
    scratch: Scratch,
}

/// The inputs and outputs of one layer's maps over a row, `n ≤ width · batch` cells at a time.
#[derive(Debug, Clone)]
struct Scratch {
    /// The taps of one convolution: `[n, taps]`, `taps` the map's inputs (at most
    /// `slots · k · c`).
    taps: Vec<f32>,
    /// `[n, 2c]`.
    features: Vec<f32>,
    /// `[n, 2c]`.
    features_v: Vec<f32>,
    /// `[n, c]`.
    gated: Vec<f32>,
    /// `[n, c]`.
    out: Vec<f32>,
    /// `[n, 2c]`, the output layers' hidden features.
    hidden: Vec<f32>,
}

impl Scratch {
    /// Room for `cells` cells.
    fn new(prior: &HostPrior, cells: usize) -> Self {
        let c = prior.channels;
        let slots = prior.kernel / 2 + 1;
        Self {
            taps: vec![0.0; cells * slots * prior.kernel * c],
            features: vec![0.0; cells * 2 * c],
            features_v: vec![0.0; cells * 2 * c],
            gated: vec![0.0; cells * c],
            out: vec![0.0; cells * c],
            hidden: vec![0.0; cells * prior.out_hidden.rows],
        }
    }
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
            vertical_out: vec![vec![0.0; ring * width * batch * c]; layers],
            vertical_features: vec![vec![0.0; width * batch * 2 * c]; layers],
            horizontal_out: vec![vec![0.0; width * batch * c]; layers],
            scratch: Scratch::new(prior, width * batch),
        }
    }

    /// `batch` copies of this cache of one grid: the caches of `batch` grids that hold the
    /// same so far.
    pub(super) fn repeated(&self, prior: &HostPrior, batch: usize) -> Self {
        debug_assert_eq!(self.batch, 1);
        let c = self.channels;
        let repeat = |layers: &[Vec<f32>], n: usize| -> Vec<Vec<f32>> {
            layers.iter().map(|v| repeat_each(v, n, batch)).collect()
        };
        Self {
            batch,
            vertical_out: repeat(&self.vertical_out, c),
            vertical_features: repeat(&self.vertical_features, 2 * c),
            horizontal_out: repeat(&self.horizontal_out, c),
            scratch: Scratch::new(prior, self.width * batch),
            ..*self
        }
    }

    /// Offset of `(slot, b, col)` in a layer's `vertical_out`.
    fn v_at(&self, slot: usize, b: usize, col: usize) -> usize {
        ((slot * self.width + col) * self.batch + b) * self.channels
    }

    /// The values of every grid at the columns `cols` of a `[width, batch, n]` row buffer.
    fn span(&self, cols: &Range<usize>, n: usize) -> Range<usize> {
        cols.start * self.batch * n..cols.end * self.batch * n
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

    /// The vertical stacks of crop row `r` in the columns `cols(layer)` of each layer, every
    /// grid, a layer's cells together; the other columns keep what they hold.
    pub(super) fn start_row_in(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        r: usize,
        class: usize,
        cols: &dyn Fn(usize) -> Range<usize>,
    ) {
        let c = self.channels;
        for (l, layer) in prior.layers.iter().enumerate() {
            let cols = cols(l);
            for (i, col) in cols.clone().enumerate() {
                for b in 0..self.batch {
                    self.vertical_taps(prior, codes, (l, r, col), i * self.batch + b);
                }
            }
            let (span, span_v) = (self.span(&cols, c), self.span(&cols, 2 * c));
            let slot = self.v_at(r % self.ring, 0, 0);
            let taps = &self.scratch.taps[..cols.len() * self.batch * layer.vertical.cols];
            let features = &mut self.vertical_features[l][span_v];
            layer.vertical.apply_many(taps, features);
            if l + 1 < prior.layers.len() {
                let out = &mut self.vertical_out[l][slot..][span];
                for (x, o) in features.chunks_exact(2 * c).zip(out.chunks_exact_mut(c)) {
                    gate(x, layer.class_bias(class), o);
                }
            }
        }
    }

    /// The taps of layer `l`'s vertical convolution at `(r, col)` of grid `cell % batch`, into
    /// row `cell` of the scratch taps (`[ky][kx][c]`): the codes' embeddings for the first
    /// layer, the previous layer's vertical outputs for the others, zeros outside the crop.
    fn vertical_taps(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        (l, r, col): (usize, usize, usize),
        cell: usize,
    ) {
        let (c, k, half) = (self.channels, prior.kernel, prior.kernel / 2);
        let b = cell % self.batch;
        // Mask A reads rows r−half−1 ..= r−1, mask B rows r−half ..= r.
        let first_row = r as isize - half as isize - isize::from(prior.layers[l].mask_a);
        let base = cell * self.slots * k * c;
        for ky in 0..self.slots {
            for kx in 0..k {
                let tap = base + (ky * k + kx) * c;
                let row = first_row + ky as isize;
                let column = col as isize + kx as isize - half as isize;
                let inside = row >= 0 && column >= 0 && (column as usize) < self.width;
                if !inside {
                    self.scratch.taps[tap..tap + c].fill(0.0);
                } else if l == 0 {
                    let code = codes.at(b, row as usize, column as usize);
                    self.scratch.taps[tap..tap + c].copy_from_slice(prior.embedding(code));
                } else {
                    let at = self.v_at(row as usize % self.ring, b, column as usize);
                    let below = &self.vertical_out[l - 1][at..at + c];
                    self.scratch.taps[tap..tap + c].copy_from_slice(below);
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
        self.fill_row_in(prior, codes, r, class, &|_| col..col + 1);
    }

    /// The horizontal stacks of crop row `r`, every layer, every grid, once its codes are all
    /// known (a teacher-forced pass): layer by layer, a layer's cells together.
    pub(super) fn fill_row(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        r: usize,
        class: usize,
    ) {
        let width = self.width;
        self.fill_row_in(prior, codes, r, class, &|_| 0..width);
    }

    /// The horizontal stacks of crop row `r` in the columns `cols(layer)` of each layer, every
    /// grid; the other columns keep what they hold. Layer by layer, a layer's cells together
    /// (the same values as cell by cell: a cell reads the layer below, at its column and to
    /// its left, which is done by then).
    pub(super) fn fill_row_in(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        r: usize,
        class: usize,
        cols: &dyn Fn(usize) -> Range<usize>,
    ) {
        let c = self.channels;
        for (l, layer) in prior.layers.iter().enumerate() {
            let cols = cols(l);
            if cols.is_empty() {
                continue;
            }
            for (i, col) in cols.clone().enumerate() {
                for b in 0..self.batch {
                    self.horizontal_taps(prior, codes, (l, r, col), i * self.batch + b);
                }
            }
            let (span, span_v) = (self.span(&cols, c), self.span(&cols, 2 * c));
            let cells = cols.len() * self.batch;
            let s = &mut self.scratch;
            let features = &mut s.features[..cells * 2 * c];
            let features_v = &mut s.features_v[..cells * 2 * c];
            let (gated, out) = (&mut s.gated[..cells * c], &mut s.out[..cells * c]);
            layer
                .horizontal
                .apply_many(&s.taps[..cells * layer.horizontal.cols], features);
            let vertical = &self.vertical_features[l][span_v];
            layer
                .vertical_to_horizontal
                .apply_many(vertical, features_v);
            for (h, v) in features.iter_mut().zip(features_v.iter()) {
                *h += v;
            }
            for (x, o) in features.chunks_exact(2 * c).zip(gated.chunks_exact_mut(c)) {
                gate(x, layer.class_bias(class), o);
            }
            layer.horizontal_out.apply_many(gated, out);
            if !layer.mask_a {
                // The residual: the layer's input at the cell.
                for (o, h) in out
                    .iter_mut()
                    .zip(&self.horizontal_out[l - 1][span.clone()])
                {
                    *o += h;
                }
            }
            self.horizontal_out[l][span].copy_from_slice(out);
        }
    }

    /// The taps of layer `l`'s horizontal convolution at `(r, col)` of grid `cell % batch`,
    /// into row `cell` of the scratch taps (`[kx][c]`): the codes' embeddings for the first
    /// layer, the previous layer's horizontal outputs for the others, zeros left of the crop.
    fn horizontal_taps(
        &mut self,
        prior: &HostPrior,
        codes: &Codes<'_>,
        (l, r, col): (usize, usize, usize),
        cell: usize,
    ) {
        let c = self.channels;
        let (b, half) = (cell % self.batch, prior.kernel / 2);
        // Mask A reads columns col−half−1 ..= col−1, mask B col−half ..= col.
        let first_col = col as isize - half as isize - isize::from(prior.layers[l].mask_a);
        let base = cell * self.slots * c;
        for kx in 0..self.slots {
            let tap = base + kx * c;
            let column = first_col + kx as isize;
            let taps = &mut self.scratch.taps[tap..tap + c];
            if column < 0 {
                taps.fill(0.0);
            } else if l == 0 {
                taps.copy_from_slice(prior.embedding(codes.at(b, r, column as usize)));
            } else {
                let at = (column as usize * self.batch + b) * c;
                taps.copy_from_slice(&self.horizontal_out[l - 1][at..at + c]);
            }
        }
    }

    /// The `K` logits of crop cell `(·, col)` of every grid, after its horizontal stacks.
    ///
    /// # Shapes
    /// - `logits`: `[batch, K]`
    pub(super) fn logits(&mut self, prior: &HostPrior, col: usize, logits: &mut [f32]) {
        self.logits_in(prior, col..col + 1, logits);
    }

    /// The `K` logits of the crop cells `(·, cols)` of every grid, after their horizontal
    /// stacks, together.
    ///
    /// # Shapes
    /// - `logits`: `[cols, batch, K]`
    pub(super) fn logits_in(&mut self, prior: &HostPrior, cols: Range<usize>, logits: &mut [f32]) {
        let span = self.span(&cols, self.channels);
        let Some(top) = self.horizontal_out.last() else {
            return;
        };
        let cells = cols.len() * self.batch;
        let s = &mut self.scratch;
        let (out, hidden) = (&mut s.out[..span.len()], &mut s.hidden);
        for (o, &h) in out.iter_mut().zip(&top[span]) {
            *o = crate::relu(h);
        }
        let hidden = &mut hidden[..cells * prior.out_hidden.rows];
        prior.out_hidden.apply_many(out, hidden);
        for h in hidden.iter_mut() {
            *h = crate::relu(*h);
        }
        prior.out_logits.apply_many(hidden, logits);
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

    /// Makes `row` ([`Self::row`] of a cache of one grid) the current row of every grid.
    pub(super) fn set_row(&mut self, row: &RowState) {
        let c = self.channels;
        for (mine, kept) in self
            .vertical_features
            .iter_mut()
            .zip(&row.vertical_features)
        {
            repeat_into(kept, 2 * c, mine);
        }
        for (mine, kept) in self.horizontal_out.iter_mut().zip(&row.horizontal_out) {
            repeat_into(kept, c, mine);
        }
    }
}

/// Each `n` values of `v` (`[…, 1, n]`), `batch` times in a row (`[…, batch, n]`).
fn repeat_each(v: &[f32], n: usize, batch: usize) -> Vec<f32> {
    let mut out = vec![0.0; v.len() * batch];
    repeat_into(v, n, &mut out);
    out
}

/// [`repeat_each`] into `out` (`[…, batch, n]`, `batch` from its length).
fn repeat_into(v: &[f32], n: usize, out: &mut [f32]) {
    let batch = out.len() / v.len().max(1);
    for (copies, values) in out.chunks_exact_mut(batch * n).zip(v.chunks_exact(n)) {
        for copy in copies.chunks_exact_mut(n) {
            copy.copy_from_slice(values);
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
        let mut logits = vec![0.0; batch * prior.codebook_size];
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
                cache.logits(prior, col, &mut logits);
                let k = prior.codebook_size;
                for (grid, logits) in self.grids.iter_mut().zip(logits.chunks_exact(k)) {
                    grid.codes[target] = choose(logits, &self.options, &mut self.rng);
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
    let k = prior.codebook_size;
    let mut row = vec![0.0; grid.width * k];
    for r in 0..grid.height {
        cache.start_row(prior, &codes, r, class);
        cache.fill_row(prior, &codes, r, class);
        cache.logits_in(prior, 0..grid.width, &mut row);
        all.extend(row.chunks_exact(k).map(<[f32]>::to_vec));
    }
    all
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
        let width = self.grid.width;
        self.cache.start_row(prior, &codes, r, self.class);
        self.cache.fill_row(prior, &codes, r, self.class);
        let mut logits = vec![0.0; width * prior.codebook_size];
        self.cache.logits_in(prior, 0..width, &mut logits);
        let row = &self.grid.codes[r * width..(r + 1) * width];
        for (logits, &code) in logits.chunks_exact(prior.codebook_size).zip(row) {
            let nats = log_probability(logits, code);
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
