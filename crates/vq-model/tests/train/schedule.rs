//! What each step draws, at what learning rate, and the options that say so.

use std::collections::HashSet;

use vq_model::train::{TrainOptions, batch_indices};

/// Successive steps draw (nearly) fresh images: 200 batches of 64 from 60 000 images
/// should hold about 11 500 distinct ones, as independent draws with replacement do.
#[test]
fn steps_draw_fresh_images() {
    let indices = batch_indices;
    let drawn: HashSet<usize> = (0..200).flat_map(|s| indices(60_000, 64, 1, s)).collect();
    assert!(drawn.len() > 11_000, "only {} distinct images", drawn.len());
    assert_eq!(indices(60_000, 64, 1, 7), indices(60_000, 64, 1, 7));
    assert_ne!(indices(60_000, 64, 1, 7), indices(60_000, 64, 2, 7));
}

/// The learning rate holds until `decay_from`, then falls linearly towards a tenth of itself
/// at `steps`; without `decay_from`, or with it at or past the end, it holds throughout.
#[test]
fn the_learning_rate_falls_to_a_tenth() {
    let options = TrainOptions {
        learning_rate: 1e-3,
        decay_from: Some(50),
        ..TrainOptions::shipped(100, 8, None, 1)
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-15;
    assert!(close(options.learning_rate_at(0), 1e-3));
    assert!(close(options.learning_rate_at(50), 1e-3));
    assert!(close(options.learning_rate_at(75), 0.55e-3));
    assert!(close(
        options.learning_rate_at(99),
        1e-3 * (1.0 - 0.9 * 0.98)
    ));
    assert!(close(options.learning_rate_at(100), 1e-4));
    for decay_from in [None, Some(100), Some(150)] {
        let held = TrainOptions {
            decay_from,
            ..options.clone()
        };
        assert!(close(held.learning_rate_at(99), 1e-3), "{decay_from:?}");
    }
}

/// The options travel as JSON (the page will send them to a training worker).
#[test]
fn the_options_travel_as_json() {
    let options = TrainOptions::shipped(8000, 64, Some(6000), 1);
    let json = serde_json::to_string(&options).expect("to JSON");
    let back: TrainOptions = serde_json::from_str(&json).expect("from JSON");
    assert_eq!(back, options);
}
