//! The sampling fields (class, temperature, top-k, seed), shared by sampling and completion.

use leptos::prelude::*;

use crate::ui::sampling::SamplingInput;
use crate::ui::state::LabState;

/// The class names of the loaded model (empty for an unconditional prior).
fn class_names(lab: RwSignal<LabState>) -> Vec<String> {
    lab.with(|lab| {
        lab.model
            .loaded()
            .map_or_else(Vec::new, |info| info.class_names.clone())
    })
}

/// The sampling controls, shared by sampling and completion.
#[component]
pub fn SamplingControls(lab: RwSignal<LabState>, input: RwSignal<SamplingInput>) -> impl IntoView {
    // A changed field takes back the sentence about the last bad value (the next drawing
    // checks the fields again).
    let field = move |event: &leptos::ev::Event, set: fn(&mut SamplingInput, String)| {
        let value = event_target_value(event);
        input.update(|input| set(input, value));
        if lab.with_untracked(|lab| lab.prior.draw_error.is_some()) {
            lab.update(|lab| lab.prior.draw_error = None);
        }
    };
    let classes = move || {
        let names = class_names(lab);
        (!names.is_empty()).then(|| {
            view! {
                <label>
                    "Class "
                    <select
                        data-testid="sample-class"
                        on:change=move |event| field(&event, |i, v| i.class = v)
                    >
                        <option value="" selected=move || input.with(|i| i.class.is_empty())>
                            "any (no class)"
                        </option>
                        {names
                            .into_iter()
                            .enumerate()
                            .map(|(index, name)| {
                                let value = index.to_string();
                                let chosen = value.clone();
                                view! {
                                    <option
                                        value=value
                                        selected=move || input.with(|i| i.class == chosen)
                                    >
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        })
    };
    view! {
        <div class="lab-row sampling">
            {classes}
            <label title="Logits are divided by it: below 1 is more conservative, above 1 more varied">
                "Temperature "
                <input
                    type="number"
                    step="0.1"
                    min="0.1"
                    data-testid="sample-temperature"
                    prop:value=move || input.with(|i| i.temperature.clone())
                    on:input=move |event| field(&event, |i, v| i.temperature = v)
                />
            </label>
            <label title="Draw only among the k most likely codes; empty: all codes">
                "Top-k "
                <input
                    type="number"
                    min="1"
                    placeholder="all"
                    data-testid="sample-top-k"
                    prop:value=move || input.with(|i| i.top_k.clone())
                    on:input=move |event| field(&event, |i, v| i.top_k = v)
                />
            </label>
            <label title="The same seed gives the same picture on the same backend">
                "Seed "
                <input
                    type="number"
                    min="0"
                    data-testid="sample-seed"
                    prop:value=move || input.with(|i| i.seed.clone())
                    on:input=move |event| field(&event, |i, v| i.seed = v)
                />
            </label>
            <button
                data-testid="new-seed"
                title="A new seed"
                on:click=move |_| {
                    let seed = (js_sys::Math::random() * 1e6) as u64;
                    input.update(|i| i.seed = seed.to_string());
                }
            >
                "New seed"
            </button>
        </div>
    }
}
