//! `vq-train bench`: the training speed of a backend, measured on the shipped recipes' shapes
//! (so that the fastest CPU backend can be chosen by measurement, not by assumption).

use std::time::Instant;

use anyhow::Result;
use burn::prelude::*;

use crate::data::fashion::{self, Split};
use crate::{evaluate, prior_train, vqvae_train};

/// Times `steps` VQ-VAE steps of the `fashion` recipe (64 images of 28×28 per step, after
/// `warmup` untimed ones) and `steps` prior steps (64 grids of 7×7), on `device`; prints
/// images per second and prior steps per second.
pub fn run(data: &std::path::Path, steps: usize, warmup: usize, device: &Device) -> Result<()> {
    let train = fashion::load(data, Split::Train)?.take(4000);
    let config = crate::fashion::config();
    let autodiff = device.clone().autodiff();
    let work = std::env::temp_dir().join(format!("vq-bench-{}", std::process::id()));
    let mut options = vqvae_train::Options::shipped(warmup, 64, None, 1, &work);
    options.checkpoint_dir = None;
    options.log_csv = None;
    let mut trainer = vqvae_train::Trainer::new(&config.vqvae, options.clone(), &autodiff)?;
    trainer.run(&train, &autodiff)?;
    trainer.set_steps(warmup + steps);
    let started = Instant::now();
    trainer.run(&train, &autodiff)?;
    let vqvae_seconds = started.elapsed().as_secs_f64();

    let grids = evaluate::encode(&trainer.into_model(), &train, device);
    let prior_options = |steps| prior_train::Options::shipped(steps, 64, 1);
    prior_train::train(
        config.prior_config()?,
        &grids,
        &prior_options(warmup),
        &autodiff,
    )?;
    let started = Instant::now();
    prior_train::train(
        config.prior_config()?,
        &grids,
        &prior_options(steps),
        &autodiff,
    )?;
    let prior_seconds = started.elapsed().as_secs_f64();
    println!(
        "{device:?}: VQ-VAE {:.0} images/s ({steps} steps of 64 in {vqvae_seconds:.1} s); \
         prior {:.2} steps/s of 64 grids ({steps} steps in {prior_seconds:.1} s)",
        (steps * 64) as f64 / vqvae_seconds,
        steps as f64 / prior_seconds,
    );
    Ok(())
}
