//! [`VqVaeTrainer`]: the model, Adam's moments, the EMA and dead-code state, the step and the
//! seed; everything a run needs to go on, and nothing about files.

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;

use super::dead_codes::DeadCodes;
use super::ema::{EMA_DECAY, EMA_EPSILON, Ema};
use super::kmeans::{KMEANS_ITERATIONS, kmeans};
use super::options::TrainOptions;
use super::report::StepReport;
use super::step::{AfterUpdate, StepRead, StepTensors};
use crate::ReadError;
use crate::codebook::{perplexity, usage_counts};
use crate::config::VqVaeConfig;
use crate::quantizer::flatten_cells;
use crate::rng::SplitMix64;
use crate::vqvae::VqVae;

/// Mixed into the seed for the draws of dead-code revival, so that they are not the draws
/// of the step's batch.
const REVIVAL_STREAMS: u64 = 0x005E_ED0F_DEAD_C0DE;

/// The stream of the seed that draws a normal codebook (`options.normal_init`).
const NORMAL_CODEBOOK_STREAM: u64 = 0x0000_C0DE_B00C_0001;

/// A VQ-VAE in training: one step at a time, on any device.
///
/// Randomness comes from the seed alone: the initial weights from the device seeded with it,
/// and each step's draws (batch, revivals) from the step's own stream of it, so a run resumed
/// from its [`TrainerState`](super::TrainerState) repeats the one that never stopped.
pub struct VqVaeTrainer {
    /// The model, on an autodiff device.
    pub model: VqVae,
    pub(super) optimizer: ModuleOptimizer,
    /// The codebook's EMA state, from the first step on when `options.ema`.
    pub(super) ema: Option<Ema>,
    pub(super) dead: DeadCodes,
    /// Steps done.
    pub(super) step: usize,
    pub(super) config: VqVaeConfig,
    pub(super) options: TrainOptions,
}

impl VqVaeTrainer {
    /// A fresh model of `config` on `device` (made an autodiff device), seeded by
    /// `options.seed`, with a fresh Adam.
    ///
    /// burn draws the weights at their first use, in the first step, from the device's random
    /// state, which on some backends (burn's CPU backend) is one for the whole process: for a
    /// run to repeat, nothing else may seed or draw from it between `new` and the first step.
    pub fn new(config: &VqVaeConfig, options: TrainOptions, device: &Device) -> Self {
        let device = device.clone().autodiff();
        device.seed(options.seed);
        Self {
            model: VqVae::new(config, &device),
            optimizer: AdamConfig::new().init(),
            ema: None,
            dead: DeadCodes::new(config.codebook_size, options.dead_patience.max(1)),
            step: 0,
            config: config.clone(),
            options,
        }
    }

    /// Steps done.
    pub fn steps_done(&self) -> usize {
        self.step
    }

    /// The options of the run.
    pub fn options(&self) -> &TrainOptions {
        &self.options
    }

    /// Runs on to `steps` in all (the learning rate's fall is stretched to the new end).
    pub fn set_steps(&mut self, steps: usize) {
        self.options.steps = steps;
    }

    /// The learning rate of the next step.
    pub fn learning_rate(&self) -> f64 {
        self.options.learning_rate_at(self.step)
    }

    /// Indices into a set of `len` images of the next step's batch (see
    /// [`batch_indices`](super::batch_indices)).
    pub fn batch_indices(&self, len: usize) -> Vec<usize> {
        super::batch_indices(len, self.options.batch_size, self.options.seed, self.step)
    }

    /// One whole step on the batch `x`, with blocking reads: native callers only. In the
    /// browser, use [`VqVaeTrainer::step_async`].
    ///
    /// # Shapes
    /// - `x`: `[batch, C, H, W]` in model space, `H`, `W` multiples of 4
    ///
    /// # Errors
    /// When the backend fails to read the step's losses or codes back.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn step(&mut self, x: Tensor<4>) -> Result<StepReport, ReadError> {
        let read = self.update(x).read()?;
        Ok(self.finish(read))
    }

    /// One whole step on the batch `x`, reading without blocking: the browser's way.
    ///
    /// # Shapes
    /// - `x`: `[batch, C, H, W]` in model space, `H`, `W` multiples of 4
    ///
    /// # Errors
    /// When the backend fails to read the step's losses or codes back.
    pub async fn step_async(&mut self, x: Tensor<4>) -> Result<StepReport, ReadError> {
        let read = self.update(x).read_async().await?;
        Ok(self.finish(read))
    }

    /// The tensor half of a step, with no read: on the first step the k-means (or normal)
    /// initialisation of the codebook, then the forward pass, the loss (with the codebook
    /// term unless the codebook follows the EMA), the backward pass (straight through the
    /// lookup), Adam, and the EMA update of the codebook. Counts the step. Its tensors, read, go to
    /// [`VqVaeTrainer::finish`] before the next `update`, or the dead codes miss a step.
    ///
    /// # Shapes
    /// - `x`: `[batch, C, H, W]` in model space, `H`, `W` multiples of 4
    ///
    /// # Panics
    /// On an empty batch, and on a first batch of fewer cells (`batch·H/4·W/4`) than codes
    /// when the codebook starts by k-means: the caller checks what it was given.
    pub fn update(&mut self, x: Tensor<4>) -> StepTensors {
        let x = x.autodiff(); // [batch, C, H, W]
        let images = x.dims()[0];
        if self.step == 0 && self.options.kmeans_init {
            let z_flat = flatten_cells(self.model.encoder.forward(x.clone()).without_autodiff());
            let centroids = kmeans(
                z_flat,
                self.config.codebook_size,
                KMEANS_ITERATIONS,
                self.options.seed,
            );
            self.set_codebook(centroids);
        } else if self.step == 0 && self.options.normal_init {
            let (k, d) = (self.config.codebook_size, self.config.embedding_dim);
            let device = self.model.quantizer.codebook.weight.device();
            let values = standard_normal(k * d, self.options.seed);
            self.set_codebook(Tensor::from_data(TensorData::new(values, [k, d]), &device));
        }
        if self.options.ema && self.ema.is_none() {
            self.ema = Some(Ema::new(self.codebook_off_graph(), EMA_DECAY, EMA_EPSILON));
        }

        let pass = self.model.forward(x.clone());
        let losses = self.model.losses(x, &pass);
        let total = losses.total(!self.options.ema);
        let terms = [
            losses.reconstruction,
            losses.codebook,
            losses.commitment,
            total.clone(),
        ]
        .map(Tensor::without_autodiff);
        // The codebook's own state (EMA, revival) lives off the autodiff graph: kept on an
        // autodiff device, its step-to-step chain of values would grow the graph every step.
        let z_flat = flatten_cells(pass.z_e.without_autodiff()); // [cells, D]
        let codes = pass.quantized.codes.reshape([-1]).without_autodiff(); // [cells]
        let grads = GradientsParams::from_grads(total.backward(), &self.model);
        let learning_rate = self.learning_rate();
        self.model = self
            .optimizer
            .step(learning_rate, self.model.clone(), grads);

        if let Some(ema) = self.ema.as_mut() {
            let codebook = ema.step(z_flat.clone(), codes.clone());
            self.set_codebook(codebook);
        }
        let index = self.step;
        self.step += 1;
        StepTensors {
            losses: Tensor::cat(terms.to_vec(), 0), // [4]
            codes,
            after: AfterUpdate {
                z_flat,
                index,
                learning_rate,
                images,
            },
        }
    }

    /// The host half of a step, given its tensors as read: codes unused for `dead_patience`
    /// steps are revived onto random `z_e` of the step's batch (and the EMA's sums follow
    /// them). Returns the step's report.
    pub fn finish(&mut self, read: StepRead) -> StepReport {
        let StepRead {
            losses: [reconstruction, codebook, commitment, total],
            codes,
            after,
        } = read;
        let revived = if self.options.dead_patience > 0 {
            let dead = self.dead.observe(&codes);
            if !dead.is_empty() {
                let mut rng =
                    SplitMix64::stream(self.options.seed ^ REVIVAL_STREAMS, after.index as u64);
                let codebook = self.codebook_off_graph();
                let codebook = self.dead.revive(codebook, after.z_flat, &dead, &mut rng);
                if let Some(ema) = self.ema.as_mut() {
                    ema.embed_sum = codebook.clone() * ema.cluster_size.clone().reshape([-1, 1]);
                }
                self.set_codebook(codebook);
            }
            dead.len()
        } else {
            0
        };
        let usage = usage_counts(&codes, self.config.codebook_size);
        StepReport {
            step: after.index + 1,
            reconstruction,
            codebook,
            commitment,
            total,
            perplexity: perplexity(&usage),
            codes_used: usage.iter().filter(|&&n| n > 0).count(),
            revived,
            learning_rate: after.learning_rate,
            images: after.images,
        }
    }

    /// Adam's state, for a checkpoint.
    pub fn optimizer_record(&self) -> OptimizerRecord {
        self.optimizer.to_record()
    }

    /// Takes up Adam's state from a checkpoint.
    pub fn load_optimizer_record(&mut self, record: OptimizerRecord) {
        self.optimizer =
            std::mem::replace(&mut self.optimizer, AdamConfig::new().init()).load_record(record);
    }

    /// The trained model without autodiff.
    pub fn into_model(self) -> VqVae {
        self.model.valid()
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

    /// Makes `codebook` (`[K, D]`) the model's codebook, a parameter again.
    fn set_codebook(&mut self, codebook: Tensor<2>) {
        let weight = self.model.quantizer.codebook.weight.clone();
        self.model.quantizer.codebook.weight =
            weight.map(|_| codebook.without_autodiff().autodiff().require_grad());
    }
}

/// `count` draws of a standard normal (Box–Muller on the seed's own stream): the same on
/// every backend.
fn standard_normal(count: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::stream(seed, NORMAL_CODEBOOK_STREAM);
    (0..count)
        .map(|_| {
            let radius = (-2.0 * (1.0 - rng.next_f64()).ln()).sqrt();
            (radius * (std::f64::consts::TAU * rng.next_f64()).cos()) as f32
        })
        .collect()
}
