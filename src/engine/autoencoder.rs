//! The VQ-VAE's encoder and decoder, on the host or on the device: the one place that chooses.
//!
//! On the CPU backend the loaded model carries its autoencoder on the host
//! ([`vq_model::vqvae::HostVqVae`], `model.host`: channels-last maps and one SIMD kernel for
//! every convolution, faster in WebAssembly than burn's im2col and gemm; BENCHMARKS.md); on
//! WebGPU, or with `?autoencoder=burn`, burn's layers run on the device. Either way the
//! results come back as host values, read asynchronously.

use std::ops::RangeInclusive;

use burn::tensor::{Device, Tensor, TensorData};
use vq_model::image::rgba_from_planes;
use vq_model::incremental::{decode_window as device_window, decode_window_each};
use vq_model::sampler::Grid;
use vq_model::vqvae::Map;
use vq_model::weights::LoadedModel;
use vq_model::{VqVaeConfig, read_f32, read_i64};

use super::EngineError;
use crate::protocol::PatchPixels;

/// Decoded pixels, one or more images of the same size placed at `(top, left)` of the full
/// image.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// First pixel row in the full image.
    pub top: usize,
    /// First pixel column.
    pub left: usize,
    /// Columns of each image.
    pub width: usize,
    /// Rows of each image.
    pub height: usize,
    /// Channels of each image.
    pub channels: usize,
    /// Each image's values in model space, planes `[C, height, width]`.
    pub planes: Vec<Vec<f32>>,
}

impl Decoded {
    /// The RGBA bytes of each image.
    pub fn rgba(&self) -> Vec<Vec<u8>> {
        self.planes
            .iter()
            .map(|planes| rgba_from_planes(planes, (self.width, self.height), self.channels))
            .collect()
    }

    /// The `i`-th image as the page's patch (empty pixels if there is none).
    pub fn patch(&self, i: usize) -> PatchPixels {
        PatchPixels {
            top: self.top,
            left: self.left,
            width: self.width,
            height: self.height,
            rgba: self.planes.get(i).map_or_else(Vec::new, |planes| {
                rgba_from_planes(planes, (self.width, self.height), self.channels)
            }),
        }
    }

    /// Host maps, all of the same size, placed at `(top, left)`.
    fn of_maps(maps: &[Map], (top, left): (usize, usize)) -> Self {
        let first = maps.first();
        Self {
            top,
            left,
            width: first.map_or(0, |m| m.width),
            height: first.map_or(0, |m| m.height),
            channels: first.map_or(0, |m| m.channels),
            planes: maps.iter().map(Map::to_planes).collect(),
        }
    }

    /// A device tensor `[n, C, height, width]` placed at `(top, left)`, read back.
    async fn of_tensor(
        pixels: Tensor<4>,
        (top, left): (usize, usize),
    ) -> Result<Self, EngineError> {
        let [_, channels, height, width] = pixels.dims();
        let values = read_f32(pixels).await?;
        Ok(Self {
            top,
            left,
            width,
            height,
            channels,
            planes: values
                .chunks_exact((channels * height * width).max(1))
                .map(<[f32]>::to_vec)
                .collect(),
        })
    }
}

/// `z_e` of a batch of images: maps on the host when the encoder ran there, else a tensor on
/// the device.
pub enum Latents {
    /// One `[h, w, D]` map per image.
    Host(Vec<Map>),
    /// `[n, D, h, w]`.
    Device(Box<Tensor<4>>),
}

/// The `k` nearest codes of every cell of a batch, nearest first, with their squared distances.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Rows of cells.
    pub height: usize,
    /// Columns of cells.
    pub width: usize,
    /// Codes per cell (at most `K`, whatever was asked for).
    pub k: usize,
    /// Codes per cell, `[n, h, w, k]`.
    pub codes: Vec<u32>,
    /// Squared distances, `[n, h, w, k]`, ascending per cell.
    pub distance: Vec<f32>,
}

impl Ranked {
    /// Each image's grid of its nearest codes.
    pub fn grids(&self) -> Vec<Grid> {
        let (cells, k) = (self.height * self.width, self.k.max(1));
        self.codes
            .chunks((cells * k).max(1))
            .map(|codes| Grid {
                height: self.height,
                width: self.width,
                codes: codes.iter().step_by(k).copied().collect(),
            })
            .collect()
    }
}

/// Codes read back from the device (a negative index, which the quantizer never gives, reads
/// as 0).
fn codes_of(codes: Vec<i64>) -> Vec<u32> {
    codes
        .into_iter()
        .map(|code| u32::try_from(code.max(0)).unwrap_or(0))
        .collect()
}

impl Latents {
    /// `z_e` of `images` (each planes `[C, H, W]` in model space, `(width, height)` = `size`).
    pub fn of(
        model: &LoadedModel,
        images: &[Vec<f32>],
        (width, height): (usize, usize),
        device: &Device,
    ) -> Self {
        let channels = model.config.vqvae.in_channels;
        match &model.host {
            Some(host) => Self::Host(
                images
                    .iter()
                    .map(|planes| {
                        host.encoder
                            .forward(&Map::from_planes(planes, (height, width), channels))
                    })
                    .collect(),
            ),
            None => {
                let values: Vec<f32> = images.iter().flatten().copied().collect();
                let x = Tensor::<4>::from_data(
                    TensorData::new(values, [images.len(), channels, height, width]),
                    device,
                );
                Self::Device(Box::new(model.vqvae.encoder.forward(x)))
            }
        }
    }

    /// The `k` nearest codes of every cell (on the host when `z_e` is there).
    ///
    /// # Errors
    ///
    /// [`EngineError::Device`] when the device fails to compute or read back.
    pub async fn ranked(
        &self,
        model: &LoadedModel,
        k: usize,
        device: &Device,
    ) -> Result<Ranked, EngineError> {
        match (self, &model.host) {
            (Self::Host(maps), Some(host)) => {
                let (height, width) = maps.first().map_or((0, 0), |m| (m.height, m.width));
                let mut ranked = Ranked {
                    height,
                    width,
                    k: k.clamp(1, host.quantizer.codebook_size().max(1)),
                    codes: Vec::new(),
                    distance: Vec::new(),
                };
                for map in maps {
                    let one = host.quantizer.ranked(map, k);
                    ranked.codes.extend(one.codes);
                    ranked.distance.extend(one.distance);
                }
                Ok(ranked)
            }
            _ => {
                let ranked = model.vqvae.quantizer.ranked(self.tensor(device), k); // [n, h, w, k]
                let [_, height, width, k] = ranked.codes.dims();
                Ok(Ranked {
                    height,
                    width,
                    k,
                    codes: codes_of(read_i64(ranked.codes).await?),
                    distance: read_f32(ranked.distance).await?,
                })
            }
        }
    }

    /// `z_e` as a device tensor `[n, D, h, w]`.
    pub fn tensor(&self, device: &Device) -> Tensor<4> {
        match self {
            Self::Device(tensor) => (**tensor).clone(),
            Self::Host(maps) => {
                let (d, h, w) = maps
                    .first()
                    .map_or((0, 0, 0), |m| (m.channels, m.height, m.width));
                let values: Vec<f32> = maps.iter().flat_map(Map::to_planes).collect();
                Tensor::<4>::from_data(TensorData::new(values, [maps.len(), d, h, w]), device)
            }
        }
    }

    /// [`Self::ranked`] with the full decode of each image's nearest codes, `[C, H, W]` per
    /// image. On the device the decode is queued before anything is read back, so that the
    /// two read-backs wait once.
    ///
    /// # Errors
    ///
    /// [`EngineError::Device`] when the device fails to compute or read back.
    pub async fn ranked_and_decoded(
        &self,
        model: &LoadedModel,
        k: usize,
        device: &Device,
    ) -> Result<(Ranked, Vec<Vec<f32>>), EngineError> {
        let Self::Device(z_e) = self else {
            let ranked = self.ranked(model, k, device).await?;
            let grids = ranked.grids();
            let decoded = decode(model, &grids, device).await?;
            return Ok((ranked, decoded.planes));
        };
        let ranked = model.vqvae.quantizer.ranked((**z_e).clone(), k); // [n, h, w, k]
        let [n, height, width, k] = ranked.codes.dims();
        let nearest = ranked
            .codes
            .clone()
            .slice([0..n, 0..height, 0..width, 0..1])
            .reshape([n, height, width]);
        let x_hat = Decoded::of_tensor(model.vqvae.decode(nearest), (0, 0)); // [n, C, H, W]
        let ranked = Ranked {
            height,
            width,
            k,
            codes: codes_of(read_i64(ranked.codes).await?),
            distance: read_f32(ranked.distance).await?,
        };
        debug_assert_eq!(ranked.codes.len(), n * height * width * k);
        Ok((ranked, x_hat.await?.planes))
    }

    /// The values `[n, D, h, w]`, read back where they are on the device.
    ///
    /// # Errors
    ///
    /// [`EngineError::Device`] when the device fails to read back.
    pub async fn values(&self) -> Result<Vec<f32>, EngineError> {
        match self {
            Self::Host(maps) => Ok(maps.iter().flat_map(Map::to_planes).collect()),
            Self::Device(tensor) => Ok(read_f32((**tensor).clone()).await?),
        }
    }
}

/// Every pixel of each of `grids` (all of one size).
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn decode(
    model: &LoadedModel,
    grids: &[Grid],
    device: &Device,
) -> Result<Decoded, EngineError> {
    match &model.host {
        Some(host) => {
            let maps: Vec<Map> = grids.iter().map(|grid| host.decode(grid)).collect();
            Ok(Decoded::of_maps(&maps, (0, 0)))
        }
        None => {
            Decoded::of_tensor(model.vqvae.decode(Grid::to_tensor(grids, device)), (0, 0)).await
        }
    }
}

/// The pixels that a change of the cells `rows × cols` of `grid` can affect, decoded from the
/// window of cells that reaches them.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn decode_window(
    model: &LoadedModel,
    grid: &Grid,
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
    device: &Device,
) -> Result<Decoded, EngineError> {
    let config = &model.config.vqvae;
    match &model.host {
        Some(host) => {
            let patch = host.decode_window(config, grid, rows, cols);
            Ok(Decoded::of_maps(&[patch.pixels], (patch.top, patch.left)))
        }
        None => {
            let patch = device_window(&model.vqvae, config, grid, rows, cols, device);
            Decoded::of_tensor(patch.pixels, (patch.top, patch.left)).await
        }
    }
}

/// The window of cell `cell` decoded once for each of `codes` put at that cell (the rest of
/// `grid` as it is): the `i`-th image is the one with `codes[i]`.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn decode_window_with(
    model: &LoadedModel,
    grid: &Grid,
    (row, col): (usize, usize),
    codes: &[u32],
    device: &Device,
) -> Result<Decoded, EngineError> {
    let config: &VqVaeConfig = &model.config.vqvae;
    match &model.host {
        Some(host) => {
            let patches = host.decode_window_variants(config, grid, (row, col), codes);
            let place = patches
                .first()
                .map_or((0, 0), |patch| (patch.top, patch.left));
            let maps: Vec<Map> = patches.into_iter().map(|patch| patch.pixels).collect();
            Ok(Decoded::of_maps(&maps, place))
        }
        None => {
            let patch = decode_window_each(&model.vqvae, config, grid, (row, col), codes, device);
            Decoded::of_tensor(patch.pixels, (patch.top, patch.left)).await
        }
    }
}
