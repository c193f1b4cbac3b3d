//! What the engine keeps of an image encoded from a picture, on the host: the input `x`, the
//! reconstruction `x̂` of the current grid, the encoder's output `z_e` and the codes the
//! encoder chose. From these come the inside of a cell, the loss terms after every edit
//! ([`vq_model::loss_terms`]) and the image's cells on the codebook's map.
//!
//! `x̂` follows the grid: an edit pastes the window it decoded ([`Held::paste`]); undo, redo and
//! reset set codes without decoding (the page keeps their pixels), so they only mark their
//! cells ([`Held::mark_stale`]) and the window is decoded when the loss terms are next asked
//! for ([`Held::stale_window`]).

use std::ops::RangeInclusive;

use vq_model::inside::HostCodebook;
use vq_model::loss_terms::LossTerms;

use crate::protocol::{CellCode, LossReport, Terms};

/// An encoded picture's numbers, planar as the networks write them.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// `x`, `[C, H, W]` in model space.
    x: Vec<f32>,
    /// `x̂` of the current grid, `[C, H, W]`.
    x_hat: Vec<f32>,
    /// `z_e`, `[D, h, w]`.
    z_e: Vec<f32>,
    /// The codes the encoder chose (the nearest), `[h, w]`.
    encoded: Vec<u32>,
    /// `(width, height, channels)` of `x`.
    size: (usize, usize, usize),
    /// The loss terms with the encoder's codes ([`Held::remember_encoded_terms`]).
    encoded_terms: Option<Terms>,
    /// Cells whose codes changed without `x̂` being decoded: the rows and columns that bound
    /// them.
    stale: Option<(RangeInclusive<usize>, RangeInclusive<usize>)>,
}

impl Held {
    /// `x` and `x̂` (`[C, H, W]`), `z_e` (`[D, h, w]`) and the encoder's codes of an image of
    /// `(width, height, channels)`.
    pub fn new(
        (x, x_hat): (Vec<f32>, Vec<f32>),
        z_e: Vec<f32>,
        encoded: Vec<u32>,
        size: (usize, usize, usize),
    ) -> Self {
        Self {
            x,
            x_hat,
            z_e,
            encoded,
            size,
            encoded_terms: None,
            stale: None,
        }
    }

    /// Cells of the grid.
    pub fn cells(&self) -> usize {
        self.encoded.len()
    }

    /// `D`.
    fn dim(&self) -> usize {
        self.z_e.len() / self.cells().max(1)
    }

    /// `z_e` of cell `index` (row-major): `D` numbers.
    pub fn cell_z_e(&self, index: usize) -> Vec<f32> {
        let cells = self.cells();
        (0..self.dim())
            .map(|d| self.z_e[d * cells + index])
            .collect()
    }

    /// `z_e` of every cell, `[D, h, w]`.
    pub fn z_e(&self) -> &[f32] {
        &self.z_e
    }

    /// Writes a decoded window (`[C, height, width]` planes at `(top, left)` in pixels) into
    /// `x̂`.
    pub fn paste(
        &mut self,
        (top, left): (usize, usize),
        (width, height): (usize, usize),
        planes: &[f32],
    ) {
        let (image_width, image_height, channels) = self.size;
        for c in 0..channels {
            for y in 0..height.min(image_height.saturating_sub(top)) {
                let from = (c * height + y) * width;
                let to = (c * image_height + top + y) * image_width + left;
                let run = width.min(image_width.saturating_sub(left));
                self.x_hat[to..to + run].copy_from_slice(&planes[from..from + run]);
            }
        }
    }

    /// Marks `cells` as set without their window decoded.
    pub fn mark_stale(&mut self, cells: &[CellCode]) {
        for &(row, col, _) in cells {
            self.stale = Some(match self.stale.take() {
                None => (row..=row, col..=col),
                Some((rows, cols)) => (
                    *rows.start().min(&row)..=*rows.end().max(&row),
                    *cols.start().min(&col)..=*cols.end().max(&col),
                ),
            });
        }
    }

    /// The rows and columns to decode before `x̂` is the current grid's, taken (the caller
    /// pastes the window).
    pub fn stale_window(&mut self) -> Option<(RangeInclusive<usize>, RangeInclusive<usize>)> {
        self.stale.take()
    }

    /// The loss terms with `codes` (the current grid), and with the encoder's codes.
    pub fn losses(&self, codes: &[u32], codebook: &HostCodebook, beta: f64) -> LossReport {
        let terms = LossTerms::of(
            (&self.x, &self.x_hat),
            (&self.z_e, codes),
            codebook,
            beta,
            1,
        );
        let now = Terms {
            reconstruction: terms.reconstruction,
            codebook: terms.codebook,
            commitment: terms.commitment,
        };
        let changed_cells = codes
            .iter()
            .zip(&self.encoded)
            .filter(|(a, b)| a != b)
            .count();
        // Remembered when the picture was encoded; before that, x̂ is the encoder's.
        let encoded = self.encoded_terms.unwrap_or(now);
        LossReport {
            now,
            encoded,
            beta,
            cells: self.cells(),
            changed_cells,
            millis: 0.0,
        }
    }

    /// Records the loss terms of the encoder's codes: called as the picture is encoded, while
    /// `x̂` is still the decode of those codes.
    pub fn remember_encoded_terms(&mut self, codebook: &HostCodebook, beta: f64) {
        let encoded = self.encoded.clone();
        self.encoded_terms = Some(self.losses(&encoded, codebook, beta).now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2-channel 4×4 image with a 2×2 grid of 1-D codes.
    fn held() -> Held {
        let x: Vec<f32> = (0..32).map(|i| i as f32 / 32.0).collect();
        let x_hat = vec![0.0; 32];
        Held::new(
            (x, x_hat),
            vec![0.1, 0.2, 0.3, 0.4],
            vec![0, 1, 1, 0],
            (4, 4, 2),
        )
    }

    #[test]
    fn a_pasted_window_lands_in_every_channel_at_its_place() {
        let mut held = held();
        // A 2×1 window (width 2, height 1) at row 3, column 2, channels 0 and 1.
        held.paste((3, 2), (2, 1), &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(held.x_hat[3 * 4 + 2..3 * 4 + 4], [1.0, 2.0]);
        assert_eq!(held.x_hat[16 + 3 * 4 + 2..16 + 3 * 4 + 4], [3.0, 4.0]);
        assert_eq!(held.x_hat.iter().filter(|&&v| v != 0.0).count(), 4);
    }

    #[test]
    fn stale_cells_are_bounded_and_taken_once() {
        let mut held = held();
        held.mark_stale(&[(1, 0, 3), (0, 1, 2)]);
        held.mark_stale(&[(1, 1, 0)]);
        assert_eq!(held.stale_window(), Some((0..=1, 0..=1)));
        assert_eq!(held.stale_window(), None);
    }

    #[test]
    fn the_encoded_terms_stay_those_of_the_encoders_codes() {
        let codebook = HostCodebook::from_rows(1, vec![0.0, 1.0]);
        let mut held = held();
        held.remember_encoded_terms(&codebook, 0.25);
        let before = held.losses(&[0, 1, 1, 0], &codebook, 0.25);
        assert_eq!(before.now, before.encoded);
        assert_eq!(before.changed_cells, 0);
        // z_e of cell 0 is 0.1: code 1 is 0.9 away instead of 0.1.
        let after = held.losses(&[1, 1, 1, 0], &codebook, 0.25);
        assert_eq!(after.changed_cells, 1);
        assert_eq!(after.encoded, before.encoded);
        let extra = (0.9f64 * 0.9 - 0.1 * 0.1) / 4.0;
        assert!((after.now.codebook - before.now.codebook - extra).abs() < 1e-6);
        assert!((after.now.commitment - 0.25 * after.now.codebook).abs() < 1e-12);
    }
}
