//! The training data of a session: the shipped subset's two splits, checked against their
//! manifest and parsed (`vq_model::subset`), the held-out images every evaluation measures,
//! and batches as tensors in model space.

use burn::tensor::{Device, Tensor, TensorData};
use vq_model::VqVaeConfig;
use vq_model::subset::{Subset, SubsetManifest, files};

use super::TrainingError;
use crate::protocol::TrainingData;

/// Held-out images each evaluation measures: the first of the test split (which is drawn
/// shuffled, so they mix the classes). Measured natively (release, one core): an evaluation
/// of all 500 took 400 to 600 ms for the fashion-size model (K = 128) and 550 to 900 ms for
/// K = 512, D = 64, a quarter of the time of the 8 chunks between two; 200 images took 140
/// to 390 ms. (Not measured: how far the mean PSNR of these 200 is from the 500's; with
/// per-image PSNRs a few dB apart, a few tenths of a dB.)
pub const EVALUATION_IMAGES: usize = 200;

/// Showcase images: one of each of these classes, in this order (Fashion-MNIST's T-shirt,
/// trouser, pullover, dress, sandal, sneaker, bag, ankle boot; the coat and the shirt look
/// like the pullover at 28×28).
const SHOWCASE_CLASSES: [u8; 8] = [0, 1, 2, 3, 5, 7, 8, 9];

/// The two splits, checked and parsed.
#[derive(Debug, Clone)]
pub struct Data {
    /// The images of the batches.
    pub train: Subset,
    /// The held-out images.
    pub test: Subset,
    /// Indices into `test` of the showcase images, all below [`Data::evaluated`].
    pub showcase: Vec<usize>,
}

impl Data {
    /// Checks `train` and `test` against `manifest`'s hashes before parsing either; then
    /// that their images have one size whose sides are multiples of 4.
    ///
    /// # Errors
    /// [`TrainingError::Data`] for a manifest that is not valid, bytes that are not the
    /// manifest's, a file that does not parse; [`TrainingError::ImageSize`].
    pub fn open(manifest: &str, train: &[u8], test: &[u8]) -> Result<Self, TrainingError> {
        let manifest = SubsetManifest::parse(manifest.as_bytes())?;
        manifest.verify(files::TRAIN, train)?;
        manifest.verify(files::TEST, test)?;
        let (train, test) = (Subset::parse(train)?, Subset::parse(test)?);
        let (height, width) = train.size();
        let side = VqVaeConfig::DOWNSAMPLE;
        if train.size() != test.size() || height % side != 0 || width % side != 0 {
            let (test_height, test_width) = test.size();
            return Err(TrainingError::ImageSize {
                width,
                height,
                test_width,
                test_height,
            });
        }
        let showcase = showcase(test.labels(), EVALUATION_IMAGES.min(test.len()));
        Ok(Self {
            train,
            test,
            showcase,
        })
    }

    /// Held-out images each evaluation measures.
    pub fn evaluated(&self) -> usize {
        EVALUATION_IMAGES.min(self.test.len())
    }

    /// Cells of one image's grid.
    pub fn grid_cells(&self) -> usize {
        let (height, width) = self.train.size();
        (height / VqVaeConfig::DOWNSAMPLE) * (width / VqVaeConfig::DOWNSAMPLE)
    }

    /// What the panel is told of the data.
    pub fn summary(&self) -> TrainingData {
        let (height, width) = self.test.size();
        let showcase_images = self.showcase.iter().filter_map(|&i| self.test.image(i));
        TrainingData {
            train: self.train.len(),
            test: self.test.len(),
            classes: self.train.classes() as usize,
            size: (width, height),
            showcase: showcase_images.flatten().copied().collect(),
            showcase_classes: self
                .showcase
                .iter()
                .map(|&i| self.test.labels()[i])
                .collect(),
            evaluated: self.evaluated(),
        }
    }

    /// The training images at `indices` on `device`.
    ///
    /// # Shapes
    /// - returns `[indices.len(), 1, H, W]` in model space
    ///
    /// # Errors
    /// [`TrainingError::Data`] for an index past the end.
    pub fn train_batch(
        &self,
        indices: &[usize],
        device: &Device,
    ) -> Result<Tensor<4>, TrainingError> {
        batch(&self.train, indices, device)
    }

    /// The held-out images every evaluation measures, on `device`.
    ///
    /// # Shapes
    /// - returns `[evaluated, 1, H, W]` in model space
    ///
    /// # Errors
    /// Not in practice: the indices are the set's own.
    pub fn test_batch(&self, device: &Device) -> Result<Tensor<4>, TrainingError> {
        let indices: Vec<usize> = (0..self.evaluated()).collect();
        batch(&self.test, &indices, device)
    }
}

/// The images of `set` at `indices` as a tensor.
fn batch(set: &Subset, indices: &[usize], device: &Device) -> Result<Tensor<4>, TrainingError> {
    let batch = set.batch(indices)?;
    Ok(Tensor::from_data(
        TensorData::new(batch.planes, batch.shape), // [n, 1, H, W]
        device,
    ))
}

/// Up to 8 images among the first `among` of `labels`: the first of each
/// [`SHOWCASE_CLASSES`] there is, then the first others for classes missing.
fn showcase(labels: &[u8], among: usize) -> Vec<usize> {
    let labels = &labels[..among.min(labels.len())];
    let mut chosen: Vec<usize> = SHOWCASE_CLASSES
        .iter()
        .filter_map(|&class| labels.iter().position(|&label| label == class))
        .collect();
    let wanted = SHOWCASE_CLASSES.len().min(labels.len());
    let mut next = 0;
    while chosen.len() < wanted {
        if !chosen.contains(&next) {
            chosen.push(next);
        }
        next += 1;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::showcase;

    #[test]
    fn the_showcase_takes_one_image_of_each_class_and_fills_in() {
        let labels = [4, 3, 7, 1, 5, 3, 8, 1, 2, 9, 9, 0];
        assert_eq!(
            showcase(&labels, labels.len()),
            vec![11, 3, 8, 1, 4, 2, 6, 9]
        );
        // Only classes 4, 3 and 7 among the first 3: 3 and 7, then the first image left.
        assert_eq!(showcase(&labels, 3), vec![1, 2, 0]);
    }
}
