//! What comes into the lab: the model to load (the catalogue's default, or a share link's), an
//! image to encode (a built-in example, a file from the picker, a drop or the clipboard), and a
//! grid to show (a share link's, once its model is loaded, or a grid file). [`Intake`] does the
//! work; `super::inputs` shows the controls.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::protocol::bundle::MAX_BUNDLE_BYTES;
use crate::protocol::{BundleError, Example, Invert, ToEngine};
use crate::ui::checks::{MAX_IMAGE_FILE_BYTES, file_size, grid_for_model};
use crate::ui::colouring::ColourBy;
use crate::ui::dom::{fetch_bytes, file_bytes, location_hash};
use crate::ui::engine_client::Engine;
use crate::ui::share::{GridFile, Shared, parse_fragment};
use crate::ui::state::LabState;
use crate::ui::state::model::opening;
use crate::ui::state::saved::{FIRST_VIEW, SavedSession};

/// The lab's intake. `Copy`: every field is a signal or a stored value.
#[derive(Clone, Copy)]
pub struct Intake {
    engine: Engine,
    lab: RwSignal<LabState>,
    /// The model chosen in the select.
    pub model_name: RwSignal<String>,
    /// Whether grey images are inverted.
    pub invert: RwSignal<Invert>,
    /// The long side colour images are resized to.
    pub long_side: RwSignal<u32>,
    /// True while a file is dragged over the lab.
    pub dragging: RwSignal<bool>,
    /// The last file's bytes, to encode again when the inversion or the size changes.
    last_file: StoredValue<Option<(Vec<u8>, String)>, LocalStorage>,
}

impl Intake {
    /// Opens the lab: reads a share link in the address, loads its model (or the catalogue's
    /// default), restores its grid and `colour_by` once that model is loaded, and takes images
    /// pasted anywhere on the page.
    ///
    /// With `resume` (a session kept from an earlier visit, checked), its model, image, history
    /// and view instead.
    pub fn open(
        engine: Engine,
        lab: RwSignal<LabState>,
        colour_by: RwSignal<ColourBy>,
        resume: Option<SavedSession>,
    ) -> Self {
        let link = location_hash().map(|hash| parse_fragment(&hash));
        let opening = lab.with_untracked(|lab| opening(&lab.model.catalogue, link));
        let intake = Self {
            engine,
            lab,
            model_name: RwSignal::new(opening.model.clone().unwrap_or_default()),
            invert: RwSignal::new(FIRST_VIEW.invert),
            long_side: RwSignal::new(FIRST_VIEW.long_side),
            dragging: RwSignal::new(false),
            last_file: StoredValue::new_local(None),
        };
        intake.take_pastes();
        if let Some(saved) = resume {
            intake.resume(saved, colour_by);
            return intake;
        }
        if let Some(name) = opening.model {
            intake.load(name);
        }
        // After the load, which clears the last sentence.
        if let Some(problem) = opening.problem {
            intake.refuse(problem);
        }
        intake.restore(opening.shared, colour_by);
        intake
    }

    /// Opens a session kept from an earlier visit: its view, its model, and (once the model is
    /// loaded) its grid; the image and its history show meanwhile.
    fn resume(self, saved: SavedSession, colour_by: RwSignal<ColourBy>) {
        colour_by.set(ColourBy::from_name(&saved.view));
        self.invert.set(saved.invert);
        self.long_side.set(saved.long_side);
        self.model_name.set(saved.model.clone());
        let name = saved.model.clone();
        self.lab.update(|lab| lab.resume(saved));
        self.engine.send(ToEngine::LoadModel { name });
    }

    /// Back to a first visit: the catalogue's default model, no image, the default view.
    pub fn start_over(self, colour_by: RwSignal<ColourBy>) {
        colour_by.set(FIRST_VIEW.colour_by);
        self.invert.set(FIRST_VIEW.invert);
        self.long_side.set(FIRST_VIEW.long_side);
        self.last_file.set_value(None);
        let default = self
            .lab
            .with_untracked(|lab| lab.model.catalogue.default_name().map(str::to_owned));
        if let Some(name) = default {
            self.model_name.set(name.clone());
            self.load(name);
        }
    }

    /// The shared grid, once its model is loaded.
    fn restore(self, shared: Option<Shared>, colour_by: RwSignal<ColourBy>) {
        let pending = StoredValue::new(shared);
        Effect::new(move |_| {
            let Some(name) = self.lab.with(|lab| lab.model.loaded().map(|i| i.name.clone()))
            else {
                return;
            };
            let Some(shared) = pending.get_value() else {
                return;
            };
            if shared.grid.model == name {
                pending.set_value(None);
                colour_by.set(ColourBy::from_name(&shared.view));
                self.use_grid(shared.grid, "Shared link".to_owned());
            }
        });
    }

    /// Images pasted anywhere on the page (Ctrl-V), once a model is loaded.
    fn take_pastes(self) {
        let paste = window_event_listener(leptos::ev::paste, move |event| {
            let file = event
                .clipboard_data()
                .and_then(|data| data.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file
                && self.can_take_files()
            {
                event.prevent_default();
                self.read_file(file);
            }
        });
        on_cleanup(move || paste.remove());
    }

    /// Whether a model is loaded to encode files with.
    pub fn can_take_files(self) -> bool {
        self.lab.with(|lab| lab.model.loaded().is_some())
    }

    /// Loads model `name`.
    pub fn load(self, name: String) {
        self.lab.update(|lab| lab.loading(&name));
        self.engine.send(ToEngine::LoadModel { name });
    }

    /// Reads the files the user chose as a trained model (a `.vqlab.tar` bundle, or its three
    /// files together) and hands the model to the engine, which adds it to the catalogue; the
    /// lab then loads it ([`LabState::add_chosen_files`]). Files that are not a model's leave
    /// the lab as it is, with a sentence.
    pub fn read_trained(self, files: Vec<web_sys::File>) {
        let total: f64 = files.iter().map(|file| file.size()).sum();
        if total > MAX_BUNDLE_BYTES as f64 {
            let err = BundleError::TooLarge {
                bytes: total as usize,
            };
            self.lab.update(|lab| lab.trained_refused(&err));
            return;
        }
        spawn_local(async move {
            let mut named = Vec::with_capacity(files.len());
            for file in &files {
                match file_bytes(file).await {
                    Ok(bytes) => named.push((file.name(), bytes)),
                    Err(reason) => {
                        self.lab.update(|lab| {
                            lab.model.trained_error =
                                Some(format!("{} could not be read: {reason}.", file.name()));
                        });
                        return;
                    }
                }
            }
            let requests = self
                .lab
                .try_update(|lab| lab.add_chosen_files(named))
                .unwrap_or_default();
            for request in requests {
                self.engine.send(request);
            }
        });
    }

    /// Encodes an image file's bytes, named `source` on the page.
    pub fn encode(self, bytes: Vec<u8>, source: String) {
        self.last_file
            .set_value(Some((bytes.clone(), source.clone())));
        self.lab.update(|lab| lab.encoding = Some(source.clone()));
        self.engine.send(ToEngine::Encode {
            bytes,
            source,
            invert: self.invert.get_untracked(),
            long_side: self.long_side.get_untracked(),
        });
    }

    /// Encodes the last file again (the inversion or the size changed).
    pub fn encode_again(self) {
        if let Some((bytes, source)) = self.last_file.get_value() {
            self.encode(bytes, source);
        }
    }

    /// Says why something the user gave cannot be used.
    pub fn refuse(self, message: String) {
        self.lab.update(|lab| lab.upload_error = Some(message));
    }

    /// A file from the picker, a drop or the clipboard.
    pub fn read_file(self, file: web_sys::File) {
        let name = file.name();
        if let Err(message) = file_size(&name, file.size(), MAX_IMAGE_FILE_BYTES) {
            self.refuse(message);
            return;
        }
        spawn_local(async move {
            match file_bytes(&file).await {
                Ok(bytes) => self.encode(bytes, name),
                Err(err) => self.refuse(format!(
                    "{name}: the browser could not read this file ({err})."
                )),
            }
        });
    }

    /// A built-in example, fetched from `examples/`.
    pub fn open_example(self, example: Example) {
        spawn_local(async move {
            match fetch_bytes(&format!("examples/{}", example.file)).await {
                Ok(bytes) => self.encode(bytes, example.label),
                Err(err) => self.refuse(format!(
                    "The example {} could not be loaded ({err}).",
                    example.label
                )),
            }
        });
    }

    /// The first example of the model that loads first, encoded once it is loaded, as if its
    /// button had been clicked ([`Intake::open_example`]): a first visit opens with a picture.
    pub fn open_first_example(self) {
        let pending = StoredValue::new(true);
        Effect::new(move |_| {
            // Once done, the effect reads nothing more, and runs no more.
            if !pending.get_value() {
                return;
            }
            let first = self.lab.with(|lab| {
                let name = &lab.model.loaded()?.name;
                lab.model.catalogue.model(name)?.examples.first().cloned()
            });
            if let Some(example) = first {
                pending.set_value(false);
                self.open_example(example);
            }
        });
    }

    /// A grid from a share link or a grid file: checked against the loaded model, then
    /// decoded.
    pub fn use_grid(self, grid: GridFile, source: String) {
        let checked = self
            .lab
            .with_untracked(|lab| grid_for_model(&grid, lab.model.loaded(), &source));
        if let Err(message) = checked {
            self.refuse(message);
            return;
        }
        self.lab.update(|lab| lab.encoding = Some(source.clone()));
        self.engine.send(ToEngine::UseGrid {
            source,
            grid_width: grid.grid_width,
            grid_height: grid.grid_height,
            codes: grid.codes,
        });
    }

    /// A file dragged over the lab.
    pub fn drag_over(self, event: &web_sys::DragEvent) {
        event.prevent_default();
        self.dragging.set(true);
    }

    /// A file dropped on the lab: an image, or a model's download (`.vqlab.tar`).
    pub fn dropped(self, event: &web_sys::DragEvent) {
        event.prevent_default();
        self.dragging.set(false);
        if !self.can_take_files() {
            return;
        }
        match event
            .data_transfer()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0))
        {
            // A model's download dropped on the lab is a model, not an image.
            Some(file) if file.name().ends_with(crate::protocol::bundle::EXTENSION) => {
                self.read_trained(vec![file]);
            }
            Some(file) => self.read_file(file),
            None => self.refuse("What was dropped is not a file; drop an image file.".to_owned()),
        }
    }
}
