//! The encoder and decoder on the host ([`super::host_conv`]), for the CPU backend: the same
//! layers as [`super::Encoder`] and [`super::Decoder`], from weights read once, computing the
//! same values up to the order of float sums (tested).

use std::ops::Range;

use super::host_codes::CodeConv;
use super::host_conv::{HostConv, HostConvTranspose, Map, Region, read_bias};
use super::host_quantizer::HostQuantizer;
use super::{Decoder, Encoder, ResidualStack, Upsampling, VqVae};
use crate::ReadError;
use crate::config::VqVaeConfig;
use crate::incremental::Window;
use crate::sampler::Grid;
use burn::nn::conv::ConvTranspose2d;

/// The residual blocks and the ReLU after them.
#[derive(Debug, Clone)]
struct HostResidual {
    /// Per block, its 3×3 (ReLU before, and after) and its 1×1.
    blocks: Vec<(HostConv, HostConv)>,
}

impl HostResidual {
    async fn read(stack: &ResidualStack) -> Result<Self, ReadError> {
        let mut blocks = Vec::with_capacity(stack.blocks.len());
        for block in &stack.blocks {
            blocks.push((
                HostConv::read(&block.conv3, 1, 1).await?,
                HostConv::read(&block.conv1, 1, 0).await?,
            ));
        }
        Ok(Self { blocks })
    }

    /// `x + 1×1(ReLU(3×3(ReLU(x))))` per block, then a ReLU.
    fn forward(&self, mut x: Map) -> Map {
        for (conv3, conv1) in &self.blocks {
            let h = conv3.forward(&x, true, true);
            let h = conv1.forward(&h, false, false);
            x.add(&h);
        }
        x.relu();
        x
    }

    /// [`Self::forward`] at rows `rows` × columns `cols` only, from the region `x`, which must
    /// hold one more row and column on every side per block (inside the frame).
    fn forward_region(&self, mut x: Region, rows: Range<usize>, cols: Range<usize>) -> Region {
        let blocks = self.blocks.len();
        for b in 0..blocks {
            // What the blocks after this one still read around the asked-for region.
            let (r, c) = (
                grow(&rows, blocks - 1 - b, x.frame.0),
                grow(&cols, blocks - 1 - b, x.frame.1),
            );
            x = self.block_region(b, &x, r, c);
        }
        x.map.relu();
        x
    }

    /// Block `block` (`x + 1×1(ReLU(3×3(ReLU(x))))`, no ReLU after) at rows `rows` × columns
    /// `cols`, from the region `x` of its input (one more row and column on every side).
    fn block_region(
        &self,
        block: usize,
        x: &Region,
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Region {
        let (conv3, conv1) = &self.blocks[block];
        let h = conv3.forward_region(x, (true, true), rows.clone(), cols.clone());
        let h = conv1.forward_region(&h, (false, false), rows.clone(), cols.clone());
        let mut out = x.crop(rows, cols);
        out.map.add(&h.map);
        out
    }
}

/// `range` with `by` more on each side, within `0..size`.
fn grow(range: &Range<usize>, by: usize, size: usize) -> Range<usize> {
    range.start.saturating_sub(by)..(range.end + by).min(size)
}

/// The input rows (or columns) that a stride-2 transposed convolution's outputs `range`
/// (even ends) read, within `0..size`: `start/2 − 1 .. end/2 + 1`.
fn upsampled_from(range: &Range<usize>, size: usize) -> Range<usize> {
    (range.start / 2).saturating_sub(1)..(range.end / 2 + 1).min(size)
}

/// The output rows (or columns) of a stride-2 transposed convolution (4×4, padding 1) that
/// its inputs `range` reach, widened to whole pairs, within `0..size`: input `i` reaches
/// outputs `2i − 1 ..= 2i + 2`.
fn upsampled_to(range: &Range<usize>, size: usize) -> Range<usize> {
    pairs(
        &((2 * range.start).saturating_sub(1)..(2 * range.end + 1).min(size)),
        size,
    )
}

/// The decoder's first upsampling on the host: a stride-2 4×4 transposed convolution at a
/// `downsample` of 4, a stride-1 3×3 (read as the plain convolution it equals) at 2.
#[derive(Debug, Clone)]
enum HostUpsampling {
    Stride2(HostConvTranspose),
    Same(HostConv),
}

impl HostUpsampling {
    async fn read(conv: &ConvTranspose2d, kind: Upsampling) -> Result<Self, ReadError> {
        Ok(match kind {
            Upsampling::Stride2 => Self::Stride2(HostConvTranspose::read(conv).await?),
            Upsampling::Same => Self::Same(HostConv::read_transposed_same(conv).await?),
        })
    }

    /// Outputs per input along each side.
    fn factor(&self) -> usize {
        match self {
            Self::Stride2(_) => 2,
            Self::Same(_) => 1,
        }
    }

    fn forward(&self, x: &Map, relu_out: bool) -> Map {
        match self {
            Self::Stride2(conv) => conv.forward(x, relu_out),
            Self::Same(conv) => conv.forward(x, false, relu_out),
        }
    }

    /// The outputs `rows × cols` (whole pairs for a stride of 2: [`Self::align`]).
    fn forward_region(
        &self,
        x: &Region,
        relu_out: bool,
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Region {
        match self {
            Self::Stride2(conv) => conv.forward_region(x, relu_out, rows, cols),
            Self::Same(conv) => conv.forward_region(x, (false, relu_out), rows, cols),
        }
    }

    /// The outputs `range` as [`Self::forward_region`] computes them: whole pairs at a stride
    /// of 2, within `0..size`.
    fn align(&self, range: &Range<usize>, size: usize) -> Range<usize> {
        match self {
            Self::Stride2(_) => pairs(range, size),
            Self::Same(_) => range.clone(),
        }
    }

    /// The inputs (within `0..size`) that the outputs `range` read.
    fn reads(&self, range: &Range<usize>, size: usize) -> Range<usize> {
        match self {
            Self::Stride2(_) => upsampled_from(range, size),
            Self::Same(_) => grow(range, 1, size),
        }
    }

    /// The outputs (within `0..size`, whole pairs at a stride of 2) that the inputs `range`
    /// reach.
    fn reaches(&self, range: &Range<usize>, size: usize) -> Range<usize> {
        match self {
            Self::Stride2(_) => upsampled_to(range, size),
            Self::Same(_) => grow(range, 1, size),
        }
    }
}

/// The part of `range` inside `bounds`.
fn within(range: &Range<usize>, bounds: &Range<usize>) -> Range<usize> {
    let start = range.start.max(bounds.start);
    start..range.end.min(bounds.end).max(start)
}

/// `range` widened to whole pairs (even ends), within `0..size` (even).
fn pairs(range: &Range<usize>, size: usize) -> Range<usize> {
    range.start / 2 * 2..(range.end.div_ceil(2) * 2).min(size)
}

/// [`Encoder`] on the host.
#[derive(Debug, Clone)]
pub struct HostEncoder {
    down1: HostConv,
    down2: HostConv,
    conv3: HostConv,
    residual: HostResidual,
    to_embedding: HostConv,
}

impl HostEncoder {
    /// The encoder of a model that downsamples by `downsample` (4, or 2: `down2` a stride-1
    /// 3×3).
    async fn read(encoder: &Encoder, downsample: usize) -> Result<Self, ReadError> {
        let down2_stride = if downsample == 4 { 2 } else { 1 };
        Ok(Self {
            down1: HostConv::read(&encoder.down1, 2, 1).await?,
            down2: HostConv::read(&encoder.down2, down2_stride, 1).await?,
            conv3: HostConv::read(&encoder.conv3, 1, 1).await?,
            residual: HostResidual::read(&encoder.residual).await?,
            to_embedding: HostConv::read(&encoder.to_embedding, 1, 0).await?,
        })
    }

    /// # Shapes
    /// - `x`: `[H, W, C]` in model space → `z_e`: `[H/4, W/4, D]` (`[H/2, W/2, D]` at ÷2)
    pub fn forward(&self, x: &Map) -> Map {
        let x = self.down1.forward(x, false, true);
        let x = self.down2.forward(&x, false, true);
        let x = self.conv3.forward(&x, false, false);
        let x = self.residual.forward(x);
        self.to_embedding.forward(&x, false, false)
    }
}

/// [`Decoder`] on the host, with the codebook it decodes.
#[derive(Debug, Clone)]
pub struct HostDecoder {
    /// `K × D`, code after code.
    codebook: Vec<f32>,
    embedding_dim: usize,
    /// The first convolution, for any `z_q` ([`Self::forward`]).
    conv3: HostConv,
    /// The same convolution over codes, from a table of its taps' products with each code
    /// ([`CodeConv`]): what decoding a grid uses.
    first: CodeConv,
    residual: HostResidual,
    up1: HostUpsampling,
    up2: HostConvTranspose,
}

impl HostDecoder {
    async fn read(decoder: &Decoder, vqvae: &VqVae) -> Result<Self, ReadError> {
        let [up1_kind, _] = Decoder::upsamplings(vqvae.downsample());
        let [_, embedding_dim] = vqvae.quantizer.codebook.weight.dims();
        let codebook = crate::read_f32(vqvae.quantizer.codebook.weight.val()).await?;
        let [outputs, _, kernel, _] = decoder.conv3.weight.dims();
        let weight = crate::read_f32(decoder.conv3.weight.val()).await?;
        let bias = read_bias(decoder.conv3.bias.as_ref(), outputs).await?;
        Ok(Self {
            first: CodeConv::new(&weight, &bias, kernel, &codebook, embedding_dim),
            codebook,
            embedding_dim,
            conv3: HostConv::read(&decoder.conv3, 1, 1).await?,
            residual: HostResidual::read(&decoder.residual).await?,
            up1: HostUpsampling::read(&decoder.up1, up1_kind).await?,
            up2: HostConvTranspose::read(&decoder.up2).await?,
        })
    }

    /// `z_q` of `grid`: each cell's codebook vector (codes past `K` read as the last, as the
    /// checked grids never hold them).
    ///
    /// # Shapes
    /// - returns `[h, w, D]`
    pub fn z_q(&self, grid: &Grid) -> Map {
        let d = self.embedding_dim;
        let codes = self.codebook.len() / d.max(1);
        let mut map = Map::zeros(grid.height, grid.width, d);
        for (cell, &code) in map.data.chunks_exact_mut(d).zip(&grid.codes) {
            let code = (code as usize).min(codes.saturating_sub(1));
            cell.copy_from_slice(&self.codebook[code * d..(code + 1) * d]);
        }
        map
    }

    /// # Shapes
    /// - `z_q`: `[h, w, D]` → `x̂`: `[4h, 4w, C]` in model space (`[2h, 2w, C]` at ÷2)
    pub fn forward(&self, z_q: &Map) -> Map {
        self.after_first(self.conv3.forward(z_q, false, false))
    }

    /// The decode of `grid`: [`Self::forward`] of its `z_q`, the first convolution read from
    /// the table of codes ([`CodeConv`]; the same values up to the order of float sums).
    ///
    /// # Shapes
    /// - returns `x̂`: `[4h, 4w, C]` in model space (`[2h, 2w, C]` at ÷2)
    pub fn decode(&self, grid: &Grid) -> Map {
        let (h, w) = (grid.height, grid.width);
        self.after_first(self.first.forward_region(grid, 0..h, 0..w).map)
    }

    /// The layers after the first convolution.
    fn after_first(&self, x: Map) -> Map {
        let x = self.residual.forward(x);
        let x = self.up1.forward(&x, true);
        self.up2.forward(&x, false)
    }

    /// Back from the pixels `rows × cols`: the outputs of each layer they depend on (up2's,
    /// up1's, the residual stack's, conv3's; a stride-2 upsampling reads half as many rows and
    /// columns and one more on each side, the 3×3 convolutions one more on each side).
    fn reach(&self, grid: &Grid, rows: &Range<usize>, cols: &Range<usize>) -> Reach {
        let (h, w) = (grid.height, grid.width);
        // up1's output: the grid's size times its factor (2 at ÷4, 1 at ÷2).
        let (h1, w1) = (self.up1.factor() * h, self.up1.factor() * w);
        let (r4, c4) = (pairs(rows, 2 * h1), pairs(cols, 2 * w1));
        let (r3, c3) = (
            self.up1.align(&upsampled_from(&r4, h1), h1),
            self.up1.align(&upsampled_from(&c4, w1), w1),
        );
        let (r2, c2) = (self.up1.reads(&r3, h), self.up1.reads(&c3, w));
        let blocks = self.residual.blocks.len();
        let (r1, c1) = (grow(&r2, blocks, h), grow(&c2, blocks, w));
        Reach {
            conv3: (r1, c1),
            stack: (r2, c2),
            up1: (r3, c3),
            up2: (r4, c4),
        }
    }

    /// The pixels `rows × cols` of `grid`'s decode, each layer computed only where those
    /// pixels depend on it (working back from them: the upsamplings read half as many rows
    /// and columns and one more on each side, the 3×3 convolutions one more on each side): the
    /// values of [`Self::forward`] there, for a fraction of its work.
    ///
    /// # Shapes
    /// - returns `[rows.len(), cols.len(), C]`
    pub fn decode_region(&self, grid: &Grid, rows: Range<usize>, cols: Range<usize>) -> Map {
        let Reach {
            conv3: (r1, c1),
            stack: (r2, c2),
            up1: (r3, c3),
            up2: (r4, c4),
        } = self.reach(grid, &rows, &cols);
        let x = self.first.forward_region(grid, r1, c1);
        let x = self.residual.forward_region(x, r2, c2);
        let x = self.up1.forward_region(&x, true, r3, c3);
        let x = self.up2.forward_region(&x, false, r4, c4);
        let signed = |r: &Range<usize>| r.start as isize..r.end as isize;
        x.window(signed(&rows), signed(&cols), false)
    }

    /// The pixels `rows × cols` of `grid`'s decode with cell `(row, col)` set to each of
    /// `codes` in turn: the values [`Self::decode_region`] gives for each changed grid, bit for
    /// bit (tested), for a fraction of the work. The window is decoded once with the grid as
    /// it is, keeping every layer; then for each code only the positions the cell reaches are
    /// computed again (its cone: 3×3 cells after the first convolution, two more per residual
    /// block, and each upsampling's outputs of those), reading the rest from the first pass.
    ///
    /// # Shapes
    /// - returns one `[rows.len(), cols.len(), C]` per code
    pub fn decode_variants(
        &self,
        grid: &Grid,
        (row, col): (usize, usize),
        codes: &[u32],
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Vec<Map> {
        let (h, w) = (grid.height, grid.width);
        let blocks = self.residual.blocks.len();
        // The first pass, as `decode_region`, each layer's region kept.
        let Reach {
            conv3: (r1, c1),
            stack: (r2, c2),
            up1: (r3, c3),
            up2: (r4, c4),
        } = self.reach(grid, &rows, &cols);
        // `stack[b]`: the input of residual block `b`; `stack[blocks]` the last one's output.
        let mut stack = vec![self.first.forward_region(grid, r1, c1)];
        for b in 0..blocks {
            let (r, c) = (grow(&r2, blocks - 1 - b, h), grow(&c2, blocks - 1 - b, w));
            let next = self.residual.block_region(b, &stack[b], r, c);
            stack.push(next);
        }
        let mut activated = stack[blocks].clone();
        activated.map.relu();
        let (up1_rows, up1_cols) = (r3.clone(), c3.clone());
        let up1 = self.up1.forward_region(&activated, true, r3, c3);
        let pixels = self.up2.forward_region(&up1, false, r4.clone(), c4.clone());

        // The cell's cone, layer by layer, within the frame.
        let cone = |by: usize| (grow(&(row..row + 1), by, h), grow(&(col..col + 1), by, w));
        let (k_last, l_last) = cone(1 + blocks);
        let (h1, w1) = (self.up1.factor() * h, self.up1.factor() * w);
        let (u1_rows, u1_cols) = (self.up1.reaches(&k_last, h1), self.up1.reaches(&l_last, w1));
        // Only the pixels of the window, and only what the first pass holds.
        let (u1_rows, u1_cols) = (within(&u1_rows, &up1_rows), within(&u1_cols, &up1_cols));
        let (u2_rows, u2_cols) = (
            within(&upsampled_to(&u1_rows, 2 * h1), &r4),
            within(&upsampled_to(&u1_cols, 2 * w1), &c4),
        );
        let signed = |r: &Range<usize>| r.start as isize..r.end as isize;
        codes
            .iter()
            .map(|&code| {
                let mut changed = grid.clone();
                changed.codes[row * w + col] = code;
                let (k, l) = cone(1);
                let mut x = stack[0].clone();
                x.paste(&self.first.forward_region(&changed, k, l));
                for (b, base) in stack.iter().enumerate().skip(1) {
                    let (k, l) = cone(1 + b);
                    let mut next = base.clone();
                    next.paste(&self.residual.block_region(b - 1, &x, k, l));
                    x = next;
                }
                x.map.relu();
                let mut u1 = up1.clone();
                u1.paste(
                    &self
                        .up1
                        .forward_region(&x, true, u1_rows.clone(), u1_cols.clone()),
                );
                let mut out = pixels.clone();
                out.paste(
                    &self
                        .up2
                        .forward_region(&u1, false, u2_rows.clone(), u2_cols.clone()),
                );
                out.window(signed(&rows), signed(&cols), false)
            })
            .collect()
    }
}

/// What a region of the decode depends on, layer by layer ([`HostDecoder::reach`]): the rows
/// and columns of each layer's outputs.
struct Reach {
    conv3: (Range<usize>, Range<usize>),
    stack: (Range<usize>, Range<usize>),
    up1: (Range<usize>, Range<usize>),
    up2: (Range<usize>, Range<usize>),
}

/// A decoded window's pixels, placed in the full image (as [`crate::incremental::Patch`]).
#[derive(Debug, Clone)]
pub struct HostPatch {
    /// First pixel row in the full image.
    pub top: usize,
    /// First pixel column.
    pub left: usize,
    /// `x̂` of the patch, `[height, width, C]`, in model space.
    pub pixels: Map,
}

/// The VQ-VAE's encoder, codebook and decoder on the host.
#[derive(Debug, Clone)]
pub struct HostVqVae {
    /// `x ↦ z_e`.
    pub encoder: HostEncoder,
    /// `z_e ↦` the nearest codes.
    pub quantizer: HostQuantizer,
    /// `codes ↦ x̂`.
    pub decoder: HostDecoder,
}

impl HostVqVae {
    /// Reads the weights of `vqvae` from its device (once per model).
    ///
    /// # Errors
    ///
    /// [`ReadError`] when a weight cannot be read back.
    pub async fn read(vqvae: &VqVae) -> Result<Self, ReadError> {
        let decoder = HostDecoder::read(&vqvae.decoder, vqvae).await?;
        Ok(Self {
            encoder: HostEncoder::read(&vqvae.encoder, vqvae.downsample()).await?,
            quantizer: HostQuantizer::new(&decoder.codebook, decoder.embedding_dim),
            decoder,
        })
    }

    /// Decodes `grid`.
    ///
    /// # Shapes
    /// - returns `x̂`: `[4h, 4w, C]` (`[2h, 2w, C]` at ÷2)
    pub fn decode(&self, grid: &Grid) -> Map {
        self.decoder.decode(grid)
    }

    /// The pixels that a change of cells `rows × cols` of `grid` can affect (the pixels of
    /// [`crate::incremental::Window`]), each layer computed only where they depend on it
    /// ([`HostDecoder::decode_region`]; burn's path decodes the window's cells whole).
    pub fn decode_window(
        &self,
        config: &VqVaeConfig,
        grid: &Grid,
        rows: std::ops::RangeInclusive<usize>,
        cols: std::ops::RangeInclusive<usize>,
    ) -> HostPatch {
        let window = Window::new(config, (grid.height, grid.width), rows, cols);
        HostPatch {
            top: window.pixel_rows.start,
            left: window.pixel_cols.start,
            pixels: self
                .decoder
                .decode_region(grid, window.pixel_rows, window.pixel_cols),
        }
    }

    /// [`Self::decode_window`] of cell `(row, col)` with each of `codes` there
    /// ([`HostDecoder::decode_variants`]: one pass over the window, then each code's cone).
    pub fn decode_window_variants(
        &self,
        config: &VqVaeConfig,
        grid: &Grid,
        (row, col): (usize, usize),
        codes: &[u32],
    ) -> Vec<HostPatch> {
        let window = Window::new(config, (grid.height, grid.width), row..=row, col..=col);
        self.decoder
            .decode_variants(
                grid,
                (row, col),
                codes,
                window.pixel_rows.clone(),
                window.pixel_cols.clone(),
            )
            .into_iter()
            .map(|pixels| HostPatch {
                top: window.pixel_rows.start,
                left: window.pixel_cols.start,
                pixels,
            })
            .collect()
    }
}
