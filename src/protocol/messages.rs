//! The two message types: [`ToEngine`] (page → engine) and [`FromEngine`] (engine → page).

use serde::{Deserialize, Serialize};

use super::{
    BackendPreference, CellCode, CellInside, CodePatches, Codebook, CodebookMap, Drawn, Encoding,
    EngineReport, Invert, LoadStage, LossReport, ModelInfo, MovedCell, PatchPixels, Sampling,
    SuggestedCode, TrainedFiles,
};

/// Messages from the UI to the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// Choose the device (once per worker), warm it up, answer [`FromEngine::Ready`].
    Init {
        /// What the user asked for.
        preference: BackendPreference,
        /// Whether the engine takes [`ToEngine::Crash`] (the page's `?test-hooks`, for the
        /// end-to-end tests of a restart).
        test_hooks: bool,
        /// On the CPU backend, run the autoencoder with burn's layers rather than the host
        /// kernels (the page's `?autoencoder=burn`, which the benchmark measures against them).
        #[serde(default)]
        burn_autoencoder: bool,
        /// Decode every upload whole with the image crate, large ones too, rather than
        /// letting the browser decode those smaller (the page's `?decoder=whole`, which the
        /// benchmark measures against it).
        #[serde(default)]
        whole_decode: bool,
    },
    /// Fetch, verify and load a model; answers [`FromEngine::LoadProgress`] messages, then
    /// [`FromEngine::ModelLoaded`] or [`FromEngine::ModelFailed`].
    LoadModel {
        /// One of the catalogue's models ([`super::Catalogue`]).
        name: String,
    },
    /// Add a model trained in the page (its files, checked against its manifest) to the
    /// catalogue, under its name or another when that one is taken; answers
    /// [`FromEngine::ModelAdded`] or [`FromEngine::Refused`] with [`Request::AddModel`]. Then
    /// [`ToEngine::LoadModel`] loads it from the engine's memory.
    AddModel {
        /// The model's files.
        files: TrainedFiles,
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
    /// Make `codes` the current grid without decoding it: the page restores its grid into a
    /// restarted engine, or after a reload (it kept the pixels). With the picture the grid was
    /// encoded from, the engine encodes it again for what it keeps of a picture (`x`, `z_e`,
    /// `x̂`: the inside of a cell, the loss terms, the map). Answers nothing, or
    /// [`FromEngine::Refused`].
    Restore {
        /// Cells per row.
        grid_width: usize,
        /// Rows.
        grid_height: usize,
        /// Codes, row-major.
        #[serde(with = "crate::packed")]
        codes: Vec<u32>,
        /// The picture the grid was encoded from: RGBA of the model's input, 4 pixels a cell
        /// each way; empty for a grid not encoded from a picture (a sample, a shared grid).
        #[serde(default, with = "serde_bytes")]
        original: Vec<u8>,
    },
    /// Stop the drawing `id` ([`ToEngine::Sample`], [`ToEngine::Complete`]) at its next
    /// snapshot; it answers [`FromEngine::DrawFailed`] with a sentence that says where it
    /// stopped. Nothing for a drawing that has ended.
    Cancel {
        /// The drawing's number.
        id: u64,
    },
    /// Test hook: the engine panics, as it would on a bug, so that an end-to-end test sees the
    /// page restart it. Refused unless [`ToEngine::Init`] asked for `test_hooks`.
    Crash,
    /// How much memory the engine's WebAssembly holds; answers [`FromEngine::Memory`].
    Memory,
    /// Inside a cell of the current grid: its encoder output and its distance to every code;
    /// answers [`FromEngine::Inside`].
    Inside {
        /// Cell row.
        row: usize,
        /// Cell column.
        col: usize,
    },
    /// The cell's encoder output moved a fraction `t` of the way toward code `toward`,
    /// quantised, and the window around the cell decoded with the code it quantises to (the
    /// grid is not changed); answers [`FromEngine::Moved`].
    Move {
        /// Cell row.
        row: usize,
        /// Cell column.
        col: usize,
        /// The code to move toward.
        toward: u32,
        /// How far, from 0 (`z_e`) to 1 (the code's vector).
        t: f32,
    },
    /// The loss terms of the current image, now and as encoded; answers
    /// [`FromEngine::Losses`].
    Losses,
    /// The codebook's map (its two principal components) with the current image's cells;
    /// answers [`FromEngine::Map`].
    Map,
    /// Patches of real pictures whose cells quantise to `code`; answers
    /// [`FromEngine::CodePatches`].
    CodePatches {
        /// The code.
        code: u32,
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

/// The requests whose failure is a [`FromEngine::Refused`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// [`ToEngine::Init`]: the engine could not start (its warm-up or the catalogue).
    Init,
    /// [`ToEngine::Codebook`].
    Codebook,
    /// [`ToEngine::Surprisal`].
    Surprisal,
    /// [`ToEngine::Suggest`].
    Suggest,
    /// [`ToEngine::SetCells`] (undo, redo, reset).
    SetCells,
    /// [`ToEngine::Restore`] (after a restart).
    Restore,
    /// [`ToEngine::Crash`] without test hooks.
    Crash,
    /// [`ToEngine::Inside`].
    Inside,
    /// [`ToEngine::Move`].
    Move,
    /// [`ToEngine::Losses`].
    Losses,
    /// [`ToEngine::Map`].
    Map,
    /// [`ToEngine::CodePatches`].
    CodePatches,
    /// [`ToEngine::AddModel`].
    AddModel,
    /// A message the engine could not read.
    Unreadable,
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
    /// The answer to [`ToEngine::AddModel`]: the catalogue with the model in it, and the name
    /// it has there.
    ModelAdded {
        /// The catalogue, the new model last.
        catalogue: super::Catalogue,
        /// The model's name in it.
        name: String,
    },
    /// An upload is being prepared (a large one, decoded at a smaller size): a line for the
    /// page while [`ToEngine::Encode`] works.
    Preparing {
        /// The file's name, as sent.
        source: String,
        /// What the engine is doing, one sentence.
        line: String,
    },
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
    /// The answer to [`ToEngine::Inside`].
    Inside(CellInside),
    /// The answer to [`ToEngine::Move`].
    Moved(MovedCell),
    /// The answer to [`ToEngine::Losses`]: `None` for a grid that was not encoded from an
    /// image (a sample, a shared or restored grid), which has no `x` and no `z_e`.
    Losses(Option<LossReport>),
    /// The answer to [`ToEngine::Map`].
    Map(CodebookMap),
    /// The answer to [`ToEngine::CodePatches`].
    CodePatches(CodePatches),
    /// The answer to [`ToEngine::Memory`].
    Memory {
        /// The bytes of the engine's WebAssembly memory (which only grows); `None` where the
        /// engine is not WebAssembly (native tests).
        bytes: Option<u64>,
    },
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
    /// A request could not be answered; the sentence says what happened and what to do. The
    /// page shows it where the request was made and goes on (but for [`Request::Init`]: an
    /// engine that could not start). Requests with answers of their own say so with them
    /// ([`FromEngine::ModelFailed`], [`FromEngine::EncodeFailed`], …).
    Refused {
        /// What was asked.
        request: Request,
        /// The sentence shown on the page.
        message: String,
    },
    /// Speculative work ([`Request::Suggest`], [`Request::Surprisal`]) gave way to an edit that
    /// changed its grid: nothing to show, the page asks again for the grid as it is now.
    Superseded {
        /// What was asked.
        request: Request,
    },
    /// The engine panicked; the worker is dead after this message.
    Panicked {
        /// The panic message and location.
        message: String,
    },
}
