//! Batches drawn reproducibly: the images of step `s` depend only on the seed and `s`, so a
//! run resumed from a checkpoint sees the same batches as one that never stopped, and a
//! training worker draws the same images from the same data as the native trainer.

use crate::rng::SplitMix64;

/// Indices into a set of `len` items of the `batch_size` items of step `step` (drawn with
/// replacement, `len > 0`).
pub fn batch_indices(len: usize, batch_size: usize, seed: u64, step: usize) -> Vec<usize> {
    let mut rng = SplitMix64::stream(seed, step as u64);
    (0..batch_size).map(|_| rng.below(len)).collect()
}
