//! The training worker's envelope: what starts it (a device, the shipped training images)
//! around the session's own messages ([`ToTrainer`], [`FromTrainer`]).
//!
//! The training worker is the engine's worker script started under another name
//! ([`TRAINER_WORKER_NAME`]); it owns its own device and a
//! `crate::engine::training::TrainingSession`. The page's training panel talks to it only
//! through these two types.

use serde::{Deserialize, Serialize};

use super::device::{Backend, BackendPreference};
use super::training::{FromTrainer, ToTrainer};

/// The name the page gives the training worker (`new Worker(url, { name })`); the worker
/// script reads it to become the trainer rather than the engine.
pub const TRAINER_WORKER_NAME: &str = "vq-lab-trainer";

/// Where the shipped training images live, relative to the page.
pub const TRAINING_DATA_PATH: &str = "training/fashion/";

/// Messages from the training panel to the training worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToTrainerWorker {
    /// Choose the device (as the engine does, by `preference`), then download the shipped
    /// training images and open them. Answers [`FromTrainerWorker::Ready`], then
    /// [`FromTrainer::Opened`] (or a refusal saying why the images could not be had).
    Init {
        /// The backend the page asks for.
        preference: BackendPreference,
    },
    /// A message for the session.
    Session(ToTrainer),
}

/// Messages from the training worker to the training panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(
    clippy::large_enum_variant,
    reason = "each message is serialised as soon as it is made; none is kept in a collection"
)]
pub enum FromTrainerWorker {
    /// The worker's script runs; [`ToTrainerWorker::Init`] may come.
    Started,
    /// The device is chosen; the training images are on their way.
    Ready {
        /// The backend the runs train on.
        backend: Backend,
        /// Why this backend, in one sentence.
        reason: String,
    },
    /// A message of the session.
    Session(FromTrainer),
    /// The worker panicked and is about to end: the sentence for the panel.
    Panicked {
        /// What went wrong.
        message: String,
    },
}
