//! The training session on the shipped training data (`assets/training/fashion/`), on burn's
//! CPU backend: what each message answers, a chunk lowering the loss, a pause that changes
//! nothing, and the presets' lessons.

use burn::tensor::Device;
use futures_lite::future::block_on;
use vq_model::ModelConfig;

use super::{TrainingSession, architecture};
use crate::protocol::{
    Evaluation, FromTrainer, Preset, StepMeans, ToTrainer, TrainingProgress, TrainingSetup,
};

/// burn's CPU device has one random state per process, which `VqVaeTrainer::new` seeds and
/// a run's first step draws its weights from: tests that train take turns, so that no other
/// draw lands between the two and a seed gives one model.
fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    static SEEDED_DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SEEDED_DEVICE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn asset(path: &str) -> Vec<u8> {
    let path = format!("{}/assets/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn open_message() -> ToTrainer {
    ToTrainer::Open {
        manifest: String::from_utf8(asset("training/fashion/manifest.json"))
            .unwrap_or_else(|err| panic!("{err}")),
        train: asset("training/fashion/train.bin"),
        test: asset("training/fashion/test.bin"),
    }
}

/// A session on the CPU with the shipped data open.
fn opened() -> TrainingSession {
    let mut session = TrainingSession::new(Device::flex());
    match block_on(session.handle(open_message())) {
        FromTrainer::Opened(data) => {
            assert_eq!((data.train, data.test, data.classes), (3000, 500, 10));
            assert_eq!(data.size, (28, 28));
            assert_eq!(data.showcase.len(), 8 * 28 * 28);
            assert_eq!(data.showcase_classes, vec![0, 1, 2, 3, 5, 7, 8, 9]);
        }
        other => panic!("{other:?}"),
    }
    session
}

/// Starts `setup`, which must be accepted.
fn start(session: &mut TrainingSession, setup: &TrainingSetup) {
    let answer = block_on(session.handle(ToTrainer::Start {
        setup: setup.clone(),
    }));
    assert_eq!(
        answer,
        FromTrainer::Started {
            setup: setup.clone()
        }
    );
}

/// Runs chunks of `budget_ms` to the run's end; every chunk's progress.
fn run_to_end(session: &mut TrainingSession, budget_ms: f64) -> Vec<TrainingProgress> {
    let mut chunks = Vec::new();
    while session.is_running() {
        match block_on(session.tick(budget_ms)) {
            Some(FromTrainer::Progress(progress)) => chunks.push(progress),
            other => panic!("{other:?}"),
        }
    }
    chunks
}

fn finite(means: &StepMeans) -> bool {
    [
        means.reconstruction,
        means.codebook,
        means.commitment,
        means.total,
    ]
    .iter()
    .all(|v| v.is_finite() && *v >= 0.0)
        && means.perplexity.is_finite()
        && means.perplexity >= 1.0
}

/// The knobs the architecture does not take from a setup are the shipped fashion model's.
#[test]
fn the_architecture_is_the_fashion_model_s() {
    let config: ModelConfig = serde_json::from_slice(&asset("models/fashion/config.json"))
        .unwrap_or_else(|err| panic!("{err}"));
    let recipe = Preset::EmaKmeansRevival.setup();
    assert_eq!(architecture::vqvae_config(&recipe, 1), config.vqvae);
}

/// Requests before the data, out-of-range knobs, and damaged data are refused with
/// sentences, and change nothing.
#[test]
fn requests_out_of_turn_and_bad_knobs_are_refused_with_sentences() {
    let mut session = TrainingSession::new(Device::flex());
    let refused = |answer: FromTrainer| match answer {
        FromTrainer::Refused(sentence) => sentence,
        other => panic!("{other:?}"),
    };
    let before = refused(block_on(session.handle(ToTrainer::Start {
        setup: Preset::PaperRecipe.setup(),
    })));
    assert_eq!(
        before,
        "The training data is not open yet; wait for it to download."
    );
    assert_eq!(
        refused(block_on(session.handle(ToTrainer::Pause))),
        "There is no training run; start one first."
    );
    let ToTrainer::Open {
        manifest,
        mut train,
        test,
    } = open_message()
    else {
        unreachable!()
    };
    train[100] ^= 1;
    let damaged = refused(block_on(session.handle(ToTrainer::Open {
        manifest,
        train,
        test,
    })));
    assert!(
        damaged.starts_with("The training data does not match its manifest"),
        "{damaged}"
    );

    let mut session = opened();
    let too_many = refused(block_on(session.handle(ToTrainer::Start {
        setup: TrainingSetup {
            codebook_size: 2048,
            ..Preset::PaperRecipe.setup()
        },
    })));
    assert_eq!(
        too_many,
        "The number of codes K must be from 16 to 512; it is 2048."
    );
    assert!(!session.is_running());
    assert_eq!(block_on(session.tick(10.0)), None, "nothing runs");
}

/// A short run of the paper's recipe: the first chunk (one step) and the last evaluate; the
/// loss falls, every figure is finite, and the evaluation has the sizes the panel draws.
#[test]
fn chunks_lower_the_loss_and_report_finite_numbers() {
    let _turn = take_turn();
    let mut session = opened();
    let setup = TrainingSetup {
        steps: 30,
        ..Preset::PaperRecipe.setup()
    };
    start(&mut session, &setup);
    let first = block_on(session.run_chunk(0.0)).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!((first.step, first.chunk_steps), (1, 1), "one step at least");
    assert!(first.evaluation.is_some(), "the first chunk evaluates");
    let rest = run_to_end(&mut session, 1e9);
    let last = rest.last().unwrap_or_else(|| panic!("no chunk"));
    assert!(last.finished && last.step == 30, "{last:?}");
    assert!(!session.is_running(), "a finished run stops");
    for chunk in std::iter::once(&first).chain(&rest) {
        assert!(finite(&chunk.means) && finite(&chunk.last), "{chunk:?}");
        assert!(chunk.images_per_second > 0.0 && chunk.steps_per_second.is_finite());
    }
    // With the codebook learned by its loss from ±1/K, its term and the commitment grow at
    // first, as the encoder's outputs leave the codebook's tiny ball: the reconstruction
    // term is the one that falls (measured: 0.35 → 0.15 in 30 steps, and the test PSNR
    // 5.2 → 8.8 dB).
    assert!(
        last.last.reconstruction < 0.5 * first.last.reconstruction,
        "the reconstruction's error falls: {} → {}",
        first.last.reconstruction,
        last.last.reconstruction
    );
    let evaluation = last.evaluation.as_ref().unwrap_or_else(|| panic!("last"));
    let k = setup.codebook_size;
    assert_eq!(evaluation.step, 30);
    let psnr_at_first = first.evaluation.as_ref().map_or(f64::NAN, |e| e.test_psnr);
    assert!(
        evaluation.test_psnr > psnr_at_first + 2.0,
        "the test PSNR rises: {psnr_at_first} → {} dB",
        evaluation.test_psnr
    );
    assert_eq!(evaluation.usage.len(), k);
    assert_eq!(
        evaluation.usage.iter().map(|&n| n as usize).sum::<usize>(),
        200 * 49,
        "every cell of the 200 evaluated images"
    );
    assert_eq!(evaluation.codes_used + evaluation.dead_codes, k);
    assert!(
        evaluation.perplexity >= 1.0
            && evaluation.perplexity <= evaluation.codes_used as f64 + 1e-9
    );
    assert_eq!(evaluation.reconstructions.len(), 8 * 28 * 28);
    assert_eq!((evaluation.tile, evaluation.tiles.len()), (8, k * 8 * 8));
    assert_eq!(evaluation.map.codes.len(), 2 * k);
    assert_eq!(evaluation.map.cloud.len(), 2 * 6 * 49);
    assert!(
        evaluation
            .map
            .codes
            .iter()
            .chain(&evaluation.map.cloud)
            .all(|v| v.is_finite())
    );
    // After a run the model is the lab's: no autodiff, the setup's architecture.
    let (model, config) = session
        .trained_model()
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(config, architecture::vqvae_config(&setup, 1));
    assert_eq!(model.quantizer.codebook_size(), k);
    assert_eq!(
        block_on(session.handle(ToTrainer::Resume)),
        FromTrainer::Refused(
            "The run has done all its 30 steps; start a new run to train again.".to_owned()
        )
    );
}

/// A run paused after its first step, and resumed, goes on at the second and trains the
/// model a run that never paused trains: the same last step, the same codebook.
#[test]
fn a_paused_run_resumes_at_the_next_step_as_if_never_paused() {
    let _turn = take_turn();
    let setup = TrainingSetup {
        steps: 6,
        batch_size: 16,
        revive_after: Some(2),
        ..Preset::EmaKmeansRevival.setup()
    };
    let codebook = |session: &TrainingSession| {
        let (model, _) = session
            .trained_model()
            .unwrap_or_else(|err| panic!("{err}"));
        model.quantizer.codebook.weight.val().into_data()
    };

    let mut straight = opened();
    start(&mut straight, &setup);
    let straight_chunks = run_to_end(&mut straight, 1e9);

    let mut paused = opened();
    start(&mut paused, &setup);
    let first = block_on(paused.run_chunk(0.0)).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(first.step, 1);
    assert_eq!(
        block_on(paused.handle(ToTrainer::Pause)),
        FromTrainer::Paused { step: 1 }
    );
    assert_eq!(
        block_on(paused.tick(1e9)),
        None,
        "a paused run does not run"
    );
    assert!(block_on(paused.run_chunk(1e9)).is_err());
    let evaluated = block_on(paused.handle(ToTrainer::Evaluate));
    assert!(
        matches!(&evaluated, FromTrainer::Evaluated(evaluation) if evaluation.step == 1),
        "{evaluated:?}"
    );
    assert_eq!(
        block_on(paused.handle(ToTrainer::Resume)),
        FromTrainer::Resumed { step: 1 }
    );
    let resumed = block_on(paused.run_chunk(0.0)).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(resumed.step, 2, "the next step");
    let rest = run_to_end(&mut paused, 1e9);

    let (a, b) = (
        straight_chunks.last().unwrap_or_else(|| panic!("none")),
        rest.last().unwrap_or_else(|| panic!("none")),
    );
    assert_eq!((a.step, b.step), (6, 6));
    assert_eq!(a.last, b.last, "the same last step");
    assert_eq!(codebook(&straight), codebook(&paused), "the same codebook");
    assert_eq!(
        a.evaluation.as_ref().map(|e| e.test_psnr),
        b.evaluation.as_ref().map(|e| e.test_psnr)
    );
}

/// The collapse preset's lesson, after the same steps: its codebook (K = 512, random start,
/// no revival) uses a handful of codes, against nearly all of the shipped recipe's, which
/// collapsed too in its first steps but revived its dead codes after 50 (the bar:
/// a perplexity under a quarter). Measured: perplexity 2.8 and 5 codes used, against 85.9
/// and 107.
#[test]
fn the_collapse_preset_uses_far_fewer_codes_than_the_shipped_recipe() {
    let _turn = take_turn();
    // 80 steps of 16 images: past the revival at step 51, in a few seconds.
    let evaluated = |preset: Preset| {
        let setup = TrainingSetup {
            steps: 80,
            batch_size: 16,
            ..preset.setup()
        };
        let mut session = opened();
        start(&mut session, &setup);
        let chunks = run_to_end(&mut session, 1e9);
        let evaluation = chunks.last().and_then(|chunk| chunk.evaluation.clone());
        evaluation.unwrap_or_else(|| panic!("the last chunk evaluates"))
    };
    let collapse = evaluated(Preset::Collapse);
    let recipe = evaluated(Preset::EmaKmeansRevival);
    let figures = |e: &Evaluation| {
        format!(
            "perplexity {:.1}, {} codes used, {:.2} dB",
            e.perplexity, e.codes_used, e.test_psnr
        )
    };
    assert!(
        collapse.perplexity < recipe.perplexity / 4.0
            && 4 * collapse.codes_used < recipe.codes_used,
        "collapse: {}; EMA + k-means + revival: {}",
        figures(&collapse),
        figures(&recipe)
    );
}

/// The figures of the module's documentation, measured rather than tested (a benchmark is
/// never a timed test): training images per second at batches of 32 and 64, the cost of an
/// evaluation, and each preset's test PSNR, perplexity and codes used after its steps
/// (`VQ_TRAIN_STEPS` to run fewer). Run with
/// `cargo test --release -p vq-lab --lib measure_training -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, minutes long; run by hand"]
fn measure_training() {
    let _turn = take_turn();
    let steps: Option<usize> = std::env::var("VQ_TRAIN_STEPS")
        .ok()
        .and_then(|s| s.parse().ok());
    for batch_size in [32, 64] {
        let mut session = opened();
        let setup = TrainingSetup {
            batch_size,
            steps: 21,
            ..Preset::PaperRecipe.setup()
        };
        start(&mut session, &setup);
        let _ = block_on(session.run_chunk(0.0)); // the first step, and an evaluation
        let chunk = block_on(session.run_chunk(1e9)).unwrap_or_else(|err| panic!("{err}"));
        println!(
            "batch {batch_size}: {:.0} images/s, {:.1} steps/s over {} steps",
            chunk.images_per_second, chunk.steps_per_second, chunk.chunk_steps
        );
    }
    for preset in Preset::ALL {
        let mut session = opened();
        start(
            &mut session,
            &TrainingSetup {
                steps: 2,
                ..preset.setup()
            },
        );
        let _ = block_on(session.run_chunk(1e9));
        let millis: Vec<String> = (0..3)
            .map(|_| match block_on(session.handle(ToTrainer::Evaluate)) {
                FromTrainer::Evaluated(e) => format!("{:.0}", e.millis),
                other => panic!("{other:?}"),
            })
            .collect();
        println!(
            "an evaluation of {}: {} ms",
            preset.label(),
            millis.join(", ")
        );
    }
    let paper_slow = TrainingSetup {
        learning_rate: 2e-4,
        ..Preset::PaperRecipe.setup()
    };
    let runs = Preset::ALL
        .map(|preset| (preset.label().to_owned(), preset.setup()))
        .into_iter()
        .chain([("The paper's recipe at 2e-4".to_owned(), paper_slow)]);
    for (label, setup) in runs {
        let setup = TrainingSetup {
            steps: steps.unwrap_or(setup.steps),
            ..setup
        };
        let mut session = opened();
        start(&mut session, &setup);
        let started = std::time::Instant::now();
        let chunks = run_to_end(&mut session, 200.0);
        let seconds = started.elapsed().as_secs_f64();
        for chunk in &chunks {
            if let Some(e) = &chunk.evaluation {
                println!(
                    "  {label} step {:>5}: {:.2} dB, perplexity {:.1}, {} codes used, {:.0} ms",
                    e.step, e.test_psnr, e.perplexity, e.codes_used, e.millis
                );
            }
        }
        let images: f64 = chunks
            .iter()
            .map(|c| (c.chunk_steps * setup.batch_size) as f64)
            .sum();
        println!(
            "{label}: {} steps of {} in {seconds:.1} s ({:.0} images/s, evaluations included)",
            setup.steps,
            setup.batch_size,
            images / seconds
        );
    }
}

/// The files of a model trained `steps` steps of the shipped recipe (EMA, k-means, revival),
/// evaluated at its end, exported as `name`: for the lab's tests of a trained model.
pub(crate) fn exported(name: &str, steps: usize) -> crate::protocol::TrainedFiles {
    let _turn = take_turn();
    let mut session = opened();
    start(
        &mut session,
        &TrainingSetup {
            steps,
            ..Preset::EmaKmeansRevival.setup()
        },
    );
    let _ = run_to_end(&mut session, 1e9);
    match block_on(session.handle(ToTrainer::Export {
        name: name.to_owned(),
    })) {
        FromTrainer::Exported(files) => files,
        other => panic!("{other:?}"),
    }
}

/// An export is the shipped format without a prior: a manifest hashing `config.json` and
/// `vqvae.bpk` (f16, the bytes the synchronous writer gives), with the knobs, the step and
/// the last evaluation; a config whose `prior` is absent; weights that load back.
#[test]
fn an_export_is_a_shipped_model_without_a_prior() {
    use vq_model::weights::{self, ModelFiles, files};

    let mut session = opened();
    let refused = block_on(session.handle(ToTrainer::Export {
        name: "mine".to_owned(),
    }));
    assert_eq!(
        refused,
        FromTrainer::Refused("There is no training run; start one first.".to_owned())
    );
    let exported = exported("mine", 6);
    assert_eq!(exported.name, "mine");
    let manifest =
        weights::parse_manifest(exported.manifest.as_bytes()).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(manifest.name, "mine");
    assert_eq!(manifest.command, "trained in the page");
    assert_eq!(manifest.seed, 1);
    assert_eq!(
        manifest.sha256.keys().collect::<Vec<_>>(),
        [files::CONFIG, files::VQVAE]
    );
    assert_eq!(manifest.bytes[files::VQVAE], exported.vqvae.len() as u64);
    assert_eq!(manifest.knobs["step"], "6");
    assert_eq!(manifest.knobs["codebook_size"], "128");
    assert_eq!(manifest.knobs["codebook_update"], "EMA");
    assert_eq!(manifest.metrics["evaluated_at_step"], 6.0);
    assert!(
        manifest.metrics["test_psnr_db"] > 5.0,
        "{:?}",
        manifest.metrics
    );
    assert!(manifest.metrics["test_perplexity"] >= 1.0);
    assert!(!exported.config.contains("prior"), "{}", exported.config);
    let config = weights::parse_config(&manifest, exported.config.as_bytes())
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(config.prior, None);
    assert_eq!(
        config.vqvae,
        architecture::vqvae_config(&Preset::EmaKmeansRevival.setup(), 1)
    );
    assert_eq!(config.image_size, 28);
    let device = Device::flex();
    let model = weights::load_model(
        ModelFiles {
            manifest: exported.manifest.as_bytes(),
            config: exported.config.as_bytes(),
            vqvae: &exported.vqvae,
            prior: None,
        },
        &device,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    assert!(model.prior.is_none());
    // Read back asynchronously, written on the CPU: the same bytes the synchronous writer
    // gives of the loaded model (f16 both ways: nothing rounds twice).
    assert_eq!(
        weights::to_bytes(&model.vqvae).unwrap_or_else(|err| panic!("{err}")),
        exported.vqvae
    );
    let bad_name = block_on(session.handle(ToTrainer::Export {
        name: "My model".to_owned(),
    }));
    assert_eq!(
        bad_name,
        FromTrainer::Refused(
            "“My model” is not a name a model can have: lower-case letters, digits, - and _, 64 \
             at most."
                .to_owned()
        )
    );
}
