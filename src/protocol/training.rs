//! Training a VQ-VAE in the page: the knobs of a run ([`TrainingSetup`], [`Preset`]), the
//! messages between the training panel and the training worker ([`ToTrainer`],
//! [`FromTrainer`]), and what the panel draws ([`TrainingProgress`], [`Evaluation`]).
//!
//! Data only, like the rest of the protocol: the worker's side is `crate::engine::training`.

use serde::{Deserialize, Serialize};

/// How the codebook learns (van den Oord et al. 2017).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodebookUpdate {
    /// By its loss term `‖sg[z_e] − e‖²` and Adam (section 3.2).
    Loss,
    /// By exponential moving averages of the encoder outputs assigned to each code, decay
    /// 0.99 (appendix A.1); the codebook term is then shown but not minimised.
    Ema,
}

/// Where the codebook starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Initialisation {
    /// Uniform in `±1/K`, as the model is built (the paper's reference implementation): a
    /// tiny ball at 0, where the codes facing the encoder's outputs win and the others wait.
    Random,
    /// A standard normal `N(0, 1)` in each of the `D` dimensions, as PyTorch's
    /// `nn.Embedding` starts: codes of length about `√D`, far from the encoder's first
    /// outputs, so that the few shortest win every cell and the rest are never chosen.
    Normal,
    /// k-means (10 Lloyd iterations) on the encoder outputs `z_e` of the first batch.
    KMeans,
}

/// Cells of one training image's grid: the shipped training set's 28×28 images give 7×7
/// grids (the encoder downsamples by 4).
pub const TRAINING_GRID_CELLS: usize = 7 * 7;

/// The knobs of a training run. Everything else of the architecture (hidden and residual
/// channels, residual blocks) is the shipped fashion model's (`assets/models/fashion/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSetup {
    /// `K`, the number of codes: 16 to 512.
    pub codebook_size: usize,
    /// `D`, the dimension of each code: 2 to 64.
    pub embedding_dim: usize,
    /// β of the commitment term `β‖z_e − sg[e]‖²`: 0 to 2 (the paper's 0.25; it reports the
    /// results robust from 0.1 to 2).
    pub commitment_cost: f64,
    /// How the codebook learns.
    pub codebook_update: CodebookUpdate,
    /// Where the codebook starts.
    pub initialisation: Initialisation,
    /// Revive a code that no cell of a batch chose for this many steps in a row, onto an
    /// encoder output of the batch (1 to 10 000); `None`: dead codes stay dead.
    pub revive_after: Option<usize>,
    /// Adam's learning rate, constant over the run: 1e-5 to 1e-2.
    pub learning_rate: f64,
    /// Images per step: 1 to 256 (with k-means, enough for `batch_size × 49 ≥ K` cells).
    pub batch_size: usize,
    /// Steps of the run: 1 to 100 000.
    pub steps: usize,
    /// Seed of the initial weights, the k-means start, the batches and the revivals: the same
    /// setup on the same backend trains the same model.
    pub seed: u64,
}

/// The runs the panel offers in one click, each a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    /// The recipe of the paper's section 3: the codebook learned by its loss, β = 0.25, Adam,
    /// a randomly initialised codebook, no revival.
    PaperRecipe,
    /// What goes wrong without care: a large codebook (K = 512, D = 64) started at random,
    /// from a standard normal (PyTorch's `nn.Embedding` default), and learned by its loss,
    /// without revival. Few codes are ever the nearest to an encoder output; the others never
    /// move, and the codebook collapses to a handful of codes.
    Collapse,
    /// The shipped models' recipe: EMA codebook (appendix A.1), k-means initialisation on the
    /// first batch, dead codes revived onto encoder outputs.
    EmaKmeansRevival,
}

impl Preset {
    /// Every preset, in the panel's order.
    pub const ALL: [Self; 3] = [Self::PaperRecipe, Self::Collapse, Self::EmaKmeansRevival];

    /// The preset's name on the page.
    pub fn label(self) -> &'static str {
        match self {
            Self::PaperRecipe => "The paper's recipe",
            Self::Collapse => "Collapse",
            Self::EmaKmeansRevival => "EMA + k-means + revival",
        }
    }

    /// The knobs of the preset.
    ///
    /// Common to all: β = 0.25 (the paper's), Adam at 1e-3, batches of 32, 1500 steps
    /// (48 000 images), seed 1. The paper trains with Adam at 2e-4 for 250 000 steps of 128
    /// images; a run of minutes in a page needs the larger rate (measured natively on the
    /// recipe: 18.0 dB of test PSNR after 1500 steps at 2e-4, 21.2 dB at 1e-3), which is
    /// also the shipped models'.
    ///
    /// - [`Preset::PaperRecipe`]: the fashion model's codebook (`K = 128`, `D = 16`), learned
    ///   by its loss from a random start, no revival (measured: 21.2 dB, perplexity 37 and
    ///   60 codes used on the test images after 1500 steps).
    /// - [`Preset::Collapse`]: the paper's ImageNet codebook (`K = 512`, `D = 64`) started
    ///   from a standard normal ([`Initialisation::Normal`]), learned by its loss, no revival:
    ///   all but a handful of codes are never chosen (measured in the page: perplexity 1.9
    ///   and 2 codes used after 1500 steps, against 33.1 and 57 for the recipe; from the
    ///   recipe's uniform start in `±1/K` instead it kept 20 codes, perplexity 15.0).
    /// - [`Preset::EmaKmeansRevival`]: the fashion model's codebook, EMA, k-means, revival
    ///   after 50 idle steps (the shipped models revive after 300 steps of 64 images, in a
    ///   run of 8000 steps; here the codebook, collapsed after the first steps, is seen to
    ///   recover within the run's first minute). Measured: 21.9 dB, perplexity 99, every
    ///   code used after 1500 steps.
    pub fn setup(self) -> TrainingSetup {
        let recipe = TrainingSetup {
            codebook_size: 128,
            embedding_dim: 16,
            commitment_cost: 0.25,
            codebook_update: CodebookUpdate::Loss,
            initialisation: Initialisation::Random,
            revive_after: None,
            learning_rate: 1e-3,
            batch_size: 32,
            steps: 1500,
            seed: 1,
        };
        match self {
            Self::PaperRecipe => recipe,
            Self::Collapse => TrainingSetup {
                codebook_size: 512,
                embedding_dim: 64,
                initialisation: Initialisation::Normal,
                ..recipe
            },
            Self::EmaKmeansRevival => TrainingSetup {
                codebook_update: CodebookUpdate::Ema,
                initialisation: Initialisation::KMeans,
                revive_after: Some(50),
                ..recipe
            },
        }
    }
}

/// A knob out of its range; the sentence says which and what it may be.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SetupError {
    /// A number outside its range.
    #[error("{knob} must be {range}; it is {value}.")]
    OutOfRange {
        /// The knob, in words.
        knob: &'static str,
        /// Its value, as written.
        value: String,
        /// What it may be, in words.
        range: &'static str,
    },
    /// k-means needs at least one encoder output per code in the first batch.
    #[error(
        "k-means starts the {codes} codes from the first batch's {cells} encoder outputs ({batch} images of {per_image} cells), fewer than the codes: take batches of at least {least} images, fewer codes, or a random start."
    )]
    KMeansBatch {
        /// `K`.
        codes: usize,
        /// Cells of the first batch.
        cells: usize,
        /// Images per batch.
        batch: usize,
        /// Cells per image.
        per_image: usize,
        /// The least batch that has enough cells.
        least: usize,
    },
}

impl TrainingSetup {
    /// Checks every knob against its range, for the shipped training set's 7×7 grids.
    ///
    /// # Errors
    /// The first knob out of its range, as a sentence.
    pub fn check(&self) -> Result<(), SetupError> {
        self.check_for_cells(TRAINING_GRID_CELLS)
    }

    /// [`TrainingSetup::check`] for images of `per_image` cells each.
    ///
    /// # Errors
    /// The first knob out of its range, as a sentence.
    pub fn check_for_cells(&self, per_image: usize) -> Result<(), SetupError> {
        let whole = |knob, value: usize, min, max, range| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(SetupError::OutOfRange {
                    knob,
                    value: value.to_string(),
                    range,
                })
            }
        };
        let real = |knob, value: f64, min, max, range| {
            // NaN fails `contains` too.
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(SetupError::OutOfRange {
                    knob,
                    value: value.to_string(),
                    range,
                })
            }
        };
        whole(
            "The number of codes K",
            self.codebook_size,
            16,
            512,
            "from 16 to 512",
        )?;
        whole(
            "The dimension D of each code",
            self.embedding_dim,
            2,
            64,
            "from 2 to 64",
        )?;
        real(
            "The commitment cost β",
            self.commitment_cost,
            0.0,
            2.0,
            "from 0 to 2 (the paper's 0.25)",
        )?;
        if let Some(patience) = self.revive_after {
            whole(
                "The steps before a dead code is revived",
                patience,
                1,
                10_000,
                "from 1 to 10 000",
            )?;
        }
        real(
            "The learning rate",
            self.learning_rate,
            1e-5,
            1e-2,
            "from 0.00001 to 0.01",
        )?;
        whole(
            "The batch size",
            self.batch_size,
            1,
            256,
            "from 1 to 256 images",
        )?;
        whole(
            "The number of steps",
            self.steps,
            1,
            100_000,
            "from 1 to 100 000",
        )?;
        let cells = self.batch_size.saturating_mul(per_image);
        if self.initialisation == Initialisation::KMeans && cells < self.codebook_size {
            return Err(SetupError::KMeansBatch {
                codes: self.codebook_size,
                cells,
                batch: self.batch_size,
                per_image,
                least: self.codebook_size.div_ceil(per_image.max(1)),
            });
        }
        Ok(())
    }
}

/// Messages from the training panel to the training worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToTrainer {
    /// Take the training data (the files of `training/fashion/`, fetched by the worker when
    /// the panel opens): checked against the manifest's hashes, then parsed. Answers
    /// [`FromTrainer::Opened`]; a run under way is forgotten.
    Open {
        /// `manifest.json`.
        manifest: String,
        /// `train.bin`.
        #[serde(with = "serde_bytes")]
        train: Vec<u8>,
        /// `test.bin`.
        #[serde(with = "serde_bytes")]
        test: Vec<u8>,
    },
    /// Start a fresh run of `setup` (forgetting any other) and run it; answers
    /// [`FromTrainer::Started`], then [`FromTrainer::Progress`] after each chunk of steps.
    Start {
        /// The knobs.
        setup: TrainingSetup,
    },
    /// Stop running after the chunk under way; answers [`FromTrainer::Paused`].
    Pause,
    /// Run on from the next step; answers [`FromTrainer::Resumed`].
    Resume,
    /// Forget the run (the data stays); answers [`FromTrainer::Reset`].
    Reset,
    /// Evaluate the model as it stands (e.g. when paused); answers
    /// [`FromTrainer::Evaluated`].
    Evaluate,
    /// The run's model as it stands, in the shipped models' format (in memory); answers
    /// [`FromTrainer::Exported`]. `name` is the model's name in its files (a plain folder
    /// name; the lab may give it another if that one is taken).
    Export {
        /// The model's name.
        name: String,
    },
}

/// Messages from the training worker to the training panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromTrainer {
    /// The training data is checked and parsed.
    Opened(TrainingData),
    /// A run started.
    Started {
        /// Its knobs.
        setup: TrainingSetup,
    },
    /// A chunk of steps ran.
    Progress(TrainingProgress),
    /// The run stopped after step `step`; [`ToTrainer::Resume`] goes on at `step + 1`.
    Paused {
        /// Steps done.
        step: usize,
    },
    /// The run goes on from step `step + 1`.
    Resumed {
        /// Steps done.
        step: usize,
    },
    /// The run is forgotten.
    Reset,
    /// The model as it stands, evaluated.
    Evaluated(Evaluation),
    /// The model as it stands, as files ([`ToTrainer::Export`]).
    Exported(TrainedFiles),
    /// A request refused (no data yet, a knob out of range, nothing to pause): the sentence
    /// for the panel. Nothing changed.
    Refused(String),
    /// The run stopped on a fault of the device: the sentence for the panel. The run is
    /// paused; reset or start again.
    Failed(String),
}

/// A VQ-VAE trained in the page, as the files of a shipped model (without a prior):
/// `manifest.json` (hashes, sizes, the knobs, the step, the last evaluation), `config.json`
/// and `vqvae.bpk` (burnpack, f16). What "Use this model" hands to the lab
/// ([`super::ToEngine::AddModel`]) and what a download bundles ([`super::bundle`]).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedFiles {
    /// The model's name (its manifest's and config's).
    pub name: String,
    /// `manifest.json`.
    pub manifest: String,
    /// `config.json`.
    pub config: String,
    /// `vqvae.bpk`.
    #[serde(with = "serde_bytes")]
    pub vqvae: Vec<u8>,
}

impl std::fmt::Debug for TrainedFiles {
    /// The weights' size, not their bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainedFiles")
            .field("name", &self.name)
            .field("manifest", &self.manifest.len())
            .field("config", &self.config.len())
            .field("vqvae", &self.vqvae.len())
            .finish()
    }
}

/// What the training data holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingData {
    /// Training images.
    pub train: usize,
    /// Held-out images.
    pub test: usize,
    /// Classes.
    pub classes: usize,
    /// Pixels of each image, `(width, height)`.
    pub size: (usize, usize),
    /// The held-out images of every [`Evaluation`]'s reconstructions (one of each of 8
    /// classes): their grey levels, `width × height` bytes each, one after the other, as the
    /// data stores them (0 is the background).
    #[serde(with = "serde_bytes")]
    pub showcase: Vec<u8>,
    /// The class of each showcase image.
    pub showcase_classes: Vec<u8>,
    /// Held-out images each evaluation measures (the first of the test set).
    pub evaluated: usize,
}

/// The means over a chunk's steps of what each step reports (`vq_model::train::StepReport`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepMeans {
    /// `‖x − x̂‖²`, mean over pixels (model space, pixels in `[−0.5, 0.5]`).
    pub reconstruction: f32,
    /// `‖sg[z_e] − e‖²`, mean over cells and `D` (minimised only by the codebook loss).
    pub codebook: f32,
    /// `β‖z_e − sg[e]‖²`.
    pub commitment: f32,
    /// The loss minimised.
    pub total: f32,
    /// Perplexity of each batch's codes.
    pub perplexity: f64,
    /// Distinct codes in each batch.
    pub codes_used: f64,
}

/// One chunk of steps: how fast, the loss terms, and now and then an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingProgress {
    /// Steps done, the chunk's included.
    pub step: usize,
    /// Steps of the run.
    pub steps: usize,
    /// Steps in this chunk.
    pub chunk_steps: usize,
    /// Steps per second over the chunk's steps (evaluation excluded).
    pub steps_per_second: f64,
    /// Training images per second over the chunk's steps (evaluation excluded).
    pub images_per_second: f64,
    /// Wall time of the chunk, evaluation included, in milliseconds.
    pub millis: f64,
    /// The means over the chunk's steps.
    pub means: StepMeans,
    /// The figures of the chunk's last step, for the curves' last point.
    pub last: StepMeans,
    /// Codes revived in the chunk.
    pub revived: usize,
    /// Adam's learning rate in the last step.
    pub learning_rate: f64,
    /// Every few chunks, and at the run's last: the model on held-out images.
    pub evaluation: Option<Evaluation>,
    /// Whether the run has done all its steps (it stops; the model is ready to use).
    pub finished: bool,
}

/// The model as it stands, on the first [`TrainingData::evaluated`] held-out images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Steps done.
    pub step: usize,
    /// Mean over the images of each image's PSNR, in dB (`x̂` clipped to the pixels' range):
    /// the shipped models' manifests measure it so.
    pub test_psnr: f64,
    /// How often each code was the nearest over the evaluated cells, `[K]`.
    #[serde(with = "crate::packed")]
    pub usage: Vec<u32>,
    /// Codes used at least once over the evaluated cells.
    pub codes_used: usize,
    /// Codes no evaluated cell chose: `K − codes_used`.
    pub dead_codes: usize,
    /// Perplexity of the usage: `exp` of its entropy (`K` at most, when every code is used
    /// equally).
    pub perplexity: f64,
    /// Side of each reconstruction, in pixels.
    pub size: (usize, usize),
    /// `x̂` of the showcase images ([`TrainingData::showcase`]): grey levels, one image after
    /// the other.
    #[serde(with = "serde_bytes")]
    pub reconstructions: Vec<u8>,
    /// Side of each codebook tile, in pixels.
    pub tile: usize,
    /// Every code decoded alone (a 2×2 grid of it): `K` tiles of grey levels, one after the
    /// other.
    #[serde(with = "serde_bytes")]
    pub tiles: Vec<u8>,
    /// The codebook and a batch's encoder outputs on the codebook's two principal axes.
    pub map: TrainingMap,
    /// Wall time of the evaluation, in milliseconds.
    pub millis: f64,
}

/// The codebook drawn in 2-D along its two principal components (dot size: [`Evaluation::usage`])
/// with the encoder outputs `z_e` of the latest batch's first images on the same axes: where
/// the codebook sits against what it must quantise, so that collapse (a few codes among the
/// cloud, the rest in a clump aside) and revival (codes jumping into the cloud) show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMap {
    /// `x, y` of every code, by code (`2K` numbers).
    #[serde(with = "crate::packed")]
    pub codes: Vec<f32>,
    /// `x, y` of each cell's `z_e` (`2 × cells` numbers, a few hundred cells).
    #[serde(with = "crate::packed")]
    pub cloud: Vec<f32>,
    /// The share of the codebook's variance along each axis (0 to 1).
    pub explained: [f64; 2],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_passes_its_checks() {
        for preset in Preset::ALL {
            assert_eq!(preset.setup().check(), Ok(()), "{}", preset.label());
        }
    }

    #[test]
    fn knobs_out_of_range_are_refused_with_sentences() {
        let recipe = Preset::PaperRecipe.setup();
        let refused = |setup: TrainingSetup| match setup.check() {
            Ok(()) => panic!("{setup:?} passed"),
            Err(err) => err.to_string(),
        };
        let k = refused(TrainingSetup {
            codebook_size: 1024,
            ..recipe.clone()
        });
        assert_eq!(
            k,
            "The number of codes K must be from 16 to 512; it is 1024."
        );
        let small = refused(TrainingSetup {
            codebook_size: 8,
            ..recipe.clone()
        });
        assert!(small.contains("it is 8"), "{small}");
        let beta = refused(TrainingSetup {
            commitment_cost: -0.5,
            ..recipe.clone()
        });
        assert!(beta.starts_with("The commitment cost β must be"), "{beta}");
        let nan = refused(TrainingSetup {
            learning_rate: f64::NAN,
            ..recipe.clone()
        });
        assert!(
            nan.contains("learning rate") && nan.contains("NaN"),
            "{nan}"
        );
        for setup in [
            TrainingSetup {
                embedding_dim: 1,
                ..recipe.clone()
            },
            TrainingSetup {
                batch_size: 0,
                ..recipe.clone()
            },
            TrainingSetup {
                steps: 0,
                ..recipe.clone()
            },
            TrainingSetup {
                revive_after: Some(0),
                ..recipe.clone()
            },
            TrainingSetup {
                learning_rate: 0.5,
                ..recipe.clone()
            },
        ] {
            let sentence = refused(setup);
            assert!(sentence.ends_with('.'), "{sentence}");
        }
    }

    #[test]
    fn k_means_needs_a_cell_per_code_in_the_first_batch() {
        let setup = TrainingSetup {
            codebook_size: 512,
            batch_size: 8,
            ..Preset::EmaKmeansRevival.setup()
        };
        let sentence = setup.check().map_err(|e| e.to_string());
        assert_eq!(
            sentence,
            Err(
                "k-means starts the 512 codes from the first batch's 392 encoder outputs (8 \
                 images of 49 cells), fewer than the codes: take batches of at least 11 images, \
                 fewer codes, or a random start."
                    .to_owned()
            )
        );
        let random = TrainingSetup {
            initialisation: Initialisation::Random,
            ..setup.clone()
        };
        assert_eq!(random.check(), Ok(()));
        let enough = TrainingSetup {
            batch_size: 11,
            ..setup
        };
        assert_eq!(enough.check(), Ok(()));
    }

    #[test]
    fn messages_round_trip() {
        let messages = [
            ToTrainer::Start {
                setup: Preset::Collapse.setup(),
            },
            ToTrainer::Open {
                manifest: "{}".to_owned(),
                train: vec![1, 2],
                test: vec![3],
            },
            ToTrainer::Pause,
        ];
        for message in messages {
            let json = serde_json::to_string(&message).unwrap_or_else(|e| panic!("{e}"));
            let back: ToTrainer = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, message);
        }
        let map = TrainingMap {
            codes: vec![0.5, -1.0],
            cloud: vec![],
            explained: [0.7, 0.2],
        };
        let answer = FromTrainer::Evaluated(Evaluation {
            step: 3,
            test_psnr: 17.5,
            usage: vec![4, 0],
            codes_used: 1,
            dead_codes: 1,
            perplexity: 1.0,
            size: (28, 28),
            reconstructions: vec![0; 4],
            tile: 8,
            tiles: vec![255; 2],
            map,
            millis: 12.0,
        });
        let json = serde_json::to_string(&answer).unwrap_or_else(|e| panic!("{e}"));
        let back: FromTrainer = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, answer);
    }
}
