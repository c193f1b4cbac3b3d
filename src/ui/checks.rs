//! Codes and grids from the user, checked against the loaded model before anything is sent to
//! the engine: a code typed in a field, a grid from a file or a share link. The checks are
//! `vq-codes`' (the same the models use, with checked arithmetic); each refusal is a sentence.

use vq_codes::{check_codes, check_grid_for_model};

use crate::protocol::ModelInfo;
use crate::ui::share::GridFile;

/// The largest image file the page reads: larger files are refused before a byte of them is
/// read into WebAssembly (an 8000×8000 JPEG is 10–30 MB).
pub const MAX_IMAGE_FILE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The largest grid file the page reads (a 128×128 grid is about 100 KB of JSON).
pub const MAX_GRID_FILE_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Checks a file's size (`File.size`, in bytes) against `limit` before it is read.
///
/// # Errors
///
/// The sentence the page shows, naming the file, its size and the limit.
pub fn file_size(name: &str, bytes: f64, limit: f64) -> Result<(), String> {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes <= limit {
        return Ok(());
    }
    Err(format!(
        "{name} is {:.1} MB; the page reads files of at most {:.0} MB. Choose a smaller file.",
        bytes / MB,
        limit / MB
    ))
}

/// A code typed in a field: a whole number below `codebook_size`.
///
/// # Errors
///
/// The sentence the page shows for anything else.
pub fn parse_code(text: &str, codebook_size: usize) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|&code| check_codes([code], codebook_size).is_ok())
        .ok_or_else(|| {
            format!(
                "“{text}” is not a code; enter a whole number from 0 to {}.",
                codebook_size.saturating_sub(1)
            )
        })
}

/// Checks that `grid` (from `source`: a file's name, or "Shared link") can be shown with the
/// loaded model `model`: the same model, no larger than the grids it makes, codes below `K`.
///
/// # Errors
///
/// The sentence the page shows, which starts with `source` when the grid itself is wrong.
pub fn grid_for_model(
    grid: &GridFile,
    model: Option<&ModelInfo>,
    source: &str,
) -> Result<(), String> {
    let Some(info) = model else {
        return Err("Wait for the model to load, then try again.".to_owned());
    };
    if info.name != grid.model {
        return Err(format!(
            "{source}: this grid is for the {} model; choose it first.",
            grid.model
        ));
    }
    check_grid_for_model(
        grid.grid_width,
        grid.grid_height,
        &grid.codes,
        info.codebook_size,
        (&info.name, info.max_grid_side),
    )
    .map_err(|err| format!("{source}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixtures::model_info;

    #[test]
    fn files_too_large_are_refused_by_their_size_alone() {
        assert_eq!(file_size("a.png", 1000.0, MAX_IMAGE_FILE_BYTES), Ok(()));
        assert_eq!(
            file_size("huge.tif", 100.0 * 1024.0 * 1024.0, MAX_IMAGE_FILE_BYTES),
            Err(
                "huge.tif is 100.0 MB; the page reads files of at most 64 MB. Choose a smaller \
                 file."
                    .to_owned()
            )
        );
        assert!(file_size("g.json", 5.0 * 1024.0 * 1024.0, MAX_GRID_FILE_BYTES).is_err());
    }

    #[test]
    fn a_typed_code_is_a_whole_number_below_k() {
        assert_eq!(parse_code(" 127 ", 128), Ok(127));
        let sentence = "“128” is not a code; enter a whole number from 0 to 127.";
        assert_eq!(parse_code("128", 128), Err(sentence.to_owned()));
        assert!(parse_code("-1", 128).is_err());
        assert!(parse_code("seven", 128).is_err());
        assert!(parse_code("0", 0).is_err_and(|e| e.ends_with("from 0 to 0.")));
    }

    #[test]
    fn a_grid_must_fit_the_loaded_model() {
        let info = model_info();
        let grid = GridFile::new("fashion", 7, 7, vec![1; 49]);
        assert_eq!(grid_for_model(&grid, Some(&info), "g.json"), Ok(()));
        assert_eq!(
            grid_for_model(&grid, None, "g.json"),
            Err("Wait for the model to load, then try again.".to_owned())
        );
        let photo = GridFile::new("photo", 7, 7, vec![1; 49]);
        assert_eq!(
            grid_for_model(&photo, Some(&info), "g.json"),
            Err("g.json: this grid is for the photo model; choose it first.".to_owned())
        );
        let large = GridFile::new("fashion", 8, 7, vec![1; 56]);
        assert_eq!(
            grid_for_model(&large, Some(&info), "g.json"),
            Err(
                "g.json: A 8×7 grid is larger than the fashion model makes (7×7 at most)."
                    .to_owned()
            )
        );
        let mut beyond_k = grid.clone();
        beyond_k.codes[3] = 128;
        assert_eq!(
            grid_for_model(&beyond_k, Some(&info), "Shared link"),
            Err("Shared link: Code 128 does not exist; codes run from 0 to 127.".to_owned())
        );
    }
}
