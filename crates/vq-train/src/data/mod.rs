//! Datasets the trainer reads, all from Debian packages (see `scripts/install-data.sh`).

pub mod fashion;
pub mod photos;

/// Images of one size as planar `f32` in model space (`pixel/255 − 0.5`), with labels.
#[derive(Debug, Clone)]
pub struct ImageSet {
    /// Channels per image.
    pub channels: usize,
    /// Side of the (square) images.
    pub side: usize,
    /// `len × channels × side × side` values.
    pub pixels: Vec<f32>,
    /// A class per image (empty when unlabelled).
    pub labels: Vec<u8>,
}

impl ImageSet {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.pixels.len() / (self.channels * self.side * self.side).max(1)
    }

    /// Whether there is no image.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Values of one image.
    pub fn image(&self, index: usize) -> &[f32] {
        let n = self.channels * self.side * self.side;
        &self.pixels[index * n..(index + 1) * n]
    }

    /// The first `count` images.
    pub fn take(&self, count: usize) -> ImageSet {
        let count = count.min(self.len());
        let n = self.channels * self.side * self.side;
        ImageSet {
            channels: self.channels,
            side: self.side,
            pixels: self.pixels[..count * n].to_vec(),
            labels: self.labels.iter().take(count).copied().collect(),
        }
    }
}
