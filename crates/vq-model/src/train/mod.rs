//! Training the VQ-VAE of "Neural Discrete Representation Learning" (van den Oord, Vinyals,
//! Kavukcuoglu, 2017): one code for the native trainer (`vq-train`) and a training worker in
//! the browser. Feature `train`.
//!
//! Adam on `‖x − x̂‖² + ‖sg[z_e] − e‖² + β‖z_e − sg[e]‖²` ([`crate::VqVae::losses`]; the
//! gradient crosses the codebook lookup by the straight-through estimator of
//! [`crate::quantizer`]), or with the codebook following the EMA rule of the paper's appendix
//! A.1 instead of its loss term ([`Ema`]); k-means initialisation of the codebook from the
//! first batch ([`kmeans`]), or a start from `N(0, 1)` (`TrainOptions::normal_init`, the
//! training panel's collapse lesson) instead of the model's `±1/K`; revival of codes unused
//! for `dead_patience` steps
//! ([`DeadCodes`]); a learning rate constant, then falling linearly to a tenth
//! ([`TrainOptions::learning_rate_at`]).
//!
//! A step is two halves around its reads, so that nothing blocks in the browser:
//!
//! ```ignore
//! let tensors = trainer.update(x);        // tensors only: forward, backward, Adam, EMA
//! let read = tensors.read_async().await?; // the losses and the codes, without blocking
//! let report = trainer.finish(read);      // host: dead codes revived; the step's figures
//! ```
//!
//! ([`VqVaeTrainer::step_async`] is those three lines; [`VqVaeTrainer::step`] the same with
//! blocking reads, for native callers only, as burn's `into_data` is to `into_data_async`.) Files, logs, progress bars and data readers are
//! the caller's: checkpoints are the model's weights, [`VqVaeTrainer::optimizer_record`] and
//! a [`TrainerState`].

mod batches;
mod dead_codes;
mod ema;
mod kmeans;
mod one_hot;
mod options;
mod report;
mod state;
mod step;
mod trainer;

pub use batches::batch_indices;
pub use dead_codes::DeadCodes;
pub use ema::{EMA_DECAY, EMA_EPSILON, Ema};
pub use kmeans::{KMEANS_ITERATIONS, kmeans};
pub use options::{TrainOptions, decayed_learning_rate};
pub use report::StepReport;
pub use state::{StateMismatch, TrainerState};
pub use step::{StepRead, StepTensors};
pub use trainer::VqVaeTrainer;
