//! The engine's state and its answer to every request: a plain type, compiled and tested
//! natively ([`tests`]), that the Web Worker ([`super::worker`]) only feeds with messages.
//!
//! A [`Session`] holds the device (chosen by the first [`ToEngine::Init`]), the catalogue of
//! models, the loaded model and the grid of codes of the current image with the user's edits.
//! [`Session::handle`] answers one request through the session's outbox, with
//! [`FromEngine`] messages: progress while it works, then the answer or a sentence saying
//! why not ([`EngineError`]).
//!
//! Ordering: requests may overlap (the worker starts each as it arrives, and they interleave
//! at their `await`s). Every request reads or changes the grid before its first `await`, so it
//! sees the grid as of its turn: an edit sent before a surprisal request is in the grid the
//! surprisal is computed on. No state is borrowed across an `await`.
//!
//! Edits first: speculative work (suggestions, surprisal) runs in small steps and gives the
//! worker's event loop a turn between two; it waits while a request of the user's is under
//! way, and stops ([`FromEngine::Superseded`]) when an edit changed its grid, which the page
//! then asks about again. A drawing gives a turn every 40 ms, so an edit waits at most that.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use burn::tensor::Device;
use vq_model::inside::HostCodebook;
use vq_model::map::Pca2;
use vq_model::prior::HostPrior;
use vq_model::sampler::Grid;
use vq_model::weights::LoadedModel;
use web_time::Instant;

use super::generate::Turn;
use super::held::Held;
use super::meaning::Meanings;
use super::source::ModelSource;
use super::{ChosenDevice, EngineError, generate, lab};
use crate::protocol::{
    Catalogue, CellCode, Codebook, Drawn, Encoding, FromEngine, Invert, PHOTO_SIZES, PatchPixels,
    Request, Sampling, SuggestedCode, ToEngine, TrainedFiles,
};

mod inside;
mod loading;
mod teaching;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
mod trained;

/// The engine's state and its answers; see the module's documentation.
pub struct Session<S> {
    /// Where the catalogue and the models' files come from.
    source: S,
    /// Where answers go (the worker posts them to the page).
    outbox: Box<dyn Fn(FromEngine)>,
    /// The device, chosen by the first [`ToEngine::Init`] and kept for the session's life.
    chosen: RefCell<Option<ChosenDevice>>,
    /// The models the page offers, read by the first [`ToEngine::Init`].
    catalogue: RefCell<Option<Catalogue>>,
    /// The models trained in the page, added by [`ToEngine::AddModel`], by their names in the
    /// catalogue.
    trained: RefCell<Vec<(String, Rc<TrainedFiles>)>>,
    /// The loaded model.
    model: RefCell<Option<Rc<LoadedModel>>>,
    /// The loaded prior's weights on the host, for the cached sampler; `None` for a model
    /// without a prior.
    host_prior: RefCell<Option<Rc<HostPrior>>>,
    /// The grid of codes of the current image, with the user's edits.
    grid: RefCell<Option<Grid>>,
    /// What the engine keeps of the current image on the host (`x`, `x̂`, `z_e`); `None` for a
    /// grid that was not encoded from an image (a sample, a shared or restored grid).
    held: RefCell<Option<Held>>,
    /// The loaded model's codebook on the host, for the inside of a cell.
    host_codebook: RefCell<Option<Rc<HostCodebook>>>,
    /// The codebook's principal axes, fitted at the first [`ToEngine::Map`] of a model.
    map: RefCell<Option<Rc<Pca2>>>,
    /// The cells of the model's pictures by code, indexed at the first
    /// [`ToEngine::CodePatches`] of a model.
    meanings: RefCell<Option<Rc<Meanings>>>,
    /// Whether [`ToEngine::Crash`] is taken (set by [`ToEngine::Init`]).
    test_hooks: Cell<bool>,
    /// Whether the CPU backend runs the autoencoder with burn's layers rather than the host
    /// kernels (set by [`ToEngine::Init`]).
    burn_autoencoder: Cell<bool>,
    /// Whether large uploads are decoded whole too (set by [`ToEngine::Init`]).
    whole_decode: Cell<bool>,
    /// The drawings under way, and whether each was asked to stop.
    drawings: RefCell<Vec<(u64, bool)>>,
    /// Counts the images the session took (encoded, restored, drawn, or none after a model
    /// loaded): work started for one image leaves another alone.
    images: Cell<u64>,
    /// Requests of the user's under way (all but the speculative suggestions, surprisal and
    /// codebook), which speculative work waits for.
    users_requests: Cell<usize>,
}

/// Counts a request of the user's as under way while it lives.
struct UsersRequest<'a>(&'a Cell<usize>);

impl<'a> UsersRequest<'a> {
    fn enter(count: &'a Cell<usize>) -> Self {
        count.set(count.get() + 1);
        Self(count)
    }
}

impl Drop for UsersRequest<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// The bytes of the engine's WebAssembly memory; `None` natively.
fn memory_bytes() -> Option<u64> {
    #[cfg(target_arch = "wasm32")]
    return Some(crate::js::wasm_memory_bytes());
    #[cfg(not(target_arch = "wasm32"))]
    None
}

/// The site build the worker's loader named (`VQ_LAB_BUILD`); `None` natively and without a
/// loader (the browser tests).
fn build() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    return crate::js::global_string("VQ_LAB_BUILD");
    #[cfg(not(target_arch = "wasm32"))]
    None
}

/// Milliseconds since `started`.
fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

impl<S: ModelSource> Session<S> {
    /// A session with nothing chosen or loaded, answering through `outbox`.
    pub fn new(source: S, outbox: impl Fn(FromEngine) + 'static) -> Self {
        Self {
            source,
            outbox: Box::new(outbox),
            chosen: RefCell::new(None),
            catalogue: RefCell::new(None),
            trained: RefCell::new(Vec::new()),
            model: RefCell::new(None),
            host_prior: RefCell::new(None),
            grid: RefCell::new(None),
            held: RefCell::new(None),
            host_codebook: RefCell::new(None),
            map: RefCell::new(None),
            meanings: RefCell::new(None),
            test_hooks: Cell::new(false),
            burn_autoencoder: Cell::new(false),
            whole_decode: Cell::new(false),
            drawings: RefCell::new(Vec::new()),
            users_requests: Cell::new(0),
            images: Cell::new(0),
        }
    }

    fn post(&self, message: FromEngine) {
        (self.outbox)(message);
    }

    /// Answers a message the worker could not read: a sentence, and the session goes on.
    pub fn refuse(&self, error: &EngineError) {
        self.post(refused(Request::Unreadable, error));
    }

    /// Answers `request`: progress messages while it works, then its answer or its failure.
    pub async fn handle(&self, request: ToEngine) {
        let speculative = matches!(
            request,
            ToEngine::Suggest { .. } | ToEngine::Surprisal { .. } | ToEngine::Codebook
        );
        let _users = (!speculative).then(|| UsersRequest::enter(&self.users_requests));
        let answer = match request {
            ToEngine::Init {
                preference,
                test_hooks,
                burn_autoencoder,
                whole_decode,
            } => {
                self.test_hooks.set(test_hooks);
                self.burn_autoencoder.set(burn_autoencoder);
                self.whole_decode.set(whole_decode);
                self.init(preference)
                    .await
                    .map_or_else(|err| refused(Request::Init, &err), FromEngine::Ready)
            }
            ToEngine::Restore {
                grid_width,
                grid_height,
                codes,
                original,
            } => match self.restore(grid_width, grid_height, codes) {
                Ok(()) => match self.hold_again(original).await {
                    Ok(()) => return,
                    Err(err) => refused(Request::Restore, &err),
                },
                Err(err) => refused(Request::Restore, &err),
            },
            ToEngine::Cancel { id } => {
                for (drawing, stop) in self.drawings.borrow_mut().iter_mut() {
                    *stop |= *drawing == id;
                }
                return;
            }
            ToEngine::Crash if self.test_hooks.get() => {
                panic!("the page asked the engine to crash (?test-hooks)")
            }
            ToEngine::Crash => refused(Request::Crash, &EngineError::NoTestHooks),
            ToEngine::Memory => FromEngine::Memory {
                bytes: memory_bytes(),
            },
            ToEngine::Inside { row, col } => self
                .inside(row, col)
                .await
                .map_or_else(|err| refused(Request::Inside, &err), FromEngine::Inside),
            ToEngine::Move {
                row,
                col,
                toward,
                t,
            } => self
                .moved(row, col, toward, t)
                .await
                .map_or_else(|err| refused(Request::Move, &err), FromEngine::Moved),
            ToEngine::Losses => self
                .losses()
                .await
                .map_or_else(|err| refused(Request::Losses, &err), FromEngine::Losses),
            ToEngine::Map => self
                .map()
                .map_or_else(|err| refused(Request::Map, &err), FromEngine::Map),
            ToEngine::CodePatches { code } => self.code_patches(code).await.map_or_else(
                |err| refused(Request::CodePatches, &err),
                FromEngine::CodePatches,
            ),
            ToEngine::LoadModel { name } => match self.load_model(&name).await {
                Ok(info) => FromEngine::ModelLoaded(info),
                Err(err) => FromEngine::ModelFailed {
                    name,
                    message: err.to_string(),
                },
            },
            ToEngine::AddModel { files } => match self.add_model(files) {
                Ok((catalogue, name)) => FromEngine::ModelAdded { catalogue, name },
                Err(err) => refused(Request::AddModel, &err),
            },
            ToEngine::Encode {
                bytes,
                source,
                invert,
                long_side,
            } => match self.encode(&bytes, &source, invert, long_side).await {
                Ok(encoding) => FromEngine::Encoded(Box::new(encoding)),
                Err(err) => FromEngine::EncodeFailed {
                    source,
                    message: err.to_string(),
                },
            },
            ToEngine::Edit { id, cells } => {
                let started = Instant::now();
                match self.edit(&cells).await {
                    Ok(patch) => FromEngine::Patched {
                        id,
                        cells,
                        patch,
                        millis: millis(started),
                    },
                    Err(err) => FromEngine::EditFailed {
                        id,
                        message: err.to_string(),
                    },
                }
            }
            ToEngine::SetCells { cells } => match self.set_cells(&cells) {
                // Undo, redo and reset paste pixels the page kept: nothing to answer.
                Ok(_) => return,
                Err(err) => refused(Request::SetCells, &err),
            },
            ToEngine::Sample {
                id,
                sampling,
                count,
            } => self
                .sample(id, &sampling, count)
                .await
                .map_or_else(|err| draw_failed(id, &err), FromEngine::Drawn),
            ToEngine::Complete {
                id,
                mask,
                sampling,
                count,
            } => self
                .complete(id, &mask, &sampling, count)
                .await
                .map_or_else(|err| draw_failed(id, &err), FromEngine::Drawn),
            ToEngine::UseGrid {
                source,
                grid_width,
                grid_height,
                codes,
            } => match self.use_grid(&source, grid_width, grid_height, codes).await {
                Ok(encoding) => FromEngine::Encoded(Box::new(encoding)),
                Err(err) => FromEngine::EncodeFailed {
                    source,
                    message: err.to_string(),
                },
            },
            ToEngine::Codebook => self
                .codebook()
                .await
                .map_or_else(|err| refused(Request::Codebook, &err), FromEngine::Codebook),
            ToEngine::Surprisal { class } => {
                let started = Instant::now();
                match self.surprisal(class).await {
                    Ok((codes, bits)) => FromEngine::Surprisal {
                        codes,
                        bits,
                        millis: millis(started),
                    },
                    Err(err) => refused(Request::Surprisal, &err),
                }
            }
            ToEngine::Suggest { row, col, class } => {
                let started = Instant::now();
                match self.suggest(row, col, class).await {
                    Ok(codes) => FromEngine::Suggestions {
                        row,
                        col,
                        codes,
                        millis: millis(started),
                    },
                    Err(err) => refused(Request::Suggest, &err),
                }
            }
        };
        self.post(answer);
    }

    // ------------------------------------------------------------------ device and models

    fn device(&self) -> Result<Device, EngineError> {
        self.chosen
            .borrow()
            .as_ref()
            .map(|chosen| chosen.device.clone())
            .ok_or(EngineError::NotStarted)
    }

    fn model(&self) -> Result<Rc<LoadedModel>, EngineError> {
        self.model.borrow().clone().ok_or(EngineError::NoModel)
    }

    /// The loaded model's prior on the host: [`EngineError::NoPrior`] for a model without one.
    fn host_prior(&self) -> Result<Rc<HostPrior>, EngineError> {
        let host = self.host_prior.borrow().clone();
        match host {
            Some(host) => Ok(host),
            None => self.model().and(Err(EngineError::NoPrior)),
        }
    }

    /// The current grid: a copy, taken before any `await`, so that it is the grid as of this
    /// request's turn.
    fn current_grid(&self) -> Result<Grid, EngineError> {
        self.grid.borrow().clone().ok_or(EngineError::NoGrid)
    }

    // ------------------------------------------------------------------ the lab

    async fn encode(
        &self,
        bytes: &[u8],
        source: &str,
        invert: Invert,
        long_side: u32,
    ) -> Result<Encoding, EngineError> {
        let device = self.device()?;
        let model = self.model()?;
        let scaled = if self.whole_decode.get() {
            None
        } else {
            lab::scaled_decode(bytes, &model.config, long_side)?
        };
        let prepared = match scaled {
            Some(scaled) => {
                self.post(FromEngine::Preparing {
                    source: source.to_owned(),
                    line: scaled.line(),
                });
                let started = Instant::now();
                let image = self.decode_scaled(bytes, &scaled, source).await?;
                self.post(FromEngine::Preparing {
                    source: source.to_owned(),
                    line: format!(
                        "Decoded at {}×{} in {:.0} ms; encoding…",
                        image.width(),
                        image.height(),
                        millis(started)
                    ),
                });
                lab::prepare_image(&image, scaled.source_size, &model.config, invert, long_side)?
            }
            None => lab::prepare(bytes, &model.config, invert, long_side)?,
        };
        let (encoding, grid, mut held) = lab::encode(&model, &prepared, source, &device).await?;
        held.remember_encoded_terms(&*self.host_codebook()?, model.config.vqvae.commitment_cost);
        self.grid.replace(Some(grid));
        self.new_image(Some(held));
        Ok(encoding)
    }

    /// A large upload decoded at `scaled.size`: by the browser, which can scale while it
    /// decodes ([`crate::engine::scaled`]); where it cannot, with the image crate at full size,
    /// and the page is told why.
    async fn decode_scaled(
        &self,
        bytes: &[u8],
        scaled: &lab::ScaledDecode,
        source: &str,
    ) -> Result<vq_model::image::RgbaImage, EngineError> {
        #[cfg(target_arch = "wasm32")]
        match crate::engine::scaled::decode(bytes, scaled.size).await {
            Ok(image) => return Ok(image),
            Err(reason) => self.post(FromEngine::Preparing {
                source: source.to_owned(),
                line: format!(
                    "The browser could not decode it smaller ({reason}); decoding every pixel…"
                ),
            }),
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = source;
        scaled.here(bytes)
    }

    /// Sets `cells` in the grid if every one is a cell of it and a code of the model, without
    /// decoding them (undo, redo, reset: the page pastes the pixels it kept), so `x̂` has them
    /// to decode when the loss terms are next asked for.
    fn set_cells(&self, cells: &[CellCode]) -> Result<Grid, EngineError> {
        let grid = self.set_codes(cells)?;
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.mark_stale(cells);
        }
        Ok(grid)
    }

    /// Sets `cells` in the grid if every one is a cell of it and a code of the model.
    fn set_codes(&self, cells: &[CellCode]) -> Result<Grid, EngineError> {
        let codebook_size = self.model()?.config.vqvae.codebook_size;
        let mut grid = self.grid.borrow_mut();
        let grid = grid.as_mut().ok_or(EngineError::NoGrid)?;
        vq_codes::check_cells(cells, grid.width, grid.height, codebook_size)?;
        for &(row, col, code) in cells {
            grid.codes[row * grid.width + col] = code;
        }
        Ok(grid.clone())
    }

    async fn edit(&self, cells: &[CellCode]) -> Result<PatchPixels, EngineError> {
        if cells.is_empty() {
            return Err(EngineError::EmptyEdit);
        }
        let device = self.device()?;
        let model = self.model()?;
        // Set the codes before the first await, so edits apply in the order they were sent.
        let grid = self.set_codes(cells)?;
        let (patch, planes) = lab::patch(&model, &grid, cells, &device)
            .await?
            .ok_or(EngineError::EmptyEdit)?;
        // x̂ follows, unless the grid changed meanwhile (a later edit marks its own cells).
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.paste(
                (patch.top, patch.left),
                (patch.width, patch.height),
                &planes,
            );
        }
        Ok(patch)
    }

    /// Makes `codes` the current grid, checked like [`ToEngine::UseGrid`], without decoding.
    fn restore(
        &self,
        grid_width: usize,
        grid_height: usize,
        codes: Vec<u32>,
    ) -> Result<(), EngineError> {
        let model = self.model()?;
        check_grid_for(&model, grid_width, grid_height, &codes)?;
        self.grid.replace(Some(Grid {
            height: grid_height,
            width: grid_width,
            codes,
        }));
        self.new_image(None);
        Ok(())
    }

    /// Takes a new image: what the session keeps of it, if it is a picture.
    fn new_image(&self, held: Option<Held>) {
        self.images.set(self.images.get() + 1);
        self.held.replace(held);
    }

    /// Encodes again the picture a restored grid was encoded from (`original`: RGBA of the
    /// grid's size in pixels; empty: none), so that the session holds its `x`, `z_e` and `x̂`
    /// as after the first encode. Its `x̂` is the decode of the encoder's codes; the cells
    /// edited since are decoded when the loss terms are next asked for. A picture of another
    /// size than the grid is left out.
    async fn hold_again(&self, original: Vec<u8>) -> Result<(), EngineError> {
        let image = self.images.get();
        let grid = self.current_grid()?;
        let model = self.model()?;
        let scale = model.config.vqvae.downsample();
        let (width, height) = (grid.width * scale, grid.height * scale);
        if original.is_empty() || original.len() != 4 * width * height {
            return Ok(());
        }
        let device = self.device()?;
        let prepared = lab::Prepared {
            rgba: original,
            width,
            height,
            source_size: (width as u32, height as u32),
            inverted: false,
            invert_reason: String::new(),
        };
        let (_, encoded, mut held) = lab::encode(&model, &prepared, "", &device).await?;
        held.remember_encoded_terms(&*self.host_codebook()?, model.config.vqvae.commitment_cost);
        // Another image taken meanwhile keeps what it holds.
        if self.images.get() != image {
            return Ok(());
        }
        // The grid as it is now (edits may have landed during the encode): its cells that
        // differ from the encoder's are decoded when the losses are next asked for.
        let now = self.current_grid()?;
        let changed: Vec<CellCode> = now
            .codes
            .iter()
            .zip(&encoded.codes)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (&code, _))| (i / now.width, i % now.width, code))
            .collect();
        held.mark_stale(&changed);
        self.held.replace(Some(held));
        Ok(())
    }

    async fn use_grid(
        &self,
        source: &str,
        grid_width: usize,
        grid_height: usize,
        codes: Vec<u32>,
    ) -> Result<Encoding, EngineError> {
        let device = self.device()?;
        let model = self.model()?;
        check_grid_for(&model, grid_width, grid_height, &codes)?;
        let started = Instant::now();
        let grid = Grid {
            height: grid_height,
            width: grid_width,
            codes,
        };
        self.grid.replace(Some(grid.clone()));
        self.new_image(None);
        let (pictures, (width, height)) =
            generate::decode_pictures(&model, std::slice::from_ref(&grid), &device).await?;
        let picture = pictures.into_iter().next().unwrap_or_default();
        Ok(Encoding {
            source: source.to_owned(),
            source_size: (width as u32, height as u32),
            width,
            height,
            grid_width,
            grid_height,
            codes: grid.codes,
            nearest: Vec::new(),
            nearest_distance: Vec::new(),
            original: picture.clone(),
            reconstruction: picture,
            inverted: false,
            invert_reason: "Drawn by the prior: the original is its decode.".to_owned(),
            millis: millis(started),
        })
    }

    // ------------------------------------------------------------------ the prior

    async fn sample(
        &self,
        id: u64,
        sampling: &Sampling,
        count: usize,
    ) -> Result<Drawn, EngineError> {
        let device = self.device()?;
        let model = self.model()?;
        let host = self.host_prior()?;
        let options = generate::sample_options(sampling, &model)?;
        let drawer = generate::new_samples(&model, count, options, sampling.sampler, &host);
        self.draw(id, &model, drawer, &device).await
    }

    /// Draws with snapshots, and stops when [`ToEngine::Cancel`] names `id`.
    async fn draw(
        &self,
        id: u64,
        model: &LoadedModel,
        drawer: generate::Drawer,
        device: &Device,
    ) -> Result<Drawn, EngineError> {
        self.drawings.borrow_mut().push((id, false));
        let stop = || {
            self.drawings
                .borrow()
                .iter()
                .any(|&(drawing, stop)| drawing == id && stop)
        };
        let drawn = generate::draw(
            id,
            model,
            drawer,
            device,
            &mut |drawn| self.post(FromEngine::Drawing(drawn)),
            &stop,
        )
        .await;
        self.drawings
            .borrow_mut()
            .retain(|&(drawing, _)| drawing != id);
        drawn
    }

    async fn complete(
        &self,
        id: u64,
        mask: &[bool],
        sampling: &Sampling,
        count: usize,
    ) -> Result<Drawn, EngineError> {
        let device = self.device()?;
        let model = self.model()?;
        let host = self.host_prior()?;
        let grid = self.current_grid()?;
        let options = generate::sample_options(sampling, &model)?;
        let drawer =
            generate::new_completion(&grid, mask, count, options, sampling.sampler, &host)?;
        self.draw(id, &model, drawer, &device).await
    }

    async fn codebook(&self) -> Result<Codebook, EngineError> {
        let started = Instant::now();
        let device = self.device()?;
        let model = self.model()?;
        let (tiles, tile) = generate::codebook_tiles(&model, &device).await?;
        Ok(Codebook {
            tile,
            tiles,
            train_usage: model.manifest.train_usage.clone(),
            millis: millis(started),
        })
    }

    /// What speculative work for `grid` does at its turn: stop when the grid is no longer
    /// `grid`, wait while a request of the user's is under way.
    fn turn_for(&self, grid: &Grid) -> Turn {
        if self.grid.borrow().as_ref() != Some(grid) {
            Turn::Stop
        } else if self.users_requests.get() > 0 {
            Turn::Wait
        } else {
            Turn::Go
        }
    }

    async fn surprisal(&self, class: Option<usize>) -> Result<(Vec<u32>, Vec<f32>), EngineError> {
        let model = self.model()?;
        let host = self.host_prior()?;
        let grid = self.current_grid()?;
        let turn = || self.turn_for(&grid);
        let bits = generate::surprisal(&model, &host, &grid, class, &turn).await?;
        Ok((grid.codes, bits))
    }

    async fn suggest(
        &self,
        row: usize,
        col: usize,
        class: Option<usize>,
    ) -> Result<Vec<SuggestedCode>, EngineError> {
        let device = self.device()?;
        let model = self.model()?;
        let host = self.host_prior()?;
        let grid = self.current_grid()?;
        let turn = || self.turn_for(&grid);
        generate::suggest(&model, &host, &grid, (row, col), class, &device, &turn).await
    }
}

/// Checks that `codes` is a `grid_width × grid_height` grid `model` makes: no larger than its
/// uploads give, every code below `K`.
fn check_grid_for(
    model: &LoadedModel,
    grid_width: usize,
    grid_height: usize,
    codes: &[u32],
) -> Result<(), EngineError> {
    Ok(vq_codes::check_grid_for_model(
        grid_width,
        grid_height,
        codes,
        model.config.vqvae.codebook_size,
        (&model.config.name, max_grid_side(model)),
    )?)
}

/// The largest grid side `model` makes: a grey model's image size, or the largest photo size,
/// over the encoder's downsampling.
pub fn max_grid_side(model: &LoadedModel) -> usize {
    let pixels = if model.config.vqvae.in_channels == 1 {
        model.config.image_size
    } else {
        PHOTO_SIZES.iter().copied().max().unwrap_or(512) as usize
    };
    (pixels / model.config.vqvae.downsample()).max(1)
}

fn refused(request: Request, err: &EngineError) -> FromEngine {
    if *err == EngineError::Superseded {
        return FromEngine::Superseded { request };
    }
    FromEngine::Refused {
        request,
        message: err.to_string(),
    }
}

fn draw_failed(id: u64, err: &EngineError) -> FromEngine {
    FromEngine::DrawFailed {
        id,
        message: err.to_string(),
    }
}
