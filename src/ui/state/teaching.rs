//! What the teaching panels ask the engine about the current image: its loss terms (after
//! every change of the grid) and the codebook's map (once per image). At most one request of
//! each is on its way; a change meanwhile asks again when it is answered, so a brush stroke
//! costs two requests, not one a cell.

use crate::protocol::{CodePatches, CodebookMap, LossReport};

/// One kind of answer, asked for again when what it describes changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked<T> {
    /// The last answer.
    pub answer: Option<T>,
    /// Why the last request failed.
    pub error: Option<String>,
    /// A request is on its way.
    on_its_way: bool,
    /// What it describes changed since that request was sent.
    again: bool,
}

impl<T> Default for Asked<T> {
    fn default() -> Self {
        Self {
            answer: None,
            error: None,
            on_its_way: false,
            again: false,
        }
    }
}

impl<T> Asked<T> {
    /// What it describes changed: true to send a request now (false while one is on its way:
    /// it is sent again when that one is answered).
    pub fn ask(&mut self) -> bool {
        if self.on_its_way {
            self.again = true;
            false
        } else {
            self.on_its_way = true;
            true
        }
    }

    /// The engine's answer; true to send the request again (it changed meanwhile).
    pub fn answered(&mut self, answer: T) -> bool {
        self.answer = Some(answer);
        self.error = None;
        self.on_its_way = std::mem::take(&mut self.again);
        self.on_its_way
    }

    /// Nothing to ask again after all (the change asked for what was answered).
    pub fn settle(&mut self) {
        self.on_its_way = false;
        self.again = false;
    }

    /// The engine refused: the sentence is shown, nothing is asked again until the next change.
    pub fn refused(&mut self, message: String) {
        self.error = Some(message);
        self.on_its_way = false;
        self.again = false;
    }

    /// Forgets the answer (a new image, another model) and any request on its way (a
    /// restarted engine will not answer it).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Whether a request is on its way.
    pub fn waiting(&self) -> bool {
        self.on_its_way
    }
}

/// The loss terms and the map of the current image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TeachingState {
    /// The loss terms; an answer of `None`: the grid was not encoded from a picture.
    pub losses: Asked<Option<LossReport>>,
    /// The codebook's map with the image's cells.
    pub map: Asked<CodebookMap>,
    /// Patches of real pictures for a code (what it means).
    pub patches: Asked<CodePatches>,
    /// The code whose patches were last asked for.
    pub patches_code: Option<u32>,
}

impl TeachingState {
    /// Forgets both (a new image, another model, a restarted engine).
    pub fn clear(&mut self) {
        self.losses.clear();
        self.map.clear();
        // The patches are of the model's pictures, not of the image: kept until the model
        // changes ([`Self::model_changed`]); a request on its way is answered all the same.
    }

    /// Another model (or a restarted engine): nothing holds.
    pub fn model_changed(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_while_a_request_is_on_its_way_ask_once_more_when_it_is_answered() {
        let mut asked = Asked::<u32>::default();
        assert!(asked.ask(), "nothing on its way: send");
        assert!(!asked.ask(), "on its way: wait");
        assert!(!asked.ask(), "still one more, not two");
        assert!(asked.answered(1), "changed meanwhile: send again");
        assert!(asked.waiting());
        assert!(!asked.answered(2), "nothing changed since");
        assert_eq!(asked.answer, Some(2));
        assert!(asked.ask());
        asked.refused("no".into());
        assert_eq!(asked.error.as_deref(), Some("no"));
        assert!(!asked.waiting());
        assert!(asked.ask(), "a refusal does not block the next change");
        asked.clear();
        assert_eq!(asked, Asked::default());
    }
}
