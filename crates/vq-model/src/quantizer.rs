//! The vector quantizer of the VQ-VAE (van den Oord et al. 2017, section 3.1).
//!
//! Each `D`-vector of `z_e` is replaced by its nearest codebook entry `e_k`, and `k` is the
//! *code*. The nearest entry is found with one matrix product, as in candle:
//! `argmin_k ‖z − e_k‖² = argmin_k (‖e_k‖² − 2 z·e_k)`, since `‖z‖²` is the same for every `k`.
//! The gradient crosses the lookup by the straight-through estimator.

use burn::nn::{Embedding, EmbeddingConfig};
use burn::prelude::*;
use burn::tensor::Int;

/// The codebook: `K` vectors of dimension `D`.
#[derive(Module, Debug)]
pub struct VectorQuantizer {
    /// Codebook `e`, weight of shape `[K, D]`. An `Embedding`, so lookups are gathers and the
    /// weights store in f16 like every other layer.
    pub codebook: Embedding,
}

/// What quantizing a batch gives.
#[derive(Debug, Clone)]
pub struct Quantized {
    /// `z_q` with the straight-through gradient: `z_e + sg[z_q − z_e]`. `[batch, D, h, w]`.
    pub z_q: Tensor<4>,
    /// The code of each cell. `[batch, h, w]`.
    pub codes: Tensor<3, Int>,
    /// `‖sg[z_e] − e‖²`, mean over elements: moves the codebook towards the encoder. `[1]`.
    pub codebook_loss: Tensor<1>,
    /// `‖z_e − sg[e]‖²`, mean over elements (not yet multiplied by β). `[1]`.
    pub commitment_loss: Tensor<1>,
}

/// The `k` nearest codes of each cell, nearest first, for the views of the app.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// Codes, nearest first. `[batch, h, w, k]`.
    pub codes: Tensor<4, Int>,
    /// Their squared distances `‖z_e − e_code‖²`, ascending. `[batch, h, w, k]`.
    pub distance: Tensor<4>,
}

/// Nearest and second-nearest codes of each cell, for the views of the app.
#[derive(Debug, Clone)]
pub struct Nearest {
    /// The code of each cell. `[batch, h, w]`.
    pub codes: Tensor<3, Int>,
    /// Squared distance `‖z_e − e_code‖²` of each cell. `[batch, h, w]`.
    pub distance: Tensor<3>,
    /// Squared distance to the second-nearest code minus the nearest: how firmly the cell is
    /// quantized (0: a tie). `[batch, h, w]`.
    pub margin: Tensor<3>,
}

impl VectorQuantizer {
    /// A codebook of `codebook_size` vectors of dimension `embedding_dim`, initialised
    /// uniformly in `±1/K` as in the paper's reference implementation.
    pub fn new(codebook_size: usize, embedding_dim: usize, device: &Device) -> Self {
        let bound = 1.0 / codebook_size as f64;
        let codebook = EmbeddingConfig::new(codebook_size, embedding_dim)
            .with_initializer(burn::nn::Initializer::Uniform {
                min: -bound,
                max: bound,
            })
            .init(device);
        Self { codebook }
    }

    /// `K`.
    pub fn codebook_size(&self) -> usize {
        self.codebook.weight.dims()[0]
    }

    /// `D`.
    pub fn embedding_dim(&self) -> usize {
        self.codebook.weight.dims()[1]
    }

    /// `‖e_k‖² − 2 z·e_k` for every cell and code: the squared distance less `‖z‖²`.
    ///
    /// # Shapes
    /// - `z_flat`: `[cells, D]` → `[cells, K]`
    pub fn partial_distances(&self, z_flat: Tensor<2>) -> Tensor<2> {
        let codebook = self.codebook.weight.val(); // [K, D]
        let codebook_sq = codebook.clone().square().sum_dim(1).reshape([1, -1]); // [1, K]
        codebook_sq - z_flat.matmul(codebook.transpose()) * 2.0 // [cells, K]
    }

    /// Quantizes `z_e` for training: codes, straight-through `z_q` and the two losses.
    ///
    /// # Shapes
    /// - `z_e`: `[batch, D, h, w]`
    pub fn forward(&self, z_e: Tensor<4>) -> Quantized {
        let [batch, _, h, w] = z_e.dims();
        let z_flat = flatten_cells(z_e.clone()); // [cells, D]
        let codes_flat = self.partial_distances(z_flat).argmin(1).reshape([-1]); // [cells]
        let codes = codes_flat.reshape([batch, h, w]);
        let z_q = self.z_q_from_codes(codes.clone()); // [batch, D, h, w], gradient to codebook

        let codebook_loss = (z_q.clone() - z_e.clone().detach()).square().mean();
        let commitment_loss = (z_e.clone() - z_q.clone().detach()).square().mean();
        // Identity forward; backward copies the gradient of z_q onto z_e.
        let z_q = z_e.clone() + (z_q - z_e).detach();
        Quantized {
            z_q,
            codes,
            codebook_loss,
            commitment_loss,
        }
    }

    /// The `k` nearest codes of each cell, nearest first, with their squared distances (no
    /// gradient). `k` is at most `K`.
    ///
    /// # Shapes
    /// - `z_e`: `[batch, D, h, w]` → codes and distances `[batch, h, w, k]`
    pub fn ranked(&self, z_e: Tensor<4>, k: usize) -> Ranked {
        let [batch, _, h, w] = z_e.dims();
        let k = k.clamp(1, self.codebook_size());
        let z_flat = flatten_cells(z_e.detach()); // [cells, D]
        let z_sq = z_flat.clone().square().sum_dim(1); // [cells, 1]
        let distances = self.partial_distances(z_flat) + z_sq; // [cells, K]
        let (best, indices) = (-distances).topk_with_indices(k, 1); // [cells, k]
        Ranked {
            codes: indices.reshape([batch, h, w, k]),
            // Rounding can make ‖z‖² + ‖e‖² − 2 z·e slightly negative.
            distance: (-best).clamp_min(0.0).reshape([batch, h, w, k]),
        }
    }

    /// Nearest and second-nearest codes (no gradient): codes, distances and margins.
    ///
    /// # Shapes
    /// - `z_e`: `[batch, D, h, w]`
    pub fn nearest(&self, z_e: Tensor<4>) -> Nearest {
        let [batch, _, h, w] = z_e.dims();
        let ranked = self.ranked(z_e, 2);
        let first = |t: Tensor<4>| t.slice([0..batch, 0..h, 0..w, 0..1]).reshape([batch, h, w]);
        let second = ranked.distance.clone().slice([0..batch, 0..h, 0..w, 1..2]);
        let nearest = first(ranked.distance);
        Nearest {
            codes: ranked
                .codes
                .slice([0..batch, 0..h, 0..w, 0..1])
                .reshape([batch, h, w]),
            margin: second.reshape([batch, h, w]) - nearest.clone(),
            distance: nearest,
        }
    }

    /// The codebook vectors of a grid of codes.
    ///
    /// # Shapes
    /// - `codes`: `[batch, h, w]` → `z_q`: `[batch, D, h, w]`
    pub fn z_q_from_codes(&self, codes: Tensor<3, Int>) -> Tensor<4> {
        let [batch, h, w] = codes.dims();
        let d = self.embedding_dim();
        self.codebook
            .forward(codes.reshape([batch, h * w])) // [batch, h*w, D]
            .reshape([batch, h, w, d])
            .permute([0, 3, 1, 2]) // [batch, D, h, w]
    }
}

/// Every cell's vector as a row.
///
/// # Shapes
/// - `z`: `[batch, D, h, w]` → `[batch*h*w, D]`
pub fn flatten_cells(z: Tensor<4>) -> Tensor<2> {
    let d = z.dims()[1];
    z.permute([0, 2, 3, 1]).reshape([-1, d as i32]) // [batch*h*w, D]
}
