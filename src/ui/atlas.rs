//! The codebook's decoded tiles as the page uses them: one code's tile, the mean colour of each
//! (what a code paints, on average), and the atlas of all of them, [`COLUMNS`] a row.

use crate::protocol::Codebook;

/// Tiles per row of the atlas.
pub const COLUMNS: usize = 16;

/// Bytes of one tile's RGBA.
fn tile_bytes(codebook: &Codebook) -> usize {
    4 * codebook.tile * codebook.tile
}

/// `K`: how many tiles the codebook holds.
pub fn tile_count(codebook: &Codebook) -> usize {
    codebook.tiles.len() / tile_bytes(codebook).max(1)
}

/// The RGBA of code `code`'s tile.
pub fn tile_rgba(codebook: &Codebook, code: u32) -> Option<&[u8]> {
    let size = tile_bytes(codebook);
    let start = size.checked_mul(code as usize)?;
    codebook.tiles.get(start..start.checked_add(size)?)
}

/// The mean colour of each code's tile: what the code paints, on average.
pub fn mean_colours(codebook: &Codebook) -> Vec<[u8; 3]> {
    let size = tile_bytes(codebook).max(4);
    codebook
        .tiles
        .chunks_exact(size)
        .map(|tile| {
            let mut sum = [0u64; 3];
            for px in tile.chunks_exact(4) {
                for (total, &value) in sum.iter_mut().zip(px) {
                    *total += u64::from(value);
                }
            }
            let n = (size / 4) as u64;
            sum.map(|total| u8::try_from(total / n).unwrap_or(u8::MAX))
        })
        .collect()
}

/// The atlas's size in pixels for `k` tiles of side `tile`.
pub fn atlas_size(k: usize, tile: usize) -> (usize, usize) {
    (COLUMNS * tile, k.div_ceil(COLUMNS) * tile)
}

/// Where code `code`'s tile lies in the atlas: its top-left pixel `(x, y)`.
pub fn tile_origin(code: usize, tile: usize) -> (usize, usize) {
    ((code % COLUMNS) * tile, (code / COLUMNS) * tile)
}

/// The tiles (stored one after the other) rearranged into the atlas's rows, RGBA of
/// [`atlas_size`]; the cells after the last code stay transparent.
pub fn atlas_rgba(codebook: &Codebook) -> Vec<u8> {
    let (tile, k) = (codebook.tile, tile_count(codebook));
    let (width, height) = atlas_size(k, tile);
    let mut atlas = vec![0u8; 4 * width * height];
    for code in 0..k {
        let (ax, ay) = tile_origin(code, tile);
        for y in 0..tile {
            let from = 4 * (code * tile * tile + y * tile);
            let to = 4 * ((ay + y) * width + ax);
            if let (Some(src), Some(dst)) = (
                codebook.tiles.get(from..from + 4 * tile),
                atlas.get_mut(to..to + 4 * tile),
            ) {
                dst.copy_from_slice(src);
            }
        }
    }
    atlas
}

/// The code at a point of the atlas given as fractions of its width and height (`None` past
/// the last code; a point left of or above the atlas counts as its first column or row).
pub fn code_at(x: f64, y: f64, k: usize) -> Option<u32> {
    let rows = k.div_ceil(COLUMNS);
    let col = (x * COLUMNS as f64) as usize;
    let row = (y * rows as f64) as usize;
    let code = row * COLUMNS + col.min(COLUMNS - 1);
    (code < k).then(|| u32::try_from(code).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two 2×2 tiles: code 0 black and white halves, code 1 all red.
    fn codebook() -> Codebook {
        let mut tiles = [[0, 0, 0, 255], [255, 255, 255, 255]].repeat(2).concat();
        tiles.extend([255, 0, 0, 255].repeat(4));
        Codebook {
            tile: 2,
            tiles,
            train_usage: vec![1, 1],
            millis: 0.0,
        }
    }

    #[test]
    fn a_codebook_gives_each_code_its_tile_and_mean_colour() {
        let codebook = codebook();
        assert_eq!(tile_count(&codebook), 2);
        assert_eq!(mean_colours(&codebook), vec![[127, 127, 127], [255, 0, 0]]);
        assert_eq!(
            tile_rgba(&codebook, 1),
            Some(&[255, 0, 0, 255].repeat(4)[..])
        );
        assert_eq!(tile_rgba(&codebook, 2), None);
        assert_eq!(tile_rgba(&codebook, u32::MAX), None);
    }

    #[test]
    fn the_atlas_lays_tiles_in_rows_of_sixteen() {
        let codebook = codebook();
        assert_eq!(atlas_size(2, 2), (32, 2));
        assert_eq!(atlas_size(17, 4), (64, 8));
        assert_eq!(tile_origin(17, 4), (4, 4));
        let atlas = atlas_rgba(&codebook);
        assert_eq!(atlas.len(), 4 * 32 * 2);
        // Code 1's tile starts 2 pixels in, on both rows.
        assert_eq!(&atlas[8..16], &[255, 0, 0, 255, 255, 0, 0, 255]);
        assert_eq!(&atlas[4 * 32 + 8..4 * 32 + 12], &[255, 0, 0, 255]);
        assert_eq!(&atlas[16..20], &[0, 0, 0, 0], "past the last code");
    }

    #[test]
    fn a_point_on_the_atlas_names_its_code() {
        // 128 codes: 8 rows of 16.
        assert_eq!(code_at(0.0, 0.0, 128), Some(0));
        assert_eq!(code_at(17.5 / 16.0 - 1.0, 2.5 / 8.0, 128), Some(33));
        assert_eq!(code_at(0.99, 0.99, 128), Some(127));
        assert_eq!(code_at(0.5, 0.5, 2), None, "past the last code");
        assert_eq!(
            code_at(1.0, 0.0, 128),
            Some(15),
            "the right edge is the last column"
        );
        assert_eq!(code_at(0.5, 1.0, 128), None, "below the last row");
    }
}
