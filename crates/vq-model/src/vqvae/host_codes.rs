//! The decoder's first convolution applied to codes, for the host: its input is a codebook
//! vector per cell, so each tap's product with each code is computed once, when the model is
//! read, and a cell's output is the bias plus one row of that table per tap. For the photo
//! model (3×3 from `D` = 64 to 128 channels, `K` = 512) that replaces 73 728 multiply-adds per
//! cell by 1 152 additions, for a table of `K × 9 × 128` values (2.4 MB).

use std::ops::Range;

use super::host_conv::{HostConv, Map, Region};
use crate::sampler::Grid;

/// A `k × k` convolution (padding `k / 2`, stride 1) over the codebook vectors of a grid.
#[derive(Debug, Clone)]
pub struct CodeConv {
    /// `W_t · e_code` for every code, tap and output: `[K][tap][out]`.
    table: Vec<f32>,
    bias: Vec<f32>,
    kernel: usize,
    codes: usize,
}

impl CodeConv {
    /// From the convolution's weights `[out, D, k, k]`, its bias and the codebook `K × D`. The
    /// table is itself a 1×1 convolution of the host kernel, from `D` to `k² · out` channels,
    /// over the codebook as a row of `K` cells (a few milliseconds when a model is read).
    pub fn new(weight: &[f32], bias: &[f32], kernel: usize, codebook: &[f32], d: usize) -> Self {
        let outputs = bias.len();
        let taps = kernel * kernel;
        let d = d.max(1);
        let codes = codebook.len() / d;
        let products = HostConv::pointwise(
            (d, taps * outputs),
            |j, i| weight[((j % outputs) * d + i) * taps + j / outputs],
            &vec![0.0; taps * outputs],
        );
        let codebook = Map {
            height: 1,
            width: codes,
            channels: d,
            data: codebook[..codes * d].to_vec(),
        };
        Self {
            table: products.forward(&codebook, false, false).data, // [1, K, k² · out]
            bias: bias.to_vec(),
            kernel,
            codes,
        }
    }

    /// The layer's outputs at rows `rows` × columns `cols` of `grid` (zeros around the grid,
    /// as the layer's padding; codes past `K` read as the last, as the checked grids never
    /// hold them): each the bias plus the taps' rows, added in the taps' order.
    ///
    /// # Shapes
    /// - returns `[rows.len(), cols.len(), out]`, placed at `(rows.start, cols.start)` of the
    ///   grid's frame
    pub fn forward_region(&self, grid: &Grid, rows: Range<usize>, cols: Range<usize>) -> Region {
        let outputs = self.bias.len();
        let (k, pad) = (self.kernel, self.kernel / 2);
        let last = self.codes.saturating_sub(1);
        let mut map = Map::zeros(rows.len(), cols.len(), outputs);
        let cells = rows
            .clone()
            .flat_map(|row| cols.clone().map(move |col| (row, col)));
        for ((row, col), out) in cells.zip(map.data.chunks_exact_mut(outputs.max(1))) {
            out.copy_from_slice(&self.bias);
            for t in 0..k * k {
                let (y, x) = (
                    (row + t / k).checked_sub(pad),
                    (col + t % k).checked_sub(pad),
                );
                let (Some(y), Some(x)) = (y, x) else { continue };
                if y >= grid.height || x >= grid.width {
                    continue;
                }
                let code = (grid.codes[y * grid.width + x] as usize).min(last);
                let start = (code * k * k + t) * outputs;
                for (o, &v) in out.iter_mut().zip(&self.table[start..start + outputs]) {
                    *o += v;
                }
            }
        }
        Region {
            map,
            top: rows.start,
            left: cols.start,
            frame: (grid.height, grid.width),
        }
    }
}
