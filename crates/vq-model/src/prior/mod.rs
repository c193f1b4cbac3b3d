//! The prior over grids of codes: a gated PixelCNN (van den Oord et al. 2016), trained after
//! the VQ-VAE on the code grids of the training set (van den Oord et al. 2017, section 3.3).
//! It gives, for every cell, `K` logits of `p(code | every cell before it in raster order)`.

mod gated;
pub mod host;

pub use gated::GatedLayer;
pub use host::HostPrior;

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Embedding, EmbeddingConfig, Relu};
use burn::prelude::*;
use burn::tensor::Int;

use crate::config::PriorConfig;

/// The cells, relative to a cell, that its logits depend on.
///
/// The logits of cell `(r, c)` depend on the cells of rows `r − rows_above ..= r − 1` within
/// `cols_side` columns of `c` (the vertical stack), and on the `cols_left_in_row` cells to the
/// left of `c` in row `r` (the horizontal stack); on nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceptiveField {
    /// Rows above the cell.
    pub rows_above: usize,
    /// Columns to either side, in the rows above.
    pub cols_side: usize,
    /// Columns to the left, in the cell's own row.
    pub cols_left_in_row: usize,
}

impl ReceptiveField {
    /// The field of `layers` gated layers of odd width `kernel`: each widens the view by
    /// `kernel / 2` cells, and the first (mask A) adds the row above and the cell to the left.
    pub fn of(layers: usize, kernel: usize) -> Self {
        let reach = layers * (kernel / 2);
        Self {
            rows_above: 1 + reach,
            cols_side: reach,
            cols_left_in_row: 1 + reach,
        }
    }

    /// Whether the logits of `target` depend on `cell` (both `(row, col)`).
    pub fn contains(&self, target: (usize, usize), cell: (usize, usize)) -> bool {
        let (tr, tc) = target;
        let (r, c) = cell;
        if r == tr {
            c < tc && tc - c <= self.cols_left_in_row
        } else {
            r < tr && tr - r <= self.rows_above && tc.abs_diff(c) <= self.cols_side
        }
    }

    /// Columns to the left the field reaches in any row.
    pub fn cols_left(&self) -> usize {
        self.cols_side.max(self.cols_left_in_row)
    }
}

/// A gated PixelCNN over `K`-way codes, optionally class-conditional.
#[derive(Module, Debug)]
pub struct PixelCnnPrior {
    pub(crate) embedding: Embedding,
    pub(crate) layers: Vec<GatedLayer>,
    pub(crate) out_hidden: Conv2d,
    pub(crate) out_logits: Conv2d,
    relu: Relu,
    /// Classes the prior is conditioned on (0: none).
    #[module(skip)]
    pub num_classes: usize,
    #[module(skip)]
    pub(crate) kernel: usize,
}

impl PixelCnnPrior {
    /// A freshly initialised prior of `config`.
    pub fn new(config: &PriorConfig, device: &Device) -> Self {
        let c = config.channels;
        Self {
            embedding: EmbeddingConfig::new(config.codebook_size, c).init(device),
            layers: (0..config.layers)
                .map(|i| GatedLayer::new(c, config.kernel, i == 0, config.num_classes, device))
                .collect(),
            out_hidden: Conv2dConfig::new([c, 2 * c], [1, 1]).init(device),
            out_logits: Conv2dConfig::new([2 * c, config.codebook_size], [1, 1]).init(device),
            relu: Relu::new(),
            num_classes: config.num_classes,
            kernel: config.kernel,
        }
    }

    /// `K`.
    pub fn codebook_size(&self) -> usize {
        self.embedding.weight.dims()[0]
    }

    /// Which cells the logits of a cell can depend on (see [`ReceptiveField`]).
    pub fn receptive_field(&self) -> ReceptiveField {
        ReceptiveField::of(self.layers.len(), self.kernel)
    }

    /// The class tensor for a batch: `class` or "no class" for every item.
    pub fn class_tensor(
        &self,
        class: Option<usize>,
        batch: usize,
        device: &Device,
    ) -> Tensor<1, Int> {
        let index = class.unwrap_or(self.num_classes).min(self.num_classes) as i64;
        Tensor::from_data(TensorData::new(vec![index; batch], [batch]), device)
    }

    /// Logits of every cell, teacher-forced on `codes`.
    ///
    /// # Shapes
    /// - `codes`: `[batch, H, W]`
    /// - `class`: `[batch]` (values in `0..=num_classes`; `num_classes` means none)
    /// - returns `[batch, K, H, W]`
    pub fn forward(&self, codes: Tensor<3, Int>, class: Option<Tensor<1, Int>>) -> Tensor<4> {
        let [batch, rows, cols] = codes.dims();
        let c = self.embedding.weight.dims()[1];
        let x = self
            .embedding
            .forward(codes.reshape([batch, rows * cols])) // [batch, H·W, c]
            .reshape([batch, rows, cols, c])
            .permute([0, 3, 1, 2]); // [batch, c, H, W]
        let class = class.filter(|_| self.num_classes > 0);
        let (_, h) = self.layers.iter().fold((x.clone(), x), |(v, h), layer| {
            layer.forward(v, h, class.as_ref())
        });
        let hidden = self
            .relu
            .forward(self.out_hidden.forward(self.relu.forward(h)));
        self.out_logits.forward(hidden) // [batch, K, H, W]
    }
}
