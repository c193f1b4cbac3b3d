//! The `fashion` model: Fashion-MNIST, 28×28 grey → 7×7 codes, K = 128, D = 16, and a
//! class-conditional gated PixelCNN over the grids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use burn::prelude::*;
use vq_model::config::{ModelConfig, PriorConfig, VqVaeConfig};
use vq_model::sampler::{self, Grid, SampleOptions};
use vq_model::weights::{self, ModelFiles, Provenance, files};

use crate::data::fashion::{self, CLASS_NAMES, Split};
use crate::{batch, card, evaluate, prior_train, vqvae_train};

/// Options of `vq-train fashion`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Output model directory.
    #[arg(long, default_value = "assets/models/fashion")]
    pub out: PathBuf,
    /// Checkpoints and logs.
    #[arg(long, default_value = "runs/fashion")]
    pub work: PathBuf,
    /// Where Fashion-MNIST is.
    #[arg(long, default_value = fashion::DEFAULT_DIR)]
    pub data: PathBuf,
    /// VQ-VAE steps.
    #[arg(long, default_value_t = 8000)]
    pub steps: usize,
    /// Prior steps (batches of 64 grids).
    #[arg(long, default_value_t = 1500)]
    pub prior_steps: usize,
    /// Images per VQ-VAE step.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Use only the first N training images (for smoke runs).
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// From this VQ-VAE step on, the learning rate falls linearly to a tenth at `--steps`.
    #[arg(long, default_value = "6000")]
    pub decay_from: Option<usize>,
    /// Seed of everything.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The architecture of the shipped `fashion` model.
pub fn config() -> ModelConfig {
    ModelConfig::new(
        "fashion".into(),
        VqVaeConfig::new(1, 16, 128)
            .with_hidden_channels(64)
            .with_residual_channels(32),
        PriorConfig::new(128)
            .with_channels(64)
            .with_layers(6)
            .with_num_classes(10),
        28,
    )
    .with_class_names(CLASS_NAMES.iter().map(|s| s.to_string()).collect())
}

/// Trains, evaluates and exports.
pub fn run(args: &Args, device: &Device) -> Result<()> {
    let started = Instant::now();
    // The revision the run starts from (commits made while it trains do not change it).
    let revision = git_revision();
    let config = config();
    let mut train = fashion::load(&args.data, Split::Train)?;
    if let Some(limit) = args.train_limit {
        train = train.take(limit);
    }
    let test = fashion::load(&args.data, Split::Test)?;
    eprintln!(
        "Fashion-MNIST: {} training, {} test images",
        train.len(),
        test.len()
    );

    let options = vqvae_train::Options::shipped(
        args.steps,
        args.batch_size,
        args.decay_from,
        args.seed,
        &args.work,
    );
    let vqvae = vqvae_train::train(&config.vqvae, options, &train, device)?;

    let train_grids = evaluate::encode(&vqvae, &train, device);
    let test_grids = evaluate::encode(&vqvae, &test, device);
    let prior = prior_train::train(
        &config.prior,
        &train_grids,
        &prior_train::Options {
            steps: args.prior_steps,
            batch_size: 64,
            learning_rate: 1e-3,
            seed: args.seed,
        },
        &device.clone().autodiff(),
    )?;

    let metrics = evaluate::evaluate(&vqvae, &test, config.vqvae.codebook_size, device);
    let bits = prior_train::bits_per_code(&prior, &test_grids, device);
    let uniform_bits = (config.vqvae.codebook_size as f64).log2();
    let mut table = BTreeMap::new();
    table.insert("test_psnr_db".into(), metrics.psnr_db);
    table.insert("test_normalised_mse".into(), metrics.normalised_mse);
    table.insert("test_codes_used_fraction".into(), metrics.codes_used);
    table.insert("test_perplexity".into(), metrics.perplexity);
    table.insert("test_prior_bits_per_code".into(), bits);
    table.insert("test_prior_fraction_of_uniform".into(), bits / uniform_bits);
    eprintln!("{}", serde_json::to_string_pretty(&table)?);

    let train_usage =
        vq_model::codebook::usage_counts(&train_grids.codes, config.vqvae.codebook_size);
    let manifest = weights::save_model(
        &args.out,
        &config,
        &vqvae,
        &prior,
        Provenance {
            command: format!(
                "vq-train {}",
                std::env::args().skip(1).collect::<Vec<_>>().join(" ")
            ),
            seed: args.seed,
            git_revision: revision.clone(),
            data: format!(
                "Fashion-MNIST from Debian's dataset-fashion-mnist ({}): {} training images; metrics on the {} test images",
                args.data.display(),
                train.len(),
                test.len()
            ),
            metrics: table,
            train_usage,
            wall_time_s: started.elapsed().as_secs_f64(),
        },
    )?;
    eprintln!("wrote {} ({:?} bytes)", args.out.display(), manifest.bytes);

    write_card(&args.out.join("card.png"), &vqvae, &prior, &test, device)?;
    Ok(())
}

/// Originals, reconstructions, and one class-conditional sample per class.
fn write_card(
    path: &Path,
    vqvae: &vq_model::VqVae,
    prior: &vq_model::PixelCnnPrior,
    test: &crate::data::ImageSet,
    device: &Device,
) -> Result<()> {
    let indices: Vec<usize> = (0..10).collect();
    let originals = batch::images(test, &indices, device);
    let reconstructions = vqvae.decode(vqvae.encode(originals.clone()));
    let mut grids = Vec::new();
    for class in 0..10 {
        let options = SampleOptions {
            temperature: 1.0,
            top_k: None,
            seed: class as u64,
            class: Some(class),
        };
        let sample = pollster::block_on(sampler::sample(
            prior,
            (7, 7),
            1,
            &options,
            device,
            &mut |_, _| {},
        ))?;
        grids.extend(sample);
    }
    let samples = vqvae.decode(Grid::to_tensor(&grids, device));
    card::write_rows(path, &[originals, reconstructions, samples], 3)
}

/// Loads a shipped model directory, every hash checked.
pub fn load_dir(dir: &Path, device: &Device) -> Result<weights::LoadedModel> {
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .with_context(|| format!("reading {}", dir.join(name).display()))
    };
    let (m, c, v, p) = (
        read(files::MANIFEST)?,
        read(files::CONFIG)?,
        read(files::VQVAE)?,
        read(files::PRIOR)?,
    );
    Ok(weights::load_model(
        ModelFiles {
            manifest: &m,
            config: &c,
            vqvae: &v,
            prior: &p,
        },
        device,
    )?)
}

/// Trains the independent classifier, judges `per_class` samples of each class, and adds
/// the figures to the manifest's metrics.
pub fn judge(
    dir: &Path,
    data: &Path,
    steps: usize,
    per_class: usize,
    device: &Device,
) -> Result<()> {
    let model = load_dir(dir, device)?;
    let train = fashion::load(data, Split::Train)?;
    let test = fashion::load(data, Split::Test)?;
    let classifier = crate::judge::train(&train, steps, model.manifest.seed, device);
    let accuracy = crate::judge::accuracy(&classifier, &test, device);
    let (agreement, per) =
        crate::judge::conditional_agreement(&model, &classifier, per_class, device)?;
    eprintln!("classifier test accuracy {:.2} %", 100.0 * accuracy);
    for (name, fraction) in CLASS_NAMES.iter().zip(&per) {
        eprintln!(
            "  {name:<12} {:.0} % of samples classified as asked",
            100.0 * fraction
        );
    }
    eprintln!(
        "class-conditional samples classified as asked: {:.1} %",
        100.0 * agreement
    );
    let mut manifest = model.manifest;
    manifest
        .metrics
        .insert("judge_classifier_test_accuracy".into(), accuracy);
    manifest
        .metrics
        .insert("judge_conditional_samples_agreement".into(), agreement);
    manifest
        .metrics
        .insert("judge_samples".into(), (per_class * per.len()) as f64);
    std::fs::write(
        dir.join(files::MANIFEST),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(())
}

/// Recomputes the metrics of a shipped directory, from its files alone.
pub fn evaluate_shipped(dir: &Path, data: &Path, device: &Device) -> Result<()> {
    let model = load_dir(dir, device)?;
    let test = fashion::load(data, Split::Test)?;
    let metrics = evaluate::evaluate(
        &model.vqvae,
        &test,
        model.config.vqvae.codebook_size,
        device,
    );
    let grids = evaluate::encode(&model.vqvae, &test, device);
    let bits = prior_train::bits_per_code(&model.prior, &grids, device);
    println!(
        "PSNR {:.2} dB · normalised MSE {:.4} · codes used {:.1} % · perplexity {:.1} · prior {:.3} bits/code ({:.1} % of uniform)",
        metrics.psnr_db,
        metrics.normalised_mse,
        100.0 * metrics.codes_used,
        metrics.perplexity,
        bits,
        100.0 * bits / (model.config.vqvae.codebook_size as f64).log2()
    );
    Ok(())
}

/// `git rev-parse HEAD`, or `unknown` outside a repository.
pub fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
