//! Dead-code revival: a code no cell has chosen for `patience` steps is moved onto a random
//! encoder output of the current batch, where cells will choose it again.

use burn::prelude::*;
use burn::tensor::Int;

use crate::rng::SplitMix64;

/// Tracks how many steps each code has gone unused, to revive dead codes.
#[derive(Debug, Clone)]
pub struct DeadCodes {
    /// Steps since each code was last chosen.
    pub idle_steps: Vec<usize>,
    /// A code idle for this many steps is dead.
    pub patience: usize,
}

impl DeadCodes {
    /// Every code starts alive.
    pub fn new(codebook_size: usize, patience: usize) -> Self {
        Self {
            idle_steps: vec![0; codebook_size],
            patience,
        }
    }

    /// Records the codes used in a step; returns the codes that are now dead.
    pub fn observe(&mut self, codes_used: &[i64]) -> Vec<usize> {
        let mut used = vec![false; self.idle_steps.len()];
        for &c in codes_used {
            if let Some(u) = used.get_mut(c as usize) {
                *u = true;
            }
        }
        for (idle, used) in self.idle_steps.iter_mut().zip(used) {
            *idle = if used { 0 } else { *idle + 1 };
        }
        self.idle_steps
            .iter()
            .enumerate()
            .filter(|(_, idle)| **idle >= self.patience)
            .map(|(k, _)| k)
            .collect()
    }

    /// Resets the `dead` codes of `codebook` (`[K, D]`) to random rows of `z_flat`
    /// (`[cells, D]`) and marks them alive. Returns the new codebook.
    pub fn revive(
        &mut self,
        codebook: Tensor<2>,
        z_flat: Tensor<2>,
        dead: &[usize],
        rng: &mut SplitMix64,
    ) -> Tensor<2> {
        if dead.is_empty() {
            return codebook;
        }
        let cells = z_flat.dims()[0];
        let device = codebook.device();
        let picks: Vec<i64> = dead.iter().map(|_| rng.below(cells) as i64).collect();
        let targets: Vec<i64> = dead.iter().map(|&k| k as i64).collect();
        let n = dead.len();
        let rows = z_flat.select(0, Tensor::from_data(TensorData::new(picks, [n]), &device));
        let index = Tensor::<1, Int>::from_data(TensorData::new(targets, [n]), &device);
        let d = codebook.dims()[1];
        let mask_rows = super::one_hot::one_hot(index.clone(), codebook.dims()[0]); // [n, K]
        let keep = mask_rows
            .clone()
            .sum_dim(0)
            .reshape([codebook.dims()[0], 1]); // [K, 1]
        let scattered = mask_rows.transpose().matmul(rows); // [K, D], dead rows replaced
        for &k in dead {
            self.idle_steps[k] = 0;
        }
        codebook * (keep.clone().neg() + 1.0).expand([keep.dims()[0], d]) + scattered
    }
}
