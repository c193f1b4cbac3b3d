//! `log p(code | logits)`, the log-softmax at one code, for every cell the prior scores on the
//! host (surprisal, suggestions): `logits[code] − max − ln Σ exp(logitᵢ − max)`.
//!
//! Each `exp` is a polynomial in `f32` (Cephes' `expf`: `x = n·ln 2 + r`, `|r| ≤ ln 2 / 2`, a
//! degree-5 polynomial in `r`, times `2ⁿ` built from its bits; relative error under 2·10⁻⁷,
//! tested against `f64::exp`), four lanes at a time with WebAssembly SIMD in the browser and
//! the same function one value at a time elsewhere; the sum in `f32` lanes, then `f64`. With
//! `f64::exp` (a software routine in WebAssembly, ~30 ns each) the 800 000 exponentials of a
//! photo cell's suggestions took ~15 ms in V8 and the 2 million of a 64×64 surprisal ~40 ms;
//! this takes a tenth of that, and moves `log p` by at most ~10⁻⁶ nats.

/// `ln 2`'s high part, exact in `f32`, and the rest (Cody and Waite's reduction).
const LN2_HIGH: f32 = 0.693_359_4;
const LN2_LOW: f32 = -2.121_944_4e-4;
/// Below this `exp` is under `f32`'s smallest normal number; inputs are clamped to it.
const FLOOR: f32 = -87.0;
/// The polynomial's coefficients, highest degree first (`r⁵ … r⁰` of `(eʳ − 1 − r) / r²`).
const COEFFICIENTS: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5,
];

/// `exp(x)` for `x ≤ 0` (`0 < exp(x) ≤ 1`); inputs below −87 give `exp(−87)`.
#[inline(always)]
pub fn exp_nonpositive(x: f32) -> f32 {
    let x = x.max(FLOOR);
    let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let p = COEFFICIENTS.iter().fold(0.0, |p, &c| p * r + c);
    let y = p * r * r + r + 1.0;
    // `n` lies in −126 ..= 0 here, so `2ⁿ` is a normal number.
    y * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

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
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (mut sum, done) = simd::exp_sum(logits, max);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (mut sum, done) = (0.0f64, 0);
    for &l in &logits[done..] {
        sum += f64::from(exp_nonpositive(l - max));
    }
    (max, sum.ln())
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        f32x4, f32x4_add, f32x4_extract_lane as lane, f32x4_floor, f32x4_mul, f32x4_pmax,
        f32x4_splat, f32x4_sub, i32x4_add, i32x4_shl, i32x4_splat, i32x4_trunc_sat_f32x4, v128,
    };

    use super::{COEFFICIENTS, FLOOR, LN2_HIGH, LN2_LOW};

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

    /// [`super::exp_nonpositive`] of four lanes.
    #[inline(always)]
    fn exp4(x: v128) -> v128 {
        let x = f32x4_pmax(x, f32x4_splat(FLOOR));
        let n = f32x4_floor(f32x4_add(
            f32x4_mul(x, f32x4_splat(std::f32::consts::LOG2_E)),
            f32x4_splat(0.5),
        ));
        let r = f32x4_sub(x, f32x4_mul(n, f32x4_splat(LN2_HIGH)));
        let r = f32x4_sub(r, f32x4_mul(n, f32x4_splat(LN2_LOW)));
        let mut p = f32x4_splat(0.0);
        for c in COEFFICIENTS {
            p = f32x4_add(f32x4_mul(p, r), f32x4_splat(c));
        }
        let y = f32x4_add(
            f32x4_add(f32x4_mul(f32x4_mul(p, r), r), r),
            f32x4_splat(1.0),
        );
        let two_n = i32x4_shl(i32x4_add(i32x4_trunc_sat_f32x4(n), i32x4_splat(127)), 23);
        f32x4_mul(y, two_n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn the_polynomial_is_exp_within_two_parts_in_ten_million() {
        let mut worst = 0.0f64;
        let mut x = FLOOR;
        while x <= 0.0 {
            let exact = f64::from(x).exp();
            let error = ((f64::from(exp_nonpositive(x)) - exact) / exact).abs();
            worst = worst.max(error);
            x += 0.000_7;
        }
        assert!(worst < 2e-7, "relative error {worst:e}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert!(exp_nonpositive(-1000.0) > 0.0);
    }

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
