//! The residual block of the VQ-VAE paper (section 4.1): `x + 1×1(ReLU(3×3(ReLU(x))))`.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{PaddingConfig2d, Relu};
use burn::prelude::*;

/// One residual block; the stack of them ends with a ReLU (see [`ResidualStack`]).
#[derive(Module, Debug)]
pub struct ResidualBlock {
    pub(super) conv3: Conv2d,
    pub(super) conv1: Conv2d,
    relu: Relu,
}

impl ResidualBlock {
    /// A block on `channels` channels with `hidden` channels inside.
    pub fn new(channels: usize, hidden: usize, device: &Device) -> Self {
        Self {
            conv3: Conv2dConfig::new([channels, hidden], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            conv1: Conv2dConfig::new([hidden, channels], [1, 1]).init(device),
            relu: Relu::new(),
        }
    }

    /// # Shapes
    /// - `x`: `[batch, channels, height, width]` → same shape.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let h = self.conv3.forward(self.relu.forward(x.clone()));
        let h = self.conv1.forward(self.relu.forward(h));
        x + h
    }
}

/// Residual blocks in sequence, followed by a ReLU (as in DeepMind's Sonnet VQ-VAE).
#[derive(Module, Debug)]
pub struct ResidualStack {
    pub(super) blocks: Vec<ResidualBlock>,
    relu: Relu,
}

impl ResidualStack {
    /// `count` blocks on `channels` channels.
    pub fn new(count: usize, channels: usize, hidden: usize, device: &Device) -> Self {
        Self {
            blocks: (0..count)
                .map(|_| ResidualBlock::new(channels, hidden, device))
                .collect(),
            relu: Relu::new(),
        }
    }

    /// # Shapes
    /// - `x`: `[batch, channels, height, width]` → same shape.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.blocks.iter().fold(x, |x, block| block.forward(x));
        self.relu.forward(x)
    }
}
