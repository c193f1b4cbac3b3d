//! Rows of one-hot vectors, for the codebook's rules (EMA counts, k-means, revival).

use burn::prelude::*;

/// Row `i` is `1` at column `codes[i]`, `0` elsewhere: burn's `one_hot`, without its range
/// check, which reads the codes back synchronously and so panics on WebGPU in the browser
/// (every read there must be asynchronous). Codes are below `k` by construction (argmins
/// over `k` columns, dead-code indices).
///
/// # Shapes
/// - `codes`: `[n]` → `[n, k]`
pub(super) fn one_hot(codes: Tensor<1, Int>, k: usize) -> Tensor<2> {
    let n = codes.dims()[0];
    let columns = Tensor::<1, Int>::arange(0..k as i64, &codes.device())
        .reshape([1, k])
        .expand([n, k]); // [n, k]
    codes.reshape([n, 1]).expand([n, k]).equal(columns).float()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same rows as burn's `one_hot`.
    #[test]
    fn equals_burns_one_hot() {
        let device = Device::flex();
        let codes = Tensor::<1, Int>::from_data(TensorData::new(vec![3i64, 0, 4, 3], [4]), &device);
        let ours = one_hot(codes.clone(), 5).into_data();
        let burns = codes.one_hot::<2>(5).float().into_data();
        assert_eq!(ours, burns);
    }
}
