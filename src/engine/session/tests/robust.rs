//! What goes wrong: a model the site lacks, a stalled download, a restart that restores the
//! page's grid, the crash hook, a drawing stopped half way.

use std::cell::RefCell;
use std::rc::Rc;

use futures_lite::future::block_on;

use super::*;

#[test]
fn a_model_the_site_lacks_is_named_with_its_missing_file() {
    let root = std::env::temp_dir().join(format!("vq-lab-session-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap_or_else(|err| panic!("{err}"));
    std::fs::write(
        root.join("catalogue.json"),
        r#"{"models":[{"name":"ghost","title":"t","examples_note":"n","examples":[]}]}"#,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let (session, sent) = session_on(Folder {
        root: root.clone(),
        models: root.clone(),
        examples: root.clone(),
    });
    answer(&session, &sent, init_cpu());
    let missing = ask(
        &session,
        &sent,
        ToEngine::LoadModel {
            name: "ghost".into(),
        },
    );
    let message = failure(missing.last().unwrap_or_else(|| panic!("no answer")));
    assert_eq!(
        message,
        "The ghost model is not part of this site yet (models/ghost/manifest.json is missing); \
         choose another model."
    );
    std::fs::write(root.join("catalogue.json"), b"{\"models\": []}")
        .unwrap_or_else(|err| panic!("{err}"));
    let (session, sent) = session_on(Folder {
        root: root.clone(),
        models: root.clone(),
        examples: root.clone(),
    });
    let refused = answer(&session, &sent, init_cpu());
    assert!(failure(&refused).contains("names no model"), "{refused:?}");
    assert!(matches!(
        refused,
        FromEngine::Refused {
            request: Request::Init,
            ..
        }
    ));
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn a_restarted_engine_takes_back_the_pages_grid() {
    let (session, sent) = fashion_with_an_image();
    let mut codes = codes_in_engine(&session, &sent);
    codes[0] = (codes[0] + 1) % 128;
    let restore = |codes: Vec<u32>| ToEngine::Restore {
        grid_width: 7,
        grid_height: 7,
        codes,
        original: Vec::new(),
    };
    assert!(
        ask(&session, &sent, restore(codes.clone())).is_empty(),
        "restore answers nothing"
    );
    assert_eq!(codes_in_engine(&session, &sent), codes);
    let bad = answer(&session, &sent, restore(vec![0; 48]));
    assert!(
        matches!(
            bad,
            FromEngine::Refused {
                request: Request::Restore,
                ..
            }
        ),
        "{bad:?}"
    );
    assert_eq!(
        codes_in_engine(&session, &sent),
        codes,
        "a refused restore changed the grid"
    );
}

#[test]
fn the_crash_hook_is_refused_without_test_hooks() {
    let (session, sent) = fashion_with_an_image();
    let refused = answer(&session, &sent, ToEngine::Crash);
    assert!(
        matches!(
            refused,
            FromEngine::Refused {
                request: Request::Crash,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(failure(&refused).contains("?test-hooks"), "{refused:?}");
}

#[test]
fn memory_is_answered_and_names_no_build_natively() {
    let (session, sent) = fashion_with_an_image();
    // Natively the engine is not WebAssembly: no figure, rather than a made-up one.
    assert_eq!(
        answer(&session, &sent, ToEngine::Memory),
        FromEngine::Memory { bytes: None }
    );
    let (session, sent) = session_on(Folder::shipped());
    let ready = answer(
        &session,
        &sent,
        ToEngine::Init {
            preference: BackendPreference::Cpu,
            test_hooks: false,
            burn_autoencoder: false,
            whole_decode: false,
        },
    );
    assert!(
        matches!(&ready, FromEngine::Ready(report) if report.build.is_none()),
        "without a loader the engine names no build: {ready:?}"
    );
}

#[test]
#[should_panic(expected = "asked the engine to crash")]
fn the_crash_hook_panics_with_test_hooks() {
    let (session, sent) = session_on(Folder::shipped());
    answer(
        &session,
        &sent,
        ToEngine::Init {
            preference: BackendPreference::Cpu,
            test_hooks: true,
            burn_autoencoder: false,
            whole_decode: false,
        },
    );
    block_on(session.handle(ToEngine::Crash));
}

/// The shipped files, but the first `failures` fetches of each file fail on the way.
struct Flaky {
    folder: Folder,
    failures: usize,
    seen: RefCell<std::collections::HashMap<String, usize>>,
}

impl crate::engine::source::ModelSource for Flaky {
    async fn fetch(
        &self,
        path: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Vec<u8>, crate::engine::source::FetchError> {
        let tries = {
            let mut seen = self.seen.borrow_mut();
            let tries = seen.entry(path.to_owned()).or_default();
            *tries += 1;
            *tries
        };
        if tries <= self.failures {
            return Err(crate::engine::source::FetchError::Network {
                url: path.to_owned(),
                reason: "nothing arrived for 30 s (the download stalled)".to_owned(),
            });
        }
        self.folder.fetch(path, progress).await
    }
}

#[test]
fn a_stalled_download_is_tried_again_once() {
    for (failures, loads) in [(1, true), (2, false)] {
        let sent = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&sent);
        let flaky = Flaky {
            folder: Folder::shipped(),
            failures,
            seen: RefCell::default(),
        };
        let session = Session::new(flaky, move |message| sink.borrow_mut().push(message));
        block_on(session.handle(init_cpu()));
        let ready = sent.take();
        assert_eq!(
            matches!(ready.last(), Some(FromEngine::Ready(_))),
            loads,
            "{failures} failures: {ready:?}"
        );
        if !loads {
            let message = failure(ready.last().unwrap_or_else(|| panic!("no answer")));
            assert!(message.contains("stalled"), "{message}");
            continue;
        }
        block_on(session.handle(ToEngine::LoadModel {
            name: "fashion".into(),
        }));
        let loaded = sent.take();
        assert!(
            matches!(loaded.last(), Some(FromEngine::ModelLoaded(_))),
            "{loaded:?}"
        );
    }
}

#[test]
fn a_drawing_stops_when_cancelled_and_a_cancel_of_nothing_is_ignored() {
    let (session, sent) = fashion_with_an_image();
    assert!(ask(&session, &sent, ToEngine::Cancel { id: 99 }).is_empty());
    // Natively nothing interleaves, so the cancel is sent from the drawing's first snapshot.
    let session = Rc::new(session);
    let canceller = Rc::clone(&session);
    let sampling = Sampling::default();
    block_on(async {
        let drawing = session.handle(ToEngine::Sample {
            id: 11,
            sampling,
            count: 2,
        });
        let cancel = async {
            // The drawing has posted its first snapshot by the time this runs.
            futures_lite::future::yield_now().await;
            canceller.handle(ToEngine::Cancel { id: 11 }).await;
        };
        futures_lite::future::zip(drawing, cancel).await;
    });
    let messages = sent.take();
    let Some(last) = messages.last() else {
        panic!("no answer");
    };
    assert!(
        matches!(last, FromEngine::DrawFailed { id: 11, .. }),
        "the drawing was not stopped: {}",
        summary(last)
    );
    assert!(
        failure(last).starts_with("Stopped after "),
        "{}",
        summary(last)
    );
    let shown = messages
        .iter()
        .filter(|m| matches!(m, FromEngine::Drawing(_)))
        .count();
    assert!(shown < 24, "it drew on after the cancel: {shown} snapshots");
}

/// Edits first: an edit that arrives while suggestions or the surprisal are computed is
/// applied at the next turn, before them; the speculative work for the old grid then gives
/// way (`Superseded`, no sentence), and asked again it answers for the new grid.
#[test]
fn an_edit_preempts_suggestions_and_surprisal() {
    let (session, sent) = fashion_with_an_image();
    let session = Rc::new(session);
    for (speculative, code) in [
        (
            ToEngine::Suggest {
                row: 3,
                col: 3,
                class: None,
            },
            5,
        ),
        (ToEngine::Surprisal { class: None }, 6),
    ] {
        let editor = Rc::clone(&session);
        block_on(async {
            let work = session.handle(speculative.clone());
            // The work is waiting at its first turn when the edit arrives.
            let edit = async {
                editor
                    .handle(ToEngine::Edit {
                        id: 21,
                        cells: vec![(3, 4, code)],
                    })
                    .await;
            };
            futures_lite::future::zip(work, edit).await;
        });
        let messages = sent.take();
        let names: Vec<String> = messages.iter().map(summary).collect();
        assert!(
            matches!(messages.first(), Some(FromEngine::Patched { id: 21, .. })),
            "the edit waited: {names:?}"
        );
        assert!(
            matches!(messages.get(1), Some(FromEngine::Superseded { .. })),
            "{names:?}"
        );
        let again = answer(&session, &sent, speculative);
        assert!(
            matches!(
                again,
                FromEngine::Suggestions { .. } | FromEngine::Surprisal { .. }
            ),
            "{}",
            summary(&again)
        );
        if let FromEngine::Surprisal { codes, .. } = again {
            assert_eq!(
                codes[3 * 7 + 4],
                code,
                "the surprisal is of the edited grid"
            );
        }
    }
}
