//! A batch of a [`Subset`] in model space: what the VQ-VAE's training step takes.

use super::{Subset, SubsetError};

/// Images and labels of a batch, ready for a tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// `[n, 1, height, width]`: the images as planar model-space values, `pixel/255 − 0.5`
    /// in `[−0.5, 0.5]` (the grey of [`crate::image::planes_from_rgba`], and what the native
    /// trainer's Fashion-MNIST reader gives).
    pub planes: Vec<f32>,
    /// `[n]`: the class of each image.
    pub labels: Vec<u8>,
    /// `[n, 1, height, width]`, the shape of `planes`.
    pub shape: [usize; 4],
}

impl Subset {
    /// The images at `indices` (e.g. `vq_model::train::batch_indices`), in that order, as
    /// model-space planes `[n, 1, height, width]` and their labels `[n]`.
    ///
    /// # Errors
    /// [`SubsetError::Index`] for an index past the end (nothing is returned then).
    pub fn batch(&self, indices: &[usize]) -> Result<Batch, SubsetError> {
        let (height, width) = self.size();
        let mut planes = Vec::with_capacity(indices.len().checked_mul(height * width).unwrap_or(0));
        let mut labels = Vec::with_capacity(indices.len());
        for &index in indices {
            let image = self.image(index).ok_or(SubsetError::Index {
                index,
                count: self.len(),
            })?;
            planes.extend(image.iter().map(|&p| model_value(p)));
            labels.push(self.labels()[index]);
        }
        Ok(Batch {
            planes,
            labels,
            shape: [indices.len(), 1, height, width], // [batch, channels, height, width]
        })
    }
}

/// A grey level in model space: `[0, 255]` → `[−0.5, 0.5]`.
fn model_value(pixel: u8) -> f32 {
    f32::from(pixel) / 255.0 - 0.5
}
