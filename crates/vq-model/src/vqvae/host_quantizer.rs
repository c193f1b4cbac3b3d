//! The quantizer's ranking on the host, for the CPU backend: the `k` nearest codebook vectors
//! of each cell of `z_e`, as [`crate::quantizer::VectorQuantizer::ranked`] finds them on the
//! device, with the distances computed as one 1×1 convolution by the host kernel
//! ([`super::host_conv`]) and the `k` smallest kept per cell.
//!
//! `‖z − e_k‖² = ‖z‖² + (‖e_k‖² − 2 z·e_k)`: the bracket is a 1×1 convolution from `D` to `K`
//! channels with weights `−2e` and bias `‖e‖²`, computed a row of cells at a time so that its
//! `K` values per cell stay in the cache.

use super::host_conv::{HostConv, Map};

/// The codebook as a layer that gives each cell's squared distances to every code.
#[derive(Debug, Clone)]
pub struct HostQuantizer {
    /// `z ↦ ‖e_k‖² − 2 z·e_k` for every `k`.
    partial: HostConv,
    codebook_size: usize,
}

/// The `k` nearest codes of each cell, nearest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HostRanked {
    /// Codes per cell, `[h, w, k]`.
    pub codes: Vec<u32>,
    /// Their squared distances `‖z_e − e_code‖²`, ascending per cell, `[h, w, k]`.
    pub distance: Vec<f32>,
}

impl HostQuantizer {
    /// The codebook `K × D`, code after code.
    pub fn new(codebook: &[f32], embedding_dim: usize) -> Self {
        let d = embedding_dim.max(1);
        let codebook_size = codebook.len() / d;
        let squared: Vec<f32> = codebook
            .chunks_exact(d)
            .map(|e| e.iter().map(|v| v * v).sum())
            .collect();
        Self {
            partial: HostConv::pointwise(
                (d, codebook_size),
                |k, i| -2.0 * codebook[k * d + i],
                &squared,
            ),
            codebook_size,
        }
    }

    /// `K`.
    pub fn codebook_size(&self) -> usize {
        self.codebook_size
    }

    /// The `k` nearest codes of every cell of `z_e` (`k` at most `K`), nearest first; of two
    /// codes at the same distance the lower comes first. Distances below zero (rounding) read
    /// as zero, as on the device.
    ///
    /// # Shapes
    /// - `z_e`: `[h, w, D]` → codes and distances `[h, w, k]`
    pub fn ranked(&self, z_e: &Map, k: usize) -> HostRanked {
        let k = k.clamp(1, self.codebook_size.max(1));
        let cells = z_e.height * z_e.width;
        let mut codes = Vec::with_capacity(cells * k);
        let mut distance = Vec::with_capacity(cells * k);
        for row in 0..z_e.height {
            let z_row = z_e.crop(row..row + 1, 0..z_e.width);
            let partial = self.partial.forward(&z_row, false, false); // [1, w, K]
            let cells = z_row.data.chunks_exact(z_e.channels.max(1));
            for (z, partial) in cells.zip(partial.data.chunks_exact(self.codebook_size)) {
                let z_sq: f32 = z.iter().map(|v| v * v).sum();
                let best = smallest(partial, k);
                codes.extend(best.iter().map(|&(_, code)| code));
                distance.extend(best.iter().map(|&(d, _)| (d + z_sq).max(0.0)));
            }
        }
        HostRanked { codes, distance }
    }
}

/// The `k` smallest of `values` with their indices, ascending; of equal values the lower index
/// first.
fn smallest(values: &[f32], k: usize) -> Vec<(f32, u32)> {
    let mut best: Vec<(f32, u32)> = Vec::with_capacity(k + 1);
    for (index, &v) in values.iter().enumerate() {
        if best.len() == k && best.last().is_some_and(|&(worst, _)| v >= worst) {
            continue;
        }
        let at = best.partition_point(|&(b, _)| b <= v);
        best.insert(at, (v, index as u32));
        best.truncate(k);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_come_in_order_with_ties_to_the_lower_index() {
        let values = [3.0, 1.0, 2.0, 1.0, 0.5, 9.0];
        assert_eq!(
            smallest(&values, 3),
            vec![(0.5, 4), (1.0, 1), (1.0, 3)],
            "ascending, the earlier of a tie first"
        );
        assert_eq!(smallest(&values, 1), vec![(0.5, 4)]);
        assert_eq!(smallest(&values, 6).len(), 6);
    }

    #[test]
    fn every_cell_ranks_the_codebook_by_distance() {
        // Codes on a line: e_k = (k, 0); cells at x = 0.9 and x = 2.2.
        let codebook: Vec<f32> = (0..4).flat_map(|k| [k as f32, 0.0]).collect();
        let quantizer = HostQuantizer::new(&codebook, 2);
        let mut z_e = Map::zeros(1, 2, 2);
        z_e.data.copy_from_slice(&[0.9, 0.0, 2.2, 0.0]);
        let ranked = quantizer.ranked(&z_e, 2);
        assert_eq!(ranked.codes, vec![1, 0, 2, 3]);
        let expected = [0.01, 0.81, 0.04, 0.64];
        for (got, want) in ranked.distance.iter().zip(expected) {
            assert!((got - want).abs() < 1e-5, "{got} against {want}");
        }
    }
}
