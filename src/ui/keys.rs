//! The lab's keyboard shortcuts as data: which key does what, where the arrows move the
//! selection, which brush `[` and `]` choose, and the list the help overlay shows.

use crate::ui::tools::{BRUSH_SIZES, Cell, Tool};

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Ctrl-Z: take the last edit back.
    Undo,
    /// Ctrl-Y or Ctrl-Shift-Z: do it again.
    Redo,
    /// `?`: show or hide the list of shortcuts.
    ToggleHelp,
    /// Esc: close the list, back to Select.
    Escape,
    /// A tool's key: take it up (or, the tool in hand, put it down).
    Take(Tool),
    /// `[` or `]`: a smaller (`false`) or larger (`true`) brush.
    Brush {
        /// Larger.
        larger: bool,
    },
    /// An arrow: select the next cell that way.
    Move(Direction),
}

/// Where an arrow key moves the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// One row up.
    Up,
    /// One row down.
    Down,
    /// One column left.
    Left,
    /// One column right.
    Right,
}

/// The modifier keys held with a press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Modifiers {
    /// Ctrl, or ⌘ on a Mac.
    pub command: bool,
    /// Shift.
    pub shift: bool,
    /// Alt.
    pub alt: bool,
}

/// The shortcut of `key` (the event's `key`) with `modifiers`; `typing` is true while the
/// focus is in a field, where only the Ctrl shortcuts count.
pub fn shortcut(key: &str, modifiers: Modifiers, typing: bool) -> Option<Shortcut> {
    if modifiers.command {
        return match key.to_ascii_lowercase().as_str() {
            "z" if modifiers.shift => Some(Shortcut::Redo),
            "z" => Some(Shortcut::Undo),
            "y" => Some(Shortcut::Redo),
            _ => None,
        };
    }
    if modifiers.alt || typing {
        return None;
    }
    if let Some(tool) = Tool::from_key(key) {
        return Some(Shortcut::Take(tool));
    }
    Some(match key {
        "?" => Shortcut::ToggleHelp,
        "Escape" => Shortcut::Escape,
        "[" => Shortcut::Brush { larger: false },
        "]" => Shortcut::Brush { larger: true },
        "ArrowUp" => Shortcut::Move(Direction::Up),
        "ArrowDown" => Shortcut::Move(Direction::Down),
        "ArrowLeft" => Shortcut::Move(Direction::Left),
        "ArrowRight" => Shortcut::Move(Direction::Right),
        _ => return None,
    })
}

/// The cell next to `cell` in `direction`, staying inside a `rows × cols` grid.
pub fn step((row, col): Cell, direction: Direction, (rows, cols): (usize, usize)) -> Cell {
    match direction {
        Direction::Up => (row.saturating_sub(1), col),
        Direction::Down => ((row + 1).min(rows.saturating_sub(1)), col),
        Direction::Left => (row, col.saturating_sub(1)),
        Direction::Right => (row, (col + 1).min(cols.saturating_sub(1))),
    }
}

/// The brush size after `[` (`larger` false) or `]` from `size`, among [`BRUSH_SIZES`].
pub fn next_brush_size(size: usize, larger: bool) -> usize {
    let at = BRUSH_SIZES.iter().position(|&s| s == size).unwrap_or(0);
    let next = if larger {
        (at + 1).min(BRUSH_SIZES.len() - 1)
    } else {
        at.saturating_sub(1)
    };
    BRUSH_SIZES[next]
}

/// The help overlay's list: each key and what it does, in the order shown.
pub fn help_entries() -> Vec<(String, String)> {
    let fixed = |key: &str, what: &str| (key.to_owned(), what.to_owned());
    let mut entries = vec![
        fixed("?", "show or hide this list"),
        fixed("← ↑ → ↓", "select the next cell of the grid"),
        fixed("Enter", "in the code field: set the selected cell's code"),
        fixed("Ctrl-Z / Ctrl-Y", "undo / redo (Ctrl-Shift-Z redoes too)"),
    ];
    entries.extend(Tool::ALL.into_iter().map(|tool| {
        (
            tool.key().to_ascii_uppercase().to_string(),
            format!("{}: {}", tool.label(), tool.hint()),
        )
    }));
    entries.extend([
        fixed("[ / ]", "a smaller / larger brush"),
        fixed(
            "Enter / Space",
            "on the grid: use the tool on the selected cell (a rectangle or a copy takes two \
             presses)",
        ),
        fixed("Esc", "close this list; back to Select"),
        fixed("Ctrl-V", "paste an image to encode"),
    ]);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Modifiers = Modifiers {
        command: false,
        shift: false,
        alt: false,
    };

    #[test]
    fn ctrl_keys_undo_and_redo_even_in_a_field() {
        let ctrl = Modifiers {
            command: true,
            ..NONE
        };
        let ctrl_shift = Modifiers {
            shift: true,
            ..ctrl
        };
        assert_eq!(shortcut("z", ctrl, true), Some(Shortcut::Undo));
        assert_eq!(shortcut("Z", ctrl_shift, false), Some(Shortcut::Redo));
        assert_eq!(shortcut("y", ctrl, false), Some(Shortcut::Redo));
        assert_eq!(shortcut("b", ctrl, false), None, "Ctrl-B is the browser's");
    }

    #[test]
    fn plain_keys_take_tools_and_move_except_while_typing() {
        assert_eq!(
            shortcut("b", NONE, false),
            Some(Shortcut::Take(Tool::Brush))
        );
        assert_eq!(
            shortcut("B", NONE, false),
            Some(Shortcut::Take(Tool::Brush))
        );
        assert_eq!(shortcut("b", NONE, true), None);
        let alt = Modifiers { alt: true, ..NONE };
        assert_eq!(shortcut("b", alt, false), None);
        assert_eq!(shortcut("?", NONE, false), Some(Shortcut::ToggleHelp));
        assert_eq!(
            shortcut("]", NONE, false),
            Some(Shortcut::Brush { larger: true })
        );
        assert_eq!(
            shortcut("ArrowLeft", NONE, false),
            Some(Shortcut::Move(Direction::Left))
        );
        assert_eq!(shortcut("Tab", NONE, false), None);
    }

    #[test]
    fn arrows_stay_inside_the_grid_and_brushes_inside_their_sizes() {
        assert_eq!(step((0, 0), Direction::Up, (7, 7)), (0, 0));
        assert_eq!(step((6, 6), Direction::Down, (7, 7)), (6, 6));
        assert_eq!(step((3, 6), Direction::Right, (7, 7)), (3, 6));
        assert_eq!(step((3, 3), Direction::Left, (7, 7)), (3, 2));
        assert_eq!(next_brush_size(1, false), 1);
        assert_eq!(next_brush_size(1, true), 2);
        assert_eq!(next_brush_size(5, true), 5);
        assert_eq!(
            next_brush_size(4, true),
            2,
            "an unknown size starts from the first"
        );
    }

    #[test]
    fn the_help_lists_every_tool_by_its_key() {
        let entries = help_entries();
        for tool in Tool::ALL {
            let key = tool.key().to_ascii_uppercase().to_string();
            assert!(
                entries
                    .iter()
                    .any(|(k, what)| *k == key && what.starts_with(tool.label()))
            );
        }
        assert_eq!(entries.first().map(|(k, _)| k.as_str()), Some("?"));
        assert_eq!(entries.last().map(|(k, _)| k.as_str()), Some("Ctrl-V"));
    }
}
