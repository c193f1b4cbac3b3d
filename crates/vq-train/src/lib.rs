//! The trainer of VQ Lab: datasets from Debian packages, the training loops of the VQ-VAE
//! and of its PixelCNN prior, evaluation, and export of the shipped models in the format of
//! `vq_model::weights` (`shipped`: one writer, one loader, one evaluator of any shipped model), and
//! the training images the site ships (`training_subset`). The command line is `src/main.rs`.

pub mod batch;
pub mod bench;
pub mod card;
pub mod data;
pub mod evaluate;
pub mod fashion;
pub mod judge;
pub mod photo;
pub mod prior_train;
pub mod progress;
pub mod shipped;
pub mod training_subset;
pub mod vqvae_train;
