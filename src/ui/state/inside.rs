//! Following one cell: the engine's answer for the selected cell (its `z_e` and its distance to
//! every code), the code the slider moves `z_e` toward and how far, and the moved vector's
//! code and decoded window. At most one move is on its way; the slider's latest position waits
//! for it (a drag sends what the engine can keep up with, and ends where the slider ends).

use crate::protocol::{CellInside, MovedCell, ToEngine};
use crate::ui::tools::Cell;

/// How many of the nearest codes the slider can move toward.
pub const TOWARD_CHOICES: usize = 8;

/// The inside of the selected cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InsideState {
    /// The cell asked for.
    pub asked: Option<Cell>,
    /// The engine's answer for it.
    pub cell: Option<CellInside>,
    /// The code the slider moves toward (the second nearest at first).
    pub toward: Option<u32>,
    /// How far, 0 (`z_e`) to 1 (the code).
    pub t: f32,
    /// The last moved vector the engine answered.
    pub moved: Option<MovedCell>,
    /// Whether a move is on its way.
    pub moving: bool,
    /// The move to send when the one on its way is answered.
    held: Option<ToEngine>,
    /// Why the last request failed.
    pub error: Option<String>,
}

impl InsideState {
    /// Asks for the inside of `cell` (nothing when it is already asked for).
    pub fn ask(&mut self, cell: Cell) -> Option<ToEngine> {
        if self.asked == Some(cell) {
            return None;
        }
        *self = Self {
            asked: Some(cell),
            ..Self::default()
        };
        Some(ToEngine::Inside {
            row: cell.0,
            col: cell.1,
        })
    }

    /// Forgets the cell (a new image, another model).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The engine's answer: kept if it is for the cell asked.
    pub fn answered(&mut self, inside: CellInside) {
        if self.asked != Some((inside.row, inside.col)) {
            return;
        }
        self.toward = self.nearest_codes(&inside).get(1).copied();
        self.t = 0.0;
        self.moved = None;
        self.error = None;
        self.cell = Some(inside);
    }

    /// The codes nearest to the cell's vector, nearest first (at most [`TOWARD_CHOICES`]).
    pub fn nearest_codes(&self, inside: &CellInside) -> Vec<u32> {
        sorted_codes(&inside.distances)
            .into_iter()
            .take(TOWARD_CHOICES)
            .collect()
    }

    /// The slider at `t` toward `toward`: the move to send now, if none is on its way (else
    /// it waits, replacing any waiting one).
    pub fn slide(&mut self, toward: u32, t: f32) -> Option<ToEngine> {
        let (row, col) = (self.cell.as_ref()?.row, self.cell.as_ref()?.col);
        if self.toward != Some(toward) {
            self.moved = None;
        }
        self.toward = Some(toward);
        self.t = t.clamp(0.0, 1.0);
        let request = ToEngine::Move {
            row,
            col,
            toward,
            t: self.t,
        };
        if self.moving {
            self.held = Some(request);
            return None;
        }
        self.moving = true;
        Some(request)
    }

    /// The engine's moved vector; returns the waiting move to send, if any.
    pub fn moved(&mut self, moved: MovedCell) -> Option<ToEngine> {
        self.moving = false;
        let current = self
            .cell
            .as_ref()
            .is_some_and(|c| (c.row, c.col) == (moved.row, moved.col));
        if current && self.toward == Some(moved.toward) {
            self.error = None;
            self.moved = Some(moved);
        }
        let held = self.held.take();
        self.moving = held.is_some();
        held
    }

    /// A request failed; its sentence is shown and nothing waits for it.
    pub fn refused(&mut self, message: String) {
        self.moving = false;
        self.held = None;
        self.error = Some(message);
    }
}

/// Codes by distance, nearest first (ties: the lower code first).
pub fn sorted_codes(distances: &[f32]) -> Vec<u32> {
    let mut codes: Vec<u32> = (0..distances.len() as u32).collect();
    codes.sort_by(|&a, &b| {
        distances[a as usize]
            .total_cmp(&distances[b as usize])
            .then(a.cmp(&b))
    });
    codes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::PatchPixels;

    fn inside() -> CellInside {
        CellInside {
            row: 1,
            col: 2,
            z_e: vec![0.5, -0.25],
            distances: vec![0.9, 0.1, 0.4, 0.1, 2.0],
            nearest: 1,
        }
    }

    fn moved(toward: u32, t: f32, code: u32) -> MovedCell {
        MovedCell {
            row: 1,
            col: 2,
            toward,
            t,
            code,
            distance_nearest: 0.1,
            distance_toward: 0.2,
            boundary: Some(0.5),
            patch: PatchPixels {
                top: 0,
                left: 0,
                width: 1,
                height: 1,
                rgba: vec![0; 4],
            },
        }
    }

    #[test]
    fn codes_sort_by_distance_and_the_slider_starts_toward_the_second_nearest() {
        assert_eq!(sorted_codes(&inside().distances), vec![1, 3, 2, 0, 4]);
        let mut state = InsideState::default();
        assert_eq!(state.ask((1, 2)), Some(ToEngine::Inside { row: 1, col: 2 }));
        assert_eq!(state.ask((1, 2)), None, "asked once");
        state.answered(inside());
        assert_eq!(state.toward, Some(3));
        assert_eq!(
            state.nearest_codes(state.cell.as_ref().expect("answered")),
            vec![1, 3, 2, 0, 4]
        );
    }

    #[test]
    fn an_answer_for_another_cell_is_dropped() {
        let mut state = InsideState::default();
        state.ask((0, 0));
        state.answered(inside());
        assert_eq!(state.cell, None);
    }

    #[test]
    fn a_drag_sends_one_move_at_a_time_and_ends_where_the_slider_ends() {
        let mut state = InsideState::default();
        state.ask((1, 2));
        state.answered(inside());
        let first = state.slide(3, 0.2);
        assert!(matches!(first, Some(ToEngine::Move { toward: 3, .. })));
        assert_eq!(state.slide(3, 0.4), None, "waits for the first");
        assert_eq!(state.slide(3, 0.7), None, "replaces the waiting one");
        let next = state.moved(moved(3, 0.2, 1));
        assert!(
            matches!(next, Some(ToEngine::Move { t, .. }) if (t - 0.7).abs() < 1e-6),
            "{next:?}"
        );
        assert!(state.moving);
        assert_eq!(state.moved(moved(3, 0.7, 3)), None);
        assert!(!state.moving);
        assert_eq!(state.moved.as_ref().map(|m| m.code), Some(3));
    }

    #[test]
    fn a_refusal_is_a_sentence_and_nothing_waits() {
        let mut state = InsideState::default();
        state.ask((1, 2));
        state.answered(inside());
        state.slide(3, 0.2);
        state.slide(3, 0.9);
        state.refused("no encoder output".to_owned());
        assert!(!state.moving);
        assert_eq!(state.error.as_deref(), Some("no encoder output"));
        assert!(state.slide(3, 0.3).is_some(), "the next move goes at once");
    }
}
