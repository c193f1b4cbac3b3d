//! The decoder of the VQ-VAE, the encoder's mirror: a 3×3 from `D` channels, two residual
//! blocks, and two stride-2 4×4 transposed convolutions back to the image: `z_q ↦ x̂`.

use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{PaddingConfig2d, Relu};
use burn::prelude::*;

use super::residual::ResidualStack;
use crate::config::VqVaeConfig;

/// `z_q` (a grid of codebook vectors) ↦ `x̂` (an image `downsample`× larger on each side).
#[derive(Module, Debug)]
pub struct Decoder {
    pub(super) conv3: Conv2d,
    pub(super) residual: ResidualStack,
    pub(super) up1: ConvTranspose2d,
    pub(super) up2: ConvTranspose2d,
    relu: Relu,
}

impl Decoder {
    /// The decoder of `config`.
    pub fn new(config: &VqVaeConfig, device: &Device) -> Self {
        let h = config.hidden_channels;
        let stride2 = |c_in, c_out| {
            ConvTranspose2dConfig::new([c_in, c_out], [4, 4])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .init(device)
        };
        Self {
            conv3: Conv2dConfig::new([config.embedding_dim, h], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            residual: ResidualStack::new(
                config.residual_blocks,
                h,
                config.residual_channels,
                device,
            ),
            up1: if config.second_stride2() {
                stride2(h, h / 2)
            } else {
                ConvTranspose2dConfig::new([h, h / 2], [3, 3])
                    .with_padding([1, 1])
                    .init(device)
            },
            up2: stride2(h / 2, config.in_channels),
            relu: Relu::new(),
        }
    }

    /// How far, in cells, a change of one cell of `z_q` spreads before the upsampling: the
    /// first 3×3 and the 3×3 of each residual block each reach one cell further.
    pub fn latent_reach(config: &VqVaeConfig) -> usize {
        1 + config.residual_blocks
    }

    /// The decoder's two upsampling layers, `up1` then `up2`, at a `downsample` of
    /// `downsample`: both stride 2 at 4; at 2, `up1` keeps the size.
    pub fn upsamplings(downsample: usize) -> [Upsampling; 2] {
        let up1 = if downsample == 4 {
            Upsampling::Stride2
        } else {
            Upsampling::Same
        };
        [up1, Upsampling::Stride2]
    }

    /// # Shapes
    /// - `z_q`: `[batch, D, h, w]`
    /// - returns `x̂`: `[batch, in_channels, 4h, 4w]` (`2h × 2w` at a `downsample` of 2), in
    ///   model space (pixel/255 − 0.5)
    pub fn forward(&self, z_q: Tensor<4>) -> Tensor<4> {
        let x = self.conv3.forward(z_q); // [batch, hidden, h, w]
        let x = self.residual.forward(x);
        let x = self.relu.forward(self.up1.forward(x)); // [batch, hidden/2, 2h, 2w] (or h, w)
        self.up2.forward(x) // [batch, in_channels, 4h, 4w]
    }
}

/// What one of the decoder's upsampling layers does to positions (rows or columns), for
/// working out which pixels a cell reaches and which cells a pixel reads. Ranges here are
/// inclusive `(first, last)` and unbounded (they may run past either edge; callers clamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsampling {
    /// A 4×4 transposed convolution, stride 2, padding 1: input `i` reaches outputs
    /// `2i − 1 ..= 2i + 2`, so output `o` reads inputs `⌈(o − 2)/2⌉ ..= ⌊(o + 1)/2⌋`.
    Stride2,
    /// A 3×3 transposed convolution, stride 1, padding 1: input `i` reaches outputs
    /// `i − 1 ..= i + 1`, and output `o` reads inputs `o − 1 ..= o + 1`.
    Same,
}

impl Upsampling {
    /// Outputs per input along each side.
    pub fn factor(self) -> usize {
        match self {
            Self::Stride2 => 2,
            Self::Same => 1,
        }
    }

    /// The outputs that inputs `first ..= last` reach.
    pub fn reaches(self, (first, last): (isize, isize)) -> (isize, isize) {
        match self {
            Self::Stride2 => (2 * first - 1, 2 * last + 2),
            Self::Same => (first - 1, last + 1),
        }
    }

    /// The inputs that outputs `first ..= last` read.
    pub fn reads(self, (first, last): (isize, isize)) -> (isize, isize) {
        match self {
            Self::Stride2 => (-(2 - first).div_euclid(2), (last + 1).div_euclid(2)),
            Self::Same => (first - 1, last + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Upsampling;

    /// `reads` is what `reaches` implies: output `o` reads exactly the inputs that reach it.
    #[test]
    fn an_output_reads_the_inputs_that_reach_it() {
        for kind in [Upsampling::Stride2, Upsampling::Same] {
            for o in -6..12 {
                let reaching: Vec<isize> = (-10..20)
                    .filter(|&i| {
                        let (first, last) = kind.reaches((i, i));
                        (first..=last).contains(&o)
                    })
                    .collect();
                let (first, last) = kind.reads((o, o));
                assert_eq!(
                    reaching,
                    (first..=last).collect::<Vec<_>>(),
                    "{kind:?} at {o}"
                );
            }
        }
    }
}
