//! Keep and share, without a server: the reconstruction as a PNG, the grid as a file (and
//! importing one), and a link whose fragment restores the model, the grid and the view
//! ([`crate::ui::share`]).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::intake::Intake;
use crate::ui::checks::{MAX_GRID_FILE_BYTES, file_size};
use crate::ui::colouring::ColourBy;
use crate::ui::dom::{canvas_png, download, file_text, set_location_hash};
use crate::ui::share::{GridFile, Shared, file_stem, fragment};
use crate::ui::state::LabState;

/// The current grid as a grid file of the loaded model.
fn current_grid(lab: RwSignal<LabState>) -> Option<GridFile> {
    lab.with_untracked(|lab| {
        let image = lab.image.as_ref()?;
        let info = lab.model.loaded()?;
        Some(GridFile::new(
            &info.name,
            image.encoding.grid_width,
            image.encoding.grid_height,
            image.codes.clone(),
        ))
    })
}

/// Downloads the reconstruction as `vq-lab-<source>.png`.
fn export_png(lab: RwSignal<LabState>) {
    let result = canvas_png("reconstruction", "there is no reconstruction yet").and_then(|href| {
        let name = lab.with_untracked(|lab| {
            lab.image
                .as_ref()
                .map_or_else(|| "image".to_owned(), |i| file_stem(&i.encoding.source))
        });
        download(&href, &format!("vq-lab-{name}.png"))
    });
    if let Err(err) = result {
        lab.update(|lab| lab.edits.error = Some(format!("The PNG could not be saved: {err}.")));
    }
}

/// Downloads the grid as `vq-lab-<model>-grid.json`.
fn export_grid(lab: RwSignal<LabState>) {
    let Some(grid) = current_grid(lab) else {
        return;
    };
    let href = format!(
        "data:application/json;charset=utf-8,{}",
        js_sys::encode_uri_component(&grid.to_json())
    );
    if let Err(err) = download(&href, &format!("vq-lab-{}-grid.json", grid.model)) {
        lab.update(|lab| lab.edits.error = Some(format!("The grid could not be saved: {err}.")));
    }
}

/// The buttons that keep and share the grid, and the share link once made.
#[component]
pub fn KeepAndShare(
    lab: RwSignal<LabState>,
    intake: Intake,
    colour_by: RwSignal<ColourBy>,
) -> impl IntoView {
    let share_url = RwSignal::new(None::<String>);
    let share = move || {
        let Some(grid) = current_grid(lab) else {
            return;
        };
        let hash = fragment(&Shared {
            grid,
            view: colour_by.get_untracked().name().to_owned(),
        });
        share_url.set(set_location_hash(&hash));
    };
    let on_import = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            let name = file.name();
            if let Err(message) = file_size(&name, file.size(), MAX_GRID_FILE_BYTES) {
                intake.refuse(message);
                input.set_value("");
                return;
            }
            spawn_local(async move {
                let read = file_text(&file).await.map_err(|err| {
                    format!("{name}: the browser could not read this file ({err}).")
                });
                let grid = read.and_then(|text| {
                    GridFile::from_json(&text).map_err(|message| format!("{name}: {message}"))
                });
                match grid {
                    Ok(grid) => intake.use_grid(grid, name),
                    Err(message) => intake.refuse(message),
                }
            });
        }
        input.set_value("");
    };
    view! {
        <div class="lab-row share">
            <button data-testid="export-png" on:click=move |_| export_png(lab)>"Download PNG"</button>
            <button data-testid="export-grid" on:click=move |_| export_grid(lab)>"Download grid"</button>
            <label class="file">
                "Import a grid: "
                <input type="file" accept=".json,application/json" data-testid="import-grid" on:change=on_import />
            </label>
            <button data-testid="share-link" on:click=move |_| share()>"Share link"</button>
            {move || share_url.get().map(|url| view! {
                <input
                    class="share-url"
                    data-testid="share-url"
                    readonly
                    aria-label="A link that restores this model, grid and view"
                    prop:value=url
                    on:focus=move |event| {
                        event_target::<web_sys::HtmlInputElement>(&event).select();
                    }
                />
            })}
        </div>
    }
}
