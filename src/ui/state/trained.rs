//! Models trained in the page, added to the lab: the files go to the engine
//! ([`ToEngine::AddModel`]); its answer ([`FromEngine::ModelAdded`](crate::protocol::FromEngine))
//! brings the catalogue with the model in it, and the lab loads it as picking it in the model
//! select does. A file that is not a model's leaves everything as it was, with a sentence.
//!
//! The page keeps the files the engine took: a restarted engine (after a fault) is given them
//! again, in the same order, before the model it had loaded ([`LabState::engine_restarted`]),
//! so it names them as the first did. A reload forgets them (a kept session or a link naming
//! one is refused as naming a model the site does not have).

use super::LabState;
use crate::protocol::{BundleError, Catalogue, ToEngine, TrainedFiles, read_bundle};

/// The sentence the prior's tools show for a model without a prior.
pub const NO_PRIOR: &str = "This model has no prior: it was trained in this page. Sampling, \
                            completion, surprisal and suggestions need one; pick a shipped model \
                            for them.";

impl LabState {
    /// Adds the model trained in the page (its files from the training panel, or a bundle
    /// read back): what to send the engine. The lab loads it once the engine has it.
    pub fn add_trained(&mut self, files: TrainedFiles) -> Vec<ToEngine> {
        self.model.trained_error = None;
        self.model.adding = Some(files.clone());
        vec![ToEngine::AddModel { files }]
    }

    /// A bundle's bytes (`<name>.vqlab.tar`, chosen by the user): what to send the engine,
    /// or nothing and the sentence saying why it is not a model's.
    pub fn add_bundle(&mut self, bytes: &[u8]) -> Vec<ToEngine> {
        match read_bundle(bytes) {
            Ok(files) => self.add_trained(files),
            Err(err) => {
                self.trained_refused(&err);
                Vec::new()
            }
        }
    }

    /// The files chosen together as a trained model (`(name, bytes)`): one is a bundle, three
    /// are `manifest.json`, `config.json` and `vqvae.bpk`. What to send the engine, or nothing
    /// and the sentence saying why they are not a model's.
    pub fn add_chosen_files(&mut self, mut files: Vec<(String, Vec<u8>)>) -> Vec<ToEngine> {
        if files.len() == 1 {
            let (_, bytes) = files.remove(0);
            return self.add_bundle(&bytes);
        }
        match TrainedFiles::from_named_files(files) {
            Ok(files) => self.add_trained(files),
            Err(err) => {
                self.trained_refused(&err);
                Vec::new()
            }
        }
    }

    /// Why a file chosen as a trained model is not one; nothing else changes.
    pub fn trained_refused(&mut self, err: &BundleError) {
        self.model.adding = None;
        self.model.trained_error = Some(err.to_string());
    }

    /// The engine has the model as `name` in `catalogue`: it becomes the lab's model. A model
    /// given again to a restarted engine only brings the catalogue back (the model it had
    /// loaded is on its way, [`LabState::engine_restarted`]).
    pub(super) fn model_added(&mut self, catalogue: Catalogue, name: String) {
        self.model.catalogue = catalogue;
        let Some(files) = self.model.adding.take() else {
            return;
        };
        self.model.trained_error = None;
        if !self.model.trained.contains(&files) {
            self.model.trained.push(files);
        }
        self.loading(&name);
        self.outbox.push(ToEngine::LoadModel { name });
    }

    /// What a restarted engine is given before its model: the trained models the first took.
    pub(super) fn trained_again(&self) -> impl Iterator<Item = ToEngine> + '_ {
        self.model.trained.iter().map(|files| ToEngine::AddModel {
            files: files.clone(),
        })
    }

    /// The engine refused the model's files: the sentence, and the lab's model stays.
    pub(super) fn add_refused(&mut self, message: String) {
        self.model.adding = None;
        self.model.trained_error = Some(message);
    }

    /// The loaded model's prior tools' sentence when it has no prior (`None`: it has one, or
    /// no model is loaded).
    pub fn no_prior(&self) -> Option<&'static str> {
        self.model
            .loaded()
            .filter(|info| !info.has_prior)
            .map(|_| NO_PRIOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CatalogueModel, FromEngine, ModelInfo, Request, write_bundle};
    use crate::ui::fixtures::{encoding, model_info};

    fn files() -> TrainedFiles {
        TrainedFiles {
            name: "mine".to_owned(),
            manifest: r#"{"name": "mine"}"#.to_owned(),
            config: "{}".to_owned(),
            vqvae: vec![1, 2, 3],
        }
    }

    fn catalogue(names: &[&str]) -> Catalogue {
        Catalogue {
            models: names
                .iter()
                .map(|&name| CatalogueModel {
                    name: name.to_owned(),
                    title: name.to_owned(),
                    examples_note: String::new(),
                    examples: Vec::new(),
                    held_out: None,
                })
                .collect(),
        }
    }

    /// A lab with the fashion model loaded and an image.
    fn lab() -> LabState {
        let mut lab = LabState::default();
        lab.model.catalogue = catalogue(&["fashion", "photo"]);
        lab.on_message(FromEngine::ModelLoaded(model_info()));
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        lab
    }

    #[test]
    fn an_added_model_joins_the_catalogue_and_loads_as_if_picked() {
        let mut lab = lab();
        let sent = lab.add_bundle(&write_bundle(&files()));
        assert_eq!(sent, [ToEngine::AddModel { files: files() }]);
        let three = vec![
            ("manifest.json".to_owned(), files().manifest.into_bytes()),
            ("config.json".to_owned(), files().config.into_bytes()),
            ("vqvae.bpk".to_owned(), files().vqvae),
        ];
        assert_eq!(lab.add_chosen_files(three), sent);
        assert_eq!(lab.model.adding, Some(files()));
        let outbox = lab.then_outbox(|lab| {
            lab.on_message(FromEngine::ModelAdded {
                catalogue: catalogue(&["fashion", "photo", "mine"]),
                name: "mine".to_owned(),
            });
        });
        assert_eq!(
            outbox,
            [ToEngine::LoadModel {
                name: "mine".to_owned()
            }]
        );
        assert_eq!(lab.model.catalogue.models.len(), 3);
        assert!(lab.model.is_loading() && lab.image.is_none());
        assert_eq!(lab.model.adding, None);
        lab.on_message(FromEngine::ModelLoaded(ModelInfo {
            name: "mine".to_owned(),
            has_prior: false,
            ..model_info()
        }));
        assert_eq!(lab.no_prior(), Some(NO_PRIOR));
    }

    #[test]
    fn a_restarted_engine_is_given_the_trained_models_again_and_the_image_stays() {
        let mut lab = lab();
        let _ = lab.add_trained(files());
        lab.on_message(FromEngine::ModelAdded {
            catalogue: catalogue(&["fashion", "photo", "mine"]),
            name: "mine".to_owned(),
        });
        let info = ModelInfo {
            name: "mine".to_owned(),
            has_prior: false,
            ..model_info()
        };
        lab.on_message(FromEngine::ModelLoaded(info.clone()));
        lab.on_message(FromEngine::Encoded(Box::new(encoding())));
        let outbox = lab.then_outbox(LabState::engine_restarted);
        assert_eq!(
            outbox,
            [
                ToEngine::AddModel { files: files() },
                ToEngine::LoadModel {
                    name: "mine".to_owned()
                }
            ]
        );
        // The new engine's catalogue comes back; nothing else is asked, the image stays.
        let outbox = lab.then_outbox(|lab| {
            lab.on_message(FromEngine::ModelAdded {
                catalogue: catalogue(&["fashion", "photo", "mine"]),
                name: "mine".to_owned(),
            });
        });
        assert!(outbox.is_empty(), "{outbox:?}");
        assert!(lab.image.is_some() && lab.model.loaded() == Some(&info));
        assert_eq!(lab.model.catalogue.models.len(), 3);
    }

    #[test]
    fn a_file_that_is_not_a_model_changes_nothing_but_the_sentence() {
        let mut lab = lab();
        let before = lab.clone();
        assert!(lab.add_bundle(b"not an archive at all").is_empty());
        let chosen = vec![("a.png".to_owned(), vec![1]), ("b.txt".to_owned(), vec![2])];
        assert!(lab.add_chosen_files(chosen).is_empty());
        assert_eq!(
            lab.model.trained_error.as_deref(),
            Some(
                "The model's manifest.json is missing; choose the .vqlab.tar file, or \
                 manifest.json, config.json and vqvae.bpk together."
            )
        );
        assert!(
            lab.add_chosen_files(vec![("x.tar".to_owned(), vec![0; 10])])
                .is_empty()
        );
        let sentence = lab.model.trained_error.clone().unwrap_or_default();
        assert!(
            sentence.starts_with("This file is not a VQ Lab model bundle"),
            "{sentence}"
        );
        lab.model.trained_error = None;
        assert_eq!(lab, before);
        // The engine's refusal too: the loaded model and the image stay.
        let _ = lab.add_trained(files());
        lab.on_message(FromEngine::Refused {
            request: Request::AddModel,
            message: "The trained model cannot be added: …".to_owned(),
        });
        assert_eq!(
            lab.model.trained_error.as_deref(),
            Some("The trained model cannot be added: …")
        );
        assert_eq!(lab.model.adding, None);
        assert_eq!(
            (lab.model.loaded(), lab.image.is_some()),
            (Some(&model_info()), true)
        );
        assert_eq!(lab.no_prior(), None, "the shipped model has a prior");
    }
}
