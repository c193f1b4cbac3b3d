//! The model: the select of the catalogue's models (with the models trained in the page, and
//! the input that loads one from its download), and the chosen one's loading (a progress
//! bar), its facts once loaded, or the sentence that says why it could not be loaded.

use leptos::prelude::*;

use super::intake::Intake;
use crate::ui::state::LabState;
use crate::ui::state::model::{ModelStatus, load_progress, loaded_line, option_label};

/// The model select: one option a model of the catalogue, `name — title` (the catalogue
/// grows when a model trained in the page is added); then the input that adds a trained
/// model from its download ([`TrainedModelInput`]).
#[component]
pub fn ModelSelect(lab: RwSignal<LabState>, intake: Intake) -> impl IntoView {
    let options = move || {
        lab.with(|lab| {
            lab.model
                .catalogue
                .models
                .iter()
                .map(|model| (model.name.clone(), option_label(model)))
                .collect::<Vec<_>>()
        })
    };
    // The select shows the model that loads, however it was asked for (a trained model added
    // loads as if picked here).
    Effect::new(move |_| {
        let loading = lab.with(|lab| match &lab.model.status {
            ModelStatus::Loading { name, .. } => Some(name.clone()),
            _ => None,
        });
        if let Some(name) = loading
            && intake.model_name.get_untracked() != name
        {
            intake.model_name.set(name);
        }
    });
    view! {
        <label>
            "Model "
            <select
                data-testid="model-select"
                prop:value=move || intake.model_name.get()
                prop:disabled=move || lab.with(|lab| lab.model.is_loading())
                on:change=move |event| {
                    let name = event_target_value(&event);
                    intake.model_name.set(name.clone());
                    intake.load(name);
                }
            >
                {move || {
                    options()
                        .into_iter()
                        .map(|(name, label)| {
                            let selected = intake.model_name.get_untracked() == name;
                            view! { <option value=name selected=selected>{label}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
        <TrainedModelInput lab=lab intake=intake />
    }
}

/// "Load a trained model": a `.vqlab.tar` the training panel downloaded (or its three files
/// together) becomes a model of the select; a file that is not one gets a sentence, and
/// nothing else changes.
#[component]
fn TrainedModelInput(lab: RwSignal<LabState>, intake: Intake) -> impl IntoView {
    let on_change = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        if !files.is_empty() {
            intake.read_trained(files);
        }
        // The same file may be chosen again.
        input.set_value("");
    };
    let busy = move || lab.with(|lab| lab.model.is_loading() || lab.model.adding.is_some());
    view! {
        <label class="trained-model">
            "Load a trained model (.vqlab.tar) "
            <input
                type="file"
                accept=".tar,.json,.bpk"
                multiple=true
                data-testid="load-trained-model"
                prop:disabled=busy
                on:change=on_change
            />
        </label>
        {move || {
            lab.with(|lab| lab.model.trained_error.clone())
                .map(|message| view! {
                    <div class="error" role="alert" data-testid="trained-model-error">{message}</div>
                })
        }}
    }
}

/// Where the chosen model stands.
#[component]
pub fn ModelStatusPanel(lab: RwSignal<LabState>) -> impl IntoView {
    move || {
        lab.with(|lab| match &lab.model.status {
            ModelStatus::None => ().into_any(),
            ModelStatus::Loading {
                name,
                stage,
                loaded,
                total,
            } => {
                let progress = load_progress(name, *stage, *loaded, *total);
                view! {
                    <div class="load" data-testid="model-loading" aria-live="polite">
                        <progress data-testid="load-progress" max=progress.max value=progress.value></progress>
                        <span data-testid="load-stage" data-stage=stage.label()>{progress.detail}</span>
                    </div>
                }
                .into_any()
            }
            ModelStatus::Loaded(info) => view! {
                <p class="status ready" data-testid="model-status" data-model=info.name.clone()>
                    {loaded_line(info)}
                </p>
            }
            .into_any(),
            ModelStatus::Failed { message, .. } => view! {
                <div class="error" role="alert" data-testid="model-error">{message.clone()}</div>
            }
            .into_any(),
        })
    }
}
