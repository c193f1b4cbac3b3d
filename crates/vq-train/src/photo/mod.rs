//! The `photo` model: natural photographs in RGB, grid = image ÷ 4, K = 512, D = 64, and an
//! unconditional gated PixelCNN trained on 16×16 grids (the codes of 64×64 crops), scored on
//! those and on the grids of whole photographs the page shows.

mod held_out;
pub mod prior_only;

pub use held_out::{HeldOut, Use, WHOLE_SIDES, held_out_of, log_uses, reduced_size, whole_sides};

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use burn::prelude::*;
use image::RgbImage;
use vq_model::codebook::{perplexity, usage_counts};
use vq_model::config::{ModelConfig, PriorConfig, VqVaeConfig};
use vq_model::sampler::{self, Grid, SampleOptions};
use vq_model::{PixelCnnPrior, VqVae};

use crate::data::photos::augment::Augment;
use crate::data::photos::{self, Folders, Photos};
use crate::prior_train::GridSet;
use crate::shipped::{self, Record};
use crate::vqvae_train::psnr;
use crate::{batch, card, evaluate, prior_train, vqvae_train};

/// Side of the crops the shipped prior trains on and of the held-out crops it is scored on
/// (16×16 grids: the manifest's `held_out_prior_bits_per_code`, comparable across runs).
pub const PRIOR_CROP: u32 = 64;

/// The shipped prior's steps.
pub const PRIOR_STEPS: usize = 2_400;

/// The step from which the shipped prior's learning rate falls (to a tenth at the last).
pub const PRIOR_DECAY_FROM: usize = 1_800;

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
    /// Folders of training photographs, repeated; by default the wallpapers
    /// (`/usr/share/wallpapers`, `/usr/share/backgrounds`, `scripts/install-data.sh`) and
    /// `$VQ_LAB_CACHE/photos/train` (`scripts/install-photo-data.sh`).
    #[arg(long)]
    pub train_data: Vec<PathBuf>,
    /// Folders of held-out photographs (sources no training folder uses), repeated; by
    /// default `$VQ_LAB_CACHE/photos/held-out` (`scripts/install-photo-data.sh`).
    #[arg(long)]
    pub held_out_data: Vec<PathBuf>,
    /// VQ-VAE steps.
    #[arg(long, default_value_t = 4500)]
    pub steps: usize,
    /// Prior steps (batches of `--prior-batch` grids of `--prior-crop` ÷ 4 codes a side).
    #[arg(long, default_value_t = PRIOR_STEPS)]
    pub prior_steps: usize,
    /// The prior's training grids and its number of them per step.
    #[command(flatten)]
    pub prior: PriorArgs,
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
    /// What is done to each training crop (`data/photos/augment.rs`: flips, and a colour
    /// jitter of ±10 % in brightness, contrast and saturation).
    #[arg(long, value_enum, default_value_t = AugmentArg::FlipJitter)]
    pub augment: AugmentArg,
    /// Measure the whole held-out photographs (median and worst PSNR at 128, 256, 512 px) every
    /// this many VQ-VAE steps and at the last, into `--work`/held_out.csv (0: never).
    #[arg(long, default_value_t = 500)]
    pub eval_every: usize,
    /// Hidden channels of the encoder and decoder.
    #[arg(long, default_value_t = 128)]
    pub hidden: usize,
    /// Channels inside each residual block.
    #[arg(long, default_value_t = 64)]
    pub residual_channels: usize,
    /// Residual blocks in the encoder and in the decoder.
    #[arg(long, default_value_t = 2)]
    pub residual_blocks: usize,
    /// `K`, codes in the codebook (and logits of the prior).
    #[arg(long, default_value_t = 512)]
    pub codebook_size: usize,
    /// `D`, the dimension of each code's vector.
    #[arg(long, default_value_t = 64)]
    pub embedding_dim: usize,
    /// Pixels per code along each side: 4 (the paper's and the shipped models'), or 2 (four
    /// times the codes, cells of 2×2 pixels in the page; PHOTO-RUNS.md).
    #[arg(long, default_value_t = 4)]
    pub downsample: usize,
    /// Load the photographs, log what was kept and at which sizes each held-out one is
    /// evaluated, and stop before training.
    #[arg(long)]
    pub dry_run: bool,
}

/// How the prior is trained: on the grids of which crops, how many per step, and its size.
#[derive(clap::Args, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorArgs {
    /// Side in pixels of the crops whose grids train the prior (64: grids of 16×16; 128:
    /// 32×32, which scored the page's grids worse: PHOTO-RUNS.md, "The prior").
    #[arg(long, default_value_t = PriorArgs::SHIPPED.prior_crop)]
    pub prior_crop: u32,
    /// Grids per prior step.
    #[arg(long, default_value_t = PriorArgs::SHIPPED.prior_batch)]
    pub prior_batch: usize,
    /// Channels of the prior's layers.
    #[arg(long, default_value_t = 64)]
    pub prior_channels: usize,
    /// Gated layers of the prior.
    #[arg(long, default_value_t = 6)]
    pub prior_layers: usize,
    /// From this prior step on, the prior's learning rate falls linearly to a tenth at the
    /// last step (the VQ-VAE's `--decay-from` schedule); at or past the last step: constant.
    #[arg(long, default_value_t = PRIOR_DECAY_FROM)]
    pub prior_decay_from: usize,
}

impl PriorArgs {
    /// The shipped prior's (PHOTO-RUNS.md, "The prior"): grids of 16×16 (crops of 64 px),
    /// 32 a step, 64 channels, 6 layers, the learning rate falling from step
    /// [`PRIOR_DECAY_FROM`] (of [`PRIOR_STEPS`]).
    pub const SHIPPED: Self = Self {
        prior_crop: PRIOR_CROP,
        prior_batch: 32,
        prior_channels: 64,
        prior_layers: 6,
        prior_decay_from: PRIOR_DECAY_FROM,
    };

    /// The prior these knobs describe, over `codebook_size` codes.
    pub fn config(&self, codebook_size: usize) -> PriorConfig {
        PriorConfig::new(codebook_size)
            .with_channels(self.prior_channels)
            .with_layers(self.prior_layers)
    }

    /// How many training crops of `prior_crop` px to draw: 20 000 of 64 px, as many codes
    /// for larger crops (at least 1 000).
    fn crops(&self) -> usize {
        let cells = (self.prior_crop / 4).max(1) as usize;
        (20_000 * 16 * 16 / (cells * cells)).max(1_000)
    }
}

/// What `--augment` does to the training crops.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AugmentArg {
    /// The crops as they are.
    None,
    /// Horizontal flips.
    Flip,
    /// Horizontal flips and the mild colour jitter.
    FlipJitter,
}

impl AugmentArg {
    /// The augmentation it names.
    pub fn augment(self) -> Augment {
        match self {
            Self::None => Augment::NONE,
            Self::Flip => Augment {
                flip: true,
                jitter: None,
            },
            Self::FlipJitter => Augment::FLIP_JITTER,
        }
    }
}

/// The architecture of the shipped `photo` model.
pub fn config() -> ModelConfig {
    config_of(&Shape::SHIPPED, &PriorArgs::SHIPPED)
}

/// The knobs of the `photo` architecture that `vq-train photo` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Hidden channels of the encoder and decoder.
    pub hidden: usize,
    /// Channels inside each residual block.
    pub residual_channels: usize,
    /// Residual blocks in the encoder and in the decoder.
    pub residual_blocks: usize,
    /// `K`.
    pub codebook_size: usize,
    /// `D`.
    pub embedding_dim: usize,
    /// Pixels per code along each side: 4, or 2 (an experiment the page does not draw).
    pub downsample: usize,
}

impl Shape {
    /// The shipped model's: 128 hidden, 2 residual blocks of 64, K = 512, D = 64.
    pub const SHIPPED: Self = Self {
        hidden: 128,
        residual_channels: 64,
        residual_blocks: 2,
        codebook_size: 512,
        embedding_dim: 64,
        downsample: 4,
    };
}

/// The `photo` architecture of `shape`, with the prior of `prior` over its `K` codes.
pub fn config_of(shape: &Shape, prior: &PriorArgs) -> ModelConfig {
    ModelConfig::new(
        "photo".into(),
        VqVaeConfig::new(3, shape.embedding_dim, shape.codebook_size)
            .with_hidden_channels(shape.hidden)
            .with_residual_channels(shape.residual_channels)
            .with_residual_blocks(shape.residual_blocks)
            .with_downsample((shape.downsample != 4).then_some(shape.downsample)),
        prior.config(shape.codebook_size),
        256,
    )
}

/// The PSNR of each whole held-out photograph of `held_out`, by long side.
pub fn whole_psnrs(model: &VqVae, held_out: &HeldOut, device: &Device) -> BTreeMap<u32, Vec<f64>> {
    held_out
        .whole
        .iter()
        .map(|(side, images)| (*side, whole_image_psnrs(model, images, device).0))
        .collect()
}

/// Per photograph (named by `paths`), its PSNR at each long side it is evaluated at:
/// `(side, path, psnr)`, by side then in the order of `paths`.
pub fn per_photo_psnrs(
    model: &VqVae,
    held_out: &HeldOut,
    paths: &[PathBuf],
    device: &Device,
) -> Vec<(u32, PathBuf, f64)> {
    let mut rows = Vec::new();
    for (side, psnrs) in whole_psnrs(model, held_out, device) {
        let named = paths
            .iter()
            .zip(&held_out.uses)
            .filter(|(_, used)| used.whole_sides.contains(&side))
            .map(|(path, _)| path.clone());
        rows.extend(named.zip(psnrs).map(|(path, psnr)| (side, path, psnr)));
    }
    rows
}

/// The fixed held-out set of `photos` (their held-out images only).
pub fn held_out(photos: &Photos) -> HeldOut {
    held_out_of(&photos.held_out)
}

/// The PSNR of each whole image, and its grid (one [`GridSet`] of one grid each: their sizes
/// differ).
pub fn whole_image_psnrs(
    model: &VqVae,
    images: &[RgbImage],
    device: &Device,
) -> (Vec<f64>, Vec<GridSet>) {
    let mut psnrs = Vec::new();
    let mut grids = Vec::new();
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
        psnrs.push(f64::from(psnr(
            batch::floats((x_hat - x).square().mean())[0],
        )));
        let [_, height, width] = grid.dims();
        grids.push(GridSet {
            height,
            width,
            codes: batch::ints(grid),
            labels: Vec::new(),
        });
    }
    (psnrs, grids)
}

/// The median of `values` (the mean of the middle two when their count is even; 0 when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
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
/// (the mean over each whole, 256 px on its long side), `held_out_whole{128,256,512}_median_psnr_db`,
/// `…_worst_psnr_db` and `…_count` (each whole at that long side, only the photographs at least
/// that large: never enlarged), `held_out_codes_used_fraction` and
/// `held_out_perplexity` (over the whole images' codes and those of 2 000 random 64×64
/// crops), `held_out_prior_bits_per_code` (on those crops' 16×16 grids) and
/// `held_out_prior_fraction_of_uniform` (of `log2 K` bits), and the prior on the grids the page
/// shows: `held_out_whole{128,256,512}_prior_bits_per_code` (each whole photograph's grid at
/// that long side, e.g. 64×48 codes at 256 px) and `held_out_whole256_prior_fraction_of_uniform`.
pub fn held_out_metrics(
    vqvae: &VqVae,
    prior: &PixelCnnPrior,
    held_out: &[RgbImage],
    seed: u64,
    device: &Device,
) -> BTreeMap<String, f64> {
    let k = vqvae.quantizer.codebook_size();
    let uniform = (k as f64).log2();
    let set = held_out_of(held_out);
    let crops = evaluate::evaluate(vqvae, &set.crops, k, device);
    let mut codes = Vec::new();
    let mut whole = BTreeMap::new();
    for (side, images) in &set.whole {
        let (psnrs, grids) = whole_image_psnrs(vqvae, images, device);
        let prior_bits = prior_train::mean_bits_per_code(prior, &grids, device);
        whole.insert(
            format!("held_out_whole{side}_prior_bits_per_code"),
            prior_bits,
        );
        if *side == 256 {
            codes = grids.into_iter().flat_map(|grid| grid.codes).collect();
            whole.insert(
                "held_out_whole256_psnr_db".to_string(),
                psnrs.iter().sum::<f64>() / psnrs.len().max(1) as f64,
            );
            whole.insert(
                "held_out_whole256_prior_fraction_of_uniform".to_string(),
                prior_bits / uniform,
            );
        }
        let worst = psnrs.iter().copied().reduce(f64::min).unwrap_or(0.0);
        let prefix = format!("held_out_whole{side}");
        whole.insert(format!("{prefix}_median_psnr_db"), median(&psnrs));
        whole.insert(format!("{prefix}_worst_psnr_db"), worst);
        whole.insert(format!("{prefix}_count"), psnrs.len() as f64);
    }
    let grids = held_out_grids(vqvae, held_out, HELD_OUT_PRIOR_CROPS, seed, device);
    codes.extend(grids.codes.iter().copied());
    let usage = usage_counts(&codes, k);
    let used = usage.iter().filter(|&&n| n > 0).count() as f64 / k as f64;
    let bits = prior_train::bits_per_code(prior, &grids, device);
    let mut metrics = BTreeMap::from([
        ("held_out_crop128_psnr_db".into(), crops.psnr_db),
        (
            "held_out_crop128_normalised_mse".into(),
            crops.normalised_mse,
        ),
        ("held_out_codes_used_fraction".into(), used),
        ("held_out_perplexity".into(), perplexity(&usage)),
        ("held_out_prior_bits_per_code".into(), bits),
        ("held_out_prior_fraction_of_uniform".into(), bits / uniform),
    ]);
    metrics.extend(whole);
    metrics
}

/// Trains, evaluates and exports.
pub fn run(args: &Args, device: &Device) -> Result<()> {
    if ![2, 4].contains(&args.downsample) {
        anyhow::bail!("--downsample is 2 or 4, not {}", args.downsample);
    }
    let run = shipped::Run::start();
    let config = config_of(
        &Shape {
            hidden: args.hidden,
            residual_channels: args.residual_channels,
            residual_blocks: args.residual_blocks,
            codebook_size: args.codebook_size,
            embedding_dim: args.embedding_dim,
            downsample: args.downsample,
        },
        &args.prior,
    );
    let folders = Folders::or_installed(&args.train_data, &args.held_out_data);
    let photos = photos::load(&folders)?;
    eprintln!(
        "photos: {} for training from {:?}, {} held out from {:?}",
        photos.train.len(),
        folders.train,
        photos.held_out.len(),
        folders.held_out
    );
    let augment = args.augment.augment();
    eprintln!("training crops: {augment}");
    let train =
        photos::random_training_crops(&photos.train, args.crop, args.crops, args.seed, &augment);
    let held_out = held_out(&photos);
    log_uses(&held_out, &photos.held_out_paths);
    if args.dry_run {
        return Ok(());
    }

    let options = vqvae_train::Options::shipped(
        args.steps,
        args.batch_size,
        args.decay_from,
        args.seed,
        &args.work,
    );
    let vqvae = train_measured(&config.vqvae, options, &train, &held_out, args, device)?;

    let k = config.vqvae.codebook_size;
    let (prior, train_grids) = train_prior(
        &vqvae,
        config.prior_config()?,
        &photos,
        &args.prior,
        args.prior_steps,
        args.seed,
        device,
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
            data: data_sentence(args, &folders, &photos),
            metrics,
            train_usage: usage_counts(&train_grids.codes, k),
        },
    )?;

    write_card(&args.out, &vqvae, &prior, &held_out, device)
}

/// `card.png` in `out`: six held-out 128 px crops, their reconstructions, and six samples of
/// 32×32 codes from `prior` (128 px, as the page draws them).
///
/// # Errors
/// When sampling fails or the picture cannot be written.
pub fn write_card(
    out: &std::path::Path,
    vqvae: &VqVae,
    prior: &PixelCnnPrior,
    held_out: &HeldOut,
    device: &Device,
) -> Result<()> {
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
    // Samples as large as the held-out crops: 32×32 codes at the page's ÷4.
    let side = held_out.crops.side / vqvae.downsample();
    let grids: Vec<Grid> = pollster::block_on(sampler::sample(
        prior,
        (side, side),
        6,
        &options,
        device,
        &mut |_, _| {},
    ))?;
    let samples = vqvae.decode(Grid::to_tensor(&grids, device));
    card::write_rows(
        &out.join("card.png"),
        &[originals, reconstructions, samples],
        1,
    )?;
    Ok(())
}

/// Trains a prior of `config` on the grids `vqvae` gives to random crops of the training
/// photographs (`prior.prior_crop` px, [`PriorArgs::crops`] of them, drawn from `seed`), for
/// `steps` steps of `prior.prior_batch` grids. Returns the prior and its training grids.
///
/// # Errors
/// When the prior's configuration is not valid.
pub fn train_prior(
    vqvae: &VqVae,
    config: &PriorConfig,
    photos: &Photos,
    prior: &PriorArgs,
    steps: usize,
    seed: u64,
    device: &Device,
) -> Result<(PixelCnnPrior, GridSet)> {
    let crops = photos::random_crops(&photos.train, prior.prior_crop, prior.crops(), seed ^ 64);
    let grids = evaluate::encode(vqvae, &crops, device);
    eprintln!(
        "prior: {} grids of {}×{} codes, {steps} steps of {}",
        grids.len(),
        grids.height,
        grids.width,
        prior.prior_batch
    );
    let trained = prior_train::train(
        config,
        &grids,
        &prior_train::Options::shipped(steps, prior.prior_batch, seed)
            .with_decay_from(Some(prior.prior_decay_from)),
        &device.clone().autodiff(),
    )?;
    Ok((trained, grids))
}

/// Trains the VQ-VAE (resuming from `--work`'s checkpoint, if any), measuring the whole
/// held-out photographs every `--eval-every` steps and at the last into `--work`/held_out.csv
/// (`step,side,median_psnr_db,worst_psnr_db,count`), so that a run stopped early still has
/// figures.
fn train_measured(
    config: &VqVaeConfig,
    options: vqvae_train::Options,
    train: &crate::data::ImageSet,
    held_out: &HeldOut,
    args: &Args,
    device: &Device,
) -> Result<VqVae> {
    use std::io::Write;
    let autodiff = device.clone().autodiff();
    let mut trainer = vqvae_train::Trainer::new(config, options, &autodiff)?;
    let path = args.work.join("held_out.csv");
    std::fs::create_dir_all(&args.work)?;
    let fresh = !path.exists();
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    if fresh {
        writeln!(log, "step,side,median_psnr_db,worst_psnr_db,count")?;
    }
    let (every, steps) = (args.eval_every, args.steps);
    trainer.run_with(train, &autodiff, &mut |trainer, step| {
        if every == 0 || !(step.is_multiple_of(every) || step == steps) {
            return Ok(());
        }
        let model = trainer.model.valid();
        for (side, psnrs) in whole_psnrs(&model, held_out, device) {
            let worst = psnrs.iter().copied().reduce(f64::min).unwrap_or(0.0);
            writeln!(
                log,
                "{step},{side},{:.3},{worst:.3},{}",
                median(&psnrs),
                psnrs.len()
            )?;
            if side == 256 {
                eprintln!(
                    "step {step}: held-out whole at 256 px: median {:.2} dB, worst {worst:.2} dB",
                    median(&psnrs)
                );
            }
        }
        log.flush()?;
        Ok(())
    })?;
    Ok(trainer.into_model())
}

/// The manifest's `data`: how many photographs of which sources trained and were held out.
fn data_sentence(args: &Args, folders: &Folders, photos: &Photos) -> String {
    let (train, held_out) = if *folders == Folders::installed() {
        (
            "Debian's plasma-workspace-wallpapers, mate-backgrounds, ukui-wallpapers, lomiri-wallpapers-16.04, lomiri-wallpapers-20.04, lxqt-themes".to_string(),
            "scikit-image's sample data, Debian's palapeli-data".to_string(),
        )
    } else {
        (
            format!("folders {:?}", folders.train),
            format!("folders {:?}", folders.held_out),
        )
    };
    format!(
        "{} crops of {} px ({}) from {} photographs for training ({train}); {} whole photographs held out ({held_out}); sources in crates/vq-train/PHOTO-SOURCES.md",
        args.crops,
        args.crop,
        args.augment.augment(),
        photos.train.len(),
        photos.held_out.len()
    )
}

/// Writes held-out photographs (never seen in training) as the app's built-in examples:
/// each resized to 256 px on the long side, PNG, named after its wallpaper's folder or its file,
/// with an `examples.json` listing them and where they came from. `held_out` are the held-out
/// folders (empty: where `scripts/install-photo-data.sh` puts them); `only` picks some by name.
pub fn write_examples(held_out: &[PathBuf], out: &std::path::Path, only: &[String]) -> Result<()> {
    let photos = photos::load_held_out(&Folders::or_installed(&[], held_out).held_out)?;
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
/// every held-out photograph (of the folders `held_out`, empty: the installed ones) at 256 px on its long side, its centre `SAMPLE_TILE` square, side by
/// side in rows of three.
pub fn write_held_out_sample(held_out: &[PathBuf], out: &std::path::Path) -> Result<()> {
    let photos = photos::load_held_out(&Folders::or_installed(&[], held_out).held_out)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The flags' defaults are the shipped prior's recipe.
    #[test]
    fn the_prior_flags_default_to_the_shipped_recipe() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Command {
            #[command(flatten)]
            prior: PriorArgs,
        }
        let parsed = Command::parse_from(["vq-train"]).prior;
        assert_eq!(parsed, PriorArgs::SHIPPED);
    }

    #[test]
    fn the_prior_trains_on_as_many_codes_whatever_its_crops() {
        let of = |prior_crop| {
            PriorArgs {
                prior_crop,
                ..PriorArgs::SHIPPED
            }
            .crops()
        };
        assert_eq!(of(64), 20_000, "the shipped recipe: 20 000 grids of 16×16");
        assert_eq!(of(128), 5_000);
        assert_eq!(of(256), 1_250);
        assert_eq!(of(1024), 1_000, "never fewer than 1 000 crops");
    }

    #[test]
    fn the_shipped_config_has_the_shipped_prior() {
        let prior = config().prior.expect("a prior");
        assert_eq!((prior.channels, prior.layers), (64, 6));
    }
}
