//! The typed messages between the UI (main thread) and the engine (Web Worker).
//!
//! Both sides serialize these enums with `serde-wasm-bindgen` and hand them to `postMessage`;
//! nothing else crosses the boundary. The UI owns no tensor: it only sees what is here.

use serde::{Deserialize, Serialize};

/// Which backend the user asked for, from the page's `?backend=` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BackendPreference {
    /// WebGPU on a real GPU adapter; the CPU backend otherwise (also on a software adapter).
    #[default]
    Auto,
    /// The CPU backend (burn's `flex`, in WebAssembly), without probing WebGPU.
    Cpu,
    /// WebGPU even on a software adapter; the CPU backend only when WebGPU is unavailable.
    WebGpu,
}

impl BackendPreference {
    /// The value of the `backend` query parameter that selects this preference
    /// (`None` for [`BackendPreference::Auto`], which is the page without the parameter).
    pub fn query_value(self) -> Option<&'static str> {
        match self {
            Self::Auto => None,
            Self::Cpu => Some("cpu"),
            Self::WebGpu => Some("webgpu"),
        }
    }

    /// Reads a `backend` query value. Unknown values are an error the page reports.
    ///
    /// # Errors
    ///
    /// [`UnknownBackend`] when the value is none of `auto`, `cpu`, `webgpu` (any case).
    pub fn from_query_value(value: &str) -> Result<Self, UnknownBackend> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "webgpu" | "gpu" => Ok(Self::WebGpu),
            _ => Err(UnknownBackend(value.to_owned())),
        }
    }
}

/// A `?backend=` value the app does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend “{0}” in the address; use ?backend=cpu or ?backend=webgpu")]
pub struct UnknownBackend(pub String);

/// The backend the engine runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// burn's wgpu backend on the browser's WebGPU.
    WebGpu,
    /// burn's CPU backend (`flex`) in WebAssembly.
    Cpu,
}

impl Backend {
    /// The name shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Self::WebGpu => "WebGPU",
            Self::Cpu => "CPU",
        }
    }

    /// The other backend, for the page's switch.
    pub fn other(self) -> Self {
        match self {
            Self::WebGpu => Self::Cpu,
            Self::Cpu => Self::WebGpu,
        }
    }

    /// The preference that forces this backend.
    pub fn as_preference(self) -> BackendPreference {
        match self {
            Self::WebGpu => BackendPreference::WebGpu,
            Self::Cpu => BackendPreference::Cpu,
        }
    }
}

/// What the browser's WebGPU adapter says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdapterInfo {
    /// A readable name: the adapter's description, or its vendor and architecture.
    pub name: String,
    /// True for a software (fallback) adapter such as SwiftShader: wgpu reports it as a
    /// CPU-type device. Such an adapter is slower than the CPU backend.
    pub is_fallback: bool,
}

/// The outcome of the engine's start: the chosen device and how fast it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineReport {
    /// The backend the engine runs on.
    pub backend: Backend,
    /// The WebGPU adapter, when one was found (also when the CPU backend was chosen).
    pub adapter: Option<AdapterInfo>,
    /// One sentence: why this backend.
    pub reason: String,
    /// A sentence the user must see, e.g. WebGPU was forced but is unavailable.
    pub notice: Option<String>,
    /// The warm-up computation on the chosen device.
    pub warmup: Warmup,
}

/// A small computation (a 256×256 matrix product, summed, read back asynchronously) run once on
/// the chosen device: it compiles the first kernels and measures the round trip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Warmup {
    /// Wall time of the computation including the read back, in milliseconds.
    pub millis: f64,
    /// The sum that was read back (checked against a reference in the tests).
    pub value: f32,
}

/// The models the app offers; each lives in `models/<name>/` next to the page.
pub const MODELS: [&str; 2] = ["fashion", "photo"];

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
    /// The classes the prior is conditioned on (empty: an unconditional prior).
    pub class_names: Vec<String>,
    /// Bytes downloaded.
    pub bytes: u64,
    /// Wall time of the whole load (download to warm-up), in milliseconds.
    pub millis: f64,
    /// The first decode (warm-up), in milliseconds.
    pub warmup_millis: f64,
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

/// How many of the nearest codes of each cell an [`Encoding`] lists.
pub const NEAREST: usize = 5;

/// A cell's code to set, `(row, col, code)`.
pub type CellCode = (usize, usize, u32);

/// An encoded image: what the views show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// Where the image came from (a file name or an example's name).
    pub source: String,
    /// Size of the decoded file, before resizing.
    pub source_size: (u32, u32),
    /// Pixel width of the model's input (and of the reconstruction).
    pub width: usize,
    /// Pixel height.
    pub height: usize,
    /// Cells per row of the code grid.
    pub grid_width: usize,
    /// Rows of the code grid.
    pub grid_height: usize,
    /// The code of each cell, row-major.
    #[serde(with = "crate::packed")]
    pub codes: Vec<u32>,
    /// The [`NEAREST`] nearest codes of each cell's `z_e`, nearest first, cell after cell
    /// (empty for a grid that was not encoded). The first is the cell's code; the distance and
    /// the margin of [`Encoding::distance`] and [`Encoding::margin`] come from these.
    #[serde(with = "crate::packed")]
    pub nearest: Vec<u32>,
    /// Their squared distances, in the same order.
    #[serde(with = "crate::packed")]
    pub nearest_distance: Vec<f32>,
    /// RGBA of the model's input (after resizing and inversion).
    #[serde(with = "serde_bytes")]
    pub original: Vec<u8>,
    /// RGBA of the reconstruction (full decode).
    #[serde(with = "serde_bytes")]
    pub reconstruction: Vec<u8>,
    /// Whether the grey levels were inverted.
    pub inverted: bool,
    /// Why (or why not), one sentence.
    pub invert_reason: String,
    /// Wall time of decode, encode, quantize, decode and read back, in milliseconds.
    pub millis: f64,
}

impl Encoding {
    /// The nearest codes of cell `index` (row-major) and their squared distances, nearest
    /// first; `None` for a grid that was not encoded.
    pub fn nearest_of(&self, index: usize) -> Option<(&[u32], &[f32])> {
        let k = self.nearest.len() / self.codes.len().max(1);
        let range = k * index..k * (index + 1);
        let codes = self.nearest.get(range.clone())?;
        (!codes.is_empty()).then_some((codes, self.nearest_distance.get(range)?))
    }

    /// Squared distance from cell `index`'s `z_e` to its code.
    pub fn distance(&self, index: usize) -> Option<f32> {
        self.nearest_of(index).map(|(_, d)| d[0])
    }

    /// Squared distance to cell `index`'s second-nearest code minus the nearest (0: a tie).
    pub fn margin(&self, index: usize) -> Option<f32> {
        self.nearest_of(index)
            .and_then(|(_, d)| Some(d.get(1)? - d[0]))
    }

    /// The margin of every cell (empty for a grid that was not encoded).
    pub fn margins(&self) -> Vec<f32> {
        (0..self.codes.len())
            .map_while(|i| self.margin(i))
            .collect()
    }
}

/// Pixels of the reconstruction that an edit changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchPixels {
    /// First pixel row in the full image.
    pub top: usize,
    /// First pixel column.
    pub left: usize,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// RGBA, row-major, `4 × width × height` bytes.
    #[serde(with = "serde_bytes")]
    pub rgba: Vec<u8>,
}

/// How to draw codes from the prior (the page's controls; `vq_model::sampler::SampleOptions`
/// on the engine's side).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// Logits are divided by it: below 1 more conservative, above 1 more varied.
    pub temperature: f32,
    /// Draw only among the `k` most likely codes (`None`: all).
    pub top_k: Option<usize>,
    /// The same seed gives the same grids on the same backend.
    pub seed: u64,
    /// The class to condition on (class-conditional priors; `None`: no class).
    pub class: Option<usize>,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: None,
            seed: 1,
            class: None,
        }
    }
}

/// Grids drawn by the prior, as they stand, with their decoded pictures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    /// The request's number.
    pub id: u64,
    /// Cells drawn so far, and in all.
    pub drawn: usize,
    /// Cells to draw in all.
    pub total: usize,
    /// The raster index of the last cell drawn (`None` before the first).
    pub last_cell: Option<usize>,
    /// Cells per row.
    pub grid_width: usize,
    /// Rows.
    pub grid_height: usize,
    /// The codes of each grid, row-major.
    #[serde(with = "crate::packed::rows")]
    pub grids: Vec<Vec<u32>>,
    /// Pixel width of each picture.
    pub width: usize,
    /// Pixel height.
    pub height: usize,
    /// RGBA of each grid's decode.
    pub pictures: Vec<serde_bytes::ByteBuf>,
    /// Wall time so far, in milliseconds.
    pub millis: f64,
}

/// A code the prior suggests for a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedCode {
    /// The code.
    pub code: u32,
    /// Its probability among the suggestions, given the rest of the grid.
    pub probability: f32,
    /// The reconstruction's pixels around the cell with this code: the window
    /// `(top, left, width, height)` of the reconstruction that the cell reaches.
    pub preview: PatchPixels,
}

/// Every code of the codebook decoded as a tile, with its use in the training set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codebook {
    /// Side of each tile, in pixels.
    pub tile: usize,
    /// RGBA of the `K` tiles, one after the other (`4 × tile × tile` bytes each).
    #[serde(with = "serde_bytes")]
    pub tiles: Vec<u8>,
    /// How often each code was chosen on the training set's grids (from the manifest).
    #[serde(with = "crate::packed")]
    pub train_usage: Vec<u64>,
    /// Wall time of the decode and read back, in milliseconds.
    pub millis: f64,
}

impl Codebook {
    /// The RGBA of code `code`'s tile.
    pub fn tile_rgba(&self, code: u32) -> Option<&[u8]> {
        let size = 4 * self.tile * self.tile;
        let start = size.checked_mul(code as usize)?;
        self.tiles.get(start..start + size)
    }

    /// The mean colour of each code's tile: what the code paints, on average.
    pub fn mean_colours(&self) -> Vec<[u8; 3]> {
        let size = (4 * self.tile * self.tile).max(4);
        self.tiles
            .chunks_exact(size)
            .map(|tile| {
                let mut sum = [0u64; 3];
                for px in tile.chunks_exact(4) {
                    for (total, &value) in sum.iter_mut().zip(px) {
                        *total += u64::from(value);
                    }
                }
                let n = (size / 4) as u64;
                sum.map(|total| u8::try_from(total / n).unwrap_or(u8::MAX))
            })
            .collect()
    }
}

/// Messages from the UI to the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// Choose the device (once per worker), warm it up, answer [`FromEngine::Ready`].
    Init {
        /// What the user asked for.
        preference: BackendPreference,
    },
    /// Fetch, verify and load a model; answers [`FromEngine::LoadProgress`] messages, then
    /// [`FromEngine::ModelLoaded`] or [`FromEngine::ModelFailed`].
    LoadModel {
        /// One of [`MODELS`].
        name: String,
    },
    /// Decode an image file and encode it with the loaded model; answers
    /// [`FromEngine::Encoded`] or [`FromEngine::EncodeFailed`].
    Encode {
        /// The file's bytes.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        /// Its name, for the page.
        source: String,
        /// Whether to invert grey levels.
        invert: Invert,
        /// Colour models: the long side to resize to, one of [`PHOTO_SIZES`].
        long_side: u32,
    },
    /// Set the codes of cells (one, a brush's footprint, a rectangle, a pasted region) and
    /// decode the pixels they reach; answers [`FromEngine::Patched`].
    Edit {
        /// A number the answer repeats.
        id: u64,
        /// The cells and their new codes.
        #[serde(with = "crate::packed")]
        cells: Vec<CellCode>,
    },
    /// Set the codes of cells without decoding (undo, redo and reset paste pixels they kept).
    SetCells {
        /// `(row, col, code)` of each cell.
        #[serde(with = "crate::packed")]
        cells: Vec<CellCode>,
    },
    /// Draw `count` new grids from the prior, of the size of the model's training images;
    /// answers [`FromEngine::Drawing`] every few cells, then [`FromEngine::Drawn`].
    Sample {
        /// A number the answers repeat.
        id: u64,
        /// How to draw.
        sampling: Sampling,
        /// Grids side by side.
        count: usize,
    },
    /// Redraw the masked cells of the current grid, `count` candidates; answers like
    /// [`ToEngine::Sample`].
    Complete {
        /// A number the answers repeat.
        id: u64,
        /// One flag per cell, row-major: true for the cells to redraw.
        #[serde(with = "crate::packed")]
        mask: Vec<bool>,
        /// How to draw.
        sampling: Sampling,
        /// Candidates.
        count: usize,
    },
    /// Make a grid the current one (a sample to edit): answers [`FromEngine::Encoded`] with
    /// its decode as both original and reconstruction.
    UseGrid {
        /// What to call it on the page.
        source: String,
        /// Cells per row.
        grid_width: usize,
        /// Rows.
        grid_height: usize,
        /// Codes, row-major.
        #[serde(with = "crate::packed")]
        codes: Vec<u32>,
    },
    /// Decode every code as a tile (one decoder call); answers [`FromEngine::Codebook`].
    Codebook,
    /// The bits of every cell of the current grid under the prior; answers
    /// [`FromEngine::Surprisal`].
    Surprisal {
        /// The class to condition on.
        class: Option<usize>,
    },
    /// The prior's most likely codes for a cell of the current grid, given the rest; answers
    /// [`FromEngine::Suggestions`].
    Suggest {
        /// Cell row.
        row: usize,
        /// Cell column.
        col: usize,
        /// The class to condition on.
        class: Option<usize>,
    },
}

/// Messages from the engine to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromEngine {
    /// The worker's WebAssembly is running and listens for requests.
    Started,
    /// The answer to [`ToEngine::Init`].
    Ready(EngineReport),
    /// Loading a model progresses.
    LoadProgress {
        /// The model.
        name: String,
        /// The stage.
        stage: LoadStage,
        /// Bytes downloaded so far.
        loaded: u64,
        /// Bytes to download in all (from the manifest), when known.
        total: Option<u64>,
    },
    /// The answer to [`ToEngine::LoadModel`].
    ModelLoaded(ModelInfo),
    /// A model could not be loaded; the sentence says why.
    ModelFailed {
        /// The model.
        name: String,
        /// The sentence shown on the page.
        message: String,
    },
    /// The answer to [`ToEngine::Encode`].
    Encoded(Box<Encoding>),
    /// An image could not be used; the sentence says why. The app goes on working.
    EncodeFailed {
        /// The file's name.
        source: String,
        /// The sentence shown on the page.
        message: String,
    },
    /// The answer to [`ToEngine::Edit`].
    Patched {
        /// The request's number.
        id: u64,
        /// The cells set, with their codes.
        #[serde(with = "crate::packed")]
        cells: Vec<CellCode>,
        /// The pixels that changed.
        patch: PatchPixels,
        /// Wall time of the windowed decode and read back, in milliseconds.
        millis: f64,
    },
    /// An edit failed; the sentence says why.
    EditFailed {
        /// The request's number.
        id: u64,
        /// The sentence shown on the page.
        message: String,
    },
    /// Drawing from the prior progresses (also the first answer, with nothing drawn yet).
    Drawing(Drawn),
    /// The answer to [`ToEngine::Sample`] and [`ToEngine::Complete`]: every cell drawn.
    Drawn(Drawn),
    /// Drawing failed; the sentence says why.
    DrawFailed {
        /// The request's number.
        id: u64,
        /// The sentence shown on the page.
        message: String,
    },
    /// The answer to [`ToEngine::Codebook`].
    Codebook(Codebook),
    /// The answer to [`ToEngine::Surprisal`].
    Surprisal {
        /// The codes it was computed for, row-major.
        #[serde(with = "crate::packed")]
        codes: Vec<u32>,
        /// `−log₂ p(code | cells before)` of each cell.
        #[serde(with = "crate::packed")]
        bits: Vec<f32>,
        /// Wall time, in milliseconds.
        millis: f64,
    },
    /// The answer to [`ToEngine::Suggest`].
    Suggestions {
        /// Cell row.
        row: usize,
        /// Cell column.
        col: usize,
        /// The most likely codes first.
        codes: Vec<SuggestedCode>,
        /// Wall time, in milliseconds.
        millis: f64,
    },
    /// A request failed; the sentence says what happened and what to do.
    Failed {
        /// The sentence shown on the page.
        message: String,
    },
    /// The engine panicked; the worker is dead after this message.
    Panicked {
        /// The panic message and location.
        message: String,
    },
}

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
    fn a_codebook_gives_each_code_its_tile_and_mean_colour() {
        // Two 2×2 tiles: code 0 black and white halves, code 1 all red.
        let mut tiles = [[0, 0, 0, 255], [255, 255, 255, 255]].repeat(2).concat();
        tiles.extend([255, 0, 0, 255].repeat(4));
        let codebook = Codebook {
            tile: 2,
            tiles,
            train_usage: vec![1, 1],
            millis: 0.0,
        };
        assert_eq!(codebook.mean_colours(), vec![[127, 127, 127], [255, 0, 0]]);
        assert_eq!(codebook.tile_rgba(1), Some(&[255, 0, 0, 255].repeat(4)[..]));
        assert_eq!(codebook.tile_rgba(2), None);
    }

    #[test]
    fn distances_and_margins_come_from_the_nearest_codes() {
        let mut encoding = Encoding {
            source: String::new(),
            source_size: (8, 4),
            width: 8,
            height: 4,
            grid_width: 2,
            grid_height: 1,
            codes: vec![3, 1],
            nearest: vec![3, 0, 1, 2],
            nearest_distance: vec![0.5, 2.0, 1.0, 1.25],
            original: Vec::new(),
            reconstruction: Vec::new(),
            inverted: false,
            invert_reason: String::new(),
            millis: 0.0,
        };
        assert_eq!(
            encoding.nearest_of(1),
            Some((&[1, 2][..], &[1.0, 1.25][..]))
        );
        assert_eq!(encoding.distance(0), Some(0.5));
        assert_eq!(encoding.margins(), vec![1.5, 0.25]);
        assert_eq!(encoding.nearest_of(2), None);
        encoding.nearest.clear();
        encoding.nearest_distance.clear();
        assert_eq!(
            (encoding.distance(0), encoding.margins()),
            (None, Vec::new())
        );
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
