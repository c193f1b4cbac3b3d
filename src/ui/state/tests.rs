//! The lab's state natively: messages of the engine, restarts, deferred undo steps.

use super::*;
use crate::protocol::{Drawn, PatchPixels};
use crate::ui::fixtures::{encoding, patch};

#[test]
fn a_restarted_engine_gets_the_model_then_the_grid_and_the_history_stays() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::ModelLoaded(crate::ui::fixtures::model_info()));
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    lab.edits.sent(1, None);
    lab.on_message(FromEngine::Patched {
        id: 1,
        cells: vec![(0, 0, 7)],
        patch: patch(),
        millis: 1.0,
    });
    lab.edits.sent(2, None);
    lab.prior.suggesting = true;
    lab.engine_restarted();
    assert_eq!(
        lab.edits.pending(),
        0,
        "an edit the old engine lost still waits"
    );
    assert!(!lab.prior.suggesting);
    let name = crate::ui::fixtures::model_info().name;
    assert_eq!(
        lab.outbox.drain(..).collect::<Vec<_>>(),
        [ToEngine::LoadModel { name }]
    );
    // Reloading says its progress; the lab keeps showing the loaded model and the image.
    lab.on_message(FromEngine::LoadProgress {
        name: "fashion".into(),
        stage: crate::protocol::LoadStage::Downloading,
        loaded: 0,
        total: None,
    });
    assert!(lab.model.loaded().is_some());
    lab.on_message(FromEngine::ModelLoaded(crate::ui::fixtures::model_info()));
    let image = lab
        .image
        .as_ref()
        .unwrap_or_else(|| panic!("the image was lost"));
    let (w, h) = (image.encoding.grid_width, image.encoding.grid_height);
    let codes = image.codes.clone();
    // The fixture's grid was not encoded from a picture (no nearest codes): no original goes
    // along (an encoded one's does, for the engine to encode again: the e2e session scenario).
    assert!(image.encoding.nearest.is_empty());
    let original = Vec::new();
    assert_eq!(codes[0], 7);
    assert_eq!(
        lab.outbox,
        [ToEngine::Restore {
            grid_width: w,
            grid_height: h,
            codes,
            original,
        }]
    );
    let undone = lab.image.as_mut().and_then(Image::undo);
    assert_eq!(
        undone.map(|cells| cells.len()),
        Some(1),
        "the history was lost"
    );
}

#[test]
fn an_undo_during_a_stroke_waits_for_its_edits_and_page_and_engine_agree() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    let patched = |id: u64, cells: Vec<CellCode>| FromEngine::Patched {
        id,
        cells,
        patch: patch(),
        millis: 1.0,
    };
    // A stroke paints cell (0, 1) twice; undo is pressed while both are on their way.
    lab.edits.sent(1, Some(4));
    lab.edits.sent(2, Some(4));
    assert_eq!(lab.history_step(Step::Undo), None, "undo did not wait");
    lab.on_message(patched(1, vec![(0, 1, 8)]));
    assert!(
        lab.outbox.is_empty(),
        "undo went before the stroke's last edit"
    );
    lab.on_message(patched(2, vec![(0, 1, 9)]));
    // The undo takes the whole stroke back and tells the engine the codes before it.
    assert_eq!(
        lab.outbox.drain(..).collect::<Vec<_>>(),
        [ToEngine::SetCells {
            cells: vec![(0, 1, 8), (0, 1, 2)]
        }]
    );
    assert_eq!(
        lab.image.as_ref().map(|i| i.codes.clone()),
        Some(vec![1, 2, 3, 4])
    );
    // Without edits on their way, a step is taken at once.
    assert!(matches!(
        lab.history_step(Step::Redo),
        Some(ToEngine::SetCells { .. })
    ));
    assert_eq!(lab.image.as_ref().map(|i| i.codes[1]), Some(9));
}

#[test]
fn a_strokes_held_cells_go_to_the_engine_when_its_edit_is_answered() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    let first = lab.edits.request(vec![(0, 0, 7)], Some(3));
    assert_eq!(first.len(), 1);
    assert!(lab.edits.request(vec![(0, 1, 7)], Some(3)).is_empty());
    assert!(lab.edits.request(vec![(1, 1, 7)], Some(3)).is_empty());
    assert_eq!(lab.history_step(Step::Undo), None, "undo did not wait");
    lab.on_message(FromEngine::Patched {
        id: 1,
        cells: vec![(0, 0, 7)],
        patch: patch(),
        millis: 1.0,
    });
    assert_eq!(
        lab.outbox.drain(..).collect::<Vec<_>>(),
        [ToEngine::Edit {
            id: 2,
            cells: vec![(0, 1, 7), (1, 1, 7)]
        }],
        "the held cells, one edit, before the undo"
    );
    lab.on_message(FromEngine::Patched {
        id: 2,
        cells: vec![(0, 1, 7), (1, 1, 7)],
        patch: patch(),
        millis: 1.0,
    });
    assert!(
        matches!(lab.outbox.as_slice(), [ToEngine::SetCells { cells }] if cells.len() == 3),
        "the undo takes the whole stroke back: {:?}",
        lab.outbox
    );
}

#[test]
fn superseded_speculative_work_waits_no_more_and_says_nothing() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    lab.prior.suggesting = true;
    lab.prior.measuring_surprisal = true;
    for request in [Request::Suggest, Request::Surprisal] {
        let superseded = FromEngine::Superseded { request };
        assert!(LabState::handles(&superseded));
        lab.on_message(superseded);
    }
    assert!(!lab.prior.suggesting && !lab.prior.measuring_surprisal);
    assert_eq!(lab.prior.suggestions_error, None);
    assert_eq!(lab.prior.surprisal_error, None);
}

#[test]
fn a_refused_request_is_a_sentence_where_it_was_asked_and_the_lab_stays() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    lab.prior.suggesting = true;
    lab.prior.measuring_surprisal = true;
    for (request, sentence) in [
        (Request::Suggest, "no suggestions"),
        (Request::Surprisal, "no surprisal"),
        (Request::Codebook, "no codebook"),
        (Request::SetCells, "no undo"),
    ] {
        let refused = FromEngine::Refused {
            request,
            message: sentence.to_owned(),
        };
        assert!(LabState::handles(&refused), "{request:?}");
        lab.on_message(refused);
    }
    assert!(
        !lab.prior.suggesting && !lab.prior.measuring_surprisal,
        "still busy"
    );
    assert_eq!(
        lab.prior.suggestions_error.as_deref(),
        Some("no suggestions")
    );
    assert_eq!(lab.prior.surprisal_error.as_deref(), Some("no surprisal"));
    assert_eq!(lab.model.codebook_error.as_deref(), Some("no codebook"));
    assert_eq!(lab.edits.error.as_deref(), Some("no undo"));
    assert!(lab.image.is_some(), "the image was lost");
    // The engine's start is not the lab's: the page shows it as the engine's state.
    assert!(!LabState::handles(&FromEngine::Refused {
        request: Request::Init,
        message: String::new(),
    }));
}

#[test]
fn a_brush_stroke_is_undone_and_redone_as_one_edit() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    let original = lab.image.as_ref().map(|i| i.reconstruction.clone());
    let patched = |id: u64, cells: Vec<CellCode>, value: u8| FromEngine::Patched {
        id,
        cells,
        patch: PatchPixels {
            rgba: vec![value; 4 * 4 * 5],
            ..patch()
        },
        millis: 1.0,
    };
    // A single edit, then a stroke of two edits (5 then 6 on cell (0, 1)).
    lab.edits.sent(1, None);
    lab.edits.sent(2, Some(9));
    lab.edits.sent(3, Some(9));
    assert_eq!(lab.edits.pending(), 3);
    lab.on_message(patched(1, vec![(0, 0, 7)], 10));
    lab.on_message(patched(2, vec![(0, 1, 5), (1, 1, 5)], 20));
    lab.on_message(patched(3, vec![(0, 1, 6)], 30));
    assert_eq!(lab.edits.pending(), 0);
    let image = lab.image.as_mut().unwrap_or_else(|| panic!("no image"));
    assert_eq!(image.codes, vec![7, 6, 3, 5]);
    assert_eq!(
        image.undo(),
        Some(vec![(0, 1, 5), (0, 1, 2), (1, 1, 4)]),
        "the stroke's edits, last first"
    );
    assert_eq!(image.codes, vec![7, 2, 3, 4]);
    assert_eq!(
        image.crop(2, 3, 4, 5),
        vec![10; 80],
        "the single edit's pixels"
    );
    assert_eq!(image.redo(), Some(vec![(0, 1, 5), (1, 1, 5), (0, 1, 6)]));
    assert_eq!(image.codes, vec![7, 6, 3, 5]);
    assert_eq!(image.crop(2, 3, 4, 5), vec![30; 80]);
    assert_eq!(image.undo().map(|c| c.len()), Some(3));
    assert_eq!(image.undo(), Some(vec![(0, 0, 1)]));
    assert_eq!(Some(image.reconstruction.clone()), original);
    assert_eq!(image.undo(), None);
}

#[test]
fn a_bad_file_keeps_the_last_image_and_says_why() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    lab.on_message(FromEngine::EncodeFailed {
        source: "notes.png".to_owned(),
        message: "This file is not an image we can read.".to_owned(),
    });
    assert!(lab.image.is_some());
    assert_eq!(
        lab.upload_error.as_deref(),
        Some("notes.png: This file is not an image we can read.")
    );
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    assert_eq!(lab.upload_error, None);
}

fn drawn(id: u64, drawn: usize, grids: Vec<Vec<u32>>, value: u8) -> Drawn {
    let pictures = grids
        .iter()
        .map(|_| serde_bytes::ByteBuf::from(vec![value; 8 * 8 * 4]))
        .collect();
    Drawn {
        id,
        drawn,
        total: 2,
        last_cell: drawn.checked_sub(1),
        grid_width: 2,
        grid_height: 2,
        grids,
        width: 8,
        height: 8,
        pictures,
        millis: 1.0,
    }
}

#[test]
fn a_completion_candidate_is_one_edit_that_undo_takes_back() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    let original = lab.image.as_ref().map(|i| i.reconstruction.clone());
    assert_eq!(lab.mask_press((1, 0), false), Some(true));
    assert_eq!(
        lab.mask_press((1, 1), true),
        None,
        "Shift masks the rectangle"
    );
    assert!(lab.is_masked((1, 1)) && lab.is_masked((1, 0)) && !lab.is_masked((0, 1)));
    assert_eq!(lab.mask_press((0, 0), false), Some(true));
    assert_eq!(
        lab.mask_press((0, 0), false),
        Some(false),
        "a second press unmasks"
    );
    lab.prior.start_drawing(7, DrawPurpose::Complete);
    // A stale drawing's snapshot is ignored; this one's are kept in order.
    lab.on_message(FromEngine::Drawing(drawn(6, 0, vec![vec![0; 4]], 1)));
    lab.on_message(FromEngine::Drawing(drawn(
        7,
        0,
        vec![vec![1, 2, 3, 4]; 2],
        1,
    )));
    assert!(lab.is_drawing());
    assert_eq!(lab.use_candidate(1), None, "not done yet");
    lab.on_message(FromEngine::Drawn(drawn(
        7,
        2,
        vec![vec![1, 2, 9, 4], vec![1, 2, 8, 6]],
        200,
    )));
    assert!(!lab.is_drawing());
    assert_eq!(
        lab.prior.drawing.as_ref().map(|d| d.snapshots.len()),
        Some(2)
    );
    assert_eq!(lab.timings.as_slice(), [("encode", 1.0), ("complete", 1.0)]);
    let cells = lab.use_candidate(1);
    assert_eq!(cells, Some(vec![(1, 0, 8), (1, 1, 6)]));
    assert!(lab.prior.mask.flags().is_empty() && lab.prior.drawing.is_none());
    let image = lab.image.as_mut().unwrap_or_else(|| panic!("no image"));
    assert_eq!(image.codes, vec![1, 2, 8, 6]);
    assert_eq!(image.reconstruction, vec![200; 256]);
    assert_eq!(image.undo(), Some(vec![(1, 0, 3), (1, 1, 4)]));
    assert_eq!(Some(image.reconstruction.clone()), original);
    assert_eq!(image.codes, vec![1, 2, 3, 4]);
}

#[test]
fn surprisal_counts_only_for_the_codes_it_was_computed_for() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    lab.prior.measuring_surprisal = true;
    lab.on_message(FromEngine::Surprisal {
        codes: vec![1, 2, 3, 4],
        bits: vec![1.0, 2.0, 3.0, 0.5],
        millis: 1.0,
    });
    assert_eq!(lab.current_surprisal().map(Surprisal::total), Some(6.5));
    assert!(
        !lab.prior.measuring_surprisal,
        "the answer lets the page ask again"
    );
    assert_eq!(
        lab.timings.as_slice(),
        [("encode", 1.0), ("surprisal", 1.0)]
    );
    lab.on_message(FromEngine::Patched {
        id: 0,
        cells: vec![(0, 0, 9)],
        patch: patch(),
        millis: 1.0,
    });
    assert_eq!(lab.current_surprisal(), None);
    lab.on_message(FromEngine::DrawFailed {
        id: 3,
        message: "There is no class 12.".to_owned(),
    });
    assert_eq!(
        lab.prior.draw_error.as_deref(),
        Some("There is no class 12.")
    );
}

#[test]
fn choosing_another_model_forgets_the_image_but_keeps_the_catalogue() {
    let mut lab = LabState::default();
    let json =
        br#"{"models": [{"name": "photo", "title": "t", "examples_note": "", "examples": []}]}"#;
    let catalogue =
        crate::protocol::Catalogue::from_json(json).unwrap_or_else(|err| panic!("{err}"));
    lab.model.catalogue = catalogue.clone();
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    lab.selected = Some((1, 1));
    lab.set_masked((0, 0), true);
    lab.loading("photo");
    assert!(lab.model.is_loading());
    assert_eq!(lab.model.catalogue, catalogue);
    assert_eq!((lab.image.is_none(), lab.selected), (true, None));
    assert_eq!(lab.prior.mask.count(), 0);
    lab.set_masked((0, 0), true);
    assert_eq!(lab.prior.mask.count(), 0, "no grid, nothing to mask");
}

/// The engine's line about a large upload shows while that file is the one being encoded,
/// and goes with its answer; a line about an earlier file is not shown for a later one.
#[test]
fn the_line_about_a_large_upload_shows_while_it_is_encoded() {
    let mut lab = LabState::default();
    lab.on_message(FromEngine::ModelLoaded(crate::ui::fixtures::model_info()));
    lab.encoding = Some("big.jpg".into());
    let line = "Decoding a large image (8000×6000, 48 megapixels) at 1024×768…";
    lab.on_message(FromEngine::Preparing {
        source: "big.jpg".into(),
        line: line.into(),
    });
    assert_eq!(lab.preparing_line(), Some(line));
    lab.encoding = Some("other.png".into());
    assert_eq!(
        lab.preparing_line(),
        None,
        "the line was about another file"
    );
    lab.encoding = Some("big.jpg".into());
    lab.on_message(FromEngine::EncodeFailed {
        source: "big.jpg".into(),
        message: "This image is damaged".into(),
    });
    assert_eq!(lab.preparing_line(), None);
    lab.encoding = Some("big.jpg".into());
    lab.on_message(FromEngine::Preparing {
        source: "big.jpg".into(),
        line: line.into(),
    });
    lab.on_message(FromEngine::Encoded(Box::new(encoding())));
    assert_eq!(
        (lab.encoding.as_deref(), lab.preparing_line()),
        (None, None)
    );
}
