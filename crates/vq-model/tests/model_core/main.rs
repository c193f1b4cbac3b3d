//! Native tests of the model crate on burn's CPU backend (flex). Each asserts something a user
//! of the model would notice. One test binary, one module per subject.

mod cached;
mod causality;
mod codebook;
mod host_vqvae;
mod incremental;
mod loss_terms;
mod quantizer;
mod samplers;
mod uploads;
mod weights;

use burn::prelude::*;
use vq_model::config::{PriorConfig, VqVaeConfig};
use vq_model::rng::SplitMix64;
use vq_model::sampler::Grid;

/// Runs a future to completion (the model's reads are async; on flex they resolve at once).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

pub fn device() -> Device {
    let device = Device::flex();
    device.seed(7);
    device
}

/// A small VQ-VAE, fast on the CPU.
pub fn small_vqvae_config(in_channels: usize) -> VqVaeConfig {
    VqVaeConfig::new(in_channels, 8, 16)
        .with_hidden_channels(16)
        .with_residual_channels(8)
}

/// A small prior: 2 layers of 3×3, so a cell sees 3 rows above and 3 columns to each side.
pub fn small_prior_config(classes: usize) -> PriorConfig {
    PriorConfig::new(16)
        .with_channels(8)
        .with_layers(2)
        .with_num_classes(classes)
}

/// A grid of random codes below `k`.
pub fn random_grid(height: usize, width: usize, k: usize, seed: u64) -> Grid {
    let mut rng = SplitMix64::new(seed);
    Grid {
        height,
        width,
        codes: (0..height * width).map(|_| rng.below(k) as u32).collect(),
    }
}

pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    block_on(vq_model::read_f32(t)).expect("read")
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
