//! The encoder of the VQ-VAE (van den Oord et al. 2017, section 4.1): two stride-2 4×4
//! convolutions, a 3×3, two residual blocks, and a 1×1 down to `D` channels: `x ↦ z_e`.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{PaddingConfig2d, Relu};
use burn::prelude::*;

use super::residual::ResidualStack;
use crate::config::VqVaeConfig;

/// `x` (an image) ↦ `z_e` (a grid of `D`-vectors, `downsample`× smaller on each side).
#[derive(Module, Debug)]
pub struct Encoder {
    pub(super) down1: Conv2d,
    pub(super) down2: Conv2d,
    pub(super) conv3: Conv2d,
    pub(super) residual: ResidualStack,
    pub(super) to_embedding: Conv2d,
    relu: Relu,
}

impl Encoder {
    /// The encoder of `config`.
    pub fn new(config: &VqVaeConfig, device: &Device) -> Self {
        let h = config.hidden_channels;
        let stride2 = |c_in, c_out| {
            Conv2dConfig::new([c_in, c_out], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let same3x3 = |c_in, c_out| {
            Conv2dConfig::new([c_in, c_out], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        Self {
            down1: stride2(config.in_channels, h / 2),
            down2: if config.second_stride2() {
                stride2(h / 2, h)
            } else {
                same3x3(h / 2, h)
            },
            conv3: same3x3(h, h),
            residual: ResidualStack::new(
                config.residual_blocks,
                h,
                config.residual_channels,
                device,
            ),
            to_embedding: Conv2dConfig::new([h, config.embedding_dim], [1, 1]).init(device),
            relu: Relu::new(),
        }
    }

    /// Weight of the first convolution (to check that gradients reach the input side).
    pub fn first_weight(&self) -> Tensor<4> {
        self.down1.weight.val()
    }

    /// # Shapes
    /// - `x`: `[batch, in_channels, H, W]`, `H` and `W` multiples of 4
    /// - returns `z_e`: `[batch, D, H/4, W/4]` (`H/2 × W/2` at a `downsample` of 2)
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.relu.forward(self.down1.forward(x)); // [batch, h/2, H/2, W/2]
        let x = self.relu.forward(self.down2.forward(x)); // [batch, h, H/4, W/4] (or H/2, W/2)
        let x = self.conv3.forward(x);
        let x = self.residual.forward(x);
        self.to_embedding.forward(x) // [batch, D, H/4, W/4]
    }
}
