//! The lab's inputs: the built-in examples of the chosen model (from the catalogue), the file
//! picker, the size of colour images and the inversion of grey ones; and the lines that say
//! what is being encoded, what was encoded, or why a file could not be used.

use leptos::prelude::*;

use super::intake::Intake;
use crate::protocol::{DEFAULT_PHOTO_SIZE, Invert, PHOTO_SIZES};
use crate::ui::state::LabState;

/// The examples of the chosen model, with the words that say where they come from.
#[component]
fn Examples(lab: RwSignal<LabState>, intake: Intake) -> impl IntoView {
    move || {
        // The catalogue does not change; only the chosen model re-renders the examples.
        let name = intake.model_name.get();
        let model = lab.with_untracked(|lab| lab.model.catalogue.model(&name).cloned());
        model.map(|model| {
            let buttons = model
                .examples
                .into_iter()
                .map(|example| {
                    let (file, label) = (example.file.clone(), example.label.clone());
                    let (name, title) = (file.clone(), label.clone());
                    view! {
                        <button
                            class="example"
                            data-testid="example"
                            data-name=name
                            title=title
                            on:click=move |_| intake.open_example(example.clone())
                        >
                            <img src=format!("examples/{file}") alt=label width="28" height="28" />
                        </button>
                    }
                })
                .collect_view();
            view! {
                <span>{model.examples_note}</span>
                {buttons}
            }
        })
    }
}

/// The examples, the file picker, and the size or inversion select.
#[component]
pub fn Inputs(lab: RwSignal<LabState>, intake: Intake) -> impl IntoView {
    let is_grey = move || lab.with(|lab| lab.model.loaded().is_some_and(|info| info.channels == 1));
    let on_file = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            intake.read_file(file);
        }
        // The same file may be chosen again.
        input.set_value("");
    };
    let size_label = |size: u32| {
        let default = if size == DEFAULT_PHOTO_SIZE {
            " (default)"
        } else {
            ""
        };
        format!("{size} px on the long side{default}")
    };
    view! {
        <div class="lab-row inputs">
            <div class="examples">
                <Examples lab=lab intake=intake />
            </div>
            <label class="file">
                "Your image: "
                <input type="file" accept="image/*" data-testid="file-input" on:change=on_file />
            </label>
            <span class="hint">"or drop an image here, or paste one (Ctrl-V)"</span>
            <Show when=move || !is_grey()>
                <label title="Memory and time grow with the square of the size">
                    "Size "
                    <select
                        data-testid="size-select"
                        on:change=move |event| {
                            let size = event_target_value(&event)
                                .parse()
                                .unwrap_or(DEFAULT_PHOTO_SIZE);
                            intake.long_side.set(size);
                            intake.encode_again();
                        }
                    >
                        {PHOTO_SIZES
                            .iter()
                            .map(|&size| view! {
                                <option value=size selected=move || intake.long_side.get() == size>
                                    {size_label(size)}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=is_grey>
                <label title="Fashion-MNIST shows light garments on a black background">
                    "Invert "
                    <select
                        data-testid="invert-select"
                        on:change=move |event| {
                            let choice = match event_target_value(&event).as_str() {
                                "yes" => Invert::Yes,
                                "no" => Invert::No,
                                _ => Invert::Auto,
                            };
                            intake.invert.set(choice);
                            intake.encode_again();
                        }
                    >
                        <option value="auto">"when the border is light"</option>
                        <option value="yes">"always"</option>
                        <option value="no">"never"</option>
                    </select>
                </label>
            </Show>
        </div>
    }
}

/// What is being encoded, why the last file could not be used, and what was encoded.
#[component]
pub fn IntakeStatus(lab: RwSignal<LabState>) -> impl IntoView {
    view! {
        {move || lab.with(|lab| lab.encoding.clone()).map(|source| view! {
            <p class="status loading" data-testid="encoding" aria-live="polite">
                <span class="spinner" aria-hidden="true"></span>
                {format!("Encoding {source}…")}
                {move || lab.with(|lab| lab.preparing_line().map(str::to_owned)).map(|line| view! {
                    " " <span data-testid="encoding-stage">{line}</span>
                })}
            </p>
        })}
        {move || lab.with(|lab| lab.upload_error.clone()).map(|message| view! {
            <div class="error" role="alert" data-testid="upload-error">{message}</div>
        })}
        {move || lab.with(|lab| lab.image.as_ref().map(|image| {
            let encoding = &image.encoding;
            view! {
                <p class="encoded" data-testid="encoded-info">
                    {format!(
                        "{}: {}×{} → {}×{} pixels → {}×{} codes, encoded in {:.0} ms. {}",
                        encoding.source,
                        encoding.source_size.0,
                        encoding.source_size.1,
                        encoding.width,
                        encoding.height,
                        encoding.grid_width,
                        encoding.grid_height,
                        encoding.millis,
                        encoding.invert_reason,
                    )}
                </p>
            }
        }))}
    }
}
