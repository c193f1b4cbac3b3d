//! Models trained in the page ([`ToEngine::AddModel`](crate::protocol::ToEngine::AddModel)):
//! their files checked against their manifest, kept in the engine's memory under a name of
//! the catalogue's, and loaded from there by `LoadModel` instead of fetched.

use std::rc::Rc;

use vq_model::ModelConfig;
use vq_model::weights::{Manifest, WeightsError, files, parse_config, parse_manifest, verify};

use super::Session;
use crate::engine::source::ModelSource;
use crate::engine::{EngineError, lab};
use crate::protocol::bundle::MAX_BUNDLE_BYTES;
use crate::protocol::{Catalogue, CatalogueModel, TrainedFiles, is_folder_name};

/// The most models trained in the page the engine keeps (each a few hundred KB at the sizes
/// the panel offers).
pub const MAX_TRAINED: usize = 8;

/// What the name of a trained model starts with when its own is taken.
const TRAINED_PREFIX: &str = "trained-";

/// The shipped model whose examples and held-out sample a grey model of its size uses.
const GREY_EXAMPLES_OF: &str = "fashion";

impl<S: ModelSource> Session<S> {
    /// The files of the trained model `name`, if the page added one by that name.
    pub(super) fn trained_files(&self, name: &str) -> Option<Rc<TrainedFiles>> {
        self.trained
            .borrow()
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, files)| Rc::clone(files))
    }

    /// Checks `files` (each against the manifest's SHA-256, the config's sizes, the weights
    /// read into the architecture), keeps them, and adds the model to the catalogue: the
    /// catalogue and the model's name in it. The same files added again keep their name.
    pub(super) fn add_model(
        &self,
        files: TrainedFiles,
    ) -> Result<(Catalogue, String), EngineError> {
        let device = self.device()?;
        let catalogue = self
            .catalogue
            .borrow()
            .clone()
            .ok_or(EngineError::NotStarted)?;
        let known = self
            .trained
            .borrow()
            .iter()
            .find(|(_, kept)| **kept == files)
            .map(|(name, _)| name.clone());
        if let Some(name) = known {
            return Ok((catalogue, name));
        }
        if self.trained.borrow().len() >= MAX_TRAINED {
            return Err(EngineError::TooManyTrained(MAX_TRAINED));
        }
        let (manifest, config) = check(&files)?;
        // The weights must fit the architecture: read them once (cheap at these sizes).
        lab::load(
            vq_model::weights::ModelFiles {
                manifest: files.manifest.as_bytes(),
                config: files.config.as_bytes(),
                vqvae: &files.vqvae,
                prior: None,
            },
            &device,
        )
        .map_err(trained_error)?;
        let name = free_name(&catalogue, &files.name);
        let entry = catalogue_entry(&catalogue, &name, &manifest, &config);
        let mut catalogue = catalogue;
        catalogue.models.push(entry);
        self.catalogue.replace(Some(catalogue.clone()));
        self.trained
            .borrow_mut()
            .push((name.clone(), Rc::new(files)));
        Ok((catalogue, name))
    }
}

/// A [`WeightsError`] of a trained model's files as the page's sentence.
fn trained_error(err: WeightsError) -> EngineError {
    let reason = err.to_string();
    // The hash sentence tells a download to reload the page; here the file came from the user.
    let reason = match err {
        WeightsError::HashMismatch { file, .. } => {
            format!(
                "{file} does not match its manifest's SHA-256 (the files were changed or damaged)"
            )
        }
        _ => reason,
    };
    EngineError::TrainedFiles(reason)
}

/// The manifest and the config of `files`, every file checked against the manifest: a model
/// without a prior, grey or colour, named plainly.
fn check(files: &TrainedFiles) -> Result<(Manifest, ModelConfig), EngineError> {
    let bytes = files.manifest.len() + files.config.len() + files.vqvae.len();
    if bytes > MAX_BUNDLE_BYTES {
        return Err(EngineError::TrainedFiles(format!(
            "its files are {bytes} bytes, more than a model the lab keeps ({MAX_BUNDLE_BYTES} at \
             most)"
        )));
    }
    let manifest = parse_manifest(files.manifest.as_bytes()).map_err(trained_error)?;
    if !is_folder_name(&files.name) || manifest.name != files.name {
        return Err(EngineError::TrainedFiles(format!(
            "its name “{}” is not a plain name, or not its manifest's (“{}”)",
            files.name, manifest.name
        )));
    }
    let config = parse_config(&manifest, files.config.as_bytes()).map_err(trained_error)?;
    verify(&manifest, files::VQVAE, &files.vqvae).map_err(trained_error)?;
    if config.prior.is_some() {
        return Err(EngineError::TrainedFiles(
            "its config names a prior, whose weights are not among its files".to_owned(),
        ));
    }
    if ![1, 3].contains(&config.vqvae.in_channels) {
        return Err(EngineError::TrainedFiles(format!(
            "its images have {} channels; the lab takes grey (1) or colour (3)",
            config.vqvae.in_channels
        )));
    }
    Ok((manifest, config))
}

/// `wanted` when no model of `catalogue` has that name, else the first free `trained-<n>`.
fn free_name(catalogue: &Catalogue, wanted: &str) -> String {
    if is_folder_name(wanted) && !catalogue.contains(wanted) {
        return wanted.to_owned();
    }
    (1..)
        .map(|n| format!("{TRAINED_PREFIX}{n}"))
        .find(|name| !catalogue.contains(name))
        .unwrap_or_else(|| TRAINED_PREFIX.to_owned())
}

/// The catalogue's entry of a trained model: its title says what it is; a grey model the size
/// of the fashion model's images takes that model's examples and held-out sample.
fn catalogue_entry(
    catalogue: &Catalogue,
    name: &str,
    manifest: &Manifest,
    config: &ModelConfig,
) -> CatalogueModel {
    let step = manifest
        .knobs
        .get("step")
        .map_or(String::new(), |step| format!(", step {step}"));
    let title = format!(
        "Trained in this page: K={}, D={}{step}",
        config.vqvae.codebook_size, config.vqvae.embedding_dim
    );
    let pictures = catalogue
        .model(GREY_EXAMPLES_OF)
        .filter(|_| config.vqvae.in_channels == 1)
        .filter(|fashion| {
            fashion
                .held_out
                .as_ref()
                .is_none_or(|held_out| held_out.tile == config.image_size)
        });
    CatalogueModel {
        name: name.to_owned(),
        title,
        examples_note: pictures.map_or(String::new(), |m| m.examples_note.clone()),
        examples: pictures.map_or(Vec::new(), |m| m.examples.clone()),
        held_out: pictures.and_then(|m| m.held_out.clone()),
    }
}
