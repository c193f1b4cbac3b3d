//! The training panel's state: the trainer's status, the knobs, the run under way and the one
//! before it (drawn on the same charts), changed by the training worker's messages
//! ([`FromTrainerWorker`]) and by the user. Plain Rust, tested natively.

use crate::protocol::{
    Backend, Evaluation, FromTrainer, FromTrainerWorker, Preset, ToTrainer, TrainingData,
    TrainingProgress, TrainingSetup,
};

/// Points kept per curve: when a curve has more, every other point is dropped, so that a long
/// run draws as fast as a short one.
pub const MAX_POINTS: usize = 400;

/// Where the trainer stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TrainerStatus {
    /// The panel is closed: no worker, nothing downloaded.
    #[default]
    Closed,
    /// The worker starts and chooses its device.
    Starting,
    /// The device is chosen; the training images are downloading.
    Downloading,
    /// The images are in; no run, or a run reset.
    Idle,
    /// A run is under way.
    Running,
    /// The run is paused after step `.0`.
    Paused(usize),
    /// The run did all its steps.
    Finished,
    /// The trainer cannot go on (its images could not be had, it crashed): the sentence.
    Failed(String),
}

/// `(x, y)` points of one curve, thinned to at most [`MAX_POINTS`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// The points, by increasing `x`.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// Adds a point; a value that is not finite is left out (a chart cannot draw it).
    pub fn push(&mut self, x: f64, y: f64) {
        if !(x.is_finite() && y.is_finite()) {
            return;
        }
        self.points.push((x, y));
        if self.points.len() > MAX_POINTS {
            let last = self.points.last().copied();
            let kept: Vec<_> = self.points.iter().copied().step_by(2).collect();
            self.points = kept;
            // The newest point stays, so that the curve ends where the run is.
            if let Some(last) = last
                && self.points.last() != Some(&last)
            {
                self.points.push(last);
            }
        }
    }

    /// The last point's value.
    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|&(_, y)| y)
    }
}

/// The curves of one run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curves {
    /// `‖x − x̂‖²` per chunk.
    pub reconstruction: Series,
    /// `‖sg[z_e] − e‖²` per chunk (minimised only by the codebook loss; with EMA it is shown
    /// but not trained on).
    pub codebook: Series,
    /// `β‖z_e − sg[e]‖²` per chunk.
    pub commitment: Series,
    /// Perplexity of each chunk's batches.
    pub perplexity: Series,
    /// Test PSNR at each evaluation, dB.
    pub test_psnr: Series,
    /// Codes used on the test images at each evaluation.
    pub codes_used: Series,
    /// Codes no test image chose at each evaluation.
    pub dead_codes: Series,
}

/// One run as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    /// Its knobs.
    pub setup: TrainingSetup,
    /// Its name in the legend (the preset's, or "your setup").
    pub label: String,
    /// Steps done.
    pub step: usize,
    /// The last chunk's speed, training images per second.
    pub images_per_second: f64,
    /// Codes revived so far.
    pub revived: usize,
    /// The curves.
    pub curves: Curves,
    /// The latest evaluation (tiles, reconstructions, usage, map).
    pub evaluation: Option<Evaluation>,
}

impl RunView {
    fn new(setup: TrainingSetup, label: String) -> Self {
        Self {
            setup,
            label,
            step: 0,
            images_per_second: 0.0,
            revived: 0,
            curves: Curves::default(),
            evaluation: None,
        }
    }

    fn add_progress(&mut self, progress: &TrainingProgress) {
        self.step = progress.step;
        self.images_per_second = progress.images_per_second;
        self.revived += progress.revived;
        let x = progress.step as f64;
        let means = &progress.means;
        let curves = &mut self.curves;
        curves
            .reconstruction
            .push(x, f64::from(means.reconstruction));
        curves.codebook.push(x, f64::from(means.codebook));
        curves.commitment.push(x, f64::from(means.commitment));
        curves.perplexity.push(x, means.perplexity);
        if let Some(evaluation) = &progress.evaluation {
            self.add_evaluation(evaluation.clone());
        }
    }

    fn add_evaluation(&mut self, evaluation: Evaluation) {
        let x = evaluation.step as f64;
        let curves = &mut self.curves;
        // An evaluation asked for when paused repeats the step of the last one.
        if curves.test_psnr.points.last().map(|&(step, _)| step) != Some(x) {
            curves.test_psnr.push(x, evaluation.test_psnr);
            curves.codes_used.push(x, evaluation.codes_used as f64);
            curves.dead_codes.push(x, evaluation.dead_codes as f64);
        }
        self.evaluation = Some(evaluation);
    }
}

/// Everything the training panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingState {
    /// Where the trainer stands.
    pub status: TrainerStatus,
    /// The backend the trainer chose.
    pub backend: Option<Backend>,
    /// What the training images hold, once opened.
    pub data: Option<TrainingData>,
    /// The knobs of the next run.
    pub setup: TrainingSetup,
    /// The preset the knobs come from, until one is changed by hand.
    pub preset: Option<Preset>,
    /// The run under way (or paused, or finished).
    pub run: Option<RunView>,
    /// The run before it, drawn beside it for comparison.
    pub previous: Option<RunView>,
    /// The last refusal or failure, as the trainer said it.
    pub error: Option<String>,
    /// The run's files are asked for, for this purpose; until they come, no other export.
    pub exporting: Option<ExportPurpose>,
    /// What became of the last export (sent to the lab, downloaded).
    pub notice: Option<String>,
}

/// Why the run's model is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportPurpose {
    /// Added to the lab, which loads it.
    Use,
    /// Downloaded as one `.vqlab.tar` file.
    Download,
}

/// The name the trained model's files carry (the lab renames it if the name is taken).
pub const TRAINED_MODEL_NAME: &str = "trained";

impl Default for TrainingState {
    fn default() -> Self {
        Self {
            status: TrainerStatus::Closed,
            backend: None,
            data: None,
            setup: Preset::PaperRecipe.setup(),
            preset: Some(Preset::PaperRecipe),
            run: None,
            previous: None,
            error: None,
            exporting: None,
            notice: None,
        }
    }
}

impl TrainingState {
    /// The panel opens: the worker is being started.
    pub fn opening(&mut self) {
        self.status = TrainerStatus::Starting;
        self.error = None;
    }

    /// Whether the run's model can be exported now: a run has taken a step, the trainer
    /// runs, and no export is on its way.
    pub fn can_export(&self) -> bool {
        self.exporting.is_none()
            && self.run.as_ref().is_some_and(|run| run.step > 0)
            && matches!(
                self.status,
                TrainerStatus::Running | TrainerStatus::Paused(_) | TrainerStatus::Finished
            )
    }

    /// Asks for the run's model, for `purpose`; nothing when it cannot be exported now.
    pub fn export(&mut self, purpose: ExportPurpose) -> Option<ToTrainer> {
        if !self.can_export() {
            return None;
        }
        self.exporting = Some(purpose);
        self.notice = None;
        Some(ToTrainer::Export {
            name: TRAINED_MODEL_NAME.to_owned(),
        })
    }

    /// The files came: what they were asked for (taken, so the next export may go).
    pub fn exported(&mut self) -> Option<ExportPurpose> {
        let purpose = self.exporting.take()?;
        let step = self.run.as_ref().map_or(0, |run| run.step);
        self.notice = Some(match purpose {
            ExportPurpose::Use => format!(
                "The model after step {step} is added to the lab above, which loads it: \
                 upload an image or repaint the codes to try it."
            ),
            ExportPurpose::Download => format!(
                "The model after step {step} is downloaded; load it later with \
                 \"Load a trained model\"."
            ),
        });
        Some(purpose)
    }

    /// Takes a preset's knobs.
    pub fn choose_preset(&mut self, preset: Preset) {
        self.setup = preset.setup();
        self.preset = Some(preset);
    }

    /// Changes the knobs by hand.
    pub fn edit_setup(&mut self, change: impl FnOnce(&mut TrainingSetup)) {
        change(&mut self.setup);
        self.preset = Preset::ALL
            .into_iter()
            .find(|preset| preset.setup() == self.setup);
    }

    /// Whether the trainer can take a new run (images in, not starting).
    pub fn can_start(&self) -> bool {
        self.data.is_some()
            && matches!(
                self.status,
                TrainerStatus::Idle
                    | TrainerStatus::Running
                    | TrainerStatus::Paused(_)
                    | TrainerStatus::Finished
            )
    }

    /// The request that starts a run of the knobs, or the sentence saying which knob is out
    /// of range (nothing is sent then).
    pub fn start(&mut self) -> Result<ToTrainer, String> {
        let cells = self
            .data
            .as_ref()
            .map_or(crate::protocol::TRAINING_GRID_CELLS, |data| {
                (data.size.0 / 4) * (data.size.1 / 4)
            });
        if let Err(err) = self.setup.check_for_cells(cells) {
            self.error = Some(err.to_string());
            return Err(err.to_string());
        }
        self.error = None;
        Ok(ToTrainer::Start {
            setup: self.setup.clone(),
        })
    }

    /// The label of a run of `setup`.
    fn label_of(&self, setup: &TrainingSetup) -> String {
        let same_but_steps = |preset: &Preset| {
            TrainingSetup {
                steps: setup.steps,
                ..preset.setup()
            } == *setup
        };
        match Preset::ALL.into_iter().find(same_but_steps) {
            Some(preset) if preset.setup().steps == setup.steps => preset.label().to_owned(),
            Some(preset) => format!("{}, {} steps", preset.label(), setup.steps),
            None => "Your setup".to_owned(),
        }
    }

    /// Routes a message of the training worker.
    pub fn on_message(&mut self, message: FromTrainerWorker) {
        match message {
            FromTrainerWorker::Started => {}
            FromTrainerWorker::Ready { backend, .. } => {
                self.backend = Some(backend);
                self.status = TrainerStatus::Downloading;
            }
            FromTrainerWorker::Session(message) => self.on_session(message),
            FromTrainerWorker::Panicked { message } => self.crashed(&message),
        }
    }

    /// The worker ended (a panic, an error event): the sentence says so; the runs drawn stay.
    pub fn crashed(&mut self, reason: &str) {
        self.exporting = None;
        self.status = TrainerStatus::Failed(format!(
            "The trainer stopped ({reason}). Open the training panel again to start a new one; \
             the charts of your runs are kept."
        ));
    }

    fn on_session(&mut self, message: FromTrainer) {
        match message {
            FromTrainer::Opened(data) => {
                self.data = Some(data);
                self.status = TrainerStatus::Idle;
            }
            FromTrainer::Started { setup } => {
                let label = self.label_of(&setup);
                if let Some(run) = self.run.take()
                    && run.step > 0
                {
                    self.previous = Some(run);
                }
                self.run = Some(RunView::new(setup, label));
                self.status = TrainerStatus::Running;
                self.error = None;
                // What became of the last run's model is no news about this one.
                self.notice = None;
            }
            FromTrainer::Progress(progress) => {
                if let Some(run) = &mut self.run {
                    run.add_progress(&progress);
                }
                if progress.finished {
                    self.status = TrainerStatus::Finished;
                }
            }
            FromTrainer::Paused { step } => self.status = TrainerStatus::Paused(step),
            FromTrainer::Resumed { .. } => self.status = TrainerStatus::Running,
            FromTrainer::Reset => {
                if let Some(run) = self.run.take()
                    && run.step > 0
                {
                    self.previous = Some(run);
                }
                self.status = TrainerStatus::Idle;
            }
            FromTrainer::Evaluated(evaluation) => {
                if let Some(run) = &mut self.run {
                    run.add_evaluation(evaluation);
                }
            }
            FromTrainer::Refused(sentence) => {
                self.exporting = None;
                if self.data.is_none() {
                    self.status = TrainerStatus::Failed(sentence.clone());
                }
                self.error = Some(sentence);
            }
            FromTrainer::Failed(sentence) => {
                self.exporting = None;
                if let Some(run) = &self.run {
                    self.status = TrainerStatus::Paused(run.step);
                }
                self.error = Some(sentence);
            }
            // The panel takes the files (`exported`) before this: they go to the lab
            // (`LabState::add_trained`) or to a download, and nothing of them is kept here.
            FromTrainer::Exported(_) => {
                self.exported();
            }
        }
    }

    /// The status line: what runs, how far, how fast.
    pub fn status_line(&self) -> String {
        let backend = self
            .backend
            .map(|backend| format!(" on the {} backend", backend.label()))
            .unwrap_or_default();
        let run = self.run.as_ref();
        let progress = |run: &RunView| {
            format!(
                "step {} of {} · {:.0} images/s",
                run.step, run.setup.steps, run.images_per_second
            )
        };
        match &self.status {
            TrainerStatus::Closed => String::new(),
            TrainerStatus::Starting => "Starting the trainer and choosing its device…".into(),
            TrainerStatus::Downloading => format!("Downloading the training images{backend}…"),
            TrainerStatus::Idle => match &self.data {
                Some(data) => format!(
                    "Ready{backend}: {} training images, {} test images of {}×{}. Choose a \
                     preset or the knobs, then Start.",
                    data.train, data.test, data.size.0, data.size.1
                ),
                None => format!("Ready{backend}."),
            },
            TrainerStatus::Running => run.map_or_else(String::new, |run| {
                format!("Training{backend}: {}", progress(run))
            }),
            TrainerStatus::Paused(step) => format!("Paused after step {step}{backend}."),
            TrainerStatus::Finished => run.map_or_else(String::new, |run| {
                format!("Finished{backend}: {}", progress(run))
            }),
            TrainerStatus::Failed(sentence) => sentence.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{StepMeans, TrainingMap};

    fn data() -> TrainingData {
        TrainingData {
            train: 3000,
            test: 500,
            classes: 10,
            size: (28, 28),
            showcase: vec![0; 8 * 784],
            showcase_classes: (0..8).collect(),
            evaluated: 200,
        }
    }

    fn means(loss: f32) -> StepMeans {
        StepMeans {
            reconstruction: loss,
            codebook: loss / 2.0,
            commitment: loss / 8.0,
            total: loss * 1.625,
            perplexity: 20.0,
            codes_used: 30.0,
        }
    }

    fn evaluation(step: usize, psnr: f64) -> Evaluation {
        Evaluation {
            step,
            test_psnr: psnr,
            usage: vec![1; 128],
            codes_used: 100,
            dead_codes: 28,
            perplexity: 60.0,
            size: (28, 28),
            reconstructions: vec![0; 8 * 784],
            tile: 8,
            tiles: vec![0; 128 * 64],
            map: TrainingMap {
                codes: vec![0.0; 256],
                cloud: vec![0.0; 20],
                explained: [0.3, 0.2],
            },
            millis: 100.0,
        }
    }

    fn progress(step: usize, loss: f32, evaluated: Option<f64>) -> FromTrainerWorker {
        FromTrainerWorker::Session(FromTrainer::Progress(TrainingProgress {
            step,
            steps: 1500,
            chunk_steps: 3,
            steps_per_second: 10.0,
            images_per_second: 320.0,
            millis: 300.0,
            means: means(loss),
            last: means(loss),
            revived: 1,
            learning_rate: 1e-3,
            evaluation: evaluated.map(|psnr| evaluation(step, psnr)),
            finished: step >= 1500,
        }))
    }

    fn opened() -> TrainingState {
        let mut state = TrainingState::default();
        state.opening();
        state.on_message(FromTrainerWorker::Ready {
            backend: Backend::Cpu,
            reason: "no adapter".into(),
        });
        assert_eq!(state.status, TrainerStatus::Downloading);
        state.on_message(FromTrainerWorker::Session(FromTrainer::Opened(data())));
        state
    }

    fn started(state: &mut TrainingState) {
        let ToTrainer::Start { setup } = state.start().expect("the preset is in range") else {
            panic!("start sends Start");
        };
        state.on_message(FromTrainerWorker::Session(FromTrainer::Started { setup }));
    }

    #[test]
    fn a_run_draws_its_curves_and_says_how_fast() {
        let mut state = opened();
        assert!(state.can_start());
        started(&mut state);
        assert_eq!(state.status, TrainerStatus::Running);
        state.on_message(progress(3, 0.05, Some(14.0)));
        state.on_message(progress(6, 0.03, None));
        let run = state.run.as_ref().expect("a run");
        assert_eq!(run.label, "The paper's recipe");
        assert_eq!(
            run.curves.reconstruction.points,
            vec![(3.0, 0.05f32 as f64), (6.0, 0.03f32 as f64)]
        );
        assert_eq!(run.curves.test_psnr.points, vec![(3.0, 14.0)]);
        assert_eq!(run.revived, 2);
        assert!(
            state
                .status_line()
                .contains("step 6 of 1500 · 320 images/s"),
            "{}",
            state.status_line()
        );
    }

    #[test]
    fn the_model_is_exported_once_at_a_time_after_a_step() {
        let mut state = opened();
        started(&mut state);
        assert!(
            !state.can_export(),
            "a run that took no step has no model to give"
        );
        assert_eq!(state.export(ExportPurpose::Use), None);
        state.on_message(progress(3, 0.05, None));
        assert_eq!(
            state.export(ExportPurpose::Use),
            Some(ToTrainer::Export {
                name: TRAINED_MODEL_NAME.into()
            })
        );
        assert_eq!(
            state.export(ExportPurpose::Download),
            None,
            "one export at a time"
        );
        assert_eq!(state.exported(), Some(ExportPurpose::Use));
        assert!(
            state
                .notice
                .as_deref()
                .is_some_and(|notice| notice.contains("step 3") && notice.contains("lab")),
            "{:?}",
            state.notice
        );
        // A refusal frees the button too.
        assert!(state.export(ExportPurpose::Download).is_some());
        state.on_message(FromTrainerWorker::Session(FromTrainer::Refused(
            "no".into(),
        )));
        assert!(state.can_export());
    }

    #[test]
    fn a_run_is_named_by_its_preset_with_its_steps_when_only_they_changed() {
        let mut state = opened();
        state.choose_preset(Preset::Collapse);
        state.edit_setup(|setup| setup.steps = 80);
        started(&mut state);
        assert_eq!(
            state.run.as_ref().map(|run| run.label.as_str()),
            Some("Collapse, 80 steps")
        );
        state.edit_setup(|setup| setup.commitment_cost = 0.5);
        started(&mut state);
        assert_eq!(
            state.run.as_ref().map(|run| run.label.as_str()),
            Some("Your setup")
        );
    }

    #[test]
    fn a_new_run_keeps_the_last_one_for_comparison() {
        let mut state = opened();
        started(&mut state);
        state.on_message(progress(3, 0.05, Some(14.0)));
        state.choose_preset(Preset::Collapse);
        started(&mut state);
        assert_eq!(
            state.previous.as_ref().map(|run| run.label.as_str()),
            Some("The paper's recipe")
        );
        assert_eq!(
            state.run.as_ref().map(|run| run.label.as_str()),
            Some("Collapse")
        );
        assert_eq!(state.run.as_ref().map(|run| run.step), Some(0));
    }

    #[test]
    fn knobs_out_of_range_are_a_sentence_and_send_nothing() {
        let mut state = opened();
        state.edit_setup(|setup| setup.codebook_size = 4);
        assert_eq!(state.preset, None);
        let sentence = state.start().expect_err("K = 4 is out of range");
        assert!(sentence.contains("16"), "{sentence}");
        assert_eq!(state.error.as_deref(), Some(sentence.as_str()));
        state.edit_setup(|setup| setup.codebook_size = 128);
        assert_eq!(state.preset, Some(Preset::PaperRecipe));
    }

    #[test]
    fn pause_resume_and_finish_follow_the_trainer() {
        let mut state = opened();
        started(&mut state);
        state.on_message(FromTrainerWorker::Session(FromTrainer::Paused { step: 40 }));
        assert_eq!(state.status, TrainerStatus::Paused(40));
        assert!(state.status_line().contains("Paused after step 40"));
        state.on_message(FromTrainerWorker::Session(FromTrainer::Resumed {
            step: 40,
        }));
        assert_eq!(state.status, TrainerStatus::Running);
        state.on_message(progress(1500, 0.01, Some(21.0)));
        assert_eq!(state.status, TrainerStatus::Finished);
    }

    #[test]
    fn images_that_cannot_be_had_and_a_crash_are_sentences() {
        let mut state = TrainingState::default();
        state.opening();
        state.on_message(FromTrainerWorker::Session(FromTrainer::Refused(
            "The training images could not be downloaded (offline).".into(),
        )));
        assert!(matches!(&state.status, TrainerStatus::Failed(s) if s.contains("offline")));
        let mut state = opened();
        started(&mut state);
        state.on_message(progress(3, 0.05, Some(14.0)));
        state.on_message(FromTrainerWorker::Panicked {
            message: "out of memory".into(),
        });
        assert!(state.status_line().contains("out of memory"));
        assert_eq!(
            state.run.as_ref().map(|run| run.step),
            Some(3),
            "the charts stay"
        );
    }

    #[test]
    fn a_long_run_is_thinned_but_ends_at_its_last_point() {
        let mut series = Series::default();
        for step in 1..=1000 {
            series.push(step as f64, 1.0 / step as f64);
        }
        series.push(1001.0, f64::NAN);
        assert!(series.points.len() <= MAX_POINTS);
        assert!(series.points.len() >= MAX_POINTS / 2);
        assert_eq!(series.points.last(), Some(&(1000.0, 1.0 / 1000.0)));
        assert!(series.points.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn an_evaluation_when_paused_does_not_repeat_a_point() {
        let mut state = opened();
        started(&mut state);
        state.on_message(progress(8, 0.05, Some(15.0)));
        state.on_message(FromTrainerWorker::Session(FromTrainer::Evaluated(
            evaluation(8, 15.0),
        )));
        let run = state.run.as_ref().expect("a run");
        assert_eq!(run.curves.test_psnr.points.len(), 1);
        assert!(run.evaluation.is_some());
    }
}
