//! What the native tests of the page's modules share: a small encoded image, an edit's patch
//! and a loaded model.

use crate::protocol::{Encoding, ModelInfo, PatchPixels};

/// 8×8 pixels, 2×2 cells with codes 1, 2, 3, 4; each pixel's grey level is its index.
pub fn encoding() -> Encoding {
    let reconstruction: Vec<u8> = (0..64u8).flat_map(|i| [i, i, i, 255]).collect();
    Encoding {
        source: "test".to_owned(),
        source_size: (8, 8),
        width: 8,
        height: 8,
        grid_width: 2,
        grid_height: 2,
        codes: vec![1, 2, 3, 4],
        nearest: Vec::new(),
        nearest_distance: Vec::new(),
        original: reconstruction.clone(),
        reconstruction,
        inverted: false,
        invert_reason: String::new(),
        millis: 1.0,
    }
}

/// A 4×5 patch at (2, 3), all 200.
pub fn patch() -> PatchPixels {
    PatchPixels {
        top: 2,
        left: 3,
        width: 4,
        height: 5,
        rgba: vec![200; 4 * 4 * 5],
    }
}

/// The `fashion` model as loaded: 28×28 grey, 128 codes, 4 pixels a cell, grids up to 7×7.
pub fn model_info() -> ModelInfo {
    ModelInfo {
        name: "fashion".to_owned(),
        channels: 1,
        image_size: 28,
        codebook_size: 128,
        cell_size: 4,
        max_grid_side: 7,
        class_names: Vec::new(),
        has_prior: true,
        bytes: 0,
        millis: 0.0,
        warmup_millis: 0.0,
    }
}
