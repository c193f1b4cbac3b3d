//! The models the page offers (the catalogue the engine sent), the chosen one's loading and,
//! once loaded, what the page knows of it and its decoded codebook.

use crate::protocol::{Catalogue, CatalogueModel, Codebook, LoadStage, ModelInfo, TrainedFiles};
use crate::ui::share::Shared;

/// Where the chosen model stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ModelStatus {
    /// Nothing asked for yet.
    #[default]
    None,
    /// Loading, with progress.
    Loading {
        /// The model.
        name: String,
        /// The stage.
        stage: LoadStage,
        /// Bytes so far.
        loaded: u64,
        /// Bytes in all, when known.
        total: Option<u64>,
    },
    /// Loaded and warmed up.
    Loaded(ModelInfo),
    /// Could not be loaded; the sentence says why.
    Failed {
        /// The model.
        name: String,
        /// The sentence.
        message: String,
    },
}

/// The catalogue, the chosen model and its codebook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelState {
    /// The models the page offers (empty until the engine is ready).
    pub catalogue: Catalogue,
    /// The chosen model's loading.
    pub status: ModelStatus,
    /// The loaded model's codebook, decoded.
    pub codebook: Option<Codebook>,
    /// Why the engine could not decode the codebook.
    pub codebook_error: Option<String>,
    /// The model trained in the page on its way to the engine ([`super::trained`]).
    pub adding: Option<TrainedFiles>,
    /// The models trained in the page the engine took, in the order it took them: a
    /// restarted engine is given them again.
    pub trained: Vec<TrainedFiles>,
    /// Why a file chosen as a trained model could not be added.
    pub trained_error: Option<String>,
}

impl ModelState {
    /// The loaded model, if one is.
    pub fn loaded(&self) -> Option<&ModelInfo> {
        match &self.status {
            ModelStatus::Loaded(info) => Some(info),
            _ => None,
        }
    }

    /// `K` of the loaded model (0 when none is loaded).
    pub fn codebook_size(&self) -> usize {
        self.loaded().map_or(0, |info| info.codebook_size)
    }

    /// True while a model loads.
    pub fn is_loading(&self) -> bool {
        matches!(self.status, ModelStatus::Loading { .. })
    }

    /// Model `name` was asked for.
    pub fn loading(&mut self, name: &str) {
        self.status = ModelStatus::Loading {
            name: name.to_owned(),
            stage: LoadStage::Downloading,
            loaded: 0,
            total: None,
        };
        self.codebook = None;
        self.codebook_error = None;
    }
}

/// The text of a model's option in the model select: `fashion — Fashion-MNIST, 28×28 grey`.
pub fn option_label(model: &CatalogueModel) -> String {
    format!("{} — {}", model.name, model.title)
}

/// The progress bar of a loading (`value` of `max`) and the words beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProgress {
    /// The bar's value.
    pub value: f64,
    /// The bar's maximum.
    pub max: f64,
    /// What the page says, e.g. `Downloading fashion: 12 of 1642 KB`.
    pub detail: String,
}

/// How far the loading of `name` is: the download by its bytes, the later stages as the last
/// sixth of the bar.
pub fn load_progress(
    name: &str,
    stage: LoadStage,
    loaded: u64,
    total: Option<u64>,
) -> LoadProgress {
    let (value, max) = match (stage, total) {
        (LoadStage::Downloading, Some(total)) => (loaded as f64, total as f64),
        (LoadStage::Downloading, None) => (0.0, 1.0),
        (LoadStage::Verifying, _) => (0.85, 1.0),
        (LoadStage::Initialising, _) => (0.9, 1.0),
        (LoadStage::WarmingUp, _) => (0.95, 1.0),
    };
    let detail = match (stage, total) {
        (LoadStage::Downloading, Some(total)) => format!(
            "{} {name}: {:.0} of {:.0} KB",
            stage.label(),
            loaded as f64 / 1024.0,
            total as f64 / 1024.0
        ),
        _ => format!("{} {name}…", stage.label()),
    };
    LoadProgress { value, max, detail }
}

/// The line that says a model is loaded, what it is and how long it took.
pub fn loaded_line(info: &ModelInfo) -> String {
    format!(
        "Model {} loaded: {}×{} {}, {} codes; {:.0} KB in {:.0} ms (first decode {:.0} ms).",
        info.name,
        info.image_size,
        info.image_size,
        if info.channels == 1 { "grey" } else { "colour" },
        info.codebook_size,
        info.bytes as f64 / 1024.0,
        info.millis,
        info.warmup_millis,
    )
}

/// How the lab opens: the model to load first, the shared grid to restore once it is loaded,
/// and the sentence for a share link that cannot be used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opening {
    /// The model to load (`None`: the catalogue is empty).
    pub model: Option<String>,
    /// The share link's grid and view, for [`Opening::model`].
    pub shared: Option<Shared>,
    /// Why the address's share link is not used.
    pub problem: Option<String>,
}

/// The model to open with: a share link's (`link`, read from the address) when the catalogue
/// has it, the catalogue's default otherwise.
pub fn opening(catalogue: &Catalogue, link: Option<Result<Shared, String>>) -> Opening {
    let default = || catalogue.default_name().map(str::to_owned);
    match link {
        Some(Ok(shared)) if catalogue.contains(&shared.grid.model) => Opening {
            model: Some(shared.grid.model.clone()),
            shared: Some(shared),
            problem: None,
        },
        Some(Ok(shared)) => Opening {
            model: default(),
            shared: None,
            problem: Some(format!(
                "The link names a model “{}” this site does not have.",
                shared.grid.model
            )),
        },
        Some(Err(problem)) => Opening {
            model: default(),
            shared: None,
            problem: Some(problem),
        },
        None => Opening {
            model: default(),
            ..Opening::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Example;
    use crate::ui::share::GridFile;

    fn catalogue() -> Catalogue {
        let model = |name: &str, title: &str| CatalogueModel {
            name: name.to_owned(),
            title: title.to_owned(),
            examples_note: String::new(),
            examples: vec![Example {
                file: "a.png".to_owned(),
                label: "A".to_owned(),
            }],
            held_out: None,
        };
        Catalogue {
            models: vec![
                model("fashion", "Fashion-MNIST, 28×28 grey"),
                model("photo", "natural photographs, colour"),
            ],
        }
    }

    fn shared(model: &str) -> Shared {
        Shared {
            grid: GridFile::new(model, 1, 1, vec![0]),
            view: "code".to_owned(),
        }
    }

    #[test]
    fn the_lab_opens_on_the_links_model_or_the_default() {
        let catalogue = catalogue();
        assert_eq!(opening(&catalogue, None).model.as_deref(), Some("fashion"));
        let linked = opening(&catalogue, Some(Ok(shared("photo"))));
        assert_eq!(linked.model.as_deref(), Some("photo"));
        assert_eq!(linked.shared, Some(shared("photo")));
        let unknown = opening(&catalogue, Some(Ok(shared("faces"))));
        assert_eq!(unknown.model.as_deref(), Some("fashion"));
        assert_eq!(unknown.shared, None);
        assert_eq!(
            unknown.problem.as_deref(),
            Some("The link names a model “faces” this site does not have.")
        );
        let damaged = opening(
            &catalogue,
            Some(Err("The link's codes are damaged.".into())),
        );
        assert_eq!(
            damaged.problem.as_deref(),
            Some("The link's codes are damaged.")
        );
        assert_eq!(opening(&Catalogue::default(), None).model, None);
    }

    #[test]
    fn the_model_select_shows_name_and_title() {
        assert_eq!(
            catalogue()
                .models
                .iter()
                .map(option_label)
                .collect::<Vec<_>>(),
            [
                "fashion — Fashion-MNIST, 28×28 grey",
                "photo — natural photographs, colour"
            ]
        );
    }

    #[test]
    fn loading_progress_counts_kilobytes_then_stages() {
        let downloading = load_progress("fashion", LoadStage::Downloading, 2048, Some(4096));
        assert_eq!((downloading.value, downloading.max), (2048.0, 4096.0));
        assert_eq!(downloading.detail, "Downloading fashion: 2 of 4 KB");
        let warming = load_progress("photo", LoadStage::WarmingUp, 0, None);
        assert_eq!((warming.value, warming.max), (0.95, 1.0));
        assert_eq!(warming.detail, "Warming up photo…");
    }
}
