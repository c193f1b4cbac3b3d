use std::collections::BTreeMap;

use burn::prelude::*;

use vq_model::config::ModelConfig;
use vq_model::prior::PixelCnnPrior;
use vq_model::sampler::Grid;
use vq_model::vqvae::VqVae;
use vq_model::weights::{self, ModelFiles, Provenance, WeightsError, files};

use crate::{device, max_abs_diff, random_grid, small_prior_config, small_vqvae_config, to_vec};

fn saved_model() -> (tempdir::Dir, ModelConfig, VqVae) {
    let device = device();
    let config = ModelConfig::new(
        "test".into(),
        small_vqvae_config(1),
        small_prior_config(2),
        16,
    );
    let vqvae = VqVae::new(&config.vqvae, &device);
    let prior = PixelCnnPrior::new(config.prior_config().expect("a prior"), &device);
    let dir = tempdir::Dir::new();
    let provenance = Provenance {
        command: "test".into(),
        seed: 1,
        git_revision: "none".into(),
        data: "random".into(),
        metrics: BTreeMap::new(),
        train_usage: vec![1; 16],
        wall_time_s: 0.0,
    };
    weights::save_model(&dir.0, &config, &vqvae, &prior, provenance).expect("save");
    (dir, config, vqvae)
}

fn read(dir: &tempdir::Dir, name: &str) -> Vec<u8> {
    std::fs::read(dir.0.join(name)).expect("file")
}

/// Saved in f16 and loaded back, the model decodes the same image (to f16 precision).
#[test]
fn weights_round_trip_in_f16() {
    let device = device();
    let (dir, config, original) = saved_model();
    let bytes = [files::MANIFEST, files::CONFIG, files::VQVAE, files::PRIOR].map(|f| read(&dir, f));
    let loaded = weights::load_model(
        ModelFiles {
            manifest: &bytes[0],
            config: &bytes[1],
            vqvae: &bytes[2],
            prior: Some(&bytes[3]),
        },
        &device,
    )
    .expect("load");
    assert_eq!(loaded.config, config);
    let grid = random_grid(4, 4, 16, 1);
    let decode =
        |m: &VqVae| to_vec(m.decode(Grid::to_tensor(std::slice::from_ref(&grid), &device)));
    let diff = max_abs_diff(&decode(&original), &decode(&loaded.vqvae));
    // f16 keeps 11 significant bits: weights move by ~5e-4 relative, outputs by a few 1e-3.
    assert!(diff < 1e-2, "decoded images differ by {diff}");
    assert!(diff > 0.0, "the weights really were stored in f16");
    let f32_size: usize = 4 * count_params(&original);
    eprintln!(
        "vqvae.bpk: {} bytes; parameters in f32: {f32_size} bytes",
        bytes[2].len()
    );
    // f16 halves the tensors; a few KiB of names and shapes come on top.
    assert!(
        bytes[2].len() < f32_size / 2 + 8192,
        "weights are stored in f16"
    );
}

fn count_params(model: &VqVae) -> usize {
    use burn::module::Module;
    model.num_params()
}

/// A single changed byte in a weights file is refused before anything is parsed.
#[test]
fn a_changed_byte_is_refused() {
    let device = device();
    let (dir, _, _) = saved_model();
    let mut bytes =
        [files::MANIFEST, files::CONFIG, files::VQVAE, files::PRIOR].map(|f| read(&dir, f));
    let middle = bytes[2].len() / 2;
    bytes[2][middle] ^= 0x01;
    let result = weights::load_model(
        ModelFiles {
            manifest: &bytes[0],
            config: &bytes[1],
            vqvae: &bytes[2],
            prior: Some(&bytes[3]),
        },
        &device,
    );
    match result {
        Err(WeightsError::HashMismatch { file, .. }) => assert_eq!(file, files::VQVAE),
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
}

/// A scratch directory removed on drop.
mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "vq-model-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).expect("temp dir");
            Self(path)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn a_config_out_of_bounds_is_refused_before_anything_is_allocated() {
    let shipped: vq_model::ModelConfig = serde_json::from_slice(include_bytes!(
        "../../../../assets/models/photo/config.json"
    ))
    .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(shipped.check_bounds(), Ok(()));
    let mut huge = shipped.clone();
    huge.vqvae.codebook_size = 1 << 30;
    let err = huge.check_bounds().err();
    assert_eq!(err.as_ref().map(|e| e.field), Some("vqvae.codebook_size"));
    let sentence = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        sentence.contains("1073741824") && sentence.contains("2..=65536"),
        "{sentence}"
    );
    let mut wide = shipped.clone();
    wide.image_size = 0;
    assert_eq!(
        wide.check_bounds().err().map(|e| e.field),
        Some("image_size")
    );
    // `downsample`, absent from the shipped files, reads as 4; 2 is allowed, 3 is not.
    assert_eq!(shipped.vqvae.downsample(), 4);
    for (downsample, field) in [
        (2, None),
        (3, Some("vqvae.downsample")),
        (8, Some("vqvae.downsample")),
    ] {
        let mut other = shipped.clone();
        other.vqvae.downsample = Some(downsample);
        assert_eq!(
            other.check_bounds().err().map(|e| e.field),
            field,
            "{downsample}"
        );
    }
}

/// A model of `downsample` 2 makes grids half the image's side, and decodes them back to it.
#[test]
fn a_downsample_of_2_halves_the_side_once() {
    let device = device();
    let config = small_vqvae_config(3).with_downsample(Some(2));
    let model = VqVae::new(&config, &device);
    let x = Tensor::<4>::zeros([1, 3, 16, 12], &device);
    let codes = model.encode(x);
    assert_eq!(codes.dims(), [1, 8, 6]);
    assert_eq!(model.downsample(), 2);
    assert_eq!(model.decode(codes).dims(), [1, 3, 16, 12]);
    let four = VqVae::new(&small_vqvae_config(3), &device);
    assert_eq!(
        four.encode(Tensor::<4>::zeros([1, 3, 16, 12], &device))
            .dims(),
        [1, 4, 3]
    );
}
