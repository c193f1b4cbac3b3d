//! The VQ-VAE's convolutions on the host, for the CPU backend: feature maps channels-last
//! ([`Map`]) and one kernel for every convolution the model has ([`HostConv`]).
//!
//! The kernel computes a block of 4 output pixels × 8 output channels at a time: 32 sums that
//! stay in registers (eight SIMD vectors in locals in the browser build, `Sums`) while it runs
//! over the taps and the input channels, each step one input value of each pixel times 8
//! weights, the weights of one block laid out in the order it reads them. Alone in a small
//! module in V8's WebAssembly SIMD on this machine it runs a 3×3 of 64 or 128 channels at
//! 14.4–15.2 G multiply-adds per second (the peak: ~16 G); with the weights read with a
//! stride and bounds checks in the loop it ran at 10.5. BENCHMARKS.md has what the engine
//! makes of it (the peer's table: a full decode against onnxruntime-web).
//!
//! A transposed convolution of stride 2 (4×4, padding 1) is four ordinary 2×2 convolutions,
//! one per parity of the output pixel ([`HostConvTranspose`]).

use std::ops::Range;

use burn::module::Param;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::Tensor;

use crate::{ReadError, read_f32};

/// Output channels per block of the kernel.
const LANES: usize = 8;
/// Output pixels per block of the kernel.
const PIXELS: usize = 4;

/// A feature map of one image, `[height, width, channels]`, channels fastest.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// Channels.
    pub channels: usize,
    /// `height × width × channels` values.
    pub data: Vec<f32>,
}

impl Map {
    /// A map of zeros.
    pub fn zeros(height: usize, width: usize, channels: usize) -> Self {
        Self {
            height,
            width,
            channels,
            data: vec![0.0; height * width * channels],
        }
    }

    /// A map from planar values `[channels, height, width]` (burn's layout of one image).
    pub fn from_planes(planes: &[f32], (height, width): (usize, usize), channels: usize) -> Self {
        let mut map = Self::zeros(height, width, channels);
        let pixels = height * width;
        for (c, plane) in planes.chunks_exact(pixels).take(channels).enumerate() {
            for (p, &v) in plane.iter().enumerate() {
                map.data[p * channels + c] = v;
            }
        }
        map
    }

    /// The values as planes `[channels, height, width]`.
    pub fn to_planes(&self) -> Vec<f32> {
        let pixels = self.height * self.width;
        let mut planes = vec![0.0; pixels * self.channels];
        for (p, values) in self.data.chunks_exact(self.channels).enumerate() {
            for (c, &v) in values.iter().enumerate() {
                planes[c * pixels + p] = v;
            }
        }
        planes
    }

    /// The rows `rows` and columns `cols` of the map.
    pub fn crop(&self, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) -> Self {
        let mut out = Self::zeros(rows.len(), cols.len(), self.channels);
        let c = self.channels;
        for (r, row) in rows.enumerate() {
            let from = (row * self.width + cols.start) * c;
            out.data[r * cols.len() * c..(r + 1) * cols.len() * c]
                .copy_from_slice(&self.data[from..from + cols.len() * c]);
        }
        out
    }

    /// The map with `pad` rows and columns of zeros around it, through a ReLU if `relu`.
    fn padded(&self, pad: usize, relu: bool) -> Self {
        let mut out = Self::zeros(self.height + 2 * pad, self.width + 2 * pad, self.channels);
        let c = self.channels;
        for r in 0..self.height {
            let to = ((r + pad) * out.width + pad) * c;
            let from = r * self.width * c;
            let (row, source) = (
                &mut out.data[to..to + self.width * c],
                &self.data[from..from + self.width * c],
            );
            if relu {
                for (o, &v) in row.iter_mut().zip(source) {
                    *o = crate::relu(v);
                }
            } else {
                row.copy_from_slice(source);
            }
        }
        out
    }

    /// `self += other`, element by element (the residual connection).
    pub fn add(&mut self, other: &Self) {
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
    }

    /// `max(0, ·)` of every value.
    pub fn relu(&mut self) {
        for v in &mut self.data {
            *v = crate::relu(*v);
        }
    }
}

/// A part of one layer's feature map: rows `top..top + map.height` and columns
/// `left..left + map.width` of a frame of `frame = (height, width)` positions, outside which
/// the map is zero (the layers' zero padding). The decoder computes a window this way, each
/// layer only where the pixels asked for depend on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// The values of the region.
    pub map: Map,
    /// Its first row in the frame.
    pub top: usize,
    /// Its first column in the frame.
    pub left: usize,
    /// The whole map's `(height, width)`.
    pub frame: (usize, usize),
}

impl Region {
    /// The values at frame rows `rows` × columns `cols`, which may reach past the frame (zeros
    /// there), through a ReLU if `relu`. Inside the frame they must lie in the region.
    ///
    /// # Shapes
    /// - returns `[rows.end − rows.start, cols.end − cols.start, channels]`
    pub fn window(&self, rows: Range<isize>, cols: Range<isize>, relu: bool) -> Map {
        let c = self.map.channels;
        let length = |r: &Range<isize>| usize::try_from(r.end - r.start).unwrap_or(0);
        let mut out = Map::zeros(length(&rows), length(&cols), c);
        let inside = |r: &Range<isize>, size: usize| {
            let size = isize::try_from(size).unwrap_or(isize::MAX);
            let (start, end) = (r.start.clamp(0, size), r.end.clamp(0, size));
            (start as usize, end as usize)
        };
        let (c0, c1) = inside(&cols, self.frame.1);
        let (r0, r1) = inside(&rows, self.frame.0);
        if c0 >= c1 {
            return out;
        }
        debug_assert!(
            r0 >= self.top || r0 >= r1,
            "rows {rows:?} before the region"
        );
        debug_assert!(
            c0 >= self.left && c1 <= self.left + self.map.width,
            "columns {cols:?}"
        );
        let skip_cols = (c0 as isize - cols.start) as usize;
        for row in r0..r1 {
            debug_assert!(
                row < self.top + self.map.height,
                "row {row} past the region"
            );
            let to = ((row as isize - rows.start) as usize * out.width + skip_cols) * c;
            let from = ((row - self.top) * self.map.width + (c0 - self.left)) * c;
            let len = (c1 - c0) * c;
            let (target, source) = (
                &mut out.data[to..to + len],
                &self.map.data[from..from + len],
            );
            if relu {
                for (o, &v) in target.iter_mut().zip(source) {
                    *o = crate::relu(v);
                }
            } else {
                target.copy_from_slice(source);
            }
        }
        out
    }

    /// Writes `part`'s values over this region's at the same frame positions (`part` must lie
    /// inside it).
    pub fn paste(&mut self, part: &Region) {
        let c = self.map.channels;
        debug_assert_eq!(part.map.channels, c);
        debug_assert!(
            part.top >= self.top
                && part.left >= self.left
                && part.top + part.map.height <= self.top + self.map.height
                && part.left + part.map.width <= self.left + self.map.width,
            "rows {}+{} × columns {}+{} outside the region",
            part.top,
            part.map.height,
            part.left,
            part.map.width
        );
        let len = part.map.width * c;
        if len == 0 {
            return;
        }
        for (r, source) in part.map.data.chunks_exact(len).enumerate() {
            let to = ((part.top - self.top + r) * self.map.width + (part.left - self.left)) * c;
            self.map.data[to..to + len].copy_from_slice(source);
        }
    }

    /// The region cut to frame rows `rows` × columns `cols` (inside it).
    pub fn crop(&self, rows: Range<usize>, cols: Range<usize>) -> Self {
        let signed = |r: &Range<usize>| r.start as isize..r.end as isize;
        Self {
            map: self.window(signed(&rows), signed(&cols), false),
            top: rows.start,
            left: cols.start,
            frame: self.frame,
        }
    }
}

/// Weights of taps over a padded input, ready for the kernel: block after block of
/// [`LANES`] outputs, each `[tap][in][LANES]` (zeros past `out`), so that one block's weights
/// are read in order, [`LANES`] at a time; with each tap's offset `(row, column)` in the padded
/// input.
#[derive(Debug, Clone)]
struct Taps {
    offsets: Vec<(usize, usize)>,
    inputs: usize,
    outputs: usize,
    weight: Vec<f32>,
    /// `outputs` rounded up to [`LANES`] values.
    bias: Vec<f32>,
}

impl Taps {
    /// Taps `offsets`, whose weight for input `i`, output `o` and tap `t` is `weight(t, i, o)`.
    fn new(
        offsets: Vec<(usize, usize)>,
        (inputs, outputs): (usize, usize),
        weight: impl Fn(usize, usize, usize) -> f32,
        bias: &[f32],
    ) -> Self {
        let stride_out = outputs.div_ceil(LANES) * LANES;
        let taps = offsets.len();
        let mut packed = vec![0.0; taps * inputs * stride_out];
        for (block, chunk) in packed.chunks_exact_mut(taps * inputs * LANES).enumerate() {
            for t in 0..taps {
                for i in 0..inputs {
                    for lane in 0..LANES {
                        let o = block * LANES + lane;
                        if o < outputs {
                            chunk[(t * inputs + i) * LANES + lane] = weight(t, i, o);
                        }
                    }
                }
            }
        }
        let mut padded_bias = vec![0.0; stride_out];
        padded_bias[..outputs].copy_from_slice(bias);
        Self {
            offsets,
            inputs,
            outputs,
            weight: packed,
            bias: padded_bias,
        }
    }

    /// Output pixel `(y, x)` of a `height × width` grid, computed from `input` (already padded)
    /// at `(y·stride + dy, x·stride + dx)` for each tap `(dy, dx)`, is written to `out` at
    /// `(y·place.0 + place.1, x·place.2 + place.3)`; through a ReLU if `relu`.
    #[inline(never)]
    fn run(
        &self,
        input: &Map,
        stride: usize,
        (height, width): (usize, usize),
        out: &mut Map,
        place: (usize, usize, usize, usize),
        relu: bool,
    ) {
        debug_assert_eq!(input.channels, self.inputs);
        debug_assert_eq!(out.channels, self.outputs);
        let n = self.inputs;
        let per_block = self.offsets.len() * n * LANES;
        for y in 0..height {
            for x0 in (0..width).step_by(PIXELS) {
                // The last block of a row repeats its last pixel where the row ends.
                let xs: [usize; PIXELS] = std::array::from_fn(|p| (x0 + p).min(width - 1));
                for (block, weights) in self.weight.chunks_exact(per_block).enumerate() {
                    let mut sums = Sums::new();
                    for (&(dy, dx), weights) in
                        self.offsets.iter().zip(weights.chunks_exact(n * LANES))
                    {
                        let row = y * stride + dy;
                        let at = |p: usize| {
                            let start = (row * input.width + xs[p] * stride + dx) * n;
                            &input.data[start..start + n]
                        };
                        sums.accumulate(weights, [at(0), at(1), at(2), at(3)]);
                    }
                    let sums = sums.into_array();
                    let lanes = LANES.min(self.outputs - block * LANES);
                    let bias = &self.bias[block * LANES..(block + 1) * LANES];
                    for (p, sum) in sums.iter().enumerate().take(width - x0) {
                        let (oy, ox) = (y * place.0 + place.1, xs[p] * place.2 + place.3);
                        let start = (oy * out.width + ox) * self.outputs + block * LANES;
                        let target = &mut out.data[start..start + lanes];
                        for ((o, &s), &b) in target.iter_mut().zip(sum).zip(bias) {
                            let v = s + b;
                            *o = if relu { crate::relu(v) } else { v };
                        }
                    }
                }
            }
        }
    }
}

/// The 4 × 8 sums of one block of the kernel: `sums[p][l] += Σᵢ x_p[i] · w[8i + l]`.
///
/// In the browser build these are eight SIMD vectors in locals, written with WebAssembly's
/// intrinsics (left to the compiler, the same loop came out vectorised in a small module but
/// scalar inside the engine's wasm; with the sums in an array, spilled to memory: 6.5 G/s),
/// over the block's weights and the four pixels' inputs as zipped iterators, so that the loop
/// holds no bounds check (with indexing: 10.5 G/s in a small module, zipped: 14.4–15.2).
/// Elsewhere plain arrays. Both add the same products in the same order.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
struct Sums {
    s: [core::arch::wasm32::v128; 2 * PIXELS],
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Sums {
    #[inline(always)]
    fn new() -> Self {
        Self {
            s: [core::arch::wasm32::f32x4_splat(0.0); 2 * PIXELS],
        }
    }

    /// Adds `x[p][i] · weights[8i .. 8i + 8]` for every input `i`.
    #[inline(always)]
    fn accumulate(&mut self, weights: &[f32], x: [&[f32]; PIXELS]) {
        use core::arch::wasm32::{f32x4, f32x4_add, f32x4_mul, f32x4_splat};
        let [x0, x1, x2, x3] = x;
        let [
            mut s0,
            mut s1,
            mut s2,
            mut s3,
            mut s4,
            mut s5,
            mut s6,
            mut s7,
        ] = self.s;
        let inputs = x0.iter().zip(x1).zip(x2).zip(x3);
        for (w, (((&a0, &a1), &a2), &a3)) in weights.chunks_exact(LANES).zip(inputs) {
            // Four adjacent loads: one `v128.load` each half.
            let low = f32x4(w[0], w[1], w[2], w[3]);
            let high = f32x4(w[4], w[5], w[6], w[7]);
            let a = f32x4_splat(a0);
            s0 = f32x4_add(s0, f32x4_mul(a, low));
            s1 = f32x4_add(s1, f32x4_mul(a, high));
            let a = f32x4_splat(a1);
            s2 = f32x4_add(s2, f32x4_mul(a, low));
            s3 = f32x4_add(s3, f32x4_mul(a, high));
            let a = f32x4_splat(a2);
            s4 = f32x4_add(s4, f32x4_mul(a, low));
            s5 = f32x4_add(s5, f32x4_mul(a, high));
            let a = f32x4_splat(a3);
            s6 = f32x4_add(s6, f32x4_mul(a, low));
            s7 = f32x4_add(s7, f32x4_mul(a, high));
        }
        self.s = [s0, s1, s2, s3, s4, s5, s6, s7];
    }

    #[inline(always)]
    fn into_array(self) -> [[f32; LANES]; PIXELS] {
        use core::arch::wasm32::f32x4_extract_lane as lane;
        std::array::from_fn(|p| {
            let (a, b) = (self.s[2 * p], self.s[2 * p + 1]);
            [
                lane::<0>(a),
                lane::<1>(a),
                lane::<2>(a),
                lane::<3>(a),
                lane::<0>(b),
                lane::<1>(b),
                lane::<2>(b),
                lane::<3>(b),
            ]
        })
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
struct Sums([[f32; LANES]; PIXELS]);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl Sums {
    #[inline(always)]
    fn new() -> Self {
        Self([[0.0; LANES]; PIXELS])
    }

    /// Adds `x[p][i] · weights[8i .. 8i + 8]` for every input `i`.
    #[inline(always)]
    fn accumulate(&mut self, weights: &[f32], x: [&[f32]; PIXELS]) {
        let n = x.iter().map(|x| x.len()).min().unwrap_or(0);
        for (i, w) in weights.chunks_exact(LANES).take(n).enumerate() {
            for (sums, x) in self.0.iter_mut().zip(&x) {
                for (sum, &w) in sums.iter_mut().zip(w) {
                    *sum += x[i] * w;
                }
            }
        }
    }

    #[inline(always)]
    fn into_array(self) -> [[f32; LANES]; PIXELS] {
        self.0
    }
}

/// A layer's bias, read back from its device; zeros for `outputs` when it has none.
///
/// # Errors
///
/// [`ReadError`] when it cannot be read back.
pub async fn read_bias(
    bias: Option<&Param<Tensor<1>>>,
    outputs: usize,
) -> Result<Vec<f32>, ReadError> {
    match bias {
        Some(bias) => read_f32(bias.val()).await,
        None => Ok(vec![0.0; outputs]),
    }
}

/// The taps of a `kernel × kernel` convolution, row by row: `(row, column)` in its window.
fn square_offsets(kernel: usize) -> Vec<(usize, usize)> {
    (0..kernel * kernel)
        .map(|t| (t / kernel, t % kernel))
        .collect()
}

/// A convolution of the model (square kernel, zero padding) for the host kernel.
#[derive(Debug, Clone)]
pub struct HostConv {
    taps: Taps,
    stride: usize,
    padding: usize,
    kernel: usize,
}

impl HostConv {
    /// Reads `conv` (weight `[out, in, k, k]`); `stride` and `padding` as it was built with.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when a weight cannot be read back.
    pub async fn read(conv: &Conv2d, stride: usize, padding: usize) -> Result<Self, ReadError> {
        let [outputs, inputs, kernel, kw] = conv.weight.dims();
        debug_assert_eq!(kernel, kw);
        let raw = read_f32(conv.weight.val()).await?;
        let bias = read_bias(conv.bias.as_ref(), outputs).await?;
        let taps = Taps::new(
            square_offsets(kernel),
            (inputs, outputs),
            |t, i, o| raw[(o * inputs + i) * kernel * kernel + t],
            &bias,
        );
        Ok(Self {
            taps,
            stride,
            padding,
            kernel,
        })
    }

    /// Reads a stride-1 3×3 transposed convolution with padding 1 (weight `[in, out, 3, 3]`,
    /// the decoder's `up1` at a `downsample` of 2) as the plain 3×3 convolution it equals:
    /// output `y` sums inputs `y + 1 − ky`, i.e. the tap at row `2 − ky` of the input padded
    /// by one, with the kernel turned half a turn and its channels swapped.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when a weight cannot be read back.
    pub async fn read_transposed_same(conv: &ConvTranspose2d) -> Result<Self, ReadError> {
        let [inputs, outputs, kernel, kw] = conv.weight.dims();
        debug_assert_eq!((kernel, kw), (3, 3));
        let raw = read_f32(conv.weight.val()).await?;
        let bias = read_bias(conv.bias.as_ref(), outputs).await?;
        let taps = Taps::new(
            square_offsets(kernel),
            (inputs, outputs),
            |t, i, o| {
                let (ky, kx) = (kernel - 1 - t / kernel, kernel - 1 - t % kernel);
                raw[((i * outputs + o) * kernel + ky) * kernel + kx]
            },
            &bias,
        );
        Ok(Self {
            taps,
            stride: 1,
            padding: 1,
            kernel,
        })
    }

    /// A 1×1 convolution from `inputs` to `outputs` channels: output `o` of a pixel is
    /// `bias[o] + Σᵢ weight(o, i) · x[i]` (the quantizer's distances, as a layer).
    pub fn pointwise(
        (inputs, outputs): (usize, usize),
        weight: impl Fn(usize, usize) -> f32,
        bias: &[f32],
    ) -> Self {
        Self {
            taps: Taps::new(
                vec![(0, 0)],
                (inputs, outputs),
                |_, i, o| weight(o, i),
                bias,
            ),
            stride: 1,
            padding: 0,
            kernel: 1,
        }
    }

    /// The convolution of `x`, through a ReLU first if `relu_in` and after if `relu_out`.
    ///
    /// # Shapes
    /// - `x`: `[H, W, in]` → `[(H + 2p − k)/s + 1, (W + 2p − k)/s + 1, out]`
    pub fn forward(&self, x: &Map, relu_in: bool, relu_out: bool) -> Map {
        let input = if self.padding > 0 || relu_in {
            &x.padded(self.padding, relu_in)
        } else {
            x
        };
        let size = |n: usize| (n + 2 * self.padding - self.kernel) / self.stride + 1;
        let (height, width) = (size(x.height), size(x.width));
        let mut out = Map::zeros(height, width, self.taps.outputs);
        self.taps.run(
            input,
            self.stride,
            (height, width),
            &mut out,
            (1, 0, 1, 0),
            relu_out,
        );
        out
    }

    /// The convolution at output rows `rows` × columns `cols` only, from the region `x` of its
    /// input (which must hold every input position those outputs read inside the frame); the
    /// same values as [`Self::forward`] gives there.
    pub fn forward_region(
        &self,
        x: &Region,
        (relu_in, relu_out): (bool, bool),
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Region {
        let (s, p, k) = (
            self.stride as isize,
            self.padding as isize,
            self.kernel as isize,
        );
        let reads = |r: &Range<usize>| r.start as isize * s - p..(r.end as isize - 1) * s - p + k;
        let input = x.window(reads(&rows), reads(&cols), relu_in);
        let mut out = Map::zeros(rows.len(), cols.len(), self.taps.outputs);
        self.taps.run(
            &input,
            self.stride,
            (rows.len(), cols.len()),
            &mut out,
            (1, 0, 1, 0),
            relu_out,
        );
        let size = |n: usize| (n + 2 * self.padding - self.kernel) / self.stride + 1;
        Region {
            map: out,
            top: rows.start,
            left: cols.start,
            frame: (size(x.frame.0), size(x.frame.1)),
        }
    }
}

/// A transposed convolution 4×4, stride 2, padding 1 (the decoder's upsampling): output pixel
/// `(2m + py, 2n + px)` sums the input pixels `m − 1 ..= m + 1` with the kernel rows of
/// parity `1 − py`, i.e. four 2×2 convolutions of the input padded by one.
#[derive(Debug, Clone)]
pub struct HostConvTranspose {
    /// Per output parity `(py, px)` (`2·py + px`), its 2×2 taps.
    phases: Vec<Taps>,
}

impl HostConvTranspose {
    /// Reads `conv` (weight `[in, out, 4, 4]`, built with stride 2 and padding 1).
    ///
    /// # Errors
    ///
    /// [`ReadError`] when a weight cannot be read back.
    pub async fn read(conv: &ConvTranspose2d) -> Result<Self, ReadError> {
        let [inputs, outputs, kernel, _] = conv.weight.dims();
        debug_assert_eq!(kernel, 4);
        let raw = read_f32(conv.weight.val()).await?;
        let bias = read_bias(conv.bias.as_ref(), outputs).await?;
        // For output parity 0 the kernel rows 1 (input row m) and 3 (m − 1); for parity 1
        // rows 0 (m + 1) and 2 (m): `(kernel row, row in the input padded by one)`.
        let rows = |parity: usize| -> [(usize, usize); 2] {
            if parity == 0 {
                [(1, 1), (3, 0)]
            } else {
                [(0, 2), (2, 1)]
            }
        };
        let phases = (0..4)
            .map(|phase| {
                let (py, px) = (phase / 2, phase % 2);
                let taps: Vec<((usize, usize), (usize, usize))> = rows(py)
                    .into_iter()
                    .flat_map(|(ky, dy)| rows(px).map(move |(kx, dx)| ((ky, kx), (dy, dx))))
                    .collect();
                Taps::new(
                    taps.iter().map(|&(_, offset)| offset).collect(),
                    (inputs, outputs),
                    |t, i, o| {
                        let (ky, kx) = taps[t].0;
                        raw[((i * outputs + o) * kernel + ky) * kernel + kx]
                    },
                    &bias,
                )
            })
            .collect();
        Ok(Self { phases })
    }

    /// The transposed convolution of `x`, through a ReLU after if `relu_out`.
    ///
    /// # Shapes
    /// - `x`: `[H, W, in]` → `[2H, 2W, out]`
    pub fn forward(&self, x: &Map, relu_out: bool) -> Map {
        let input = x.padded(1, false);
        let outputs = self.phases.first().map_or(0, |p| p.outputs);
        let mut out = Map::zeros(2 * x.height, 2 * x.width, outputs);
        for (phase, taps) in self.phases.iter().enumerate() {
            let (py, px) = (phase / 2, phase % 2);
            taps.run(
                &input,
                1,
                (x.height, x.width),
                &mut out,
                (2, py, 2, px),
                relu_out,
            );
        }
        out
    }

    /// The transposed convolution at output rows `rows` × columns `cols` only (both with even
    /// ends: whole pairs of output pixels), from the region `x` of its input (which must hold
    /// the input rows and columns `start/2 − 1 .. end/2 + 1` inside the frame); the same values
    /// as [`Self::forward`] gives there.
    pub fn forward_region(
        &self,
        x: &Region,
        relu_out: bool,
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Region {
        debug_assert!(
            rows.start.is_multiple_of(2) && rows.end.is_multiple_of(2),
            "{rows:?}"
        );
        debug_assert!(
            cols.start.is_multiple_of(2) && cols.end.is_multiple_of(2),
            "{cols:?}"
        );
        let half = |r: &Range<usize>| r.start / 2..r.end / 2;
        let (m, n) = (half(&rows), half(&cols));
        let reads = |r: &Range<usize>| r.start as isize - 1..r.end as isize + 1;
        let input = x.window(reads(&m), reads(&n), false);
        let outputs = self.phases.first().map_or(0, |p| p.outputs);
        let mut out = Map::zeros(rows.len(), cols.len(), outputs);
        for (phase, taps) in self.phases.iter().enumerate() {
            let (py, px) = (phase / 2, phase % 2);
            taps.run(
                &input,
                1,
                (m.len(), n.len()),
                &mut out,
                (2, py, 2, px),
                relu_out,
            );
        }
        Region {
            map: out,
            top: rows.start,
            left: cols.start,
            frame: (2 * x.frame.0, 2 * x.frame.1),
        }
    }
}
