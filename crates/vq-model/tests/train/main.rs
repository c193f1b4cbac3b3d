//! Native tests of the VQ-VAE's training step (`vq_model::train`, feature `train`) on burn's
//! CPU backend: the codebook's rules one by one, then the trainer's steps as the native
//! trainer and the page drive them. Native only: they read with blocking calls, which the
//! browser has not (its own test of the step is in tests/engine_browser.rs of the app).
#![cfg(not(target_arch = "wasm32"))]

mod codebook_rules;
mod schedule;
mod trainer;

use burn::prelude::*;
use vq_model::config::VqVaeConfig;

/// burn's CPU device. Not seeded here: the trainers seed it (see [`take_turn`]).
pub fn device() -> Device {
    Device::flex()
}

/// burn's CPU device has one random state per process, seeded by `VqVaeTrainer::new`: tests
/// that build trainers take turns, or one test's draws would land between another's seed and
/// its initial weights (and two trainers meant to be equal would start apart).
pub fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    static SEEDED_DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SEEDED_DEVICE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A tiny VQ-VAE: grey images, K = 16 codes of D = 8.
pub fn tiny_config() -> VqVaeConfig {
    VqVaeConfig::new(1, 8, 16)
        .with_hidden_channels(16)
        .with_residual_channels(8)
}

/// A fixed batch of `images` grey 16×16 pictures with some structure (stripes and blobs, in
/// model space `[-0.5, 0.5]`), the same on every call. `[images, 1, 16, 16]`.
pub fn fixed_batch(images: usize, device: &Device) -> Tensor<4> {
    let mut pixels = Vec::with_capacity(images * 16 * 16);
    for i in 0..images {
        let phase = i as f32 * 0.9;
        for row in 0..16 {
            for column in 0..16 {
                let (r, c) = (row as f32, column as f32);
                pixels.push(0.5 * (0.4 * r + phase).sin() * (0.3 * c - phase).cos());
            }
        }
    }
    Tensor::from_data(TensorData::new(pixels, [images, 1, 16, 16]), device)
}

pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    pollster::block_on(vq_model::read_f32(t)).expect("read")
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
