use vq_model::prior::PixelCnnPrior;
use vq_model::sampler::Grid;

use crate::{device, random_grid, small_prior_config, to_vec};

const H: usize = 7;
const W: usize = 9;

fn logits(prior: &PixelCnnPrior, grids: &[Grid], class: Option<usize>) -> Vec<f32> {
    let device = device();
    let batch = grids.len();
    to_vec(prior.forward(
        Grid::to_tensor(grids, &device),
        Some(prior.class_tensor(class, batch, &device)),
    ))
}

/// Logits of `cell` from a `[batch, K, H, W]` read-out.
fn cell_logits(all: &[f32], item: usize, k: usize, cell: usize) -> Vec<f32> {
    (0..k)
        .map(|c| all[item * k * H * W + c * H * W + cell])
        .collect()
}

/// Changing any cell changes no logit at or before it in raster order (the prior never sees
/// the code it predicts, nor any after it), and changes some logit after it.
#[test]
fn changing_a_cell_changes_no_logit_at_or_before_it() {
    let device = device();
    let config = small_prior_config(3);
    let prior = PixelCnnPrior::new(&config, &device);
    let k = config.codebook_size;
    let grid = random_grid(H, W, k, 11);
    let base = logits(&prior, std::slice::from_ref(&grid), Some(1));
    let variants: Vec<Grid> = (0..H * W)
        .map(|cell| {
            let mut g = grid.clone();
            g.codes[cell] = (g.codes[cell] + 1 + cell as u32 % 5) % k as u32;
            g
        })
        .collect();
    let changed = logits(&prior, &variants, Some(1));
    for cell in 0..H * W {
        for other in 0..=cell {
            assert_eq!(
                cell_logits(&base, 0, k, other),
                cell_logits(&changed, cell, k, other),
                "changing cell {cell} changed the logits of cell {other}"
            );
        }
        if cell + 1 < H * W {
            let later_changed = (cell + 1..H * W)
                .any(|o| cell_logits(&base, 0, k, o) != cell_logits(&changed, cell, k, o));
            assert!(later_changed, "cell {cell} influences some later cell");
        }
    }
}

/// Every earlier cell inside the receptive field influences a cell's logits: no blind spot
/// (the flaw of the original PixelCNN that the two stacks remove). With the test above, this
/// pins the field down exactly: what it claims is seen, what is after is not.
#[test]
fn every_earlier_cell_in_the_receptive_field_is_seen() {
    let device = device();
    let config = small_prior_config(0);
    let prior = PixelCnnPrior::new(&config, &device);
    let k = config.codebook_size;
    let field = prior.receptive_field();
    let grid = random_grid(H, W, k, 5);
    let base = logits(&prior, std::slice::from_ref(&grid), None);
    for target in [W + 1, 3 * W + 4, 5 * W + 8, H * W - 1, 2 * W, 6 * W + 3] {
        let at = (target / W, target % W);
        let earlier: Vec<usize> = (0..target).collect();
        let variants: Vec<Grid> = earlier
            .iter()
            .map(|&cell| {
                let mut g = grid.clone();
                g.codes[cell] = (g.codes[cell] + 7) % k as u32;
                g
            })
            .collect();
        let changed = logits(&prior, &variants, None);
        for (i, &cell) in earlier.iter().enumerate() {
            let seen = cell_logits(&base, 0, k, target) != cell_logits(&changed, i, k, target);
            let claimed = field.contains(at, (cell / W, cell % W));
            assert_eq!(
                seen, claimed,
                "cell {cell} vs target {target}: influences = {seen}, in the field = {claimed}"
            );
        }
    }
}
