//! The root component: starts the engine and shows its state.

use std::time::Duration;

use leptos::prelude::*;

use super::badge::BackendBadge;
use super::engine_client::{EngineClient, EngineEvent, EngineHandle};
use super::location;
use crate::protocol::{BackendPreference, EngineReport, FromEngine, ToEngine};

/// How long the worker may take to load its WebAssembly before the page gives up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the engine stands, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineState {
    /// The worker is loading its WebAssembly.
    Starting,
    /// The worker runs; it chooses the device and warms it up.
    ChoosingDevice,
    /// The engine is ready on the reported device.
    Ready(EngineReport),
    /// Something failed; the sentence says what and what to do.
    Failed(String),
}

impl EngineState {
    fn is_failed(&self) -> bool {
        matches!(self, Self::Failed(_))
    }
}

/// What the engine's event means for the page's state.
fn next_state(
    current: &EngineState,
    event: EngineEvent,
    preference: BackendPreference,
    handle: &EngineHandle,
) -> Option<EngineState> {
    if current.is_failed() {
        // The first failure is the cause; what follows (the worker's error event after a panic)
        // would only hide it.
        return None;
    }
    Some(match event {
        EngineEvent::Message(FromEngine::Started) => {
            match handle.send(&ToEngine::Init { preference }) {
                Ok(()) => EngineState::ChoosingDevice,
                Err(err) => {
                    EngineState::Failed(format!("The page could not talk to the engine: {err}."))
                }
            }
        }
        EngineEvent::Message(FromEngine::Ready(report)) => EngineState::Ready(report),
        EngineEvent::Message(FromEngine::Failed { message }) => EngineState::Failed(message),
        EngineEvent::Message(FromEngine::Panicked { message }) => EngineState::Failed(format!(
            "The engine crashed ({message}). Reload the page; if it happens again, try the CPU \
             backend with ?backend=cpu."
        )),
        EngineEvent::WorkerError(message) if *current == EngineState::Starting => {
            EngineState::Failed(format!(
                "The engine's worker failed to start ({message}). Reload the page; check that \
                 engine_worker_loader.js is served next to index.html."
            ))
        }
        EngineEvent::WorkerError(message) => {
            EngineState::Failed(format!("The engine stopped ({message}). Reload the page."))
        }
    })
}

/// The page: a header with the backend badge, and the engine's state.
#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(EngineState::Starting);
    let (preference, address_notice) = match location::preference() {
        Ok(preference) => (preference, None),
        Err(unknown) => (
            BackendPreference::Auto,
            Some(format!("{unknown}; choosing automatically.")),
        ),
    };

    match EngineClient::spawn(move |event, handle| {
        let next = state.with_untracked(|current| next_state(current, event, preference, handle));
        if let Some(next) = next {
            state.set(next);
        }
    }) {
        // The client (and with it the worker) lives as long as the page.
        Ok(client) => {
            StoredValue::new_local(client);
        }
        Err(err) => state.set(EngineState::Failed(err)),
    }
    set_timeout(
        move || {
            if state.get_untracked() == EngineState::Starting {
                state.set(EngineState::Failed(format!(
                    "The engine did not start within {} s: its WebAssembly did not load. Reload \
                     the page; if it persists, the site is missing engine_worker files.",
                    START_TIMEOUT.as_secs()
                )));
            }
        },
        START_TIMEOUT,
    );

    view! {
        <div class="shell">
            <header class="topbar">
                <div class="brand">
                    <h1>"VQ Lab"</h1>
                    <p class="tagline">"Vector-quantised autoencoders, in your browser"</p>
                </div>
                {move || match state.get() {
                    EngineState::Ready(report) => view! { <BackendBadge report=report /> }.into_any(),
                    _ => ().into_any(),
                }}
            </header>
            <main class="content">
                {address_notice.map(|notice| view! {
                    <p class="notice" role="status" data-testid="address-notice">{notice}</p>
                })}
                <EngineStatus state=state />
                <section class="card intro">
                    <h2>"What this will be"</h2>
                    <p>
                        "An encoder turns an image into a grid of vectors; each is replaced by its \
                         nearest codebook entry, its code. A decoder turns the codes back into an \
                         image. Here you will see the codes, edit them, and sample new ones from a \
                         PixelCNN prior. Nothing leaves your machine."
                    </p>
                </section>
            </main>
        </div>
    }
}

/// The loading state, the notice of a forced backend, or the failure sentence.
#[component]
fn EngineStatus(state: RwSignal<EngineState>) -> impl IntoView {
    move || match state.get() {
        EngineState::Starting => loading("Starting the engine…").into_any(),
        EngineState::ChoosingDevice => loading("Choosing a device and warming it up…").into_any(),
        EngineState::Ready(report) => view! {
            <p class="status ready" data-testid="engine-status" data-state="ready">
                "Engine ready on " {report.backend.label()} "."
            </p>
            {report.notice.map(|notice| view! {
                <p class="notice" role="status" data-testid="backend-notice">{notice}</p>
            })}
        }
        .into_any(),
        EngineState::Failed(message) => view! {
            <div class="error" role="alert" data-testid="engine-error">
                <strong>"Something went wrong. "</strong>
                {message}
            </div>
        }
        .into_any(),
    }
}

fn loading(text: &'static str) -> impl IntoView {
    view! {
        <p class="status loading" data-testid="engine-status" data-state="loading" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </p>
    }
}
