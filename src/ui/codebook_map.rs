//! The codebook's map laid out for the page: the engine's 2-D coordinates of every code and of
//! the current image's cells ([`CodebookMap`]) scaled into a square, each code's dot sized by
//! how many cells of the image use it, dead codes (never used on the training set's grids)
//! marked; and code-to-code distances, from the codebook's vectors.

use crate::protocol::CodebookMap;

/// A code's dot.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    /// The code.
    pub code: u32,
    /// Centre, in the square's units (y grows downward).
    pub x: f32,
    pub y: f32,
    /// Radius: larger for codes more cells of this image use.
    pub r: f32,
    /// Cells of this image with this code.
    pub used_here: u64,
    /// Never chosen on the training set's grids.
    pub dead: bool,
}

/// The map in a square of `side` units.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// One dot a code, by code.
    pub dots: Vec<Dot>,
    /// Every cell's `z_e`, row-major, as `(x, y)`.
    pub cells: Vec<(f32, f32)>,
}

/// Units left free around the points.
const MARGIN: f32 = 10.0;
/// The radius of a code no cell of this image uses, and the most a code's dot grows.
const SMALLEST: f32 = 2.0;
const GROWTH: f32 = 7.0;

/// Lays `map` out in a square of `side` units: one scale for both axes (distances on the map
/// are distances along the two components), the codes and cells all inside.
pub fn layout(map: &CodebookMap, codes: &[u32], train_usage: Option<&[u64]>, side: f32) -> Layout {
    let points = |values: &[f32]| -> Vec<(f32, f32)> {
        values.chunks_exact(2).map(|p| (p[0], p[1])).collect()
    };
    let (code_points, cell_points) = (points(&map.codes), points(&map.cells));
    let all = code_points.iter().chain(&cell_points);
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for &(x, y) in all {
        min_x = min_x.min(x);
        max_x = max_x.max(x);
        min_y = min_y.min(y);
        max_y = max_y.max(y);
    }
    let span = (max_x - min_x).max(max_y - min_y).max(f32::EPSILON);
    let scale = (side - 2.0 * MARGIN) / span;
    // Centred in the square; y up on the map, down on the screen.
    let (mid_x, mid_y) = ((min_x + max_x) / 2.0, (min_y + max_y) / 2.0);
    let place = |(x, y): (f32, f32)| {
        (
            side / 2.0 + (x - mid_x) * scale,
            side / 2.0 - (y - mid_y) * scale,
        )
    };
    let mut usage = vec![0u64; code_points.len()];
    for &code in codes {
        if let Some(n) = usage.get_mut(code as usize) {
            *n += 1;
        }
    }
    let most = usage.iter().copied().max().unwrap_or(0).max(1) as f32;
    let dots = code_points
        .iter()
        .enumerate()
        .map(|(code, &point)| {
            let (x, y) = place(point);
            let used_here = usage[code];
            Dot {
                code: code as u32,
                x,
                y,
                r: SMALLEST + GROWTH * (used_here as f32 / most).sqrt(),
                used_here,
                dead: train_usage.and_then(|u| u.get(code)) == Some(&0),
            }
        })
        .collect();
    Layout {
        dots,
        cells: cell_points.into_iter().map(place).collect(),
    }
}

/// The `n` codes nearest to `code` in the codebook's `D` dimensions (not on the map), with
/// their squared distances, nearest first.
pub fn nearest_codes(map: &CodebookMap, code: u32, n: usize) -> Vec<(u32, f32)> {
    let dim = map.dim.max(1);
    let Some(from) = map
        .vectors
        .get(code as usize * dim..(code as usize + 1) * dim)
    else {
        return Vec::new();
    };
    let mut distances: Vec<(u32, f32)> = map
        .vectors
        .chunks_exact(dim)
        .enumerate()
        .filter(|&(other, _)| other != code as usize)
        .map(|(other, e)| {
            let d = e.iter().zip(from).map(|(a, b)| (a - b) * (a - b)).sum();
            (other as u32, d)
        })
        .collect();
    distances.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    distances.truncate(n);
    distances
}

/// The map's caption: how much of the codebook's spread the two axes show.
pub fn caption(map: &CodebookMap, codes: usize) -> String {
    let [first, second] = map.explained.map(|share| share * 100.0);
    format!(
        "The {codes} codes of the codebook, each a vector of D = {} numbers, drawn along the two \
         directions in which they spread most (principal components): the first shows {first:.0} % \
         of their spread, the second {second:.0} %. Codes close on the map are close in those two \
         directions; codes far apart in the other {} may still overlap here.",
        map.dim,
        map.dim.saturating_sub(2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> CodebookMap {
        CodebookMap {
            // Codes at (−1, 0), (1, 0), (0, 2).
            codes: vec![-1.0, 0.0, 1.0, 0.0, 0.0, 2.0],
            cells: vec![0.0, 0.0, 0.5, 0.5],
            vectors: vec![0.0, 0.0, 3.0, 0.0, 0.0, 1.0],
            dim: 2,
            explained: [0.6, 0.3],
        }
    }

    #[test]
    fn every_point_fits_the_square_with_one_scale_and_y_up() {
        let layout = layout(&map(), &[1, 1, 0], Some(&[5, 0, 3]), 100.0);
        let (a, b, c) = (&layout.dots[0], &layout.dots[1], &layout.dots[2]);
        for dot in &layout.dots {
            assert!((MARGIN..=100.0 - MARGIN).contains(&dot.x), "{dot:?}");
            assert!((MARGIN..=100.0 - MARGIN).contains(&dot.y), "{dot:?}");
        }
        // The span is 2 in y: 80 units; x and y share the scale.
        assert!(
            (c.y - 10.0).abs() < 1e-4 && (a.y - 90.0).abs() < 1e-4,
            "y up: {c:?} {a:?}"
        );
        assert!(((b.x - a.x) - 80.0).abs() < 1e-4);
        assert_eq!(layout.cells.len(), 2);
        assert_eq!((a.used_here, b.used_here, c.used_here), (1, 2, 0));
        assert!(b.r > a.r && a.r > c.r && c.r == SMALLEST);
        assert_eq!((a.dead, b.dead, c.dead), (false, true, false));
    }

    #[test]
    fn nearest_codes_are_by_distance_in_d_dimensions() {
        // Code 0 at (0, 0): code 2 at (0, 1) is nearer than code 1 at (3, 0).
        assert_eq!(nearest_codes(&map(), 0, 5), vec![(2, 1.0), (1, 9.0)]);
        assert_eq!(nearest_codes(&map(), 7, 5), vec![]);
    }

    #[test]
    fn the_caption_says_what_the_axes_show() {
        let text = caption(&map(), 3);
        assert!(
            text.contains("60 %") && text.contains("30 %") && text.contains("D = 2"),
            "{text}"
        );
    }
}
