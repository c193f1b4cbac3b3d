//! One layer of the gated PixelCNN (van den Oord et al. 2016, "Conditional Image Generation
//! with PixelCNN Decoders", figure 2): a vertical stack that sees the rows above, a horizontal
//! stack that sees the cells to the left in the row, gated activations `tanh(a) ⊙ σ(b)` and an
//! optional class bias.
//!
//! Causality is built in by padding rather than by masking weights: the vertical convolution
//! (kernel `(k/2+1) × k`) is padded only above, the horizontal one (`1 × (k/2+1)`) only on the
//! left. The first layer ("mask A") also shifts its inputs one row down and one column right,
//! so that no cell sees itself; later layers ("mask B") may see the cell's own features, which
//! by then depend only on earlier cells. Two stacks leave no blind spot.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Embedding, EmbeddingConfig};
use burn::prelude::*;
use burn::tensor::Int;
use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::ops::PadMode;

/// A gated layer over `channels` feature maps.
#[derive(Module, Debug)]
pub struct GatedLayer {
    pub(crate) vertical: Conv2d,
    pub(crate) horizontal: Conv2d,
    pub(crate) vertical_to_horizontal: Conv2d,
    pub(crate) horizontal_out: Conv2d,
    pub(crate) class_bias: Option<Embedding>,
    /// Mask A (the first layer, which excludes the cell itself) or mask B.
    #[module(skip)]
    pub(crate) mask_a: bool,
    #[module(skip)]
    pub(crate) kernel: usize,
}

impl GatedLayer {
    /// A layer with an odd `kernel`; `num_classes > 0` adds a learned bias per class
    /// (plus one row for "no class").
    pub fn new(
        channels: usize,
        kernel: usize,
        mask_a: bool,
        num_classes: usize,
        device: &Device,
    ) -> Self {
        let half = kernel / 2;
        let c2 = 2 * channels;
        Self {
            vertical: Conv2dConfig::new([channels, c2], [half + 1, kernel]).init(device),
            horizontal: Conv2dConfig::new([channels, c2], [1, half + 1]).init(device),
            vertical_to_horizontal: Conv2dConfig::new([c2, c2], [1, 1]).init(device),
            horizontal_out: Conv2dConfig::new([channels, channels], [1, 1]).init(device),
            class_bias: (num_classes > 0)
                .then(|| EmbeddingConfig::new(num_classes + 1, c2).init(device)),
            mask_a,
            kernel,
        }
    }

    /// # Shapes
    /// - `v`, `h`: `[batch, channels, H, W]` (the vertical and horizontal stacks)
    /// - `class`: `[batch]`, class index (`num_classes` for none); ignored without classes
    /// - returns the two stacks, same shapes
    pub fn forward(
        &self,
        v: Tensor<4>,
        h: Tensor<4>,
        class: Option<&Tensor<1, Int>>,
    ) -> (Tensor<4>, Tensor<4>) {
        let [batch, _, rows, cols] = v.dims();
        let half = self.kernel / 2;
        let shift = usize::from(self.mask_a);
        let zero = PadMode::Constant(0.0);

        // Vertical: rows r−half−shift ..= r−shift, columns c−half ..= c+half.
        let v_in = v
            .pad([(half + shift, 0), (half, half)], zero)
            .narrow(2, 0, rows + half); // [batch, channels, rows+half, cols+2·half]
        let v_features = self.vertical.forward(v_in); // [batch, 2·channels, rows, cols]

        // Horizontal: the row itself, columns c−half−shift ..= c−shift.
        let h_in = h
            .clone()
            .pad([(0, 0), (half + shift, 0)], zero)
            .narrow(3, 0, cols + half); // [batch, channels, rows, cols+half]
        let h_features = self.horizontal.forward(h_in); // [batch, 2·channels, rows, cols]

        let bias = match (&self.class_bias, class) {
            (Some(embedding), Some(class)) => Some(
                embedding
                    .forward(class.clone().reshape([batch, 1])) // [batch, 1, 2·channels]
                    .reshape([batch as i32, -1, 1, 1]), // [batch, 2·channels, 1, 1]
            ),
            _ => None,
        };
        let with_bias = |x: Tensor<4>| match &bias {
            Some(b) => x + b.clone(),
            None => x,
        };

        let h_sum = h_features + self.vertical_to_horizontal.forward(v_features.clone());
        let v_out = gate(with_bias(v_features));
        let h_gated = self.horizontal_out.forward(gate(with_bias(h_sum)));
        // A residual on the horizontal stack, except in layer A where `h` holds the cell itself.
        let h_out = if self.mask_a { h_gated } else { h_gated + h };
        (v_out, h_out)
    }
}

/// `tanh(a) ⊙ σ(b)` over the two halves of the channels.
///
/// # Shapes
/// - `x`: `[batch, 2c, H, W]` → `[batch, c, H, W]`
fn gate(x: Tensor<4>) -> Tensor<4> {
    let c = x.dims()[1] / 2;
    let a = x.clone().narrow(1, 0, c);
    let b = x.narrow(1, c, c);
    tanh(a) * sigmoid(b)
}
