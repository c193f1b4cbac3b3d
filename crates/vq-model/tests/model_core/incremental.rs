use burn::prelude::*;
use vq_model::VqVaeConfig;
use vq_model::incremental::{decode_window, decode_window_each};
use vq_model::vqvae::VqVae;

use crate::{device, max_abs_diff, random_grid, small_vqvae_config, to_vec};

/// Decoding only the window of an edit gives exactly the pixels of a full decode there
/// (1e-5: float sums in another order), wherever the edit is: corner, edge, middle, a block;
/// at a downsampling of 4 and of 2.
#[test]
fn incremental_decode_equals_the_crop_of_a_full_decode() {
    let device = device();
    for config in [
        small_vqvae_config(3),
        small_vqvae_config(3).with_downsample(Some(2)),
    ] {
        window_equals_the_crop_of_a_full_decode(&config, &device);
    }
}

fn window_equals_the_crop_of_a_full_decode(config: &VqVaeConfig, device: &Device) {
    let (config, device) = (config.clone(), device.clone());
    let model = VqVae::new(&config, &device);
    let grid = random_grid(20, 18, config.codebook_size, 2);
    let full = model.decode(vq_model::sampler::Grid::to_tensor(
        std::slice::from_ref(&grid),
        &device,
    )); // [1, 3, 80, 72] (40 × 36 at ÷2)
    let [_, channels, height, width] = full.dims();
    let scale = config.downsample();
    assert_eq!((height, width), (20 * scale, 18 * scale));
    for (rows, cols) in [
        (0..=0, 0..=0),
        (10..=10, 9..=9),
        (19..=19, 17..=17),
        (3..=6, 12..=17),
    ] {
        let patch = decode_window(&model, &config, &grid, rows.clone(), cols.clone(), &device);
        let [_, _, ph, pw] = patch.pixels.dims();
        assert!(
            ph < height || pw < width || rows.start() == &0,
            "a window, not the image"
        );
        let crop = full.clone().slice([
            0..1,
            0..channels,
            patch.top..patch.top + ph,
            patch.left..patch.left + pw,
        ]);
        let diff = max_abs_diff(&to_vec(patch.pixels), &to_vec(crop));
        assert!(diff <= 1e-5, "edit at {rows:?}×{cols:?}: differs by {diff}");
    }
}

/// The window covers every pixel an edit changes: outside it, a full decode is unchanged (at
/// a downsampling of 4 and of 2).
#[test]
fn pixels_outside_the_window_do_not_change() {
    let device = device();
    for config in [
        small_vqvae_config(1),
        small_vqvae_config(1).with_downsample(Some(2)),
    ] {
        only_the_window_changes(&config, &device);
    }
}

fn only_the_window_changes(config: &VqVaeConfig, device: &Device) {
    let (config, device) = (config.clone(), device.clone());
    let side = 16 * config.downsample();
    let model = VqVae::new(&config, &device);
    let grid = random_grid(16, 16, config.codebook_size, 4);
    let mut edited = grid.clone();
    edited.codes[8 * 16 + 7] = (edited.codes[8 * 16 + 7] + 3) % config.codebook_size as u32;
    let decode = |g: &vq_model::sampler::Grid| {
        to_vec(model.decode(vq_model::sampler::Grid::to_tensor(
            std::slice::from_ref(g),
            &device,
        )))
    };
    let (before, after) = (decode(&grid), decode(&edited));
    let patch = decode_window(&model, &config, &edited, 8..=8, 7..=7, &device);
    let [_, _, ph, pw] = patch.pixels.dims();
    let mut changed_inside = 0;
    for y in 0..side {
        for x in 0..side {
            let inside = (patch.top..patch.top + ph).contains(&y)
                && (patch.left..patch.left + pw).contains(&x);
            let differs = (before[y * side + x] - after[y * side + x]).abs() > 0.0;
            assert!(
                inside || !differs,
                "pixel ({y}, {x}) changed outside the window"
            );
            changed_inside += usize::from(differs);
        }
    }
    assert!(changed_inside > 0, "the edit changed something");
}

/// The previews of several codes at one cell, decoded as one batch, are each the window that an
/// edit to that code decodes, at a corner and in the middle.
#[test]
fn a_batch_of_codes_at_a_cell_decodes_as_each_edit_alone() {
    let device = device();
    let config = small_vqvae_config(3);
    let model = VqVae::new(&config, &device);
    let grid = random_grid(12, 10, config.codebook_size, 5);
    let codes = [0, 3, 7, (config.codebook_size - 1) as u32];
    for cell in [(0, 0), (6, 4)] {
        let batch = decode_window_each(&model, &config, &grid, cell, &codes, &device);
        let [n, channels, height, width] = batch.pixels.dims();
        assert_eq!(n, codes.len());
        for (i, &code) in codes.iter().enumerate() {
            let mut edited = grid.clone();
            edited.codes[cell.0 * grid.width + cell.1] = code;
            let alone = decode_window(
                &model,
                &config,
                &edited,
                cell.0..=cell.0,
                cell.1..=cell.1,
                &device,
            );
            assert_eq!((alone.top, alone.left), (batch.top, batch.left));
            let one = batch
                .pixels
                .clone()
                .slice([i..i + 1, 0..channels, 0..height, 0..width]);
            let diff = max_abs_diff(&to_vec(one), &to_vec(alone.pixels));
            assert!(diff <= 1e-5, "code {code} at {cell:?}: differs by {diff}");
        }
    }
}
