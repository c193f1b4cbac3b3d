//! Batches as tensors, drawn reproducibly: the images of step `s` depend only on the seed and
//! `s`, so a run resumed from a checkpoint sees the same batches as one that never stopped.

use burn::prelude::*;
use burn::tensor::Int;

use crate::data::ImageSet;

/// Indices of the images of step `step`: `vq_model::train::batch_indices`, so that a training
/// worker in the page draws its batches as this trainer does (tested there).
pub use vq_model::train::batch_indices as indices;

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
