//! The inside of a cell: the encoder's vector against every code, and that vector moved toward
//! another code, on the shipped fashion model.

use super::*;

fn inside(
    session: &Session<Folder>,
    sent: &RefCell<Vec<FromEngine>>,
) -> crate::protocol::CellInside {
    match answer(session, sent, ToEngine::Inside { row: 3, col: 3 }) {
        FromEngine::Inside(inside) => inside,
        other => panic!("{other:?}"),
    }
}

/// Moving cell (3, 3)'s `z_e` a fraction `t` toward code `toward`.
fn move_toward(toward: u32, t: f32) -> ToEngine {
    ToEngine::Move {
        row: 3,
        col: 3,
        toward,
        t,
    }
}

fn moved(
    session: &Session<Folder>,
    sent: &RefCell<Vec<FromEngine>>,
    toward: u32,
    t: f32,
) -> crate::protocol::MovedCell {
    match answer(session, sent, move_toward(toward, t)) {
        FromEngine::Moved(moved) => moved,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cells_vector_is_nearest_to_its_code_and_moving_it_past_the_boundary_switches_the_code() {
    let (session, sent) = fashion_with_an_image();
    let codes = codes_in_engine(&session, &sent);
    let cell = inside(&session, &sent);
    assert_eq!(cell.z_e.len(), 16, "D numbers (fashion: D = 16)");
    assert_eq!(cell.distances.len(), 128, "one distance a code");
    assert_eq!(
        cell.nearest,
        codes[3 * 7 + 3],
        "the quantizer's choice is the grid's code"
    );
    let smallest = cell.distances.iter().copied().fold(f32::INFINITY, f32::min);
    assert_eq!(cell.distances[cell.nearest as usize], smallest);

    let toward = crate::ui::state::inside::sorted_codes(&cell.distances)[1];
    let start = moved(&session, &sent, toward, 0.0);
    assert_eq!(
        start.code, cell.nearest,
        "unmoved, the vector keeps its code"
    );
    let boundary = start.boundary.expect("the line crosses the boundary");
    assert!((0.0..1.0).contains(&boundary), "{boundary}");
    let before = moved(&session, &sent, toward, (boundary - 0.02).max(0.0));
    let after = moved(&session, &sent, toward, (boundary + 0.02).min(1.0));
    assert_eq!(before.code, cell.nearest);
    assert!(before.distance_nearest < before.distance_toward);
    assert_eq!(
        after.code, toward,
        "past the boundary the second-nearest code wins"
    );
    assert!(after.distance_toward < after.distance_nearest);
    assert_eq!(
        after.patch.rgba.len(),
        4 * after.patch.width * after.patch.height
    );
    assert_ne!(
        before.patch.rgba, after.patch.rgba,
        "the decoded window follows the code"
    );
    assert_eq!(
        codes_in_engine(&session, &sent),
        codes,
        "moving does not edit the grid"
    );
}

#[test]
fn a_grid_that_was_not_encoded_has_no_vector_to_move_and_bad_moves_are_refused() {
    let (session, sent) = fashion_with_an_image();
    let refused = answer(&session, &sent, move_toward(1, 1.5));
    assert!(failure(&refused).contains("1.5 is outside"), "{refused:?}");
    let refused = answer(&session, &sent, ToEngine::Inside { row: 7, col: 0 });
    assert!(
        matches!(
            refused,
            FromEngine::Refused {
                request: Request::Inside,
                ..
            }
        ),
        "{refused:?}"
    );
    let codes = codes_in_engine(&session, &sent);
    let used = answer(
        &session,
        &sent,
        ToEngine::UseGrid {
            source: "a sample".into(),
            grid_width: 7,
            grid_height: 7,
            codes,
        },
    );
    assert!(matches!(used, FromEngine::Encoded(_)), "{used:?}");
    let cell = inside(&session, &sent);
    assert!(cell.z_e.is_empty(), "no encoder output for a sample");
    assert_eq!(
        cell.distances[cell.nearest as usize], 0.0,
        "the code's own vector"
    );
    let refused = answer(&session, &sent, move_toward(1, 0.5));
    assert!(
        failure(&refused).contains("not encoded from an image"),
        "{refused:?}"
    );
}
