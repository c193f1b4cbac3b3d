//! The `photo` model: natural photographs in RGB, grid = image ÷ 4, K = 512, D = 64, and an
//! unconditional gated PixelCNN trained on 16×16 grids (the codes of 64×64 crops).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use burn::prelude::*;
use image::RgbImage;
use vq_model::codebook::{perplexity, usage_counts};
use vq_model::config::{ModelConfig, PriorConfig, VqVaeConfig};
use vq_model::sampler::{self, Grid, SampleOptions};
use vq_model::{PixelCnnPrior, VqVae};

use crate::data::ImageSet;
use crate::data::photos::{self, Photos};
use crate::prior_train::GridSet;
use crate::shipped::{self, Record};
use crate::vqvae_train::psnr;
use crate::{batch, card, evaluate, prior_train, vqvae_train};

/// Side of the crops the prior is trained and scored on (16×16 grids).
pub const PRIOR_CROP: u32 = 64;

/// Held-out 64×64 crops whose grids score the prior and count the codes used.
pub const HELD_OUT_PRIOR_CROPS: usize = 2_000;

/// Options of `vq-train photo`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Output model directory.
    #[arg(long, default_value = "assets/models/photo")]
    pub out: PathBuf,
    /// Checkpoints and logs.
    #[arg(long, default_value = "runs/photo")]
    pub work: PathBuf,
    /// Folders holding the wallpapers.
    #[arg(long, default_values = photos::DEFAULT_DIRS)]
    pub data: Vec<PathBuf>,
    /// VQ-VAE steps.
    #[arg(long, default_value_t = 4500)]
    pub steps: usize,
    /// Prior steps (batches of 32 grids of 16×16).
    #[arg(long, default_value_t = 700)]
    pub prior_steps: usize,
    /// Crops per VQ-VAE step.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Side of the training crops.
    #[arg(long, default_value_t = 32)]
    pub crop: u32,
    /// Number of training crops drawn.
    #[arg(long, default_value_t = 60_000)]
    pub crops: usize,
    /// From this VQ-VAE step on, the learning rate falls linearly to a tenth at `--steps`.
    #[arg(long, default_value = "3750")]
    pub decay_from: Option<usize>,
    /// Seed of everything.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The architecture of the shipped `photo` model.
pub fn config() -> ModelConfig {
    ModelConfig::new(
        "photo".into(),
        VqVaeConfig::new(3, 64, 512)
            .with_hidden_channels(128)
            .with_residual_channels(64),
        PriorConfig::new(512).with_channels(64).with_layers(6),
        256,
    )
}

/// Held-out evaluation images: four 128×128 crops of each held-out photo reduced to 512 px,
/// and each whole held-out photo reduced to 256 px on its long side.
pub struct HeldOut {
    /// 128×128 crops.
    pub crops: ImageSet,
    /// Whole photos at 256 px, sides multiples of 4.
    pub whole: Vec<RgbImage>,
}

/// The fixed held-out set of `photos` (their held-out images only).
pub fn held_out(photos: &Photos) -> HeldOut {
    held_out_of(&photos.held_out)
}

/// The fixed held-out set made of `held_out` photos.
pub fn held_out_of(held_out: &[RgbImage]) -> HeldOut {
    let mut pixels = Vec::new();
    let mut whole = Vec::new();
    for photo in held_out {
        let (w, h) = vq_model::image::fit_size((photo.width(), photo.height()), 512);
        let medium = image::imageops::resize(photo, w, h, image::imageops::FilterType::Lanczos3);
        for (fx, fy) in [(1, 1), (3, 1), (1, 3), (3, 3)] {
            let x = (medium.width() - 128) * fx / 4;
            let y = (medium.height() - 128) * fy / 4;
            photos::push_planar(&medium, x, y, 128, 128, &mut pixels);
        }
        let (w, h) = vq_model::image::fit_size((photo.width(), photo.height()), 256);
        whole.push(image::imageops::resize(
            photo,
            w,
            h,
            image::imageops::FilterType::Lanczos3,
        ));
    }
    HeldOut {
        crops: ImageSet {
            channels: 3,
            side: 128,
            pixels,
            labels: Vec::new(),
        },
        whole,
    }
}

/// Mean PSNR of whole images, and the codes they use.
pub fn whole_image_psnr(model: &VqVae, images: &[RgbImage], device: &Device) -> (f64, Vec<i64>) {
    let mut total = 0.0;
    let mut codes = Vec::new();
    for image in images {
        let mut values = Vec::new();
        photos::push_planar(image, 0, 0, image.width(), image.height(), &mut values);
        let x = Tensor::<4>::from_data(
            TensorData::new(
                values,
                [1, 3, image.height() as usize, image.width() as usize],
            ),
            device,
        );
        let grid = model.encode(x.clone());
        let x_hat = model.decode(grid.clone()).clamp(-0.5, 0.5);
        total += f64::from(psnr(batch::floats((x_hat - x).square().mean())[0]));
        codes.extend(batch::ints(grid));
    }
    (total / images.len().max(1) as f64, codes)
}

/// The grids of `count` random 64×64 crops of the held-out photos (the prior's grid size),
/// drawn from `seed` as the trainer draws them.
pub fn held_out_grids(
    vqvae: &VqVae,
    held_out: &[RgbImage],
    count: usize,
    seed: u64,
    device: &Device,
) -> GridSet {
    let crops = photos::random_crops(held_out, PRIOR_CROP, count, seed ^ 65);
    evaluate::encode(vqvae, &crops, device)
}

/// The figures of the manifest, measured on the `held_out` photos (never cropped for
/// training) with the run's `seed`: `held_out_crop128_psnr_db` and
/// `held_out_crop128_normalised_mse` (four 128×128 crops of each), `held_out_whole256_psnr_db`
/// (each whole, 256 px on its long side), `held_out_codes_used_fraction` and
/// `held_out_perplexity` (over the whole images' codes and those of 2 000 random 64×64
/// crops), `held_out_prior_bits_per_code` (on those crops' 16×16 grids) and
/// `held_out_prior_fraction_of_uniform` (of `log2 K` bits).
pub fn held_out_metrics(
    vqvae: &VqVae,
    prior: &PixelCnnPrior,
    held_out: &[RgbImage],
    seed: u64,
    device: &Device,
) -> BTreeMap<String, f64> {
    let k = vqvae.quantizer.codebook_size();
    let set = held_out_of(held_out);
    let crops = evaluate::evaluate(vqvae, &set.crops, k, device);
    let (whole_psnr, mut codes) = whole_image_psnr(vqvae, &set.whole, device);
    let grids = held_out_grids(vqvae, held_out, HELD_OUT_PRIOR_CROPS, seed, device);
    codes.extend(grids.codes.iter().copied());
    let usage = usage_counts(&codes, k);
    let used = usage.iter().filter(|&&n| n > 0).count() as f64 / k as f64;
    let bits = prior_train::bits_per_code(prior, &grids, device);
    BTreeMap::from([
        ("held_out_crop128_psnr_db".into(), crops.psnr_db),
        (
            "held_out_crop128_normalised_mse".into(),
            crops.normalised_mse,
        ),
        ("held_out_whole256_psnr_db".into(), whole_psnr),
        ("held_out_codes_used_fraction".into(), used),
        ("held_out_perplexity".into(), perplexity(&usage)),
        ("held_out_prior_bits_per_code".into(), bits),
        (
            "held_out_prior_fraction_of_uniform".into(),
            bits / (k as f64).log2(),
        ),
    ])
}

/// Trains, evaluates and exports.
pub fn run(args: &Args, device: &Device) -> Result<()> {
    let run = shipped::Run::start();
    let config = config();
    let photos = photos::load(&args.data)?;
    eprintln!(
        "photos: {} for training, {} held out: {:?}",
        photos.train.len(),
        photos.held_out.len(),
        photos.held_out_paths
    );
    let train = photos::random_crops(&photos.train, args.crop, args.crops, args.seed);
    let held_out = held_out(&photos);

    let options = vqvae_train::Options::shipped(
        args.steps,
        args.batch_size,
        args.decay_from,
        args.seed,
        &args.work,
    );
    let vqvae = vqvae_train::train(&config.vqvae, options, &train, device)?;

    let k = config.vqvae.codebook_size;
    let crops_64 = photos::random_crops(&photos.train, PRIOR_CROP, 20_000, args.seed ^ 64);
    let train_grids = evaluate::encode(&vqvae, &crops_64, device);
    let prior = prior_train::train(
        &config.prior,
        &train_grids,
        &prior_train::Options::shipped(args.prior_steps, 32, args.seed),
        &device.clone().autodiff(),
    )?;

    let metrics = held_out_metrics(&vqvae, &prior, &photos.held_out, args.seed, device);
    eprintln!("{}", serde_json::to_string_pretty(&metrics)?);
    run.export(
        &args.out,
        &config,
        &vqvae,
        &prior,
        Record {
            seed: args.seed,
            data: format!(
                "{} wallpapers of Debian's plasma-workspace-wallpapers, mate-backgrounds, ukui-wallpapers: {} crops of {} px from {} photos for training; {} whole photos held out",
                photos.train.len() + photos.held_out.len(),
                args.crops,
                args.crop,
                photos.train.len(),
                photos.held_out.len()
            ),
            metrics,
            train_usage: usage_counts(&train_grids.codes, k),
        },
    )?;

    let originals = batch::images(
        &held_out.crops,
        &(0..6).map(|i| i * 4).collect::<Vec<_>>(),
        device,
    );
    let reconstructions = vqvae.decode(vqvae.encode(originals.clone()));
    let options = SampleOptions {
        temperature: 1.0,
        top_k: None,
        seed: 1,
        class: None,
    };
    let grids: Vec<Grid> = pollster::block_on(sampler::sample(
        &prior,
        (16, 16),
        6,
        &options,
        device,
        &mut |_, _| {},
    ))?;
    let samples = vqvae.decode(Grid::to_tensor(&grids, device));
    let samples = samples.pad(
        [(32, 32), (32, 32)],
        burn::tensor::ops::PadMode::Constant(0.5),
    );
    card::write_rows(
        &args.out.join("card.png"),
        &[originals, reconstructions, samples],
        1,
    )?;
    Ok(())
}

/// Writes held-out photographs (never seen in training) as the app's built-in examples:
/// each resized to 256 px on the long side, PNG, named after its wallpaper's folder, with an
/// `examples.json` listing them and where they came from. `only` picks some by name.
pub fn write_examples(data: &[PathBuf], out: &std::path::Path, only: &[String]) -> Result<()> {
    let photos = photos::load_held_out(data)?;
    std::fs::create_dir_all(out)?;
    let mut listing = Vec::new();
    for (image, path) in photos.held_out.iter().zip(&photos.held_out_paths) {
        let name = example_name(path);
        if !only.is_empty() && !only.contains(&name) {
            continue;
        }
        let (w, h) = image.dimensions();
        let scale = 256.0 / f64::from(w.max(h));
        let small = image::imageops::resize(
            image,
            ((f64::from(w) * scale).round() as u32).max(1),
            ((f64::from(h) * scale).round() as u32).max(1),
            image::imageops::FilterType::Lanczos3,
        );
        let file = format!("{name}.png");
        small.save(out.join(&file))?;
        eprintln!("{file}: {}", path.display());
        listing.push(serde_json::json!({
            "file": file,
            "label": name.replace('-', " "),
            "source": path.display().to_string(),
        }));
    }
    std::fs::write(
        out.join("examples.json"),
        serde_json::to_string_pretty(&listing)? + "\n",
    )?;
    Ok(())
}

/// Side of each tile of the held-out sample, in pixels.
pub const SAMPLE_TILE: u32 = 128;

/// Writes the held-out sample that shows what each code means (`held-out-sample.png` in `out`):
/// every held-out photograph at 256 px on its long side, its centre `SAMPLE_TILE` square, side by
/// side in rows of three.
pub fn write_held_out_sample(data: &[PathBuf], out: &std::path::Path) -> Result<()> {
    let photos = photos::load_held_out(data)?;
    let count = photos.held_out.len() as u32;
    let columns = count.clamp(1, 3);
    let rows = count.div_ceil(columns);
    let mut sheet = RgbImage::new(columns * SAMPLE_TILE, rows * SAMPLE_TILE);
    for (i, (image, path)) in photos
        .held_out
        .iter()
        .zip(&photos.held_out_paths)
        .enumerate()
    {
        let (w, h) = image.dimensions();
        let scale = 256.0 / f64::from(w.max(h));
        let small = image::imageops::resize(
            image,
            ((f64::from(w) * scale).round() as u32).max(SAMPLE_TILE),
            ((f64::from(h) * scale).round() as u32).max(SAMPLE_TILE),
            image::imageops::FilterType::Lanczos3,
        );
        let (left, top) = (
            (small.width() - SAMPLE_TILE) / 2,
            (small.height() - SAMPLE_TILE) / 2,
        );
        let tile =
            image::imageops::crop_imm(&small, left, top, SAMPLE_TILE, SAMPLE_TILE).to_image();
        let i = i as u32;
        image::imageops::replace(
            &mut sheet,
            &tile,
            i64::from((i % columns) * SAMPLE_TILE),
            i64::from((i / columns) * SAMPLE_TILE),
        );
        eprintln!("tile {i}: {}", path.display());
    }
    std::fs::create_dir_all(out)?;
    sheet.save(out.join("held-out-sample.png"))?;
    Ok(())
}

/// The wallpaper's folder name (`/usr/share/wallpapers/Kite/contents/images/…` → `kite`), or
/// the file's stem for loose files.
fn example_name(path: &std::path::Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = match parts.iter().position(|p| p == "contents") {
        Some(i) if i > 0 => parts[i - 1].clone(),
        _ => path
            .file_stem()
            .map_or_else(|| "photo".into(), |s| s.to_string_lossy().into_owned()),
    };
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
