//! The codebook's training rules: the EMA of appendix A.1, k-means initialisation, dead-code
//! revival.

use burn::prelude::*;
use burn::tensor::Int;
use vq_model::rng::SplitMix64;
use vq_model::train::{DeadCodes, Ema, kmeans};

use crate::{device, max_abs_diff, to_vec};

/// One EMA step gives the codebook the paper's appendix describes, computed here by hand.
#[test]
fn one_ema_step_matches_the_formula() {
    let device = device();
    // K = 3 codes of D = 2; code 2 gets no cell in this batch.
    let codebook = Tensor::<2>::from_floats([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]], &device);
    let mut ema = Ema::new(codebook, 0.9, 1e-5);
    let z = Tensor::<2>::from_floats([[0.2, 0.4], [0.4, 0.0], [2.0, 3.0]], &device);
    let codes = Tensor::<1, Int>::from_ints([0, 0, 1], &device);
    let new = to_vec(ema.step(z, codes));

    let (g, eps) = (0.9f64, 1e-5f64);
    let n = [g + (1.0 - g) * 2.0, g + (1.0 - g) * 1.0, g];
    let m = [
        [(1.0 - g) * 0.6, (1.0 - g) * 0.4],
        [g + (1.0 - g) * 2.0, g + (1.0 - g) * 3.0],
        [g * 5.0, g * 5.0],
    ];
    let total: f64 = n.iter().sum();
    let mut expected = Vec::new();
    for k in 0..3 {
        let smoothed = (n[k] + eps) / (total + 3.0 * eps) * total;
        expected.push((m[k][0] / smoothed) as f32);
        expected.push((m[k][1] / smoothed) as f32);
    }
    assert!(
        max_abs_diff(&new, &expected) < 1e-5,
        "{new:?} vs {expected:?}"
    );
    // An unused code keeps its vector (up to smoothing).
    assert!((new[4] - 5.0).abs() < 1e-3);
}

/// k-means on three well-separated blobs puts one centroid at each blob's mean.
#[test]
fn kmeans_finds_the_clusters() {
    let device = device();
    let centres = [[-10.0f32, 0.0], [0.0, 10.0], [10.0, 0.0]];
    let mut rng = SplitMix64::new(3);
    let mut points = Vec::new();
    for i in 0..300 {
        let c = centres[i % 3];
        points.push(c[0] + (rng.next_f64() as f32 - 0.5));
        points.push(c[1] + (rng.next_f64() as f32 - 0.5));
    }
    let z = Tensor::<2>::from_data(TensorData::new(points, [300, 2]), &device);
    let found = to_vec(kmeans(z, 3, 10, 1));
    for c in centres {
        let best = found
            .chunks(2)
            .map(|f| ((f[0] - c[0]).powi(2) + (f[1] - c[1]).powi(2)).sqrt())
            .fold(f32::INFINITY, f32::min);
        assert!(
            best < 0.2,
            "a centroid within 0.2 of {c:?}, found {found:?}"
        );
    }
}

/// A code unused for `patience` steps is dead; reviving it moves it onto an encoder output,
/// and leaves the live codes untouched.
#[test]
fn dead_codes_are_revived_onto_encoder_outputs() {
    let device = device();
    let mut dead = DeadCodes::new(4, 3);
    for _ in 0..2 {
        assert!(dead.observe(&[0, 1, 1, 3]).is_empty());
    }
    assert_eq!(
        dead.observe(&[0, 1, 3]),
        vec![2],
        "code 2 unused for 3 steps"
    );

    let codebook =
        Tensor::<2>::from_floats([[0.0, 0.0], [1.0, 1.0], [9.0, 9.0], [3.0, 3.0]], &device);
    let z = Tensor::<2>::from_floats([[0.5, 0.7], [0.6, 0.8]], &device);
    let mut rng = SplitMix64::new(0);
    let revived = to_vec(dead.revive(codebook, z, &[2], &mut rng));
    assert_eq!(&revived[0..4], &[0.0, 0.0, 1.0, 1.0]);
    assert_eq!(&revived[6..8], &[3.0, 3.0]);
    let row = &revived[4..6];
    assert!(
        row == [0.5, 0.7] || row == [0.6, 0.8],
        "revived onto an output, got {row:?}"
    );
    assert_eq!(dead.idle_steps[2], 0, "a revived code starts alive");
}
