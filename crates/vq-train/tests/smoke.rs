//! A smoke training of a few steps on a small subset of Fashion-MNIST (Debian's
//! `dataset-fashion-mnist`, installed by `scripts/install-data.sh`).

use burn::prelude::*;
use vq_model::config::VqVaeConfig;
use vq_train::data::fashion::{self, Split};
use vq_train::vqvae_train::{Options, Trainer};

fn options(steps: usize, dir: &std::path::Path) -> Options {
    Options {
        steps,
        batch_size: 16,
        learning_rate: 2e-3,
        decay_from: Some(30),
        ema: true,
        kmeans_init: true,
        dead_patience: 5,
        seed: 3,
        checkpoint_dir: Some(dir.to_path_buf()),
        checkpoint_every: 1000,
        log_csv: Some(dir.join("log.csv")),
    }
}

fn config() -> VqVaeConfig {
    VqVaeConfig::new(1, 8, 32)
        .with_hidden_channels(16)
        .with_residual_channels(8)
}

fn losses(dir: &std::path::Path) -> Vec<f32> {
    std::fs::read_to_string(dir.join("log.csv"))
        .expect("log")
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("loss").parse().expect("number"))
        .collect()
}

fn weights(trainer: &Trainer) -> Vec<f32> {
    let w = trainer.model.quantizer.codebook.weight.val();
    let mut all = vq_train::batch::floats(w);
    all.extend(vq_train::batch::floats(
        trainer.model.encoder.first_weight().reshape([-1]),
    ));
    all
}

/// The loss falls within 40 steps, and a run stopped at a checkpoint and resumed reaches the
/// same weights as one that never stopped.
#[test]
fn loss_falls_and_a_checkpoint_resumes_to_the_same_state() {
    let data = fashion::load(std::path::Path::new(fashion::DEFAULT_DIR), Split::Train)
        .expect("Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        .take(512);
    let device = Device::flex().autodiff();
    let root = std::env::temp_dir().join(format!("vq-train-smoke-{}", std::process::id()));
    let (straight, stopped) = (root.join("straight"), root.join("stopped"));

    let mut a = Trainer::new(&config(), options(40, &straight), &device).expect("trainer");
    a.run(&data, &device).expect("run");
    let log = losses(&straight);
    let first: f32 = log[..5].iter().sum::<f32>() / 5.0;
    let last: f32 = log[log.len() - 5..].iter().sum::<f32>() / 5.0;
    assert!(last < 0.7 * first, "the loss falls: {first} → {last}");

    let mut b = Trainer::new(&config(), options(20, &stopped), &device).expect("trainer");
    b.run(&data, &device).expect("first half");
    drop(b);
    let mut resumed = Trainer::new(&config(), options(40, &stopped), &device).expect("resume");
    assert_eq!(resumed.step, 20, "resumed at the checkpoint's step");
    resumed.run(&data, &device).expect("second half");
    let diff = weights(&a)
        .iter()
        .zip(weights(&resumed))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    // Same batches, same Adam moments, same EMA state: equal up to float reordering.
    assert!(diff < 1e-4, "resumed weights differ by {diff}");
    let _ = std::fs::remove_dir_all(&root);
}
