//! The VQ-VAE of "Neural Discrete Representation Learning" (van den Oord, Vinyals,
//! Kavukcuoglu, 2017): `x → encoder → z_e → quantizer → z_q → decoder → x̂`, trained with
//! `‖x − x̂‖² + ‖sg[z_e] − e‖² + β‖z_e − sg[e]‖²`.

mod decoder;
mod encoder;
pub mod host;
pub mod host_codes;
pub mod host_conv;
pub mod host_quantizer;
mod residual;

pub use decoder::{Decoder, Upsampling};
pub use encoder::Encoder;
pub use host::{HostPatch, HostVqVae};
pub use host_conv::{Map, Region};
pub use host_quantizer::{HostQuantizer, HostRanked};
pub use residual::{ResidualBlock, ResidualStack};

use burn::prelude::*;
use burn::tensor::Int;

use crate::config::VqVaeConfig;
use crate::quantizer::{Quantized, VectorQuantizer};

/// Encoder, codebook and decoder.
#[derive(Module, Debug)]
pub struct VqVae {
    /// `x ↦ z_e`.
    pub encoder: Encoder,
    /// The codebook, `z_e ↦ z_q`.
    pub quantizer: VectorQuantizer,
    /// `z_q ↦ x̂`.
    pub decoder: Decoder,
    /// β of the commitment loss.
    #[module(skip)]
    pub commitment_cost: f64,
    /// Pixels per code along each side (the config's `downsample`).
    #[module(skip)]
    downsample: usize,
}

/// One pass through the autoencoder.
#[derive(Debug, Clone)]
pub struct Reconstruction {
    /// `z_e`, the encoder's output, `[batch, D, h, w]`.
    pub z_e: Tensor<4>,
    /// `x̂`, `[batch, C, H, W]` in model space.
    pub x_hat: Tensor<4>,
    /// The quantizer's output for the batch.
    pub quantized: Quantized,
}

/// The terms of the loss, each `[1]`.
#[derive(Debug, Clone)]
pub struct Losses {
    /// `‖x − x̂‖²`, mean over pixels.
    pub reconstruction: Tensor<1>,
    /// `‖sg[z_e] − e‖²` (left out when the codebook follows the EMA rule).
    pub codebook: Tensor<1>,
    /// `β‖z_e − sg[e]‖²`.
    pub commitment: Tensor<1>,
}

impl Losses {
    /// The sum to minimise; `with_codebook_loss` is false when the codebook is updated by EMA.
    pub fn total(&self, with_codebook_loss: bool) -> Tensor<1> {
        let total = self.reconstruction.clone() + self.commitment.clone();
        if with_codebook_loss {
            total + self.codebook.clone()
        } else {
            total
        }
    }
}

impl VqVae {
    /// A freshly initialised model of `config`.
    pub fn new(config: &VqVaeConfig, device: &Device) -> Self {
        Self {
            encoder: Encoder::new(config, device),
            quantizer: VectorQuantizer::new(config.codebook_size, config.embedding_dim, device),
            decoder: Decoder::new(config, device),
            commitment_cost: config.commitment_cost,
            downsample: config.downsample(),
        }
    }

    /// Encodes, quantizes and decodes.
    ///
    /// # Shapes
    /// - `x`: `[batch, C, H, W]` in model space, `H`, `W` multiples of 4
    pub fn forward(&self, x: Tensor<4>) -> Reconstruction {
        let z_e = self.encoder.forward(x); // [batch, D, H/4, W/4]
        let quantized = self.quantizer.forward(z_e.clone());
        let x_hat = self.decoder.forward(quantized.z_q.clone()); // [batch, C, H, W]
        Reconstruction {
            z_e,
            x_hat,
            quantized,
        }
    }

    /// The loss terms of a pass on `x`.
    pub fn losses(&self, x: Tensor<4>, pass: &Reconstruction) -> Losses {
        Losses {
            reconstruction: (pass.x_hat.clone() - x).square().mean(),
            codebook: pass.quantized.codebook_loss.clone(),
            commitment: pass.quantized.commitment_loss.clone() * self.commitment_cost,
        }
    }

    /// Pixels per code along each side: 4, or 2 for a `vq-train --downsample 2` model.
    pub fn downsample(&self) -> usize {
        self.downsample
    }

    /// The grid of codes of `x`.
    ///
    /// # Shapes
    /// - `x`: `[batch, C, H, W]` → `[batch, H/4, W/4]`
    pub fn encode(&self, x: Tensor<4>) -> Tensor<3, Int> {
        self.quantizer.nearest(self.encoder.forward(x)).codes
    }

    /// Decodes a grid of codes.
    ///
    /// # Shapes
    /// - `codes`: `[batch, h, w]` → `x̂`: `[batch, C, 4h, 4w]`
    pub fn decode(&self, codes: Tensor<3, Int>) -> Tensor<4> {
        self.decoder.forward(self.quantizer.z_q_from_codes(codes))
    }
}
