//! Samplers of the PixelCNN prior: a whole grid in raster order, completion of a masked
//! region, the surprisal of every cell, and suggestions for one cell.
//!
//! The prior's receptive field is finite ([`ReceptiveField`]), so the logits of a cell are
//! computed on the window of cells it can see, not on the whole grid: a grid of `n` cells
//! costs `O(n)` forward work, not `O(n²)`. Because zero padding at the edge of a window equals
//! zero padding at the edge of the grid only where the window touches the grid's edge, the
//! window is the whole receptive field, and the result equals the full-grid pass exactly
//! (tested). Randomness is on the host ([`SplitMix64`]), so a seed gives the same grid on every
//! backend that computes the same logits. Every read is `into_data_async`.

pub mod cached;
pub mod softmax;
mod suggest;

pub use cached::{CachedResampler, HostSurprisal};
pub use suggest::HostSuggester;

use burn::prelude::*;
use burn::tensor::Int;
use burn::tensor::activation::log_softmax;

use crate::prior::{PixelCnnPrior, ReceptiveField};
use crate::rng::SplitMix64;
use crate::{ReadError, read_f32};

/// A grid of codes in raster order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `height × width` codes, row after row.
    pub codes: Vec<u32>,
}

impl Grid {
    /// A grid of `height × width` cells, all code 0.
    pub fn zeros(height: usize, width: usize) -> Self {
        Self {
            height,
            width,
            codes: vec![0; height * width],
        }
    }

    /// The codes of a `[1, h, w]` tensor.
    pub async fn from_tensor(codes: Tensor<3, Int>) -> Result<Self, ReadError> {
        let [_, height, width] = codes.dims();
        let codes = crate::read_i64(codes).await?;
        Ok(Self {
            height,
            width,
            codes: codes.into_iter().map(|c| c.max(0) as u32).collect(),
        })
    }

    /// The grids as a `[batch, h, w]` tensor (all grids have the same size).
    pub fn to_tensor(grids: &[Grid], device: &Device) -> Tensor<3, Int> {
        let (height, width) = grids.first().map_or((0, 0), |g| (g.height, g.width));
        let codes: Vec<i64> = grids
            .iter()
            .flat_map(|g| g.codes.iter().map(|&c| i64::from(c)))
            .collect();
        Tensor::from_data(TensorData::new(codes, [grids.len(), height, width]), device)
    }

    /// The sub-grid of rows `rows` and columns `cols`.
    pub fn crop(&self, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) -> Grid {
        let codes = rows
            .clone()
            .flat_map(|r| cols.clone().map(move |c| (r, c)))
            .map(|(r, c)| self.codes[r * self.width + c])
            .collect();
        Grid {
            height: rows.len(),
            width: cols.len(),
            codes,
        }
    }
}

/// How to draw a code from logits.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleOptions {
    /// Logits are divided by this; below 1 is more conservative, above 1 more varied.
    pub temperature: f32,
    /// Keep only the `k` most likely codes (`None`: all).
    pub top_k: Option<usize>,
    /// Seed of the generator: the same seed gives the same grids.
    pub seed: u64,
    /// Class to condition on, for a class-conditional prior.
    pub class: Option<usize>,
}

impl Default for SampleOptions {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: None,
            seed: 0,
            class: None,
        }
    }
}

/// The window of cells whose codes the logits of `(row, col)` can depend on, clipped to the
/// grid: `(rows, cols)` ranges.
pub fn causal_window(
    field: ReceptiveField,
    (height, width): (usize, usize),
    (row, col): (usize, usize),
) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let rows = row.saturating_sub(field.rows_above)..row + 1;
    let cols = col.saturating_sub(field.cols_left())..(col + field.cols_side + 1).min(width);
    debug_assert!(row < height);
    (rows, cols)
}

/// Logits of cell `(row, col)` of each grid, computed on its causal window only.
/// Returns `grids.len()` vectors of `K` logits.
pub async fn logits_at(
    prior: &PixelCnnPrior,
    grids: &[Grid],
    (row, col): (usize, usize),
    class: Option<usize>,
    device: &Device,
) -> Result<Vec<Vec<f32>>, ReadError> {
    let Some(first) = grids.first() else {
        return Ok(Vec::new());
    };
    let (rows, cols) = causal_window(
        prior.receptive_field(),
        (first.height, first.width),
        (row, col),
    );
    let (r, c) = (row - rows.start, col - cols.start);
    let crops: Vec<Grid> = grids
        .iter()
        .map(|g| g.crop(rows.clone(), cols.clone()))
        .collect();
    let batch = crops.len();
    let k = prior.codebook_size();
    let logits = prior.forward(
        Grid::to_tensor(&crops, device),
        Some(prior.class_tensor(class, batch, device)),
    ); // [batch, K, rows, cols]
    let cell = logits.slice([0..batch, 0..k, r..r + 1, c..c + 1]); // [batch, K, 1, 1]
    let values = read_f32(cell.reshape([batch, k])).await?;
    Ok(values.chunks(k).map(<[f32]>::to_vec).collect())
}

/// Draws a code from `logits` with a temperature and an optional top-k.
pub fn choose(logits: &[f32], options: &SampleOptions, rng: &mut SplitMix64) -> u32 {
    let temperature = options.temperature.max(1e-4);
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    let keep = options
        .top_k
        .unwrap_or(logits.len())
        .clamp(1, logits.len().max(1));
    order.truncate(keep);
    let max = order.first().map_or(0.0, |&i| logits[i]);
    let weights: Vec<f64> = order
        .iter()
        .map(|&i| f64::from((logits[i] - max) / temperature).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let mut u = rng.next_f64() * total;
    for (&i, w) in order.iter().zip(&weights) {
        if u < *w {
            return i as u32;
        }
        u -= w;
    }
    order.last().map_or(0, |&i| i as u32)
}

/// Samples `count` grids of `height × width` in raster order. `on_step(cell, grids)` is called
/// after each cell with the grids so far, so a view can show them fill in.
pub async fn sample(
    prior: &PixelCnnPrior,
    (height, width): (usize, usize),
    count: usize,
    options: &SampleOptions,
    device: &Device,
    on_step: &mut dyn FnMut(usize, &[Grid]),
) -> Result<Vec<Grid>, ReadError> {
    let grids = vec![Grid::zeros(height, width); count];
    let mask = vec![true; height * width];
    resample(prior, grids, &mask, options, device, on_step).await
}

/// Completes `grid`: resamples the cells where `mask` is true, in raster order, each
/// conditioned on every cell before it (original or resampled); keeps the others. Gives
/// `count` candidates.
pub async fn complete(
    prior: &PixelCnnPrior,
    grid: &Grid,
    mask: &[bool],
    count: usize,
    options: &SampleOptions,
    device: &Device,
    on_step: &mut dyn FnMut(usize, &[Grid]),
) -> Result<Vec<Grid>, ReadError> {
    let grids = vec![grid.clone(); count];
    resample(prior, grids, mask, options, device, on_step).await
}

async fn resample(
    prior: &PixelCnnPrior,
    grids: Vec<Grid>,
    mask: &[bool],
    options: &SampleOptions,
    device: &Device,
    on_step: &mut dyn FnMut(usize, &[Grid]),
) -> Result<Vec<Grid>, ReadError> {
    let mut resampler = Resampler::new(grids, mask, *options);
    while let Some(cell) = resampler.step(prior, device).await? {
        on_step(cell, resampler.grids());
    }
    Ok(resampler.into_grids())
}

/// The raster indices of the cells of `grids` (all of one size) where `mask` is true.
fn masked_cells(grids: &[Grid], mask: &[bool]) -> Vec<usize> {
    let cells = grids.first().map_or(0, |g| g.height * g.width);
    (0..cells)
        .filter(|&i| mask.get(i).copied().unwrap_or(false))
        .collect()
}

/// Raster-order sampling one cell at a time, driven by the caller: [`sample`] and [`complete`]
/// are loops over [`Resampler::step`]; the app drives it itself so that it can decode and show
/// the grids between steps (an `async` pause that a callback could not take).
#[derive(Debug, Clone)]
pub struct Resampler {
    grids: Vec<Grid>,
    /// The cells to draw, in raster order.
    order: Vec<usize>,
    /// How many of `order` are drawn.
    drawn: usize,
    options: SampleOptions,
    rng: SplitMix64,
}

impl Resampler {
    /// Will redraw the cells of `grids` (all of one size) where `mask` is true.
    pub fn new(grids: Vec<Grid>, mask: &[bool], options: SampleOptions) -> Self {
        let order = masked_cells(&grids, mask);
        Self {
            grids,
            order,
            drawn: 0,
            rng: SplitMix64::new(options.seed),
            options,
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
    ///
    /// # Errors
    ///
    /// [`ReadError`] when the logits cannot be read back.
    pub async fn step(
        &mut self,
        prior: &PixelCnnPrior,
        device: &Device,
    ) -> Result<Option<usize>, ReadError> {
        let (Some(&cell), Some(width)) = (
            self.order.get(self.drawn),
            self.grids.first().map(|g| g.width),
        ) else {
            return Ok(None);
        };
        let logits = logits_at(
            prior,
            &self.grids,
            (cell / width, cell % width),
            self.options.class,
            device,
        )
        .await?;
        for (grid, logits) in self.grids.iter_mut().zip(&logits) {
            grid.codes[cell] = choose(logits, &self.options, &mut self.rng);
        }
        self.drawn += 1;
        Ok(Some(cell))
    }

    /// The grids, once drawn.
    pub fn into_grids(self) -> Vec<Grid> {
        self.grids
    }
}

/// Bits of every cell under the prior, `−log₂ p(code | cells before)`, in one teacher-forced
/// pass. Returns `height × width` values in raster order.
pub async fn surprisal(
    prior: &PixelCnnPrior,
    grid: &Grid,
    class: Option<usize>,
    device: &Device,
) -> Result<Vec<f32>, ReadError> {
    surprisal_rows(prior, grid, 0..grid.height, class, device).await
}

/// The bits of the cells of rows `rows` (see [`surprisal`]), from one pass over those rows
/// and the [`ReceptiveField::rows_above`] rows above them: equal to the same rows of the
/// whole grid's pass, so a caller can take a large grid in bands. Returns
/// `rows.len() × width` values in raster order.
pub async fn surprisal_rows(
    prior: &PixelCnnPrior,
    grid: &Grid,
    rows: std::ops::Range<usize>,
    class: Option<usize>,
    device: &Device,
) -> Result<Vec<f32>, ReadError> {
    let rows = rows.start.min(grid.height)..rows.end.min(grid.height);
    let top = rows
        .start
        .saturating_sub(prior.receptive_field().rows_above);
    let band = grid.crop(top..rows.end, 0..grid.width);
    let (height, width) = (band.height, band.width);
    let logits = prior.forward(
        Grid::to_tensor(std::slice::from_ref(&band), device),
        Some(prior.class_tensor(class, 1, device)),
    ); // [1, K, height, width]
    let log_p = log_softmax(logits, 1); // [1, K, height, width]
    let codes = Grid::to_tensor(std::slice::from_ref(&band), device).reshape([1, 1, height, width]);
    let skip = rows.start - top;
    let chosen = log_p
        .gather(1, codes) // [1, 1, height, width], natural log
        .slice([0..1, 0..1, skip..height, 0..width])
        .reshape([rows.len() * width]);
    let nats = read_f32(chosen).await?;
    Ok(nats
        .into_iter()
        .map(|l| -l / std::f32::consts::LN_2)
        .collect())
}

/// A suggested code for a cell, with its probability.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Suggestion {
    /// The code.
    pub code: u32,
    /// Its probability given the rest of the grid, among the candidates considered.
    pub probability: f32,
}

/// The `k` most likely codes for cell `(row, col)` given the rest of the grid: the prior's
/// `candidates` most likely codes given the cells before, rescored by how well each explains
/// the cells after it that can see it, `p(x) ∝ p(x | before) · Π p(later | …, x)`.
pub async fn suggestions(
    prior: &PixelCnnPrior,
    grid: &Grid,
    (row, col): (usize, usize),
    class: Option<usize>,
    k: usize,
    candidates: usize,
    device: &Device,
) -> Result<Vec<Suggestion>, ReadError> {
    let mut suggester =
        Suggester::new(prior, grid, (row, col), class, candidates.max(k), device).await?;
    while suggester.rescore_next(prior, device).await? {}
    Ok(suggester.ranked(k))
}

/// [`suggestions`] one candidate at a time, so that the caller can give way between two (an
/// edit that arrives need not wait for every candidate).
#[derive(Debug, Clone)]
pub struct Suggester {
    /// The window around the cell holding the receptive fields of the cells that see it.
    window: Grid,
    /// The cell in the window.
    cell: (usize, usize),
    class: Option<usize>,
    /// The candidates, most likely given the cells before first.
    order: Vec<usize>,
    /// `log p` of the cells that see the cell (and of the cell), per candidate rescored.
    scores: Vec<f64>,
}

impl Suggester {
    /// The candidates for `(row, col)`: the `candidates` most likely codes given the cells
    /// before it (one windowed pass).
    ///
    /// # Errors
    ///
    /// [`ReadError`] when the logits cannot be read back.
    pub async fn new(
        prior: &PixelCnnPrior,
        grid: &Grid,
        (row, col): (usize, usize),
        class: Option<usize>,
        candidates: usize,
        device: &Device,
    ) -> Result<Self, ReadError> {
        let field = prior.receptive_field();
        let causal =
            logits_at(prior, std::slice::from_ref(grid), (row, col), class, device).await?;
        let causal = causal.into_iter().next().unwrap_or_default();
        let mut order: Vec<usize> = (0..causal.len()).collect();
        order.sort_by(|&a, &b| causal[b].total_cmp(&causal[a]));
        order.truncate(candidates.max(1));

        // Cells that can see (row, col), and the window that holds their receptive fields.
        let rows =
            row.saturating_sub(field.rows_above)..(row + field.rows_above + 1).min(grid.height);
        let reach = field.cols_left() + field.cols_side;
        let cols = col.saturating_sub(reach)..(col + reach + 1).min(grid.width);
        Ok(Self {
            cell: (row - rows.start, col - cols.start),
            window: grid.crop(rows, cols),
            class,
            order,
            scores: Vec::new(),
        })
    }

    /// Candidates rescored, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.scores.len(), self.order.len())
    }

    /// Rescores the next candidate: one prior pass over the window with the candidate in the
    /// cell. Returns whether one was left to rescore.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when the logits cannot be read back.
    pub async fn rescore_next(
        &mut self,
        prior: &PixelCnnPrior,
        device: &Device,
    ) -> Result<bool, ReadError> {
        let Some(&code) = self.order.get(self.scores.len()) else {
            return Ok(false);
        };
        let field = prior.receptive_field();
        let (r0, c0) = self.cell;
        let mut variant = self.window.clone();
        let (h, w) = (variant.height, variant.width);
        variant.codes[r0 * w + c0] = code as u32;
        let log_p = log_softmax(
            prior.forward(
                Grid::to_tensor(std::slice::from_ref(&variant), device),
                Some(prior.class_tensor(self.class, 1, device)),
            ),
            1,
        ); // [1, K, h, w]
        let codes = Grid::to_tensor(std::slice::from_ref(&variant), device).reshape([1, 1, h, w]);
        let per_cell = read_f32(log_p.gather(1, codes).reshape([h * w])).await?;
        // The cell itself (its own term p(x | before)) and every cell whose logits can see it.
        let sees_cell = |r: usize, c: usize| (r, c) == (r0, c0) || field.contains((r, c), (r0, c0));
        let score = per_cell
            .iter()
            .enumerate()
            .filter(|(i, _)| sees_cell(i / w, i % w))
            .map(|(_, &l)| f64::from(l))
            .sum();
        self.scores.push(score);
        Ok(true)
    }

    /// The `k` most likely of the candidates rescored, with their probabilities among them.
    pub fn ranked(&self, k: usize) -> Vec<Suggestion> {
        rank(&self.order, &self.scores, k)
    }
}

/// The `k` best of `order`'s codes by their `scores` (log-probabilities, one per code
/// rescored), with their probabilities among those rescored.
fn rank(order: &[usize], scores: &[f64], k: usize) -> Vec<Suggestion> {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = scores.iter().map(|s| (s - max).exp()).sum();
    let mut ranked: Vec<Suggestion> = order
        .iter()
        .zip(scores)
        .map(|(&code, s)| Suggestion {
            code: code as u32,
            probability: ((s - max).exp() / total) as f32,
        })
        .collect();
    ranked.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    ranked.truncate(k);
    ranked
}
