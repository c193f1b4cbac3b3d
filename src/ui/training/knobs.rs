//! The knobs of the next run: the presets in one click, then every knob by hand.

use leptos::prelude::*;

use crate::protocol::{CodebookUpdate, Initialisation, Preset, TrainingSetup};
use crate::ui::state::training::TrainingState;

/// The `data-testid` of a preset's button.
pub fn preset_testid(preset: Preset) -> &'static str {
    match preset {
        Preset::PaperRecipe => "preset-recipe",
        Preset::Collapse => "preset-collapse",
        Preset::EmaKmeansRevival => "preset-ema",
    }
}

/// What a preset teaches, in one line.
fn preset_lesson(preset: Preset) -> &'static str {
    match preset {
        Preset::PaperRecipe => "K = 128, codebook learned by its loss from a random start.",
        Preset::Collapse => "K = 512, D = 64, a normal start far from the encoder, no revival: most codes never win.",
        Preset::EmaKmeansRevival => "EMA updates, k-means start, dead codes revived after 50 steps.",
    }
}

/// The presets as buttons, the chosen one pressed.
#[component]
pub fn Presets(state: RwSignal<TrainingState>) -> impl IntoView {
    view! {
        <div class="training-presets" role="group" aria-label="Presets">
            {Preset::ALL
                .into_iter()
                .map(|preset| view! {
                    <button
                        data-testid=preset_testid(preset)
                        title=preset_lesson(preset)
                        aria-pressed=move || state.with(|s| (s.preset == Some(preset)).to_string())
                        on:click=move |_| state.update(|s| s.choose_preset(preset))
                    >
                        {preset.label()}
                    </button>
                })
                .collect_view()}
        </div>
    }
}

/// A `<select>` of numbers for one knob.
fn number_select(
    state: RwSignal<TrainingState>,
    testid: &'static str,
    choices: &'static [usize],
    read: fn(&TrainingSetup) -> usize,
    write: fn(&mut TrainingSetup, usize),
) -> impl IntoView {
    view! {
        <select
            data-testid=testid
            on:change=move |event| {
                if let Ok(value) = event_target_value(&event).parse::<usize>() {
                    state.update(|s| s.edit_setup(|setup| write(setup, value)));
                }
            }
        >
            {choices
                .iter()
                .map(|&choice| view! {
                    <option
                        value=choice.to_string()
                        selected=move || state.with(|s| read(&s.setup) == choice)
                    >
                        {choice.to_string()}
                    </option>
                })
                .collect_view()}
        </select>
    }
}

/// Every knob by hand; a change leaves the preset (or finds the one it matches).
#[component]
pub fn Knobs(state: RwSignal<TrainingState>) -> impl IntoView {
    let real = move |event: &leptos::ev::Event, write: fn(&mut TrainingSetup, f64)| {
        if let Ok(value) = event_target_value(event).trim().parse::<f64>() {
            state.update(|s| s.edit_setup(|setup| write(setup, value)));
        }
    };
    let whole = move |event: &leptos::ev::Event, write: fn(&mut TrainingSetup, usize)| {
        if let Ok(value) = event_target_value(event).trim().parse::<usize>() {
            state.update(|s| s.edit_setup(|setup| write(setup, value)));
        }
    };
    view! {
        <details class="training-knobs" data-testid="training-knobs">
            <summary>"Knobs"</summary>
            <div class="knob-grid">
                <label>"Codes K "
                    {number_select(state, "knob-k", &[16, 32, 64, 128, 256, 512],
                        |s| s.codebook_size, |s, v| s.codebook_size = v)}
                </label>
                <label>"Dimension D "
                    {number_select(state, "knob-d", &[2, 4, 8, 16, 32, 64],
                        |s| s.embedding_dim, |s, v| s.embedding_dim = v)}
                </label>
                <label>"Commitment β "
                    <input type="number" step="0.05" min="0" max="2" data-testid="knob-beta"
                        prop:value=move || state.with(|s| s.setup.commitment_cost.to_string())
                        on:change=move |event| real(&event, |s, v| s.commitment_cost = v) />
                </label>
                <label>"Codebook update "
                    <select data-testid="knob-update" on:change=move |event| {
                        let update = if event_target_value(&event) == "ema" { CodebookUpdate::Ema } else { CodebookUpdate::Loss };
                        state.update(|s| s.edit_setup(|setup| setup.codebook_update = update));
                    }>
                        <option value="loss" selected=move || state.with(|s| s.setup.codebook_update == CodebookUpdate::Loss)>"its loss"</option>
                        <option value="ema" selected=move || state.with(|s| s.setup.codebook_update == CodebookUpdate::Ema)>"EMA"</option>
                    </select>
                </label>
                <label>"Start "
                    <select data-testid="knob-init" on:change=move |event| {
                        let init = match event_target_value(&event).as_str() {
                            "kmeans" => Initialisation::KMeans,
                            "normal" => Initialisation::Normal,
                            _ => Initialisation::Random,
                        };
                        state.update(|s| s.edit_setup(|setup| setup.initialisation = init));
                    }>
                        <option value="random" selected=move || state.with(|s| s.setup.initialisation == Initialisation::Random)>"random, uniform in ±1/K (the paper's)"</option>
                        <option value="normal" selected=move || state.with(|s| s.setup.initialisation == Initialisation::Normal)>"random, normal N(0, 1) (PyTorch's nn.Embedding)"</option>
                        <option value="kmeans" selected=move || state.with(|s| s.setup.initialisation == Initialisation::KMeans)>"k-means on the first batch"</option>
                    </select>
                </label>
                <label>"Revive dead codes "
                    <input type="checkbox" data-testid="knob-revive"
                        prop:checked=move || state.with(|s| s.setup.revive_after.is_some())
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            state.update(|s| s.edit_setup(|setup| setup.revive_after = on.then_some(50)));
                        } />
                    " after "
                    <input type="number" min="1" max="10000" class="short" data-testid="knob-revive-after"
                        prop:value=move || state.with(|s| s.setup.revive_after.unwrap_or(50).to_string())
                        prop:disabled=move || state.with(|s| s.setup.revive_after.is_none())
                        on:change=move |event| whole(&event, |s, v| s.revive_after = Some(v)) />
                    " idle steps"
                </label>
                <label>"Learning rate "
                    <input type="number" step="0.0001" min="0.00001" max="0.01" data-testid="knob-lr"
                        prop:value=move || state.with(|s| s.setup.learning_rate.to_string())
                        on:change=move |event| real(&event, |s, v| s.learning_rate = v) />
                </label>
                <label>"Batch "
                    {number_select(state, "knob-batch", &[8, 16, 32, 64, 128],
                        |s| s.batch_size, |s, v| s.batch_size = v)}
                </label>
                <label>"Steps "
                    <input type="number" min="1" max="100000" data-testid="knob-steps"
                        prop:value=move || state.with(|s| s.setup.steps.to_string())
                        on:change=move |event| whole(&event, |s, v| s.steps = v) />
                </label>
            </div>
        </details>
    }
}
