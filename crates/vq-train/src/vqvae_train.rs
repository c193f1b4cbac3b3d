//! Training the VQ-VAE (van den Oord et al. 2017): Adam on
//! `‖x − x̂‖² + ‖sg[z_e] − e‖² + β‖z_e − sg[e]‖²`, or with the codebook following the EMA rule
//! of the paper's appendix instead of its loss term; k-means initialisation of the codebook
//! from the first batch, and revival of codes unused for `dead_patience` steps.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;
use burn::store::{BurnpackStore, ModuleSnapshot};
use vq_model::codebook::{DeadCodes, Ema, kmeans, perplexity, usage_counts};
use vq_model::config::VqVaeConfig;
use vq_model::quantizer::flatten_cells;
use vq_model::rng::SplitMix64;
use vq_model::vqvae::VqVae;

use crate::batch;
use crate::data::ImageSet;
use crate::progress::Progress;

/// Mixed into the seed for the draws of dead-code revival, so that they are not the draws
/// of the step's batch.
const REVIVAL_STREAMS: u64 = 0x005E_ED0F_DEAD_C0DE;

/// Options of a VQ-VAE training run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Optimizer steps in all (a resumed run continues up to this).
    pub steps: usize,
    /// Images per step.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// From this step on, the learning rate falls linearly to a tenth of itself at `steps`.
    pub decay_from: Option<usize>,
    /// Codebook by EMA (decay 0.99) instead of the codebook loss.
    pub ema: bool,
    /// Initialise the codebook by k-means on the first batch's `z_e`.
    pub kmeans_init: bool,
    /// Revive codes unused for this many steps (0: never).
    pub dead_patience: usize,
    /// Seed of initialisation and batches.
    pub seed: u64,
    /// Where checkpoints go (and are resumed from).
    pub checkpoint_dir: Option<PathBuf>,
    /// Steps between checkpoints.
    pub checkpoint_every: usize,
    /// A CSV log of the run.
    pub log_csv: Option<PathBuf>,
}

/// Everything a run needs to continue exactly: the model, Adam's moments, the EMA and
/// dead-code state, and the step.
pub struct Trainer {
    /// The model, on an autodiff device.
    pub model: VqVae,
    optimizer: ModuleOptimizer,
    ema: Option<Ema>,
    dead: DeadCodes,
    /// Steps done.
    pub step: usize,
    config: VqVaeConfig,
    options: Options,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CheckpointState {
    step: usize,
    ema_cluster_size: Option<Vec<f32>>,
    ema_embed_sum: Option<Vec<f32>>,
    idle_steps: Vec<usize>,
}

/// Metrics of one step.
#[derive(Debug, Clone, Copy)]
pub struct StepMetrics {
    /// Total loss.
    pub loss: f32,
    /// Reconstruction PSNR of the batch, dB (pixel range 1).
    pub psnr: f32,
    /// Perplexity of the codes of the batch.
    pub perplexity: f64,
    /// Codes idle for `dead_patience` steps (before revival).
    pub dead: usize,
    /// Images in the step's batch.
    pub images: usize,
}

impl Options {
    /// The recipe of the shipped models: Adam at 1e-3, EMA codebook, k-means initialisation,
    /// revival after 300 idle steps, checkpoints every 250 steps and a CSV log under `work`.
    pub fn shipped(
        steps: usize,
        batch_size: usize,
        decay_from: Option<usize>,
        seed: u64,
        work: &Path,
    ) -> Self {
        Self {
            steps,
            batch_size,
            learning_rate: 1e-3,
            decay_from,
            ema: true,
            kmeans_init: true,
            dead_patience: 300,
            seed,
            checkpoint_dir: Some(work.join("vqvae")),
            checkpoint_every: 250,
            log_csv: Some(work.join("vqvae.csv")),
        }
    }
}

impl Trainer {
    /// A fresh run, or the run in `options.checkpoint_dir` when there is one.
    pub fn new(config: &VqVaeConfig, options: Options, device: &Device) -> Result<Self> {
        device.seed(options.seed);
        let model = VqVae::new(config, device);
        let mut trainer = Self {
            optimizer: AdamConfig::new().init(),
            ema: None,
            dead: DeadCodes::new(config.codebook_size, options.dead_patience.max(1)),
            step: 0,
            model,
            config: config.clone(),
            options,
        };
        if let Some(dir) = trainer.options.checkpoint_dir.clone()
            && dir.join("state.json").exists()
        {
            trainer.resume(&dir, device)?;
        }
        Ok(trainer)
    }

    /// Runs on to `steps` in all at the next [`Trainer::run`].
    pub fn set_steps(&mut self, steps: usize) {
        self.options.steps = steps;
    }

    /// Runs until `options.steps`, with a progress bar, a CSV log and checkpoints.
    ///
    /// # Errors
    ///
    /// When `train` holds no image or a batch would hold none (nothing to learn from), or a
    /// checkpoint or the log cannot be written.
    pub fn run(&mut self, train: &ImageSet, device: &Device) -> Result<()> {
        if train.is_empty() || self.options.batch_size == 0 {
            bail!(
                "nothing to train on: {} images, batches of {}",
                train.len(),
                self.options.batch_size
            );
        }
        let mut log = match &self.options.log_csv {
            Some(path) => Some(open_log(path, self.step == 0)?),
            None => None,
        };
        let progress = Progress::new(self.options.steps, self.step, "vq-vae");
        while self.step < self.options.steps {
            let metrics = self.train_step(train, device);
            self.step += 1;
            progress.update(
                self.step,
                &format!(
                    "loss {:.4} · PSNR {:.2} dB · perplexity {:.1} · dead {}",
                    metrics.loss, metrics.psnr, metrics.perplexity, metrics.dead
                ),
            );
            if let Some(log) = log.as_mut() {
                writeln!(
                    log,
                    "{},{:.6},{:.3},{:.2},{},{}",
                    self.step,
                    metrics.loss,
                    metrics.psnr,
                    metrics.perplexity,
                    metrics.dead,
                    metrics.images
                )?;
            }
            if let Some(dir) = &self.options.checkpoint_dir
                && (self
                    .step
                    .is_multiple_of(self.options.checkpoint_every.max(1))
                    || self.step == self.options.steps)
            {
                self.save_checkpoint(dir)?;
            }
        }
        progress.finish();
        Ok(())
    }

    fn train_step(&mut self, train: &ImageSet, device: &Device) -> StepMetrics {
        let indices = batch::indices(
            train.len(),
            self.options.batch_size,
            self.options.seed,
            self.step,
        );
        let x = batch::images(train, &indices, device); // [batch, C, side, side]
        let images = x.dims()[0];
        if self.step == 0 && self.options.kmeans_init {
            let z = flatten_cells(self.model.encoder.forward(x.clone()).without_autodiff());
            let centroids = kmeans(z, self.config.codebook_size, 10, self.options.seed);
            self.set_codebook(centroids);
        }
        if self.options.ema && self.ema.is_none() {
            self.ema = Some(Ema::new(self.codebook_off_graph(), 0.99, 1e-5));
        }

        let pass = self.model.forward(x.clone());
        let losses = self.model.losses(x, &pass);
        let loss = losses.total(!self.options.ema);
        let mse = batch::floats(losses.reconstruction.clone())[0];
        let loss_value = batch::floats(loss.clone())[0];
        // The codebook's own state (EMA, revival) lives off the autodiff graph: kept on an
        // autodiff device, its step-to-step chain of values would grow the graph every step.
        let z_flat = flatten_cells(pass.z_e.clone().without_autodiff());
        let codes = pass
            .quantized
            .codes
            .clone()
            .reshape([-1])
            .without_autodiff();
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        let learning_rate = self.learning_rate();
        self.model = self
            .optimizer
            .step(learning_rate, self.model.clone(), grads);

        if let Some(ema) = self.ema.as_mut() {
            let codebook = ema.step(z_flat.clone(), codes.clone());
            self.set_codebook(codebook);
        }
        let used = batch::ints(codes);
        let dead = if self.options.dead_patience > 0 {
            let dead = self.dead.observe(&used);
            if !dead.is_empty() {
                let mut rng =
                    SplitMix64::stream(self.options.seed ^ REVIVAL_STREAMS, self.step as u64);
                let codebook = self.codebook_off_graph();
                let codebook = self.dead.revive(codebook, z_flat, &dead, &mut rng);
                if let Some(ema) = self.ema.as_mut() {
                    ema.embed_sum = codebook.clone() * ema.cluster_size.clone().reshape([-1, 1]);
                }
                self.set_codebook(codebook);
            }
            dead.len()
        } else {
            0
        };
        StepMetrics {
            loss: loss_value,
            psnr: psnr(mse),
            perplexity: perplexity(&usage_counts(&used, self.config.codebook_size)),
            dead,
            images,
        }
    }

    /// The learning rate of the current step: constant, then a linear fall to a tenth.
    pub fn learning_rate(&self) -> f64 {
        let base = self.options.learning_rate;
        match self.options.decay_from {
            Some(from) if self.step >= from && self.options.steps > from => {
                let progress = (self.step - from) as f64 / (self.options.steps - from) as f64;
                base * (1.0 - 0.9 * progress)
            }
            _ => base,
        }
    }

    /// The codebook `[K, D]`, off the autodiff graph (for the EMA and revival rules).
    fn codebook_off_graph(&self) -> Tensor<2> {
        self.model
            .quantizer
            .codebook
            .weight
            .val()
            .without_autodiff()
    }

    fn set_codebook(&mut self, codebook: Tensor<2>) {
        let weight = self.model.quantizer.codebook.weight.clone();
        self.model.quantizer.codebook.weight =
            weight.map(|_| codebook.without_autodiff().autodiff().require_grad());
    }

    /// Writes the model (f32) and the state to `dir`.
    pub fn save_checkpoint(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut store = BurnpackStore::from_file(dir.join("vqvae.bpk")).overwrite(true);
        self.model
            .save_into(&mut store)
            .map_err(|e| anyhow::anyhow!("saving the checkpoint: {e:?}"))?;
        let state = CheckpointState {
            step: self.step,
            ema_cluster_size: self
                .ema
                .as_ref()
                .map(|e| batch::floats(e.cluster_size.clone())),
            ema_embed_sum: self
                .ema
                .as_ref()
                .map(|e| batch::floats(e.embed_sum.clone())),
            idle_steps: self.dead.idle_steps.clone(),
        };
        std::fs::write(dir.join("state.json"), serde_json::to_vec(&state)?)?;
        self.optimizer
            .to_record()
            .save(dir.join("optimizer.bpk"))
            .map_err(|e| anyhow::anyhow!("saving the optimizer state: {e:?}"))?;
        Ok(())
    }

    fn resume(&mut self, dir: &Path, device: &Device) -> Result<()> {
        let state: CheckpointState = serde_json::from_slice(
            &std::fs::read(dir.join("state.json")).context("reading the checkpoint state")?,
        )?;
        let mut store = BurnpackStore::from_file(dir.join("vqvae.bpk"));
        self.model
            .load_from(&mut store)
            .map_err(|e| anyhow::anyhow!("loading the checkpoint: {e:?}"))?;
        let record = OptimizerRecord::load(dir.join("optimizer.bpk"))
            .map_err(|e| anyhow::anyhow!("loading the optimizer state: {e:?}"))?;
        self.optimizer =
            std::mem::replace(&mut self.optimizer, AdamConfig::new().init()).load_record(record);
        self.step = state.step;
        self.dead.idle_steps = state.idle_steps;
        let (k, d) = (self.config.codebook_size, self.config.embedding_dim);
        if let (Some(n), Some(m)) = (state.ema_cluster_size, state.ema_embed_sum) {
            self.ema = Some(Ema {
                decay: 0.99,
                epsilon: 1e-5,
                cluster_size: Tensor::from_data(TensorData::new(n, [k]), device).without_autodiff(),
                embed_sum: Tensor::from_data(TensorData::new(m, [k, d]), device).without_autodiff(),
            });
        }
        eprintln!("resumed from {} at step {}", dir.display(), self.step);
        Ok(())
    }

    /// The trained model without autodiff.
    pub fn into_model(self) -> VqVae {
        self.model.valid()
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
