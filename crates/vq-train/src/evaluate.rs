//! Held-out metrics of a VQ-VAE: PSNR, codebook usage, and the code grids of a dataset.

use burn::prelude::*;
use vq_model::codebook::{perplexity, usage_counts};
use vq_model::vqvae::VqVae;

use crate::batch;
use crate::data::ImageSet;
use crate::prior_train::GridSet;
use crate::vqvae_train::psnr;

/// Reconstruction and codebook metrics on a set.
#[derive(Debug, Clone)]
pub struct Metrics {
    /// Mean over images of each image's PSNR, dB.
    pub psnr_db: f64,
    /// Mean squared error divided by the variance of the data (Sonnet's normalised MSE).
    pub normalised_mse: f64,
    /// Fraction of the `K` codes used at least once.
    pub codes_used: f64,
    /// Perplexity of the codes over the set.
    pub perplexity: f64,
    /// Usage of each code.
    pub usage: Vec<u64>,
}

/// Encodes every image of `set`: the grids, with the set's labels.
pub fn encode(model: &VqVae, set: &ImageSet, device: &Device) -> GridSet {
    let side = set.side / model.downsample();
    let mut codes = Vec::with_capacity(set.len() * side * side);
    for start in (0..set.len()).step_by(500) {
        let indices: Vec<usize> = (start..(start + 500).min(set.len())).collect();
        codes.extend(batch::ints(
            model.encode(batch::images(set, &indices, device)),
        ));
    }
    GridSet {
        height: side,
        width: side,
        codes,
        labels: set.labels.clone(),
    }
}

/// PSNR, normalised MSE and usage of `model` on `set`.
pub fn evaluate(model: &VqVae, set: &ImageSet, codebook_size: usize, device: &Device) -> Metrics {
    let mut psnr_sum = 0.0;
    let mut se_sum = 0.0;
    let mut count = 0usize;
    let mut codes = Vec::new();
    for start in (0..set.len()).step_by(500) {
        let indices: Vec<usize> = (start..(start + 500).min(set.len())).collect();
        let x = batch::images(set, &indices, device);
        let grid = model.encode(x.clone());
        let x_hat = model.decode(grid.clone()).clamp(-0.5, 0.5);
        let per_image = batch::floats((x_hat - x).square().mean_dims(&[1, 2, 3]).reshape([-1]));
        for mse in per_image {
            psnr_sum += f64::from(psnr(mse));
            se_sum += f64::from(mse);
            count += 1;
        }
        codes.extend(batch::ints(grid));
    }
    let mean = set.pixels.iter().map(|&v| f64::from(v)).sum::<f64>() / set.pixels.len() as f64;
    let variance = set
        .pixels
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / set.pixels.len() as f64;
    let usage = usage_counts(&codes, codebook_size);
    Metrics {
        psnr_db: psnr_sum / count.max(1) as f64,
        normalised_mse: se_sum / count.max(1) as f64 / variance,
        codes_used: usage.iter().filter(|&&n| n > 0).count() as f64 / codebook_size as f64,
        perplexity: perplexity(&usage),
        usage,
    }
}
