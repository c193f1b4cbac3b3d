//! `vq-train photo-prior`: a new prior for the VQ-VAE of an existing `photo` model directory.
//! The VQ-VAE is kept as it is (its f16 weights written again, unchanged); the prior is
//! trained on the grids of the training photographs' crops, measured with the same figures as
//! `vq-train photo` writes, and the whole model is written to `--out`. It lets the prior be
//! chosen by measurement (grid size, width, depth, steps) without training the VQ-VAE again.

use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::prelude::*;
use vq_model::codebook::usage_counts;

use super::{PriorArgs, held_out, held_out_metrics, train_prior, write_card};
use crate::data::photos::{self, Folders};
use crate::shipped::{self, Recipe, Record};

/// Options of `vq-train photo-prior`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The `photo` model directory whose VQ-VAE is kept.
    #[arg(default_value = "assets/models/photo")]
    pub dir: PathBuf,
    /// Where to write the model with its new prior.
    #[arg(long)]
    pub out: PathBuf,
    /// Folders of training photographs, as `vq-train photo --train-data`.
    #[arg(long)]
    pub train_data: Vec<PathBuf>,
    /// Folders of held-out photographs, as `vq-train photo --held-out-data`.
    #[arg(long)]
    pub held_out_data: Vec<PathBuf>,
    /// Prior steps.
    #[arg(long, default_value_t = super::PRIOR_STEPS)]
    pub steps: usize,
    /// The prior's grids and size.
    #[command(flatten)]
    pub prior: PriorArgs,
}

/// Trains, measures and writes the model with its new prior.
///
/// # Errors
/// When the model or the photographs cannot be loaded, the model is not a `photo` one, or the
/// model cannot be written.
pub fn run(args: &Args, device: &Device) -> Result<()> {
    let run = shipped::Run::start();
    let model = shipped::load_dir(&args.dir, device)?;
    if Recipe::of(&model.config)? != Recipe::Photo {
        bail!("{} is not a `photo` model", args.dir.display());
    }
    if args.out == args.dir {
        bail!("--out must be another directory than the model read");
    }
    let mut config = model.config.clone();
    let k = config.vqvae.codebook_size;
    config.prior = Some(args.prior.config(k));
    let folders = Folders::or_installed(&args.train_data, &args.held_out_data);
    let photos = photos::load(&folders)?;
    let seed = model.manifest.seed;
    let (prior, grids) = train_prior(
        &model.vqvae,
        config.prior_config()?,
        &photos,
        &args.prior,
        args.steps,
        seed,
        device,
    )?;
    let metrics = held_out_metrics(&model.vqvae, &prior, &photos.held_out, seed, device);
    eprintln!("{}", serde_json::to_string_pretty(&metrics)?);
    let data = format!(
        "the VQ-VAE as `{}` trained it at revision {} ({}); the prior trained again on {} grids of {}×{} codes, crops of {} px from {} training photographs; figures measured on {} whole held-out photographs (scikit-image's sample data, Debian's palapeli-data); sources in crates/vq-train/PHOTO-SOURCES.md",
        model.manifest.command,
        model.manifest.git_revision,
        model.manifest.data,
        grids.len(),
        grids.height,
        grids.width,
        args.prior.prior_crop,
        photos.train.len(),
        photos.held_out.len(),
    );
    run.export(
        &args.out,
        &config,
        &model.vqvae,
        &prior,
        Record {
            seed,
            data,
            metrics,
            train_usage: usage_counts(&grids.codes, k),
        },
    )?;
    write_card(&args.out, &model.vqvae, &prior, &held_out(&photos), device)
}
