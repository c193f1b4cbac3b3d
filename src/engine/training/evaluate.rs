//! The model as it stands, measured on held-out images: test PSNR, how the codebook is used,
//! the showcase's reconstructions, every code decoded alone, and the codebook's map with a
//! batch's encoder outputs. Every read is `into_data_async` (`vq_model::read_f32`,
//! `read_i64`): this runs in the browser.

use burn::tensor::{Device, Int, Tensor, TensorData};
use vq_model::VqVae;
use vq_model::codebook::{perplexity, usage_counts};
use vq_model::map::Pca2;
use vq_model::quantizer::flatten_cells;
use vq_model::{read_f32, read_i64};
use web_time::Instant;

use super::TrainingError;
use super::data::Data;
use crate::protocol::{Evaluation, TrainingMap};

/// Cells per side of the uniform grid each code is decoded from (as the lab's codebook
/// gallery, `engine::generate::codebook_tiles`): a 2×2 grid of one code shows its texture
/// without the edge of a single cell.
const TILE_CELLS: usize = 2;

/// Images of the latest batch whose encoder outputs make the map's cloud: 6 × 49 = 294
/// points for the fashion data.
const CLOUD_IMAGES: usize = 6;

/// Evaluates `model` (no autodiff) at step `step`; `cloud` are the indices of the training
/// images whose `z_e` the map shows.
///
/// # Errors
/// [`TrainingError::Device`] when the device fails to compute or read back.
pub async fn evaluate(
    model: &VqVae,
    data: &Data,
    step: usize,
    cloud: &[usize],
    device: &Device,
) -> Result<Evaluation, TrainingError> {
    let started = Instant::now();
    let k = model.quantizer.codebook_size();
    let (height, width) = data.test.size();

    let x = data.test_batch(device)?; // [n, 1, H, W]
    let n = x.dims()[0];
    let z_e = model.encoder.forward(x.clone()); // [n, D, H/4, W/4]
    let [_, _, h, w] = z_e.dims();
    // The nearest code by one argmin: the quantizer's `nearest` ranks two codes with a
    // top-k, which sorts each cell's K distances (an evaluation at K = 512 took twice as
    // long with it).
    let codes = model
        .quantizer
        .partial_distances(flatten_cells(z_e))
        .argmin(1)
        .reshape([n, h, w]); // [n, H/4, W/4]
    let x_hat = model.decode(codes.clone()).clamp(-0.5, 0.5); // [n, 1, H, W]
    let per_image = (x_hat.clone() - x)
        .square()
        .mean_dims(&[1, 2, 3])
        .reshape([n]); // [n]
    let showcase = x_hat.select(0, indices(&data.showcase, device)); // [8, 1, H, W]
    let codes = read_i64(codes).await?;
    let mse = read_f32(per_image).await?;
    let reconstructions = read_f32(showcase).await?;

    let usage = usage_counts(&codes, k);
    let codes_used = usage.iter().filter(|&&count| count > 0).count();
    let test_psnr = mse.iter().map(|&mse| psnr(mse)).sum::<f64>() / mse.len().max(1) as f64;

    let (tile, tiles) = tiles(model, device).await?;
    let map = map(model, data, cloud, device).await?;
    Ok(Evaluation {
        step,
        test_psnr,
        usage: usage
            .iter()
            .map(|&count| u32::try_from(count).unwrap_or(u32::MAX))
            .collect(),
        codes_used,
        dead_codes: k - codes_used,
        perplexity: perplexity(&usage),
        size: (width, height),
        reconstructions: grey(&reconstructions),
        tile,
        tiles,
        map,
        millis: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// Every code decoded alone, as a `TILE_CELLS`-square grid of it, in one decoder call:
/// the tiles' side in pixels and their grey levels, one tile after the other.
async fn tiles(model: &VqVae, device: &Device) -> Result<(usize, Vec<u8>), TrainingError> {
    let k = model.quantizer.codebook_size();
    let cells = TILE_CELLS * TILE_CELLS;
    let codes: Vec<i64> = (0..k as i64)
        .flat_map(|code| std::iter::repeat_n(code, cells))
        .collect();
    let grids =
        Tensor::<3, Int>::from_data(TensorData::new(codes, [k, TILE_CELLS, TILE_CELLS]), device); // [K, 2, 2]
    let pictures = model.decode(grids); // [K, 1, 8, 8]
    let side = pictures.dims()[3];
    Ok((side, grey(&read_f32(pictures).await?)))
}

/// The codebook on its two principal axes, with the encoder outputs of the training images
/// at `cloud` (the first [`CLOUD_IMAGES`]) on the same axes.
async fn map(
    model: &VqVae,
    data: &Data,
    cloud: &[usize],
    device: &Device,
) -> Result<TrainingMap, TrainingError> {
    let d = model.quantizer.embedding_dim();
    let codebook = read_f32(model.quantizer.codebook.weight.val()).await?; // [K, D]
    let images = &cloud[..cloud.len().min(CLOUD_IMAGES)];
    let z_e = if images.is_empty() {
        Vec::new()
    } else {
        let x = data.train_batch(images, device)?; // [n, 1, H, W]
        read_f32(flatten_cells(model.encoder.forward(x))).await? // [n·h·w, D]
    };
    let axes = Pca2::fit(&codebook, d);
    let flat = |points: Vec<[f32; 2]>| points.into_iter().flatten().collect::<Vec<f32>>();
    Ok(TrainingMap {
        codes: flat(axes.project_rows(&codebook)),
        cloud: flat(axes.project_rows(&z_e)),
        explained: axes
            .variance
            .map(|variance| share(variance, axes.total_variance)),
    })
}

/// `part / total`, 0 for a codebook of identical codes.
fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 { part / total } else { 0.0 }
}

/// PSNR in dB of a mean squared error over pixels whose range is 1 (model space).
pub fn psnr(mse: f32) -> f64 {
    10.0 * (1.0 / f64::from(mse).max(1e-12)).log10()
}

/// Model-space values (`[−0.5, 0.5]`) as grey levels (`[0, 255]`, as the data stores them).
fn grey(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .map(|&v| ((v + 0.5).clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

/// `indices` as an index tensor.
///
/// # Shapes
/// - returns `[indices.len()]`
fn indices(indices: &[usize], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
    Tensor::from_data(TensorData::new(values, [indices.len()]), device)
}
