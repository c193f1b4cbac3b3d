//! The encoder and decoder on the host ([`super::host_conv`]), for the CPU backend: the same
//! layers as [`super::Encoder`] and [`super::Decoder`], from weights read once, computing the
//! same values up to the order of float sums (tested).

use super::host_conv::{HostConv, HostConvTranspose, Map};
use super::{Decoder, Encoder, ResidualStack, VqVae};
use crate::ReadError;
use crate::config::VqVaeConfig;
use crate::incremental::Window;
use crate::sampler::Grid;

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
    async fn read(encoder: &Encoder) -> Result<Self, ReadError> {
        Ok(Self {
            down1: HostConv::read(&encoder.down1, 2, 1).await?,
            down2: HostConv::read(&encoder.down2, 2, 1).await?,
            conv3: HostConv::read(&encoder.conv3, 1, 1).await?,
            residual: HostResidual::read(&encoder.residual).await?,
            to_embedding: HostConv::read(&encoder.to_embedding, 1, 0).await?,
        })
    }

    /// # Shapes
    /// - `x`: `[H, W, C]` in model space → `z_e`: `[H/4, W/4, D]`
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
    conv3: HostConv,
    residual: HostResidual,
    up1: HostConvTranspose,
    up2: HostConvTranspose,
}

impl HostDecoder {
    async fn read(decoder: &Decoder, vqvae: &VqVae) -> Result<Self, ReadError> {
        let [_, embedding_dim] = vqvae.quantizer.codebook.weight.dims();
        Ok(Self {
            codebook: crate::read_f32(vqvae.quantizer.codebook.weight.val()).await?,
            embedding_dim,
            conv3: HostConv::read(&decoder.conv3, 1, 1).await?,
            residual: HostResidual::read(&decoder.residual).await?,
            up1: HostConvTranspose::read(&decoder.up1).await?,
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
    /// - `z_q`: `[h, w, D]` → `x̂`: `[4h, 4w, C]` in model space
    pub fn forward(&self, z_q: &Map) -> Map {
        let x = self.conv3.forward(z_q, false, false);
        let x = self.residual.forward(x);
        let x = self.up1.forward(&x, true);
        self.up2.forward(&x, false)
    }
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
        Ok(Self {
            encoder: HostEncoder::read(&vqvae.encoder).await?,
            decoder: HostDecoder::read(&vqvae.decoder, vqvae).await?,
        })
    }

    /// Decodes `grid`.
    ///
    /// # Shapes
    /// - returns `x̂`: `[4h, 4w, C]`
    pub fn decode(&self, grid: &Grid) -> Map {
        self.decoder.forward(&self.decoder.z_q(grid))
    }

    /// The pixels that a change of cells `rows × cols` of `grid` can affect, decoded from the
    /// window of cells that reaches them ([`crate::incremental::decode_window`] on the host).
    pub fn decode_window(
        &self,
        config: &VqVaeConfig,
        grid: &Grid,
        rows: std::ops::RangeInclusive<usize>,
        cols: std::ops::RangeInclusive<usize>,
    ) -> HostPatch {
        let window = Window::new(config, (grid.height, grid.width), rows, cols);
        let crop = grid.crop(window.cell_rows.clone(), window.cell_cols.clone());
        let decoded = self.decode(&crop);
        let scale = VqVaeConfig::DOWNSAMPLE;
        let (y0, x0) = (
            scale * window.cell_rows.start,
            scale * window.cell_cols.start,
        );
        HostPatch {
            top: window.pixel_rows.start,
            left: window.pixel_cols.start,
            pixels: decoded.crop(
                window.pixel_rows.start - y0..window.pixel_rows.end - y0,
                window.pixel_cols.start - x0..window.pixel_cols.end - x0,
            ),
        }
    }
}
