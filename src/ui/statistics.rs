//! What the page measures and says in numbers: the error map and PSNR of a reconstruction, the
//! quantisation margins, how much of the codebook is used (usage and perplexity from
//! `vq-codes`), and what the grid costs under the prior.

use vq_codes::perplexity;

use crate::protocol::{Encoding, ModelInfo};
use crate::ui::state::prior::Surprisal;

/// How much the error map brightens errors: an error of a third of the range is white.
pub const ERROR_GAIN: f32 = 3.0;

/// The error map of a reconstruction: each pixel's mean absolute error over R, G and B, times
/// [`ERROR_GAIN`], on a black → red → yellow → white ramp (RGBA); and the PSNR of the whole
/// image in dB (infinite when they are equal).
pub fn error_map(original: &[u8], reconstruction: &[u8]) -> (Vec<u8>, f64) {
    let mut squared = 0.0_f64;
    let mut values = 0usize;
    let rgba = original
        .chunks_exact(4)
        .zip(reconstruction.chunks_exact(4))
        .flat_map(|(a, b)| {
            let mut error = 0.0_f32;
            for (&x, &y) in a[..3].iter().zip(&b[..3]) {
                let d = f32::from(x) - f32::from(y);
                error += d.abs();
                squared += f64::from(d * d);
            }
            values += 3;
            let t = (ERROR_GAIN * error / (3.0 * 255.0)).clamp(0.0, 1.0);
            let ramp = |offset: f32| ((3.0 * t - offset).clamp(0.0, 1.0) * 255.0).round() as u8;
            [ramp(0.0), ramp(1.0), ramp(2.0), 255]
        })
        .collect();
    let mse = squared / values.max(1) as f64;
    let psnr = if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0_f64 * 255.0 / mse).log10()
    };
    (rgba, psnr)
}

/// The error map's caption, with the PSNR when the images differ.
pub fn error_caption(psnr: Option<f64>) -> String {
    match psnr {
        Some(psnr) if psnr.is_finite() => {
            format!("Error map: |original − reconstruction| × 3, PSNR {psnr:.1} dB")
        }
        _ => "Error map: |original − reconstruction| × 3 (none: they are equal)".to_owned(),
    }
}

/// The margin of every cell: the squared distance to its second-nearest code minus the
/// nearest (0: a tie). Empty for a grid that was not encoded.
pub fn margins(encoding: &Encoding) -> Vec<f32> {
    (0..encoding.codes.len())
        .map_while(|i| encoding.margin(i))
        .collect()
}

/// The codebook panel's summary: the codes used on the training set's grids (`train_usage`,
/// from the manifest; empty for a model trained in the page, whose manifest has none) and in
/// this image (`image_usage`), with their perplexities.
pub fn usage_summary(train_usage: &[u64], image_usage: &[u64]) -> String {
    if train_usage.is_empty() {
        return format!(
            "{} codes. This image uses {} (outlined), perplexity {:.1}; this model's manifest \
             does not count the training set's use of each code.",
            image_usage.len(),
            image_usage.iter().filter(|&&n| n > 0).count(),
            perplexity(image_usage),
        );
    }
    let k = train_usage.len();
    let dead = train_usage.iter().filter(|&&n| n == 0).count();
    let used_here = image_usage.iter().filter(|&&n| n > 0).count();
    format!(
        "{k} codes. On the training set's grids: {} used, {dead} dead (greyed), perplexity \
         {:.0}. This image uses {used_here} (outlined), perplexity {:.1}.",
        k - dead,
        perplexity(train_usage),
        perplexity(image_usage),
    )
}

/// One code's use: in this image, and as a share of the training set's cells.
pub fn code_usage(code: u32, train_usage: &[u64], image_usage: &[u64]) -> Option<String> {
    let total: u64 = train_usage.iter().sum();
    let train = train_usage.get(code as usize).copied()?;
    let here = image_usage.get(code as usize).copied()?;
    Some(format!(
        "Code {code}: {here} cells of this image; {:.2} % of the training set's cells{}",
        100.0 * train as f64 / total.max(1) as f64,
        if train == 0 { " (a dead code)" } else { "" }
    ))
}

/// The surprisal view's totals: the grid's bits under the prior, against uniform codes and
/// against the raw image of `width × height` pixels.
pub fn surprisal_totals(
    surprisal: &Surprisal,
    info: &ModelInfo,
    (width, height): (usize, usize),
) -> String {
    let cells = surprisal.bits.len().max(1) as f64;
    let uniform = cells * (info.codebook_size as f64).log2();
    let raw = (width * height * info.channels * 8) as f64;
    let total = surprisal.total();
    format!(
        "Under the prior this grid costs {total:.0} bits ({:.2} per cell); uniform codes would \
         cost {uniform:.0} bits ({cells:.0} cells × log₂ {}), the raw image {raw:.0} bits: {:.0}× \
         smaller. ({:.0} ms)",
        total / cells,
        info.codebook_size,
        raw / total.max(1.0),
        surprisal.millis
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixtures::{encoding, model_info};

    #[test]
    fn the_error_map_is_black_where_equal_and_bright_where_wrong() {
        let original = [10, 20, 30, 255, 0, 0, 0, 255];
        let reconstruction = [10, 20, 30, 255, 255, 255, 255, 255];
        let (rgba, psnr) = error_map(&original, &reconstruction);
        assert_eq!(rgba, vec![0, 0, 0, 255, 255, 255, 255, 255]);
        // MSE = 255² / 2: PSNR = 10 log₁₀ 2.
        assert!((psnr - 10.0 * 2.0_f64.log10()).abs() < 1e-9, "{psnr}");
        assert_eq!(
            error_caption(Some(psnr)),
            "Error map: |original − reconstruction| × 3, PSNR 3.0 dB"
        );
        let (_, equal) = error_map(&original, &original);
        assert!(equal.is_infinite());
        assert!(error_caption(Some(equal)).ends_with("(none: they are equal)"));
    }

    #[test]
    fn distances_and_margins_come_from_the_nearest_codes() {
        let mut encoding = Encoding {
            width: 8,
            height: 4,
            grid_width: 2,
            grid_height: 1,
            codes: vec![3, 1],
            nearest: vec![3, 0, 1, 2],
            nearest_distance: vec![0.5, 2.0, 1.0, 1.25],
            ..encoding()
        };
        assert_eq!(
            encoding.nearest_of(1),
            Some((&[1, 2][..], &[1.0, 1.25][..]))
        );
        assert_eq!(encoding.distance(0), Some(0.5));
        assert_eq!(margins(&encoding), vec![1.5, 0.25]);
        assert_eq!(encoding.nearest_of(2), None);
        encoding.nearest.clear();
        encoding.nearest_distance.clear();
        assert_eq!(
            (encoding.distance(0), margins(&encoding)),
            (None, Vec::new())
        );
    }

    #[test]
    fn usage_counts_dead_codes_and_codes_in_effect() {
        let summary = usage_summary(&[5, 5, 0, 5, 5], &[1, 1, 0, 0, 0]);
        assert_eq!(
            summary,
            "5 codes. On the training set's grids: 4 used, 1 dead (greyed), perplexity 4. This \
             image uses 2 (outlined), perplexity 2.0."
        );
        assert_eq!(
            code_usage(2, &[5, 5, 0, 5, 5], &[1, 1, 0, 0, 0]).as_deref(),
            Some("Code 2: 0 cells of this image; 0.00 % of the training set's cells (a dead code)")
        );
        assert_eq!(code_usage(5, &[5, 5, 0, 5, 5], &[1, 1, 0, 0, 0]), None);
        // A model trained in the page: no counts of the training set.
        assert_eq!(
            usage_summary(&[], &[1, 1, 0, 0]),
            "4 codes. This image uses 2 (outlined), perplexity 2.0; this model's manifest does \
             not count the training set's use of each code."
        );
        assert_eq!(code_usage(1, &[], &[1, 1, 0, 0]), None);
    }

    #[test]
    fn the_surprisal_totals_compare_with_uniform_codes_and_raw_pixels() {
        let info = model_info();
        let surprisal = Surprisal {
            codes: vec![0; 4],
            bits: vec![1.0, 2.0, 3.0, 2.0],
            millis: 12.0,
        };
        assert_eq!(
            surprisal_totals(&surprisal, &info, (8, 8)),
            "Under the prior this grid costs 8 bits (2.00 per cell); uniform codes would cost 28 \
             bits (4 cells × log₂ 128), the raw image 512 bits: 64× smaller. (12 ms)"
        );
    }
}
