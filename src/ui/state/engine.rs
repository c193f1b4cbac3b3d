//! The engine's state as the page shows it, how each event of the engine changes it, and the
//! times of its operations.
//!
//! Plain data and one pure function, so the transitions (including the sentences a user reads
//! after a crash) are tested natively.

use crate::protocol::{EngineReport, FromEngine, Request};

/// Where the engine stands, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineState {
    /// The worker is loading its WebAssembly.
    Starting,
    /// The worker runs; it chooses the device and warms it up.
    ChoosingDevice,
    /// The engine is ready on the reported device.
    Ready(EngineReport),
    /// The engine crashed after it was ready; a new one is starting, and the page will give it
    /// back the model and the grid. The lab stays as it is.
    Restarting {
        /// One line: what happened, and that the page restarts the engine.
        reason: String,
        /// Restarts so far in this page (see [`MAX_RESTARTS`]).
        attempt: u32,
        /// Whether the engine said its device was lost (the new one starts on the CPU).
        device_lost: bool,
    },
    /// Something failed; the sentence says what and what to do.
    Failed(String),
}

/// Restarts the page tries before it gives up and asks for a reload.
pub const MAX_RESTARTS: u32 = 3;

/// Why the page refuses an engine, if it does: its files come from another build of the site
/// than the page's (a cache held one half of an update). A page or an engine that names no
/// build (a build without `scripts/trunk-post-build.sh`, the browser tests) is not refused.
pub fn other_build(page: Option<&str>, engine: Option<&str>) -> Option<String> {
    match (page, engine) {
        (Some(page), Some(engine)) if page != engine => Some(format!(
            "A new version of VQ Lab is ready, but this page and its engine come from \
             different versions (page {page}, engine {engine}). Reload the page to use the new \
             version; your image and its history are kept in this browser."
        )),
        _ => None,
    }
}

/// What the UI hears from the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// A message of the protocol.
    Message(FromEngine),
    /// The worker failed (its script did not load, or it died); the sentence says how.
    WorkerError(String),
    /// The worker did not say [`FromEngine::Started`] in time.
    StartTimedOut {
        /// The time it was given, in seconds.
        seconds: u64,
    },
}

/// The state after `event`, or `None` when it does not change. `send_init` sends
/// [`crate::protocol::ToEngine::Init`]; it is called when the worker has started.
pub fn next_state(
    current: &EngineState,
    event: EngineEvent,
    send_init: impl FnOnce() -> Result<(), String>,
) -> Option<EngineState> {
    if matches!(current, EngineState::Failed(_)) {
        // The first failure is the cause; what follows (the worker's error event after a panic)
        // would only hide it.
        return None;
    }
    Some(match event {
        // A crash after the engine was ready: restart it, keep the lab.
        EngineEvent::Message(FromEngine::Panicked { message })
            if matches!(
                current,
                EngineState::Ready(_) | EngineState::Restarting { .. }
            ) =>
        {
            restart(current, format!("The engine crashed ({message})"), &message)
        }
        EngineEvent::WorkerError(message)
            if matches!(
                current,
                EngineState::Ready(_) | EngineState::Restarting { .. }
            ) =>
        {
            restart(current, format!("The engine stopped ({message})"), &message)
        }
        EngineEvent::Message(FromEngine::Started)
            if matches!(current, EngineState::Restarting { .. }) =>
        {
            match send_init() {
                Ok(()) => return None,
                Err(err) => {
                    EngineState::Failed(format!("The page could not talk to the engine: {err}."))
                }
            }
        }
        EngineEvent::Message(FromEngine::Started) => match send_init() {
            Ok(()) => EngineState::ChoosingDevice,
            Err(err) => {
                EngineState::Failed(format!("The page could not talk to the engine: {err}."))
            }
        },
        EngineEvent::Message(FromEngine::Ready(report)) => EngineState::Ready(report),
        EngineEvent::Message(FromEngine::Refused {
            request: Request::Init,
            message,
        }) => EngineState::Failed(message),
        EngineEvent::Message(FromEngine::Panicked { message }) => EngineState::Failed(format!(
            "The engine crashed ({message}). Reload the page; if it happens again, try the CPU \
             backend with ?backend=cpu."
        )),
        EngineEvent::WorkerError(message) if *current == EngineState::Starting => {
            EngineState::Failed(format!(
                "The engine's worker failed to start ({message}). Reload the page; if it \
                 persists, the site is missing engine_worker_loader.js next to index.html."
            ))
        }
        EngineEvent::WorkerError(message) => {
            EngineState::Failed(format!("The engine stopped ({message}). Reload the page."))
        }
        EngineEvent::StartTimedOut { seconds } if *current == EngineState::Starting => {
            EngineState::Failed(format!(
                "The engine did not start within {seconds} s: its WebAssembly did not load. \
                 Reload the page; if it persists, the site is missing its engine_worker files."
            ))
        }
        EngineEvent::StartTimedOut { .. } => return None,
        // The lab's messages (models, images, edits, refused requests): `super::LabState`
        // handles them; a refused request is a sentence where it was asked, not a failure of
        // the engine.
        EngineEvent::Message(_) => return None,
    })
}

/// The state after a crash of a ready engine: [`EngineState::Restarting`], or a failure
/// after [`MAX_RESTARTS`].
fn restart(current: &EngineState, what: String, message: &str) -> EngineState {
    let attempt = match current {
        EngineState::Restarting { attempt, .. } => attempt + 1,
        _ => 1,
    };
    if attempt > MAX_RESTARTS {
        return EngineState::Failed(format!(
            "{what}, and it crashed {MAX_RESTARTS} times. Reload the page; if it happens again, \
             try the CPU backend with ?backend=cpu."
        ));
    }
    EngineState::Restarting {
        reason: format!("{what}; restarting it and restoring your image…"),
        attempt,
        device_lost: message.to_ascii_lowercase().contains("device lost")
            || message.to_ascii_lowercase().contains("device was lost"),
    }
}

/// The last wall time of each operation in the engine, in milliseconds, in the order they were
/// first done (the badge shows them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timings(Vec<(&'static str, f64)>);

impl Timings {
    /// Records the wall time of an operation.
    pub fn record(&mut self, operation: &'static str, millis: f64) {
        match self.0.iter_mut().find(|(op, _)| *op == operation) {
            Some(slot) => slot.1 = millis,
            None => self.0.push((operation, millis)),
        }
    }

    /// Whether no operation was timed yet.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(operation, milliseconds)`, in the order they were first done.
    pub fn as_slice(&self) -> &[(&'static str, f64)] {
        &self.0
    }

    /// The badge's line: `load 812.0 ms · encode 31.5 ms`.
    pub fn line(&self) -> String {
        self.0
            .iter()
            .map(|(op, millis)| format!("{op} {millis:.1} ms"))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Backend, Catalogue, Warmup};

    #[test]
    fn an_engine_of_another_build_is_refused_with_a_sentence() {
        let refused = other_build(Some("a1b2"), Some("c3d4")).expect("refused");
        assert!(refused.contains("page a1b2, engine c3d4"), "{refused}");
        assert!(refused.contains("Reload the page"), "{refused}");
        assert_eq!(other_build(Some("a1b2"), Some("a1b2")), None);
        assert_eq!(
            other_build(None, Some("a1b2")),
            None,
            "a page without a build id"
        );
        assert_eq!(
            other_build(Some("a1b2"), None),
            None,
            "an engine without a loader"
        );
    }

    fn report() -> EngineReport {
        EngineReport {
            backend: Backend::Cpu,
            adapter: None,
            reason: "test".to_owned(),
            notice: None,
            warmup: Warmup {
                millis: 1.0,
                value: 2.0,
            },
            catalogue: Catalogue::default(),
            build: None,
        }
    }

    #[test]
    fn a_crash_after_ready_restarts_the_engine_and_keeps_the_lab() {
        let panicked = |message: &str| {
            EngineEvent::Message(FromEngine::Panicked {
                message: message.to_owned(),
            })
        };
        let mut state = EngineState::Ready(report());
        for attempt in 1..=MAX_RESTARTS {
            state = next_state(&state, panicked("boom"), || Ok(()))
                .unwrap_or_else(|| panic!("no change"));
            let EngineState::Restarting {
                reason,
                attempt: counted,
                device_lost,
            } = &state
            else {
                panic!("{state:?}");
            };
            assert_eq!(*counted, attempt);
            assert!(!device_lost);
            assert!(
                reason.starts_with("The engine crashed (boom); restarting it"),
                "{reason}"
            );
            // The new worker starts: Init is sent, the state stays.
            let mut sent = false;
            let started = next_state(&state, EngineEvent::Message(FromEngine::Started), || {
                sent = true;
                Ok(())
            });
            assert!(sent && started.is_none(), "{started:?}");
        }
        let gave_up = next_state(&state, panicked("boom"), || Ok(()));
        assert!(
            matches!(&gave_up, Some(EngineState::Failed(s)) if s.contains("3 times")),
            "{gave_up:?}"
        );
        // A restarted engine that is ready is ready.
        let restarting = next_state(
            &EngineState::Ready(report()),
            EngineEvent::WorkerError("RuntimeError: memory access out of bounds".into()),
            || Ok(()),
        )
        .unwrap_or_else(|| panic!("no change"));
        assert!(
            matches!(restarting, EngineState::Restarting { .. }),
            "{restarting:?}"
        );
        assert_eq!(
            next_state(
                &restarting,
                EngineEvent::Message(FromEngine::Ready(report())),
                || Ok(())
            ),
            Some(EngineState::Ready(report()))
        );
        let lost = next_state(
            &EngineState::Ready(report()),
            panicked("WebGPU device lost"),
            || Ok(()),
        );
        assert!(matches!(
            lost,
            Some(EngineState::Restarting {
                device_lost: true,
                ..
            })
        ));
    }

    #[test]
    fn only_a_refused_start_fails_the_engine() {
        let ready = EngineState::ChoosingDevice;
        let refused = |request| {
            next_state(
                &ready,
                EngineEvent::Message(FromEngine::Refused {
                    request,
                    message: "why".to_owned(),
                }),
                || Ok(()),
            )
        };
        assert_eq!(
            refused(Request::Init),
            Some(EngineState::Failed("why".to_owned()))
        );
        for request in [Request::Codebook, Request::Suggest, Request::Unreadable] {
            assert_eq!(refused(request), None, "{request:?} failed the engine");
        }
    }

    #[test]
    fn started_sends_init_and_waits_for_the_device() {
        let mut sent = false;
        let next = next_state(
            &EngineState::Starting,
            EngineEvent::Message(FromEngine::Started),
            || {
                sent = true;
                Ok(())
            },
        );
        assert!(sent);
        assert_eq!(next, Some(EngineState::ChoosingDevice));
    }

    #[test]
    fn ready_shows_the_report() {
        let next = next_state(
            &EngineState::ChoosingDevice,
            EngineEvent::Message(FromEngine::Ready(report())),
            || Ok(()),
        );
        assert_eq!(next, Some(EngineState::Ready(report())));
    }

    #[test]
    fn a_panic_is_a_sentence_and_is_not_hidden_by_the_error_that_follows() {
        let crashed = next_state(
            &EngineState::ChoosingDevice,
            EngineEvent::Message(FromEngine::Panicked {
                message: "index out of bounds".to_owned(),
            }),
            || Ok(()),
        );
        let Some(EngineState::Failed(sentence)) = crashed.clone() else {
            panic!("{crashed:?}");
        };
        assert!(sentence.contains("The engine crashed (index out of bounds)"));
        assert!(sentence.contains("Reload the page"));
        let after = next_state(
            &EngineState::Failed(sentence),
            EngineEvent::WorkerError("RuntimeError: unreachable".to_owned()),
            || Ok(()),
        );
        assert_eq!(after, None);
    }

    #[test]
    fn a_worker_that_cannot_load_says_so() {
        let next = next_state(
            &EngineState::Starting,
            EngineEvent::WorkerError("its script could not be loaded".to_owned()),
            || Ok(()),
        );
        assert!(
            matches!(&next, Some(EngineState::Failed(s)) if s.contains("failed to start")),
            "{next:?}"
        );
    }

    #[test]
    fn the_start_timeout_only_fires_while_starting() {
        let timed_out = EngineEvent::StartTimedOut { seconds: 60 };
        let next = next_state(&EngineState::Starting, timed_out.clone(), || Ok(()));
        assert!(matches!(&next, Some(EngineState::Failed(s)) if s.contains("within 60 s")));
        assert_eq!(
            next_state(&EngineState::ChoosingDevice, timed_out, || Ok(())),
            None
        );
    }

    #[test]
    fn a_message_that_cannot_be_sent_is_a_failure() {
        let next = next_state(
            &EngineState::Starting,
            EngineEvent::Message(FromEngine::Started),
            || Err("closed".to_owned()),
        );
        assert!(matches!(&next, Some(EngineState::Failed(s)) if s.contains("closed")));
    }

    #[test]
    fn timings_keep_the_last_time_of_each_operation_in_first_order() {
        let mut timings = Timings::default();
        timings.record("load", 812.0);
        timings.record("encode", 31.54);
        timings.record("load", 700.0);
        assert_eq!(timings.as_slice(), [("load", 700.0), ("encode", 31.54)]);
        assert_eq!(timings.line(), "load 700.0 ms · encode 31.5 ms");
    }
}
