//! The `fashion` model: Fashion-MNIST, 28×28 grey → 7×7 codes, K = 128, D = 16, and a
//! class-conditional gated PixelCNN over the grids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use burn::prelude::*;
use vq_model::config::{ModelConfig, PriorConfig, VqVaeConfig};
use vq_model::sampler::{self, Grid, SampleOptions};
use vq_model::{PixelCnnPrior, VqVae};

use crate::data::ImageSet;
use crate::data::fashion::{self, CLASS_NAMES, Split};
use crate::shipped::{self, Record};
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
    let run = shipped::Run::start();
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
    let prior = prior_train::train(
        config.prior_config()?,
        &train_grids,
        &prior_train::Options::shipped(args.prior_steps, 64, args.seed),
        &device.clone().autodiff(),
    )?;

    let metrics = held_out_metrics(&vqvae, &prior, &test, device);
    eprintln!("{}", serde_json::to_string_pretty(&metrics)?);
    run.export(
        &args.out,
        &config,
        &vqvae,
        &prior,
        Record {
            seed: args.seed,
            data: format!(
                "Fashion-MNIST from Debian's dataset-fashion-mnist ({}): {} training images; metrics on the {} test images",
                args.data.display(),
                train.len(),
                test.len()
            ),
            metrics,
            train_usage: vq_model::codebook::usage_counts(
                &train_grids.codes,
                config.vqvae.codebook_size,
            ),
        },
    )?;
    write_card(&args.out.join("card.png"), &vqvae, &prior, &test, device)
}

/// The figures of the manifest, measured on `test` (the trainer and `vq-train evaluate` use
/// the 10 000 test images): `test_psnr_db`, `test_normalised_mse`,
/// `test_codes_used_fraction`, `test_perplexity`, `test_prior_bits_per_code` (teacher-forced,
/// each grid with its class) and `test_prior_fraction_of_uniform` (of `log2 K` bits).
pub fn held_out_metrics(
    vqvae: &VqVae,
    prior: &PixelCnnPrior,
    test: &ImageSet,
    device: &Device,
) -> BTreeMap<String, f64> {
    let k = vqvae.quantizer.codebook_size();
    let metrics = evaluate::evaluate(vqvae, test, k, device);
    let bits = prior_train::bits_per_code(prior, &evaluate::encode(vqvae, test, device), device);
    BTreeMap::from([
        ("test_psnr_db".into(), metrics.psnr_db),
        ("test_normalised_mse".into(), metrics.normalised_mse),
        ("test_codes_used_fraction".into(), metrics.codes_used),
        ("test_perplexity".into(), metrics.perplexity),
        ("test_prior_bits_per_code".into(), bits),
        (
            "test_prior_fraction_of_uniform".into(),
            bits / (k as f64).log2(),
        ),
    ])
}

/// Originals, reconstructions, and one class-conditional sample per class.
fn write_card(
    path: &Path,
    vqvae: &VqVae,
    prior: &PixelCnnPrior,
    test: &ImageSet,
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

/// Trains the independent classifier, judges `per_class` samples of each class, and adds
/// the figures to the manifest's metrics.
pub fn judge(
    dir: &Path,
    data: &Path,
    steps: usize,
    per_class: usize,
    device: &Device,
) -> Result<()> {
    let model = shipped::load_dir(dir, device)?;
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
    shipped::add_metrics(
        dir,
        BTreeMap::from([
            ("judge_classifier_test_accuracy".into(), accuracy),
            ("judge_conditional_samples_agreement".into(), agreement),
            ("judge_samples".into(), (per_class * per.len()) as f64),
        ]),
    )?;
    Ok(())
}
