//! The run's model as the files of a shipped model ([`crate::protocol::TrainedFiles`]): the
//! one format the lab loads (`vq_model::weights`), written in memory: `vqvae.bpk` in f16
//! (read from the device with `into_data_async`), `config.json` without a prior, and a
//! manifest hashing both, with the knobs, the step and the last evaluation.

use std::collections::BTreeMap;

use burn::module::Module;
use vq_model::ModelConfig;
use vq_model::weights::{Provenance, WeightsError, files, model_files_of, to_bytes_async};

use super::{Run, TrainingError};
use crate::protocol::{
    CodebookUpdate, Evaluation, Initialisation, TrainedFiles, TrainingData, TrainingSetup,
    is_folder_name,
};

/// The manifest's `command` of a model trained in the page.
pub const COMMAND: &str = "trained in the page";

/// What a model's manifest keeps of the run's last evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// The step it was made at.
    pub step: usize,
    /// Test PSNR, dB.
    pub test_psnr: f64,
    /// Perplexity of the codes' usage.
    pub perplexity: f64,
    /// Codes used at least once.
    pub codes_used: usize,
    /// `K`.
    pub codebook_size: usize,
}

impl Figures {
    /// The figures of `evaluation`.
    pub fn of(evaluation: &Evaluation) -> Self {
        Self {
            step: evaluation.step,
            test_psnr: evaluation.test_psnr,
            perplexity: evaluation.perplexity,
            codes_used: evaluation.codes_used,
            codebook_size: evaluation.usage.len(),
        }
    }

    /// As the manifest's metrics, named as the shipped manifests name theirs.
    fn metrics(self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("evaluated_at_step".to_owned(), self.step as f64),
            ("test_psnr_db".to_owned(), self.test_psnr),
            ("test_perplexity".to_owned(), self.perplexity),
            ("test_codes_used".to_owned(), self.codes_used as f64),
            (
                "test_codes_used_fraction".to_owned(),
                self.codes_used as f64 / self.codebook_size.max(1) as f64,
            ),
        ])
    }
}

/// The files of `run`'s model as it stands, named `name`.
///
/// # Errors
/// [`TrainingError::ExportName`] for a name that is not a plain folder name;
/// [`TrainingError::Device`] when reading the weights fails; [`TrainingError::Export`] when
/// they cannot be written.
pub(super) async fn export(
    run: &Run,
    data: &TrainingData,
    name: &str,
) -> Result<TrainedFiles, TrainingError> {
    if !is_folder_name(name) {
        return Err(TrainingError::ExportName(name.to_owned()));
    }
    let vqvae = run.trainer.model.valid();
    let (width, height) = data.size;
    // The lab's grey models are square (their `image_size`); the training data is.
    let config = ModelConfig::without_prior(name.to_owned(), run.config.clone(), width.max(height));
    let step = run.trainer.steps_done();
    let provenance = Provenance {
        command: COMMAND.to_owned(),
        seed: run.setup.seed,
        git_revision: format!("vq-lab {}", env!("CARGO_PKG_VERSION")),
        data: format!(
            "the site's training subset (training/fashion/): {} training images; metrics on the \
             first {} of its {} held-out images",
            data.train, data.evaluated, data.test
        ),
        metrics: run.figures.map(Figures::metrics).unwrap_or_default(),
        train_usage: Vec::new(),
        wall_time_s: run.seconds,
    };
    let weights = to_bytes_async(&vqvae).await.map_err(export_error)?;
    trained_files(&config, weights, provenance, knobs(&run.setup, step))
}

/// The files of `config`'s model whose `vqvae.bpk` is `weights`, as the lab adds and loads
/// them: `config.json` as written, and a manifest hashing both with `provenance` and `knobs`
/// (the export's last step, and what tests build a model of their own with).
///
/// # Errors
/// [`TrainingError::Export`] when the files cannot be written.
pub fn trained_files(
    config: &ModelConfig,
    weights: Vec<u8>,
    provenance: Provenance,
    knobs: BTreeMap<String, String>,
) -> Result<TrainedFiles, TrainingError> {
    let (mut manifest, contents) =
        model_files_of(config, vec![(files::VQVAE, weights)], provenance).map_err(export_error)?;
    manifest.knobs = knobs;
    let (mut weights, mut config_json) = (Vec::new(), Vec::new());
    for (file, bytes) in contents {
        match file {
            files::VQVAE => weights = bytes,
            files::CONFIG => config_json = bytes,
            _ => {}
        }
    }
    let manifest_json = serde_json::to_string_pretty(&manifest)
        .map_err(|err| TrainingError::Export(err.to_string()))?;
    Ok(TrainedFiles {
        name: config.name.clone(),
        manifest: manifest_json,
        config: String::from_utf8(config_json)
            .map_err(|err| TrainingError::Export(err.to_string()))?,
        vqvae: weights,
    })
}

fn export_error(err: WeightsError) -> TrainingError {
    TrainingError::Export(err.to_string())
}

/// The run's knobs and its step, by name, as the manifest keeps them.
fn knobs(setup: &TrainingSetup, step: usize) -> BTreeMap<String, String> {
    let update = match setup.codebook_update {
        CodebookUpdate::Loss => "codebook loss",
        CodebookUpdate::Ema => "EMA",
    };
    let initialisation = match setup.initialisation {
        Initialisation::Random => "random, uniform in ±1/K",
        Initialisation::Normal => "random, normal N(0, 1)",
        Initialisation::KMeans => "k-means on the first batch",
    };
    BTreeMap::from([
        ("codebook_size".to_owned(), setup.codebook_size.to_string()),
        ("embedding_dim".to_owned(), setup.embedding_dim.to_string()),
        (
            "commitment_cost".to_owned(),
            setup.commitment_cost.to_string(),
        ),
        ("codebook_update".to_owned(), update.to_owned()),
        ("initialisation".to_owned(), initialisation.to_owned()),
        (
            "revive_after".to_owned(),
            setup
                .revive_after
                .map_or_else(|| "never".to_owned(), |steps| steps.to_string()),
        ),
        ("learning_rate".to_owned(), setup.learning_rate.to_string()),
        ("batch_size".to_owned(), setup.batch_size.to_string()),
        ("steps".to_owned(), setup.steps.to_string()),
        ("step".to_owned(), step.to_string()),
    ])
}
