//! The root component: starts the engine and shows its state, in the address's modes
//! (presentation, embedded).

use std::time::Duration;

use leptos::prelude::*;

use super::badge::BackendBadge;
use super::engine_client::{EngineClient, EngineHandle};
use super::lab::Lab;
use super::location;
use super::presentation::PresentationToggle;
use super::state::LabState;
use super::state::engine::{EngineEvent, EngineState, next_state, other_build};
use super::store::{self, Kept};
use super::training::TrainingPanel;
use super::dom;
use crate::protocol::{BackendPreference, FromEngine, ToEngine, TrainedFiles};

/// How long the worker may take to load its WebAssembly before the page gives up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The page: a header with the backend badge, and the engine's state.
///
/// Presentation mode sets the `presenting` class on the root, which the style sheet reads
/// (large views, the secondary controls hidden); an embedded page (`embedded`, and
/// `data-testid="embed"`) has no header, no tour and no closing card, and keeps no session.
#[component]
pub fn App() -> impl IntoView {
    let modes = location::modes();
    let embed = modes.embed;
    let present = RwSignal::new(modes.present);
    let state = RwSignal::new(EngineState::Starting);
    let lab = RwSignal::new(LabState::default());
    let engine = StoredValue::new_local(None::<EngineHandle>);
    let (preference, address_notice) = match location::preference() {
        Ok(preference) => (preference, None),
        Err(unknown) => (
            BackendPreference::Auto,
            Some(format!("{unknown}; choosing automatically.")),
        ),
    };

    // The session of an earlier visit, read while the engine starts; the lab opens with it.
    // An embedded page reads none.
    let kept: StoredValue<Option<Kept>> = StoredValue::new(embed.then_some(Ok(None)));
    let kept_read = RwSignal::new(embed);
    if !embed {
        leptos::task::spawn_local(async move {
            kept.set_value(Some(store::load().await));
            kept_read.set(true);
        });
    }
    let update_ready = RwSignal::new(
        js_sys::Reflect::get(&js_sys::global(), &"vqLabUpdateReady".into())
            .is_ok_and(|ready| ready.is_truthy()),
    );
    let on_update = window_event_listener_untyped("vq-lab-update", move |_| update_ready.set(true));
    on_cleanup(move || on_update.remove());
    let page_build = StoredValue::new(dom::page_build());

    let test_hooks = location::test_hooks();
    let burn_autoencoder = location::burn_autoencoder();
    let whole_decode = location::whole_decode();
    let client = StoredValue::new_local(None::<EngineClient>);
    // A line after a restart: what happened, and that the user's work was kept.
    let restarted = RwSignal::new(None::<String>);
    // That line, from the crash until the new engine has the model and the grid back.
    let restart_note = StoredValue::new(None::<String>);
    let send_all = move |requests: Vec<ToEngine>| {
        if let Some(handle) = engine.get_value() {
            for request in requests {
                if let Err(err) = handle.send(&request) {
                    lab.update(|lab| lab.edits.error = Some(err));
                }
            }
        }
    };

    let on_event = move |event: EngineEvent, send_init: &dyn Fn() -> Result<(), String>| {
        if let EngineEvent::Message(message) = &event
            && LabState::handles(message)
        {
            if let EngineEvent::Message(message) = event {
                // After an encode and a drawing, the figures of the engine's memory.
                let measure = matches!(message, FromEngine::Encoded(_) | FromEngine::Drawn(_));
                let outbox = lab
                    .try_update(|lab| lab.then_outbox(|lab| lab.on_message(message)))
                    .unwrap_or_default();
                // The restarted engine has the model back and now gets the grid: restored.
                if outbox.iter().any(|r| matches!(r, ToEngine::Restore { .. })) {
                    restarted.set(restart_note.get_value());
                }
                send_all(outbox);
                if measure {
                    send_all(vec![ToEngine::Memory]);
                }
            }
            return;
        }
        // An engine of another build than the page's is not used.
        if let EngineEvent::Message(FromEngine::Ready(report)) = &event
            && let Some(sentence) =
                page_build.with_value(|page| other_build(page.as_deref(), report.build.as_deref()))
        {
            state.set(EngineState::Failed(sentence));
            return;
        }
        // The catalogue comes with the engine's report; the lab keeps it.
        if let EngineEvent::Message(FromEngine::Ready(report)) = &event {
            let catalogue = report.catalogue.clone();
            lab.update(|lab| lab.model.catalogue = catalogue);
        }
        let current = state.get_untracked();
        let Some(next) = next_state(&current, event, send_init) else {
            return;
        };
        match (&current, &next) {
            // A crash: a new worker, once this event's handler has returned.
            (_, EngineState::Restarting { attempt, .. })
                if !matches!(&current, EngineState::Restarting { attempt: a, .. } if a == attempt) =>
            {
                leptos::task::spawn_local(async move {
                    let started = client.with_value(|client| client.as_ref().map(EngineClient::restart));
                    if let Some(Err(err)) = started {
                        state.set(EngineState::Failed(err));
                    }
                });
            }
            // The new engine is ready: it gets the model and the grid back.
            (EngineState::Restarting { reason, .. }, EngineState::Ready(_)) => {
                restart_note.set_value(Some(reason.replace(
                    "; restarting it and restoring your image…",
                    ". It was restarted; your image and its history were kept.",
                )));
                restarted.set(None);
                let outbox = lab
                    .try_update(|lab| lab.then_outbox(LabState::engine_restarted))
                    .unwrap_or_default();
                // Without a model to reload there is nothing to restore.
                if outbox.is_empty() {
                    restarted.set(restart_note.get_value());
                }
                send_all(outbox);
            }
            _ => {}
        }
        state.set(next);
    };
    // A model trained in the panel goes to the lab, which loads it once the engine has it.
    let use_trained = Callback::new(move |files: TrainedFiles| {
        send_all(lab.try_update(|lab| lab.add_trained(files)).unwrap_or_default());
    });
    let spawned = EngineClient::spawn(move |event, handle| {
        on_event(event, &|| {
            // A device that was lost is not tried again: the new engine runs on the CPU.
            let lost = state.with_untracked(|state| {
                matches!(state, EngineState::Restarting { device_lost: true, .. })
            });
            let preference = if lost { BackendPreference::Cpu } else { preference };
            handle.send(&ToEngine::Init {
                preference,
                test_hooks,
                burn_autoencoder,
                whole_decode,
            })
        });
    });
    match spawned {
        // The client (and with it the worker) lives as long as the page.
        Ok(spawned) => {
            engine.set_value(Some(spawned.handle().clone()));
            client.set_value(Some(spawned));
        }
        Err(err) => state.set(EngineState::Failed(err)),
    }
    set_timeout(
        move || {
            let event = EngineEvent::StartTimedOut {
                seconds: START_TIMEOUT.as_secs(),
            };
            on_event(event, &|| Ok(()));
        },
        START_TIMEOUT,
    );

    // The lab stays while a crashed engine is restarted.
    let ready = Memo::new(move |_| {
        state.with(|state| matches!(state, EngineState::Ready(_) | EngineState::Restarting { .. }))
    });

    view! {
        <div
            class="shell"
            class:presenting=move || present.get()
            class:embedded=embed
            data-testid=embed.then_some("embed")
        >
            {(!embed).then(|| view! {
                <header class="topbar">
                    <div class="brand">
                        <div class="brand-line">
                            <h1>"VQ Lab"</h1>
                            <PresentationToggle present=present />
                        </div>
                        <p class="tagline">"Vector-quantised autoencoders, in your browser"</p>
                    </div>
                    {move || match state.get() {
                        EngineState::Ready(report) => view! { <BackendBadge report=report lab=lab /> }.into_any(),
                        _ => ().into_any(),
                    }}
                </header>
            })}
            <main class="content">
                {address_notice.map(|notice| view! {
                    <p class="notice" role="status" data-testid="address-notice">{notice}</p>
                })}
                <EngineStatus state=state />
                {move || restarted.get().map(|line| view! {
                    <p class="notice" role="status" data-testid="engine-restarted">{line}</p>
                })}
                {move || update_ready.get().then(|| view! {
                    <p class="notice" role="status" data-testid="update-ready">
                        "A new version of VQ Lab is ready. "
                        <button on:click=move |_| reload()>"Reload to use it"</button>
                        " (your image and its history are kept in this browser)."
                    </p>
                })}
                {test_hooks.then(|| view! {
                    <button
                        data-testid="test-crash"
                        title="Test hook (?test-hooks): the engine panics, and the page restarts it"
                        on:click=move |_| send_all(vec![ToEngine::Crash])
                    >
                        "Crash the engine (test)"
                    </button>
                })}
                {move || match (ready.get() && kept_read.get(), engine.get_value()) {
                    (true, Some(handle)) => view! { <Lab handle=handle lab=lab kept=kept modes=modes /> }.into_any(),
                    _ => ().into_any(),
                }}
                {move || (ready.get() && !embed).then(|| view! { <TrainingPanel preference=preference use_model=use_trained /> })}
                {(!embed).then(|| view! {
                    <section class="card intro">
                        <h2>"How it works"</h2>
                        <p>
                            "An encoder turns an image into a grid of vectors; each is replaced by its \
                             nearest codebook entry, its code. A decoder turns the codes back into an \
                             image. Above, you see the codes of your image, change them and watch the \
                             reconstruction follow. A PixelCNN prior, trained on the grids of the \
                             training set, draws new grids one code at a time, redraws a masked region, \
                             and says how many bits each code costs. Nothing leaves your machine."
                        </p>
                    </section>
                })}
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
        EngineState::Restarting { reason, .. } => view! {
            <p class="status loading" data-testid="engine-restarting" data-state="restarting" role="status">
                <span class="spinner" aria-hidden="true"></span>
                {reason}
            </p>
        }
        .into_any(),
        EngineState::Failed(message) => view! {
            <div class="error" role="alert" data-testid="engine-error">
                <strong>"Something went wrong. "</strong>
                {message}
                " "
                <button data-testid="reload" on:click=move |_| reload()>"Reload the page"</button>
            </div>
        }
        .into_any(),
    }
}

/// Reloads the page (a new version); a failure can only be logged.
fn reload() {
    if let Some(Err(err)) = web_sys::window().map(|window| window.location().reload()) {
        web_sys::console::error_1(&err);
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
