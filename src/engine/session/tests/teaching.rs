//! The loss terms and the codebook's map of the current image, on the shipped fashion model.

use super::*;
use crate::engine::lab;
use crate::protocol::{CodebookMap, LossReport};

fn losses(session: &Session<Folder>, sent: &RefCell<Vec<FromEngine>>) -> Option<LossReport> {
    match answer(session, sent, ToEngine::Losses) {
        FromEngine::Losses(report) => report,
        other => panic!("{other:?}"),
    }
}

fn map(session: &Session<Folder>, sent: &RefCell<Vec<FromEngine>>) -> CodebookMap {
    match answer(session, sent, ToEngine::Map) {
        FromEngine::Map(map) => map,
        other => panic!("{other:?}"),
    }
}

/// Sets one cell, as the page's edit 1; asserts that the engine patched it.
fn edit(session: &Session<Folder>, sent: &RefCell<Vec<FromEngine>>, cell: (usize, usize, u32)) {
    let patched = answer(
        session,
        sent,
        ToEngine::Edit {
            id: 1,
            cells: vec![cell],
        },
    );
    assert!(matches!(patched, FromEngine::Patched { .. }), "{patched:?}");
}

fn close(name: &str, engine: f64, reference: f64) {
    assert!(
        (engine - reference).abs() <= 1e-5 * reference.abs().max(1e-9),
        "{name}: engine {engine} vs {reference}"
    );
}

/// The page's loss terms of the ankle boot are the trainer's (`VqVae::losses`) on the same
/// image; an edit raises the quantisation terms and changes the reconstruction term to that of
/// a full decode of the edited grid; undoing it (codes set, no decode) brings them back.
#[test]
fn the_loss_terms_are_the_trainers_and_follow_edits_and_undo() {
    let (session, sent) = fashion_with_an_image();
    let model = session.model().expect("model");
    let device = session.device().expect("device");
    let prepared = lab::prepare(ANKLE_BOOT, &model.config, Invert::Auto, DEFAULT_PHOTO_SIZE)
        .expect("prepared");
    let x = vq_model::image::tensor_from_rgba(
        &prepared.rgba,
        (prepared.width, prepared.height),
        1,
        &device,
    );
    let pass = model.vqvae.forward(x.clone());
    let trainer = model.vqvae.losses(x.clone(), &pass);
    let value = |t: burn::Tensor<1>| f64::from(block_on(vq_model::read_f32(t)).expect("read")[0]);

    let report = losses(&session, &sent).expect("an encoded image has loss terms");
    assert_eq!((report.cells, report.changed_cells), (49, 0));
    assert_eq!(report.now, report.encoded, "before any edit");
    close(
        "reconstruction",
        report.now.reconstruction,
        value(trainer.reconstruction),
    );
    close("codebook", report.now.codebook, value(trainer.codebook));
    close(
        "commitment",
        report.now.commitment,
        value(trainer.commitment),
    );
    assert_eq!(report.beta, 0.25);

    // An edit of cell (3, 3) to another code.
    let codes = codes_in_engine(&session, &sent);
    let other = (codes[3 * 7 + 3] + 64) % 128;
    edit(&session, &sent, (3, 3, other));
    let edited = losses(&session, &sent).expect("terms");
    assert_eq!(edited.changed_cells, 1);
    assert_eq!(edited.encoded, report.encoded, "as encoded: unchanged");
    assert!(edited.now.codebook > report.now.codebook, "{edited:?}");
    let mut grid = codes.clone();
    grid[3 * 7 + 3] = other;
    let full = model.vqvae.decode(vq_model::sampler::Grid::to_tensor(
        &[vq_model::sampler::Grid {
            height: 7,
            width: 7,
            codes: grid,
        }],
        &device,
    ));
    let full_error = value((full - x).square().mean());
    close(
        "reconstruction after the edit",
        edited.now.reconstruction,
        full_error,
    );

    // Undo: the codes are set without a decode; the terms come back.
    let undone = ask(
        &session,
        &sent,
        ToEngine::SetCells {
            cells: vec![(3, 3, codes[3 * 7 + 3])],
        },
    );
    assert!(undone.is_empty(), "{undone:?}");
    let back = losses(&session, &sent).expect("terms");
    assert_eq!(back.changed_cells, 0);
    close(
        "reconstruction after undo",
        back.now.reconstruction,
        report.now.reconstruction,
    );
    close(
        "codebook after undo",
        back.now.codebook,
        report.now.codebook,
    );
}

/// The map has a point for every code and every cell; a cell's point is nearest its own code's
/// among the codes when the two axes show most of the codebook; a sample has no cells on it
/// and no loss terms.
#[test]
fn the_map_places_every_code_and_cell_and_a_sample_has_no_cells() {
    let (session, sent) = fashion_with_an_image();
    let map = map(&session, &sent);
    assert_eq!(map.codes.len(), 2 * 128);
    assert_eq!(map.cells.len(), 2 * 49);
    assert_eq!(map.vectors.len(), 128 * map.dim);
    assert_eq!(map.dim, 16);
    let [first, second] = map.explained;
    assert!(
        first >= second && second > 0.0 && first + second <= 1.0 + 1e-9,
        "{first} {second}"
    );
    assert!(map.codes.iter().chain(&map.cells).all(|v| v.is_finite()));
    // The same codebook, the same map.
    assert_eq!(self::map(&session, &sent).codes, map.codes);

    let drawn = answer(
        &session,
        &sent,
        ToEngine::UseGrid {
            source: "a sample".into(),
            grid_width: 7,
            grid_height: 7,
            codes: vec![5; 49],
        },
    );
    assert!(matches!(drawn, FromEngine::Encoded(_)), "{drawn:?}");
    assert!(self::map(&session, &sent).cells.is_empty());
    assert_eq!(losses(&session, &sent), None);
}

/// What a code means: patches of the examples and the 256 held-out test images whose cells
/// have the code, nearest first; the ankle boot's own code is among them; a code outside the
/// codebook is refused with a sentence.
#[test]
fn a_codes_patches_come_from_the_examples_and_the_held_out_sample_nearest_first() {
    let (session, sent) = fashion_with_an_image();
    let code = codes_in_engine(&session, &sent)[3 * 7 + 3];
    let patches = match answer(&session, &sent, ToEngine::CodePatches { code }) {
        FromEngine::CodePatches(patches) => patches,
        other => panic!("{other:?}"),
    };
    assert_eq!(patches.code, code);
    assert_eq!(
        patches.pictures,
        4 + 256,
        "the 4 examples and the 256 test images"
    );
    assert_eq!(patches.cells, 260 * 49);
    assert!(patches.count >= 1, "the ankle boot's cell has it");
    let shown = patches.distances.len();
    assert_eq!(shown, patches.count.min(12));
    assert_eq!(patches.sources.len(), shown);
    assert_eq!(patches.side, 12, "the cell and one cell around it");
    assert_eq!(patches.rgba.len(), shown * 4 * 12 * 12);
    assert!(
        patches.distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first"
    );
    assert!(
        patches.note.contains("Fashion-MNIST test set"),
        "{}",
        patches.note
    );
    assert_eq!(patches.places.len(), shown);

    // Each patch's cell quantises to the code: its picture encoded again, on its own.
    let model = session.model().expect("model");
    let device = session.device().expect("device");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples");
    let sheet = vq_model::image::decode_upload(
        &std::fs::read(examples.join("fashion-test-sample.png")).expect("the sample"),
    )
    .expect("the sample decodes");
    for (source, &(row, col)) in patches.sources.iter().zip(&patches.places) {
        let rgba: Vec<u8> = match source.strip_prefix("test image ") {
            Some(index) => {
                let index: u32 = index.parse().expect("an index");
                let (top, left) = (28 * (index / 16), 28 * (index % 16));
                (top..top + 28)
                    .flat_map(|y| (left..left + 28).map(move |x| (y, x)))
                    .flat_map(|(y, x)| sheet.get_pixel(x, y).0)
                    .collect()
            }
            None => {
                let file = format!("{}.png", source.to_lowercase().replace(' ', "-"));
                let bytes = std::fs::read(examples.join(&file)).expect("an example");
                lab::prepare(&bytes, &model.config, Invert::Auto, DEFAULT_PHOTO_SIZE)
                    .expect("prepared")
                    .rgba
            }
        };
        let (codes, _) = block_on(lab::encode_cells(
            &model,
            &[rgba.as_slice()],
            (28, 28),
            &device,
        ))
        .expect("encoded");
        assert_eq!(codes[0][row * 7 + col], code, "{source} at ({row}, {col})");
    }

    let refused = answer(&session, &sent, ToEngine::CodePatches { code: 128 });
    assert!(
        matches!(
            refused,
            FromEngine::Refused {
                request: Request::CodePatches,
                ..
            }
        ),
        "{refused:?}"
    );
}

/// Every picture the shipped catalogue names is on the site: each model's examples, and its
/// held-out sample, whole tiles of the model's input size.
#[test]
fn the_shipped_catalogue_names_pictures_the_site_has() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = crate::protocol::Catalogue::from_json(
        &std::fs::read(root.join("assets/models/catalogue.json")).expect("the catalogue"),
    )
    .expect("it reads");
    let examples = root.join("www/examples");
    for model in &catalogue.models {
        for example in &model.examples {
            assert!(examples.join(&example.file).is_file(), "{}", example.file);
        }
        let sample = model
            .held_out
            .as_ref()
            .expect("each model has a held-out sample");
        let sheet = vq_model::image::decode_upload(
            &std::fs::read(examples.join(&sample.file)).expect("the sample"),
        )
        .expect("it decodes");
        let (width, height) = (sheet.width() as usize, sheet.height() as usize);
        assert!(
            sample.tile > 0 && width % sample.tile == 0 && height % sample.tile == 0,
            "{}: {width}×{height} in tiles of {}",
            sample.file,
            sample.tile
        );
        assert!(sample.tile % 4 == 0, "a tile is whole cells");
    }
}

/// A grid restored with the picture it was encoded from (after a reload or a restart) has its
/// inside and its loss terms back, equal to those of the session that encoded and edited it.
#[test]
fn a_restored_picture_has_its_inside_and_loss_terms_back() {
    let (session, sent) = fashion_with_an_image();
    let codes = codes_in_engine(&session, &sent);
    let edited = (codes[3 * 7 + 3] + 64) % 128;
    edit(&session, &sent, (3, 3, edited));
    let before = losses(&session, &sent).expect("terms");
    let model = session.model().expect("model");
    let original = lab::prepare(ANKLE_BOOT, &model.config, Invert::Auto, DEFAULT_PHOTO_SIZE)
        .expect("prepared")
        .rgba;
    let mut grid = codes.clone();
    grid[3 * 7 + 3] = edited;

    // A new engine, as after a reload: the model, then the grid with its picture.
    let (fresh, fresh_sent) = session_on(Folder::shipped());
    answer(&fresh, &fresh_sent, init_cpu());
    ask(
        &fresh,
        &fresh_sent,
        ToEngine::LoadModel {
            name: "fashion".into(),
        },
    );
    let restore = |original: Vec<u8>| ToEngine::Restore {
        grid_width: 7,
        grid_height: 7,
        codes: grid.clone(),
        original,
    };
    assert!(ask(&fresh, &fresh_sent, restore(Vec::new())).is_empty());
    assert_eq!(
        losses(&fresh, &fresh_sent),
        None,
        "without its picture, no terms"
    );
    assert!(
        ask(&fresh, &fresh_sent, restore(original)).is_empty(),
        "restore answers nothing"
    );
    let after = losses(&fresh, &fresh_sent).expect("with its picture, the terms");
    assert_eq!(after.changed_cells, 1);
    for (name, a, b) in [
        (
            "reconstruction",
            after.now.reconstruction,
            before.now.reconstruction,
        ),
        ("codebook", after.now.codebook, before.now.codebook),
        (
            "as encoded",
            after.encoded.reconstruction,
            before.encoded.reconstruction,
        ),
    ] {
        close(name, a, b);
    }
    match answer(&fresh, &fresh_sent, ToEngine::Inside { row: 3, col: 3 }) {
        FromEngine::Inside(inside) => {
            assert_eq!(inside.z_e.len(), 16, "z_e is back");
            assert_eq!(
                inside.nearest,
                codes[3 * 7 + 3],
                "the encoder's code, not the edit"
            );
        }
        other => panic!("{other:?}"),
    }
}
