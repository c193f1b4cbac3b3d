//! Where the page puts things over a picture, as CSS percentages of it: the outline of the cells
//! a press would change, the veil over the cells a drawing has not reached yet; and which cell
//! lies under a point.

use crate::ui::tools::Cell;

/// The rectangle `(top-left, bottom-right)` (inclusive) that bounds `cells`.
pub fn bounds(cells: &[Cell]) -> Option<(Cell, Cell)> {
    let first = *cells.first()?;
    Some(
        cells
            .iter()
            .fold((first, first), |((t, l), (b, r)), &(row, col)| {
                ((t.min(row), l.min(col)), (b.max(row), r.max(col)))
            }),
    )
}

/// `left`, `top`, `width` and `height` as percentages, the page's absolute boxes.
fn boxed(left: f64, top: f64, width: f64, height: f64) -> String {
    format!("left:{left:.3}%;top:{top:.3}%;width:{width:.3}%;height:{height:.3}%")
}

/// The box over a `width × height` pixel image of the cells from `(top, left)` to
/// `(bottom, right)` (inclusive), with `cell_size` pixels a cell.
pub fn region_style(
    ((top, left), (bottom, right)): (Cell, Cell),
    (width, height): (usize, usize),
    cell_size: usize,
) -> String {
    let cell = cell_size as f64;
    let across = |cells: usize, pixels: usize| 100.0 * cell * cells as f64 / pixels as f64;
    boxed(
        across(left, width),
        across(top, height),
        across(right + 1 - left, width),
        across(bottom + 1 - top, height),
    )
}

/// The veils over a raster-order drawing of a `rows × cols` grid with `drawn` cells drawn: the
/// rest of the current row, and every row below; `None` once every cell is drawn.
pub fn veil_styles(
    drawn: usize,
    total: usize,
    (rows, cols): (usize, usize),
) -> Option<[String; 2]> {
    if drawn >= total {
        return None;
    }
    let (rows, cols) = (rows.max(1), cols.max(1));
    let (row, col) = (drawn / cols, drawn % cols);
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b as f64;
    Some([
        boxed(
            pct(col, cols),
            pct(row, rows),
            pct(cols - col, cols),
            pct(1, rows),
        ),
        format!(
            "left:0;top:{:.3}%;width:100%;height:{:.3}%",
            pct(row + 1, rows),
            pct(rows.saturating_sub(row + 1), rows)
        ),
    ])
}

/// The cell of a `rows × cols` grid under a point given as fractions of the grid's width and
/// height (`None` outside it).
pub fn cell_at(x: f64, y: f64, (rows, cols): (usize, usize)) -> Option<Cell> {
    if !(0.0..1.0).contains(&x) || !(0.0..1.0).contains(&y) {
        return None;
    }
    Some(((y * rows as f64) as usize, (x * cols as f64) as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_bounds_the_cells_on_the_picture() {
        assert_eq!(bounds(&[]), None);
        let region = bounds(&[(2, 3), (1, 5), (4, 4)]);
        assert_eq!(region, Some(((1, 3), (4, 5))));
        // 28×28 pixels, 4 a cell: cell (1, 3) to (1, 3) is 1/7 of each side.
        assert_eq!(
            region_style(((1, 3), (1, 3)), (28, 28), 4),
            "left:42.857%;top:14.286%;width:14.286%;height:14.286%"
        );
        // A 256×128 photo: a cell is 4 pixels whatever the grid.
        assert_eq!(
            region_style(((0, 0), (1, 63)), (256, 128), 4),
            "left:0.000%;top:0.000%;width:100.000%;height:6.250%"
        );
    }

    #[test]
    fn the_veil_covers_what_is_not_drawn_yet() {
        let [row, below] = veil_styles(5, 16, (4, 4)).unwrap_or_else(|| panic!("a veil"));
        assert_eq!(row, "left:25.000%;top:25.000%;width:75.000%;height:25.000%");
        assert_eq!(below, "left:0;top:50.000%;width:100%;height:50.000%");
        assert_eq!(veil_styles(16, 16, (4, 4)), None);
    }

    #[test]
    fn a_point_names_the_cell_under_it() {
        assert_eq!(cell_at(0.0, 0.0, (64, 64)), Some((0, 0)));
        assert_eq!(cell_at(0.999, 0.5, (64, 32)), Some((32, 31)));
        assert_eq!(cell_at(1.0, 0.5, (64, 64)), None);
        assert_eq!(cell_at(0.5, -0.01, (64, 64)), None);
    }
}
