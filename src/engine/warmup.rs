//! The warm-up: one small computation on the chosen device, timed.
//!
//! A 256×256 matrix product, summed and read back asynchronously. On WebGPU it compiles the
//! first kernels while the page still shows its loading state; its time is shown on the badge.

use burn::tensor::{Device, Tensor, TensorData};
use web_time::Instant;

use super::EngineError;
use crate::protocol::Warmup;

/// The side of the square matrices of the warm-up.
pub const SIZE: usize = 256;

/// The entry `(row, column)` of the warm-up's left (`which = 0`) or right (`which = 1`) operand:
/// small, deterministic values in [-0.5, 0.5), so the product's entries stay near 1 in magnitude.
fn operand_entry(which: usize, row: usize, column: usize) -> f32 {
    let step = (row * 7 + column * 3 + which * 5) % 11;
    // `step` < 11: exact in f32.
    step as f32 / 11.0 - 0.5
}

fn operand(which: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..SIZE * SIZE)
        .map(|index| operand_entry(which, index / SIZE, index % SIZE))
        .collect();
    // [rows, columns]
    Tensor::from_data(TensorData::new(values, [SIZE, SIZE]), device)
}

/// The warm-up's matrix product on `device`, not yet read back.
///
/// # Shapes
///
/// - output: `[SIZE, SIZE]`
pub fn product(device: &Device) -> Tensor<2> {
    operand(0, device).matmul(operand(1, device))
}

/// The sum of the warm-up product, computed with plain loops in f64: the reference the devices
/// are checked against.
pub fn reference_sum() -> f64 {
    // sum_ij (A B)_ij = sum_k (sum_i A_ik) (sum_j B_kj)
    (0..SIZE)
        .map(|k| {
            let column_of_left: f64 = (0..SIZE).map(|i| f64::from(operand_entry(0, i, k))).sum();
            let row_of_right: f64 = (0..SIZE).map(|j| f64::from(operand_entry(1, k, j))).sum();
            column_of_left * row_of_right
        })
        .sum()
}

/// Runs the warm-up on `device` and reads the sum back asynchronously.
///
/// # Errors
///
/// [`EngineError::ReadBack`] when the device fails to execute or read back.
pub async fn warmup(device: &Device) -> Result<Warmup, EngineError> {
    let started = Instant::now();
    let sum = product(device).sum();
    let data = sum
        .into_data_async()
        .await
        .map_err(|err| read_back_error(device, err.to_string()))?;
    let values = data
        .try_into_vec::<f32>()
        .map_err(|err| read_back_error(device, format!("{err:?}")))?;
    let value = values
        .first()
        .copied()
        .ok_or_else(|| read_back_error(device, "the sum came back empty".to_owned()))?;
    Ok(Warmup {
        millis: started.elapsed().as_secs_f64() * 1000.0,
        value,
    })
}

fn read_back_error(device: &Device, reason: String) -> EngineError {
    let backend = if *device == Device::flex() {
        "CPU"
    } else {
        "WebGPU"
    };
    EngineError::ReadBack { backend, reason }
}

// Native only: the browser runs these paths in tests/engine_browser.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn cpu_warmup_matches_the_reference_sum() {
        let warmup = futures_lite::future::block_on(warmup(&Device::flex()));
        let warmup = warmup.unwrap_or_else(|err| panic!("{err}"));
        let reference = reference_sum();
        // 65,536 products of terms of magnitude <= 0.25 summed in f32 by the device: a relative
        // error of 1e-4 is far above f32 rounding (~1e-6 here) and far below any real bug.
        let tolerance = 1e-4 * reference.abs().max(1.0);
        assert!(
            (f64::from(warmup.value) - reference).abs() <= tolerance,
            "device {} vs reference {reference}",
            warmup.value
        );
        assert!(warmup.millis >= 0.0);
    }
}
