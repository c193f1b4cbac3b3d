//! `log p(code | logits)`, the log-softmax at one code, for every cell the prior scores on the
//! host (surprisal, suggestions): `logits[code] − max − ln Σ exp(logitᵢ − max)`.
//!
//! Each `exp` is [`crate::exp`]'s polynomial in `f32`, four lanes at a time with WebAssembly
//! SIMD in the browser and one value at a time elsewhere; the sum in `f32` lanes, then `f64`. With
//! `f64::exp` (a software routine in WebAssembly, ~30 ns each) the 800 000 exponentials of a
//! photo cell's suggestions took ~15 ms in V8 and the 2 million of a 64×64 surprisal ~40 ms;
//! this takes a tenth of that, and moves `log p` by at most ~10⁻⁶ nats.

/// `log p(code | logits)` in nats.
///
/// # Panics
/// When `code` is not below `logits.len()`.
pub fn log_probability(logits: &[f32], code: u32) -> f64 {
    let (max, ln_sum) = log_sum_exp(logits);
    f64::from(logits[code as usize] - max) - ln_sum
}

/// `log p(x | logits)` of every `x`, in nats (one sum for all).
pub fn log_probabilities(logits: &[f32]) -> Vec<f64> {
    let (max, ln_sum) = log_sum_exp(logits);
    logits
        .iter()
        .map(|&l| f64::from(l - max) - ln_sum)
        .collect()
}

/// `log p(code | logits)` with `f64::exp`: the reference the tests hold
/// [`log_probability`] to.
pub fn log_probability_exact(logits: &[f32], code: u32) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| f64::from(l - max).exp()).sum();
    f64::from(logits[code as usize] - max) - sum.ln()
}

/// `(max, ln Σ exp(logitᵢ − max))`.
fn log_sum_exp(logits: &[f32]) -> (f32, f64) {
    // A comparison, not `f32::max` (branches in WebAssembly: `crate::relu`).
    let max = logits
        .iter()
        .fold(f32::NEG_INFINITY, |m, &l| if l > m { l } else { m });
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (mut sum, done) = simd::exp_sum(logits, max);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (mut sum, done) = (0.0f64, 0);
    for &l in &logits[done..] {
        sum += f64::from(crate::exp::exp(l - max));
    }
    (max, sum.ln())
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        f32x4, f32x4_add, f32x4_extract_lane as lane, f32x4_splat, f32x4_sub,
    };

    use crate::exp::exp4;

    /// `Σ exp(logitᵢ − max)` over the logits in whole eights, in two vectors of four lanes;
    /// and how many logits that took.
    pub fn exp_sum(logits: &[f32], max: f32) -> (f64, usize) {
        let max = f32x4_splat(max);
        let (eights, _) = logits.as_chunks::<8>();
        let (mut a, mut b) = (f32x4_splat(0.0), f32x4_splat(0.0));
        for c in eights {
            a = f32x4_add(a, exp4(f32x4_sub(f32x4(c[0], c[1], c[2], c[3]), max)));
            b = f32x4_add(b, exp4(f32x4_sub(f32x4(c[4], c[5], c[6], c[7]), max)));
        }
        let s = f32x4_add(a, b);
        let sum = [lane::<0>(s), lane::<1>(s), lane::<2>(s), lane::<3>(s)]
            .into_iter()
            .map(f64::from)
            .sum();
        (sum, eights.len() * 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn log_probabilities_are_the_exact_ones_within_a_millionth() {
        let mut rng = SplitMix64::new(3);
        for scale in [0.1f32, 5.0, 40.0] {
            let logits: Vec<f32> = (0..512)
                .map(|_| (rng.next_f64() as f32 - 0.5) * scale)
                .collect();
            let all = log_probabilities(&logits);
            for code in 0..512u32 {
                let exact = log_probability_exact(&logits, code);
                let ours = log_probability(&logits, code);
                assert!((ours - exact).abs() < 1e-6, "{ours} vs {exact}");
                assert_eq!(ours.to_bits(), all[code as usize].to_bits());
            }
        }
    }
}
