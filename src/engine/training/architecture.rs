//! A [`TrainingSetup`] as the model crate takes it: the architecture ([`VqVaeConfig`]: the
//! setup's `K`, `D` and β, the rest the shipped fashion model's) and the run's
//! [`TrainOptions`].

use vq_model::VqVaeConfig;
use vq_model::train::TrainOptions;

use crate::protocol::{CodebookUpdate, Initialisation, TrainingSetup};

/// Channels of the hidden layers of the shipped fashion model (`config.json`; a test checks).
pub const HIDDEN_CHANNELS: usize = 64;
/// Channels inside each residual block of the shipped fashion model.
pub const RESIDUAL_CHANNELS: usize = 32;
/// Residual blocks of the shipped fashion model's encoder and decoder.
pub const RESIDUAL_BLOCKS: usize = 2;

/// The architecture a run of `setup` trains, for images of `in_channels` channels.
pub fn vqvae_config(setup: &TrainingSetup, in_channels: usize) -> VqVaeConfig {
    VqVaeConfig::new(in_channels, setup.embedding_dim, setup.codebook_size)
        .with_hidden_channels(HIDDEN_CHANNELS)
        .with_residual_channels(RESIDUAL_CHANNELS)
        .with_residual_blocks(RESIDUAL_BLOCKS)
        .with_commitment_cost(setup.commitment_cost)
}

/// The options of `vq_model::train` for `setup`: a constant learning rate (no fall at the
/// end, so that a run's curves show the codebook's rules alone).
pub fn train_options(setup: &TrainingSetup) -> TrainOptions {
    TrainOptions {
        steps: setup.steps,
        batch_size: setup.batch_size,
        learning_rate: setup.learning_rate,
        decay_from: None,
        ema: setup.codebook_update == CodebookUpdate::Ema,
        kmeans_init: setup.initialisation == Initialisation::KMeans,
        normal_init: setup.initialisation == Initialisation::Normal,
        dead_patience: setup.revive_after.unwrap_or(0),
        seed: setup.seed,
    }
}
