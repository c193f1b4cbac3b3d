//! Architectures, as they are written to `config.json` next to the weights.

use burn::config::Config;

/// The VQ-VAE of van den Oord et al. (2017): encoder, codebook, decoder.
///
/// The encoder downsamples by 4 (two stride-2 4×4 convolutions), so an `H×W` image becomes an
/// `H/4 × W/4` grid of codes.
#[derive(Config, Debug, PartialEq)]
pub struct VqVaeConfig {
    /// Image channels: 1 for grey, 3 for RGB.
    pub in_channels: usize,
    /// Channels of the hidden layers (the paper uses 256; smaller models are fine here).
    #[config(default = 64)]
    pub hidden_channels: usize,
    /// Channels inside each residual block (ReLU, 3×3, ReLU, 1×1).
    #[config(default = 32)]
    pub residual_channels: usize,
    /// Residual blocks in the encoder and in the decoder (the paper uses 2).
    #[config(default = 2)]
    pub residual_blocks: usize,
    /// `D`, the dimension of each codebook vector.
    pub embedding_dim: usize,
    /// `K`, the number of codes in the codebook.
    pub codebook_size: usize,
    /// β of the commitment loss `β‖z_e − sg[e]‖²`; 0.25 in the paper.
    #[config(default = 0.25)]
    pub commitment_cost: f64,
}

impl VqVaeConfig {
    /// Pixels per code along each side.
    pub const DOWNSAMPLE: usize = 4;
}

/// The gated PixelCNN prior over grids of codes.
#[derive(Config, Debug, PartialEq)]
pub struct PriorConfig {
    /// `K`, the number of codes (and of logits per cell).
    pub codebook_size: usize,
    /// Channels of the gated stacks.
    #[config(default = 64)]
    pub channels: usize,
    /// Gated layers: the first is causal with mask A (excludes the cell), the rest mask B.
    #[config(default = 6)]
    pub layers: usize,
    /// Odd kernel width of the stacks; each layer widens the view by `kernel / 2` cells.
    #[config(default = 3)]
    pub kernel: usize,
    /// Classes for conditioning (0 for none). Index `num_classes` means "no class".
    #[config(default = 0)]
    pub num_classes: usize,
}

/// Both halves of a shipped model, as `config.json` holds them.
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    /// The name the app shows, e.g. `fashion`.
    pub name: String,
    /// The autoencoder.
    pub vqvae: VqVaeConfig,
    /// The prior over its code grids.
    pub prior: PriorConfig,
    /// Side of the images the model was trained on, in pixels (28 for Fashion-MNIST).
    pub image_size: usize,
    /// Names of the classes the prior is conditioned on, if any.
    #[config(default = "Vec::new()")]
    pub class_names: Vec<String>,
}
