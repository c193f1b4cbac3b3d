//! The typed messages between the UI (main thread) and the engine (Web Worker).
//!
//! Both sides serialize these types with `serde-wasm-bindgen` and hand them to `postMessage`;
//! nothing else crosses the boundary. The UI owns no tensor: it only sees what is here.
//!
//! - [`device`]: the backend asked for and the one that runs;
//! - [`model`]: the catalogue of models, their loading, a loaded model's facts;
//! - [`lab`]: an encoded image, an edit's cells and pixels;
//! - [`prior`]: sampling, drawings, suggestions, the codebook's tiles;
//! - [`messages`]: [`ToEngine`] and [`FromEngine`];
//! - [`bundle`]: a model trained in the page as one download (`<name>.vqlab.tar`), written
//!   and read back;
//! - [`training`]: a training run's knobs and presets, [`ToTrainer`] and [`FromTrainer`] (the
//!   training worker's messages), its progress and evaluations;
//! - [`trainer`]: the training worker's envelope ([`ToTrainerWorker`], [`FromTrainerWorker`]):
//!   its device and data around the session's messages.

pub mod bundle;
pub mod device;
pub mod lab;
pub mod messages;
pub mod model;
pub mod prior;
pub mod trainer;
pub mod training;

pub use bundle::{BundleError, read_bundle, write_bundle};
pub use device::{AdapterInfo, Backend, BackendPreference, EngineReport, UnknownBackend, Warmup};
pub use lab::{
    CellCode, CellInside, CodePatches, CodebookMap, Encoding, LossReport, MovedCell, NEAREST,
    PatchPixels, Terms,
};
pub use messages::{FromEngine, Request, ToEngine};
pub use model::{
    CATALOGUE_PATH, Catalogue, CatalogueModel, DEFAULT_PHOTO_SIZE, Example, HeldOutSample, Invert,
    LoadStage, ModelInfo, PHOTO_SIZES, is_folder_name,
};
pub use prior::{Codebook, Drawn, SamplerKind, Sampling, SuggestedCode};
pub use trainer::{FromTrainerWorker, TRAINER_WORKER_NAME, TRAINING_DATA_PATH, ToTrainerWorker};
pub use training::{
    CodebookUpdate, Evaluation, FromTrainer, Initialisation, Preset, SetupError, StepMeans,
    TRAINING_GRID_CELLS, ToTrainer, TrainedFiles, TrainingData, TrainingMap, TrainingProgress,
    TrainingSetup,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_round_trip() {
        for preference in [
            BackendPreference::Auto,
            BackendPreference::Cpu,
            BackendPreference::WebGpu,
        ] {
            let value = preference.query_value().unwrap_or("auto");
            assert_eq!(BackendPreference::from_query_value(value), Ok(preference));
        }
    }

    #[test]
    fn query_values_ignore_case_and_reject_unknown_names() {
        assert_eq!(
            BackendPreference::from_query_value(" WebGPU "),
            Ok(BackendPreference::WebGpu)
        );
        assert!(BackendPreference::from_query_value("cuda").is_err());
    }

    #[test]
    fn the_switch_forces_the_other_backend() {
        assert_eq!(
            Backend::Cpu.other().as_preference(),
            BackendPreference::WebGpu
        );
        assert_eq!(
            Backend::WebGpu.other().as_preference(),
            BackendPreference::Cpu
        );
    }
}
