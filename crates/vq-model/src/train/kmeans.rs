//! k-means initialisation of the codebook from the encoder outputs of the first batch, so that
//! every code starts where the encoder puts its vectors rather than in a tiny ball at 0.

use burn::prelude::*;

use crate::rng::SplitMix64;

/// Lloyd iterations of the codebook's initialisation.
pub const KMEANS_ITERATIONS: usize = 10;

/// k-means (Lloyd's algorithm) on the rows of `z_flat`, seeded with `k` distinct random rows.
/// Returns `[k, D]` centroids; a centroid left without points keeps its previous value.
///
/// # Shapes
/// - `z_flat`: `[cells, D]`, `cells ≥ k`
pub fn kmeans(z_flat: Tensor<2>, k: usize, iterations: usize, seed: u64) -> Tensor<2> {
    let [cells, _] = z_flat.dims();
    let device = z_flat.device();
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<i64> = (0..cells as i64).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.truncate(k);
    let mut centroids = z_flat
        .clone()
        .select(0, Tensor::from_data(TensorData::new(order, [k]), &device)); // [k, D]
    for _ in 0..iterations {
        let c_sq = centroids.clone().square().sum_dim(1).reshape([1, k]); // [1, k]
        let assign = (c_sq - z_flat.clone().matmul(centroids.clone().transpose()) * 2.0)
            .argmin(1)
            .reshape([cells]); // [cells]
        let one_hot = super::one_hot::one_hot(assign, k); // [cells, k]
        let counts = one_hot.clone().sum_dim(0).reshape([k, 1]); // [k, 1]
        let sums = one_hot.transpose().matmul(z_flat.clone()); // [k, D]
        let empty = counts.clone().equal_elem(0.0); // [k, 1]
        let means = sums / counts.clamp_min(1.0);
        centroids = means.mask_where(empty.expand(centroids.dims()), centroids);
    }
    centroids
}
