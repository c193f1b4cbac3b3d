//! The tour of a first visit: five steps (upload, heatmap, edit, sample, inside a cell), each a
//! sentence and the element it points at; Next, Back and Skip; and how far it went, kept in
//! the browser ([`TourMark`]) so that a reload goes on where it was and a dismissed tour never
//! comes back. Plain Rust, tested natively; the card is `lab/tour.rs`.

/// One step of the tour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// A word or two, in bold before the sentence.
    pub title: &'static str,
    /// What the step says.
    pub text: &'static str,
    /// CSS selectors of the element it points at, the first on the page wins (an element that
    /// appears later, then the one that is always there).
    pub targets: &'static [&'static str],
}

/// The lab, always there once the engine is ready: what a step points at meanwhile.
const LAB: &str = r#"[data-testid="lab"]"#;

/// The heatmap, there once an image is encoded.
const HEATMAP: &str = r#"[data-testid="heatmap"]"#;

/// The tour, in order.
pub const STEPS: [Step; 5] = [
    Step {
        title: "Upload.",
        text: "Choose a file, drop or paste one, or click an example: the encoder turns the \
               picture into a small grid of codes.",
        targets: &[".lab-row.inputs", LAB],
    },
    Step {
        title: "The heatmap.",
        text: "The grid of codes, a cell each. Hover a cell to see the region of the pictures \
               it stands for.",
        targets: &[HEATMAP, LAB],
    },
    Step {
        title: "Edit.",
        text: "Select a cell and type another code, or paint with the brush: the decoder \
               redraws only the pixels the change reaches.",
        targets: &[r#"[data-testid="toolbar"]"#, HEATMAP, LAB],
    },
    Step {
        title: "Sample.",
        text: "The PixelCNN prior draws a new grid one code at a time, and the decoder turns \
               it into a picture nobody drew.",
        targets: &[r#"[data-testid="generate"]"#, LAB],
    },
    Step {
        title: "Inside a cell.",
        text: "Select a cell: its vector z_e, its distance to every code, and a slider that \
               moves it toward another code until the quantizer's choice switches.",
        targets: &[r#"[data-testid="inside"]"#, HEATMAP, LAB],
    },
];

/// A button of the tour's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The next step (after the last: the tour is finished).
    Next,
    /// The step before (none before the first).
    Back,
    /// "Skip tour".
    Skip,
}

/// Where the tour goes from `step` on `action`: the step shown next, or `None` when it ends
/// (finished or skipped: dismissed for good).
pub fn after(step: usize, action: Action) -> Option<usize> {
    match action {
        Action::Next => Some(step + 1).filter(|&next| next < STEPS.len()),
        Action::Back => Some(step.saturating_sub(1)),
        Action::Skip => None,
    }
}

/// How far the tour went in this browser, as kept under `first_visit::TOUR_KEY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TourMark {
    /// Never shown.
    NotStarted,
    /// Shown and left at this step (0-based; stored as 1-based).
    At(usize),
    /// Finished or skipped: never shown again.
    Done,
}

/// The stored value of [`TourMark::Done`].
const DONE: &str = "done";

impl TourMark {
    /// The mark a stored value says (`None`: nothing stored). A step past the last is the last;
    /// a value this page does not know counts as done (never a tour that cannot be dismissed).
    pub fn from_stored(value: Option<&str>) -> Self {
        match value {
            None => Self::NotStarted,
            Some(DONE) => Self::Done,
            Some(value) => match value.parse::<usize>() {
                Ok(step) if step >= 1 => Self::At((step - 1).min(STEPS.len() - 1)),
                _ => Self::Done,
            },
        }
    }

    /// What to store (`None` for [`TourMark::NotStarted`]: nothing).
    pub fn stored(self) -> Option<String> {
        match self {
            Self::NotStarted => None,
            Self::At(step) => Some((step + 1).to_string()),
            Self::Done => Some(DONE.to_owned()),
        }
    }

    /// The mark after the card shows `step` (`None`: the tour ended).
    pub fn of(step: Option<usize>) -> Self {
        step.map_or(Self::Done, Self::At)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_steps_in_the_issue_s_order() {
        let titles: Vec<_> = STEPS.iter().map(|step| step.title).collect();
        assert_eq!(
            titles,
            [
                "Upload.",
                "The heatmap.",
                "Edit.",
                "Sample.",
                "Inside a cell."
            ]
        );
        // Each ends on the lab, which is there as soon as the tour is.
        assert!(STEPS.iter().all(|step| step.targets.last() == Some(&LAB)));
    }

    #[test]
    fn next_back_and_skip() {
        assert_eq!(after(0, Action::Next), Some(1));
        assert_eq!(after(3, Action::Next), Some(4));
        assert_eq!(
            after(4, Action::Next),
            None,
            "Next on the last step finishes"
        );
        assert_eq!(after(2, Action::Back), Some(1));
        assert_eq!(after(0, Action::Back), Some(0), "nothing before the first");
        assert_eq!(after(2, Action::Skip), None);
    }

    #[test]
    fn the_mark_round_trips_through_storage() {
        for mark in [TourMark::At(0), TourMark::At(4), TourMark::Done] {
            assert_eq!(TourMark::from_stored(mark.stored().as_deref()), mark);
        }
        assert_eq!(TourMark::NotStarted.stored(), None);
        assert_eq!(TourMark::from_stored(None), TourMark::NotStarted);
        assert_eq!(TourMark::of(Some(2)), TourMark::At(2));
        assert_eq!(TourMark::of(None), TourMark::Done);
    }

    #[test]
    fn odd_stored_values_never_trap_the_user_in_a_tour() {
        assert_eq!(TourMark::from_stored(Some("9")), TourMark::At(4));
        for odd in ["0", "-1", "yes", ""] {
            assert_eq!(TourMark::from_stored(Some(odd)), TourMark::Done, "{odd:?}");
        }
    }
}
