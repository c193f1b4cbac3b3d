//! Augmentation of the training crops (issue 16): a horizontal flip and a mild colour jitter,
//! drawn per crop from a seed, so a run is reproducible. Held-out images are never augmented.
//!
//! Ranges ([`Jitter::MILD`]), each factor drawn uniformly, applied in this order to the pixel
//! values `p ∈ [0, 1]` of one crop:
//!
//! - brightness: `p · b`, `b ∈ [0.9, 1.1]`;
//! - contrast: `m + c · (p − m)`, `m` the crop's mean over its pixels and channels,
//!   `c ∈ [0.9, 1.1]`;
//! - saturation: `g + s · (p − g)`, `g` the pixel's luma (Rec. 601: 0.299 R + 0.587 G +
//!   0.114 B), `s ∈ [0.9, 1.1]`;
//!
//! then clamped to `[0, 1]`. A flip mirrors the crop left to right with probability ½.

use vq_model::rng::SplitMix64;

/// What is done to each training crop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Augment {
    /// Mirror left to right with probability ½.
    pub flip: bool,
    /// The colour jitter, if any.
    pub jitter: Option<Jitter>,
}

impl Augment {
    /// Nothing: the crops as they are in the photographs.
    pub const NONE: Self = Self {
        flip: false,
        jitter: None,
    };

    /// Flips and [`Jitter::MILD`]: the photo recipe's training crops.
    pub const FLIP_JITTER: Self = Self {
        flip: true,
        jitter: Some(Jitter::MILD),
    };

    /// Whether it changes anything.
    pub fn is_none(&self) -> bool {
        !self.flip && self.jitter.is_none()
    }
}

impl std::fmt::Display for Augment {
    /// `horizontal flips, colour jitter (brightness ±10 %, contrast ±10 %, saturation ±10 %)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if self.flip {
            parts.push("horizontal flips".to_string());
        }
        if let Some(j) = self.jitter {
            let pct = |v: f32| (v * 100.0).round();
            parts.push(format!(
                "colour jitter (brightness ±{} %, contrast ±{} %, saturation ±{} %)",
                pct(j.brightness),
                pct(j.contrast),
                pct(j.saturation)
            ));
        }
        if parts.is_empty() {
            write!(f, "no augmentation")
        } else {
            write!(f, "{}", parts.join(", "))
        }
    }
}

/// Half-widths of the jitter's factors: each factor is drawn from `[1 − w, 1 + w]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jitter {
    /// Brightness: the values scaled.
    pub brightness: f32,
    /// Contrast: the values spread about the crop's mean.
    pub contrast: f32,
    /// Saturation: each pixel spread about its luma.
    pub saturation: f32,
}

impl Jitter {
    /// ±10 % on each: mild enough that a crop still looks like the photograph.
    pub const MILD: Self = Self {
        brightness: 0.1,
        contrast: 0.1,
        saturation: 0.1,
    };
}

/// Mirrors a planar crop (`channels × side × side`, rows left to right) left to right.
pub fn flip_horizontal(values: &mut [f32], side: usize) {
    for row in values.chunks_exact_mut(side) {
        row.reverse();
    }
}

/// Applies `jitter` to a planar RGB crop in model space (`p − 0.5`), factors drawn from `rng`;
/// the values stay in `[−0.5, 0.5]`.
pub fn jitter_colours(values: &mut [f32], side: usize, jitter: &Jitter, rng: &mut SplitMix64) {
    let n = side * side;
    debug_assert_eq!(values.len(), 3 * n, "planar RGB");
    let mut draw = |w: f32| 1.0 + w * (2.0 * rng.next_f64() as f32 - 1.0);
    let (b, c, s) = (
        draw(jitter.brightness),
        draw(jitter.contrast),
        draw(jitter.saturation),
    );
    for v in values.iter_mut() {
        *v = (*v + 0.5) * b;
    }
    let mean = values.iter().sum::<f32>() / values.len().max(1) as f32;
    for v in values.iter_mut() {
        *v = mean + c * (*v - mean);
    }
    let (r, rest) = values.split_at_mut(n);
    let (g, bl) = rest.split_at_mut(n);
    for i in 0..n {
        let luma = 0.299 * r[i] + 0.587 * g[i] + 0.114 * bl[i];
        for p in [&mut r[i], &mut g[i], &mut bl[i]] {
            *p = (luma + s * (*p - luma)).clamp(0.0, 1.0) - 0.5;
        }
    }
}

/// Augments one planar RGB crop by `augment`, drawing from `rng` (one flip draw when
/// `augment.flip`, three factors when it jitters).
pub fn apply(values: &mut [f32], side: usize, augment: &Augment, rng: &mut SplitMix64) {
    if augment.flip && rng.next_u64() & 1 == 1 {
        flip_horizontal(values, side);
    }
    if let Some(jitter) = &augment.jitter {
        jitter_colours(values, side, jitter, rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A planar RGB crop of `side`² pixels in model space, every value distinct.
    fn crop(side: usize) -> Vec<f32> {
        (0..3 * side * side)
            .map(|i| ((i * 37) % 255) as f32 / 255.0 - 0.5)
            .collect()
    }

    /// A flipped crop is its mirror: pixel (x, y) of each channel is the original's
    /// (side − 1 − x, y), and flipping twice gives it back.
    #[test]
    fn a_flipped_crop_is_the_mirror() {
        let side = 5;
        let original = crop(side);
        let mut flipped = original.clone();
        flip_horizontal(&mut flipped, side);
        for c in 0..3 {
            for y in 0..side {
                for x in 0..side {
                    let at = |x: usize| c * side * side + y * side + x;
                    assert_eq!(flipped[at(x)], original[at(side - 1 - x)]);
                }
            }
        }
        flip_horizontal(&mut flipped, side);
        assert_eq!(flipped, original);
    }

    /// The jitter keeps every value in model space's `[−0.5, 0.5]`, even on black, white and
    /// saturated crops at the widest factors, and moves a mid-grey crop only mildly.
    #[test]
    fn the_jitter_keeps_values_in_range() {
        let side = 4;
        let n = side * side;
        let strong = Jitter {
            brightness: 0.5,
            contrast: 0.5,
            saturation: 0.5,
        };
        let saturated: Vec<f32> = (0..3 * n)
            .map(|i| if i / n == i % 3 { 0.5 } else { -0.5 })
            .collect();
        for original in [vec![-0.5; 3 * n], vec![0.5; 3 * n], saturated, crop(side)] {
            for seed in 0..50 {
                let mut values = original.clone();
                jitter_colours(&mut values, side, &strong, &mut SplitMix64::new(seed));
                assert!(
                    values.iter().all(|v| (-0.5..=0.5).contains(v)),
                    "seed {seed}: {values:?}"
                );
            }
        }
        // Mild on grey 0.25 above black: brightness ±10 % moves it at most 0.025.
        let mut grey = vec![-0.25; 3 * n];
        jitter_colours(&mut grey, side, &Jitter::MILD, &mut SplitMix64::new(3));
        assert!(
            grey.iter().all(|v| (v + 0.25).abs() <= 0.025 + 1e-6),
            "{grey:?}"
        );
    }

    /// The same seed gives the same augmented crop; other seeds give others.
    #[test]
    fn augmentation_is_reproducible_for_a_seed() {
        let side = 6;
        let run = |seed| {
            let mut values = crop(side);
            apply(
                &mut values,
                side,
                &Augment::FLIP_JITTER,
                &mut SplitMix64::new(seed),
            );
            values
        };
        assert_eq!(run(7), run(7));
        assert!((0..8).any(|seed| run(seed) != run(7)));
        let mut untouched = crop(side);
        apply(
            &mut untouched,
            side,
            &Augment::NONE,
            &mut SplitMix64::new(7),
        );
        assert_eq!(untouched, crop(side));
    }
}
