//! Training the VQ-VAE (van den Oord et al. 2017) from the command line: the training step
//! itself (losses, straight-through, EMA, k-means initialisation, dead-code revival, the
//! learning rate's schedule) is `vq_model::train`, the same code a training worker in the
//! page runs; here are the batches from the data sets, checkpoints, the CSV log and the
//! progress bar.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::optim::OptimizerRecord;
use burn::prelude::*;
use burn::store::{BurnpackStore, ModuleSnapshot};
use vq_model::config::VqVaeConfig;
use vq_model::train::{StepReport, TrainOptions, TrainerState, VqVaeTrainer};
use vq_model::vqvae::VqVae;

use crate::batch;
use crate::data::ImageSet;
use crate::progress::Progress;

/// Options of a VQ-VAE training run: the training itself, and where its files go.
#[derive(Debug, Clone)]
pub struct Options {
    /// Steps, batches, learning rate, codebook rules, seed.
    pub training: TrainOptions,
    /// Where checkpoints go (and are resumed from).
    pub checkpoint_dir: Option<PathBuf>,
    /// Steps between checkpoints.
    pub checkpoint_every: usize,
    /// A CSV log of the run.
    pub log_csv: Option<PathBuf>,
}

impl Options {
    /// The recipe of the shipped models ([`TrainOptions::shipped`]), with checkpoints every
    /// 250 steps and a CSV log under `work`.
    pub fn shipped(
        steps: usize,
        batch_size: usize,
        decay_from: Option<usize>,
        seed: u64,
        work: &Path,
    ) -> Self {
        Self {
            training: TrainOptions::shipped(steps, batch_size, decay_from, seed),
            checkpoint_dir: Some(work.join("vqvae")),
            checkpoint_every: 250,
            log_csv: Some(work.join("vqvae.csv")),
        }
    }
}

/// A run from the command line: `vq_model`'s trainer, with checkpoints and a log.
pub struct Trainer {
    /// The model, Adam, the codebook's state and the step.
    pub vqvae: VqVaeTrainer,
    checkpoint_dir: Option<PathBuf>,
    checkpoint_every: usize,
    log_csv: Option<PathBuf>,
}

impl Trainer {
    /// A fresh run, or the run in `options.checkpoint_dir` when there is one.
    pub fn new(config: &VqVaeConfig, options: Options, device: &Device) -> Result<Self> {
        let mut trainer = Self {
            vqvae: VqVaeTrainer::new(config, options.training, device),
            checkpoint_dir: options.checkpoint_dir,
            checkpoint_every: options.checkpoint_every,
            log_csv: options.log_csv,
        };
        if let Some(dir) = trainer.checkpoint_dir.clone()
            && dir.join("state.json").exists()
        {
            trainer.resume(&dir)?;
        }
        Ok(trainer)
    }

    /// Runs on to `steps` in all at the next [`Trainer::run`].
    pub fn set_steps(&mut self, steps: usize) {
        self.vqvae.set_steps(steps);
    }

    /// Runs until `options.steps`, with a progress bar, a CSV log and checkpoints.
    ///
    /// # Errors
    ///
    /// When `train` holds no image or a batch would hold none (nothing to learn from), or a
    /// checkpoint or the log cannot be written.
    pub fn run(&mut self, train: &ImageSet, device: &Device) -> Result<()> {
        self.run_with(train, device, &mut |_, _| Ok(()))
    }

    /// [`Trainer::run`], calling `after_step` with the trainer and the step just done after
    /// each step (and its log row and checkpoint): held-out figures during a run.
    ///
    /// # Errors
    ///
    /// As [`Trainer::run`], and when `after_step` fails.
    pub fn run_with(
        &mut self,
        train: &ImageSet,
        device: &Device,
        after_step: &mut dyn FnMut(&VqVaeTrainer, usize) -> Result<()>,
    ) -> Result<()> {
        let steps = self.vqvae.options().steps;
        let batch_size = self.vqvae.options().batch_size;
        if train.is_empty() || batch_size == 0 {
            bail!(
                "nothing to train on: {} images, batches of {batch_size}",
                train.len(),
            );
        }
        let mut log = match &self.log_csv {
            Some(path) => Some(open_log(path, self.vqvae.steps_done() == 0)?),
            None => None,
        };
        let progress = Progress::new(steps, self.vqvae.steps_done(), "vq-vae");
        while self.vqvae.steps_done() < steps {
            let indices = self.vqvae.batch_indices(train.len());
            let x = batch::images(train, &indices, device); // [batch, C, side, side]
            let report = self.vqvae.step(x)?;
            progress.update(
                report.step,
                &format!(
                    "loss {:.4} · PSNR {:.2} dB · perplexity {:.1} · dead {}",
                    report.total,
                    psnr(report.reconstruction),
                    report.perplexity,
                    report.revived
                ),
            );
            if let Some(log) = log.as_mut() {
                log_row(log, &report)?;
            }
            if let Some(dir) = &self.checkpoint_dir
                && (report.step.is_multiple_of(self.checkpoint_every.max(1))
                    || report.step == steps)
            {
                self.save_checkpoint(dir)?;
            }
            after_step(&self.vqvae, report.step)?;
        }
        progress.finish();
        Ok(())
    }

    /// Writes the model (f32), Adam's state and the trainer's state to `dir`.
    pub fn save_checkpoint(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut store = BurnpackStore::from_file(dir.join("vqvae.bpk")).overwrite(true);
        self.vqvae
            .model
            .save_into(&mut store)
            .map_err(|e| anyhow::anyhow!("saving the checkpoint: {e:?}"))?;
        let state = self.vqvae.state()?;
        std::fs::write(dir.join("state.json"), serde_json::to_vec(&state)?)?;
        self.vqvae
            .optimizer_record()
            .save(dir.join("optimizer.bpk"))
            .map_err(|e| anyhow::anyhow!("saving the optimizer state: {e:?}"))?;
        Ok(())
    }

    fn resume(&mut self, dir: &Path) -> Result<()> {
        let state: TrainerState = serde_json::from_slice(
            &std::fs::read(dir.join("state.json")).context("reading the checkpoint state")?,
        )?;
        let mut store = BurnpackStore::from_file(dir.join("vqvae.bpk"));
        self.vqvae
            .model
            .load_from(&mut store)
            .map_err(|e| anyhow::anyhow!("loading the checkpoint: {e:?}"))?;
        let record = OptimizerRecord::load(dir.join("optimizer.bpk"))
            .map_err(|e| anyhow::anyhow!("loading the optimizer state: {e:?}"))?;
        self.vqvae.load_optimizer_record(record);
        self.vqvae.restore(state)?;
        eprintln!(
            "resumed from {} at step {}",
            dir.display(),
            self.vqvae.steps_done()
        );
        Ok(())
    }

    /// The trained model without autodiff.
    pub fn into_model(self) -> VqVae {
        self.vqvae.into_model()
    }
}

/// Trains a VQ-VAE on `train` with autodiff on `device` (resuming from a checkpoint in the
/// options' work folder, if any) and returns it without autodiff.
///
/// # Errors
///
/// When a checkpoint or the log cannot be read or written.
pub fn train(
    config: &VqVaeConfig,
    options: Options,
    train: &ImageSet,
    device: &Device,
) -> Result<VqVae> {
    let autodiff = device.clone().autodiff();
    let mut trainer = Trainer::new(config, options, &autodiff)?;
    trainer.run(train, &autodiff)?;
    Ok(trainer.into_model())
}

/// PSNR in dB of a mean squared error over pixels in `[0, 1]`.
pub fn psnr(mse: f32) -> f32 {
    10.0 * (1.0 / mse.max(1e-12)).log10()
}

/// One row of the log: the columns of [`open_log`]'s header.
fn log_row(log: &mut std::fs::File, report: &StepReport) -> Result<()> {
    writeln!(
        log,
        "{},{:.6},{:.3},{:.2},{},{}",
        report.step,
        report.total,
        psnr(report.reconstruction),
        report.perplexity,
        report.revived,
        report.images
    )?;
    Ok(())
}

fn open_log(path: &Path, fresh: bool) -> Result<std::fs::File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(!fresh)
        .write(true)
        .truncate(fresh)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    if fresh {
        writeln!(file, "step,loss,psnr_db,perplexity,dead_codes,images")?;
    }
    Ok(file)
}
