//! What each code means: the cells of real pictures (a model's examples and its held-out
//! sample) that quantise to a code, the most typical first (the smallest distance from the
//! encoder's output to the code), each shown as a patch of the picture around its cell.
//!
//! [`Meanings`] indexes the pictures once per model; [`Meanings::patches`] answers a code from
//! the index. Encoding the pictures is the session's ([`super::session`]); here only the index
//! and the patches, plain and tested natively.

use crate::protocol::CodePatches;

/// One picture, as the model saw it, with the code and distance of each of its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// What the page calls it.
    pub label: String,
    /// RGBA of the model's input, `4 × width × height`.
    pub rgba: Vec<u8>,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// The code of each cell, row-major (`width / cell` per row).
    pub codes: Vec<u32>,
    /// Each cell's squared distance from `z_e` to its code.
    pub distances: Vec<f32>,
}

/// The cells of every picture, grouped by code.
#[derive(Debug, Clone, PartialEq)]
pub struct Meanings {
    pictures: Vec<Picture>,
    /// Pixels per cell along each side.
    cell: usize,
    /// `(picture, cell)` of each code's cells, the nearest to the code first.
    by_code: Vec<Vec<(usize, usize)>>,
    /// Where the pictures come from.
    note: String,
}

/// Grey, for the pixels of a patch outside its picture.
const OUTSIDE: u8 = 128;

impl Meanings {
    /// The index of `pictures` (cells of `cell` pixels) for a codebook of `codebook_size`
    /// codes; codes outside the codebook are left out.
    pub fn new(pictures: Vec<Picture>, cell: usize, codebook_size: usize, note: String) -> Self {
        let mut by_code = vec![Vec::new(); codebook_size];
        for (p, picture) in pictures.iter().enumerate() {
            for (c, &code) in picture.codes.iter().enumerate() {
                if let Some(cells) = by_code.get_mut(code as usize) {
                    cells.push((p, c));
                }
            }
        }
        let distance = |&(p, c): &(usize, usize)| pictures[p].distances[c];
        for cells in &mut by_code {
            cells.sort_by(|a, b| distance(a).total_cmp(&distance(b)).then(a.cmp(b)));
        }
        Self {
            pictures,
            cell,
            by_code,
            note,
        }
    }

    /// The patches of the first `limit` cells with `code` (none for a code outside the
    /// codebook), and the counts.
    pub fn patches(&self, code: u32, limit: usize) -> CodePatches {
        let cells = self
            .by_code
            .get(code as usize)
            .map_or(&[][..], Vec::as_slice);
        let chosen = &cells[..cells.len().min(limit)];
        CodePatches {
            code,
            side: 3 * self.cell,
            rgba: chosen.iter().flat_map(|&(p, c)| self.patch(p, c)).collect(),
            sources: chosen
                .iter()
                .map(|&(p, _)| self.pictures[p].label.clone())
                .collect(),
            places: chosen.iter().map(|&(p, c)| self.place(p, c)).collect(),
            distances: chosen
                .iter()
                .map(|&(p, c)| self.pictures[p].distances[c])
                .collect(),
            count: cells.len(),
            cells: self.pictures.iter().map(|p| p.codes.len()).sum(),
            pictures: self.pictures.len(),
            note: self.note.clone(),
            millis: 0.0,
        }
    }

    /// `(row, col)` of cell `c` of picture `p`.
    fn place(&self, p: usize, c: usize) -> (usize, usize) {
        let grid_width = (self.pictures[p].width / self.cell).max(1);
        (c / grid_width, c % grid_width)
    }

    /// Cell `c` of picture `p` and the cells around it, `3·cell` pixels square, RGBA.
    fn patch(&self, p: usize, c: usize) -> Vec<u8> {
        let picture = &self.pictures[p];
        let (row, col) = self.place(p, c);
        let side = 3 * self.cell;
        let mut rgba = Vec::with_capacity(4 * side * side);
        for y in 0..side {
            for x in 0..side {
                // The patch's top left is one cell above and left of the cell.
                let py = (row * self.cell + y).checked_sub(self.cell);
                let px = (col * self.cell + x).checked_sub(self.cell);
                match (py, px) {
                    (Some(py), Some(px)) if py < picture.height && px < picture.width => {
                        let at = 4 * (py * picture.width + px);
                        rgba.extend_from_slice(&picture.rgba[at..at + 4]);
                    }
                    _ => rgba.extend_from_slice(&[OUTSIDE, OUTSIDE, OUTSIDE, 255]),
                }
            }
        }
        rgba
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×2-cell picture of 1-pixel cells whose pixel values are their index.
    fn picture(label: &str, codes: Vec<u32>, distances: Vec<f32>) -> Picture {
        Picture {
            label: label.to_owned(),
            rgba: (0..4u8).flat_map(|v| [v, v, v, 255]).collect(),
            width: 2,
            height: 2,
            codes,
            distances,
        }
    }

    #[test]
    fn a_codes_patches_come_nearest_first_with_their_counts() {
        let meanings = Meanings::new(
            vec![
                picture("a", vec![1, 0, 1, 2], vec![0.5, 0.1, 0.2, 0.3]),
                picture("b", vec![1, 1, 0, 0], vec![0.1, 0.9, 0.4, 0.4]),
            ],
            1,
            3,
            "two pictures".to_owned(),
        );
        let patches = meanings.patches(1, 3);
        assert_eq!(patches.distances, vec![0.1, 0.2, 0.5], "nearest first");
        assert_eq!(patches.sources, vec!["b", "a", "a"]);
        assert_eq!(
            patches.places,
            vec![(0, 0), (1, 0), (0, 0)],
            "cells 0, 2, 0 of 2×2 grids"
        );
        assert_eq!((patches.count, patches.cells, patches.pictures), (4, 8, 2));
        assert_eq!(patches.rgba.len(), 3 * 4 * 9);
        assert_eq!(
            meanings.patches(7, 3).count,
            0,
            "a code outside the codebook"
        );
        assert!(meanings.patches(7, 3).rgba.is_empty());
    }

    #[test]
    fn a_patch_is_its_cell_in_the_middle_and_grey_outside_the_picture() {
        let meanings = Meanings::new(
            vec![picture("a", vec![0, 0, 0, 5], vec![0.0, 0.0, 0.0, 0.0])],
            1,
            8,
            String::new(),
        );
        // Cell 3 (row 1, col 1): its 3×3 neighbourhood holds pixels 0, 1, 2, 3 at the top
        // left, grey on the right and bottom edges.
        let patches = meanings.patches(5, 1);
        let grey: Vec<u8> = patches.rgba.chunks_exact(4).map(|px| px[0]).collect();
        assert_eq!(
            grey,
            vec![0, 1, OUTSIDE, 2, 3, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE]
        );
        assert_eq!(grey[4], 3, "the cell in the middle");
    }
}
