//! Edits on their way to the engine: sent, answered by number, and a brush stroke's cells
//! coalesced while an edit of the stroke is on its way.
//!
//! A stroke on the photo model enters cells faster than the engine decodes them (a windowed
//! decode per edit). So at most one edit of a stroke is on its way: the cells entered
//! meanwhile are held, the latest code of each cell kept, and sent as one edit (one windowed
//! decode) when it is answered. Any other edit sends what is held first, so edits reach the
//! engine in the order they were made.

use crate::protocol::{CellCode, ToEngine};

/// Edits on their way to the engine and what came back of the last one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Edits {
    /// Edits sent and not yet answered: their numbers and strokes.
    waiting: Vec<(u64, Option<u64>)>,
    /// The last edit's number.
    last_id: u64,
    /// Cells of a stroke entered while an edit of that stroke was on its way.
    held: Option<(u64, Vec<CellCode>)>,
    /// Wall time of the last edit in the engine, in milliseconds.
    pub last_millis: Option<f64>,
    /// Why the last edit failed.
    pub error: Option<String>,
}

impl Edits {
    /// An edit of `cells` (part of brush `stroke`, if any) the user made: the requests to
    /// send now, in order (none while the cells are held, see the module's documentation).
    pub fn request(&mut self, cells: Vec<CellCode>, stroke: Option<u64>) -> Vec<ToEngine> {
        if cells.is_empty() {
            return Vec::new();
        }
        if let Some(stroke) = stroke
            && self.waiting.iter().any(|&(_, s)| s == Some(stroke))
        {
            match &mut self.held {
                Some((held_stroke, held)) if *held_stroke == stroke => {
                    held.retain(|&(r, c, _)| !cells.iter().any(|&(r2, c2, _)| (r, c) == (r2, c2)));
                    held.extend(cells);
                    return Vec::new();
                }
                _ => {
                    let mut requests: Vec<ToEngine> = self.release_held().into_iter().collect();
                    self.held = Some((stroke, cells));
                    requests.extend(self.release_held_if_free());
                    return requests;
                }
            }
        }
        let mut requests: Vec<ToEngine> = self.release_held().into_iter().collect();
        requests.push(self.send(cells, stroke));
        requests
    }

    /// The request of an edit sent now.
    fn send(&mut self, cells: Vec<CellCode>, stroke: Option<u64>) -> ToEngine {
        self.last_id += 1;
        self.waiting.push((self.last_id, stroke));
        ToEngine::Edit {
            id: self.last_id,
            cells,
        }
    }

    /// The held cells as an edit sent now, if any.
    fn release_held(&mut self) -> Option<ToEngine> {
        let (stroke, cells) = self.held.take()?;
        Some(self.send(cells, Some(stroke)))
    }

    /// The held cells as an edit sent now, once no edit of their stroke is on its way.
    fn release_held_if_free(&mut self) -> Option<ToEngine> {
        let (stroke, _) = self.held.as_ref()?;
        if self.waiting.iter().any(|&(_, s)| s == Some(*stroke)) {
            return None;
        }
        self.release_held()
    }

    /// Counts edit `id` (of `stroke`) as sent, as [`Self::request`] would without holding:
    /// for the tests of what the lab does with the answers.
    #[cfg(test)]
    pub fn sent(&mut self, id: u64, stroke: Option<u64>) {
        self.last_id = self.last_id.max(id);
        self.waiting.push((id, stroke));
    }

    /// Edits sent and not yet answered, and cells held.
    pub fn pending(&self) -> usize {
        self.waiting.len() + usize::from(self.held.is_some())
    }

    /// Forgets every pending edit and held cell: the engine that was to answer them is gone.
    pub fn forget_pending(&mut self) {
        self.waiting.clear();
        self.held = None;
    }

    /// Forgets the pending edit `id`; returns its stroke, and the held cells to send now.
    pub fn answered(&mut self, id: u64) -> (Option<u64>, Option<ToEngine>) {
        let Some(index) = self.waiting.iter().position(|&(i, _)| i == id) else {
            return (None, None);
        };
        let stroke = self.waiting.remove(index).1;
        (stroke, self.release_held_if_free())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(requests: &[ToEngine]) -> Vec<(u64, Vec<CellCode>)> {
        requests
            .iter()
            .filter_map(|r| match r {
                ToEngine::Edit { id, cells } => Some((*id, cells.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn pending_edits_are_answered_by_number() {
        let mut edits = Edits::default();
        assert_eq!(
            ids(&edits.request(vec![(0, 0, 1)], None)),
            [(1, vec![(0, 0, 1)])]
        );
        assert_eq!(ids(&edits.request(vec![(0, 1, 1)], Some(9))).len(), 1);
        assert_eq!(edits.pending(), 2);
        assert_eq!(edits.answered(2), (Some(9), None));
        assert_eq!(
            edits.answered(7),
            (None, None),
            "an unknown answer changes nothing"
        );
        assert_eq!(edits.answered(1), (None, None));
        assert_eq!(edits.pending(), 0);
        assert!(edits.request(Vec::new(), None).is_empty());
    }

    #[test]
    fn a_strokes_cells_coalesce_while_one_of_its_edits_is_on_its_way() {
        let mut edits = Edits::default();
        assert_eq!(ids(&edits.request(vec![(0, 0, 5)], Some(1))).len(), 1);
        // Entered while edit 1 is on its way: held, the latest code of a cell kept.
        assert!(
            edits
                .request(vec![(0, 1, 5), (1, 1, 5)], Some(1))
                .is_empty()
        );
        assert!(
            edits
                .request(vec![(1, 1, 6), (0, 2, 5)], Some(1))
                .is_empty()
        );
        assert_eq!(edits.pending(), 2);
        let (stroke, next) = edits.answered(1);
        assert_eq!(stroke, Some(1));
        assert_eq!(
            ids(&next.into_iter().collect::<Vec<_>>()),
            [(2, vec![(0, 1, 5), (1, 1, 6), (0, 2, 5)])]
        );
        assert_eq!(edits.answered(2), (Some(1), None));
        assert_eq!(edits.pending(), 0);
    }

    #[test]
    fn another_edit_sends_the_held_cells_first() {
        let mut edits = Edits::default();
        edits.request(vec![(0, 0, 5)], Some(1));
        edits.request(vec![(0, 1, 5)], Some(1));
        // A typed code while the stroke's cells are held: they go first, in order.
        let sent = ids(&edits.request(vec![(3, 3, 7)], None));
        assert_eq!(sent, [(2, vec![(0, 1, 5)]), (3, vec![(3, 3, 7)])]);
        assert_eq!(edits.pending(), 3);
        edits.forget_pending();
        assert_eq!(edits.pending(), 0);
    }
}
