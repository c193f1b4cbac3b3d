//! Every way a request to the engine can fail, each with the sentence the page shows.
//!
//! [`EngineError::is_fault`] tells a fault of the engine itself (the device failed) from a
//! request the engine refused (a bad file, an unknown code, nothing loaded yet): the first
//! means the engine must be restarted, the second is a sentence where it was asked.

use vq_codes::CodeError;
use vq_model::ReadError;
use vq_model::image::UploadError;
use vq_model::weights::WeightsError;

use super::source::FetchError;

/// Failures of the engine; `Display` is the page's sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// Reading the warm-up's result back from the device failed.
    #[error("reading a result back from the {backend} device failed: {reason}")]
    ReadBack {
        /// The backend label.
        backend: &'static str,
        /// What burn reported.
        reason: String,
    },
    /// The warm-up computation failed when the engine started.
    #[error("The warm-up computation failed: {0}. Reload the page, or try ?backend=cpu.")]
    WarmUp(Box<EngineError>),
    /// Computing on the device or reading a result back failed.
    #[error("{0}; reload the page, or try ?backend=cpu")]
    Device(String),
    /// A request came before [`crate::protocol::ToEngine::Init`] finished.
    #[error("The engine has not chosen its device yet; wait for it to be ready.")]
    NotStarted,
    /// The list of models could not be fetched or read.
    #[error("{0} Reload the page.")]
    Catalogue(String),
    /// A model that is not in the catalogue.
    #[error("There is no model called “{name}”; choose {choices}.")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The catalogue's names, in words (`fashion or photo`).
        choices: String,
    },
    /// The catalogue names a model whose files are not on the site.
    #[error(
        "The {name} model is not part of this site yet ({path} is missing); choose another model."
    )]
    ModelMissing {
        /// The model.
        name: String,
        /// The file that is missing.
        path: String,
    },
    /// A model's file could not be downloaded.
    #[error("The {name} model could not be downloaded: {reason}.")]
    Download {
        /// The model.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// A model's files do not match their manifest or do not fit the architecture.
    #[error("{0}.")]
    Weights(String),
    /// No model is loaded.
    #[error("No model is loaded yet; choose one first.")]
    NoModel,
    /// A request of the prior (sampling, completion, surprisal, suggestions) of a model
    /// without one.
    #[error(
        "This model has no prior: it was trained in this page. Sampling, completion, surprisal \
         and suggestions need one; pick a shipped model for them."
    )]
    NoPrior,
    /// A trained model's files that cannot be added (a hash, the config, a name).
    #[error("The trained model cannot be added: {0}. Export it again from the training panel.")]
    TrainedFiles(String),
    /// More trained models than the engine keeps.
    #[error(
        "The lab already holds {0} models trained in this page; reload the page to add others."
    )]
    TooManyTrained(usize),
    /// No grid to work on.
    #[error("There is no grid yet; encode an image or use a sample first.")]
    NoGrid,
    /// Speculative work (suggestions, surprisal) gave way to an edit: its grid is gone. Not a
    /// sentence for the page, which asks again for the new grid.
    #[error("The grid changed while this was computed; it will be asked again.")]
    Superseded,
    /// An upload that is not an image the app can use.
    #[error("{0}")]
    Upload(#[from] UploadError),
    /// A long side the photo model does not take.
    #[error("{0} px is not a size the photo model takes; choose 128, 256 or 512.")]
    PhotoSize(u32),
    /// A code or cell outside the model's codebook or the grid.
    #[error(transparent)]
    Codes(#[from] CodeError),
    /// An edit of no cell.
    #[error("An edit needs at least one cell.")]
    EmptyEdit,
    /// A sampling temperature that is not a positive number.
    #[error(
        "The temperature must be a number above 0 (it is {0}); 1 draws from the prior as trained."
    )]
    Temperature(f32),
    /// Top-k of zero.
    #[error("Top-k must keep at least one code; leave it empty to keep all.")]
    TopKZero,
    /// A class asked of a prior without classes.
    #[error("The {model} model has no classes to choose from.")]
    NoClasses {
        /// The model.
        model: String,
    },
    /// A class the prior does not have.
    #[error("There is no class {class}; classes run from 0 to {last}.", last = classes - 1)]
    NoClass {
        /// The class asked for.
        class: usize,
        /// Classes the prior has (at least one).
        classes: usize,
    },
    /// A completion mask of the wrong size.
    #[error("The mask has {mask} cells but the grid has {cells}; encode the image again.")]
    MaskSize {
        /// Cells in the mask.
        mask: usize,
        /// Cells in the grid.
        cells: usize,
    },
    /// A completion mask with nothing in it.
    #[error("Nothing is masked: paint over the cells the prior should redraw.")]
    NothingMasked,
    /// A drawing stopped at the user's request.
    #[error("Stopped after {drawn} of {total} cells; draw again to start over.")]
    Stopped {
        /// Cells drawn.
        drawn: usize,
        /// Cells to draw in all.
        total: usize,
    },
    /// A test hook asked of an engine started without them.
    /// A cell of a grid that was not encoded from an image (a sample, a shared or restored
    /// grid): there is no encoder output to move.
    #[error(
        "This grid was not encoded from an image, so its cells have no encoder output to move; \
         upload the image (or an example) to follow a cell."
    )]
    NotEncoded,
    /// A picture of a model's examples or held-out sample (for what codes mean) could not be
    /// fetched or decoded.
    #[error(
        "The pictures that show what codes mean could not be read ({0}); the rest of the lab \
         works. Reload the page to try again."
    )]
    Pictures(String),
    /// A move along the line toward a code outside `0 ..= 1`.
    #[error("The vector moves from 0 (the encoder's output) to 1 (the code); {0} is outside.")]
    MoveOutOfRange(f32),
    #[error("This engine takes no test requests; open the page with ?test-hooks for them.")]
    NoTestHooks,
    /// A message the engine could not read.
    #[error("The engine received a message it does not understand: {0}.")]
    Unreadable(String),
}

impl EngineError {
    /// Whether the engine itself failed (the device), rather than refusing one request: the
    /// page then restarts the engine instead of only showing the sentence.
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            Self::ReadBack { .. } | Self::WarmUp(_) | Self::Device(_)
        )
    }
}

impl From<ReadError> for EngineError {
    fn from(err: ReadError) -> Self {
        Self::Device(err.to_string())
    }
}

impl From<WeightsError> for EngineError {
    fn from(err: WeightsError) -> Self {
        Self::Weights(err.to_string())
    }
}

impl From<FetchError> for EngineError {
    fn from(err: FetchError) -> Self {
        Self::Catalogue(format!(
            "The list of models could not be downloaded: {err}."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_say_what_happened_and_what_to_do() {
        assert_eq!(
            EngineError::NoClass {
                class: 12,
                classes: 10
            }
            .to_string(),
            "There is no class 12; classes run from 0 to 9."
        );
        assert_eq!(
            EngineError::from(CodeError::NoSuchCode {
                code: 600,
                codebook_size: 512
            })
            .to_string(),
            "Code 600 does not exist; codes run from 0 to 511."
        );
        assert_eq!(
            EngineError::Device("could not read a tensor back from the device: lost".into())
                .to_string(),
            "could not read a tensor back from the device: lost; reload the page, or try \
             ?backend=cpu"
        );
    }

    #[test]
    fn only_the_device_failing_is_a_fault_of_the_engine() {
        assert!(EngineError::Device("lost".into()).is_fault());
        assert!(EngineError::WarmUp(Box::new(EngineError::Device("x".into()))).is_fault());
        for refused in [
            EngineError::NoModel,
            EngineError::NoPrior,
            EngineError::NoGrid,
            EngineError::TopKZero,
            EngineError::Upload(UploadError::Empty),
            EngineError::Unreadable("a number".into()),
        ] {
            assert!(!refused.is_fault(), "{refused:?}");
        }
    }
}
