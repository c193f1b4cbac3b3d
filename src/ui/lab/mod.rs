//! The lab: choose a model (with a progress bar while it loads), give it an image (a built-in
//! example or a file), see the original, the reconstruction and the grid of codes as a heatmap
//! linked on hover, and edit codes with undo, redo and reset.
//!
//! [`Lab`] makes the signals its parts share and lays the parts out:
//!
//! - [`intake`] (models, images, grids in) with [`inputs`] and [`model_panel`] on the page;
//! - [`views`] (original, reconstruction, error map) and [`heatmap`] (with
//!   [`heatmap_canvas`] for large grids), linked by the hovered cell;
//! - [`editing`] (the tools at work), [`toolbar`], [`cell_info`], [`code_entry`], [`history`];
//! - [`inside`] (the selected cell's vector, its distances, the slider toward another code);
//! - [`numbers`] (perplexity, dead codes and compression explained on this image);
//! - [`codebook`] (the panel and one code's tile), [`keep`] (PNG, grid file, share link);
//! - [`shortcuts`] (the keyboard and its overlay), [`prior_requests`] (when the prior is asked);
//! - [`session`] (kept across reloads), and on a first visit the example encoded by itself and
//!   [`tour`] (the tour's card).

mod cell_info;
mod code_entry;
mod codebook;
mod editing;
mod heatmap;
mod heatmap_canvas;
mod history;
mod inputs;
mod inside;
mod intake;
mod keep;
mod losses;
mod map;
mod meaning;
mod model_panel;
mod numbers;
mod prior_requests;
mod session;
mod shortcuts;
mod toolbar;
mod tour;
mod views;

use leptos::prelude::*;

use self::cell_info::CellInfo;
use self::code_entry::CodeEntry;
use self::codebook::CodebookPanel;
use self::editing::Editing;
use self::heatmap::Heatmap;
use self::inputs::{Inputs, IntakeStatus};
use self::intake::Intake;
use self::keep::KeepAndShare;
use self::model_panel::{ModelSelect, ModelStatusPanel};
use self::shortcuts::HelpOverlay;
use self::toolbar::Toolbar;
use self::views::{ErrorMapView, PixelView};
use crate::ui::dom::location_hash;
use crate::ui::engine_client::{Engine, EngineHandle};
use crate::ui::first_visit::{Visit, first_screen};
use crate::ui::generate::{PriorTools, SamplePanel};
use crate::ui::layout::bounds;
use crate::ui::modes::Modes;
use crate::ui::sampling::SamplingInput;
use crate::ui::state::LabState;
use crate::ui::state::saved::FIRST_VIEW;
use crate::ui::store::Kept;
use crate::ui::tools::Cell;
use crate::ui::visit;

/// The lab (shown once the engine is ready).
#[component]
pub fn Lab(
    handle: EngineHandle,
    lab: RwSignal<LabState>,
    /// What the browser kept of an earlier visit (taken once).
    kept: StoredValue<Option<Kept>>,
    /// The address's modes: an embedded page keeps no session.
    modes: Modes,
) -> impl IntoView {
    let engine = Engine::new(handle, lab);
    let sampling = RwSignal::new(SamplingInput {
        sampler: crate::ui::location::sampler(),
        ..SamplingInput::default()
    });
    let colour_by = RwSignal::new(FIRST_VIEW.colour_by);
    let code_input = RwSignal::new(String::new());
    let help = RwSignal::new(false);
    let notes = session::Notes::default();
    let resume = session::take(kept, lab, notes);
    let screen = first_screen(&Visit {
        markers: visit::markers(),
        share_link: location_hash().is_some(),
        kept_session: resume.is_some(),
        embed: modes.embed,
    });
    let intake = Intake::open(engine, lab, colour_by, resume);
    if screen.example {
        intake.open_first_example();
    }
    if screen.mark_visited {
        visit::mark_visited();
    }
    // An embedded page (a course page) neither restores nor keeps a session: it must not
    // inherit, nor overwrite, the student's own.
    let keeps_session = !modes.embed;
    if keeps_session {
        session::keep(lab, intake, colour_by, notes);
    }

    let select = Callback::new(move |(row, col): Cell| {
        lab.update(|lab| lab.selected = Some((row, col)));
        let code = lab.with_untracked(|lab| lab.image.as_ref().and_then(|i| i.code(row, col)));
        code_input.set(code.map_or_else(String::new, |c| c.to_string()));
    });
    let editing = Editing::new(engine, lab, select);
    editing.release_on_pointer_up();
    shortcuts::listen(engine, lab, editing, select, help);
    prior_requests::schedule(engine, lab, colour_by, sampling, editing.tool);

    // The cells a press would change (or the hovered one), and their region on the images.
    let previewed = Memo::new(move |_| editing.preview());
    let region = Memo::new(move |_| previewed.with(|cells| bounds(cells)));
    let cell_size = Memo::new(move |_| lab.with(|lab| lab.model.loaded().map_or(1, |i| i.cell_size)));
    let original = views::original(lab);
    let reconstruction = views::reconstruction(lab);
    let loaded = move || lab.with(|lab| lab.model.loaded().is_some());
    let has_image = move || lab.with(|lab| lab.image.is_some());

    view! {
        <section
            class="card lab"
            class:dragging=move || intake.dragging.get()
            data-testid="lab"
            on:dragover=move |event: web_sys::DragEvent| intake.drag_over(&event)
            on:dragleave=move |_| intake.dragging.set(false)
            on:drop=move |event: web_sys::DragEvent| intake.dropped(&event)
        >
            <div class="lab-row">
                <ModelSelect lab=lab intake=intake />
                {keeps_session.then(|| view! {
                    <session::StartOver lab=lab intake=intake colour_by=colour_by notes=notes />
                })}
                <button
                    class="help-button"
                    data-testid="help-button"
                    aria-haspopup="dialog"
                    on:click=move |_| help.set(true)
                >
                    "Keyboard shortcuts (?)"
                </button>
            </div>
            <session::SessionNotes notes=notes />
            <ModelStatusPanel lab=lab />
            <Show when=loaded>
                <Inputs lab=lab intake=intake />
            </Show>
            <IntakeStatus lab=lab />
            <Show when=has_image>
                <div class="views">
                    <PixelView
                        testid="original"
                        title="Original (model input)"
                        pixels=original
                        region=region
                        cell_size=cell_size
                    />
                    <PixelView
                        testid="reconstruction"
                        title="Reconstruction"
                        pixels=reconstruction
                        region=region
                        cell_size=cell_size
                    />
                    <Heatmap
                        lab=lab
                        editing=editing
                        colour_by=colour_by
                        previewed=previewed
                        select=select
                    />
                    <ErrorMapView
                        original=original
                        reconstruction=reconstruction
                        region=region
                        cell_size=cell_size
                    />
                </div>
                <CellInfo engine=engine lab=lab editing=editing />
                <Toolbar editing=editing lab=lab />
                <CodeEntry engine=engine lab=lab code_input=code_input />
                <p class="hint">
                    "Hover a cell to see its region in the images; select it, type a code and press \
                     Enter to change it, or paint with the tools above. Only the pixels the changed \
                     cells can reach are decoded again."
                </p>
                // Below the edit row: it arrives after a selection, and must not move the
                // Set code button under the user's pointer.
                <inside::InsidePanel engine=engine lab=lab />
                <KeepAndShare lab=lab intake=intake colour_by=colour_by />
                <PriorTools engine=engine lab=lab input=sampling tool=editing.tool />
                <CodebookPanel engine=engine lab=lab editing=editing />
                <meaning::MeaningPanel engine=engine lab=lab />
                <numbers::Numbers lab=lab />
                <losses::LossesPanel engine=engine lab=lab />
                <map::MapPanel engine=engine lab=lab />
            </Show>
        </section>
        <Show when=loaded>
            <SamplePanel engine=engine lab=lab input=sampling />
        </Show>
        <HelpOverlay help=help />
        {screen.tour.map(|start| view! { <tour::TourCard lab=lab start=start /> })}
    }
}
