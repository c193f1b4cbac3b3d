//! Incremental decoding: after an edit of a few codes, decode only the window of the grid
//! that reaches the pixels those codes can change, not the whole image.
//!
//! The decoder's reach, for `R` = [`Decoder::latent_reach`] (the 3×3 convolutions before the
//! upsampling): a changed cell `g` changes cells `g−R ..= g+R` after the residual stack, and the
//! two stride-2 4×4 transposed convolutions map a cell `g` to pixels `4g−3 ..= 4g+6`. Those
//! pixels in turn depend on cells `g−2R−2 ..= g+2R+2` of `z_q`, which is the window decoded.
//! At a `downsample` of 2 the first upsampling is a stride-1 3×3
//! ([`crate::vqvae::Upsampling`]): a cell `g` reaches pixels `2(g−R)−3 ..= 2(g+R)+4`, which
//! read cells `g−2R−3 ..= g+2R+3`.
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
        let reach = Decoder::latent_reach(config) as isize;
        let [up1, up2] = Decoder::upsamplings(config.downsample());
        let scale = config.downsample();
        let span = |range: &RangeInclusive<usize>| (*range.start() as isize, *range.end() as isize);
        // Forward from the changed cells to the pixels they reach, then back from those
        // pixels to every cell they read.
        let pixels = |range: &RangeInclusive<usize>| {
            let (first, last) = span(range);
            up2.reaches(up1.reaches((first - reach, last + reach)))
        };
        let cells = |range: &RangeInclusive<usize>| {
            let (first, last) = up1.reads(up2.reads(pixels(range)));
            (first - reach, last + reach)
        };
        let clamp = |(first, last): (isize, isize), size: usize| {
            first.max(0) as usize..((last + 1).max(0) as usize).min(size)
        };
        Self {
            cell_rows: clamp(cells(&rows), height),
            cell_cols: clamp(cells(&cols), width),
            pixel_rows: clamp(pixels(&rows), scale * height),
            pixel_cols: clamp(pixels(&cols), scale * width),
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
    let decoded = vqvae.decode(Grid::to_tensor(crops, device)); // [n, C, 4h, 4w] (2h, 2w at ÷2)
    let scale = vqvae.downsample();
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

#[cfg(test)]
mod tests {
    use super::Window;
    use crate::config::VqVaeConfig;

    /// The window of one cell `g` in the middle of a grid is the module's formulas: at ÷4 the
    /// pixels `4(g−R)−3 ..= 4(g+R)+6` and the cells `g−2R−2 ..= g+2R+2`; at ÷2 the pixels
    /// `2(g−R)−3 ..= 2(g+R)+4` and the cells `g−2R−3 ..= g+2R+3` (`R` = 3: two residual blocks).
    #[test]
    fn the_window_of_a_cell_is_its_reach() {
        let four = VqVaeConfig::new(3, 8, 16);
        let two = VqVaeConfig::new(3, 8, 16).with_downsample(Some(2));
        let g = 20;
        let window = Window::new(&four, (40, 40), g..=g, g..=g);
        assert_eq!(window.pixel_rows, 4 * (g - 3) - 3..4 * (g + 3) + 7);
        assert_eq!(window.cell_rows, g - 8..g + 9);
        let window = Window::new(&two, (40, 40), g..=g, g..=g);
        assert_eq!(window.pixel_rows, 2 * (g - 3) - 3..2 * (g + 3) + 5);
        assert_eq!(window.cell_cols, g - 9..g + 10);
        // At the edges, clamped to the grid and the picture.
        let window = Window::new(&two, (40, 40), 0..=0, 39..=39);
        assert_eq!((window.cell_rows, window.pixel_rows), (0..10, 0..11));
        assert_eq!((window.cell_cols, window.pixel_cols), (30..40, 69..80));
    }
}
