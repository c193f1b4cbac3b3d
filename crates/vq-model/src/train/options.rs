//! The options of a VQ-VAE training run, as plain numbers (serde), so that the page can send
//! them to a training worker as the command line passes them to the native trainer.

use serde::{Deserialize, Serialize};

/// Options of a VQ-VAE training run. `K`, `D` and β (`commitment_cost`) are the model's
/// [`crate::VqVaeConfig`]: they are written to `config.json` with the weights, and the app's
/// loss terms read β from there, so they are not repeated here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Optimizer steps in all (a resumed run continues up to this).
    pub steps: usize,
    /// Images per step.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// From this step on, the learning rate falls linearly to a tenth of itself at `steps`.
    pub decay_from: Option<usize>,
    /// Codebook by EMA (decay 0.99, appendix A.1) instead of the codebook loss.
    pub ema: bool,
    /// Initialise the codebook by k-means on the first batch's `z_e`.
    pub kmeans_init: bool,
    /// Start the codebook from a standard normal `N(0, 1)` (as PyTorch's `nn.Embedding`
    /// starts) instead of uniformly in `±1/K` (the paper's reference implementation); no
    /// effect with `kmeans_init`. Absent from older options files: `false`.
    #[serde(default)]
    pub normal_init: bool,
    /// Revive codes unused for this many steps (0: never).
    pub dead_patience: usize,
    /// Seed of the initial weights, the k-means initialisation, the batches and the revivals.
    pub seed: u64,
}

impl TrainOptions {
    /// The recipe of the shipped models: Adam at 1e-3, EMA codebook, k-means initialisation,
    /// revival after 300 idle steps.
    pub fn shipped(steps: usize, batch_size: usize, decay_from: Option<usize>, seed: u64) -> Self {
        Self {
            steps,
            batch_size,
            learning_rate: 1e-3,
            decay_from,
            ema: true,
            kmeans_init: true,
            normal_init: false,
            dead_patience: 300,
            seed,
        }
    }

    /// The learning rate of step `step` (counted from 0): `learning_rate` until `decay_from`,
    /// then a linear fall that would reach a tenth of it at `steps`.
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        decayed_learning_rate(self.learning_rate, step, self.steps, self.decay_from)
    }
}

/// The learning rate of step `step` (counted from 0) of a run of `steps` steps: `base` until
/// `decay_from`, then a linear fall that would reach a tenth of `base` at `steps`. The VQ-VAE's
/// schedule ([`TrainOptions::learning_rate_at`]) and the native trainer's prior share it.
pub fn decayed_learning_rate(
    base: f64,
    step: usize,
    steps: usize,
    decay_from: Option<usize>,
) -> f64 {
    match decay_from {
        Some(from) if step >= from && steps > from => {
            let progress = (step - from) as f64 / (steps - from) as f64;
            base * (1.0 - 0.9 * progress)
        }
        _ => base,
    }
}
