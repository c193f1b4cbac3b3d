//! # vq-model
//!
//! The models of VQ Lab, with no web dependency: the VQ-VAE of
//! "Neural Discrete Representation Learning" (van den Oord, Vinyals, Kavukcuoglu, 2017,
//! <https://arxiv.org/abs/1711.00937>) and the gated PixelCNN prior over its codes
//! ("Conditional Image Generation with PixelCNN Decoders", van den Oord et al., 2016,
//! <https://arxiv.org/abs/1606.05328>).
//!
//! - [`vqvae`]: encoder → [`quantizer`] → decoder, and [`incremental`] decoding of a window.
//! - [`prior`]: the gated PixelCNN and its [`sampler`]s (whole grid, completion, surprisal,
//!   suggestions), each computed from the prior's finite causal neighbourhood.
//! - [`codebook`]: how much of the codebook a set of grids uses (usage, perplexity).
//! - `train` (feature `train`): the training step of the VQ-VAE (losses, Adam, EMA, k-means
//!   init, dead-code revival, the learning rate's schedule), for the native trainer and the
//!   browser alike.
//! - [`image`]: RGBA bytes ↔ tensors and the resize policy of uploads.
//! - [`weights`]: weights + `config.json` + manifest, hash checked before parsing.
//! - [`subset`]: the training images shipped with the site (`VQLT` files and their manifest),
//!   parsed with checked sizes and turned into batches in model space; no burn.
//!
//! Everything the browser runs reads tensors with `into_data_async`; nothing here blocks.

pub mod codebook;
pub mod config;
pub mod exp;
pub mod image;
pub mod incremental;
pub mod inside;
pub mod loss_terms;
pub mod map;
pub mod prior;
pub mod quantizer;
pub mod rng;
pub mod sampler;
pub mod subset;
#[cfg(feature = "train")]
pub mod train;
pub mod vqvae;
pub mod weights;

pub use config::{ModelConfig, PriorConfig, VqVaeConfig};

/// `max(v, 0)` as a comparison and a select. In WebAssembly `f32::max` is `f32.max`, whose
/// rules for NaN and −0 V8 meets with branches, mispredicted on activations of either sign;
/// the comparison is branch-free and vectorises (BENCHMARKS.md: the autoencoder's ReLUs).
/// NaN gives 0, as `f32::max` does.
#[inline(always)]
pub(crate) fn relu(v: f32) -> f32 {
    if v > 0.0 { v } else { 0.0 }
}

pub use prior::PixelCnnPrior;
pub use quantizer::{Quantized, VectorQuantizer};
pub use vqvae::VqVae;

/// Reads a tensor's data without blocking: the one way tensors leave the device here.
///
/// # Errors
/// Returns [`ReadError`] when the backend fails to read the tensor back.
pub async fn read_f32<const D: usize>(tensor: burn::Tensor<D>) -> Result<Vec<f32>, ReadError> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadError(format!("{e:?}")))?;
    data.convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| ReadError(format!("{e:?}")))
}

/// Reads an integer tensor's data without blocking.
///
/// # Errors
/// Returns [`ReadError`] when the backend fails to read the tensor back.
pub async fn read_i64<const D: usize>(
    tensor: burn::Tensor<D, burn::tensor::Int>,
) -> Result<Vec<i64>, ReadError> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadError(format!("{e:?}")))?;
    data.convert::<i64>()
        .try_into_vec::<i64>()
        .map_err(|e| ReadError(format!("{e:?}")))
}

/// A tensor could not be read back from its device.
#[derive(Debug, thiserror::Error)]
#[error("could not read a tensor back from the device: {0}")]
pub struct ReadError(pub String);
