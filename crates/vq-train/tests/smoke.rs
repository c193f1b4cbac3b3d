//! A smoke training of a few steps on a small subset of Fashion-MNIST (Debian's
//! `dataset-fashion-mnist`, installed by `scripts/install-data.sh`): it trains (full batches,
//! finite and falling loss, weights that move) and resumes exactly from a checkpoint.

use burn::prelude::*;
use vq_model::config::VqVaeConfig;
use vq_model::train::TrainOptions;
use vq_train::data::fashion::{self, Split};
use vq_train::vqvae_train::{Options, Trainer};

/// burn's CPU device has one random state per process, seeded by `Trainer::new`: tests that
/// build trainers take turns, or one test's draws would land between another's seed and its
/// initial weights (and two runs meant to be equal would start apart).
static SEEDED_DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    SEEDED_DEVICE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn options(steps: usize, dir: &std::path::Path) -> Options {
    Options {
        training: TrainOptions {
            steps,
            batch_size: 16,
            learning_rate: 2e-3,
            decay_from: Some(30),
            ema: true,
            kmeans_init: true,
            normal_init: false,
            dead_patience: 5,
            seed: 3,
        },
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

/// One row of the run's CSV log.
struct Logged {
    step: usize,
    loss: f32,
    images: usize,
}

/// The log's rows, read by the header's column names.
fn logged(dir: &std::path::Path) -> Vec<Logged> {
    let text = std::fs::read_to_string(dir.join("log.csv")).expect("log");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (step, loss, images) = (column("step"), column("loss"), column("images"));
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            Logged {
                step: fields[step].parse().expect("step"),
                loss: fields[loss].parse().expect("loss"),
                images: fields[images].parse().expect("images"),
            }
        })
        .collect()
}

fn weights(trainer: &Trainer) -> Vec<f32> {
    let w = trainer.vqvae.model.quantizer.codebook.weight.val();
    let mut all = vq_train::batch::floats(w);
    all.extend(vq_train::batch::floats(
        trainer.vqvae.model.encoder.first_weight().reshape([-1]),
    ));
    all
}

fn encoder_weights(trainer: &Trainer) -> Vec<f32> {
    vq_train::batch::floats(trainer.vqvae.model.encoder.first_weight().reshape([-1]))
}

fn subset() -> vq_train::data::ImageSet {
    let data = fashion::load(std::path::Path::new(fashion::DEFAULT_DIR), Split::Train)
        .expect("Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        .take(512);
    assert_eq!(data.len(), 512, "a subset of 512 training images");
    data
}

/// 40 steps train: each step sees a full batch of 16 images, the loss is finite at every
/// step and falls, and the encoder's weights move; a run stopped at a checkpoint and resumed
/// reaches the same weights as one that never stopped.
#[test]
fn loss_falls_and_a_checkpoint_resumes_to_the_same_state() {
    let _turn = take_turn();
    let data = subset();
    let device = Device::flex().autodiff();
    let root = std::env::temp_dir().join(format!("vq-train-smoke-{}", std::process::id()));
    let (straight, stopped) = (root.join("straight"), root.join("stopped"));

    let mut a = Trainer::new(&config(), options(40, &straight), &device).expect("trainer");
    let initial = encoder_weights(&a);
    a.run(&data, &device).expect("run");
    assert_eq!(a.vqvae.steps_done(), 40, "the run took its 40 steps");
    let log = logged(&straight);
    assert_eq!(
        log.iter().map(|row| row.step).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<_>>(),
        "one log row per step"
    );
    assert!(
        log.iter().all(|row| row.images == 16),
        "every step saw a full batch of 16 images"
    );
    assert!(
        log.iter().all(|row| row.loss.is_finite() && row.loss > 0.0),
        "finite losses"
    );
    let first: f32 = log[..5].iter().map(|row| row.loss).sum::<f32>() / 5.0;
    let last: f32 = log[log.len() - 5..].iter().map(|row| row.loss).sum::<f32>() / 5.0;
    assert!(last < 0.7 * first, "the loss falls: {first} → {last}");
    let moved = initial
        .iter()
        .zip(encoder_weights(&a))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(moved > 1e-3, "the encoder's weights moved by only {moved}");

    let mut b = Trainer::new(&config(), options(20, &stopped), &device).expect("trainer");
    b.run(&data, &device).expect("first half");
    drop(b);
    let mut resumed = Trainer::new(&config(), options(40, &stopped), &device).expect("resume");
    assert_eq!(
        resumed.vqvae.steps_done(),
        20,
        "resumed at the checkpoint's step"
    );
    resumed.run(&data, &device).expect("second half");
    assert_eq!(resumed.vqvae.steps_done(), 40);
    let diff = weights(&a)
        .iter()
        .zip(weights(&resumed))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    // Same batches, same Adam moments, same EMA state: equal up to float reordering.
    assert!(diff < 1e-4, "resumed weights differ by {diff}");
    let _ = std::fs::remove_dir_all(&root);
}

/// A run with nothing to learn from (no image, or batches of none) is refused with a
/// sentence instead of "training" on empty batches.
#[test]
fn a_run_without_images_is_refused() {
    let _turn = take_turn();
    let device = Device::flex().autodiff();
    let root = std::env::temp_dir().join(format!("vq-train-empty-{}", std::process::id()));
    let data = subset();
    let mut trainer = Trainer::new(&config(), options(3, &root), &device).expect("trainer");
    let error = trainer
        .run(&data.take(0), &device)
        .expect_err("no image to train on");
    assert!(
        format!("{error}").contains("nothing to train on"),
        "{error}"
    );
    assert_eq!(trainer.vqvae.steps_done(), 0, "no step taken");

    let mut no_batch = options(3, &root);
    no_batch.training.batch_size = 0;
    let mut trainer = Trainer::new(&config(), no_batch, &device).expect("trainer");
    assert!(trainer.run(&data, &device).is_err(), "batches of 0 images");
    assert_eq!(trainer.vqvae.steps_done(), 0, "no step taken");
    let _ = std::fs::remove_dir_all(&root);
}
