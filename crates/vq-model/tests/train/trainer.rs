//! The trainer's steps, as `vq-train` (blocking reads) and the page (async reads) drive them.

use burn::module::Module;
use vq_model::train::{StepReport, TrainOptions, TrainerState, VqVaeTrainer};

use crate::{device, fixed_batch, max_abs_diff, take_turn, tiny_config, to_vec};

/// The shipped recipe (EMA, k-means, Adam at 1e-3) on batches of 8, without revival.
fn options(steps: usize) -> TrainOptions {
    TrainOptions {
        dead_patience: 0,
        ..TrainOptions::shipped(steps, 8, None, 11)
    }
}

fn codebook(trainer: &VqVaeTrainer) -> Vec<f32> {
    to_vec(trainer.model.quantizer.codebook.weight.val())
}

/// 20 steps of the shipped recipe on one fixed batch lower its loss: each step's report is
/// finite and counts the step, and the last loss is well under the first.
#[test]
fn twenty_steps_on_one_batch_lower_the_loss() {
    let _turn = take_turn();
    let device = device();
    let mut trainer = VqVaeTrainer::new(&tiny_config(), options(20), &device);
    let x = fixed_batch(8, &device);
    let reports: Vec<StepReport> = (0..20)
        .map(|_| trainer.step(x.clone()).expect("step"))
        .collect();
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(report.step, i + 1);
        assert_eq!(report.images, 8);
        assert!(report.total.is_finite() && report.total > 0.0, "{report:?}");
        // With the EMA the codebook term is left out of the loss.
        assert_eq!(report.total, report.reconstruction + report.commitment);
        assert!((1..=16).contains(&report.codes_used), "{report:?}");
        assert!(report.perplexity <= report.codes_used as f64 + 1e-9);
        assert_eq!(report.revived, 0, "revival is off");
        assert_eq!(report.learning_rate, 1e-3);
    }
    let (first, last) = (reports[0].total, reports[19].total);
    // Here it falls at every step, to 0.76× of the first in 20 (lr 1e-3); 0.85× leaves room
    // for another order of float sums, and a trainer that learned nothing would stay at 1×.
    assert!(last < 0.85 * first, "the loss falls: {first} → {last}");
    assert!(
        reports[1..].iter().all(|report| report.total < first),
        "every step is below the first"
    );
    assert_eq!(trainer.steps_done(), 20);
}

/// The page's step (async reads) is the native trainer's (blocking reads): the same seed
/// gives the same reports, bit for bit, and the same codebook.
#[test]
fn the_async_step_is_the_blocking_step() {
    let _turn = take_turn();
    let device = device();
    let x = fixed_batch(4, &device);
    // One after the other: burn draws a model's weights at their first use, from the
    // device's one random state.
    let mut blocking = VqVaeTrainer::new(&tiny_config(), options(3), &device);
    let by_blocking: Vec<StepReport> = (0..3)
        .map(|_| blocking.step(x.clone()).expect("step"))
        .collect();
    let mut asynchronous = VqVaeTrainer::new(&tiny_config(), options(3), &device);
    let by_async: Vec<StepReport> = (0..3)
        .map(|_| pollster::block_on(asynchronous.step_async(x.clone())).expect("step_async"))
        .collect();
    assert_eq!(by_blocking, by_async);
    assert_eq!(codebook(&blocking), codebook(&asynchronous));
}

/// With a patience of one step, every code the batch left unused is dead and revived in the
/// same step, onto an encoder output: revived + used = K, and the revived codes are chosen
/// again, so the next step uses more codes than a codebook left to itself.
#[test]
fn unused_codes_are_revived_in_the_step() {
    let _turn = take_turn();
    let device = device();
    let revive = TrainOptions {
        kmeans_init: false,
        dead_patience: 1,
        ..options(2)
    };
    let mut trainer = VqVaeTrainer::new(&tiny_config(), revive.clone(), &device);
    let x = fixed_batch(8, &device);
    let first = trainer.step(x.clone()).expect("step");
    assert!(first.revived > 0, "a codebook at ±1/K leaves codes unused");
    assert_eq!(first.revived + first.codes_used, 16, "{first:?}");
    let second = trainer.step(x.clone()).expect("step");

    let mut idle = VqVaeTrainer::new(
        &tiny_config(),
        TrainOptions {
            dead_patience: 0,
            ..revive
        },
        &device,
    );
    let idle_first = idle.step(x.clone()).expect("step");
    assert_eq!(idle_first.codes_used, first.codes_used, "same start");
    let idle_second = idle.step(x).expect("step");
    assert!(
        second.codes_used > idle_second.codes_used,
        "revived codes are used: {} vs {}",
        second.codes_used,
        idle_second.codes_used
    );
}

/// A run taken up from its weights, Adam's state and its `TrainerState` (through JSON, as a
/// checkpoint keeps it) takes the same next step as the run that never stopped.
#[test]
fn a_restored_trainer_takes_the_same_step() {
    let _turn = take_turn();
    let device = device();
    let x = fixed_batch(4, &device);
    let with_revival = TrainOptions {
        dead_patience: 2,
        ..options(6)
    };
    let mut straight = VqVaeTrainer::new(&tiny_config(), with_revival.clone(), &device);
    for _ in 0..3 {
        straight.step(x.clone()).expect("step");
    }
    let state = straight.state().expect("state");
    assert_eq!(state.step, 3);
    assert!(state.ema_cluster_size.is_some(), "the EMA's sums are kept");
    let json = serde_json::to_string(&state).expect("to JSON");

    let mut resumed = VqVaeTrainer::new(&tiny_config(), with_revival, &device);
    resumed.model = resumed
        .model
        .load_record(straight.model.clone().into_record());
    resumed.load_optimizer_record(straight.optimizer_record());
    let state: TrainerState = serde_json::from_str(&json).expect("from JSON");
    resumed.restore(state).expect("restore");
    assert_eq!(resumed.steps_done(), 3);

    let a = straight.step(x.clone()).expect("step");
    let b = resumed.step(x).expect("step");
    assert_eq!(a, b);
    assert!(max_abs_diff(&codebook(&straight), &codebook(&resumed)) == 0.0);
}

/// A state saved for another codebook is refused with a sentence, and changes nothing.
#[test]
fn a_state_of_another_codebook_is_refused() {
    let _turn = take_turn();
    let device = device();
    let mut trainer = VqVaeTrainer::new(&tiny_config(), options(2), &device);
    let wrong = TrainerState {
        step: 5,
        ema_cluster_size: Some(vec![1.0; 16]),
        ema_embed_sum: Some(vec![0.0; 16 * 4]),
        idle_steps: vec![0; 16],
    };
    let error = trainer.restore(wrong).expect_err("D = 4 is not D = 8");
    assert!(format!("{error}").contains("ema_embed_sum"), "{error}");
    assert_eq!(trainer.steps_done(), 0, "nothing taken up");
}

/// `normal_init` starts the codebook from `N(0, 1)`, the same draws for the same seed: after
/// one step at Adam's 1e-3 the codes' spread is still about 1, against about `1/(K√3)` for the
/// uniform start in `±1/K`.
#[test]
fn a_normal_start_draws_the_codebook_from_a_standard_normal() {
    let _turn = take_turn();
    let device = device();
    let spread = |normal_init: bool| {
        let start = TrainOptions {
            kmeans_init: false,
            normal_init,
            ..options(1)
        };
        let mut trainer = VqVaeTrainer::new(&tiny_config(), start, &device);
        trainer.step(fixed_batch(8, &device)).expect("step");
        let codes = codebook(&trainer);
        let mean = codes.iter().sum::<f32>() / codes.len() as f32;
        let variance = codes.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / codes.len() as f32;
        (variance.sqrt(), codes)
    };
    let (normal, drawn) = spread(true);
    let (uniform, _) = spread(false);
    assert!(
        (0.7..1.3).contains(&normal),
        "normal start: spread {normal}"
    );
    assert!(uniform < 0.1, "uniform start in ±1/K: spread {uniform}");
    assert_eq!(
        spread(true).1,
        drawn,
        "the same seed draws the same codebook"
    );
}
