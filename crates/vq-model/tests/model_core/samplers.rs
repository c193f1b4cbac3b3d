use vq_model::prior::PixelCnnPrior;
use vq_model::rng::SplitMix64;
use vq_model::sampler::{self, Grid, SampleOptions, choose, logits_at};

use crate::{block_on, device, max_abs_diff, random_grid, small_prior_config, to_vec};

const H: usize = 12;
const W: usize = 13;

fn prior() -> PixelCnnPrior {
    PixelCnnPrior::new(&small_prior_config(4), &device())
}

fn full_logits(prior: &PixelCnnPrior, grid: &Grid, class: Option<usize>, cell: usize) -> Vec<f32> {
    let device = device();
    let k = prior.codebook_size();
    let all = to_vec(prior.forward(
        Grid::to_tensor(std::slice::from_ref(grid), &device),
        Some(prior.class_tensor(class, 1, &device)),
    ));
    (0..k).map(|c| all[c * H * W + cell]).collect()
}

/// The windowed logits of every cell equal those of the full-grid pass (1e-5: the same sums
/// over a smaller zero-padded input).
#[test]
fn windowed_logits_equal_the_full_grid_pass() {
    let device = device();
    let prior = prior();
    let field = prior.receptive_field();
    assert!(
        field.rows_above + 1 < H && 2 * field.cols_side + 2 < W,
        "the window is smaller than the grid"
    );
    let grid = random_grid(H, W, prior.codebook_size(), 9);
    for cell in 0..H * W {
        let windowed = block_on(logits_at(
            &prior,
            std::slice::from_ref(&grid),
            (cell / W, cell % W),
            Some(2),
            &device,
        ))
        .expect("logits");
        let diff = max_abs_diff(&windowed[0], &full_logits(&prior, &grid, Some(2), cell));
        assert!(diff <= 1e-5, "cell {cell}: {diff}");
    }
}

/// The windowed sampler draws the same grid as sampling from full-grid passes (O(n²)).
#[test]
fn windowed_sampling_gives_the_grid_of_the_full_pass() {
    let device = device();
    let prior = prior();
    let options = SampleOptions {
        temperature: 1.0,
        top_k: Some(8),
        seed: 42,
        class: Some(1),
    };
    let fast = block_on(sampler::sample(
        &prior,
        (H, W),
        1,
        &options,
        &device,
        &mut |_, _| {},
    ))
    .expect("sample");
    let mut rng = SplitMix64::new(options.seed);
    let mut slow = Grid::zeros(H, W);
    for cell in 0..H * W {
        let logits = full_logits(&prior, &slow, options.class, cell);
        slow.codes[cell] = choose(&logits, &options, &mut rng);
    }
    assert_eq!(fast[0], slow);
}

/// A seed gives the same samples; another seed, others; steps are reported cell by cell.
#[test]
fn samples_repeat_for_a_seed() {
    let device = device();
    let prior = prior();
    let options = SampleOptions {
        temperature: 0.9,
        top_k: None,
        seed: 7,
        class: None,
    };
    let mut steps = 0;
    let a = block_on(sampler::sample(
        &prior,
        (6, 5),
        3,
        &options,
        &device,
        &mut |_, _| steps += 1,
    ))
    .expect("a");
    let b = block_on(sampler::sample(
        &prior,
        (6, 5),
        3,
        &options,
        &device,
        &mut |_, _| {},
    ))
    .expect("b");
    let other = SampleOptions { seed: 8, ..options };
    let c = block_on(sampler::sample(
        &prior,
        (6, 5),
        3,
        &other,
        &device,
        &mut |_, _| {},
    ))
    .expect("c");
    assert_eq!(steps, 30);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a[0], a[1], "the samples of one batch differ");
}

/// Completion keeps every unmasked cell and resamples the masked ones.
#[test]
fn completion_keeps_unmasked_cells() {
    let device = device();
    let prior = prior();
    let grid = random_grid(8, 8, prior.codebook_size(), 3);
    let mask: Vec<bool> = (0..64)
        .map(|i| (2..6).contains(&(i / 8)) && (3..7).contains(&(i % 8)))
        .collect();
    let options = SampleOptions {
        seed: 1,
        ..SampleOptions::default()
    };
    let candidates = block_on(sampler::complete(
        &prior,
        &grid,
        &mask,
        3,
        &options,
        &device,
        &mut |_, _| {},
    ))
    .expect("complete");
    assert_eq!(candidates.len(), 3);
    for candidate in &candidates {
        for (i, (&kept, &original)) in candidate.codes.iter().zip(&grid.codes).enumerate() {
            if !mask[i] {
                assert_eq!(kept, original, "cell {i} is outside the mask");
            }
        }
    }
    let resampled = (0..64)
        .filter(|&i| mask[i] && candidates[0].codes[i] != grid.codes[i])
        .count();
    assert!(resampled > 0, "masked cells are resampled");
}

/// Surprisal is finite and grows when a cell is set to a code the prior finds unlikely.
#[test]
fn surprisal_is_larger_for_an_unlikely_code() {
    let device = device();
    let prior = prior();
    let grid = random_grid(6, 6, prior.codebook_size(), 5);
    let bits = block_on(sampler::surprisal(&prior, &grid, None, &device)).expect("bits");
    assert_eq!(bits.len(), 36);
    assert!(bits.iter().all(|b| b.is_finite() && *b >= 0.0));
    let cell = 20;
    let logits = block_on(logits_at(
        &prior,
        std::slice::from_ref(&grid),
        (cell / 6, cell % 6),
        None,
        &device,
    ))
    .expect("logits");
    let (likely, unlikely) = argmax_argmin(&logits[0]);
    let with = |code: usize| {
        let mut g = grid.clone();
        g.codes[cell] = code as u32;
        block_on(sampler::surprisal(&prior, &g, None, &device)).expect("bits")[cell]
    };
    assert!(with(unlikely) > with(likely));
}

/// Suggestions are distinct codes with probabilities in decreasing order that sum to at most 1.
#[test]
fn suggestions_rank_codes_for_a_cell() {
    let device = device();
    let prior = prior();
    let grid = random_grid(7, 7, prior.codebook_size(), 8);
    let found = block_on(sampler::suggestions(
        &prior,
        &grid,
        (3, 3),
        Some(0),
        5,
        16,
        &device,
    ))
    .expect("suggestions");
    assert_eq!(found.len(), 5);
    assert!(
        found
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    let total: f32 = found.iter().map(|s| s.probability).sum();
    assert!(total > 0.0 && total <= 1.0 + 1e-5);
    let distinct: std::collections::BTreeSet<u32> = found.iter().map(|s| s.code).collect();
    assert_eq!(distinct.len(), 5, "five distinct codes: {distinct:?}");
}

fn argmax_argmin(values: &[f32]) -> (usize, usize) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    (order[0], order[order.len() - 1])
}
