//! Starting and loading: the device and its warm-up, the catalogue, a model's files fetched
//! (a stalled download tried once more), verified and loaded, with progress.

use web_time::Instant;

use vq_model::inside::HostCodebook;
use vq_model::prior::HostPrior;
use vq_model::vqvae::HostVqVae;
use vq_model::weights::{ModelFiles, WeightsError, files, parse_manifest, verify};

use super::{Session, build, max_grid_side, millis};
use crate::engine::source::{FetchError, ModelSource};
use crate::engine::{EngineError, choose, lab, warmup};
use crate::protocol::{
    Backend, BackendPreference, CATALOGUE_PATH, Catalogue, EngineReport, FromEngine, LoadStage,
    ModelInfo,
};
use std::rc::Rc;

impl<S: ModelSource> Session<S> {
    pub(super) async fn init(
        &self,
        preference: BackendPreference,
    ) -> Result<EngineReport, EngineError> {
        // The borrow ends here, before the await below.
        let chosen = self.chosen.borrow().clone();
        let chosen = match chosen {
            Some(chosen) => chosen,
            None => {
                let chosen = choose(preference).await;
                self.chosen.replace(Some(chosen.clone()));
                chosen
            }
        };
        let warmup = warmup(&chosen.device)
            .await
            .map_err(|err| EngineError::WarmUp(Box::new(err)))?;
        let catalogue = self.catalogue().await?;
        Ok(EngineReport {
            backend: chosen.backend,
            adapter: chosen.adapter,
            reason: chosen.reason,
            notice: chosen.notice,
            warmup,
            catalogue,
            build: build(),
        })
    }

    /// The catalogue, fetched once.
    pub(super) async fn catalogue(&self) -> Result<Catalogue, EngineError> {
        let known = self.catalogue.borrow().clone();
        if let Some(catalogue) = known {
            return Ok(catalogue);
        }
        let bytes = self.fetch(CATALOGUE_PATH, &mut |_| {}).await?;
        let catalogue = Catalogue::from_json(&bytes).map_err(EngineError::Catalogue)?;
        self.catalogue.replace(Some(catalogue.clone()));
        Ok(catalogue)
    }

    /// Fetches `path`, a second time when the first attempt failed on the way (not when the
    /// server answered without the file): a stalled or dropped download is retried once.
    pub(super) async fn fetch(
        &self,
        path: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Vec<u8>, FetchError> {
        match self.source.fetch(path, progress).await {
            Err(FetchError::Network { .. }) => self.source.fetch(path, progress).await,
            answer => answer,
        }
    }

    fn progress(&self, name: &str, stage: LoadStage, loaded: u64, total: Option<u64>) {
        self.post(FromEngine::LoadProgress {
            name: name.to_owned(),
            stage,
            loaded,
            total,
        });
    }

    pub(super) async fn load_model(&self, name: &str) -> Result<ModelInfo, EngineError> {
        let device = self.device()?;
        let started = Instant::now();
        let catalogue = self
            .catalogue
            .borrow()
            .clone()
            .ok_or(EngineError::NotStarted)?;
        if !catalogue.contains(name) {
            let names: Vec<&str> = catalogue.models.iter().map(|m| m.name.as_str()).collect();
            return Err(EngineError::UnknownModel {
                name: name.to_owned(),
                choices: names.join(" or "),
            });
        }
        let trained = self.trained_files(name);
        let (manifest_bytes, [config, vqvae], prior, loaded) = match trained {
            Some(files) => {
                // Added from the page's memory: nothing to download.
                let bytes = files.manifest.len() + files.config.len() + files.vqvae.len();
                let loaded = bytes as u64;
                self.progress(name, LoadStage::Verifying, loaded, Some(loaded));
                let manifest = files.manifest.as_bytes().to_vec();
                let config = files.config.as_bytes().to_vec();
                (manifest, [config, files.vqvae.clone()], None, loaded)
            }
            None => self.download_model(name).await?,
        };
        let manifest = parse_manifest(&manifest_bytes)?;
        let total = Some(loaded);
        for (file, bytes) in [(files::CONFIG, &config), (files::VQVAE, &vqvae)]
            .into_iter()
            .chain(prior.as_ref().map(|prior| (files::PRIOR, prior)))
        {
            verify(&manifest, file, bytes)?;
        }
        self.progress(name, LoadStage::Initialising, loaded, total);
        let model = lab::load(
            ModelFiles {
                manifest: &manifest_bytes,
                config: &config,
                vqvae: &vqvae,
                prior: prior.as_deref(),
            },
            &device,
        )
        .map_err(|err: WeightsError| EngineError::from(err))?;
        self.progress(name, LoadStage::WarmingUp, loaded, total);
        let warmup_millis = lab::warm_up(&model, &device).await?;
        // On the CPU backend the autoencoder runs on the host: its kernels are faster there
        // than burn's layers (BENCHMARKS.md).
        let on_cpu = self
            .chosen
            .borrow()
            .as_ref()
            .is_some_and(|chosen| chosen.backend == Backend::Cpu);
        let mut model = model;
        if on_cpu && !self.burn_autoencoder.get() {
            model.host = Some(HostVqVae::read(&model.vqvae).await?);
        }
        let host_prior = match &model.prior {
            Some(prior) => Some(Rc::new(HostPrior::read(prior).await?)),
            None => None,
        };
        let host_codebook = HostCodebook::read(&model.vqvae.quantizer).await?;
        let info = ModelInfo {
            name: name.to_owned(),
            channels: model.config.vqvae.in_channels,
            image_size: model.config.image_size,
            codebook_size: model.config.vqvae.codebook_size,
            cell_size: model.config.vqvae.downsample(),
            max_grid_side: max_grid_side(&model),
            class_names: model.config.class_names.clone(),
            has_prior: model.prior.is_some(),
            bytes: loaded,
            millis: millis(started),
            warmup_millis,
        };
        self.model.replace(Some(Rc::new(model)));
        self.host_prior.replace(host_prior);
        self.host_codebook.replace(Some(Rc::new(host_codebook)));
        self.grid.replace(None);
        self.new_image(None);
        self.map.replace(None);
        self.meanings.replace(None);
        Ok(info)
    }

    /// Downloads the files of the site's model `name`: the manifest's bytes, `config.json`
    /// and `vqvae.bpk`, `prior.bpk`, and the bytes downloaded.
    async fn download_model(&self, name: &str) -> Result<Downloaded, EngineError> {
        let base = format!("models/{name}/");
        let download = |err: FetchError| match err {
            FetchError::Status { status: 404, url } => EngineError::ModelMissing {
                name: name.to_owned(),
                path: url,
            },
            other => EngineError::Download {
                name: name.to_owned(),
                reason: other.to_string(),
            },
        };
        self.progress(name, LoadStage::Downloading, 0, None);
        let manifest_bytes = self
            .fetch(&format!("{base}{}", files::MANIFEST), &mut |_| {})
            .await
            .map_err(download)?;
        let manifest = parse_manifest(&manifest_bytes)?;
        let mut loaded = manifest_bytes.len() as u64;
        let total = loaded + manifest.bytes.values().sum::<u64>();
        self.progress(name, LoadStage::Downloading, loaded, Some(total));
        let mut fetched = Vec::with_capacity(3);
        for file in [files::CONFIG, files::VQVAE, files::PRIOR] {
            let before = loaded;
            let bytes = self
                .fetch(&format!("{base}{file}"), &mut |so_far| {
                    self.progress(name, LoadStage::Downloading, before + so_far, Some(total));
                })
                .await
                .map_err(download)?;
            loaded += bytes.len() as u64;
            fetched.push(bytes);
        }
        let [config, vqvae, prior] = <[Vec<u8>; 3]>::try_from(fetched).map_err(|_| {
            EngineError::Weights("The model's files were not all downloaded".into())
        })?;
        self.progress(name, LoadStage::Verifying, loaded, Some(total));
        Ok((manifest_bytes, [config, vqvae], Some(prior), loaded))
    }
}

/// A model's files as downloaded: the manifest's bytes, `config.json` and `vqvae.bpk`,
/// `prior.bpk`, and the bytes in all.
type Downloaded = (Vec<u8>, [Vec<u8>; 2], Option<Vec<u8>>, u64);
