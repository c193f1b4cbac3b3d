//! The session natively, on the shipped fashion model: what each request answers, how
//! requests are checked, and in which order they see the grid. Here: the start, loading and
//! the lab; [`prior`]: drawing, completion, surprisal, suggestions, the codebook;
//! [`robust`]: missing files, stalled downloads, a restart's restore, the crash hook, stopping
//! a drawing.

mod downsample;
mod inside;
mod prior;
mod robust;
mod teaching;
mod trained;

use std::cell::RefCell;
use std::rc::Rc;

use futures_lite::future::block_on;

use super::Session;
use crate::engine::source::Folder;
use crate::protocol::{
    BackendPreference, DEFAULT_PHOTO_SIZE, FromEngine, Invert, LoadStage, Request, Sampling,
    ToEngine,
};

const ANKLE_BOOT: &[u8] = include_bytes!("../../../../www/examples/ankle-boot.png");

/// A session on `source` and the messages it posted.
fn session_on(source: Folder) -> (Session<Folder>, Rc<RefCell<Vec<FromEngine>>>) {
    let sent = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&sent);
    (
        Session::new(source, move |message| sink.borrow_mut().push(message)),
        sent,
    )
}

/// Handles `request` and returns what it posted.
fn ask(
    session: &Session<Folder>,
    sent: &RefCell<Vec<FromEngine>>,
    request: ToEngine,
) -> Vec<FromEngine> {
    block_on(session.handle(request));
    sent.take()
}

/// The one answer of `request` (panics when it posted more or none).
fn answer(
    session: &Session<Folder>,
    sent: &RefCell<Vec<FromEngine>>,
    request: ToEngine,
) -> FromEngine {
    let mut answers = ask(session, sent, request);
    assert_eq!(answers.len(), 1, "{answers:?}");
    answers.remove(0)
}

/// A session that has started on the CPU, loaded `fashion` and encoded the ankle boot.
fn fashion_with_an_image() -> (Session<Folder>, Rc<RefCell<Vec<FromEngine>>>) {
    let (session, sent) = fashion_started_with(init_cpu());
    let encoded = answer(&session, &sent, encode_ankle_boot());
    assert!(matches!(encoded, FromEngine::Encoded(_)), "{encoded:?}");
    (session, sent)
}

/// A session started with `init` (the engine's choices) and the `fashion` model loaded.
fn fashion_started_with(init: ToEngine) -> (Session<Folder>, Rc<RefCell<Vec<FromEngine>>>) {
    let (session, sent) = session_on(Folder::shipped());
    assert!(matches!(
        answer(&session, &sent, init),
        FromEngine::Ready(_)
    ));
    let load = ToEngine::LoadModel {
        name: "fashion".into(),
    };
    assert!(matches!(
        ask(&session, &sent, load).last(),
        Some(FromEngine::ModelLoaded(_))
    ));
    (session, sent)
}

/// Start on the CPU, without test hooks.
fn init_cpu() -> ToEngine {
    ToEngine::Init {
        preference: BackendPreference::Cpu,
        test_hooks: false,
        burn_autoencoder: false,
        whole_decode: false,
    }
}

fn encode_ankle_boot() -> ToEngine {
    ToEngine::Encode {
        bytes: ANKLE_BOOT.to_vec(),
        source: "ankle-boot.png".into(),
        invert: Invert::Auto,
        long_side: DEFAULT_PHOTO_SIZE,
    }
}

/// The grid as the engine holds it, read through a surprisal request.
fn codes_in_engine(session: &Session<Folder>, sent: &RefCell<Vec<FromEngine>>) -> Vec<u32> {
    match answer(session, sent, ToEngine::Surprisal { class: None }) {
        FromEngine::Surprisal { codes, bits, .. } => {
            assert_eq!(bits.len(), codes.len());
            codes
        }
        other => panic!("{other:?}"),
    }
}

/// A message in one line, without its pixels.
fn summary(message: &FromEngine) -> String {
    match message {
        FromEngine::Drawing(d) | FromEngine::Drawn(d) => {
            format!("drawing {} at {} of {} cells", d.id, d.drawn, d.total)
        }
        other => format!("{:.200}", format!("{other:?}")),
    }
}

fn failure(message: &FromEngine) -> &str {
    match message {
        FromEngine::Refused { message, .. }
        | FromEngine::ModelFailed { message, .. }
        | FromEngine::EncodeFailed { message, .. }
        | FromEngine::EditFailed { message, .. }
        | FromEngine::DrawFailed { message, .. } => message,
        other => panic!("not a failure: {other:?}"),
    }
}

#[test]
fn init_reports_the_cpu_and_the_catalogue() {
    let (session, sent) = session_on(Folder::shipped());
    let FromEngine::Ready(report) = answer(&session, &sent, init_cpu()) else {
        panic!("no report");
    };
    assert_eq!(report.backend, crate::protocol::Backend::Cpu);
    let names: Vec<&str> = report
        .catalogue
        .models
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["fashion", "photo"]);
    assert!(
        report
            .catalogue
            .models
            .iter()
            .all(|m| !m.examples.is_empty())
    );
}

#[test]
fn a_model_loads_with_progress_in_order_and_says_its_geometry() {
    let (session, sent) = session_on(Folder::shipped());
    answer(&session, &sent, init_cpu());
    let messages = ask(
        &session,
        &sent,
        ToEngine::LoadModel {
            name: "fashion".into(),
        },
    );
    let stages: Vec<LoadStage> = messages
        .iter()
        .filter_map(|m| match m {
            FromEngine::LoadProgress { stage, .. } => Some(*stage),
            _ => None,
        })
        .collect();
    let mut distinct = stages.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        [
            LoadStage::Downloading,
            LoadStage::Verifying,
            LoadStage::Initialising,
            LoadStage::WarmingUp
        ]
    );
    let Some(FromEngine::ModelLoaded(info)) = messages.last() else {
        panic!("{messages:?}");
    };
    assert_eq!(
        (info.codebook_size, info.cell_size, info.max_grid_side),
        (128, 4, 7)
    );
    assert_eq!(info.class_names.len(), 10);
}

#[test]
fn requests_out_of_turn_are_refused_with_sentences() {
    let (session, sent) = session_on(Folder::shipped());
    let early = answer(
        &session,
        &sent,
        ToEngine::LoadModel {
            name: "fashion".into(),
        },
    );
    assert!(
        failure(&early).contains("has not chosen its device"),
        "{early:?}"
    );
    answer(&session, &sent, init_cpu());
    let no_model = answer(&session, &sent, encode_ankle_boot());
    assert_eq!(
        failure(&no_model),
        "No model is loaded yet; choose one first."
    );
    for name in ["cifar", "../fashion", ""] {
        let unknown = answer(&session, &sent, ToEngine::LoadModel { name: name.into() });
        assert_eq!(
            failure(&unknown),
            format!("There is no model called “{name}”; choose fashion or photo.")
        );
    }
    ask(
        &session,
        &sent,
        ToEngine::LoadModel {
            name: "fashion".into(),
        },
    );
    let no_grid = answer(&session, &sent, ToEngine::Surprisal { class: None });
    assert!(
        failure(&no_grid).starts_with("There is no grid yet"),
        "{no_grid:?}"
    );
    let not_an_image = answer(
        &session,
        &sent,
        ToEngine::Encode {
            bytes: b"GIF89a but not really".to_vec(),
            source: "x.gif".into(),
            invert: Invert::Auto,
            long_side: DEFAULT_PHOTO_SIZE,
        },
    );
    assert!(
        failure(&not_an_image).starts_with("This image"),
        "{not_an_image:?}"
    );
}

#[test]
fn an_edit_patches_pixels_and_later_requests_see_it() {
    let (session, sent) = fashion_with_an_image();
    let before = codes_in_engine(&session, &sent);
    let code = (before[8] + 1) % 128;
    let FromEngine::Patched {
        id, patch, cells, ..
    } = answer(
        &session,
        &sent,
        ToEngine::Edit {
            id: 7,
            cells: vec![(1, 1, code)],
        },
    )
    else {
        panic!("no patch");
    };
    assert_eq!((id, cells), (7, vec![(1, 1, code)]));
    assert_eq!(patch.rgba.len(), 4 * patch.width * patch.height);
    assert!(patch.width > 4 && patch.width <= 28, "{patch:?}");
    let after = codes_in_engine(&session, &sent);
    assert_eq!(after[8], code);
    assert_eq!(after.iter().zip(&before).filter(|(a, b)| a != b).count(), 1);
}

#[test]
fn bad_cells_and_codes_are_refused_and_change_nothing() {
    let (session, sent) = fashion_with_an_image();
    let before = codes_in_engine(&session, &sent);
    let bad_code = answer(
        &session,
        &sent,
        ToEngine::Edit {
            id: 1,
            cells: vec![(0, 0, 3), (0, 1, 128)],
        },
    );
    assert_eq!(
        failure(&bad_code),
        "Code 128 does not exist; codes run from 0 to 127."
    );
    let bad_cell = answer(
        &session,
        &sent,
        ToEngine::Edit {
            id: 2,
            cells: vec![(7, 0, 3)],
        },
    );
    assert_eq!(
        failure(&bad_cell),
        "There is no cell (7, 0) in this 7×7 grid."
    );
    let empty = answer(
        &session,
        &sent,
        ToEngine::Edit {
            id: 3,
            cells: vec![],
        },
    );
    assert_eq!(failure(&empty), "An edit needs at least one cell.");
    let bad_set = answer(
        &session,
        &sent,
        ToEngine::SetCells {
            cells: vec![(0, 0, 5), (0, 0, 999)],
        },
    );
    assert!(failure(&bad_set).starts_with("Code 999"), "{bad_set:?}");
    assert!(matches!(
        bad_set,
        FromEngine::Refused {
            request: Request::SetCells,
            ..
        }
    ));
    assert_eq!(
        codes_in_engine(&session, &sent),
        before,
        "a refused request changed the grid"
    );
    // A good SetCells answers nothing and changes the grid.
    assert!(
        ask(
            &session,
            &sent,
            ToEngine::SetCells {
                cells: vec![(6, 6, 5)]
            }
        )
        .is_empty()
    );
    assert_eq!(codes_in_engine(&session, &sent)[48], 5);
}

#[test]
fn grids_from_links_and_files_are_checked_against_the_model() {
    let (session, sent) = fashion_with_an_image();
    let use_grid = |w: usize, h: usize, codes: Vec<u32>| ToEngine::UseGrid {
        source: "link".into(),
        grid_width: w,
        grid_height: h,
        codes,
    };
    // 2147483649 × 2 wraps to 2 in 32-bit arithmetic.
    let overflow = answer(&session, &sent, use_grid(2_147_483_649, 2, vec![0, 0]));
    assert!(
        failure(&overflow).starts_with("A 2147483649×2 grid needs"),
        "{overflow:?}"
    );
    let huge = answer(&session, &sent, use_grid(usize::MAX, 2, vec![0, 0]));
    assert!(failure(&huge).contains("impossible"), "{huge:?}");
    let too_large = answer(&session, &sent, use_grid(8, 8, vec![0; 64]));
    assert!(
        failure(&too_large).contains("(7×7 at most)"),
        "{too_large:?}"
    );
    let bad_code = answer(&session, &sent, use_grid(7, 7, vec![200; 49]));
    assert!(failure(&bad_code).starts_with("Code 200"), "{bad_code:?}");
    let FromEngine::Encoded(encoding) = answer(&session, &sent, use_grid(7, 7, vec![9; 49])) else {
        panic!("a good grid was refused");
    };
    assert_eq!(
        (encoding.width, encoding.height, encoding.codes.len()),
        (28, 28, 49)
    );
    assert_eq!(codes_in_engine(&session, &sent), vec![9; 49]);
}

/// On the CPU backend the host kernels give the encoding and the edits burn's layers give
/// (`?autoencoder=burn`): the same codes, pixels within one grey level.
#[test]
fn the_host_autoencoder_encodes_and_edits_as_burns_layers_do() {
    let run = |burn_autoencoder: bool| {
        let (session, sent) = fashion_started_with(ToEngine::Init {
            preference: BackendPreference::Cpu,
            test_hooks: false,
            burn_autoencoder,
            whole_decode: false,
        });
        let FromEngine::Encoded(encoding) = answer(&session, &sent, encode_ankle_boot()) else {
            panic!("not encoded");
        };
        let edit = ToEngine::Edit {
            id: 1,
            cells: vec![(3, 2, 17), (4, 4, 90)],
        };
        let FromEngine::Patched { patch, .. } = answer(&session, &sent, edit) else {
            panic!("no patch");
        };
        (encoding, patch)
    };
    let (host, host_patch) = run(false);
    let (burn, burn_patch) = run(true);
    assert_eq!(host.codes, burn.codes);
    assert_eq!(host.nearest, burn.nearest);
    let levels = |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max();
    assert_eq!(host.reconstruction.len(), burn.reconstruction.len());
    assert!(levels(&host.reconstruction, &burn.reconstruction) <= Some(1));
    assert_eq!(
        (
            host_patch.top,
            host_patch.left,
            host_patch.width,
            host_patch.height
        ),
        (
            burn_patch.top,
            burn_patch.left,
            burn_patch.width,
            burn_patch.height
        )
    );
    assert!(levels(&host_patch.rgba, &burn_patch.rgba) <= Some(1));
}

/// A large upload gets a line while it is decoded smaller, then its encoding, which names the
/// file's own size; with `whole_decode` (`?decoder=whole`) it is decoded whole, without a line,
/// to nearly the same codes.
#[test]
fn a_large_upload_is_announced_then_encoded() {
    let image = image::RgbaImage::from_fn(2100, 300, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap_or_else(|err| panic!("{err}"));
    let encode = |whole_decode: bool| {
        let (session, sent) = fashion_started_with(ToEngine::Init {
            preference: BackendPreference::Cpu,
            test_hooks: false,
            burn_autoencoder: false,
            whole_decode,
        });
        let request = ToEngine::Encode {
            bytes: png.clone(),
            source: "wide.png".into(),
            invert: Invert::Auto,
            long_side: DEFAULT_PHOTO_SIZE,
        };
        ask(&session, &sent, request)
    };
    let answers = encode(false);
    let summaries: Vec<String> = answers.iter().map(summary).collect();
    let [
        FromEngine::Preparing { source, line },
        FromEngine::Preparing { line: decoded, .. },
        FromEngine::Encoded(scaled),
    ] = answers.as_slice()
    else {
        panic!("{summaries:?}");
    };
    assert!(decoded.starts_with("Decoded at 1024×146 in "), "{decoded}");
    assert_eq!(source, "wide.png");
    assert!(line.contains("2100×300"), "{line}");
    assert_eq!(scaled.source_size, (2100, 300));
    assert_eq!((scaled.width, scaled.height), (28, 28));
    let answers = encode(true);
    let summaries: Vec<String> = answers.iter().map(summary).collect();
    let [FromEngine::Encoded(whole)] = answers.as_slice() else {
        panic!("{summaries:?}");
    };
    assert_eq!(whole.source_size, scaled.source_size);
    // The two resizes (whole, or at 1024 px first) differ by a grey level here and there.
    let same = whole
        .codes
        .iter()
        .zip(&scaled.codes)
        .filter(|(a, b)| a == b)
        .count();
    assert!(same >= 45, "{same} of 49 codes the same");
}
