//! Incremental decoding: after an edit of a few codes, decode only the window of the grid
//! that reaches the pixels those codes can change, not the whole image.
//!
//! The decoder's reach, for `R` = [`Decoder::latent_reach`] (the 3×3 convolutions before the
//! upsampling): a changed cell `g` changes cells `g−R ..= g+R` after the residual stack, and the
//! two stride-2 4×4 transposed convolutions map a cell `g` to pixels `4g−3 ..= 4g+6`. Those
//! pixels in turn depend on cells `g−2R−2 ..= g+2R+2` of `z_q`, which is the window decoded.
//! Zero padding at the window's edge only disturbs pixels outside the returned patch, so the
//! patch equals the same pixels of a full decode (tested to 1e-5).

use std::ops::RangeInclusive;

use burn::prelude::*;

use crate::config::VqVaeConfig;
use crate::sampler::Grid;
use crate::vqvae::{Decoder, VqVae};

/// Pixels of a decoded window, placed in the full image.
#[derive(Debug, Clone)]
pub struct Patch {
    /// First pixel row of the patch in the full image.
    pub top: usize,
    /// First pixel column.
    pub left: usize,
    /// `x̂` of the patch, `[n, C, height, width]` (`n` = 1 but for [`decode_window_each`]), in
    /// model space.
    pub pixels: Tensor<4>,
}

/// The cells of `z_q` to decode and the pixels they give exactly, for a change of the cells
/// `rows × cols` (inclusive) of a `height × width` grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Cell rows to decode.
    pub cell_rows: std::ops::Range<usize>,
    /// Cell columns to decode.
    pub cell_cols: std::ops::Range<usize>,
    /// Pixel rows that can change, in the full image.
    pub pixel_rows: std::ops::Range<usize>,
    /// Pixel columns that can change, in the full image.
    pub pixel_cols: std::ops::Range<usize>,
}

impl Window {
    /// The window of a change of cells `rows × cols` in a grid of `height × width`.
    pub fn new(
        config: &VqVaeConfig,
        (height, width): (usize, usize),
        rows: RangeInclusive<usize>,
        cols: RangeInclusive<usize>,
    ) -> Self {
        let reach = Decoder::latent_reach(config);
        let scale = VqVaeConfig::DOWNSAMPLE;
        let cells = |range: &RangeInclusive<usize>, size: usize| {
            range.start().saturating_sub(2 * reach + 2)..(range.end() + 2 * reach + 3).min(size)
        };
        let pixels = |range: &RangeInclusive<usize>, size: usize| {
            (scale * range.start().saturating_sub(reach)).saturating_sub(3)
                ..(scale * (range.end() + reach) + 7).min(scale * size)
        };
        Self {
            cell_rows: cells(&rows, height),
            cell_cols: cells(&cols, width),
            pixel_rows: pixels(&rows, height),
            pixel_cols: pixels(&cols, width),
        }
    }
}

/// Decodes the pixels that a change of cells `rows × cols` of `grid` can affect.
pub fn decode_window(
    vqvae: &VqVae,
    config: &VqVaeConfig,
    grid: &Grid,
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
    device: &Device,
) -> Patch {
    let window = Window::new(config, (grid.height, grid.width), rows, cols);
    let crop = grid.crop(window.cell_rows.clone(), window.cell_cols.clone());
    decode_crops(vqvae, &window, &[crop], device)
}

/// The window of cell `(row, col)` decoded once for each of `codes` put at that cell (the rest
/// of `grid` as it is), in one decoder call: the patch's pixels are `[codes.len(), C, h, w]`,
/// the `i`-th image the one with `codes[i]` (the previews of suggestions).
pub fn decode_window_each(
    vqvae: &VqVae,
    config: &VqVaeConfig,
    grid: &Grid,
    (row, col): (usize, usize),
    codes: &[u32],
    device: &Device,
) -> Patch {
    let window = Window::new(config, (grid.height, grid.width), row..=row, col..=col);
    let crop = grid.crop(window.cell_rows.clone(), window.cell_cols.clone());
    let at = (row - window.cell_rows.start) * crop.width + (col - window.cell_cols.start);
    let crops: Vec<Grid> = codes
        .iter()
        .map(|&code| {
            let mut crop = crop.clone();
            crop.codes[at] = code;
            crop
        })
        .collect();
    decode_crops(vqvae, &window, &crops, device)
}

/// Decodes `crops` (each the cells of `window`) as one batch and keeps the pixels the window
/// gives exactly.
fn decode_crops(vqvae: &VqVae, window: &Window, crops: &[Grid], device: &Device) -> Patch {
    let decoded = vqvae.decode(Grid::to_tensor(crops, device)); // [n, C, 4h, 4w]
    let scale = VqVaeConfig::DOWNSAMPLE;
    let (y0, x0) = (
        scale * window.cell_rows.start,
        scale * window.cell_cols.start,
    );
    let [batch, channels, _, _] = decoded.dims();
    let pixels = decoded.slice([
        0..batch,
        0..channels,
        window.pixel_rows.start - y0..window.pixel_rows.end - y0,
        window.pixel_cols.start - x0..window.pixel_cols.end - x0,
    ]);
    Patch {
        top: window.pixel_rows.start,
        left: window.pixel_cols.start,
        pixels,
    }
}
