//! Training rules and statistics of the codebook.
//!
//! - [`Ema`]: the exponential-moving-average update of the paper's appendix A.1, with
//!   Laplace-smoothed counts, in place of the codebook loss.
//! - [`kmeans`]: initialise the codebook from the encoder outputs of the first batch.
//! - [`DeadCodes`]: codes unused for a number of steps are reset to random encoder outputs.
//! - [`usage_counts`] and [`perplexity`]: how much of the codebook a set of grids uses.

use burn::prelude::*;
use burn::tensor::Int;

use crate::rng::SplitMix64;

/// EMA state of the codebook: `N_k` (cluster sizes) and `m_k` (sums of assigned `z_e`).
///
/// One step, with `n_k` the count of cells assigned to `k` in the batch:
/// `N_k ← γN_k + (1−γ)n_k`, `m_k ← γm_k + (1−γ)Σ z_e`, and `e_k = m_k / Ñ_k`, where
/// `Ñ_k = (N_k + ε) / (Σ N + Kε) · Σ N` smooths the counts so an unused code never divides by 0.
#[derive(Debug, Clone)]
pub struct Ema {
    /// γ, 0.99 in the paper.
    pub decay: f64,
    /// ε of the Laplace smoothing.
    pub epsilon: f64,
    /// `N`, `[K]`.
    pub cluster_size: Tensor<1>,
    /// `m`, `[K, D]`.
    pub embed_sum: Tensor<2>,
}

impl Ema {
    /// EMA state starting at the codebook `codebook` (`[K, D]`), with every count at 1.
    pub fn new(codebook: Tensor<2>, decay: f64, epsilon: f64) -> Self {
        let k = codebook.dims()[0];
        Self {
            decay,
            epsilon,
            cluster_size: Tensor::ones([k], &codebook.device()),
            embed_sum: codebook,
        }
    }

    /// One EMA step; returns the new codebook.
    ///
    /// # Shapes
    /// - `z_flat`: `[cells, D]` encoder outputs (no gradient)
    /// - `codes`: `[cells]` their nearest codes
    /// - returns `[K, D]`
    pub fn step(&mut self, z_flat: Tensor<2>, codes: Tensor<1, Int>) -> Tensor<2> {
        let k = self.cluster_size.dims()[0];
        let one_hot: Tensor<2> = codes.one_hot::<2>(k).float(); // [cells, K]
        let counts = one_hot.clone().sum_dim(0).reshape([k]); // [K]
        let sums = one_hot.transpose().matmul(z_flat); // [K, D]
        let g = self.decay;
        self.cluster_size = self.cluster_size.clone() * g + counts * (1.0 - g);
        self.embed_sum = self.embed_sum.clone() * g + sums * (1.0 - g);
        let total = self.cluster_size.clone().sum(); // [1]
        let smoothed = (self.cluster_size.clone() + self.epsilon)
            / (total.clone() + k as f64 * self.epsilon)
            * total; // [K]
        self.embed_sum.clone() / smoothed.reshape([k, 1])
    }
}

/// k-means (Lloyd's algorithm) on the rows of `z_flat`, seeded with `k` distinct random rows.
/// Returns `[k, D]` centroids; a centroid left without points keeps its previous value.
///
/// # Shapes
/// - `z_flat`: `[cells, D]`, `cells ≥ k`
pub fn kmeans(z_flat: Tensor<2>, k: usize, iterations: usize, seed: u64) -> Tensor<2> {
    let [cells, _] = z_flat.dims();
    let device = z_flat.device();
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<i64> = (0..cells as i64).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.truncate(k);
    let mut centroids = z_flat
        .clone()
        .select(0, Tensor::from_data(TensorData::new(order, [k]), &device)); // [k, D]
    for _ in 0..iterations {
        let c_sq = centroids.clone().square().sum_dim(1).reshape([1, k]); // [1, k]
        let assign = (c_sq - z_flat.clone().matmul(centroids.clone().transpose()) * 2.0)
            .argmin(1)
            .reshape([cells]); // [cells]
        let one_hot: Tensor<2> = assign.one_hot::<2>(k).float(); // [cells, k]
        let counts = one_hot.clone().sum_dim(0).reshape([k, 1]); // [k, 1]
        let sums = one_hot.transpose().matmul(z_flat.clone()); // [k, D]
        let empty = counts.clone().equal_elem(0.0); // [k, 1]
        let means = sums / counts.clamp_min(1.0);
        centroids = means.mask_where(empty.expand(centroids.dims()), centroids);
    }
    centroids
}

/// Tracks how many steps each code has gone unused, to revive dead codes.
#[derive(Debug, Clone)]
pub struct DeadCodes {
    /// Steps since each code was last chosen.
    pub idle_steps: Vec<usize>,
    /// A code idle for this many steps is dead.
    pub patience: usize,
}

impl DeadCodes {
    /// Every code starts alive.
    pub fn new(codebook_size: usize, patience: usize) -> Self {
        Self {
            idle_steps: vec![0; codebook_size],
            patience,
        }
    }

    /// Records the codes used in a step; returns the codes that are now dead.
    pub fn observe(&mut self, codes_used: &[i64]) -> Vec<usize> {
        let mut used = vec![false; self.idle_steps.len()];
        for &c in codes_used {
            if let Some(u) = used.get_mut(c as usize) {
                *u = true;
            }
        }
        for (idle, used) in self.idle_steps.iter_mut().zip(used) {
            *idle = if used { 0 } else { *idle + 1 };
        }
        self.idle_steps
            .iter()
            .enumerate()
            .filter(|(_, idle)| **idle >= self.patience)
            .map(|(k, _)| k)
            .collect()
    }

    /// Resets the `dead` codes of `codebook` (`[K, D]`) to random rows of `z_flat`
    /// (`[cells, D]`) and marks them alive. Returns the new codebook.
    pub fn revive(
        &mut self,
        codebook: Tensor<2>,
        z_flat: Tensor<2>,
        dead: &[usize],
        rng: &mut SplitMix64,
    ) -> Tensor<2> {
        if dead.is_empty() {
            return codebook;
        }
        let cells = z_flat.dims()[0];
        let device = codebook.device();
        let picks: Vec<i64> = dead.iter().map(|_| rng.below(cells) as i64).collect();
        let targets: Vec<i64> = dead.iter().map(|&k| k as i64).collect();
        let n = dead.len();
        let rows = z_flat.select(0, Tensor::from_data(TensorData::new(picks, [n]), &device));
        let index = Tensor::<1, Int>::from_data(TensorData::new(targets, [n]), &device);
        let d = codebook.dims()[1];
        let mask_rows: Tensor<2> = index.clone().one_hot::<2>(codebook.dims()[0]).float(); // [n, K]
        let keep = mask_rows
            .clone()
            .sum_dim(0)
            .reshape([codebook.dims()[0], 1]); // [K, 1]
        let scattered = mask_rows.transpose().matmul(rows); // [K, D], dead rows replaced
        for &k in dead {
            self.idle_steps[k] = 0;
        }
        codebook * (keep.clone().neg() + 1.0).expand([keep.dims()[0], d]) + scattered
    }
}

// Written once for the models and the page (which has no burn): `vq-codes`.
pub use vq_codes::{perplexity, usage_counts};
