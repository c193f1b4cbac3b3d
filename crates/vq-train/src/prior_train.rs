//! Training the gated PixelCNN prior on the code grids of the training set (van den Oord et
//! al. 2017, section 3.3): cross-entropy of every cell's code given the cells before it. For a
//! class-conditional prior, 10 % of labels are replaced by "no class", so unconditional
//! sampling works too.

use anyhow::Result;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::Int;
use vq_model::config::PriorConfig;
use vq_model::prior::PixelCnnPrior;
use vq_model::rng::SplitMix64;
use vq_model::train::decayed_learning_rate;

use crate::batch;
use crate::progress::Progress;

/// Code grids of a dataset, with labels.
#[derive(Debug, Clone)]
pub struct GridSet {
    /// Rows of each grid.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `len × height × width` codes.
    pub codes: Vec<i64>,
    /// A class per grid (may be empty).
    pub labels: Vec<u8>,
}

impl GridSet {
    /// Number of grids.
    pub fn len(&self) -> usize {
        self.codes.len() / (self.height * self.width).max(1)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn batch(&self, indices: &[usize], device: &Device) -> Tensor<3, Int> {
        let cells = self.height * self.width;
        let mut values = Vec::with_capacity(indices.len() * cells);
        for &i in indices {
            values.extend_from_slice(&self.codes[i * cells..(i + 1) * cells]);
        }
        Tensor::from_data(
            TensorData::new(values, [indices.len(), self.height, self.width]),
            device,
        )
    }

    /// Class tensor for `indices`; with `drop_rate`, some become "no class" (`num_classes`).
    fn classes(
        &self,
        indices: &[usize],
        num_classes: usize,
        drop_rate: f64,
        rng: &mut SplitMix64,
        device: &Device,
    ) -> Tensor<1, Int> {
        let values: Vec<i64> = indices
            .iter()
            .map(|&i| {
                let label = self.labels.get(i).map_or(num_classes, |&l| usize::from(l));
                if rng.next_f64() < drop_rate {
                    num_classes as i64
                } else {
                    label as i64
                }
            })
            .collect();
        Tensor::from_data(TensorData::new(values, [indices.len()]), device)
    }
}

/// Options of a prior training run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Optimizer steps.
    pub steps: usize,
    /// Grids per step.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// From this step on, the learning rate falls linearly to a tenth at `steps`
    /// ([`decayed_learning_rate`], the VQ-VAE's schedule); `None`: constant.
    pub decay_from: Option<usize>,
    /// Seed.
    pub seed: u64,
}

impl Options {
    /// The recipe of the shipped priors (and of `vq-train bench`): Adam at 1e-3 for `steps`
    /// steps of `batch_size` grids, constant.
    pub fn shipped(steps: usize, batch_size: usize, seed: u64) -> Self {
        Self {
            steps,
            batch_size,
            learning_rate: 1e-3,
            decay_from: None,
            seed,
        }
    }

    /// The same, the learning rate falling from step `decay_from` on.
    #[must_use]
    pub fn with_decay_from(self, decay_from: Option<usize>) -> Self {
        Self { decay_from, ..self }
    }

    /// The learning rate of step `step` (counted from 0).
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        decayed_learning_rate(self.learning_rate, step, self.steps, self.decay_from)
    }
}

/// Trains a prior of `config` on `grids`.
pub fn train(
    config: &PriorConfig,
    grids: &GridSet,
    options: &Options,
    device: &Device,
) -> Result<PixelCnnPrior> {
    device.seed(options.seed);
    let mut prior = PixelCnnPrior::new(config, device);
    let mut optimizer = AdamConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut rng = SplitMix64::new(options.seed);
    let progress = Progress::new(options.steps, 0, "prior");
    let k = config.codebook_size;
    for step in 0..options.steps {
        let indices = batch::indices(grids.len(), options.batch_size, options.seed, step);
        let codes = grids.batch(&indices, device);
        let classes = grids.classes(&indices, config.num_classes, 0.1, &mut rng, device);
        let logits = prior.forward(codes.clone(), Some(classes)); // [batch, K, H, W]
        let logits = logits.permute([0, 2, 3, 1]).reshape([-1, k as i32]); // [cells, K]
        let loss = loss_fn.forward(logits, codes.reshape([-1]));
        let bits = batch::floats(loss.clone())[0] / std::f32::consts::LN_2;
        let grads = GradientsParams::from_grads(loss.backward(), &prior);
        prior = optimizer.step(options.learning_rate_at(step), prior, grads);
        progress.update(step + 1, &format!("{bits:.3} bits/code"));
    }
    progress.finish();
    Ok(prior.valid())
}

/// Mean bits per code over several sets of grids (of different sizes, e.g. whole photographs),
/// each code counted once.
pub fn mean_bits_per_code(prior: &PixelCnnPrior, sets: &[GridSet], device: &Device) -> f64 {
    let (mut bits, mut codes) = (0.0, 0.0);
    for set in sets.iter().filter(|set| !set.is_empty()) {
        let count = set.codes.len() as f64;
        bits += bits_per_code(prior, set, device) * count;
        codes += count;
    }
    bits / f64::max(codes, 1.0)
}

/// Mean bits per code of `grids` under `prior` (teacher-forced), each with its class.
pub fn bits_per_code(prior: &PixelCnnPrior, grids: &GridSet, device: &Device) -> f64 {
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let k = prior.codebook_size();
    let mut total = 0.0;
    let mut batches = 0.0;
    let mut rng = SplitMix64::new(0);
    for start in (0..grids.len()).step_by(500) {
        let indices: Vec<usize> = (start..(start + 500).min(grids.len())).collect();
        let codes = grids.batch(&indices, device);
        let classes = grids.classes(&indices, prior.num_classes, 0.0, &mut rng, device);
        let logits = prior
            .forward(codes.clone(), Some(classes))
            .permute([0, 2, 3, 1])
            .reshape([-1, k as i32]);
        let nats = batch::floats(loss_fn.forward(logits, codes.reshape([-1])))[0];
        total += f64::from(nats) * indices.len() as f64;
        batches += indices.len() as f64;
    }
    total / batches.max(1.0) / std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;
    use vq_model::train::TrainOptions;

    /// The prior's learning rate follows the VQ-VAE's schedule: held, then falling linearly
    /// towards a tenth from `decay_from`; the shipped recipe holds it throughout.
    #[test]
    fn the_prior_decays_as_the_vqvae_does() {
        let prior = Options::shipped(2800, 32, 1).with_decay_from(Some(2100));
        let vqvae = TrainOptions::shipped(2800, 32, Some(2100), 1);
        for step in [0, 2099, 2100, 2450, 2799] {
            assert_eq!(
                prior.learning_rate_at(step),
                vqvae.learning_rate_at(step),
                "{step}"
            );
        }
        assert!((prior.learning_rate_at(2450) - 0.55e-3).abs() < 1e-15);
        let held = Options::shipped(2800, 32, 1);
        assert_eq!(held.learning_rate_at(2799), 1e-3);
    }
}
