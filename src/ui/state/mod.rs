//! What the page knows, as plain data changed by the engine's messages and by the user; tested
//! natively. One module per concern:
//!
//! - [`engine`]: the engine's start ([`EngineState`](engine::EngineState)) and the times of its
//!   operations;
//! - [`model`]: the catalogue, the chosen model's loading, its codebook;
//! - [`history`]: the encoded image, its codes and reconstruction, and the edits with undo and
//!   redo (which paste pixels they kept, so they restore the reconstruction exactly);
//! - [`prior`]: drawings, surprisal, suggestions and the mask.
//!
//! [`LabState`] holds one of each, with what the lab's views share (the selected cell, the
//! highlighted code, the copied region), and routes each engine message to its part.

pub mod engine;
pub mod history;
pub mod model;
pub mod prior;

use self::engine::Timings;
use self::history::{Edits, Image, Step};
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
    /// Requests the state asks to send (a restart's model and grid, deferred undo steps); the
    /// page sends them.
    pub outbox: Vec<ToEngine>,
    /// Undo, redo and reset asked for while edits were on their way: taken, in order, when the
    /// engine has answered them all, so the page and the engine never hold different grids.
    pub deferred_steps: Vec<Step>,
}

impl LabState {
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
        let name = match &self.model.status {
            ModelStatus::Loaded(info) => {
                self.restoring = true;
                Some(info.name.clone())
            }
            ModelStatus::Loading { name, .. } => Some(name.clone()),
            _ => None,
        };
        if let Some(name) = name {
            self.outbox.push(ToEngine::LoadModel { name });
        }
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
        if let Some(image) = &self.image {
            self.outbox.push(ToEngine::Restore {
                grid_width: image.encoding.grid_width,
                grid_height: image.encoding.grid_height,
                codes: image.codes.clone(),
            });
        }
    }

    /// A model was asked for: nothing of the last one's image, grids or codebook holds.
    pub fn loading(&mut self, name: &str) {
        self.restoring = false;
        self.deferred_steps.clear();
        self.model.loading(name);
        self.prior.model_changed();
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
                if self.restoring {
                    self.restored_model();
                }
            }
            FromEngine::ModelFailed { name, message } => {
                self.restoring = false;
                self.model.status = ModelStatus::Failed { name, message };
            }
            FromEngine::Encoded(encoding) => {
                self.timings.record("encode", encoding.millis);
                self.encoding = None;
                self.upload_error = None;
                self.edits.error = None;
                self.edits.last_millis = None;
                self.selected = None;
                self.prior.image_changed();
                self.image = Some(Image::new(*encoding));
            }
            FromEngine::EncodeFailed { source, message } => {
                self.encoding = None;
                self.upload_error = Some(format!("{source}: {message}"));
            }
            FromEngine::Patched {
                id,
                cells,
                patch,
                millis,
            } => {
                let stroke = self.edits.answered(id);
                self.edits.last_millis = Some(millis);
                self.timings.record("edit", millis);
                self.edits.error = None;
                if let Some(image) = &mut self.image {
                    image.apply_cells(&cells, patch, stroke);
                }
                self.take_deferred_steps();
            }
            FromEngine::EditFailed { id, message } => {
                self.edits.answered(id);
                self.edits.error = Some(message);
                self.take_deferred_steps();
            }
            FromEngine::Drawing(drawn) | FromEngine::Drawn(drawn) => {
                if let Some((operation, millis)) = self.prior.drawn(drawn) {
                    self.timings.record(operation, millis);
                }
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
            Request::SetCells | Request::Restore | Request::Crash | Request::Unreadable => {
                self.edits.error = Some(message);
            }
            // The engine's start: `EngineState` shows it.
            Request::Init => {}
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
mod tests {
    use super::*;
    use crate::protocol::{Drawn, PatchPixels};
    use crate::ui::fixtures::{encoding, patch};

    #[test]
    fn a_restarted_engine_gets_the_model_then_the_grid_and_the_history_stays() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::ModelLoaded(crate::ui::fixtures::model_info()));
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.edits.sent(1, None);
        lab.on_message(FromEngine::Patched {
            id: 1,
            cells: vec![(0, 0, 7)],
            patch: patch(),
            millis: 1.0,
        });
        lab.edits.sent(2, None);
        lab.prior.suggesting = true;
        lab.engine_restarted();
        assert_eq!(
            lab.edits.pending(),
            0,
            "an edit the old engine lost still waits"
        );
        assert!(!lab.prior.suggesting);
        let name = crate::ui::fixtures::model_info().name;
        assert_eq!(
            lab.outbox.drain(..).collect::<Vec<_>>(),
            [ToEngine::LoadModel { name }]
        );
        // Reloading says its progress; the lab keeps showing the loaded model and the image.
        lab.on_message(FromEngine::LoadProgress {
            name: "fashion".into(),
            stage: crate::protocol::LoadStage::Downloading,
            loaded: 0,
            total: None,
        });
        assert!(lab.model.loaded().is_some());
        lab.on_message(FromEngine::ModelLoaded(crate::ui::fixtures::model_info()));
        let image = lab
            .image
            .as_ref()
            .unwrap_or_else(|| panic!("the image was lost"));
        let (w, h) = (image.encoding.grid_width, image.encoding.grid_height);
        let codes = image.codes.clone();
        assert_eq!(codes[0], 7);
        assert_eq!(
            lab.outbox,
            [ToEngine::Restore {
                grid_width: w,
                grid_height: h,
                codes
            }]
        );
        let undone = lab.image.as_mut().and_then(Image::undo);
        assert_eq!(
            undone.map(|cells| cells.len()),
            Some(1),
            "the history was lost"
        );
    }

    #[test]
    fn an_undo_during_a_stroke_waits_for_its_edits_and_page_and_engine_agree() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        let patched = |id: u64, cells: Vec<CellCode>| FromEngine::Patched {
            id,
            cells,
            patch: patch(),
            millis: 1.0,
        };
        // A stroke paints cell (0, 1) twice; undo is pressed while both are on their way.
        lab.edits.sent(1, Some(4));
        lab.edits.sent(2, Some(4));
        assert_eq!(lab.history_step(Step::Undo), None, "undo did not wait");
        lab.on_message(patched(1, vec![(0, 1, 8)]));
        assert!(
            lab.outbox.is_empty(),
            "undo went before the stroke's last edit"
        );
        lab.on_message(patched(2, vec![(0, 1, 9)]));
        // The undo takes the whole stroke back and tells the engine the codes before it.
        assert_eq!(
            lab.outbox.drain(..).collect::<Vec<_>>(),
            [ToEngine::SetCells {
                cells: vec![(0, 1, 8), (0, 1, 2)]
            }]
        );
        assert_eq!(
            lab.image.as_ref().map(|i| i.codes.clone()),
            Some(vec![1, 2, 3, 4])
        );
        // Without edits on their way, a step is taken at once.
        assert!(matches!(
            lab.history_step(Step::Redo),
            Some(ToEngine::SetCells { .. })
        ));
        assert_eq!(lab.image.as_ref().map(|i| i.codes[1]), Some(9));
    }

    #[test]
    fn a_refused_request_is_a_sentence_where_it_was_asked_and_the_lab_stays() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.prior.suggesting = true;
        lab.prior.measuring_surprisal = true;
        for (request, sentence) in [
            (Request::Suggest, "no suggestions"),
            (Request::Surprisal, "no surprisal"),
            (Request::Codebook, "no codebook"),
            (Request::SetCells, "no undo"),
        ] {
            let refused = FromEngine::Refused {
                request,
                message: sentence.to_owned(),
            };
            assert!(LabState::handles(&refused), "{request:?}");
            lab.on_message(refused);
        }
        assert!(
            !lab.prior.suggesting && !lab.prior.measuring_surprisal,
            "still busy"
        );
        assert_eq!(
            lab.prior.suggestions_error.as_deref(),
            Some("no suggestions")
        );
        assert_eq!(lab.prior.surprisal_error.as_deref(), Some("no surprisal"));
        assert_eq!(lab.model.codebook_error.as_deref(), Some("no codebook"));
        assert_eq!(lab.edits.error.as_deref(), Some("no undo"));
        assert!(lab.image.is_some(), "the image was lost");
        // The engine's start is not the lab's: the page shows it as the engine's state.
        assert!(!LabState::handles(&FromEngine::Refused {
            request: Request::Init,
            message: String::new(),
        }));
    }

    #[test]
    fn a_brush_stroke_is_undone_and_redone_as_one_edit() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        let original = lab.image.as_ref().map(|i| i.reconstruction.clone());
        let patched = |id: u64, cells: Vec<CellCode>, value: u8| FromEngine::Patched {
            id,
            cells,
            patch: PatchPixels {
                rgba: vec![value; 4 * 4 * 5],
                ..patch()
            },
            millis: 1.0,
        };
        // A single edit, then a stroke of two edits (5 then 6 on cell (0, 1)).
        lab.edits.sent(1, None);
        lab.edits.sent(2, Some(9));
        lab.edits.sent(3, Some(9));
        assert_eq!(lab.edits.pending(), 3);
        lab.on_message(patched(1, vec![(0, 0, 7)], 10));
        lab.on_message(patched(2, vec![(0, 1, 5), (1, 1, 5)], 20));
        lab.on_message(patched(3, vec![(0, 1, 6)], 30));
        assert_eq!(lab.edits.pending(), 0);
        let image = lab.image.as_mut().unwrap_or_else(|| panic!("no image"));
        assert_eq!(image.codes, vec![7, 6, 3, 5]);
        assert_eq!(
            image.undo(),
            Some(vec![(0, 1, 5), (0, 1, 2), (1, 1, 4)]),
            "the stroke's edits, last first"
        );
        assert_eq!(image.codes, vec![7, 2, 3, 4]);
        assert_eq!(
            image.crop(2, 3, 4, 5),
            vec![10; 80],
            "the single edit's pixels"
        );
        assert_eq!(image.redo(), Some(vec![(0, 1, 5), (1, 1, 5), (0, 1, 6)]));
        assert_eq!(image.codes, vec![7, 6, 3, 5]);
        assert_eq!(image.crop(2, 3, 4, 5), vec![30; 80]);
        assert_eq!(image.undo().map(|c| c.len()), Some(3));
        assert_eq!(image.undo(), Some(vec![(0, 0, 1)]));
        assert_eq!(Some(image.reconstruction.clone()), original);
        assert_eq!(image.undo(), None);
    }

    #[test]
    fn a_bad_file_keeps_the_last_image_and_says_why() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.on_message(FromEngine::EncodeFailed {
            source: "notes.png".to_owned(),
            message: "This file is not an image we can read.".to_owned(),
        });
        assert!(lab.image.is_some());
        assert_eq!(
            lab.upload_error.as_deref(),
            Some("notes.png: This file is not an image we can read.")
        );
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        assert_eq!(lab.upload_error, None);
    }

    fn drawn(id: u64, drawn: usize, grids: Vec<Vec<u32>>, value: u8) -> Drawn {
        let pictures = grids
            .iter()
            .map(|_| serde_bytes::ByteBuf::from(vec![value; 8 * 8 * 4]))
            .collect();
        Drawn {
            id,
            drawn,
            total: 2,
            last_cell: drawn.checked_sub(1),
            grid_width: 2,
            grid_height: 2,
            grids,
            width: 8,
            height: 8,
            pictures,
            millis: 1.0,
        }
    }

    #[test]
    fn a_completion_candidate_is_one_edit_that_undo_takes_back() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        let original = lab.image.as_ref().map(|i| i.reconstruction.clone());
        assert_eq!(lab.mask_press((1, 0), false), Some(true));
        assert_eq!(
            lab.mask_press((1, 1), true),
            None,
            "Shift masks the rectangle"
        );
        assert!(lab.is_masked((1, 1)) && lab.is_masked((1, 0)) && !lab.is_masked((0, 1)));
        assert_eq!(lab.mask_press((0, 0), false), Some(true));
        assert_eq!(
            lab.mask_press((0, 0), false),
            Some(false),
            "a second press unmasks"
        );
        lab.prior.start_drawing(7, DrawPurpose::Complete);
        // A stale drawing's snapshot is ignored; this one's are kept in order.
        lab.on_message(FromEngine::Drawing(drawn(6, 0, vec![vec![0; 4]], 1)));
        lab.on_message(FromEngine::Drawing(drawn(
            7,
            0,
            vec![vec![1, 2, 3, 4]; 2],
            1,
        )));
        assert!(lab.is_drawing());
        assert_eq!(lab.use_candidate(1), None, "not done yet");
        lab.on_message(FromEngine::Drawn(drawn(
            7,
            2,
            vec![vec![1, 2, 9, 4], vec![1, 2, 8, 6]],
            200,
        )));
        assert!(!lab.is_drawing());
        assert_eq!(
            lab.prior.drawing.as_ref().map(|d| d.snapshots.len()),
            Some(2)
        );
        assert_eq!(lab.timings.as_slice(), [("encode", 1.0), ("complete", 1.0)]);
        let cells = lab.use_candidate(1);
        assert_eq!(cells, Some(vec![(1, 0, 8), (1, 1, 6)]));
        assert!(lab.prior.mask.flags().is_empty() && lab.prior.drawing.is_none());
        let image = lab.image.as_mut().unwrap_or_else(|| panic!("no image"));
        assert_eq!(image.codes, vec![1, 2, 8, 6]);
        assert_eq!(image.reconstruction, vec![200; 256]);
        assert_eq!(image.undo(), Some(vec![(1, 0, 3), (1, 1, 4)]));
        assert_eq!(Some(image.reconstruction.clone()), original);
        assert_eq!(image.codes, vec![1, 2, 3, 4]);
    }

    #[test]
    fn surprisal_counts_only_for_the_codes_it_was_computed_for() {
        let mut lab = LabState::default();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.prior.measuring_surprisal = true;
        lab.on_message(FromEngine::Surprisal {
            codes: vec![1, 2, 3, 4],
            bits: vec![1.0, 2.0, 3.0, 0.5],
            millis: 1.0,
        });
        assert_eq!(lab.current_surprisal().map(Surprisal::total), Some(6.5));
        assert!(
            !lab.prior.measuring_surprisal,
            "the answer lets the page ask again"
        );
        assert_eq!(
            lab.timings.as_slice(),
            [("encode", 1.0), ("surprisal", 1.0)]
        );
        lab.on_message(FromEngine::Patched {
            id: 0,
            cells: vec![(0, 0, 9)],
            patch: patch(),
            millis: 1.0,
        });
        assert_eq!(lab.current_surprisal(), None);
        lab.on_message(FromEngine::DrawFailed {
            id: 3,
            message: "There is no class 12.".to_owned(),
        });
        assert_eq!(
            lab.prior.draw_error.as_deref(),
            Some("There is no class 12.")
        );
    }

    #[test]
    fn choosing_another_model_forgets_the_image_but_keeps_the_catalogue() {
        let mut lab = LabState::default();
        let json = br#"{"models": [{"name": "photo", "title": "t", "examples_note": "", "examples": []}]}"#;
        let catalogue =
            crate::protocol::Catalogue::from_json(json).unwrap_or_else(|err| panic!("{err}"));
        lab.model.catalogue = catalogue.clone();
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab.selected = Some((1, 1));
        lab.set_masked((0, 0), true);
        lab.loading("photo");
        assert!(lab.model.is_loading());
        assert_eq!(lab.model.catalogue, catalogue);
        assert_eq!((lab.image.is_none(), lab.selected), (true, None));
        assert_eq!(lab.prior.mask.count(), 0);
        lab.set_masked((0, 0), true);
        assert_eq!(lab.prior.mask.count(), 0, "no grid, nothing to mask");
    }
}
