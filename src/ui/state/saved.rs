//! The session a reload finds again: the model, the image as the engine prepared it (its codes,
//! reconstruction and history of edits) and the view. The page keeps it in the browser's
//! IndexedDB (`crate::ui::store`), nowhere else, and checks it before using it: a stored value
//! may come from an older build, or be damaged.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::LabState;
use super::history::Image;
use super::model::ModelStatus;
use crate::protocol::{Catalogue, DEFAULT_PHOTO_SIZE, Invert, PHOTO_SIZES};
use crate::ui::colouring::ColourBy;

/// The view a first visit opens with, and "Start over" returns to: cells coloured by code,
/// grey levels inverted automatically, photographs at the default size. A session that holds
/// only this (and the default model, no image) is not kept ([`SavedSession::is_first_visit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstView {
    /// The heatmap's colouring.
    pub colour_by: ColourBy,
    /// Whether grey uploads are inverted.
    pub invert: Invert,
    /// The long side photographs are encoded at, in pixels.
    pub long_side: u32,
}

/// The one [`FirstView`].
pub const FIRST_VIEW: FirstView = FirstView {
    colour_by: ColourBy::Code,
    invert: Invert::Auto,
    long_side: DEFAULT_PHOTO_SIZE,
};

/// The layout of [`SavedSession`]: a session of another version is not used.
pub const SAVED_VERSION: u32 = 1;

/// What a reload restores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSession {
    /// [`SAVED_VERSION`] when it was written.
    pub version: u32,
    /// The model (a catalogue name).
    pub model: String,
    /// The image, its codes, reconstruction and undo history, if there was one.
    pub image: Option<Image>,
    /// The heatmap's colouring ([`crate::ui::colouring::ColourBy::name`]).
    pub view: String,
    /// Whether grey uploads are inverted.
    pub invert: Invert,
    /// The long side colour uploads are resized to.
    pub long_side: u32,
}

/// The view's settings kept with a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View<'a> {
    /// The heatmap's colouring, by name.
    pub colour_by: &'a str,
    /// Whether grey uploads are inverted.
    pub invert: Invert,
    /// The long side colour uploads are resized to.
    pub long_side: u32,
}

impl LabState {
    /// The model the page has or is loading, by name.
    pub fn model_name(&self) -> Option<&str> {
        match &self.model.status {
            ModelStatus::Loaded(info) => Some(&info.name),
            ModelStatus::Loading { name, .. } | ModelStatus::Failed { name, .. } => Some(name),
            ModelStatus::None => None,
        }
    }

    /// A number that changes when what a [`SavedSession`] keeps changes (the model, the image,
    /// an edit, an undo), and not with what it does not (timings, the prior's requests).
    pub fn saved_revision(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.model_name().hash(&mut hasher);
        if let Some(image) = &self.image {
            image.encoding.source.hash(&mut hasher);
            image.encoding.millis.to_bits().hash(&mut hasher);
            image.codes.hash(&mut hasher);
            (image.done.len(), image.undone.len(), image.dropped).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// What a reload would restore of this page, with `view`; `None` before a model is asked
    /// for, and while a session or a restarted engine is being restored.
    pub fn to_saved(&self, view: View) -> Option<SavedSession> {
        if self.resuming || self.restoring {
            return None;
        }
        Some(SavedSession {
            version: SAVED_VERSION,
            model: self.model_name()?.to_owned(),
            image: self.image.clone(),
            view: view.colour_by.to_owned(),
            invert: view.invert,
            long_side: view.long_side,
        })
    }

    /// Opens `saved` (checked): its model loads and, once it has, the engine gets the image's
    /// grid ([`crate::protocol::ToEngine::Restore`]); the image and its history show
    /// meanwhile.
    pub fn resume(&mut self, saved: SavedSession) {
        self.loading(&saved.model);
        self.resuming = saved.image.is_some();
        self.image = saved.image;
    }
}

impl SavedSession {
    /// This session, if it can be restored with `catalogue`; otherwise the sentence that says
    /// why not.
    pub fn checked(mut self, catalogue: &Catalogue) -> Result<Self, String> {
        let problem = |why: String| {
            format!("Your last session could not be restored ({why}); VQ Lab starts afresh.")
        };
        if self.version != SAVED_VERSION {
            return Err(problem(format!(
                "it was kept by another version of VQ Lab, layout {} instead of {SAVED_VERSION}",
                self.version
            )));
        }
        if !catalogue.contains(&self.model) {
            return Err(problem(format!(
                "this site no longer has its model “{}”",
                self.model
            )));
        }
        if let Some(image) = &self.image {
            check_image(image).map_err(problem)?;
        }
        if !PHOTO_SIZES.contains(&self.long_side) {
            self.long_side = DEFAULT_PHOTO_SIZE;
        }
        Ok(self)
    }

    /// Whether this is what a first visit opens with: the catalogue's default model, no image
    /// and the default view. Such a session is not kept: a reload after "Start over" finds
    /// nothing, and says nothing was restored.
    pub fn is_first_visit(&self, catalogue: &Catalogue) -> bool {
        self.image.is_none()
            && catalogue.default_name() == Some(self.model.as_str())
            && self.view == FIRST_VIEW.colour_by.name()
            && self.invert == FIRST_VIEW.invert
            && self.long_side == FIRST_VIEW.long_side
    }

    /// One line for the page: what was restored.
    pub fn restored_line(&self) -> String {
        match &self.image {
            Some(image) => {
                let edits = image.done.len();
                format!(
                    "Your last session was restored: {} on the model {}, with {} edit{} to undo.",
                    image.encoding.source,
                    self.model,
                    edits,
                    if edits == 1 { "" } else { "s" }
                )
            }
            None => format!("Your last session was restored: the model {}.", self.model),
        }
    }
}

/// Why the parts of `image` do not fit together, if they do not: every length follows from the
/// sizes (with checked arithmetic), and every edit stays inside the grid and the picture.
fn check_image(image: &Image) -> Result<(), String> {
    let encoding = &image.encoding;
    let cells = encoding
        .grid_width
        .checked_mul(encoding.grid_height)
        .filter(|&cells| cells > 0)
        .ok_or("its grid has no cells, or too many")?;
    let bytes = encoding
        .width
        .checked_mul(encoding.height)
        .and_then(|pixels| pixels.checked_mul(4))
        .filter(|&bytes| bytes > 0)
        .ok_or("its picture has no pixels, or too many")?;
    let lengths = [
        ("codes", image.codes.len(), cells),
        ("encoded codes", encoding.codes.len(), cells),
        ("reconstruction", image.reconstruction.len(), bytes),
        (
            "encoded reconstruction",
            encoding.reconstruction.len(),
            bytes,
        ),
        ("original", encoding.original.len(), bytes),
        (
            "distances",
            encoding.nearest_distance.len(),
            encoding.nearest.len(),
        ),
    ];
    for (what, found, expected) in lengths {
        if found != expected {
            return Err(format!("its {what} have {found} values, not {expected}"));
        }
    }
    if !encoding.nearest.len().is_multiple_of(cells) {
        return Err("its nearest codes do not match its grid".to_owned());
    }
    for edit in image.done.iter().chain(&image.undone) {
        let patch = &edit.patch;
        let inside = edit
            .cells
            .iter()
            .all(|c| c.row < encoding.grid_height && c.col < encoding.grid_width);
        let patch_bytes = patch
            .width
            .checked_mul(patch.height)
            .and_then(|pixels| pixels.checked_mul(4));
        let fits = patch.top < encoding.height
            && patch.left < encoding.width
            && patch_bytes == Some(patch.rgba.len())
            && edit.before_pixels.len() <= patch.rgba.len();
        if !inside || !fits {
            return Err("an edit in its history does not fit its picture".to_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CatalogueModel, Encoding, PatchPixels, ToEngine};
    use crate::ui::fixtures;
    use crate::ui::state::history::Step;

    fn catalogue() -> Catalogue {
        Catalogue {
            models: vec![CatalogueModel {
                name: "fashion".to_owned(),
                title: "Fashion-MNIST".to_owned(),
                examples_note: String::new(),
                examples: Vec::new(),
                held_out: None,
            }],
        }
    }

    /// The fixtures' 2×2 grid of 8×8 pixels, named as an upload.
    fn image() -> Image {
        Image::new(Encoding {
            source: "shoe.png".to_owned(),
            ..fixtures::encoding()
        })
    }

    /// The 4×4 pixels of cell `(row, col)`, all `value`.
    fn cell_patch((row, col): (usize, usize), value: u8) -> PatchPixels {
        PatchPixels {
            top: 4 * row,
            left: 4 * col,
            width: 4,
            height: 4,
            rgba: vec![value; 64],
        }
    }

    fn edited() -> Image {
        let mut image = image();
        image.apply_cells(&[(1, 1, 9)], cell_patch((1, 1), 200), None);
        image
    }

    fn session(image: Option<Image>) -> SavedSession {
        SavedSession {
            version: SAVED_VERSION,
            model: "fashion".to_owned(),
            image,
            view: "margin".to_owned(),
            invert: Invert::No,
            long_side: 256,
        }
    }

    #[test]
    fn only_the_default_model_with_no_image_and_the_default_view_is_a_first_visit() {
        let catalogue = catalogue();
        let first = SavedSession {
            view: "code".to_owned(),
            invert: Invert::Auto,
            long_side: DEFAULT_PHOTO_SIZE,
            ..session(None)
        };
        assert!(first.is_first_visit(&catalogue));
        assert!(
            !session(None).is_first_visit(&catalogue),
            "another view is kept"
        );
        let with_image = SavedSession {
            image: Some(image()),
            ..first.clone()
        };
        assert!(!with_image.is_first_visit(&catalogue), "an image is kept");
        let other_model = SavedSession {
            model: "photo".to_owned(),
            ..first
        };
        assert!(
            !other_model.is_first_visit(&catalogue),
            "another model is kept"
        );
    }

    #[test]
    fn a_session_round_trips_with_its_history_and_undo_still_restores_exactly() {
        let saved = session(Some(edited()));
        let json = serde_json::to_string(&saved).expect("serialised");
        let back: SavedSession = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, saved);
        let mut image = back
            .checked(&catalogue())
            .expect("usable")
            .image
            .expect("an image");
        assert_eq!(image.code(1, 1), Some(9));
        Step::Undo.take(&mut image).expect("an edit to undo");
        assert_eq!(image.code(1, 1), Some(4));
        assert_eq!(
            image.reconstruction,
            fixtures::encoding().reconstruction,
            "undo pastes the kept pixels"
        );
    }

    #[test]
    fn a_resumed_session_loads_its_model_then_gives_the_engine_its_grid() {
        let mut lab = LabState::default();
        lab.resume(session(Some(edited())));
        assert!(lab.resuming);
        assert_eq!(lab.model_name(), Some("fashion"));
        assert_eq!(lab.image.as_ref().map(|i| i.done.len()), Some(1));
        assert_eq!(
            lab.to_saved(View {
                colour_by: "code",
                invert: Invert::Auto,
                long_side: 256
            }),
            None,
            "nothing is saved while the session is being restored"
        );
        let outbox = lab.then_outbox(|lab| {
            lab.on_message(crate::protocol::FromEngine::ModelLoaded(
                fixtures::model_info(),
            ))
        });
        assert!(!lab.resuming);
        assert!(
            matches!(&outbox[..], [ToEngine::Restore { grid_width: 2, grid_height: 2, codes, .. }] if codes == &[1, 2, 3, 9]),
            "{outbox:?}"
        );
    }

    #[test]
    fn the_revision_follows_edits_and_undo_but_not_timings() {
        let mut lab = LabState::default();
        lab.resume(session(Some(image())));
        let first = lab.saved_revision();
        lab.timings.record("edit", 3.0);
        assert_eq!(lab.saved_revision(), first);
        lab.image.as_mut().expect("an image").apply_cells(
            &[(0, 0, 7)],
            cell_patch((0, 0), 1),
            None,
        );
        let edited = lab.saved_revision();
        assert_ne!(edited, first);
        lab.history_step(Step::Undo);
        assert_ne!(lab.saved_revision(), edited, "an undo is kept too");
    }

    #[test]
    fn a_damaged_or_foreign_session_is_refused_with_a_sentence() {
        let refused = |saved: SavedSession| saved.checked(&catalogue()).expect_err("refused");
        let mut old = session(None);
        old.version = 0;
        assert!(refused(old).contains("another version"));
        let mut gone = session(None);
        gone.model = "mnist".to_owned();
        assert!(refused(gone).contains("no longer has its model “mnist”"));
        let mut short = edited();
        short.codes.pop();
        assert!(refused(session(Some(short))).contains("codes have 3 values, not 4"));
        let mut huge = image();
        huge.encoding.grid_width = usize::MAX;
        assert!(refused(session(Some(huge))).contains("too many"));
        let mut outside = edited();
        outside.done[0].cells[0].row = 2;
        assert!(refused(session(Some(outside))).contains("does not fit"));
        let mut patch = edited();
        patch.done[0].patch.rgba.pop();
        let sentence = refused(session(Some(patch)));
        assert!(sentence.starts_with("Your last session could not be restored"));
        assert!(sentence.ends_with("VQ Lab starts afresh."));
    }

    #[test]
    fn an_unknown_size_falls_back_to_the_default_and_the_line_counts_edits() {
        let mut saved = session(Some(edited()));
        saved.long_side = 999;
        let saved = saved.checked(&catalogue()).expect("usable");
        assert_eq!(saved.long_side, DEFAULT_PHOTO_SIZE);
        assert_eq!(
            saved.restored_line(),
            "Your last session was restored: shoe.png on the model fashion, with 1 edit to undo."
        );
    }
}
