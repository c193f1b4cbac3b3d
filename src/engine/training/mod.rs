//! Training a VQ-VAE in the page ("Neural Discrete Representation Learning", van den Oord,
//! Vinyals, Kavukcuoglu, 2017): the training worker's state and its answer to every
//! [`ToTrainer`], in plain Rust, tested natively. The training step itself is
//! `vq_model::train`'s, the native trainer's; the data is the shipped subset
//! (`vq_model::subset`).
//!
//! A [`TrainingSession`] owns the device, the two splits and the run (a
//! [`VqVaeTrainer`] and its [`TrainingSetup`]). The worker that drives it only moves messages:
//!
//! ```ignore
//! loop {
//!     for message in inbox.drain() {            // what arrived meanwhile, in order
//!         post(session.handle(message).await);
//!     }
//!     match session.tick(CHUNK_MILLIS).await {  // a chunk of steps while running
//!         Some(answer) => post(answer),
//!         None => wait_for_a_message().await,
//!     }
//!     yield_to_events().await;                  // the messages get their turn
//! }
//! ```
//!
//! The session is borrowed mutably for a whole chunk, across its reads: a message that
//! arrives during a chunk (on WebGPU the reads really wait) is queued by the worker and
//! handed over after it. A pause therefore takes effect after the chunk under way, and the
//! run goes on at the next step when resumed: the batch of step `s` depends only on the seed
//! and `s` (`vq_model::train::batch_indices`), so a paused run trains the model a run that
//! never paused trains.
//!
//! A chunk runs steps until its time is spent (at least one), with `step_async` (every read
//! `into_data_async`). The first chunk, every [`EVALUATE_EVERY`]-th and the run's last also
//! evaluate the model on held-out images ([`evaluate`]).
//!
//! Measured natively (release; burn's CPU backend on one core of a 2-core machine that other
//! work shared, so within about a quarter): 260 to 400 training images per second in batches
//! of 32, 270 to 420 in batches of 64, for the fashion-size model; an evaluation 140 to
//! 270 ms at `K = 128`, 210 to 390 ms at `K = 512, D = 64`. The figures of each preset are
//! on [`crate::protocol::Preset::setup`]; `tests.rs`'s `measure_training` measures them again.
//!
//! - [`architecture`]: a setup as `vq_model` takes it;
//! - [`data`]: the training data, checked and parsed, and its batches;
//! - [`chunk`]: the means of a chunk's steps;
//! - [`evaluate`]: PSNR, usage, reconstructions, tiles and the map;
//! - [`export`]: the run's model as the files of a shipped model (without a prior);
//! - [`error`]: every failure, with the panel's sentence.

pub mod architecture;
pub mod chunk;
pub mod data;
pub mod error;
pub mod evaluate;
pub mod export;
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests;

use burn::module::Module;
use burn::tensor::Device;
use vq_model::train::{VqVaeTrainer, batch_indices};
use vq_model::{VqVae, VqVaeConfig};
use web_time::Instant;

pub use chunk::ChunkSums;
pub use data::Data;
pub use error::TrainingError;

use crate::protocol::{
    Evaluation, FromTrainer, ToTrainer, TrainedFiles, TrainingProgress, TrainingSetup,
};

/// Chunks between two evaluations (the first and the last chunk of a run evaluate too).
pub const EVALUATE_EVERY: usize = 8;

/// A run: its knobs, the model's architecture and the trainer.
struct Run {
    setup: TrainingSetup,
    config: VqVaeConfig,
    trainer: VqVaeTrainer,
    /// Whether chunks run: false when paused, finished, or stopped by a fault.
    running: bool,
    /// Chunks run, for the evaluations' cadence.
    chunks: usize,
    /// The last evaluation's figures, for an export's manifest.
    figures: Option<export::Figures>,
    /// Seconds spent in chunks.
    seconds: f64,
}

/// The training worker's state and its answers; see the module's documentation.
pub struct TrainingSession {
    /// The device the runs train on (without autodiff; the trainer adds it).
    device: Device,
    /// The training data, once opened.
    data: Option<Data>,
    /// The run, once started.
    run: Option<Run>,
}

impl TrainingSession {
    /// A session on `device` with no data and no run.
    pub fn new(device: Device) -> Self {
        Self {
            device,
            data: None,
            run: None,
        }
    }

    /// Whether a run is under way: the worker calls [`TrainingSession::tick`] while it is.
    pub fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(|run| run.running)
    }

    /// Steps done by the run (0 without one).
    pub fn steps_done(&self) -> usize {
        self.run.as_ref().map_or(0, |run| run.trainer.steps_done())
    }

    /// The answer to `message`. Only [`ToTrainer::Evaluate`] computes; the others change
    /// the session's state and answer at once.
    pub async fn handle(&mut self, message: ToTrainer) -> FromTrainer {
        let answer = match message {
            ToTrainer::Open {
                manifest,
                train,
                test,
            } => self.open(&manifest, &train, &test),
            ToTrainer::Start { setup } => self.start(setup),
            ToTrainer::Pause => self.pause(),
            ToTrainer::Resume => self.resume(),
            ToTrainer::Reset => {
                self.run = None;
                Ok(FromTrainer::Reset)
            }
            ToTrainer::Evaluate => match self.evaluate().await {
                Ok(evaluation) => {
                    if let Some(run) = &mut self.run {
                        run.figures = Some(export::Figures::of(&evaluation));
                    }
                    Ok(FromTrainer::Evaluated(evaluation))
                }
                Err(err) => Err(err),
            },
            ToTrainer::Export { name } => self.export(&name).await.map(FromTrainer::Exported),
        };
        answer.unwrap_or_else(|err| {
            if err.is_fault() {
                FromTrainer::Failed(err.to_string())
            } else {
                FromTrainer::Refused(err.to_string())
            }
        })
    }

    /// A chunk of about `budget_ms` of steps when a run is under way, as the message for the
    /// panel ([`FromTrainer::Progress`], or [`FromTrainer::Failed`] when the device failed,
    /// which stops the run); `None` when no run is under way.
    pub async fn tick(&mut self, budget_ms: f64) -> Option<FromTrainer> {
        if !self.is_running() {
            return None;
        }
        Some(match self.run_chunk(budget_ms).await {
            Ok(progress) => FromTrainer::Progress(progress),
            Err(err) if err.is_fault() => FromTrainer::Failed(err.to_string()),
            Err(err) => FromTrainer::Refused(err.to_string()),
        })
    }

    /// Runs steps until `budget_ms` milliseconds have passed (at least one step, at most to
    /// the run's end), then evaluates when it is the time ([`EVALUATE_EVERY`]). The run
    /// stops after its last step, and on a fault of the device.
    ///
    /// # Errors
    /// [`TrainingError::NoRun`], [`TrainingError::Paused`], [`TrainingError::Finished`] when
    /// there is nothing to run; [`TrainingError::Device`] when the device fails.
    pub async fn run_chunk(&mut self, budget_ms: f64) -> Result<TrainingProgress, TrainingError> {
        let started = Instant::now();
        let Self { device, data, run } = self;
        let data = data.as_ref().ok_or(TrainingError::NoData)?;
        let run = run.as_mut().ok_or(TrainingError::NoRun)?;
        let steps = run.setup.steps;
        if !run.running {
            let done = run.trainer.steps_done();
            return Err(if done < steps {
                TrainingError::Paused(done)
            } else {
                TrainingError::Finished(steps)
            });
        }
        let mut sums = ChunkSums::default();
        while run.trainer.steps_done() < steps {
            let report = match step(&mut run.trainer, data, device).await {
                Ok(report) => report,
                Err(err) => {
                    run.running = false;
                    return Err(err);
                }
            };
            sums.add(&report);
            if millis(started) >= budget_ms {
                break;
            }
        }
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        run.seconds += seconds;
        let step = run.trainer.steps_done();
        let finished = step >= steps;
        run.chunks += 1;
        let evaluation = if finished || run.chunks % EVALUATE_EVERY == 1 {
            match evaluate_run(run, data, device).await {
                Ok(evaluation) => Some(evaluation),
                Err(err) => {
                    run.running = false;
                    return Err(err);
                }
            }
        } else {
            None
        };
        if let Some(evaluation) = &evaluation {
            run.figures = Some(export::Figures::of(evaluation));
        }
        if finished {
            run.running = false;
        }
        Ok(TrainingProgress {
            step,
            steps,
            chunk_steps: sums.steps,
            steps_per_second: sums.steps as f64 / seconds,
            images_per_second: sums.images as f64 / seconds,
            millis: millis(started),
            means: sums.means(),
            last: sums.last_figures(),
            revived: sums.revived,
            learning_rate: sums.last.map_or(0.0, |report| report.learning_rate),
            evaluation,
            finished,
        })
    }

    /// The model as it stands, evaluated on held-out images.
    ///
    /// # Errors
    /// [`TrainingError::NoData`], [`TrainingError::NoRun`]; [`TrainingError::Device`] when
    /// the device fails.
    pub async fn evaluate(&self) -> Result<Evaluation, TrainingError> {
        let data = self.data.as_ref().ok_or(TrainingError::NoData)?;
        let run = self.run.as_ref().ok_or(TrainingError::NoRun)?;
        evaluate_run(run, data, &self.device).await
    }

    /// The run's model as it stands, without autodiff, and its architecture: what "Use this
    /// model" hands to the lab and what a download writes.
    ///
    /// # Errors
    /// [`TrainingError::NoRun`].
    pub fn trained_model(&self) -> Result<(VqVae, VqVaeConfig), TrainingError> {
        let run = self.run.as_ref().ok_or(TrainingError::NoRun)?;
        Ok((run.trainer.model.valid(), run.config.clone()))
    }

    /// The run's model as it stands, as the files of a shipped model named `name` (without a
    /// prior): what "Use this model" hands to the lab and what a download bundles.
    ///
    /// # Errors
    /// [`TrainingError::NoData`], [`TrainingError::NoRun`], [`TrainingError::ExportName`];
    /// [`TrainingError::Device`] when reading the weights fails.
    pub async fn export(&self, name: &str) -> Result<TrainedFiles, TrainingError> {
        if !crate::protocol::is_folder_name(name) {
            return Err(TrainingError::ExportName(name.to_owned()));
        }
        let data = self.data.as_ref().ok_or(TrainingError::NoData)?;
        let run = self.run.as_ref().ok_or(TrainingError::NoRun)?;
        export::export(run, &data.summary(), name).await
    }

    fn open(
        &mut self,
        manifest: &str,
        train: &[u8],
        test: &[u8],
    ) -> Result<FromTrainer, TrainingError> {
        let data = Data::open(manifest, train, test)?;
        let summary = data.summary();
        self.data = Some(data);
        self.run = None;
        Ok(FromTrainer::Opened(summary))
    }

    fn start(&mut self, setup: TrainingSetup) -> Result<FromTrainer, TrainingError> {
        let data = self.data.as_ref().ok_or(TrainingError::NoData)?;
        setup.check_for_cells(data.grid_cells())?;
        let config = architecture::vqvae_config(&setup, 1);
        let options = architecture::train_options(&setup);
        let trainer = VqVaeTrainer::new(&config, options, &self.device);
        self.run = Some(Run {
            setup: setup.clone(),
            config,
            trainer,
            running: true,
            chunks: 0,
            figures: None,
            seconds: 0.0,
        });
        Ok(FromTrainer::Started { setup })
    }

    fn pause(&mut self) -> Result<FromTrainer, TrainingError> {
        let run = self.run.as_mut().ok_or(TrainingError::NoRun)?;
        run.running = false;
        Ok(FromTrainer::Paused {
            step: run.trainer.steps_done(),
        })
    }

    fn resume(&mut self) -> Result<FromTrainer, TrainingError> {
        let run = self.run.as_mut().ok_or(TrainingError::NoRun)?;
        let step = run.trainer.steps_done();
        if step >= run.setup.steps {
            return Err(TrainingError::Finished(run.setup.steps));
        }
        run.running = true;
        Ok(FromTrainer::Resumed { step })
    }
}

/// One training step on the next batch.
async fn step(
    trainer: &mut VqVaeTrainer,
    data: &Data,
    device: &Device,
) -> Result<vq_model::train::StepReport, TrainingError> {
    let indices = trainer.batch_indices(data.train.len());
    let x = data.train_batch(&indices, device)?; // [batch, 1, H, W]
    Ok(trainer.step_async(x).await?)
}

/// Evaluates the run's model; the map's cloud is the latest batch's (the first images of
/// the training set before the first step).
async fn evaluate_run(
    run: &Run,
    data: &Data,
    device: &Device,
) -> Result<Evaluation, TrainingError> {
    let step = run.trainer.steps_done();
    let options = run.trainer.options();
    let cloud = match step.checked_sub(1) {
        Some(last) => batch_indices(data.train.len(), options.batch_size, options.seed, last),
        None => (0..options.batch_size.min(data.train.len())).collect(),
    };
    let model = run.trainer.model.valid();
    evaluate::evaluate(&model, data, step, &cloud, device).await
}

/// Milliseconds since `started`.
fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
