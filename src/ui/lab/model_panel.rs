//! The model: the select of the catalogue's models, and the chosen one's loading (a progress
//! bar), its facts once loaded, or the sentence that says why it could not be loaded.

use leptos::prelude::*;

use super::intake::Intake;
use crate::ui::state::LabState;
use crate::ui::state::model::{ModelStatus, load_progress, loaded_line, option_label};

/// The model select: one option a model of the catalogue, `name — title`.
#[component]
pub fn ModelSelect(lab: RwSignal<LabState>, intake: Intake) -> impl IntoView {
    let options: Vec<(String, String)> = lab.with_untracked(|lab| {
        lab.model
            .catalogue
            .models
            .iter()
            .map(|model| (model.name.clone(), option_label(model)))
            .collect()
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
                {options
                    .into_iter()
                    .map(|(name, label)| view! { <option value=name>{label}</option> })
                    .collect_view()}
            </select>
        </label>
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
