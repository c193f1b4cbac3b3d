//! `vq-train training-subset`: the training images the site ships for training a VQ-VAE in
//! the page (`assets/training/fashion/`). A seeded draw of the same number of images of each
//! class from Fashion-MNIST's training split (`train.bin`) and from its test split
//! (`test.bin`), in the `VQLT` format of `vq_model::subset`, and a `manifest.json` of their
//! sizes, SHA-256, counts, source and seed. The same seed and data give the same bytes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use vq_model::rng::SplitMix64;
use vq_model::subset::{self, Subset, SubsetFile, SubsetManifest, files};

use crate::data::fashion::{self, CLASS_NAMES, Split};

/// Where the files go by default.
pub const DEFAULT_OUT: &str = "assets/training/fashion";

/// The source, its authors and its licence, as the manifest records it.
pub const SOURCE: &str = "Fashion-MNIST (Han Xiao, Kashif Rasul, Roland Vollgraf, Zalando Research, 2017, https://github.com/zalandoresearch/fashion-mnist), © 2017 Zalando SE, MIT licence; read from Debian's dataset-fashion-mnist package";

/// Options of `vq-train training-subset`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Output directory.
    #[arg(long, default_value = DEFAULT_OUT)]
    pub out: PathBuf,
    /// Where Fashion-MNIST is.
    #[arg(long, default_value = fashion::DEFAULT_DIR)]
    pub data: PathBuf,
    /// Seed of the draw.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Training images of each class.
    #[arg(long, default_value_t = 300)]
    pub train_per_class: usize,
    /// Test images of each class.
    #[arg(long, default_value_t = 50)]
    pub test_per_class: usize,
}

/// Indices into `set` of `per_class` images of each class, drawn without replacement by a
/// partial Fisher–Yates shuffle of each class's indices (one `SplitMix64` stream per split and
/// seed, classes in label order), in ascending order.
///
/// # Errors
/// When a class has fewer than `per_class` images.
pub fn draw(set: &Subset, split: Split, per_class: usize, seed: u64) -> Result<Vec<usize>> {
    let stream = match split {
        Split::Train => 0,
        Split::Test => 1,
    };
    let mut rng = SplitMix64::stream(seed, stream);
    let mut chosen = Vec::with_capacity(per_class * set.classes() as usize);
    for class in 0..set.classes() {
        let mut of_class: Vec<usize> = (0..set.len())
            .filter(|&i| u32::from(set.labels()[i]) == class)
            .collect();
        if of_class.len() < per_class {
            bail!(
                "class {class} ({}) has {} images in the {split:?} split, fewer than {per_class}",
                CLASS_NAMES.get(class as usize).unwrap_or(&"?"),
                of_class.len()
            );
        }
        for i in 0..per_class {
            let j = i + rng.below(of_class.len() - i);
            of_class.swap(i, j);
        }
        chosen.extend_from_slice(&of_class[..per_class]);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

/// The images of a split that `draw` picks, as a set (ascending source order).
///
/// # Errors
/// When the data cannot be read or a class is too small.
pub fn drawn(data: &Path, split: Split, per_class: usize, seed: u64) -> Result<Subset> {
    let source = fashion::load_grey(data, split)?;
    let indices = draw(&source, split, per_class, seed)?;
    Ok(source.select(&indices)?)
}

/// Draws both splits and writes `train.bin`, `test.bin` and `manifest.json` to `args.out`.
///
/// # Errors
/// When the data cannot be read or the files cannot be written.
pub fn run(args: &Args) -> Result<SubsetManifest> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut manifest = SubsetManifest {
        name: "fashion".into(),
        format: format!("VQLT version {} (vq_model::subset)", subset::VERSION),
        files: Default::default(),
        classes: CLASS_NAMES.iter().map(|c| (*c).to_string()).collect(),
        source: format!("{SOURCE} ({})", args.data.display()),
        command: format!(
            "vq-train training-subset --seed {} --train-per-class {} --test-per-class {}",
            args.seed, args.train_per_class, args.test_per_class
        ),
        seed: args.seed,
    };
    for (file, split, per_class) in [
        (files::TRAIN, Split::Train, args.train_per_class),
        (files::TEST, Split::Test, args.test_per_class),
    ] {
        let set = drawn(&args.data, split, per_class, args.seed)?;
        let bytes = set.to_bytes()?;
        let path = args.out.join(file);
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "{}: {} images ({per_class} of each class), {} bytes",
            path.display(),
            set.len(),
            bytes.len()
        );
        manifest.files.insert(
            file.to_string(),
            SubsetFile {
                bytes: bytes.len() as u64,
                sha256: subset::sha256_hex(&bytes),
                split: format!("{split:?}").to_lowercase(),
                images: set.len() as u64,
                per_class: per_class as u64,
            },
        );
    }
    let path = args.out.join(files::MANIFEST);
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
    println!("{}", path.display());
    Ok(manifest)
}
