//! What the page knows, as plain data changed by the engine's messages and by the user; tested
//! natively. One module per concern:
//!
//! - [`engine`]: the engine's start ([`EngineState`](engine::EngineState)) and the times of its
//!   operations;
//! - [`model`]: the catalogue, the chosen model's loading, its codebook;
//! - [`history`]: the encoded image, its codes and reconstruction, and the edits with undo and
//!   redo (which paste pixels they kept, so they restore the reconstruction exactly);
//! - [`prior`]: drawings, surprisal, suggestions and the mask;
//! - [`teaching`]: the loss terms and the codebook's map of the current image;
//! - [`trained`]: a model trained in the page added to the lab (its files, or a bundle read
//!   back), and the prior tools' sentence for a model without a prior;
//! - [`training`]: the training panel (its own state, beside [`LabState`]): the trainer's
//!   status, the knobs, the run's curves and the previous run's.
//!
//! [`LabState`] holds one of each, with what the lab's views share (the selected cell, the
//! highlighted code, the copied region), and routes each engine message to its part.

pub mod edits;
pub mod engine;
pub mod history;
pub mod inside;
pub mod model;
pub mod prior;
pub mod saved;
pub mod teaching;
pub mod trained;
pub mod training;

use self::edits::Edits;
use self::engine::Timings;
use self::history::{Image, Step};
use self::model::{ModelState, ModelStatus};
use self::prior::{DrawPurpose, PriorState, Suggestions, Surprisal};
use crate::protocol::{CellCode, FromEngine, Request, ToEngine};
use crate::ui::tools::{Cell, CodeRegion};

/// Everything the lab shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabState {
    /// The catalogue, the chosen model and its codebook.
    pub model: ModelState,
    /// The encoded image and its history of edits, once there is one.
    pub image: Option<Image>,
    /// Edits on their way, the last one's time and failure.
    pub edits: Edits,
    /// Drawings, surprisal, suggestions, the mask.
    pub prior: PriorState,
    /// The name of the file being encoded.
    pub encoding: Option<String>,
    /// The engine's line about a file it prepares (a large upload decoded smaller): the
    /// file's name and the line, shown while that file is the one being encoded.
    pub preparing: Option<(String, String)>,
    /// Why the last file (or grid, or link) could not be used.
    pub upload_error: Option<String>,
    /// The selected cell.
    pub selected: Option<Cell>,
    /// The code whose cells the heatmap highlights.
    pub highlighted_code: Option<u32>,
    /// Codes copied from a region (kept when another image is opened).
    pub clipboard: Option<CodeRegion>,
    /// The engine's operations' last times.
    pub timings: Timings,
    /// True while a restarted engine reloads the model the page had: the model's status and
    /// the image stay as they are meanwhile.
    pub restoring: bool,
    /// True while the model of a session kept from an earlier visit loads
    /// ([`saved::SavedSession`]): the image shows meanwhile, and its grid goes to the engine
    /// once the model is loaded.
    pub resuming: bool,
    /// Requests the state asks to send (a restart's model and grid, deferred undo steps); the
    /// page sends them.
    pub outbox: Vec<ToEngine>,
    /// Undo, redo and reset asked for while edits were on their way: taken, in order, when the
    /// engine has answered them all, so the page and the engine never hold different grids.
    pub deferred_steps: Vec<Step>,
    /// The inside of the selected cell (its `z_e`, its distances, the slider's moved vector).
    pub inside: inside::InsideState,
    /// The engine's WebAssembly memory, asked for by the page after each encode and drawing.
    pub engine_memory: EngineMemory,
    /// The loss terms and the codebook's map of the current image.
    pub teaching: teaching::TeachingState,
    /// Images encoded (or grids used) in this page: the map of an image is asked for once.
    pub images: u64,
}

/// The engine's last report of its WebAssembly memory ([`FromEngine::Memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EngineMemory {
    /// Bytes, once reported.
    pub bytes: Option<u64>,
    /// Reports received in this page.
    pub reports: u64,
}

impl LabState {
    /// The engine's line about the file being encoded, if it sent one for that file.
    pub fn preparing_line(&self) -> Option<&str> {
        match (&self.encoding, &self.preparing) {
            (Some(encoding), Some((source, line))) if encoding == source => Some(line),
            _ => None,
        }
    }

    /// True for the messages this state handles (the rest are the engine's start).
    pub fn handles(message: &FromEngine) -> bool {
        !matches!(
            message,
            FromEngine::Started
                | FromEngine::Ready(_)
                | FromEngine::Refused {
                    request: Request::Init,
                    ..
                }
                | FromEngine::Panicked { .. }
        )
    }

    /// A new engine replaced one that crashed and is ready: what was asked of the old one
    /// will not be answered, and the new one needs the model (then, [`FromEngine::ModelLoaded`],
    /// the grid) the page has. The image, its history and the view stay.
    pub fn engine_restarted(&mut self) {
        self.edits.forget_pending();
        // The new engine holds no picture's numbers (a restored grid has none), and will not
        // answer what the old one was asked.
        self.teaching.model_changed();
        // Steps waiting for the lost edits are taken now; the grid goes to the new engine
        // whole, after its model.
        self.take_deferred_steps();
        self.outbox.clear();
        self.prior.suggesting = false;
        self.prior.measuring_surprisal = false;
        if self.prior.is_drawing() {
            self.prior.drawing = None;
            self.prior.draw_error =
                Some("The engine restarted while it was drawing; draw again.".to_owned());
        }
        self.encoding = None;
        self.preparing = None;
        let name = match &self.model.status {
            ModelStatus::Loaded(info) => {
                self.restoring = true;
                Some(info.name.clone())
            }
            ModelStatus::Loading { name, .. } => Some(name.clone()),
            _ => None,
        };
        // The models trained in the page first (the new engine names them as the first did),
        // then the model.
        let trained: Vec<ToEngine> = self.trained_again().collect();
        self.outbox.extend(trained);
        if self.model.adding.take().is_some() {
            self.model.trained_error =
                Some("The engine restarted before it took the model; load it again.".to_owned());
        }
        if let Some(name) = name {
            self.outbox.push(ToEngine::LoadModel { name });
        }
    }

    /// Applies `change`, then takes the requests it asked to send.
    pub fn then_outbox(&mut self, change: impl FnOnce(&mut Self)) -> Vec<ToEngine> {
        change(self);
        std::mem::take(&mut self.outbox)
    }

    /// Takes `step` (undo, redo, reset) on the image, or defers it while edits are on their
    /// way; returns what the engine must be told now.
    pub fn history_step(&mut self, step: Step) -> Option<ToEngine> {
        if self.edits.pending() > 0 {
            self.deferred_steps.push(step);
            return None;
        }
        let cells = step.take(self.image.as_mut()?)?;
        Some(ToEngine::SetCells { cells })
    }

    /// Takes the deferred steps once no edit is on its way; their requests go to the outbox.
    fn take_deferred_steps(&mut self) {
        if self.edits.pending() > 0 {
            return;
        }
        for step in std::mem::take(&mut self.deferred_steps) {
            if let Some(request) = self.history_step(step) {
                self.outbox.push(request);
            }
        }
    }

    /// The model a restarted engine reloaded: give it the page's grid.
    fn restored_model(&mut self) {
        self.restoring = false;
        self.resuming = false;
        if let Some(image) = &self.image {
            // An encoded picture goes along, for the engine to encode again (a drawn or shared
            // grid's "original" is its own decode: nothing to encode).
            let encoded = !image.encoding.nearest.is_empty();
            self.outbox.push(ToEngine::Restore {
                grid_width: image.encoding.grid_width,
                grid_height: image.encoding.grid_height,
                codes: image.codes.clone(),
                original: if encoded {
                    image.encoding.original.clone()
                } else {
                    Vec::new()
                },
            });
        }
    }

    /// A model was asked for: nothing of the last one's image, grids or codebook holds.
    pub fn loading(&mut self, name: &str) {
        self.restoring = false;
        self.resuming = false;
        self.deferred_steps.clear();
        self.model.loading(name);
        self.prior.model_changed();
        self.inside.clear();
        self.teaching.model_changed();
        self.image = None;
        self.selected = None;
        self.upload_error = None;
        self.highlighted_code = None;
    }

    /// The grid's width and number of cells, if there is an image.
    fn grid_shape(&self) -> Option<(usize, usize)> {
        let image = self.image.as_ref()?;
        Some((image.encoding.grid_width, image.codes.len()))
    }

    /// The surprisal, if it was computed for the current codes.
    pub fn current_surprisal(&self) -> Option<&Surprisal> {
        let image = self.image.as_ref()?;
        self.prior
            .surprisal
            .as_ref()
            .filter(|s| s.codes == image.codes)
    }

    /// Masks or unmasks a cell for completion.
    pub fn set_masked(&mut self, cell: Cell, masked: bool) {
        if let Some(grid) = self.grid_shape() {
            self.prior.mask.set(grid, cell, masked);
        }
    }

    /// A press on a cell while masking (see [`prior::Mask::press`]).
    pub fn mask_press(&mut self, cell: Cell, shift: bool) -> Option<bool> {
        let grid = self.grid_shape().unwrap_or((0, 0));
        self.prior.mask.press(grid, cell, shift)
    }

    /// Whether a cell is masked.
    pub fn is_masked(&self, cell: Cell) -> bool {
        let width = self.image.as_ref().map_or(0, |i| i.encoding.grid_width);
        self.prior.mask.contains(width, cell)
    }

    /// Takes candidate `index` of a finished completion as one edit (undo restores the
    /// region); returns the cells the engine must set.
    pub fn use_candidate(&mut self, index: usize) -> Option<Vec<CellCode>> {
        let (codes, picture) = self.prior.candidate(index)?;
        let (codes, picture) = (codes.to_vec(), picture.to_vec());
        let cells = self.image.as_mut()?.replace_all(&codes, picture)?;
        self.prior.drawing = None;
        self.prior.mask.clear();
        self.prior.suggestions = None;
        Some(cells)
    }

    /// Applies a message of the engine.
    pub fn on_message(&mut self, message: FromEngine) {
        match message {
            FromEngine::LoadProgress {
                name,
                stage,
                loaded,
                total,
            } => {
                if !self.restoring {
                    self.model.status = ModelStatus::Loading {
                        name,
                        stage,
                        loaded,
                        total,
                    };
                }
            }
            FromEngine::ModelLoaded(info) => {
                self.timings.record("load", info.millis);
                self.model.status = ModelStatus::Loaded(info);
                if self.restoring || self.resuming {
                    self.restored_model();
                }
            }
            FromEngine::ModelAdded { catalogue, name } => self.model_added(catalogue, name),
            FromEngine::ModelFailed { name, message } => {
                self.restoring = false;
                self.resuming = false;
                self.model.status = ModelStatus::Failed { name, message };
            }
            FromEngine::Preparing { source, line } => {
                self.preparing = Some((source, line));
            }
            FromEngine::Encoded(encoding) => {
                self.timings.record("encode", encoding.millis);
                self.encoding = None;
                self.preparing = None;
                self.upload_error = None;
                self.edits.error = None;
                self.edits.last_millis = None;
                self.selected = None;
                self.prior.image_changed();
                self.inside.clear();
                self.teaching.clear();
                self.images += 1;
                self.image = Some(Image::new(*encoding));
            }
            FromEngine::EncodeFailed { source, message } => {
                self.encoding = None;
                self.preparing = None;
                self.upload_error = Some(format!("{source}: {message}"));
            }
            FromEngine::Patched {
                id,
                cells,
                patch,
                millis,
            } => {
                let (stroke, held) = self.edits.answered(id);
                self.outbox.extend(held);
                self.edits.last_millis = Some(millis);
                self.timings.record("edit", millis);
                self.edits.error = None;
                if let Some(image) = &mut self.image {
                    image.apply_cells(&cells, patch, stroke);
                }
                self.take_deferred_steps();
            }
            FromEngine::EditFailed { id, message } => {
                let (_, held) = self.edits.answered(id);
                self.outbox.extend(held);
                self.edits.error = Some(message);
                self.take_deferred_steps();
            }
            FromEngine::Drawing(drawn) => {
                self.prior.drawn(drawn);
            }
            FromEngine::Drawn(drawn) => {
                if let Some((operation, millis)) = self.prior.drawn(drawn) {
                    self.timings.record(operation, millis);
                }
            }
            FromEngine::Inside(inside) => self.inside.answered(inside),
            FromEngine::Losses(report) => {
                if self.teaching.losses.answered(report) {
                    self.outbox.push(ToEngine::Losses);
                }
            }
            FromEngine::Map(map) => {
                if self.teaching.map.answered(map) {
                    self.outbox.push(ToEngine::Map);
                }
            }
            FromEngine::CodePatches(patches) => {
                // Only the last code asked for is shown (a later one is sent when this is in).
                let code = patches.code;
                if self.teaching.patches.answered(patches) {
                    match self.teaching.patches_code {
                        Some(next) if next != code => {
                            self.outbox.push(ToEngine::CodePatches { code: next });
                        }
                        _ => self.teaching.patches.settle(),
                    }
                }
            }
            FromEngine::Moved(moved) => {
                if let Some(next) = self.inside.moved(moved) {
                    self.outbox.push(next);
                }
            }
            FromEngine::Memory { bytes } => {
                self.engine_memory = EngineMemory {
                    bytes,
                    reports: self.engine_memory.reports + 1,
                };
            }
            FromEngine::DrawFailed { id, message } => self.prior.draw_failed(id, message),
            FromEngine::Codebook(codebook) => {
                self.timings.record("codebook", codebook.millis);
                self.model.codebook_error = None;
                self.model.codebook = Some(codebook);
            }
            FromEngine::Surprisal {
                codes,
                bits,
                millis,
            } => {
                self.timings.record("surprisal", millis);
                self.prior.measuring_surprisal = false;
                self.prior.surprisal_error = None;
                self.prior.surprisal = Some(Surprisal {
                    codes,
                    bits,
                    millis,
                });
            }
            FromEngine::Suggestions {
                row,
                col,
                codes,
                millis,
            } => {
                self.timings.record("suggestions", millis);
                self.prior.suggesting = false;
                self.prior.suggestions_error = None;
                self.prior.suggestions = Some(Suggestions {
                    row,
                    col,
                    codes,
                    millis,
                });
            }
            FromEngine::Refused { request, message } => self.refused(request, message),
            FromEngine::Superseded { request } => self.superseded(request),
            FromEngine::Started | FromEngine::Ready(_) | FromEngine::Panicked { .. } => {}
        }
    }

    /// A request the engine could not answer: its sentence where it was asked, and what was
    /// waiting for it waits no more.
    fn refused(&mut self, request: Request, message: String) {
        match request {
            Request::Codebook => self.model.codebook_error = Some(message),
            Request::Surprisal => {
                self.prior.measuring_surprisal = false;
                self.prior.surprisal_error = Some(message);
            }
            Request::Suggest => {
                self.prior.suggesting = false;
                self.prior.suggestions_error = Some(message);
            }
            Request::Inside | Request::Move => self.inside.refused(message),
            Request::Losses => self.teaching.losses.refused(message),
            Request::Map => self.teaching.map.refused(message),
            Request::CodePatches => self.teaching.patches.refused(message),
            Request::AddModel => self.add_refused(message),
            Request::SetCells | Request::Restore | Request::Crash | Request::Unreadable => {
                self.edits.error = Some(message);
            }
            // The engine's start: `EngineState` shows it.
            Request::Init => {}
        }
    }

    /// Speculative work gave way to an edit: it waits no more, and no sentence is shown (the
    /// lab asks again for the grid as it is now, [`crate::ui::lab`]'s prior requests).
    fn superseded(&mut self, request: Request) {
        match request {
            Request::Surprisal => self.prior.measuring_surprisal = false,
            Request::Suggest => self.prior.suggesting = false,
            _ => {}
        }
    }

    /// Whether a drawing is under way (for the buttons that start one).
    pub fn is_drawing(&self) -> bool {
        self.prior.is_drawing()
    }

    /// Whether a drawing is for `purpose`.
    pub fn drawing_is_for(&self, purpose: DrawPurpose) -> bool {
        self.prior
            .drawing
            .as_ref()
            .is_some_and(|d| d.purpose == purpose)
    }
}

#[cfg(test)]
mod tests;
