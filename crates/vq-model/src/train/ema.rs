//! The exponential-moving-average update of the codebook (van den Oord et al. 2017,
//! appendix A.1), with Laplace-smoothed counts, in place of the codebook loss.

use burn::prelude::*;
use burn::tensor::Int;

/// γ of the shipped recipe: the paper's 0.99.
pub const EMA_DECAY: f64 = 0.99;

/// ε of the Laplace smoothing of the counts.
pub const EMA_EPSILON: f64 = 1e-5;

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
        let one_hot = super::one_hot::one_hot(codes, k); // [cells, K]
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
