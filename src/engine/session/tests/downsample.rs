//! A model that downsamples by 2 (`vq-train photo --downsample 2`: four times the codes of
//! the paper's 4) in the lab: added, loaded with cells of 2 pixels, a photograph encoded into
//! a grid of half its size, an edit decoding the window of a ÷2 decoder only.

use super::*;
use crate::engine::training::export::trained_files;
use crate::protocol::CellCode;
use vq_model::weights::{Provenance, to_bytes};
use vq_model::{ModelConfig, VqVaeConfig};

/// The files of an untrained colour model of `downsample` (small: the geometry is what is
/// tested, not the pictures).
fn colour_model(name: &str, downsample: usize) -> crate::protocol::TrainedFiles {
    let vqvae = VqVaeConfig::new(3, 8, 16)
        .with_hidden_channels(16)
        .with_residual_channels(8)
        .with_downsample(Some(downsample));
    let config = ModelConfig::without_prior(name.to_owned(), vqvae, 128);
    let weights = to_bytes(&vq_model::VqVae::new(
        &config.vqvae,
        &burn::tensor::Device::flex(),
    ))
    .unwrap_or_else(|err| panic!("{err}"));
    let provenance = Provenance {
        command: "a test's untrained model".into(),
        seed: 1,
        git_revision: "none".into(),
        data: "none".into(),
        metrics: Default::default(),
        train_usage: Vec::new(),
        wall_time_s: 0.0,
    };
    trained_files(&config, weights, provenance, Default::default())
        .unwrap_or_else(|err| panic!("{err}"))
}

/// A 60×40 PNG: pale blue with a dark green block.
fn photo() -> Vec<u8> {
    let mut image = image::RgbaImage::from_pixel(60, 40, image::Rgba([180, 200, 220, 255]));
    for y in 10..30 {
        for x in 20..40 {
            image.put_pixel(x, y, image::Rgba([20, 60, 20, 255]));
        }
    }
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap_or_else(|err| panic!("{err}"));
    png
}

#[test]
fn a_model_of_a_downsampling_of_2_encodes_and_edits_at_cells_of_2_pixels() {
    let (session, sent) = fashion_started_with(init_cpu());
    for (downsample, window) in [(4, 34), (2, 20)] {
        let name = format!("halves-{downsample}");
        let added = answer(
            &session,
            &sent,
            ToEngine::AddModel {
                files: colour_model(&name, downsample),
            },
        );
        assert!(matches!(added, FromEngine::ModelAdded { .. }), "{added:?}");
        let loaded = ask(&session, &sent, ToEngine::LoadModel { name });
        let Some(FromEngine::ModelLoaded(info)) = loaded.last() else {
            panic!("{loaded:?}");
        };
        assert_eq!(info.cell_size, downsample);
        assert_eq!(info.max_grid_side, 512 / downsample);

        let encoded = answer(
            &session,
            &sent,
            ToEngine::Encode {
                bytes: photo(),
                source: "block.png".into(),
                invert: Invert::Auto,
                long_side: 128,
            },
        );
        let FromEngine::Encoded(encoding) = encoded else {
            panic!("{}", summary(&encoded));
        };
        assert_eq!((encoding.width, encoding.height), (128, 84));
        let (w, h) = (128 / downsample, 84 / downsample);
        assert_eq!((encoding.grid_width, encoding.grid_height), (w, h));
        assert_eq!(encoding.codes.len(), w * h);
        assert_eq!(encoding.reconstruction.len(), 4 * 128 * 84);

        // A cell in the middle: the window of its reach (R = 3), 4·6 + 10 pixels at ÷4,
        // 2·6 + 8 at ÷2 (`vq_model::incremental`).
        let (row, col) = (h / 2, w / 2);
        let cell: CellCode = (row, col, (encoding.codes[row * w + col] + 1) % 16);
        let patched = answer(
            &session,
            &sent,
            ToEngine::Edit {
                id: 1,
                cells: vec![cell],
            },
        );
        let FromEngine::Patched { patch, .. } = patched else {
            panic!("{}", summary(&patched));
        };
        assert_eq!((patch.width, patch.height), (window, window));
        assert_eq!(
            (patch.top, patch.left),
            (downsample * (row - 3) - 3, downsample * (col - 3) - 3)
        );
    }
}
