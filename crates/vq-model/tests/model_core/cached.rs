//! The cached sampler (Ramachandran et al. 2017) against the windowed one it replaces: the
//! same logits, the same grids for a seed, also for completions and for wider kernels.

use vq_model::prior::{HostPrior, PixelCnnPrior};
use vq_model::sampler::{self, CachedResampler, Grid, Resampler, SampleOptions};

use crate::{block_on, device, max_abs_diff, random_grid, small_prior_config, to_vec};

fn host(prior: &PixelCnnPrior) -> HostPrior {
    block_on(HostPrior::read(prior)).expect("weights")
}

/// Every cell's host logits equal the device's teacher-forced pass, for mask A and B layers,
/// classes and the kernel widths 3 and 5.
#[test]
fn host_logits_equal_the_full_grid_pass() {
    let device = device();
    for (kernel, class) in [(3, Some(2)), (3, None), (5, Some(0))] {
        let prior = PixelCnnPrior::new(&small_prior_config(4).with_kernel(kernel), &device);
        let host = host(&prior);
        let (h, w) = (9, 11);
        let k = prior.codebook_size();
        let grid = random_grid(h, w, k, 5);
        let full = to_vec(prior.forward(
            Grid::to_tensor(std::slice::from_ref(&grid), &device),
            Some(prior.class_tensor(class, 1, &device)),
        )); // [1, K, h, w]
        let cached = sampler::cached::logits(&host, &grid, class);
        for (cell, logits) in cached.iter().enumerate() {
            let expected: Vec<f32> = (0..k).map(|c| full[c * h * w + cell]).collect();
            let diff = max_abs_diff(logits, &expected);
            assert!(diff <= 1e-4, "kernel {kernel}, cell {cell}: {diff}");
        }
    }
}

fn both(
    prior: &PixelCnnPrior,
    grids: Vec<Grid>,
    mask: &[bool],
    options: SampleOptions,
) -> (Vec<Grid>, Vec<Grid>, Vec<usize>, Vec<usize>) {
    let device = device();
    let host = host(prior);
    let mut windowed = Resampler::new(grids.clone(), mask, options);
    let mut slow_cells = Vec::new();
    while let Some(cell) = block_on(windowed.step(prior, &device)).expect("step") {
        slow_cells.push(cell);
    }
    let mut cached = CachedResampler::new(grids, mask, options);
    let mut fast_cells = Vec::new();
    while let Some(cell) = cached.step(&host) {
        fast_cells.push(cell);
        assert_eq!(cached.progress().0, fast_cells.len());
    }
    (
        windowed.into_grids(),
        cached.into_grids(),
        slow_cells,
        fast_cells,
    )
}

/// For a seed, the cached sampler draws the windowed sampler's grids, cell by cell in the same
/// order, with classes, top-k and temperatures.
#[test]
fn cached_sampling_draws_the_windowed_grids() {
    let device = device();
    for (seed, kernel, class, top_k, temperature) in [
        (1, 3, Some(1), Some(8), 1.0),
        (2, 3, None, None, 1.3),
        (3, 5, Some(3), None, 0.7),
    ] {
        let prior = PixelCnnPrior::new(&small_prior_config(4).with_kernel(kernel), &device);
        let options = SampleOptions {
            temperature,
            top_k,
            seed,
            class,
        };
        let (h, w) = (10, 9);
        let (slow, fast, slow_cells, fast_cells) =
            both(&prior, vec![Grid::zeros(h, w); 3], &[true; 90], options);
        assert_eq!(fast_cells, slow_cells);
        assert_eq!(fast_cells.len(), h * w);
        assert_eq!(fast, slow, "seed {seed}");
        assert_ne!(fast[0], fast[1], "the grids of one batch differ");
    }
}

/// A completion (a masked region of a larger grid) keeps the unmasked cells and draws what the
/// windowed sampler draws, though the caches cover only the region the mask can see.
#[test]
fn cached_completion_draws_the_windowed_grids() {
    let device = device();
    let prior = PixelCnnPrior::new(&small_prior_config(0), &device);
    let (h, w) = (16, 18);
    let grid = random_grid(h, w, prior.codebook_size(), 11);
    // Two blobs far apart: the crop spans both, and its edges are inside the grid.
    let mut mask = vec![false; h * w];
    for (r, c) in [(9, 8), (9, 9), (10, 9), (12, 13), (13, 12)] {
        mask[r * w + c] = true;
    }
    let options = SampleOptions {
        seed: 4,
        ..SampleOptions::default()
    };
    let (slow, fast, _, cells) = both(&prior, vec![grid.clone(); 2], &mask, options);
    assert_eq!(cells.len(), 5);
    assert_eq!(fast, slow);
    for g in &fast {
        for (i, (&a, &b)) in g.codes.iter().zip(&grid.codes).enumerate() {
            if !mask[i] {
                assert_eq!(a, b, "cell {i} was not masked");
            }
        }
    }
    assert!(
        fast.iter().any(|g| g.codes != grid.codes),
        "something was redrawn"
    );
}

/// The host's suggestions, rescoring only the activations a candidate reaches, rank the codes
/// as the device's pass over the whole window does, with the same probabilities, also at the
/// edges, for priors of several depths and kernel widths (the cone's reach depends on both).
#[test]
fn host_suggestions_equal_the_device_windows() {
    let device = device();
    for (layers, kernel) in [(2, 3), (4, 3), (3, 5)] {
        let config = small_prior_config(4)
            .with_layers(layers)
            .with_kernel(kernel);
        let prior = PixelCnnPrior::new(&config, &device);
        let host = host(&prior);
        let (h, w) = (16, 17);
        let grid = random_grid(h, w, prior.codebook_size(), 21);
        for (cell, class) in [
            ((7, 8), Some(1)),
            ((0, 0), None),
            ((15, 16), Some(3)),
            ((3, 1), None),
            ((12, 15), None),
        ] {
            let device_ranked = block_on(sampler::suggestions(
                &prior, &grid, cell, class, 5, 8, &device,
            ))
            .expect("suggestions");
            let mut suggester = sampler::HostSuggester::new(&host, &grid, cell, class, 8);
            while suggester.rescore_next(&host) {}
            assert_eq!(suggester.progress(), (8, 8));
            let host_ranked = suggester.ranked(5);
            let codes = |r: &[sampler::Suggestion]| r.iter().map(|s| s.code).collect::<Vec<_>>();
            let at = format!("{layers} layers of {kernel}, cell {cell:?}");
            assert_eq!(codes(&host_ranked), codes(&device_ranked), "{at}");
            for (a, b) in host_ranked.iter().zip(&device_ranked) {
                assert!(
                    (a.probability - b.probability).abs() < 1e-4,
                    "{at}: {a:?} {b:?}"
                );
            }
        }
    }
}

/// The host's surprisal, a row at a time, equals the device's teacher-forced pass.
#[test]
fn host_surprisal_equals_the_device_pass() {
    let device = device();
    let prior = PixelCnnPrior::new(&small_prior_config(4), &device);
    let host = host(&prior);
    let grid = random_grid(9, 11, prior.codebook_size(), 8);
    for class in [Some(2), None] {
        let expected = block_on(sampler::surprisal(&prior, &grid, class, &device)).expect("bits");
        let mut pass = sampler::HostSurprisal::new(&host, &grid, class);
        let mut rows = 0;
        while pass.next_row(&host) {
            rows += 1;
            assert_eq!(pass.progress(), (rows, 9));
        }
        let bits = pass.into_bits();
        let diff = max_abs_diff(&bits, &expected);
        assert!(diff < 1e-3, "{class:?}: {diff}");
    }
}
