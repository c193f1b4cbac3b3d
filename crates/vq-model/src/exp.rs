//! `exp` in `f32` for the prior on the host: a polynomial (Cephes' `expf`: `x = n·ln 2 + r`,
//! `|r| ≤ ln 2 / 2`, a degree-5 polynomial in `r`, times `2ⁿ` built from its bits), relative
//! error under 2·10⁻⁷ (tested against `f64::exp`), one value at a time ([`exp`]) or, in the
//! browser, four lanes of WebAssembly SIMD (`exp4`), each lane the same function.
//!
//! In WebAssembly `f32::exp`, `f32::tanh` and `f64::exp` are software routines of the
//! standard library (~20–30 ns each in V8); the prior's gates (a `tanh` and a sigmoid per
//! channel of every cell and layer) and its log-softmax (512 exponentials per cell) spent a
//! large part of the suggestions' and the surprisal's time in them.

/// `ln 2`'s high part, exact in `f32`, and the rest (Cody and Waite's reduction).
const LN2_HIGH: f32 = 0.693_359_4;
const LN2_LOW: f32 = -2.121_944_4e-4;
/// The inputs are clamped to this range: `exp` of it is a normal `f32`.
const LOWEST: f32 = -87.0;
const HIGHEST: f32 = 88.0;
/// The polynomial's coefficients, highest degree first (`r⁵ … r⁰` of `(eʳ − 1 − r) / r²`).
const COEFFICIENTS: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5,
];

/// `eˣ` for `x` in −87 ..= 88 (clamped there).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(LOWEST, HIGHEST);
    let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let p = COEFFICIENTS.iter().fold(0.0, |p, &c| p * r + c);
    let y = p * r * r + r + 1.0;
    // `n` lies in −126 ..= 127 here, so `2ⁿ` is a normal number.
    y * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// [`exp`] of four lanes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub fn exp4(x: core::arch::wasm32::v128) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::{
        f32x4_add, f32x4_floor, f32x4_mul, f32x4_pmax, f32x4_pmin, f32x4_splat, f32x4_sub,
        i32x4_add, i32x4_shl, i32x4_splat, i32x4_trunc_sat_f32x4,
    };
    let x = f32x4_pmin(f32x4_pmax(x, f32x4_splat(LOWEST)), f32x4_splat(HIGHEST));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_polynomial_is_exp_within_two_parts_in_ten_million() {
        let mut worst = 0.0f64;
        let mut x = LOWEST;
        while x <= HIGHEST {
            let exact = f64::from(x).exp();
            let error = ((f64::from(exp(x)) - exact) / exact).abs();
            worst = worst.max(error);
            x += 0.000_7;
        }
        assert!(worst < 2e-7, "relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) > 0.0);
        assert!(exp(1000.0).is_finite());
    }
}
