//! Batches as tensors, drawn reproducibly: the images of step `s` depend only on the seed and
//! `s`, so a run resumed from a checkpoint sees the same batches as one that never stopped.

use burn::prelude::*;
use burn::tensor::Int;
use vq_model::rng::SplitMix64;

use crate::data::ImageSet;

/// Indices of the images of step `step`.
pub fn indices(len: usize, batch_size: usize, seed: u64, step: usize) -> Vec<usize> {
    let mut rng = SplitMix64::stream(seed, step as u64);
    (0..batch_size).map(|_| rng.below(len)).collect()
}

/// The images at `indices` as `[batch, C, side, side]`.
pub fn images(set: &ImageSet, indices: &[usize], device: &Device) -> Tensor<4> {
    let mut values = Vec::with_capacity(indices.len() * set.image(0).len());
    for &i in indices {
        values.extend_from_slice(set.image(i));
    }
    Tensor::from_data(
        TensorData::new(values, [indices.len(), set.channels, set.side, set.side]),
        device,
    )
}

/// The labels at `indices` as `[batch]`.
pub fn labels(set: &ImageSet, indices: &[usize], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = indices.iter().map(|&i| i64::from(set.labels[i])).collect();
    Tensor::from_data(TensorData::new(values, [indices.len()]), device)
}

/// Reads a float tensor on the trainer's side (native: synchronous reads are fine here).
pub fn floats<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap_or_default()
}

/// Reads an integer tensor.
pub fn ints<const D: usize>(t: Tensor<D, Int>) -> Vec<i64> {
    t.into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::indices;
    use std::collections::HashSet;

    /// Successive steps draw (nearly) fresh images: 200 batches of 64 from 60 000 images
    /// should hold about 11 500 distinct ones, as independent draws with replacement do.
    #[test]
    fn steps_draw_fresh_images() {
        let drawn: HashSet<usize> = (0..200).flat_map(|s| indices(60_000, 64, 1, s)).collect();
        assert!(drawn.len() > 11_000, "only {} distinct images", drawn.len());
        assert_eq!(indices(60_000, 64, 1, 7), indices(60_000, 64, 1, 7));
        assert_ne!(indices(60_000, 64, 1, 7), indices(60_000, 64, 2, 7));
    }
}
