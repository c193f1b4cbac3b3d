//! The models the page offers (the catalogue, read from `models/catalogue.json`), their loading
//! and what the page knows of a loaded one.

use serde::{Deserialize, Serialize};

/// Where the catalogue lives, next to the page (Trunk copies `assets/models/` to `models/`).
pub const CATALOGUE_PATH: &str = "models/catalogue.json";

/// The models the app offers (`assets/models/catalogue.json`), in the order the page lists
/// them; the first is the default. The engine reads it when it starts and sends it in
/// [`EngineReport`](super::EngineReport); nothing else lists the models.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Catalogue {
    /// The models, the default first.
    pub models: Vec<CatalogueModel>,
}

/// One model of the [`Catalogue`]; its files live in `models/<name>/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueModel {
    /// The folder's name, also the name in share links (`fashion`, `photo`).
    pub name: String,
    /// What the page calls it.
    pub title: String,
    /// The words before the examples, saying where they come from.
    pub examples_note: String,
    /// The built-in examples, files under `examples/`.
    pub examples: Vec<Example>,
    /// A sample of the model's held-out data, for the patches that show what each code means
    /// (with the examples); none: the examples alone.
    #[serde(default)]
    pub held_out: Option<HeldOutSample>,
}

/// Held-out images in one file of square tiles, row-major (`examples/fashion-test-sample.png`:
/// 256 Fashion-MNIST test images of 28×28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOutSample {
    /// The file, relative to `examples/`.
    pub file: String,
    /// The side of each tile, in pixels (the model's image size).
    pub tile: usize,
    /// Where the images come from, for the page.
    pub note: String,
    /// What the page calls one of them, before its number (`test image` 17).
    #[serde(default = "HeldOutSample::default_label")]
    pub label: String,
}

impl HeldOutSample {
    fn default_label() -> String {
        "held-out image".to_owned()
    }
}

/// A built-in example image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The file, relative to `examples/`.
    pub file: String,
    /// What the page calls it.
    pub label: String,
}

impl Catalogue {
    /// The model called `name`.
    pub fn model(&self, name: &str) -> Option<&CatalogueModel> {
        self.models.iter().find(|model| model.name == name)
    }

    /// Whether `name` is one of the catalogue's models.
    pub fn contains(&self, name: &str) -> bool {
        self.model(name).is_some()
    }

    /// The default model's name (the first), if there is any model.
    pub fn default_name(&self) -> Option<&str> {
        self.models.first().map(|model| model.name.as_str())
    }

    /// Reads `catalogue.json`, checking that it names at least one model, that names are
    /// plain folder names (lower-case letters, digits, `-`, `_`) and that none repeats.
    ///
    /// # Errors
    /// A sentence saying what is wrong with the file.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let catalogue: Self = serde_json::from_slice(bytes)
            .map_err(|err| format!("The list of models (catalogue.json) cannot be read: {err}."))?;
        if catalogue.models.is_empty() {
            return Err("The list of models (catalogue.json) names no model.".to_owned());
        }
        for (i, model) in catalogue.models.iter().enumerate() {
            if !is_folder_name(&model.name) {
                return Err(format!(
                    "The list of models names “{}”, which is not a plain folder name.",
                    model.name
                ));
            }
            if catalogue.models[..i].iter().any(|m| m.name == model.name) {
                return Err(format!("The list of models names “{}” twice.", model.name));
            }
        }
        Ok(catalogue)
    }
}

/// Lower-case ASCII letters, digits, `-` and `_`, 1 to 64 of them: a name that stays inside
/// `models/` when it is put in a path.
pub fn is_folder_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Where a model's loading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadStage {
    /// The four files are being downloaded.
    Downloading,
    /// Their SHA-256 hashes are checked against the manifest.
    Verifying,
    /// The weights are read into the model on the device.
    Initialising,
    /// A first decode compiles the kernels.
    WarmingUp,
}

impl LoadStage {
    /// The words the progress bar shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Downloading => "Downloading",
            Self::Verifying => "Verifying",
            Self::Initialising => "Initialising",
            Self::WarmingUp => "Warming up",
        }
    }
}

/// What the page needs to know about a loaded model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The model's name (`fashion`, `photo`).
    pub name: String,
    /// Image channels: 1 grey, 3 RGB.
    pub channels: usize,
    /// Side of the training images, in pixels.
    pub image_size: usize,
    /// `K`.
    pub codebook_size: usize,
    /// Pixels per code cell on each side (the encoder's downsampling: 4).
    pub cell_size: usize,
    /// The largest grid side this model makes of an upload (the largest upload's long side
    /// divided by [`ModelInfo::cell_size`]); grid files and share links beyond it are refused.
    pub max_grid_side: usize,
    /// The classes the prior is conditioned on (empty: an unconditional prior).
    pub class_names: Vec<String>,
    /// Whether the model has a prior (a model trained in the page has none: the page's
    /// prior tools say so rather than asking).
    #[serde(default = "has_prior_by_default")]
    pub has_prior: bool,
    /// Bytes downloaded.
    pub bytes: u64,
    /// Wall time of the whole load (download to warm-up), in milliseconds.
    pub millis: f64,
    /// The first decode (warm-up), in milliseconds.
    pub warmup_millis: f64,
}

/// The shipped models have a prior.
fn has_prior_by_default() -> bool {
    true
}

/// The sizes, in pixels on the long side, that a colour (photo) model takes uploads at.
pub const PHOTO_SIZES: [u32; 3] = [128, 256, 512];

/// The default of [`PHOTO_SIZES`].
pub const DEFAULT_PHOTO_SIZE: u32 = 256;

/// Whether to invert the image's grey levels before encoding (Fashion-MNIST shows light garments
/// on black, so a dark garment on a light background must be inverted to look like its data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Invert {
    /// Invert when the image's border is light (grey models only).
    #[default]
    Auto,
    /// Always invert.
    Yes,
    /// Never invert.
    No,
}
