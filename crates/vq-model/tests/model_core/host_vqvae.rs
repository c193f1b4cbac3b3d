//! The encoder and decoder on the host compute what burn's layers compute: the same `z_e`,
//! the same pixels of a decode and of a window's decode, for grey and colour models, at sizes
//! that leave partial blocks of the kernel (widths not a multiple of 4, channels not of 8).

use burn::prelude::*;
use vq_model::incremental::{Window, decode_window};
use vq_model::vqvae::{HostVqVae, Map};
use vq_model::{VqVae, VqVaeConfig};

use super::{block_on, device, max_abs_diff, random_grid, small_vqvae_config, to_vec};

/// A model whose channels are not multiples of the kernel's 8 lanes.
fn odd_config(in_channels: usize) -> VqVaeConfig {
    VqVaeConfig::new(in_channels, 5, 12)
        .with_hidden_channels(20)
        .with_residual_channels(6)
}

/// `config` at a downsampling of 2: `up1` and `down2` of stride 1, four times the cells.
fn at_half(config: VqVaeConfig) -> VqVaeConfig {
    config.with_downsample(Some(2))
}

fn planes_of(map: &Map) -> Vec<f32> {
    map.to_planes()
}

#[test]
fn host_encoder_equals_burns() {
    let device = device();
    for config in [
        small_vqvae_config(1),
        small_vqvae_config(3),
        odd_config(3),
        at_half(odd_config(3)),
    ] {
        let vqvae = VqVae::new(&config, &device);
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        let scale = config.downsample();
        for (height, width) in [(28, 28), (20, 36), (12, 8)] {
            let x = Tensor::<4>::random(
                [1, config.in_channels, height, width],
                burn::tensor::Distribution::Uniform(-0.5, 0.5),
                &device,
            );
            let expected = to_vec(vqvae.encoder.forward(x.clone()));
            let input = Map::from_planes(&to_vec(x), (height, width), config.in_channels);
            let z_e = host.encoder.forward(&input);
            assert_eq!((z_e.height, z_e.width), (height / scale, width / scale));
            let diff = max_abs_diff(&planes_of(&z_e), &expected);
            assert!(diff < 1e-4, "{config:?} at {height}×{width}: {diff}");
        }
    }
}

/// The host's ranking of the codes of each cell is the device's: the same codes in the same
/// order (the two sum in different orders, so a near-tie may swap: none does here), the same
/// squared distances.
#[test]
fn host_ranking_equals_burns() {
    let device = device();
    for config in [small_vqvae_config(3), odd_config(3)] {
        let mut vqvae = VqVae::new(&config, &device);
        // Spread the codebook (the paper's ±1/K start puts every code near the origin).
        vqvae.quantizer.codebook.weight = vqvae
            .quantizer
            .codebook
            .weight
            .map(|w| w.random_like(burn::tensor::Distribution::Normal(0.0, 1.0)));
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        let (d, h, w) = (config.embedding_dim, 6, 9);
        let z_e = Tensor::<4>::random(
            [1, d, h, w],
            burn::tensor::Distribution::Normal(0.0, 1.0),
            &device,
        );
        let k = 5.min(config.codebook_size);
        let ranked = vqvae.quantizer.ranked(z_e.clone(), k);
        let expected_codes = block_on(vq_model::read_i64(ranked.codes)).expect("codes");
        let expected_distance = to_vec(ranked.distance);
        let host_ranked = host
            .quantizer
            .ranked(&Map::from_planes(&to_vec(z_e), (h, w), d), k);
        let codes: Vec<i64> = host_ranked.codes.iter().map(|&c| i64::from(c)).collect();
        assert_eq!(codes, expected_codes, "{config:?}");
        let diff = max_abs_diff(&host_ranked.distance, &expected_distance);
        assert!(diff < 1e-4, "{config:?}: {diff}");
    }
}

#[test]
fn host_decoder_equals_burns() {
    let device = device();
    for config in [
        small_vqvae_config(1),
        small_vqvae_config(3),
        odd_config(3),
        at_half(odd_config(3)),
    ] {
        let vqvae = VqVae::new(&config, &device);
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        let scale = config.downsample();
        for (h, w, seed) in [(7, 7, 1), (5, 9, 2), (1, 3, 3)] {
            let grid = random_grid(h, w, config.codebook_size, seed);
            let expected = to_vec(vqvae.decode(vq_model::sampler::Grid::to_tensor(
                std::slice::from_ref(&grid),
                &device,
            )));
            let decoded = host.decode(&grid);
            assert_eq!(
                (decoded.height, decoded.width, decoded.channels),
                (scale * h, scale * w, config.in_channels)
            );
            let diff = max_abs_diff(&planes_of(&decoded), &expected);
            assert!(diff < 1e-4, "{config:?} at {h}×{w}: {diff}");
        }
    }
}

/// Decoding a grid through the table of codes (the first convolution's products with each
/// code, computed once) gives what the convolution of its `z_q` gives, at the grid's edges
/// too.
#[test]
fn the_table_of_codes_decodes_as_the_convolution_of_z_q() {
    let device = device();
    for config in [small_vqvae_config(3), odd_config(3), at_half(odd_config(3))] {
        let vqvae = VqVae::new(&config, &device);
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        for (h, w, seed) in [(6, 5, 4), (1, 1, 5), (2, 7, 6)] {
            let grid = random_grid(h, w, config.codebook_size, seed);
            let by_table = host.decoder.decode(&grid);
            let by_z_q = host.decoder.forward(&host.decoder.z_q(&grid));
            let diff = max_abs_diff(&by_table.data, &by_z_q.data);
            assert!(diff < 1e-5, "{config:?} at {h}×{w}: {diff}");
        }
    }
}

#[test]
fn host_window_decode_equals_burns() {
    let device = device();
    for config in [odd_config(3), at_half(odd_config(3))] {
        let vqvae = VqVae::new(&config, &device);
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        let grid = random_grid(16, 18, config.codebook_size, 9);
        for (rows, cols) in [(3..=3, 4..=4), (0..=2, 15..=17), (8..=12, 0..=1)] {
            let expected =
                decode_window(&vqvae, &config, &grid, rows.clone(), cols.clone(), &device);
            let patch = host.decode_window(&config, &grid, rows.clone(), cols.clone());
            assert_eq!((patch.top, patch.left), (expected.top, expected.left));
            let [_, _, height, width] = expected.pixels.dims();
            assert_eq!((patch.pixels.height, patch.pixels.width), (height, width));
            let diff = max_abs_diff(&planes_of(&patch.pixels), &to_vec(expected.pixels));
            assert!(diff < 1e-4, "{config:?}, {rows:?} × {cols:?}: {diff}");
        }
    }
}

/// A region of the decode, each layer computed only where the region depends on it, holds the
/// full decode's values there, bit for bit: at corners, edges and inside, odd sizes, one pixel.
#[test]
fn host_region_decode_equals_the_full_decode() {
    let device = device();
    for config in [small_vqvae_config(3), odd_config(3), at_half(odd_config(3))] {
        let vqvae = VqVae::new(&config, &device);
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        let grid = random_grid(13, 17, config.codebook_size, 5);
        let full = host.decode(&grid);
        let (height, width) = (full.height, full.width);
        // The ranges of a ÷4 decode (52 × 68 pixels), halved for a ÷2 one (26 × 34).
        let scaled = |r: std::ops::Range<usize>| {
            let s = config.downsample();
            r.start * s / 4..(r.end * s).div_ceil(4)
        };
        for (rows, cols) in [
            (0..9, 0..11),
            (7..36, 23..41),
            (45..52, 60..68),
            (20..21, 33..34),
            (0..52, 0..68),
            (1..50, 3..66),
        ] {
            let (rows, cols) = (scaled(rows), scaled(cols));
            assert!(rows.end <= height && cols.end <= width);
            let region = host
                .decoder
                .decode_region(&grid, rows.clone(), cols.clone());
            let expected = full.crop(rows.clone(), cols.clone());
            assert_eq!(
                (region.height, region.width, region.channels),
                (expected.height, expected.width, expected.channels)
            );
            assert_same_bits(&region, &expected, &format!("{rows:?} × {cols:?}"));
        }
    }
}

/// The window around a cell decoded with each of several codes from one first pass (only the
/// cell's cone computed again per code) holds, bit for bit, the window of each changed grid:
/// at corners, edges and inside.
#[test]
fn host_variants_equal_the_window_of_each_changed_grid() {
    let device = device();
    for config in [small_vqvae_config(3), odd_config(3), at_half(odd_config(3))] {
        let vqvae = VqVae::new(&config, &device);
        let host = block_on(HostVqVae::read(&vqvae)).expect("weights");
        let grid = random_grid(13, 17, config.codebook_size, 9);
        let codes = [0, 3, (config.codebook_size - 1) as u32];
        for cell in [(0, 0), (0, 16), (12, 0), (12, 16), (6, 8), (1, 15), (11, 2)] {
            let window = Window::new(&config, (13, 17), cell.0..=cell.0, cell.1..=cell.1);
            let variants = host.decoder.decode_variants(
                &grid,
                cell,
                &codes,
                window.pixel_rows.clone(),
                window.pixel_cols.clone(),
            );
            for (&code, variant) in codes.iter().zip(&variants) {
                let mut changed = grid.clone();
                changed.codes[cell.0 * 17 + cell.1] = code;
                let expected = host.decoder.decode_region(
                    &changed,
                    window.pixel_rows.clone(),
                    window.pixel_cols.clone(),
                );
                assert_same_bits(variant, &expected, &format!("cell {cell:?}, code {code}"));
            }
        }
    }
}

/// `map` holds `expected`'s values bit for bit (and its shape).
fn assert_same_bits(map: &Map, expected: &Map, what: &str) {
    assert_eq!(
        (map.height, map.width, map.channels),
        (expected.height, expected.width, expected.channels),
        "{what}"
    );
    let same = map
        .data
        .iter()
        .zip(&expected.data)
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same, "{what}: {}", max_abs_diff(&map.data, &expected.data));
}
