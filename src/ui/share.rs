//! Keeping and sharing a grid without a server: a grid file (JSON) to download and import, and
//! a URL fragment (`#model=…&grid=…&codes=…&view=…`) that restores the model, the grid and the
//! view. Plain functions, tested natively. Sizes are checked with `vq-codes`' checked
//! arithmetic: a link's `grid=2147483649x2` does not wrap to 2 cells on wasm32.

use serde::{Deserialize, Serialize};
use vq_codes::{CodeError, grid_cells};

/// The most cells a grid file or a link may hold before a model is there to say more (the
/// model's own limit, [`crate::protocol::ModelInfo::max_grid_side`], is checked when the grid
/// is used: [`crate::ui::checks::grid_for_model`]).
pub const MAX_CELLS: usize = 256 * 256;

/// The `format` field of a grid file.
pub const GRID_FORMAT: &str = "vq-lab-grid";

/// A grid of codes as a file: which model, its size, its codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridFile {
    /// Always [`GRID_FORMAT`].
    pub format: String,
    /// Version of the format (1).
    pub version: u32,
    /// The model whose codebook the codes index.
    pub model: String,
    /// Cells per row.
    pub grid_width: usize,
    /// Rows.
    pub grid_height: usize,
    /// Codes, row-major.
    pub codes: Vec<u32>,
}

impl GridFile {
    /// A grid file of `codes`.
    pub fn new(model: &str, grid_width: usize, grid_height: usize, codes: Vec<u32>) -> Self {
        Self {
            format: GRID_FORMAT.to_owned(),
            version: 1,
            model: model.to_owned(),
            grid_width,
            grid_height,
            codes,
        }
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a grid file.
    ///
    /// # Errors
    ///
    /// A sentence when the text is not a grid file of this app or its sizes do not add up.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: Self = serde_json::from_str(text).map_err(|err| {
            format!("This is not a VQ Lab grid file ({err}); export one with “Download grid”.")
        })?;
        if file.format != GRID_FORMAT {
            return Err(format!(
                "This file's format is “{}”, not a VQ Lab grid.",
                file.format
            ));
        }
        file.check()?;
        Ok(file)
    }

    /// Checks that the sizes and the number of codes agree.
    ///
    /// # Errors
    ///
    /// A sentence saying what does not fit.
    pub fn check(&self) -> Result<(), String> {
        let (width, height) = (self.grid_width, self.grid_height);
        let Some(cells) = grid_cells(width, height).filter(|&n| n <= MAX_CELLS) else {
            return Err(format!(
                "A {width}×{height} grid is not one VQ Lab can show."
            ));
        };
        if self.codes.len() != cells {
            let given = self.codes.len();
            return Err(CodeError::WrongLength {
                width,
                height,
                given,
            }
            .to_string());
        }
        Ok(())
    }
}

/// What a share link restores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// The grid (with its model).
    pub grid: GridFile,
    /// The heatmap's colouring (`code`, `margin`, `surprisal`).
    pub view: String,
}

/// The URL fragment (without `#`) that restores `shared`. Codes are little-endian `u16`s in
/// URL-safe base64.
pub fn fragment(shared: &Shared) -> String {
    let bytes: Vec<u8> = shared
        .grid
        .codes
        .iter()
        .flat_map(|&c| (c.min(u32::from(u16::MAX)) as u16).to_le_bytes())
        .collect();
    format!(
        "model={}&grid={}x{}&codes={}&view={}",
        shared.grid.model,
        shared.grid.grid_width,
        shared.grid.grid_height,
        base64url(&bytes),
        shared.view
    )
}

/// Reads a fragment written by [`fragment`] (a leading `#` is allowed).
///
/// # Errors
///
/// A sentence when a part is missing or does not fit.
pub fn parse_fragment(text: &str) -> Result<Shared, String> {
    let text = text.trim_start_matches('#');
    let part = |key: &str| {
        text.split('&')
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .ok_or_else(|| format!("The link has no {key}; copy it again from “Share link”."))
    };
    let model = part("model")?.to_owned();
    let (width, height) = part("grid")?
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .ok_or("The link's grid size is not of the form 7x7.")?;
    let bytes = from_base64url(part("codes")?).ok_or("The link's codes are damaged.")?;
    if bytes.len() % 2 != 0 {
        return Err("The link's codes are damaged.".into());
    }
    let codes = bytes
        .chunks_exact(2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        .collect();
    let view = part("view").unwrap_or("code").to_owned();
    let grid = GridFile::new(&model, width, height, codes);
    grid.check()?;
    Ok(Shared { grid, view })
}

/// A source's name (a file name, an example's label) made safe for a download's name: its stem,
/// lower-case ASCII letters and digits, anything else a `-`.
pub fn file_stem(source: &str) -> String {
    let stem = source.rsplit_once('.').map_or(source, |(stem, _)| stem);
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 without padding.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let values: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(values.len() * 3 / 4);
    for chunk in values.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &v)| n | v << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i) & 255) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_keep_the_stem_in_plain_letters() {
        assert_eq!(file_stem("Ankle boot"), "ankle-boot");
        assert_eq!(file_stem("My Photo.final.JPG"), "my-photo-final");
        assert_eq!(file_stem("été.png"), "-t-");
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 97 + 3) as u8).collect();
            assert_eq!(from_base64url(&base64url(&bytes)), Some(bytes));
        }
        assert_eq!(base64url(b"Man"), "TWFu");
        assert_eq!(from_base64url("TW!u"), None);
    }

    #[test]
    fn a_share_link_restores_model_grid_and_view() {
        let shared = Shared {
            grid: GridFile::new("photo", 3, 2, vec![0, 511, 7, 300, 1, 2]),
            view: "surprisal".into(),
        };
        let link = fragment(&shared);
        assert!(link.starts_with("model=photo&grid=3x2&codes="), "{link}");
        assert_eq!(parse_fragment(&format!("#{link}")), Ok(shared));
        assert!(parse_fragment("model=photo&grid=3x2").is_err_and(|e| e.contains("no codes")));
        assert!(
            parse_fragment("model=photo&grid=3x3&codes=AAABAA")
                .is_err_and(|e| e.contains("needs 9"))
        );
    }

    #[test]
    fn a_grid_size_that_overflows_is_refused_with_a_sentence() {
        // 2147483649 × 2 wraps to 2 in 32-bit arithmetic (wasm32's usize).
        let wraps = "model=fashion&grid=2147483649x2&codes=AAABAA";
        assert_eq!(
            parse_fragment(wraps),
            Err("A 2147483649×2 grid is not one VQ Lab can show.".to_owned())
        );
        let overflows = format!("model=fashion&grid={}x2&codes=AAABAA", usize::MAX);
        assert!(parse_fragment(&overflows).is_err_and(|e| e.contains("not one VQ Lab can show")));
        assert!(parse_fragment("model=fashion&grid=0x7&codes=").is_err());
        let mut file = GridFile::new("fashion", 2, 1, vec![0, 1]);
        file.grid_width = usize::MAX;
        assert!(GridFile::from_json(&file.to_json()).is_err_and(|e| e.contains("not one")));
    }

    #[test]
    fn a_grid_file_round_trips_and_a_wrong_file_gets_a_sentence() {
        let file = GridFile::new("fashion", 7, 7, (0..49).collect());
        assert_eq!(GridFile::from_json(&file.to_json()), Ok(file));
        assert!(
            GridFile::from_json("{\"hello\": 1}")
                .is_err_and(|e| e.contains("not a VQ Lab grid file"))
        );
        let mut short = GridFile::new("fashion", 7, 7, vec![1; 48]);
        assert!(GridFile::from_json(&short.to_json()).is_err_and(|e| e.contains("needs 49")));
        short.format = "png".into();
        assert!(GridFile::from_json(&short.to_json()).is_err_and(|e| e.contains("“png”")));
    }
}
