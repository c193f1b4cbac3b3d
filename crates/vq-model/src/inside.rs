//! Inside one cell, on the host: the encoder's vector `z_e` of a cell against every code of the
//! codebook (the squared distances whose smallest is the quantizer's choice), and `z_e` moved
//! along the line toward another code, to watch the choice switch where the line crosses the
//! boundary between two codes' Voronoi cells (van den Oord et al. 2017, section 3.1).
//!
//! The vectors are a few hundred numbers: plain arrays, no device.

use crate::quantizer::VectorQuantizer;
use crate::{ReadError, read_f32};

/// The codebook `e` as plain numbers: `K` rows of `D`.
#[derive(Debug, Clone, PartialEq)]
pub struct HostCodebook {
    dim: usize,
    /// `K × D`, row-major: code `k`'s vector is `vectors[k·D .. (k+1)·D]`.
    vectors: Vec<f32>,
}

impl HostCodebook {
    /// The codebook of `quantizer`, read back once (asynchronously, as every read in the
    /// browser).
    ///
    /// # Errors
    ///
    /// When the device cannot read the weights back.
    pub async fn read(quantizer: &VectorQuantizer) -> Result<Self, ReadError> {
        let dim = quantizer.embedding_dim();
        let vectors = read_f32(quantizer.codebook.weight.val()).await?; // [K, D]
        Ok(Self { dim, vectors })
    }

    /// A codebook of the rows of `vectors` (`K × dim`).
    ///
    /// # Panics
    ///
    /// When `dim` is 0 or does not divide the length of `vectors`.
    pub fn from_rows(dim: usize, vectors: Vec<f32>) -> Self {
        assert!(
            dim > 0 && vectors.len().is_multiple_of(dim),
            "rows of {dim}"
        );
        Self { dim, vectors }
    }

    /// `K`.
    pub fn len(&self) -> usize {
        self.vectors.len() / self.dim
    }

    /// Whether there is no code.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// `D`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Every code's vector, `K × D` row-major.
    pub fn rows(&self) -> &[f32] {
        &self.vectors
    }

    /// Code `code`'s vector `e_code` (`D` numbers).
    ///
    /// # Panics
    ///
    /// For a code `≥ K`.
    pub fn vector(&self, code: u32) -> &[f32] {
        let start = code as usize * self.dim;
        &self.vectors[start..start + self.dim]
    }

    /// `‖z − e_k‖²` for every code `k`, indexed by code.
    pub fn distances(&self, z: &[f32]) -> Vec<f32> {
        self.vectors
            .chunks_exact(self.dim)
            .map(|e| squared_distance(z, e))
            .collect()
    }

    /// The nearest code to `z` (the lowest of a tie), and its squared distance.
    pub fn nearest(&self, z: &[f32]) -> (u32, f32) {
        nearest_of(&self.distances(z))
    }

    /// `z` moved a fraction `t` of the way toward code `toward`: `z + t·(e_toward − z)`.
    pub fn toward(&self, z: &[f32], toward: u32, t: f32) -> Vec<f32> {
        z.iter()
            .zip(self.vector(toward))
            .map(|(&z, &e)| z + t * (e - z))
            .collect()
    }

    /// Where, along the line from `z` toward code `to`, `z` is as far from code `from` as from
    /// `to`: the `t` at which that line crosses the boundary of the two codes' Voronoi cells.
    ///
    /// With `b = e_to − z`, both squared distances along `z(t) = z + t·b` differ by a linear
    /// function of `t`, zero at `t* = (‖e_to − z‖² − ‖z − e_from‖²) / (2·b·(e_to − e_from))`.
    /// `None` when the line never gets nearer to `to` than to `from` (`from == to`, or `b` is
    /// orthogonal to `e_to − e_from`).
    pub fn boundary(&self, z: &[f32], from: u32, to: u32) -> Option<f32> {
        let (e_from, e_to) = (self.vector(from), self.vector(to));
        let mut slope = 0.0f64;
        for ((&z, &f), &t) in z.iter().zip(e_from).zip(e_to) {
            slope += f64::from(t - z) * f64::from(t - f);
        }
        let gap = f64::from(squared_distance(z, e_to)) - f64::from(squared_distance(z, e_from));
        (slope.abs() > f64::EPSILON).then(|| (gap / (2.0 * slope)) as f32)
    }
}

/// The code of the smallest of `distances` (indexed by code; the lowest of a tie) and that
/// distance.
pub fn nearest_of(distances: &[f32]) -> (u32, f32) {
    distances
        .iter()
        .enumerate()
        .fold((0, f32::INFINITY), |best, (code, &d)| {
            if d < best.1 { (code as u32, d) } else { best }
        })
}

/// `‖a − b‖²`.
fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(&x, &y)| (x - y) * (x - y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// `K` random codes of dimension `D` in `[−1, 1)`.
    fn codebook(k: usize, dim: usize, seed: u64) -> HostCodebook {
        let mut rng = SplitMix64::new(seed);
        let vectors = (0..k * dim)
            .map(|_| 2.0 * rng.next_f64() as f32 - 1.0)
            .collect();
        HostCodebook::from_rows(dim, vectors)
    }

    #[test]
    fn the_nearest_code_is_the_smallest_distance() {
        let book = codebook(16, 8, 1);
        let z: Vec<f32> = book.vector(5).iter().map(|v| v + 0.01).collect();
        let distances = book.distances(&z);
        assert_eq!(distances.len(), 16);
        let (code, distance) = book.nearest(&z);
        assert_eq!(code, 5);
        assert!((distance - 8.0 * 0.0001).abs() < 1e-6, "{distance}");
        assert!(distances.iter().all(|&d| d >= distance));
    }

    #[test]
    fn the_choice_switches_exactly_where_the_two_distances_are_equal() {
        // Two codes: the line from z toward the second crosses their boundary once, and the
        // quantizer's choice switches there, not before and not after.
        for seed in 0..20 {
            let book = codebook(2, 6, seed);
            let mut rng = SplitMix64::new(100 + seed);
            let z: Vec<f32> = (0..6).map(|_| 2.0 * rng.next_f64() as f32 - 1.0).collect();
            let (from, _) = book.nearest(&z);
            let to = 1 - from;
            let t = book.boundary(&z, from, to).expect("the line crosses");
            assert!((0.0..1.0).contains(&t), "seed {seed}: t* = {t}");
            let at = book.distances(&book.toward(&z, to, t));
            assert!(
                (at[from as usize] - at[to as usize]).abs() < 1e-5,
                "seed {seed}: equal at t* = {t}: {at:?}"
            );
            assert_eq!(
                book.nearest(&book.toward(&z, to, t - 1e-3)).0,
                from,
                "seed {seed}"
            );
            assert_eq!(
                book.nearest(&book.toward(&z, to, t + 1e-3)).0,
                to,
                "seed {seed}"
            );
            assert_eq!(
                book.nearest(&book.toward(&z, to, 1.0)).0,
                to,
                "at e_to itself"
            );
        }
    }

    #[test]
    fn the_boundary_of_a_code_with_itself_is_none() {
        let book = codebook(4, 3, 7);
        assert_eq!(book.boundary(&[0.1, 0.2, 0.3], 2, 2), None);
    }
}
