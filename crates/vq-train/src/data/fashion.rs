//! Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from Debian's `dataset-fashion-mnist`: IDX files,
//! 60 000 training and 10 000 test images of 28×28 grey, ten classes.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use vq_model::subset::Subset;

use super::ImageSet;

/// Where Debian installs the dataset.
pub const DEFAULT_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The ten classes, in label order.
pub const CLASS_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Which split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// 60 000 images.
    Train,
    /// 10 000 images, never seen in training.
    Test,
}

/// Reads a split from `dir` (IDX, gzipped or not), in model space (`pixel/255 − 0.5`).
pub fn load(dir: &Path, split: Split) -> Result<ImageSet> {
    let grey = load_grey(dir, split)?;
    let (side, _) = grey.size();
    Ok(ImageSet {
        channels: 1,
        side,
        pixels: grey
            .pixels()
            .iter()
            .map(|&p| f32::from(p) / 255.0 - 0.5)
            .collect(),
        labels: grey.labels().to_vec(),
    })
}

/// Reads a split from `dir` as stored: `u8` pixels and labels (what `vq-train
/// training-subset` draws the site's training images from).
pub fn load_grey(dir: &Path, split: Split) -> Result<Subset> {
    let prefix = match split {
        Split::Train => "train",
        Split::Test => "t10k",
    };
    let images = read_idx(&find(dir, &format!("{prefix}-images-idx3-ubyte"))?)?;
    let labels = read_idx(&find(dir, &format!("{prefix}-labels-idx1-ubyte"))?)?;
    if images.len() < 16 || labels.len() < 8 {
        bail!("{} holds truncated IDX files", dir.display());
    }
    let count = u32::from_be_bytes([images[4], images[5], images[6], images[7]]) as usize;
    let side = u32::from_be_bytes([images[8], images[9], images[10], images[11]]) as usize;
    let pixels = &images[16..];
    if pixels.len() != count * side * side || labels.len() - 8 != count {
        bail!(
            "{}: sizes in the IDX headers do not match the data",
            dir.display()
        );
    }
    Subset::new(
        (side, side),
        CLASS_NAMES.len() as u32,
        labels[8..].to_vec(),
        pixels.to_vec(),
    )
    .with_context(|| format!("{}: Fashion-MNIST's {prefix} split", dir.display()))
}

fn find(dir: &Path, stem: &str) -> Result<PathBuf> {
    for name in [format!("{stem}.gz"), stem.to_string()] {
        let path = dir.join(name);
        if path.exists() {
            return Ok(path);
        }
    }
    bail!(
        "Fashion-MNIST is missing: no {stem}(.gz) in {}. Install it with `apt-get install dataset-fashion-mnist` (or run scripts/install-data.sh).",
        dir.display()
    )
}

fn read_idx(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}
