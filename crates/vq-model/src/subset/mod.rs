//! The training images the site ships (`assets/training/<name>/`, served as
//! `training/<name>/`): a few thousand labelled grey images that a training worker in the
//! page fetches when the training panel opens, checks against their manifest, and feeds to
//! `vq_model::train` as batches in model space. No burn and no I/O here: bytes in, numbers
//! out, so the same code runs natively and in the browser.
//!
//! # The format (`VQLT`, version 1)
//!
//! One file per split (`train.bin`, `test.bin`), all integers little-endian:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 4 | magic, the ASCII bytes `VQLT` |
//! | 4 | 4 | version, `u32`: 1 |
//! | 8 | 4 | `count`, `u32`: images, at least 1 |
//! | 12 | 4 | `height`, `u32`: rows of each image, at least 1 |
//! | 16 | 4 | `width`, `u32`: columns of each image, at least 1 |
//! | 20 | 4 | `classes`, `u32`: 1 to 256; every label is below it |
//! | 24 | `count` | the labels, one `u8` per image |
//! | 24 + `count` | `count × height × width` | the pixels, `u8`, image after image, each row-major, grey levels as in the source (Fashion-MNIST: 0 is the background) |
//!
//! Nothing follows the pixels. [`Subset::parse`] checks every field and the file's length
//! (with checked arithmetic) before it allocates, so a truncated or hostile file is a
//! [`SubsetError`] sentence, never a panic or an allocation larger than the file.
//!
//! `manifest.json` ([`SubsetManifest`]) gives each file's size and SHA-256 ([`verify`]), the
//! counts, the source and its licence, the command and the seed of the draw.

mod batch;
mod error;
mod format;
mod manifest;
#[cfg(test)]
mod tests;

pub use batch::Batch;
pub use error::SubsetError;
pub use format::{HEADER_BYTES, MAGIC, MAX_CLASSES, Subset, VERSION};
pub use manifest::{SubsetFile, SubsetManifest, sha256_hex, verify};

/// File names inside a training-data directory.
pub mod files {
    /// The training images.
    pub const TRAIN: &str = "train.bin";
    /// The held-out images.
    pub const TEST: &str = "test.bin";
    /// Sizes, hashes, counts and provenance.
    pub const MANIFEST: &str = "manifest.json";
}
