//! The contract between the trainer and the app: a model directory holds
//!
//! - `vqvae.bpk` and `prior.bpk`: weights in burn's burnpack format, stored in f16 and
//!   computed in f32 (a model trained in the page has no prior: no `prior.bpk`, no `prior` in
//!   its config);
//! - `config.json`: the [`ModelConfig`];
//! - `manifest.json`: the SHA-256 of each file, how it was produced, and its metrics.
//!
//! Loading checks a file's hash against the manifest before anything is parsed.

use std::collections::BTreeMap;

use burn::prelude::*;
use burn::store::{BurnpackStore, HalfPrecisionAdapter, ModuleSnapshot};
use burn::tensor::Bytes;
use sha2::{Digest, Sha256};

use crate::config::{ModelConfig, NoPrior};
use crate::prior::PixelCnnPrior;
use crate::vqvae::VqVae;

/// File names inside a model directory.
pub mod files {
    /// The autoencoder's weights.
    pub const VQVAE: &str = "vqvae.bpk";
    /// The prior's weights.
    pub const PRIOR: &str = "prior.bpk";
    /// The architecture.
    pub const CONFIG: &str = "config.json";
    /// Hashes, provenance and metrics.
    pub const MANIFEST: &str = "manifest.json";
}

/// How a shipped model was made and how good it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Model name (`fashion`, `photo`).
    pub name: String,
    /// SHA-256 (hex) of each file of the directory but the manifest.
    pub sha256: BTreeMap<String, String>,
    /// Size in bytes of each file.
    pub bytes: BTreeMap<String, u64>,
    /// The command that produced the files.
    pub command: String,
    /// Its seed.
    pub seed: u64,
    /// `git rev-parse HEAD` of the trainer.
    pub git_revision: String,
    /// The data it was trained on.
    pub data: String,
    /// Metrics on the held-out split (names documented by the trainer).
    pub metrics: BTreeMap<String, f64>,
    /// Codes' usage on the training set, `K` counts (for the app's codebook panel).
    #[serde(default)]
    pub train_usage: Vec<u64>,
    /// The knobs of a model trained in the page (`K`, `D`, β, the codebook's rule, the
    /// steps done, …) by name, as the page words them; empty for a shipped model (its
    /// `command` says how it was made), whose manifest has no such key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub knobs: BTreeMap<String, String>,
    /// Wall time of the training, in seconds.
    pub wall_time_s: f64,
}

/// Why weights could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// The bytes are not those the manifest names: damaged, truncated or replaced.
    #[error(
        "{file} does not match its manifest (SHA-256 {actual}, expected {expected}); the download may be damaged, reload the page"
    )]
    HashMismatch {
        /// The file.
        file: String,
        /// Hash in the manifest.
        expected: String,
        /// Hash of the bytes.
        actual: String,
    },
    /// The manifest does not list the file.
    #[error("the manifest lists no hash for {0}")]
    NotInManifest(String),
    /// A JSON file could not be parsed.
    #[error("{file} is not valid: {message}")]
    Json {
        /// The file.
        file: String,
        /// What serde said.
        message: String,
    },
    /// A size in `config.json` out of bounds.
    #[error(transparent)]
    OutOfBounds(#[from] crate::config::OutOfBounds),
    /// burn could not read or write the weights.
    #[error("the weights could not be read into the model: {0}")]
    Store(String),
    /// The model has no prior (trained in the page).
    #[error(transparent)]
    NoPrior(#[from] NoPrior),
    /// File system error (trainer side).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `bytes` against the manifest's hash of `file`.
///
/// # Errors
/// [`WeightsError::HashMismatch`] or [`WeightsError::NotInManifest`].
pub fn verify(manifest: &Manifest, file: &str, bytes: &[u8]) -> Result<(), WeightsError> {
    let expected = manifest
        .sha256
        .get(file)
        .ok_or_else(|| WeightsError::NotInManifest(file.to_string()))?;
    let actual = sha256_hex(bytes);
    if &actual != expected {
        return Err(WeightsError::HashMismatch {
            file: file.to_string(),
            expected: expected.clone(),
            actual,
        });
    }
    Ok(())
}

/// Parses `manifest.json`.
///
/// # Errors
/// [`WeightsError::Json`].
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, WeightsError> {
    serde_json::from_slice(bytes).map_err(|e| WeightsError::Json {
        file: files::MANIFEST.into(),
        message: e.to_string(),
    })
}

/// Parses `config.json` after checking its hash, and its sizes against
/// [`ModelConfig::check_bounds`].
///
/// # Errors
/// A hash mismatch, invalid JSON, or a size out of bounds.
pub fn parse_config(manifest: &Manifest, bytes: &[u8]) -> Result<ModelConfig, WeightsError> {
    verify(manifest, files::CONFIG, bytes)?;
    let config: ModelConfig = serde_json::from_slice(bytes).map_err(|e| WeightsError::Json {
        file: files::CONFIG.into(),
        message: e.to_string(),
    })?;
    // Before anything is allocated from its sizes.
    config.check_bounds()?;
    Ok(config)
}

/// Serialises a module's weights to burnpack bytes, in f16.
///
/// # Errors
/// [`WeightsError::Store`].
pub fn to_bytes<M: ModuleSnapshot>(module: &M) -> Result<Vec<u8>, WeightsError> {
    let mut store = BurnpackStore::from_bytes(None).with_to_adapter(HalfPrecisionAdapter::new());
    module
        .save_into(&mut store)
        .map_err(|e| WeightsError::Store(format!("{e:?}")))?;
    let bytes = store
        .get_bytes()
        .map_err(|e| WeightsError::Store(format!("{e:?}")))?;
    Ok(bytes.to_vec())
}

/// Serialises a module's weights to burnpack bytes, in f16, as [`to_bytes`] does, reading them
/// from the module's device with `into_data_async` first (the browser's WebGPU device allows
/// no synchronous read): the store writes a copy on burn's CPU device.
///
/// # Errors
/// [`WeightsError::Store`] when a read fails.
pub async fn to_bytes_async<M: Module + ModuleSnapshot>(
    module: &M,
) -> Result<Vec<u8>, WeightsError> {
    let mut params = Collect(Vec::new());
    module.visit(&mut params);
    let mut data = Vec::with_capacity(params.0.len());
    for tensor in params.0 {
        let read = tensor
            .into_data_async()
            .await
            .map_err(|err| WeightsError::Store(format!("{err:?}")))?;
        data.push(read);
    }
    let on_host = module.clone().map(&mut OnHost {
        data: data.into_iter(),
        device: Device::flex(),
    });
    to_bytes(&on_host)
}

/// Every float parameter of a module, flattened, in the order of its fields.
struct Collect(Vec<Tensor<1>>);

impl burn::module::ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
        let tensor = param.val();
        let values = tensor.shape().num_elements();
        self.0.push(tensor.reshape([values]));
    }
}

/// Puts back each float parameter from the data [`Collect`] read, on `device`.
struct OnHost<I> {
    data: I,
    device: Device,
}

impl<I: Iterator<Item = burn::tensor::TensorData>> burn::module::ModuleMapper for OnHost<I> {
    fn map_float<const D: usize>(
        &mut self,
        param: burn::module::Param<Tensor<D>>,
    ) -> burn::module::Param<Tensor<D>> {
        let Some(data) = self.data.next() else {
            return param;
        };
        let device = self.device.clone();
        param.map(|tensor| {
            let shape = tensor.shape();
            Tensor::<1>::from_data(data, &device).reshape(shape)
        })
    }
}

/// Loads burnpack bytes (f16 or f32) into `module`, after checking them against the
/// manifest's hash of `file`.
///
/// # Errors
/// A hash mismatch, before anything is parsed, or a store error.
pub fn load_bytes<M: ModuleSnapshot>(
    mut module: M,
    manifest: &Manifest,
    file: &str,
    bytes: &[u8],
) -> Result<M, WeightsError> {
    verify(manifest, file, bytes)?;
    let mut store = BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec())))
        .with_from_adapter(HalfPrecisionAdapter::new());
    module
        .load_from(&mut store)
        .map_err(|e| WeightsError::Store(format!("{e:?}")))?;
    Ok(module)
}

/// A loaded model: both networks and their configuration.
#[derive(Debug)]
pub struct LoadedModel {
    /// The architecture.
    pub config: ModelConfig,
    /// The manifest.
    pub manifest: Manifest,
    /// The autoencoder.
    pub vqvae: VqVae,
    /// The prior; `None` for a model trained without one (in the page).
    pub prior: Option<PixelCnnPrior>,
    /// The autoencoder on the host ([`crate::vqvae::HostVqVae`]), when its user chose it (the
    /// browser's CPU backend, where it is faster than burn's layers); `None` as loaded.
    pub host: Option<crate::vqvae::HostVqVae>,
}

impl LoadedModel {
    /// The prior.
    ///
    /// # Errors
    /// [`WeightsError::NoPrior`] for a model without one.
    pub fn prior(&self) -> Result<&PixelCnnPrior, WeightsError> {
        self.prior
            .as_ref()
            .ok_or_else(|| NoPrior(self.config.name.clone()).into())
    }
}

/// Loads the model directory `dir` from disk (native tools: the trainer, the examples), every
/// hash checked against its manifest first.
///
/// # Errors
///
/// [`WeightsError::Io`] naming a file that cannot be read, or what [`load_model`] refuses.
pub fn load_dir(dir: &std::path::Path, device: &Device) -> Result<LoadedModel, WeightsError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|err| {
            std::io::Error::new(err.kind(), format!("reading {}: {err}", path.display()))
        })
    };
    let (manifest, config, vqvae) = (
        read(files::MANIFEST)?,
        read(files::CONFIG)?,
        read(files::VQVAE)?,
    );
    // A prior when the manifest names one.
    let prior = if parse_manifest(&manifest)?.sha256.contains_key(files::PRIOR) {
        Some(read(files::PRIOR)?)
    } else {
        None
    };
    load_model(
        ModelFiles {
            manifest: &manifest,
            config: &config,
            vqvae: &vqvae,
            prior: prior.as_deref(),
        },
        device,
    )
}

/// The bytes of the files of a model directory.
#[derive(Debug, Clone, Copy)]
pub struct ModelFiles<'a> {
    /// `manifest.json`.
    pub manifest: &'a [u8],
    /// `config.json`.
    pub config: &'a [u8],
    /// `vqvae.bpk`.
    pub vqvae: &'a [u8],
    /// `prior.bpk`; `None` for a model without a prior.
    pub prior: Option<&'a [u8]>,
}

/// Builds a model from the bytes of its files, every hash checked first. No I/O: the caller
/// (the trainer from disk, the app from `fetch`) hands the bytes in.
///
/// # Errors
/// Any [`WeightsError`].
pub fn load_model(files: ModelFiles<'_>, device: &Device) -> Result<LoadedModel, WeightsError> {
    let manifest = parse_manifest(files.manifest)?;
    let config = parse_config(&manifest, files.config)?;
    verify(&manifest, self::files::VQVAE, files.vqvae)?;
    // The config says whether there is a prior; its weights must come with it.
    let prior_bytes = match (&config.prior, files.prior) {
        (Some(_), None) => return Err(WeightsError::NotInManifest(self::files::PRIOR.into())),
        (_, prior) => prior,
    };
    if let (Some(_), Some(bytes)) = (&config.prior, prior_bytes) {
        verify(&manifest, self::files::PRIOR, bytes)?;
    }
    let vqvae = load_bytes(
        VqVae::new(&config.vqvae, device),
        &manifest,
        self::files::VQVAE,
        files.vqvae,
    )?;
    let prior = match (&config.prior, prior_bytes) {
        (Some(prior_config), Some(bytes)) => Some(load_bytes(
            PixelCnnPrior::new(prior_config, device),
            &manifest,
            self::files::PRIOR,
            bytes,
        )?),
        _ => None,
    };
    Ok(LoadedModel {
        host: None,
        config,
        manifest,
        vqvae,
        prior,
    })
}

/// Provenance of a model, filled in by the trainer.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The command.
    pub command: String,
    /// Its seed.
    pub seed: u64,
    /// `git rev-parse HEAD`.
    pub git_revision: String,
    /// The data.
    pub data: String,
    /// Held-out metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Usage of each code on the training set.
    pub train_usage: Vec<u64>,
    /// Wall time in seconds.
    pub wall_time_s: f64,
}

/// Writes a model directory: weights in f16, `config.json`, and a manifest hashing both.
///
/// # Errors
/// I/O or store errors.
pub fn save_model(
    dir: &std::path::Path,
    config: &ModelConfig,
    vqvae: &VqVae,
    prior: &PixelCnnPrior,
    provenance: Provenance,
) -> Result<Manifest, WeightsError> {
    std::fs::create_dir_all(dir)?;
    let (manifest, contents) = model_files(config, vqvae, Some(prior), provenance)?;
    for (name, data) in &contents {
        std::fs::write(dir.join(name), data)?;
    }
    write_manifest(dir, &manifest)?;
    Ok(manifest)
}

/// A file of a model directory in memory: its name and its bytes.
pub type NamedFile = (&'static str, Vec<u8>);

/// A model's files in memory, as [`save_model`] writes them (no I/O: the page exports a model
/// it trained with it): the manifest, and `(file name, bytes)` of the weights in f16 (the
/// prior's when there is one) and of `config.json`, which the manifest hashes.
///
/// # Errors
/// Store or serialisation errors.
pub fn model_files(
    config: &ModelConfig,
    vqvae: &VqVae,
    prior: Option<&PixelCnnPrior>,
    provenance: Provenance,
) -> Result<(Manifest, Vec<NamedFile>), WeightsError> {
    let mut weights = vec![(files::VQVAE, to_bytes(vqvae)?)];
    if let Some(prior) = prior {
        weights.push((files::PRIOR, to_bytes(prior)?));
    }
    model_files_of(config, weights, provenance)
}

/// A model's files in memory from its weights already serialised (`(file name, burnpack
/// bytes)`, e.g. by [`to_bytes_async`]), as [`model_files`].
///
/// # Errors
/// Serialisation errors.
pub fn model_files_of(
    config: &ModelConfig,
    weights: Vec<NamedFile>,
    provenance: Provenance,
) -> Result<(Manifest, Vec<NamedFile>), WeightsError> {
    let config_json = serde_json::to_vec_pretty(config).map_err(|e| WeightsError::Json {
        file: files::CONFIG.into(),
        message: e.to_string(),
    })?;
    let mut contents = weights;
    contents.push((files::CONFIG, config_json));
    let mut sha256 = BTreeMap::new();
    let mut bytes = BTreeMap::new();
    for (name, data) in &contents {
        sha256.insert(name.to_string(), sha256_hex(data));
        bytes.insert(name.to_string(), data.len() as u64);
    }
    let manifest = Manifest {
        name: config.name.clone(),
        sha256,
        bytes,
        command: provenance.command,
        seed: provenance.seed,
        git_revision: provenance.git_revision,
        data: provenance.data,
        metrics: provenance.metrics,
        train_usage: provenance.train_usage,
        knobs: BTreeMap::new(),
        wall_time_s: provenance.wall_time_s,
    };
    Ok((manifest, contents))
}

/// Writes `manifest.json` into a model directory (by [`save_model`], and by the trainer when
/// it adds figures measured later). The manifest hashes the other files, not itself.
///
/// # Errors
/// I/O or serialisation errors.
pub fn write_manifest(dir: &std::path::Path, manifest: &Manifest) -> Result<(), WeightsError> {
    let manifest_json = serde_json::to_vec_pretty(manifest).map_err(|e| WeightsError::Json {
        file: files::MANIFEST.into(),
        message: e.to_string(),
    })?;
    std::fs::write(dir.join(files::MANIFEST), manifest_json)?;
    Ok(())
}
