//! The lab's editing tools as plain data: which tool is in hand, the cells a brush, a
//! rectangle or a paste covers, and a copied region of codes. Free of the DOM, tested natively;
//! `src/ui/toolbar.rs` puts them on the page.

use crate::protocol::CellCode;

/// A cell of the grid, `(row, col)`.
pub type Cell = (usize, usize);

/// What a press on the grid does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tool {
    /// Select the cell (then type a code, or click one in the codebook).
    #[default]
    Select,
    /// Paint the paint code under a square brush, while the button is held.
    Brush,
    /// Fill the rectangle from the press to the release with the paint code.
    Rectangle,
    /// Copy the codes of the rectangle from the press to the release.
    Copy,
    /// Paste the copied codes with their top-left corner at the cell.
    Paste,
    /// Take the cell's code as the paint code.
    Eyedropper,
    /// Mark cells for the prior to redraw.
    Mask,
}

impl Tool {
    /// Every tool, in the toolbar's order.
    pub const ALL: [Self; 7] = [
        Self::Select,
        Self::Brush,
        Self::Rectangle,
        Self::Copy,
        Self::Paste,
        Self::Eyedropper,
        Self::Mask,
    ];

    /// The toolbar's word for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Select => "Select",
            Self::Brush => "Brush",
            Self::Rectangle => "Fill rectangle",
            Self::Copy => "Copy region",
            Self::Paste => "Paste",
            Self::Eyedropper => "Eyedropper",
            Self::Mask => "Mask",
        }
    }

    /// The key that takes it up (without a modifier).
    pub fn key(self) -> char {
        match self {
            Self::Select => 's',
            Self::Brush => 'b',
            Self::Rectangle => 'r',
            Self::Copy => 'c',
            Self::Paste => 'v',
            Self::Eyedropper => 'i',
            Self::Mask => 'm',
        }
    }

    /// The tool whose key is `key` (any case).
    pub fn from_key(key: &str) -> Option<Self> {
        let mut chars = key.chars();
        let c = chars.next()?.to_ascii_lowercase();
        if chars.next().is_some() {
            return None;
        }
        Self::ALL.into_iter().find(|tool| tool.key() == c)
    }

    /// One sentence: what a press does with it.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Select => {
                "Click a cell to select it, then type a code or click one in the codebook."
            }
            Self::Brush => "Press and drag to paint the paint code; one stroke is one undo.",
            Self::Rectangle => {
                "Press at one corner and release at the other to fill with the paint code."
            }
            Self::Copy => {
                "Press at one corner and release at the other to copy those codes; they stay copied when you open another image."
            }
            Self::Paste => {
                "Click a cell to paste the copied codes with their top-left corner there."
            }
            Self::Eyedropper => "Click a cell to take its code as the paint code.",
            Self::Mask => {
                "Click or drag over cells to mask them for the prior; Shift-click masks a rectangle."
            }
        }
    }

    /// Whether the tool needs a second cell (press, then release or a second Enter).
    pub fn spans(self) -> bool {
        matches!(self, Self::Rectangle | Self::Copy)
    }
}

/// Brush sides the toolbar offers, in cells.
pub const BRUSH_SIZES: [usize; 4] = [1, 2, 3, 5];

/// The cells of a `size × size` brush centred on `center` (for even sizes the extra row and
/// column lie below and to the right), clipped to a `rows × cols` grid.
pub fn brush_cells(center: Cell, size: usize, (rows, cols): (usize, usize)) -> Vec<Cell> {
    let size = size.max(1);
    let back = (size - 1) / 2;
    let top = center.0.saturating_sub(back);
    let left = center.1.saturating_sub(back);
    let bottom = (center.0 + size - back).min(rows);
    let right = (center.1 + size - back).min(cols);
    (top..bottom)
        .flat_map(|row| (left..right).map(move |col| (row, col)))
        .collect()
}

/// The cells of the rectangle between two corners (inclusive, in any order).
pub fn rectangle_cells(a: Cell, b: Cell) -> Vec<Cell> {
    let (rows, cols) = (a.0.min(b.0)..=a.0.max(b.0), a.1.min(b.1)..=a.1.max(b.1));
    rows.flat_map(|row| cols.clone().map(move |col| (row, col)))
        .collect()
}

/// Codes copied from a rectangle of a grid, to paste into this grid or another of the same
/// model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRegion {
    /// The model whose codebook the codes index.
    pub model: String,
    /// Where they came from, for the page.
    pub source: String,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Codes, row-major.
    pub codes: Vec<u32>,
}

impl CodeRegion {
    /// Copies the rectangle between corners `a` and `b` of a row-major grid `grid_width`
    /// cells wide (`None` when a corner lies outside it).
    pub fn copy(
        model: &str,
        source: &str,
        codes: &[u32],
        grid_width: usize,
        a: Cell,
        b: Cell,
    ) -> Option<Self> {
        let grid_height = codes.len() / grid_width.max(1);
        if a.0.max(b.0) >= grid_height || a.1.max(b.1) >= grid_width {
            return None;
        }
        let codes: Vec<u32> = rectangle_cells(a, b)
            .into_iter()
            .map(|(row, col)| codes[row * grid_width + col])
            .collect();
        Some(Self {
            model: model.to_owned(),
            source: source.to_owned(),
            width: a.1.abs_diff(b.1) + 1,
            height: a.0.abs_diff(b.0) + 1,
            codes,
        })
    }

    /// The cells and codes of a paste with the top-left corner at `at`, clipped to a
    /// `rows × cols` grid.
    pub fn paste_at(&self, at: Cell, (rows, cols): (usize, usize)) -> Vec<CellCode> {
        (0..self.height)
            .filter(|dy| at.0 + dy < rows)
            .flat_map(|dy| {
                (0..self.width)
                    .filter(move |dx| at.1 + dx < cols)
                    .map(move |dx| (at.0 + dy, at.1 + dx, self.codes[dy * self.width + dx]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brush_is_centred_and_clipped_at_the_edges() {
        assert_eq!(brush_cells((3, 3), 1, (7, 7)), vec![(3, 3)]);
        assert_eq!(
            brush_cells((3, 3), 2, (7, 7)),
            vec![(3, 3), (3, 4), (4, 3), (4, 4)]
        );
        assert_eq!(brush_cells((3, 3), 3, (7, 7)).len(), 9);
        assert!(brush_cells((3, 3), 3, (7, 7)).contains(&(2, 2)));
        assert_eq!(brush_cells((3, 3), 5, (7, 7)).len(), 25);
        // At the corner a 5-brush keeps the 3×3 inside the grid.
        assert_eq!(
            brush_cells((0, 0), 5, (7, 7)),
            rectangle_cells((0, 0), (2, 2))
        );
        assert_eq!(brush_cells((6, 6), 2, (7, 7)), vec![(6, 6)]);
    }

    #[test]
    fn a_rectangle_takes_its_corners_in_any_order() {
        assert_eq!(rectangle_cells((2, 3), (1, 1)).len(), 6);
        assert_eq!(
            rectangle_cells((1, 1), (2, 3)),
            rectangle_cells((2, 3), (1, 1))
        );
        assert_eq!(rectangle_cells((4, 4), (4, 4)), vec![(4, 4)]);
    }

    #[test]
    fn a_copied_region_pastes_its_codes_and_is_clipped() {
        // 3×4 grid, code = index.
        let codes: Vec<u32> = (0..12).collect();
        let region = CodeRegion::copy("fashion", "a", &codes, 4, (1, 2), (0, 1))
            .unwrap_or_else(|| panic!("inside the grid"));
        assert_eq!((region.width, region.height), (2, 2));
        assert_eq!(region.codes, vec![1, 2, 5, 6]);
        assert_eq!(
            region.paste_at((1, 0), (3, 4)),
            vec![(1, 0, 1), (1, 1, 2), (2, 0, 5), (2, 1, 6)]
        );
        // Into a smaller grid, at its last cell: only the top-left code fits.
        assert_eq!(region.paste_at((1, 1), (2, 2)), vec![(1, 1, 1)]);
        assert_eq!(
            CodeRegion::copy("fashion", "a", &codes, 4, (0, 0), (3, 0)),
            None
        );
    }

    #[test]
    fn every_tool_has_its_own_key() {
        for tool in Tool::ALL {
            assert_eq!(Tool::from_key(&tool.key().to_string()), Some(tool));
            assert_eq!(
                Tool::from_key(&tool.key().to_ascii_uppercase().to_string()),
                Some(tool)
            );
        }
        assert_eq!(Tool::from_key("x"), None);
        assert_eq!(Tool::from_key("Shift"), None);
    }
}
