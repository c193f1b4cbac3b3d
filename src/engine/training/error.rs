//! Why the training worker refused a request or stopped a run; `Display` is the panel's
//! sentence.

use vq_model::ReadError;
use vq_model::subset::SubsetError;

use crate::protocol::SetupError;

/// Failures of a training session.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainingError {
    /// A request that needs the training data before it was opened.
    #[error("The training data is not open yet; wait for it to download.")]
    NoData,
    /// The training data (or its manifest) could not be used.
    #[error("{}", sentence(.0))]
    Data(#[from] SubsetError),
    /// Training images the model's architecture cannot take.
    #[error(
        "The training images are {width}×{height} pixels; the VQ-VAE takes grey images whose sides are multiples of 4, the same in both splits (the test split's are {test_width}×{test_height})."
    )]
    ImageSize {
        /// Columns of the training images.
        width: usize,
        /// Rows of the training images.
        height: usize,
        /// Columns of the test images.
        test_width: usize,
        /// Rows of the test images.
        test_height: usize,
    },
    /// A knob out of its range.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// A request about a run when there is none.
    #[error("There is no training run; start one first.")]
    NoRun,
    /// A chunk asked of a paused run.
    #[error("The run is paused at step {0}; resume it first.")]
    Paused(usize),
    /// A run resumed after its last step.
    #[error("The run has done all its {0} steps; start a new run to train again.")]
    Finished(usize),
    /// A model exported under a name that is not a plain one.
    #[error(
        "“{0}” is not a name a model can have: lower-case letters, digits, - and _, 64 at most."
    )]
    ExportName(String),
    /// The model's files could not be written.
    #[error("The model could not be written as files: {0}.")]
    Export(String),
    /// Computing on the device or reading a result back failed.
    #[error("{0}; reset the run, reload the page, or try ?backend=cpu")]
    Device(String),
}

impl TrainingError {
    /// Whether the device failed, rather than a request being refused: the run stops.
    pub fn is_fault(&self) -> bool {
        matches!(self, Self::Device(_))
    }
}

impl From<ReadError> for TrainingError {
    fn from(err: ReadError) -> Self {
        Self::Device(err.to_string())
    }
}

/// `reason` as a sentence: a capital first and a full stop last.
fn sentence(reason: &impl std::fmt::Display) -> String {
    let reason = reason.to_string();
    let mut letters = reason.chars();
    let mut sentence: String = match letters.next() {
        Some(first) => first.to_uppercase().chain(letters).collect(),
        None => return reason,
    };
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_s_reasons_become_sentences() {
        assert_eq!(
            TrainingError::from(SubsetError::Magic).to_string(),
            "This is not a VQ Lab training set: it does not start with the bytes \"VQLT\"; \
             reload the page."
        );
        assert!(TrainingError::Device("lost".into()).is_fault());
        assert!(!TrainingError::NoRun.is_fault());
    }
}
