//! The prior's weights on the host, as plain arrays, and the computations of one cell of one
//! layer that the cached sampler ([`crate::sampler::cached`]) is made of.
//!
//! A sampler in raster order is sequential: each new cell needs a few matrix–vector products
//! per layer (about half a million multiply-adds for the shipped priors), far less than what a
//! device call costs to dispatch and read back. So the cached sampler runs on the host, the
//! same on every backend, from weights read once from the device.
//!
//! The layer's convolutions become [`Dense`] maps over their taps: a convolution's weight
//! `[out, in, kh, kw]` is stored as rows `[out][ky][kx][in]`, so that the input of one output
//! cell is the concatenation of its taps' feature vectors (zeros where a tap is outside the
//! grid, as burn's zero padding).

use burn::nn::conv::Conv2d;

use super::{PixelCnnPrior, ReceptiveField};
use crate::{ReadError, read_f32};

/// A dense map `y = W·x + b` with `W` stored row by row.
#[derive(Debug, Clone)]
pub struct Dense {
    /// Outputs.
    pub rows: usize,
    /// Inputs.
    pub cols: usize,
    /// `rows × cols`, row after row.
    weight: Vec<f32>,
    /// `rows`.
    bias: Vec<f32>,
}

impl Dense {
    /// The convolution `conv` (weight `[out, in, kh, kw]`) as a map from its taps
    /// `[ky][kx][in]` to its outputs.
    async fn from_conv(conv: &Conv2d) -> Result<Self, ReadError> {
        let [out, inp, kh, kw] = conv.weight.dims();
        let raw = read_f32(conv.weight.val()).await?;
        let cols = kh * kw * inp;
        let mut weight = vec![0.0; out * cols];
        for o in 0..out {
            for i in 0..inp {
                for ky in 0..kh {
                    for kx in 0..kw {
                        weight[o * cols + (ky * kw + kx) * inp + i] =
                            raw[((o * inp + i) * kh + ky) * kw + kx];
                    }
                }
            }
        }
        let bias = match &conv.bias {
            Some(bias) => read_f32(bias.val()).await?,
            None => vec![0.0; out],
        };
        Ok(Self {
            rows: out,
            cols,
            weight,
            bias,
        })
    }

    /// `y = W·x + b`.
    ///
    /// # Shapes
    /// - `x`: `[cols]`, `y`: `[rows]`
    pub fn apply(&self, x: &[f32], y: &mut [f32]) {
        debug_assert_eq!((x.len(), y.len()), (self.cols, self.rows));
        // In the browser, four rows at a time share each read of `x` (each row's sum is
        // `dot`'s, bit for bit); the rows left over, and every row elsewhere, one by one.
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let done = simd::apply4(&self.weight, &self.bias, x, y);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let done = 0;
        let rows = self.weight[done * self.cols..].chunks_exact(self.cols);
        for ((out, bias), row) in y[done..].iter_mut().zip(&self.bias[done..]).zip(rows) {
            *out = bias + dot(row, x);
        }
    }
}

/// `Σ aᵢ·bᵢ` in eight lanes (lane `l` sums the products `i ≡ l (mod 8)`, then the lanes are
/// added in order, then the tail): the reference order of every sum of the prior on the host,
/// which [`simd::dot4`] keeps.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    for (x, y) in a8.iter().zip(b8) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

/// WebAssembly SIMD, written with its intrinsics: left to the compiler, [`dot`] is vectorised
/// in a small module but came out scalar inside the engine's wasm.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        f32x4, f32x4_add, f32x4_extract_lane as lane, f32x4_mul, f32x4_splat, v128,
    };

    /// `y = W·x + b` for the first rows of `y` in fours; returns how many rows it computed.
    pub fn apply4(weight: &[f32], bias: &[f32], x: &[f32], y: &mut [f32]) -> usize {
        let cols = x.len();
        let quads = y.len() / 4;
        for q in 0..quads {
            let row = |r: usize| &weight[(4 * q + r) * cols..(4 * q + r + 1) * cols];
            let sums = dot4([row(0), row(1), row(2), row(3)], x);
            for (r, sum) in sums.into_iter().enumerate() {
                y[4 * q + r] = bias[4 * q + r] + sum;
            }
        }
        4 * quads
    }

    /// [`super::dot`] of four rows with one `x`, as eight vectors of four lanes in locals.
    #[inline(always)]
    pub fn dot4(rows: [&[f32]; 4], x: &[f32]) -> [f32; 4] {
        let [r0, r1, r2, r3] = rows;
        let zero = f32x4_splat(0.0);
        let (mut a0, mut b0, mut a1, mut b1) = (zero, zero, zero, zero);
        let (mut a2, mut b2, mut a3, mut b3) = (zero, zero, zero, zero);
        let halves = |v: &[f32; 8]| (f32x4(v[0], v[1], v[2], v[3]), f32x4(v[4], v[5], v[6], v[7]));
        let (x8, _) = x.as_chunks::<8>();
        let n = x8.len() * 8;
        let (c0, c1, c2, c3) = (
            r0.as_chunks::<8>().0,
            r1.as_chunks::<8>().0,
            r2.as_chunks::<8>().0,
            r3.as_chunks::<8>().0,
        );
        let steps = x8
            .len()
            .min(c0.len())
            .min(c1.len())
            .min(c2.len())
            .min(c3.len());
        for i in 0..steps {
            let (xl, xh) = halves(&x8[i]);
            let (wl, wh) = halves(&c0[i]);
            a0 = f32x4_add(a0, f32x4_mul(wl, xl));
            b0 = f32x4_add(b0, f32x4_mul(wh, xh));
            let (wl, wh) = halves(&c1[i]);
            a1 = f32x4_add(a1, f32x4_mul(wl, xl));
            b1 = f32x4_add(b1, f32x4_mul(wh, xh));
            let (wl, wh) = halves(&c2[i]);
            a2 = f32x4_add(a2, f32x4_mul(wl, xl));
            b2 = f32x4_add(b2, f32x4_mul(wh, xh));
            let (wl, wh) = halves(&c3[i]);
            a3 = f32x4_add(a3, f32x4_mul(wl, xl));
            b3 = f32x4_add(b3, f32x4_mul(wh, xh));
        }
        let finish = |a: v128, b: v128, row: &[f32]| {
            let lanes = [
                lane::<0>(a),
                lane::<1>(a),
                lane::<2>(a),
                lane::<3>(a),
                lane::<0>(b),
                lane::<1>(b),
                lane::<2>(b),
                lane::<3>(b),
            ];
            let tail: f32 = row[n..].iter().zip(&x[n..]).map(|(w, x)| w * x).sum();
            lanes.iter().sum::<f32>() + tail
        };
        [
            finish(a0, b0, r0),
            finish(a1, b1, r1),
            finish(a2, b2, r2),
            finish(a3, b3, r3),
        ]
    }
}

/// One gated layer's maps (see [`super::GatedLayer`]).
#[derive(Debug, Clone)]
pub struct HostLayer {
    /// Mask A (the first layer: inputs shifted so that no cell sees itself) or mask B.
    pub mask_a: bool,
    /// The vertical stack's `(k/2+1) × k` convolution: `2c` outputs from `(k/2+1)·k·c` taps.
    pub vertical: Dense,
    /// The horizontal stack's `1 × (k/2+1)` convolution: `2c` outputs from `(k/2+1)·c` taps.
    pub horizontal: Dense,
    /// The 1×1 convolution from the vertical features into the horizontal stack, `2c → 2c`.
    pub vertical_to_horizontal: Dense,
    /// The 1×1 convolution after the horizontal gate, `c → c`.
    pub horizontal_out: Dense,
    /// `(classes + 1) × 2c` class biases, row `classes` for "no class".
    class_bias: Option<Vec<f32>>,
}

impl HostLayer {
    /// The class bias added before both gates (`2c` values), if the prior has classes.
    pub fn class_bias(&self, class: usize) -> Option<&[f32]> {
        let width = self.vertical.rows;
        self.class_bias
            .as_deref()
            .map(|table| &table[class * width..(class + 1) * width])
    }
}

/// `out = tanh(a) ⊙ σ(b)` of `x = [a, b]` (plus `bias`), the gated activation.
///
/// # Shapes
/// - `x`, `bias`: `[2c]`, `out`: `[c]`
pub fn gate(x: &[f32], bias: Option<&[f32]>, out: &mut [f32]) {
    let c = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        let (mut a, mut b) = (x[i], x[c + i]);
        if let Some(bias) = bias {
            a += bias[i];
            b += bias[c + i];
        }
        *o = a.tanh() * (1.0 / (1.0 + (-b).exp()));
    }
}

/// The weights of a [`PixelCnnPrior`] on the host.
#[derive(Debug, Clone)]
pub struct HostPrior {
    /// `K`.
    pub codebook_size: usize,
    /// `c`, the channels of the stacks.
    pub channels: usize,
    /// The odd kernel width `k`.
    pub kernel: usize,
    /// Classes (0: none).
    pub num_classes: usize,
    /// `K × c` code embeddings.
    embedding: Vec<f32>,
    /// The gated layers, first (mask A) to last.
    pub layers: Vec<HostLayer>,
    /// 1×1, `c → 2c`, after a ReLU.
    pub out_hidden: Dense,
    /// 1×1, `2c → K`, after a ReLU: the logits.
    pub out_logits: Dense,
}

impl HostPrior {
    /// Reads the weights of `prior` from its device (once per model: about 0.6 M values for
    /// the shipped priors).
    ///
    /// # Errors
    ///
    /// [`ReadError`] when a weight cannot be read back.
    pub async fn read(prior: &PixelCnnPrior) -> Result<Self, ReadError> {
        let [codebook_size, channels] = prior.embedding.weight.dims();
        let embedding = read_f32(prior.embedding.weight.val()).await?;
        let mut layers = Vec::with_capacity(prior.layers.len());
        for layer in &prior.layers {
            let class_bias = match &layer.class_bias {
                Some(table) => Some(read_f32(table.weight.val()).await?),
                None => None,
            };
            layers.push(HostLayer {
                mask_a: layer.mask_a,
                vertical: Dense::from_conv(&layer.vertical).await?,
                horizontal: Dense::from_conv(&layer.horizontal).await?,
                vertical_to_horizontal: Dense::from_conv(&layer.vertical_to_horizontal).await?,
                horizontal_out: Dense::from_conv(&layer.horizontal_out).await?,
                class_bias,
            });
        }
        Ok(Self {
            codebook_size,
            channels,
            kernel: prior.kernel,
            num_classes: prior.num_classes,
            embedding,
            layers,
            out_hidden: Dense::from_conv(&prior.out_hidden).await?,
            out_logits: Dense::from_conv(&prior.out_logits).await?,
        })
    }

    /// The embedding of `code` (`c` values); codes past `K` read as the last code, as the
    /// checked grids never hold them.
    pub fn embedding(&self, code: u32) -> &[f32] {
        let code = (code as usize).min(self.codebook_size - 1);
        &self.embedding[code * self.channels..(code + 1) * self.channels]
    }

    /// The row of the class-bias tables for `class` (`num_classes` for none), as
    /// [`PixelCnnPrior::class_tensor`] chooses it.
    pub fn class_index(&self, class: Option<usize>) -> usize {
        class.unwrap_or(self.num_classes).min(self.num_classes)
    }

    /// Which cells the logits of a cell can depend on.
    pub fn receptive_field(&self) -> ReceptiveField {
        ReceptiveField::of(self.layers.len(), self.kernel)
    }

    /// Multiply-adds of the logits of one cell once every layer's stacks are cached: the
    /// vertical stack's share of its row, the horizontal stack, and the output layers.
    pub fn macs_per_cell(&self) -> usize {
        let dense = |d: &Dense| d.rows * d.cols;
        self.layers
            .iter()
            .map(|l| {
                dense(&l.vertical)
                    + dense(&l.horizontal)
                    + dense(&l.vertical_to_horizontal)
                    + dense(&l.horizontal_out)
            })
            .sum::<usize>()
            + dense(&self.out_hidden)
            + dense(&self.out_logits)
    }
}
