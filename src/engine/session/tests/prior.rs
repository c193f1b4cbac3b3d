//! The prior through the session: drawing, completion, surprisal, suggestions, the codebook.

use super::*;

#[test]
fn the_prior_draws_completes_and_refuses_bad_controls() {
    let (session, sent) = fashion_with_an_image();
    let sampling = Sampling {
        class: Some(9),
        ..Sampling::default()
    };
    let messages = ask(
        &session,
        &sent,
        ToEngine::Sample {
            id: 4,
            sampling,
            count: 1,
        },
    );
    // The picture before the first cell, those during the drawing (as many as its time
    // allows: `generate::snapshot_due`), each further on, then the last.
    let Some((FromEngine::Drawn(drawn), during)) = messages.split_last() else {
        panic!("{messages:?}");
    };
    let progress: Vec<usize> = during
        .iter()
        .map(|message| match message {
            FromEngine::Drawing(d) if d.id == 4 => d.drawn,
            other => panic!("{}", summary(other)),
        })
        .collect();
    assert_eq!(progress.first(), Some(&0), "{progress:?}");
    assert!(
        progress.windows(2).all(|pair| pair[0] < pair[1]),
        "{progress:?}"
    );
    assert_eq!(
        (drawn.id, drawn.drawn, drawn.total, drawn.grids.len()),
        (4, 49, 49, 1)
    );
    let cold = Sampling {
        temperature: 0.0,
        ..sampling
    };
    let refused = answer(
        &session,
        &sent,
        ToEngine::Sample {
            id: 5,
            sampling: cold,
            count: 1,
        },
    );
    assert!(
        matches!(refused, FromEngine::DrawFailed { id: 5, .. }),
        "{refused:?}"
    );
    let nothing = answer(
        &session,
        &sent,
        ToEngine::Complete {
            id: 6,
            mask: vec![false; 49],
            sampling,
            count: 2,
        },
    );
    assert_eq!(
        failure(&nothing),
        "Nothing is masked: paint over the cells the prior should redraw."
    );
    let mut mask = vec![false; 49];
    mask[10] = true;
    let completed = ask(
        &session,
        &sent,
        ToEngine::Complete {
            id: 8,
            mask,
            sampling,
            count: 2,
        },
    );
    let Some(FromEngine::Drawn(drawn)) = completed.last() else {
        panic!("{completed:?}");
    };
    assert_eq!((drawn.total, drawn.grids.len()), (1, 2));
}

#[test]
fn the_codebook_and_suggestions_answer_for_the_current_grid() {
    let (session, sent) = fashion_with_an_image();
    let FromEngine::Codebook(codebook) = answer(&session, &sent, ToEngine::Codebook) else {
        panic!("no codebook");
    };
    assert_eq!(
        codebook.tiles.len(),
        128 * 4 * codebook.tile * codebook.tile
    );
    assert_eq!(codebook.train_usage.len(), 128);
    let FromEngine::Suggestions {
        row, col, codes, ..
    } = answer(
        &session,
        &sent,
        ToEngine::Suggest {
            row: 3,
            col: 3,
            class: Some(9),
        },
    )
    else {
        panic!("no suggestions");
    };
    assert_eq!((row, col), (3, 3));
    assert!(!codes.is_empty() && codes.len() <= 5);
    assert!(
        codes
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    let outside = answer(
        &session,
        &sent,
        ToEngine::Suggest {
            row: 9,
            col: 0,
            class: None,
        },
    );
    assert_eq!(
        failure(&outside),
        "There is no cell (9, 0) in this 7×7 grid."
    );
}
