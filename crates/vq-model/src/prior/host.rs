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
use crate::vqvae::host_conv::read_bias;
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
        let bias = read_bias(conv.bias.as_ref(), out).await?;
        Ok(Self {
            rows: out,
            cols,
            weight,
            bias,
        })
    }

    /// `y = W·x + b` ([`Self::apply_many`] for several xs: it reads each weight once per
    /// pair).
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

    /// `ys[j] = W·xs[j] + b` for every `j`: each `ys[j]` is [`Self::apply`]'s, bit for bit.
    /// The xs go in pairs, and each pair reads every row once, two rows at a time
    /// (`dot_2x2`); an odd x left over goes through [`Self::apply`].
    ///
    /// # Shapes
    /// - `xs`: `[n, cols]`, `ys`: `[n, rows]`
    pub fn apply_many(&self, xs: &[f32], ys: &mut [f32]) {
        let (rows, cols) = (self.rows, self.cols);
        let n = ys.len() / rows.max(1);
        debug_assert_eq!((xs.len(), ys.len()), (n * cols, n * rows));
        let pairs = xs.chunks_exact(2 * cols).zip(ys.chunks_exact_mut(2 * rows));
        for (x, y) in pairs {
            let (y0, y1) = y.split_at_mut(rows);
            self.apply_pair(x.split_at(cols), (y0, y1));
        }
        let done = n / 2 * 2;
        if done < n {
            self.apply(&xs[done * cols..], &mut ys[done * rows..]);
        }
    }

    /// `y₀ = W·x₀ + b` and `y₁ = W·x₁ + b`, the rows in pairs (an odd one left over by [`dot`]).
    ///
    /// # Shapes
    /// - `x₀`, `x₁`: `[cols]`, `y₀`, `y₁`: `[rows]`
    fn apply_pair(&self, (x0, x1): (&[f32], &[f32]), (y0, y1): (&mut [f32], &mut [f32])) {
        let pairs = self
            .weight
            .chunks_exact(2 * self.cols)
            .zip(self.bias.as_chunks::<2>().0)
            .zip(y0.as_chunks_mut::<2>().0.iter_mut())
            .zip(y1.as_chunks_mut::<2>().0.iter_mut());
        for (((rows, bias), out0), out1) in pairs {
            let (w0, w1) = rows.split_at(self.cols);
            let [[a0, a1], [b0, b1]] = dot_2x2([w0, w1], [x0, x1]);
            *out0 = [bias[0] + a0, bias[1] + b0];
            *out1 = [bias[0] + a1, bias[1] + b1];
        }
        if self.rows % 2 == 1 {
            let last = self.rows - 1;
            let row = &self.weight[last * self.cols..];
            y0[last] = self.bias[last] + dot(row, x0);
            y1[last] = self.bias[last] + dot(row, x1);
        }
    }
}

/// `Σ aᵢ·bᵢ` in eight lanes (lane `l` sums the products `i ≡ l (mod 8)`, then the lanes are
/// added in order, then the tail): the reference order of every sum of the prior on the host,
/// which [`dot_2x2`] and, in the browser, `simd::dot4` keep.
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

/// [`dot`] of two rows with two xs, `[row][x]`: each row and each x read once for the four
/// sums, each sum in [`dot`]'s order.
#[inline(always)]
fn dot_2x2(rows: [&[f32]; 2], xs: [&[f32]; 2]) -> [[f32; 2]; 2] {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::dot_2x2(rows, xs);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    return portable::dot_2x2(rows, xs);
}

/// [`dot_2x2`] in plain Rust, which LLVM vectorises along the lanes: four chains of sums
/// instead of [`dot`]'s one, which waits on each add (natively on the photo prior's shapes,
/// 16 xs: 12.4 against 6.8 G multiply-adds/s).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod portable {
    /// See [`super::dot_2x2`].
    #[inline(always)]
    pub fn dot_2x2(rows: [&[f32]; 2], xs: [&[f32]; 2]) -> [[f32; 2]; 2] {
        let [s00, s01, s10, s11] = lanes_2x2(rows, xs);
        let n = rows[0].len() / 8 * 8;
        let sum = |lanes: [f32; 8], r: usize, j: usize| -> f32 {
            let tail: f32 = rows[r][n..]
                .iter()
                .zip(&xs[j][n..])
                .map(|(w, x)| w * x)
                .sum();
            lanes.iter().sum::<f32>() + tail
        };
        [
            [sum(s00, 0, 0), sum(s01, 0, 1)],
            [sum(s10, 1, 0), sum(s11, 1, 1)],
        ]
    }

    /// The eight lanes of [`super::dot`] of two rows with two xs over the chunks of eight:
    /// `[r₀·x₀, r₀·x₁, r₁·x₀, r₁·x₁]`. Not inlined: with the sums that follow in sight, LLVM
    /// vectorises across the four instead of along the lanes, and shuffles at every step
    /// (3.3 instead of 12 G multiply-adds/s).
    #[inline(never)]
    fn lanes_2x2(rows: [&[f32]; 2], xs: [&[f32]; 2]) -> [[f32; 8]; 4] {
        let ([r0, r1], [x0, x1]) = (rows, xs);
        let (mut s00, mut s01, mut s10, mut s11) = ([0.0; 8], [0.0; 8], [0.0; 8], [0.0; 8]);
        let chunks = r0
            .as_chunks::<8>()
            .0
            .iter()
            .zip(r1.as_chunks::<8>().0)
            .zip(x0.as_chunks::<8>().0)
            .zip(x1.as_chunks::<8>().0);
        for (((w0, w1), a), b) in chunks {
            mac8(&mut s00, w0, a);
            mac8(&mut s01, w0, b);
            mac8(&mut s10, w1, a);
            mac8(&mut s11, w1, b);
        }
        [s00, s01, s10, s11]
    }

    /// `acc[l] += w[l]·x[l]` for the eight lanes.
    #[inline(always)]
    fn mac8(acc: &mut [f32; 8], w: &[f32; 8], x: &[f32; 8]) {
        for lane in 0..8 {
            acc[lane] += w[lane] * x[lane];
        }
    }
}

/// WebAssembly SIMD, written with its intrinsics: left to the compiler, [`dot`] is vectorised
/// in a small module but came out scalar inside the engine's wasm.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        f32x4, f32x4_add, f32x4_extract_lane as lane, f32x4_mul, f32x4_splat, i32x4_shuffle, v128,
    };

    /// [`super::gate`] of the channels in whole fours (`σ` and `tanh` as there, each lane the
    /// same function); returns how many channels it computed.
    pub fn gate4(a: &[f32], b: &[f32], bias: Option<&[f32]>, out: &mut [f32]) -> usize {
        use core::arch::wasm32::{f32x4_div, f32x4_neg, f32x4_sub};
        let c = out.len();
        let one = f32x4_splat(1.0);
        let two = f32x4_splat(2.0);
        let sigmoid = |x: v128| f32x4_div(one, f32x4_add(one, crate::exp::exp4(f32x4_neg(x))));
        let load = |v: &[f32], i: usize| f32x4(v[i], v[i + 1], v[i + 2], v[i + 3]);
        let fours = c / 4;
        for q in 0..fours {
            let i = 4 * q;
            let (mut x, mut y) = (load(a, i), load(b, i));
            if let Some(bias) = bias {
                x = f32x4_add(x, load(bias, i));
                y = f32x4_add(y, load(bias, c + i));
            }
            let tanh = f32x4_sub(f32x4_mul(two, sigmoid(f32x4_mul(two, x))), one);
            let g = f32x4_mul(tanh, sigmoid(y));
            out[i] = lane::<0>(g);
            out[i + 1] = lane::<1>(g);
            out[i + 2] = lane::<2>(g);
            out[i + 3] = lane::<3>(g);
        }
        4 * fours
    }

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
        let sums = lane_sums([(a0, b0), (a1, b1), (a2, b2), (a3, b3)]);
        [
            sums[0] + tail(r0, x, n),
            sums[1] + tail(r1, x, n),
            sums[2] + tail(r2, x, n),
            sums[3] + tail(r3, x, n),
        ]
    }

    /// [`super::dot_2x2`]: two rows with two xs, `[row][x]`, as eight vectors of four lanes
    /// in locals. Each step reads four vectors of the rows and four of the xs for eight
    /// products ([`dot4`] reads ten), and the weights are read once per pair of xs, not per
    /// x: in V8 on the photo prior's shapes with 16 xs, 10.8 G multiply-adds/s against 5.7
    /// for [`dot4`] one x at a time.
    #[inline(always)]
    pub fn dot_2x2(rows: [&[f32]; 2], xs: [&[f32]; 2]) -> [[f32; 2]; 2] {
        let ([r0, r1], [x0, x1]) = (rows, xs);
        let zero = f32x4_splat(0.0);
        let (mut a00, mut b00, mut a01, mut b01) = (zero, zero, zero, zero);
        let (mut a10, mut b10, mut a11, mut b11) = (zero, zero, zero, zero);
        let (w0, _) = r0.as_chunks::<8>();
        let n = w0.len() * 8;
        let w1 = r1.as_chunks::<8>().0;
        let (c0, c1) = (x0.as_chunks::<8>().0, x1.as_chunks::<8>().0);
        let steps = w0.len().min(w1.len()).min(c0.len()).min(c1.len());
        for i in 0..steps {
            let (xl0, xh0) = halves(&c0[i]);
            let (xl1, xh1) = halves(&c1[i]);
            let (wl, wh) = halves(&w0[i]);
            a00 = f32x4_add(a00, f32x4_mul(wl, xl0));
            b00 = f32x4_add(b00, f32x4_mul(wh, xh0));
            a01 = f32x4_add(a01, f32x4_mul(wl, xl1));
            b01 = f32x4_add(b01, f32x4_mul(wh, xh1));
            let (wl, wh) = halves(&w1[i]);
            a10 = f32x4_add(a10, f32x4_mul(wl, xl0));
            b10 = f32x4_add(b10, f32x4_mul(wh, xh0));
            a11 = f32x4_add(a11, f32x4_mul(wl, xl1));
            b11 = f32x4_add(b11, f32x4_mul(wh, xh1));
        }
        let sums = lane_sums([(a00, b00), (a01, b01), (a10, b10), (a11, b11)]);
        [
            [sums[0] + tail(r0, x0, n), sums[1] + tail(r0, x1, n)],
            [sums[2] + tail(r1, x0, n), sums[3] + tail(r1, x1, n)],
        ]
    }

    /// The two vectors of an eight-value chunk (the loads combine, and no bounds are checked).
    #[inline(always)]
    fn halves(v: &[f32; 8]) -> (v128, v128) {
        (f32x4(v[0], v[1], v[2], v[3]), f32x4(v[4], v[5], v[6], v[7]))
    }

    /// The lane sums of four dot products, each held as eight lanes in two vectors `(a, b)`:
    /// every sum `-0.0 + l₀ + … + l₇` in that order, as [`super::dot`] adds them, but the
    /// four at once (the lanes transposed, so that vector `l` holds lane `l` of the four).
    #[inline(always)]
    fn lane_sums(lanes: [(v128, v128); 4]) -> [f32; 4] {
        let [(a0, b0), (a1, b1), (a2, b2), (a3, b3)] = lanes;
        let (l0, l1, l2, l3) = transpose([a0, a1, a2, a3]);
        let (l4, l5, l6, l7) = transpose([b0, b1, b2, b3]);
        let mut sums = f32x4_splat(-0.0);
        for l in [l0, l1, l2, l3, l4, l5, l6, l7] {
            sums = f32x4_add(sums, l);
        }
        [
            lane::<0>(sums),
            lane::<1>(sums),
            lane::<2>(sums),
            lane::<3>(sums),
        ]
    }

    /// The 4 × 4 transpose of four vectors: vector `i` of the result holds lane `i` of each.
    #[inline(always)]
    fn transpose([p, q, r, s]: [v128; 4]) -> (v128, v128, v128, v128) {
        let (pq_low, pq_high) = (
            i32x4_shuffle::<0, 4, 1, 5>(p, q),
            i32x4_shuffle::<2, 6, 3, 7>(p, q),
        );
        let (rs_low, rs_high) = (
            i32x4_shuffle::<0, 4, 1, 5>(r, s),
            i32x4_shuffle::<2, 6, 3, 7>(r, s),
        );
        (
            i32x4_shuffle::<0, 1, 4, 5>(pq_low, rs_low),
            i32x4_shuffle::<2, 3, 6, 7>(pq_low, rs_low),
            i32x4_shuffle::<0, 1, 4, 5>(pq_high, rs_high),
            i32x4_shuffle::<2, 3, 6, 7>(pq_high, rs_high),
        )
    }

    /// `Σ row[i]·x[i]` over the tail `i ≥ n` (none when the length is a multiple of eight).
    #[inline(always)]
    fn tail(row: &[f32], x: &[f32], n: usize) -> f32 {
        row[n..].iter().zip(&x[n..]).map(|(w, x)| w * x).sum()
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

/// `out = tanh(a) ⊙ σ(b)` of `x = [a, b]` (plus `bias`), the gated activation, with
/// [`crate::exp`]'s `exp`: `σ(b) = 1 / (1 + e⁻ᵇ)`, `tanh(a) = 2σ(2a) − 1` (within 3·10⁻⁷ of
/// the exact values, tested); four channels at a time with WebAssembly SIMD in the browser.
///
/// # Shapes
/// - `x`, `bias`: `[2c]`, `out`: `[c]`
pub fn gate(x: &[f32], bias: Option<&[f32]>, out: &mut [f32]) {
    let c = out.len();
    let (a, b) = x.split_at(c);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = simd::gate4(a, b, bias, out);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    for i in done..c {
        let (mut a, mut b) = (a[i], b[i]);
        if let Some(bias) = bias {
            a += bias[i];
            b += bias[c + i];
        }
        out[i] = tanh(a) * sigmoid(b);
    }
}

/// `σ(x) = 1 / (1 + e⁻ˣ)`.
#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + crate::exp::exp(-x))
}

/// `tanh(x) = 2σ(2x) − 1`.
#[inline(always)]
fn tanh(x: f32) -> f32 {
    2.0 * sigmoid(2.0 * x) - 1.0
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn random(len: usize, rng: &mut SplitMix64) -> Vec<f32> {
        (0..len)
            .map(|_| rng.below(1 << 20) as f32 / (1 << 19) as f32 - 1.0)
            .collect()
    }

    /// [`Dense::apply_many`] gives each x what [`Dense::apply`] gives it, bit for bit: odd
    /// and even numbers of xs and of rows, lengths with and without a tail past the chunks of
    /// eight.
    /// The gate with `exp`'s polynomial is `tanh(a)·σ(b)` within 3·10⁻⁷, over the range the
    /// stacks' features take and far past it, with and without a bias.
    #[test]
    fn the_gate_is_tanh_times_sigmoid() {
        let mut rng = SplitMix64::new(11);
        for scale in [0.01f32, 1.0, 8.0, 100.0] {
            let c = 67;
            let x = random(2 * c, &mut rng)
                .into_iter()
                .map(|v| v * scale)
                .collect::<Vec<_>>();
            let bias = random(2 * c, &mut rng);
            for bias in [None, Some(bias.as_slice())] {
                let mut out = vec![0.0; c];
                gate(&x, bias, &mut out);
                for i in 0..c {
                    let (a, b) = match bias {
                        Some(bias) => (x[i] + bias[i], x[c + i] + bias[c + i]),
                        None => (x[i], x[c + i]),
                    };
                    let exact = f64::from(a).tanh() / (1.0 + (-f64::from(b)).exp());
                    let error = (f64::from(out[i]) - exact).abs();
                    assert!(error < 3e-7, "a {a}, b {b}: {} vs {exact}", out[i]);
                }
            }
        }
    }

    #[test]
    fn apply_many_is_apply_for_each_x() {
        let mut rng = SplitMix64::new(9);
        for (rows, cols) in [
            (1, 1),
            (3, 5),
            (8, 64),
            (7, 37),
            (128, 384),
            (21, 24),
            (6, 13),
        ] {
            let dense = Dense {
                rows,
                cols,
                weight: random(rows * cols, &mut rng),
                bias: random(rows, &mut rng),
            };
            for n in 0..=7 {
                let xs = random(n * cols, &mut rng);
                let mut ys = vec![f32::NAN; n * rows];
                dense.apply_many(&xs, &mut ys);
                for (x, y) in xs.chunks_exact(cols).zip(ys.chunks_exact(rows)) {
                    let mut alone = vec![f32::NAN; rows];
                    dense.apply(x, &mut alone);
                    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(y), bits(&alone), "{rows}×{cols}, {n} xs");
                }
            }
        }
    }
}
