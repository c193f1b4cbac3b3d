//! What the numbers say about the current image, in sentences a student can check against
//! the page: perplexity (and why it depends on how many cells are counted), dead codes, and the
//! paper's arithmetic of compression (van den Oord et al. 2017, section 4.1: raw bits, the
//! grid at `log₂ K` bits a code, the grid under the prior).

use vq_codes::{perplexity, usage_counts};

use crate::protocol::ModelInfo;
use crate::ui::state::prior::Surprisal;

/// The explained numbers of one image's grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// Perplexity, and how it depends on the cells counted.
    pub perplexity: String,
    /// Dead codes (once the training set's usage is known).
    pub dead: Option<String>,
    /// Raw bits, the grid's bits, and the grid's bits under the prior (once measured).
    pub compression: String,
}

/// The sentences for a grid of `codes` (`grid_width` per row) of a `width × height` image of
/// `info`'s model; `train_usage` is the training set's use of each code (the manifest's),
/// `surprisal` the grid's bits under the prior if they were measured for these codes.
pub fn explain(
    codes: &[u32],
    grid_width: usize,
    (width, height): (usize, usize),
    info: &ModelInfo,
    train_usage: Option<&[u64]>,
    surprisal: Option<&Surprisal>,
) -> Explained {
    let k = info.codebook_size;
    let cells = codes.len();
    let usage = usage_counts(codes, k);
    let used = usage.iter().filter(|&&n| n > 0).count();
    let here = perplexity(&usage);
    // The top quarter of the grid's rows (at least one row): fewer cells, fewer codes seen.
    let rows = cells / grid_width.max(1);
    let top = (rows / 4).max(1) * grid_width;
    let top = &codes[..top.min(cells)];
    let part = perplexity(&usage_counts(top, k));
    let train = train_usage.map(|usage| (usage.iter().sum::<u64>(), perplexity(usage)));
    let train_line = train.map_or_else(String::new, |(cells, p)| {
        format!(
            " Over the training set's {} cells it is {p:.0}.",
            grouped(cells)
        )
    });
    let perplexity = format!(
        "Perplexity: this image's {cells} cells use {used} of the {k} codes, with perplexity \
         {here:.1}, as varied as {here:.0} codes used equally often would be (e to the entropy \
         of the codes' frequencies). It can be no larger than the number of cells counted \
         ({} here): counted over the top quarter of the grid alone ({} cells) it is {part:.1}.\
         {train_line} Compare perplexities only over the same number of cells.",
        cells.min(k),
        top.len(),
    );
    let dead = train_usage.map(|usage| {
        let dead = usage.iter().filter(|&&n| n == 0).count();
        format!(
            "Dead codes: {dead} of the {k} codes are never chosen on the training set's grids \
             (greyed in the codebook). A dead code is a slot of the codebook that no encoder \
             output comes near; k-means initialisation and reviving dead codes during training \
             keep them few."
        )
    });
    let raw = width * height * info.channels * 8;
    let per_code = (k as f64).log2();
    let grid = cells as f64 * per_code;
    let prior = surprisal.map_or_else(
        || " Colour the heatmap by surprisal to measure the grid under the prior.".to_owned(),
        |surprisal| {
            let bits = surprisal.total();
            format!(
                " Under the prior, which predicts each code from the codes before it, the grid \
                 costs {bits:.0} bits ({:.2} a code): {:.0}× fewer than the raw image.",
                bits / cells.max(1) as f64,
                raw as f64 / bits.max(1.0),
            )
        },
    );
    let compression = format!(
        "Compression: the image is {width}×{height} pixels × {} channel{} × 8 bits = {raw} bits. \
         Its grid is {cells} codes of log₂ {k} = {per_code:.0} bits each: {grid:.0} bits, \
         {:.0}× fewer.{prior}",
        info.channels,
        if info.channels == 1 { "" } else { "s" },
        raw as f64 / grid.max(1.0),
    );
    Explained {
        perplexity,
        dead,
        compression,
    }
}

/// `n` with its digits in groups of three, as the README writes figures ("2 940 000").
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixtures::model_info;

    #[test]
    fn the_papers_arithmetic_on_a_fashion_grid() {
        // 7×7 cells, two codes; the top quarter (one row) uses only code 3.
        let mut codes = vec![5u32; 49];
        codes[..7].fill(3);
        let usage: Vec<u64> = (0..128).map(|k| u64::from(k % 2 == 0)).collect();
        let explained = explain(&codes, 7, (28, 28), &model_info(), Some(&usage), None);
        assert!(
            explained
                .compression
                .starts_with("Compression: the image is 28×28 pixels × 1 channel × 8 bits = 6272 bits. Its grid is 49 codes of log₂ 128 = 7 bits each: 343 bits, 18× fewer."),
            "{}",
            explained.compression
        );
        assert!(
            explained
                .compression
                .contains("Colour the heatmap by surprisal")
        );
        assert!(
            explained
                .perplexity
                .contains("49 cells use 2 of the 128 codes"),
            "{}",
            explained.perplexity
        );
        assert!(
            explained
                .perplexity
                .contains("no larger than the number of cells counted (49 here)")
        );
        assert!(
            explained
                .perplexity
                .contains("top quarter of the grid alone (7 cells) it is 1.0"),
            "{}",
            explained.perplexity
        );
        assert!(
            explained
                .perplexity
                .contains("training set's 64 cells it is 64")
        );
        assert_eq!(
            explained
                .dead
                .as_deref()
                .map(|d| d.starts_with("Dead codes: 64 of the 128 codes")),
            Some(true)
        );
    }

    #[test]
    fn large_counts_are_grouped_by_thousands() {
        assert_eq!(grouped(2_940_000), "2 940 000");
        assert_eq!(grouped(64), "64");
        assert_eq!(grouped(1_000), "1 000");
    }

    #[test]
    fn the_grid_under_the_prior_once_measured() {
        let codes = vec![1u32; 49];
        let surprisal = Surprisal {
            codes: codes.clone(),
            bits: vec![2.0; 49],
            millis: 1.0,
        };
        let explained = explain(&codes, 7, (28, 28), &model_info(), None, Some(&surprisal));
        assert!(
            explained
                .compression
                .ends_with("the grid costs 98 bits (2.00 a code): 64× fewer than the raw image."),
            "{}",
            explained.compression
        );
        assert_eq!(explained.dead, None, "no training usage yet");
    }
}
