//! What one training step reports: the loss terms, how the codebook is used, the learning
//! rate. Plain numbers (serde), for a log line, a CSV row or a message to the page.

use serde::{Deserialize, Serialize};

/// The figures of one step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Steps done, this one included.
    pub step: usize,
    /// `‖x − x̂‖²`, mean over pixels and channels (model space).
    pub reconstruction: f32,
    /// `‖sg[z_e] − e‖²`, mean over cells and `D`. Part of `total` only when the codebook
    /// learns by this loss; with the EMA rule it is shown, and the EMA moves the codebook.
    pub codebook: f32,
    /// `β‖z_e − sg[e]‖²`.
    pub commitment: f32,
    /// The loss minimised: `reconstruction + commitment`, plus `codebook` without EMA.
    pub total: f32,
    /// Perplexity of the batch's codes: `exp` of the entropy of their usage.
    pub perplexity: f64,
    /// Distinct codes the batch used.
    pub codes_used: usize,
    /// Codes revived this step (unused for `dead_patience` steps) onto encoder outputs.
    pub revived: usize,
    /// Adam's learning rate in this step.
    pub learning_rate: f64,
    /// Images in the batch.
    pub images: usize,
}
