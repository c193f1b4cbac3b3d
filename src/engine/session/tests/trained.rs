//! A model trained in the page, added to the lab: checked, kept under a name of its own,
//! loaded from memory, used for encoding and editing; its prior requests refused with a
//! sentence; damaged files refused; the shipped models untouched.

use super::*;
use crate::engine::training::tests::exported;
use crate::protocol::{CellCode, TrainedFiles};

const NO_PRIOR: &str = "This model has no prior: it was trained in this page. Sampling, \
                        completion, surprisal and suggestions need one; pick a shipped model for \
                        them.";

fn refusal(message: &FromEngine) -> (Request, String) {
    match message {
        FromEngine::Refused { request, message } => (*request, message.clone()),
        other => panic!("{other:?}"),
    }
}

fn draw_failure(message: &FromEngine) -> String {
    match message {
        FromEngine::DrawFailed { message, .. } => message.clone(),
        other => panic!("{}", summary(other)),
    }
}

#[test]
fn a_model_trained_in_the_page_is_added_loaded_and_edited_without_a_prior() {
    // Named like a shipped model: it must not shadow it.
    let files = exported("fashion", 8);
    let (session, sent) = fashion_started_with(init_cpu());

    let added = answer(
        &session,
        &sent,
        ToEngine::AddModel {
            files: files.clone(),
        },
    );
    let FromEngine::ModelAdded { catalogue, name } = added else {
        panic!("{added:?}");
    };
    assert_eq!(name, "trained-1");
    let names: Vec<&str> = catalogue.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["fashion", "photo", "trained-1"]);
    let entry = catalogue
        .model("trained-1")
        .unwrap_or_else(|| panic!("added"));
    assert_eq!(entry.title, "Trained in this page: K=128, D=16, step 8");
    let fashion = catalogue
        .model("fashion")
        .unwrap_or_else(|| panic!("shipped"));
    assert_eq!(
        entry.examples, fashion.examples,
        "a grey 28×28 model: fashion's examples"
    );
    assert_eq!(entry.held_out, fashion.held_out);
    // The same files again: the same model.
    let again = answer(
        &session,
        &sent,
        ToEngine::AddModel {
            files: files.clone(),
        },
    );
    assert!(
        matches!(&again, FromEngine::ModelAdded { name, catalogue } if name == "trained-1" && catalogue.models.len() == 3),
        "{again:?}"
    );

    let loaded = ask(&session, &sent, ToEngine::LoadModel { name: name.clone() });
    let Some(FromEngine::ModelLoaded(info)) = loaded.last() else {
        panic!("{loaded:?}");
    };
    assert!(!info.has_prior);
    assert_eq!(
        (info.codebook_size, info.image_size, info.channels),
        (128, 28, 1)
    );
    assert!(
        !loaded.iter().any(|m| matches!(
            m,
            FromEngine::LoadProgress {
                stage: LoadStage::Downloading,
                ..
            }
        )),
        "loaded from memory, not downloaded: {loaded:?}"
    );

    let encoded = answer(&session, &sent, encode_ankle_boot());
    let FromEngine::Encoded(encoding) = encoded else {
        panic!("{}", summary(&encoded));
    };
    assert_eq!((encoding.grid_width, encoding.grid_height), (7, 7));
    assert!(encoding.codes.iter().all(|&code| code < 128));
    let cell: CellCode = (3, 3, (encoding.codes[3 * 7 + 3] + 1) % 128);
    let patched = answer(
        &session,
        &sent,
        ToEngine::Edit {
            id: 1,
            cells: vec![cell],
        },
    );
    assert!(
        matches!(&patched, FromEngine::Patched { id: 1, patch, .. } if !patch.rgba.is_empty()),
        "{}",
        summary(&patched)
    );
    // The codebook's tiles need the decoder only.
    assert!(matches!(
        answer(&session, &sent, ToEngine::Codebook),
        FromEngine::Codebook(_)
    ));

    let sample = answer(
        &session,
        &sent,
        ToEngine::Sample {
            id: 2,
            sampling: Sampling::default(),
            count: 1,
        },
    );
    assert_eq!(draw_failure(&sample), NO_PRIOR);
    let complete = answer(
        &session,
        &sent,
        ToEngine::Complete {
            id: 3,
            mask: vec![true; 49],
            sampling: Sampling::default(),
            count: 1,
        },
    );
    assert_eq!(draw_failure(&complete), NO_PRIOR);
    assert_eq!(
        refusal(&answer(
            &session,
            &sent,
            ToEngine::Surprisal { class: None }
        )),
        (Request::Surprisal, NO_PRIOR.to_owned())
    );
    assert_eq!(
        refusal(&answer(
            &session,
            &sent,
            ToEngine::Suggest {
                row: 1,
                col: 1,
                class: None
            }
        )),
        (Request::Suggest, NO_PRIOR.to_owned())
    );

    // The shipped model loads as before, its prior there.
    let shipped = ask(
        &session,
        &sent,
        ToEngine::LoadModel {
            name: "fashion".into(),
        },
    );
    assert!(
        matches!(shipped.last(), Some(FromEngine::ModelLoaded(info)) if info.has_prior),
        "{shipped:?}"
    );
    assert!(matches!(
        answer(&session, &sent, encode_ankle_boot()),
        FromEngine::Encoded(_)
    ));
    assert!(matches!(
        answer(&session, &sent, ToEngine::Surprisal { class: None }),
        FromEngine::Surprisal { .. }
    ));
}

#[test]
fn damaged_or_foreign_files_are_refused_with_a_sentence() {
    let files = exported("mine", 2);
    let (session, sent) = fashion_started_with(init_cpu());
    let refuse =
        |files: TrainedFiles| refusal(&answer(&session, &sent, ToEngine::AddModel { files }));

    let mut damaged = files.clone();
    let last = damaged.vqvae.len() - 1;
    damaged.vqvae[last] ^= 1;
    assert_eq!(
        refuse(damaged),
        (
            Request::AddModel,
            "The trained model cannot be added: vqvae.bpk does not match its manifest's SHA-256 \
             (the files were changed or damaged). Export it again from the training panel."
                .to_owned()
        )
    );
    let mut config = files.clone();
    config.config = config
        .config
        .replace("\"embedding_dim\": 16", "\"embedding_dim\": 17");
    let (request, sentence) = refuse(config);
    assert_eq!(request, Request::AddModel);
    assert!(
        sentence.contains("config.json does not match"),
        "{sentence}"
    );
    let mut renamed = files.clone();
    renamed.name = "other".to_owned();
    assert_eq!(refuse(renamed).0, Request::AddModel);
    // A shipped model's files (with a prior) are not a trained model's.
    let shipped = TrainedFiles {
        name: "fashion".to_owned(),
        manifest: std::fs::read_to_string(format!(
            "{}/assets/models/fashion/manifest.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|err| panic!("{err}")),
        config: std::fs::read_to_string(format!(
            "{}/assets/models/fashion/config.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|err| panic!("{err}")),
        vqvae: include_bytes!("../../../../assets/models/fashion/vqvae.bpk").to_vec(),
    };
    let (_, sentence) = refuse(shipped);
    assert!(sentence.contains("names a prior"), "{sentence}");

    // Nothing was added; the good files still are.
    let added = answer(&session, &sent, ToEngine::AddModel { files });
    assert!(
        matches!(&added, FromEngine::ModelAdded { name, catalogue } if name == "mine" && catalogue.models.len() == 3),
        "{added:?}"
    );
}

#[test]
fn the_engine_keeps_a_bounded_number_of_trained_models() {
    let files = exported("mine", 1);
    let (session, sent) = session_on(Folder::shipped());
    let early = answer(
        &session,
        &sent,
        ToEngine::AddModel {
            files: files.clone(),
        },
    );
    assert_eq!(
        refusal(&early),
        (
            Request::AddModel,
            "The engine has not chosen its device yet; wait for it to be ready.".to_owned()
        )
    );
    assert!(matches!(
        answer(&session, &sent, init_cpu()),
        FromEngine::Ready(_)
    ));
    let renamed = |i: usize| TrainedFiles {
        name: format!("m{i}"),
        manifest: files
            .manifest
            .replacen("\"name\": \"mine\"", &format!("\"name\": \"m{i}\""), 1),
        ..files.clone()
    };
    for i in 0..crate::engine::session::trained::MAX_TRAINED {
        let added = answer(&session, &sent, ToEngine::AddModel { files: renamed(i) });
        assert!(
            matches!(&added, FromEngine::ModelAdded { name, .. } if *name == format!("m{i}")),
            "{added:?}"
        );
    }
    let one_more = answer(&session, &sent, ToEngine::AddModel { files: renamed(99) });
    assert_eq!(
        refusal(&one_more),
        (
            Request::AddModel,
            "The lab already holds 8 models trained in this page; reload the page to add others."
                .to_owned()
        )
    );
}
