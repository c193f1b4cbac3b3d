//! `vq-train`: trains, evaluates and exports the models VQ Lab ships.
//!
//! ```text
//! cargo run --release -p vq-train -- fashion          # rebuilds assets/models/fashion
//! cargo run --release -p vq-train -- evaluate assets/models/fashion   # or assets/models/photo
//! cargo run --release -p vq-train -- training-subset  # rewrites assets/training/fashion
//! ```

use vq_train::{data, fashion, photo, shipped, training_subset};

use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::prelude::*;
use clap::{Parser, Subcommand, ValueEnum};

/// Trains and exports the models of VQ Lab.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Where to compute: burn's CPU backend (flex) by default; GPU backends when built with
    /// the `wgpu` or `cuda` feature.
    #[arg(long, value_enum, default_value_t = Backend::Flex, global = true)]
    backend: Backend,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Backend {
    Flex,
    /// burn's older CPU backend (deprecated in burn 0.22); for measuring against flex.
    Ndarray,
    Wgpu,
    Cuda,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Trains the `fashion` model (VQ-VAE, grids, prior), evaluates it on the test split and
    /// writes weights, config, manifest and card picture to `--out`.
    Fashion(fashion::Args),
    /// Trains the `photo` model on crops of Debian's wallpapers and the training photographs of
    /// `PHOTO-SOURCES.md`, evaluates it on whole held-out photographs from other sources and
    /// writes it to `--out`.
    Photo(photo::Args),
    /// Trains a new prior for the VQ-VAE of a `photo` model directory (kept as it is),
    /// measures it as `photo` does, and writes the model with it to `--out`.
    PhotoPrior(photo::prior_only::Args),
    /// Judges the class-conditional samples of a shipped `fashion` model with an independent
    /// classifier, and records the result in its manifest.
    Judge {
        /// The model directory.
        #[arg(default_value = "assets/models/fashion")]
        dir: PathBuf,
        /// Where Fashion-MNIST is.
        #[arg(long, default_value = data::fashion::DEFAULT_DIR)]
        data: PathBuf,
        /// Classifier training steps (batches of 64).
        #[arg(long, default_value_t = 2500)]
        steps: usize,
        /// Samples per class.
        #[arg(long, default_value_t = 100)]
        per_class: usize,
    },
    /// Writes held-out photographs as the app's built-in examples of the `photo` model, and the
    /// centre squares of all of them as its held-out sample (what each code means).
    PhotoExamples {
        /// Where to write them.
        #[arg(long, default_value = "www/examples/photo")]
        out: PathBuf,
        /// Folders of held-out photographs, repeated; by default
        /// `$VQ_LAB_CACHE/photos/held-out` (`scripts/install-photo-data.sh`).
        #[arg(long)]
        data: Vec<PathBuf>,
        /// Only these (names as written, e.g. `kite`); all held-out photos when empty.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
    /// Writes the training images the site ships for training in the page
    /// (`assets/training/fashion/`): a seeded draw of the same number of images of each class
    /// from Fashion-MNIST's training and test splits, and their manifest.
    TrainingSubset(training_subset::Args),
    /// Measures training speed on this backend (the fashion recipe's shapes).
    Bench {
        /// Where Fashion-MNIST is.
        #[arg(long, default_value = data::fashion::DEFAULT_DIR)]
        data: PathBuf,
        /// Timed steps of each model.
        #[arg(long, default_value_t = 60)]
        steps: usize,
        /// Untimed steps first.
        #[arg(long, default_value_t = 5)]
        warmup: usize,
    },
    /// Recomputes the metrics of a shipped model directory from its files, on the held-out
    /// data of the recipe its config names (fashion: the Fashion-MNIST test split; photo: the
    /// held-out photographs), next to the figures its manifest records.
    Evaluate {
        /// The model directory, e.g. assets/models/fashion.
        dir: PathBuf,
        /// Where the data is (Fashion-MNIST's folder, or the held-out photographs' folders,
        /// repeated); by default where the scripts install it.
        #[arg(long)]
        data: Vec<PathBuf>,
        /// `photo` models: also the PSNR of each held-out photograph whole at 128, 256 and
        /// 512 px (where it is that large).
        #[arg(long)]
        per_photo: bool,
    },
}

fn device(backend: Backend) -> Result<Device> {
    Ok(match backend {
        Backend::Flex => Device::flex(),
        #[cfg(feature = "ndarray")]
        #[allow(deprecated, reason = "measured against flex by `vq-train bench`")]
        Backend::Ndarray => Device::ndarray(),
        #[cfg(feature = "wgpu")]
        Backend::Wgpu => Device::wgpu(Default::default()),
        #[cfg(feature = "cuda")]
        Backend::Cuda => Device::cuda(0),
        #[allow(unreachable_patterns, reason = "arms exist only with the GPU features")]
        other => bail!(
            "this build has no {other:?} backend; rebuild with `--features {}`",
            format!("{other:?}").to_lowercase()
        ),
    })
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let device = device(cli.backend)?;
    match cli.command {
        Command::Fashion(args) => fashion::run(&args, &device),
        Command::Photo(args) => photo::run(&args, &device),
        Command::PhotoPrior(args) => photo::prior_only::run(&args, &device),
        Command::PhotoExamples { out, data, only } => {
            photo::write_examples(&data, &out, &only)?;
            photo::write_held_out_sample(&data, &out)
        }
        Command::TrainingSubset(args) => training_subset::run(&args).map(|_| ()),
        Command::Bench {
            data,
            steps,
            warmup,
        } => vq_train::bench::run(&data, steps, warmup, &device),
        Command::Evaluate {
            dir,
            data,
            per_photo,
        } => {
            let evaluation = shipped::evaluate(&dir, &data, &device)?;
            print!("{evaluation}");
            if per_photo {
                println!("{:>5} {:>9}  photograph", "side", "PSNR dB");
                for (side, path, psnr) in shipped::per_photo(&dir, &data, &device)? {
                    println!("{side:>5} {psnr:>9.2}  {}", path.display());
                }
            }
            Ok(())
        }
        Command::Judge {
            dir,
            data,
            steps,
            per_class,
        } => fashion::judge(&dir, &data, steps, per_class, &device),
    }
}
