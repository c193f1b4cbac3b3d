//! Grids of codebook indices, as both sides of VQ Lab see them: the models (`vq-model`, burn)
//! and the page (`vq-lab`'s UI, no burn). What is computed or checked on both sides is
//! written once, here, with no dependency on burn or the web.
//!
//! - [`usage_counts`] and [`perplexity`]: how much of a codebook a grid (or a data set) uses.
//! - [`check_codes`] and [`check_cells`]: every code below `K`, every cell inside the grid.
//! - [`grid_cells`]: a grid's cell count with checked arithmetic.

/// A grid or a list of codes that cannot be used; `Display` is the page's sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// A code at or beyond the codebook's size.
    #[error("Code {code} does not exist; codes run from 0 to {last}.", last = codebook_size.saturating_sub(1))]
    NoSuchCode {
        /// The code given.
        code: u64,
        /// `K`.
        codebook_size: usize,
    },
    /// A cell outside the grid.
    #[error("There is no cell ({row}, {col}) in this {width}×{height} grid.")]
    NoSuchCell {
        /// Row given.
        row: usize,
        /// Column given.
        col: usize,
        /// Cells per row.
        width: usize,
        /// Rows.
        height: usize,
    },
    /// A grid larger than any the model makes.
    #[error(
        "A {width}×{height} grid is larger than the {model} model makes ({side}×{side} at most)."
    )]
    TooLarge {
        /// Cells per row.
        width: usize,
        /// Rows.
        height: usize,
        /// The model's name.
        model: String,
        /// The largest side it makes.
        side: usize,
    },
    /// A grid whose size overflows, is empty, or does not match its codes.
    #[error("A {width}×{height} grid needs {expected} codes, not {given}.", expected = expected_codes(*width, *height))]
    WrongLength {
        /// Cells per row.
        width: usize,
        /// Rows.
        height: usize,
        /// Codes given.
        given: usize,
    },
}

fn expected_codes(width: usize, height: usize) -> String {
    grid_cells(width, height)
        .map_or_else(|| "an impossible number of".to_owned(), |n| n.to_string())
}

/// Cells of a `width × height` grid: `None` when it is empty or the product overflows.
pub fn grid_cells(width: usize, height: usize) -> Option<usize> {
    width.checked_mul(height).filter(|&n| n > 0)
}

/// Checks that `codes` is a whole `width × height` grid of codes below `codebook_size`.
///
/// # Errors
/// [`CodeError::WrongLength`] or the first [`CodeError::NoSuchCode`].
pub fn check_grid(
    width: usize,
    height: usize,
    codes: &[u32],
    codebook_size: usize,
) -> Result<(), CodeError> {
    if grid_cells(width, height) != Some(codes.len()) {
        return Err(CodeError::WrongLength {
            width,
            height,
            given: codes.len(),
        });
    }
    check_codes(codes.iter().copied(), codebook_size)
}

/// Checks that `codes` is a whole `width × height` grid that `model` makes: no side over
/// `max_side`, every code below `codebook_size`.
///
/// # Errors
/// As [`check_grid`] (the codes must fill the grid, whatever its size), then
/// [`CodeError::TooLarge`].
pub fn check_grid_for_model(
    width: usize,
    height: usize,
    codes: &[u32],
    codebook_size: usize,
    (model, max_side): (&str, usize),
) -> Result<(), CodeError> {
    check_grid(width, height, codes, codebook_size)?;
    if width > max_side || height > max_side {
        return Err(CodeError::TooLarge {
            width,
            height,
            model: model.to_owned(),
            side: max_side,
        });
    }
    Ok(())
}

/// Checks that every code is below `codebook_size`.
///
/// # Errors
/// The first [`CodeError::NoSuchCode`].
pub fn check_codes(
    codes: impl IntoIterator<Item = u32>,
    codebook_size: usize,
) -> Result<(), CodeError> {
    match codes
        .into_iter()
        .find(|&code| code as usize >= codebook_size)
    {
        Some(code) => Err(CodeError::NoSuchCode {
            code: u64::from(code),
            codebook_size,
        }),
        None => Ok(()),
    }
}

/// Checks that every `(row, col, code)` is a cell of a `width × height` grid and a code below
/// `codebook_size`.
///
/// # Errors
/// The first [`CodeError::NoSuchCell`] or [`CodeError::NoSuchCode`], in the cells' order.
pub fn check_cells(
    cells: &[(usize, usize, u32)],
    width: usize,
    height: usize,
    codebook_size: usize,
) -> Result<(), CodeError> {
    for &(row, col, code) in cells {
        if row >= height || col >= width {
            return Err(CodeError::NoSuchCell {
                row,
                col,
                width,
                height,
            });
        }
        check_codes([code], codebook_size)?;
    }
    Ok(())
}

/// How many cells use each of the `codebook_size` codes; codes outside it are not counted.
pub fn usage_counts<C>(codes: &[C], codebook_size: usize) -> Vec<u64>
where
    C: Copy + TryInto<usize>,
{
    let mut counts = vec![0u64; codebook_size];
    for &code in codes {
        if let Some(n) = code.try_into().ok().and_then(|c| counts.get_mut(c)) {
            *n += 1;
        }
    }
    counts
}

/// `exp(H(p))` of the code distribution, `exp(−Σ p ln p)`: how many codes are used, in effect
/// (1 when one code is used, `K` when all are used equally, 0 for no codes at all).
pub fn perplexity(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let entropy: f64 = counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    entropy.exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perplexity_counts_the_codes_in_effect() {
        assert!((perplexity(&[5, 5, 5, 5, 0]) - 4.0).abs() < 1e-9);
        assert!((perplexity(&[7, 0, 0]) - 1.0).abs() < 1e-9);
        assert_eq!(perplexity(&[0, 0]), 0.0);
        // Uneven use counts fewer codes in effect than codes used.
        let uneven = perplexity(&[8, 1, 1]);
        assert!(uneven > 1.0 && uneven < 3.0, "{uneven}");
    }

    #[test]
    fn usage_ignores_codes_outside_the_codebook() {
        assert_eq!(usage_counts(&[0i64, 2, 2, 5, -1], 3), vec![1, 0, 2]);
        assert_eq!(usage_counts(&[1u32, 1], 2), vec![0, 2]);
    }

    #[test]
    fn grid_sizes_are_checked_without_overflow() {
        assert_eq!(grid_cells(7, 7), Some(49));
        assert_eq!(grid_cells(0, 7), None);
        // 2147483649 × 2 wraps to 2 in 32-bit arithmetic; here it is refused or exact.
        assert_eq!(grid_cells(usize::MAX, 2), None);
        let err = check_grid(usize::MAX, 2, &[0, 0], 4)
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert!(matches!(err, CodeError::WrongLength { .. }), "{err}");
        assert!(err.to_string().contains("impossible"), "{err}");
        assert_eq!(
            check_grid(2, 2, &[0, 1, 2], 4)
                .err()
                .unwrap_or_else(|| panic!("accepted"))
                .to_string(),
            "A 2×2 grid needs 4 codes, not 3."
        );
        assert_eq!(check_grid(2, 1, &[0, 3], 4), Ok(()));
        assert_eq!(
            check_grid_for_model(8, 7, &[0; 56], 128, ("fashion", 7))
                .err()
                .map(|e| e.to_string()),
            Some("A 8×7 grid is larger than the fashion model makes (7×7 at most).".to_owned())
        );
        assert_eq!(
            check_grid_for_model(7, 7, &[0; 49], 128, ("fashion", 7)),
            Ok(())
        );
    }

    #[test]
    fn codes_at_or_beyond_k_are_refused_with_a_sentence() {
        assert_eq!(check_codes([0, 127], 128), Ok(()));
        let err = check_codes([3, 128, 999], 128)
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            err.to_string(),
            "Code 128 does not exist; codes run from 0 to 127."
        );
        assert_eq!(
            check_cells(&[(0, 0, 1), (7, 0, 1)], 7, 7, 128)
                .err()
                .unwrap_or_else(|| panic!("accepted"))
                .to_string(),
            "There is no cell (7, 0) in this 7×7 grid."
        );
        assert_eq!(check_cells(&[(6, 6, 127)], 7, 7, 128), Ok(()));
    }
}
