//! The training panel: a VQ-VAE trained in the page, in its own worker
//! ([`client::TrainerClient`]), with its codebook's health live. Nothing is downloaded and no
//! worker starts until the student opens the panel.
//!
//! - [`knobs`]: the presets and every knob;
//! - [`views`]: the charts, the usage histogram, the tiles, the reconstructions, the map.
//!
//! The panel's state is [`crate::ui::state::training::TrainingState`], tested natively.

mod client;
mod knobs;
mod views;

use leptos::prelude::*;

use self::client::{TrainerClient, TrainerEvent};
use self::knobs::{Knobs, Presets};
use self::views::{Charts, Pictures};
use crate::protocol::{
    BackendPreference, FromTrainer, FromTrainerWorker, ToTrainer, ToTrainerWorker, TrainedFiles,
    write_bundle,
};
use crate::ui::dom;
use crate::ui::state::training::{ExportPurpose, TrainerStatus, TrainingState};

/// The panel, closed until the student opens it. `use_model` adds a model trained here to
/// the lab (which loads it).
#[component]
pub fn TrainingPanel(
    preference: BackendPreference,
    use_model: Callback<TrainedFiles>,
) -> impl IntoView {
    let state = RwSignal::new(TrainingState::default());
    let client = StoredValue::new_local(None::<TrainerClient>);
    let send = move |message: ToTrainerWorker| {
        let sent = client.with_value(|client| match client {
            Some(client) => client.send(&message),
            None => Err("the trainer is not running; open the panel again".to_owned()),
        });
        if let Err(err) = sent {
            state.update(|s| s.error = Some(err));
        }
    };
    let on_event = move |event: TrainerEvent| match event {
        TrainerEvent::Message(message) => match *message {
            FromTrainerWorker::Started => send(ToTrainerWorker::Init { preference }),
            FromTrainerWorker::Session(FromTrainer::Exported(files)) => {
                match state.try_update(TrainingState::exported).flatten() {
                    Some(ExportPurpose::Use) => use_model.run(files),
                    Some(ExportPurpose::Download) => {
                        let name = files.bundle_name();
                        let saved =
                            dom::download_bytes(&write_bundle(&files), &name, "application/x-tar");
                        if let Err(err) = saved {
                            state.update(|s| {
                                s.notice = None;
                                s.error = Some(format!("The browser refused the download: {err}."));
                            });
                        }
                    }
                    None => {}
                }
            }
            message => state.update(|s| s.on_message(message)),
        },
        TrainerEvent::Ended(reason) => {
            state.update(|s| s.crashed(&reason));
            // The worker is dead: let it go, so that opening again starts a new one.
            leptos::task::spawn_local(async move { client.set_value(None) });
        }
    };
    let open = move |_| {
        state.update(TrainingState::opening);
        match TrainerClient::spawn(on_event) {
            Ok(spawned) => client.set_value(Some(spawned)),
            Err(err) => state.update(|s| s.status = TrainerStatus::Failed(err)),
        }
    };
    on_cleanup(move || client.set_value(None));

    let status = move || state.with(|s| s.status.clone());
    let closed = move || matches!(status(), TrainerStatus::Closed | TrainerStatus::Failed(_)) && client.with_value(Option::is_none);
    let session = move |message: ToTrainer| send(ToTrainerWorker::Session(message));
    let export = move |purpose: ExportPurpose| {
        if let Some(Some(request)) = state.try_update(|s| s.export(purpose)) {
            session(request);
        }
    };
    let start = move |_| {
        if let Some(Ok(request)) = state.try_update(TrainingState::start) {
            session(request);
        }
    };
    view! {
        <section class="card training" data-testid="training-panel">
            <h2>"Watch a codebook learn"</h2>
            <p class="hint">
                "Train a small VQ-VAE on 3 000 Fashion-MNIST images, here in your browser, and watch \
                 its codebook: codes that never win die, a bad start collapses to a handful of \
                 codes, revival brings them back."
            </p>
            {move || closed().then(|| view! {
                <button class="primary" data-testid="open-training" on:click=open>
                    "Open the training panel"
                </button>
            })}
            <p class="status" data-testid="training-status"
                data-status=move || state.with(|s| status_name(&s.status))
                data-step=move || state.with(|s| s.run.as_ref().map_or(0, |run| run.step))
                data-images-per-second=move || state.with(|s| s.run.as_ref().map_or(0.0, |run| run.images_per_second))
                role="status">
                {move || state.with(TrainingState::status_line)}
            </p>
            {move || state.with(|s| s.error.clone()).map(|error| view! {
                <p class="error" role="alert" data-testid="training-error">{error}</p>
            })}
            {move || (!closed()).then(|| view! {
                <Presets state=state />
                <Knobs state=state />
                <div class="training-buttons">
                    <button class="primary" data-testid="training-start"
                        disabled=move || !state.with(TrainingState::can_start)
                        on:click=start>
                        {move || if state.with(|s| s.run.is_some()) { "Start again" } else { "Start" }}
                    </button>
                    <button data-testid="training-pause"
                        disabled=move || status() != TrainerStatus::Running
                        on:click=move |_| {
                            // Paused, the figures show the model as it stands, not as it was
                            // at the last evaluation.
                            session(ToTrainer::Pause);
                            session(ToTrainer::Evaluate);
                        }>"Pause"</button>
                    <button data-testid="training-resume"
                        disabled=move || !matches!(status(), TrainerStatus::Paused(_))
                        on:click=move |_| session(ToTrainer::Resume)>"Resume"</button>
                    <button data-testid="training-reset"
                        disabled=move || state.with(|s| s.run.is_none())
                        on:click=move |_| session(ToTrainer::Reset)>"Reset"</button>
                </div>
                <div class="training-buttons">
                    <button data-testid="training-use"
                        title="Add the model as it stands to the lab above, which loads it"
                        disabled=move || !state.with(TrainingState::can_export)
                        on:click=move |_| export(ExportPurpose::Use)>"Use this model in the lab"</button>
                    <button data-testid="training-download"
                        title="Download the model as it stands, as one .vqlab.tar file"
                        disabled=move || !state.with(TrainingState::can_export)
                        on:click=move |_| export(ExportPurpose::Download)>"Download this model"</button>
                </div>
                {move || state.with(|s| s.notice.clone()).map(|notice| view! {
                    <p class="notice" role="status" data-testid="training-notice">{notice}</p>
                })}
                <Charts state=state />
                <Pictures state=state />
            })}
        </section>
    }
}

/// The status as the end-to-end tests read it (`data-status`).
fn status_name(status: &TrainerStatus) -> &'static str {
    match status {
        TrainerStatus::Closed => "closed",
        TrainerStatus::Starting => "starting",
        TrainerStatus::Downloading => "downloading",
        TrainerStatus::Idle => "idle",
        TrainerStatus::Running => "running",
        TrainerStatus::Paused(_) => "paused",
        TrainerStatus::Finished => "finished",
        TrainerStatus::Failed(_) => "failed",
    }
}
