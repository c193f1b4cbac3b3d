//! Shipped model directories (`assets/models/<name>/`, the contract of `vq_model::weights`):
//! the one writer both recipes call at the end of a run, the loader (every hash checked before
//! anything is parsed), figures added to a manifest afterwards (`vq-train judge`), and the
//! re-measurement of a directory on its own held-out data (`vq-train evaluate`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use vq_model::config::ModelConfig;
use vq_model::weights::{self, LoadedModel, Manifest, Provenance, files};
use vq_model::{PixelCnnPrior, VqVae};

use crate::data::fashion::{self as fashion_data, Split};
use crate::data::photos;
use crate::{fashion, photo};

/// A training run, from its start: the clock and the revision it was started from (commits
/// made while it trains do not change it), for its manifest.
#[derive(Debug, Clone)]
pub struct Run {
    started: Instant,
    revision: String,
}

/// What a recipe says about its run in the manifest.
#[derive(Debug, Clone)]
pub struct Record {
    /// The seed of everything.
    pub seed: u64,
    /// The data, in a sentence: which package, how many images trained on and held out.
    pub data: String,
    /// Held-out metrics (each recipe names its own; see `fashion::held_out_metrics` and
    /// `photo::held_out_metrics`).
    pub metrics: BTreeMap<String, f64>,
    /// Usage of each code on the training grids.
    pub train_usage: Vec<u64>,
}

impl Run {
    /// Starts the clock.
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
            revision: git_revision(),
        }
    }

    /// Writes the model directory `out`: weights in f16, `config.json`, and the manifest with
    /// the hashes, the command line, the revision, the wall time and `record`.
    ///
    /// # Errors
    /// When a file cannot be written.
    pub fn export(
        &self,
        out: &Path,
        config: &ModelConfig,
        vqvae: &VqVae,
        prior: &PixelCnnPrior,
        record: Record,
    ) -> Result<Manifest> {
        let provenance = Provenance {
            command: format!(
                "vq-train {}",
                std::env::args().skip(1).collect::<Vec<_>>().join(" ")
            ),
            seed: record.seed,
            git_revision: self.revision.clone(),
            data: record.data,
            metrics: record.metrics,
            train_usage: record.train_usage,
            wall_time_s: self.started.elapsed().as_secs_f64(),
        };
        let manifest = weights::save_model(out, config, vqvae, prior, provenance)
            .with_context(|| format!("writing the model to {}", out.display()))?;
        eprintln!("wrote {} ({:?} bytes)", out.display(), manifest.bytes);
        Ok(manifest)
    }
}

/// `git rev-parse HEAD`, or `unknown` outside a repository.
pub fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Loads a shipped model directory, every hash checked against its manifest first.
///
/// # Errors
/// A missing file, a hash mismatch, or weights that do not fit the architecture.
pub fn load_dir(dir: &Path, device: &Device) -> Result<LoadedModel> {
    Ok(weights::load_dir(dir, device)?)
}

/// Adds `metrics` (measured after the export, e.g. by the judge) to the manifest of `dir`,
/// whose hashes and provenance stay as they are.
///
/// # Errors
/// When the manifest cannot be read, parsed or written.
pub fn add_metrics(dir: &Path, metrics: BTreeMap<String, f64>) -> Result<Manifest> {
    let path = dir.join(files::MANIFEST);
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut manifest = weights::parse_manifest(&bytes)?;
    manifest.metrics.extend(metrics);
    weights::write_manifest(dir, &manifest)?;
    Ok(manifest)
}

/// The recipes whose held-out data the trainer knows, by the name in `config.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipe {
    /// `fashion`: the Fashion-MNIST test split.
    Fashion,
    /// `photo`: the held-out wallpapers (every eighth, never cropped for training).
    Photo,
}

impl Recipe {
    /// The recipe that produced a model of `config`.
    ///
    /// # Errors
    /// When no recipe has that name.
    pub fn of(config: &ModelConfig) -> Result<Self> {
        match config.name.as_str() {
            "fashion" => Ok(Self::Fashion),
            "photo" => Ok(Self::Photo),
            other => bail!(
                "no recipe is named {other:?} (config.json); `vq-train evaluate` knows the held-out data of `fashion` and `photo`"
            ),
        }
    }
}

/// A shipped model's metrics as measured now, next to those its manifest records.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The recipe.
    pub recipe: Recipe,
    /// Measured from the files on the recipe's held-out data.
    pub measured: BTreeMap<String, f64>,
    /// As the manifest records them.
    pub recorded: BTreeMap<String, f64>,
}

/// Measures the model in `dir` on the held-out data of its recipe, the same figures its
/// trainer wrote to the manifest: the Fashion-MNIST test split for `fashion`, the held-out
/// photographs for `photo` (`$VQ_LAB_CACHE/photos/held-out`: a model trained before issue 16
/// recorded its figures on held-out wallpapers instead, so they differ). `data` overrides where
/// the data is (Fashion-MNIST's folder, or the held-out photographs' folders); empty: where the
/// scripts install it.
///
/// # Errors
/// When the model or the data cannot be loaded.
pub fn evaluate(dir: &Path, data: &[PathBuf], device: &Device) -> Result<Evaluation> {
    let model = load_dir(dir, device)?;
    let recipe = Recipe::of(&model.config)?;
    let measured = match recipe {
        Recipe::Fashion => {
            let folder = data
                .first()
                .map_or_else(|| PathBuf::from(fashion_data::DEFAULT_DIR), Clone::clone);
            let test = fashion_data::load(&folder, Split::Test)?;
            fashion::held_out_metrics(&model.vqvae, model.prior()?, &test, device)
        }
        Recipe::Photo => {
            let folders = photos::Folders::or_installed(&[], data);
            let held_out = photos::load_held_out(&folders.held_out)?;
            photo::held_out_metrics(
                &model.vqvae,
                model.prior()?,
                &held_out.held_out,
                model.manifest.seed,
                device,
            )
        }
    };
    Ok(Evaluation {
        recipe,
        measured,
        recorded: model.manifest.metrics,
    })
}

/// The PSNR of each held-out photograph whole at each long side it reaches, for the `photo`
/// model in `dir` (`vq-train evaluate --per-photo`): `(side, path, psnr)`. `data` as in
/// [`evaluate`].
///
/// # Errors
/// When the model or the photographs cannot be loaded, or the model is not a `photo` one.
pub fn per_photo(
    dir: &Path,
    data: &[PathBuf],
    device: &Device,
) -> Result<Vec<(u32, PathBuf, f64)>> {
    let model = load_dir(dir, device)?;
    if Recipe::of(&model.config)? != Recipe::Photo {
        bail!(
            "--per-photo measures `photo` models; {} is not one",
            dir.display()
        );
    }
    let folders = photos::Folders::or_installed(&[], data);
    let held_out = photos::load_held_out(&folders.held_out)?;
    let set = photo::held_out_of(&held_out.held_out);
    Ok(photo::per_photo_psnrs(
        &model.vqvae,
        &set,
        &held_out.held_out_paths,
        device,
    ))
}

impl std::fmt::Display for Evaluation {
    /// One line per metric: measured, then as recorded.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{:<36} {:>12} {:>12}", "metric", "measured", "manifest")?;
        for (name, value) in &self.measured {
            let recorded = self
                .recorded
                .get(name)
                .map_or_else(|| "—".to_string(), |v| format!("{v:.4}"));
            writeln!(f, "{name:<36} {value:>12.4} {recorded:>12}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each shipped recipe's config names its own held-out data; another name is refused
    /// with a sentence instead of being evaluated on Fashion-MNIST.
    #[test]
    fn the_recipe_follows_the_config() {
        assert_eq!(
            Recipe::of(&fashion::config()).expect("fashion"),
            Recipe::Fashion
        );
        assert_eq!(Recipe::of(&photo::config()).expect("photo"), Recipe::Photo);
        let mut other = fashion::config();
        other.name = "cifar".into();
        let error = Recipe::of(&other).expect_err("no such recipe");
        assert!(format!("{error}").contains("\"cifar\""), "{error}");
    }

    /// Figures added later (the judge's) join the manifest's metrics; its hashes and
    /// provenance stay as the export wrote them.
    #[test]
    fn added_metrics_keep_the_rest_of_the_manifest() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models/fashion");
        let bytes = std::fs::read(shipped.join(files::MANIFEST)).expect("shipped manifest");
        let before = weights::parse_manifest(&bytes).expect("manifest");
        let dir = std::env::temp_dir().join(format!("vq-add-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch");
        std::fs::write(dir.join(files::MANIFEST), &bytes).expect("copy");

        let after = add_metrics(&dir, BTreeMap::from([("added".into(), 7.0)])).expect("added");
        let reread =
            weights::parse_manifest(&std::fs::read(dir.join(files::MANIFEST)).expect("written"))
                .expect("valid");
        assert_eq!(reread, after, "what is returned is what is written");
        assert_eq!(reread.metrics["added"], 7.0);
        for (name, value) in &before.metrics {
            assert_eq!(reread.metrics[name], *value, "{name} kept");
        }
        assert_eq!(reread.sha256, before.sha256);
        assert_eq!(reread.command, before.command);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
