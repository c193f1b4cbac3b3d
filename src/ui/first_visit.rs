//! What the first screen does, decided from what the browser remembers of earlier visits and
//! what the address asks for. Plain Rust, tested natively; the page reads and writes the
//! markers in `visit.rs`.
//!
//! A first visit is a browser without [`VISITED_KEY`] in its `localStorage`; the page writes it
//! once the lab has opened. A first visit opens with the default model's first example encoded
//! (the pictures on the first screen, not an empty lab) unless a share link or a kept session
//! opens instead, and shows the tour ([`super::tour`]) until it is dismissed.

use super::tour::TourMark;

/// The `localStorage` key whose presence says this browser has opened the lab before.
pub const VISITED_KEY: &str = "vq-lab-visited";

/// The value written under [`VISITED_KEY`].
pub const VISITED: &str = "1";

/// The `localStorage` key of the tour's progress ([`TourMark`]).
pub const TOUR_KEY: &str = "vq-lab-tour";

/// What the browser remembers of earlier visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Markers {
    /// The lab was opened in this browser before.
    pub visited: bool,
    /// Where the tour stands.
    pub tour: TourMark,
}

impl Markers {
    /// From the values `localStorage` holds under [`VISITED_KEY`] and [`TOUR_KEY`].
    pub fn from_values(visited: Option<&str>, tour: Option<&str>) -> Self {
        Self {
            visited: visited.is_some(),
            tour: TourMark::from_stored(tour),
        }
    }

    /// When `localStorage` cannot be read (a private mode, storage switched off): an earlier
    /// visit whose tour is done, so that nothing appears that could not be dismissed for good.
    pub const fn unavailable() -> Self {
        Self {
            visited: true,
            tour: TourMark::Done,
        }
    }
}

/// What the first screen is decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// What the browser remembers.
    pub markers: Markers,
    /// The address carries a share link (a fragment), which opens its grid.
    pub share_link: bool,
    /// A session kept by an earlier visit opens (checked against the catalogue).
    pub kept_session: bool,
    /// The page is embedded (`?embed`): a course page's frame.
    pub embed: bool,
}

/// What the first screen does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstScreen {
    /// Encode the first example of the model that loads, as if its button had been clicked.
    pub example: bool,
    /// Show the tour, at this step (`None`: no tour).
    pub tour: Option<usize>,
    /// Write [`VISITED_KEY`].
    pub mark_visited: bool,
}

/// The first screen of `visit`.
///
/// - The example: on a first visit, and in every embedded page (a course page shows a picture,
///   and keeps no session), unless a share link or a kept session opens instead.
/// - The tour: never embedded; otherwise on a first visit, or where an earlier visit left it
///   under way (at that step), until it is dismissed.
/// - An embedded page writes no marker: the lab's own page still greets the student.
pub fn first_screen(visit: &Visit) -> FirstScreen {
    let Visit {
        markers,
        share_link,
        kept_session,
        embed,
    } = *visit;
    let first = !markers.visited;
    let tour = match markers.tour {
        _ if embed => None,
        TourMark::Done => None,
        TourMark::At(step) => Some(step),
        TourMark::NotStarted => first.then_some(0),
    };
    FirstScreen {
        example: (first || embed) && !share_link && !kept_session,
        tour,
        mark_visited: first && !embed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(markers: Markers) -> Visit {
        Visit {
            markers,
            share_link: false,
            kept_session: false,
            embed: false,
        }
    }

    const FIRST: Markers = Markers {
        visited: false,
        tour: TourMark::NotStarted,
    };

    const RETURNING: Markers = Markers {
        visited: true,
        tour: TourMark::Done,
    };

    #[test]
    fn a_first_visit_opens_with_the_example_and_the_tour() {
        let screen = first_screen(&visit(Markers::from_values(None, None)));
        assert_eq!(
            screen,
            FirstScreen {
                example: true,
                tour: Some(0),
                mark_visited: true,
            }
        );
    }

    #[test]
    fn a_returning_visit_opens_as_before() {
        let screen = first_screen(&visit(Markers::from_values(Some("1"), Some("done"))));
        assert_eq!(
            screen,
            FirstScreen {
                example: false,
                tour: None,
                mark_visited: false,
            }
        );
    }

    #[test]
    fn a_share_link_or_a_kept_session_wins_over_the_example() {
        let linked = Visit {
            share_link: true,
            ..visit(FIRST)
        };
        let kept = Visit {
            kept_session: true,
            ..visit(FIRST)
        };
        for screen in [first_screen(&linked), first_screen(&kept)] {
            assert!(!screen.example);
            // Still a first visit: the tour and the marker.
            assert_eq!(screen.tour, Some(0));
            assert!(screen.mark_visited);
        }
    }

    #[test]
    fn a_dismissed_tour_never_comes_back() {
        let dismissed = Markers::from_values(None, Some("done"));
        let screen = first_screen(&visit(dismissed));
        assert_eq!(screen.tour, None);
        assert!(screen.example, "still a first visit");
    }

    #[test]
    fn a_tour_left_under_way_goes_on_where_it_was() {
        let under_way = Markers::from_values(Some("1"), Some("3"));
        assert_eq!(first_screen(&visit(under_way)).tour, Some(2));
    }

    #[test]
    fn storage_that_cannot_be_read_is_not_a_first_visit() {
        assert_eq!(
            first_screen(&visit(Markers::unavailable())),
            first_screen(&visit(RETURNING))
        );
    }

    #[test]
    fn an_embedded_page_shows_the_example_no_tour_and_writes_no_marker() {
        for markers in [FIRST, RETURNING] {
            let screen = first_screen(&Visit {
                embed: true,
                ..visit(markers)
            });
            assert_eq!(
                screen,
                FirstScreen {
                    example: true,
                    tour: None,
                    mark_visited: false,
                }
            );
        }
        let linked = Visit {
            embed: true,
            share_link: true,
            ..visit(FIRST)
        };
        assert!(!first_screen(&linked).example);
    }
}
