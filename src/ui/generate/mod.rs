//! The prior in the page: the Generate card draws new grids and shows them fill in, with a
//! timeline ([`gallery`]); the sampling fields ([`controls`]) serve it and the lab's
//! completion; [`prior_tools`] are the prior's tools on the lab's grid (suggestions, mask and
//! completion).

mod controls;
mod gallery;
mod prior_tools;

use leptos::prelude::*;

use self::controls::SamplingControls;
use self::gallery::{DrawingGallery, StopButton, start_drawing};
pub use self::prior_tools::PriorTools;
use crate::protocol::ToEngine;
use crate::ui::dom::scroll_to;
use crate::ui::engine_client::Engine;
use crate::ui::sampling::SamplingInput;
use crate::ui::state::LabState;
use crate::ui::state::prior::DrawPurpose;

/// The card that draws new grids from the prior.
#[component]
pub fn SamplePanel(
    engine: Engine,
    lab: RwSignal<LabState>,
    input: RwSignal<SamplingInput>,
) -> impl IntoView {
    let count = RwSignal::new(4usize);
    let at = RwSignal::new(None::<usize>);
    let start = move || {
        start_drawing(
            engine,
            lab,
            input,
            at,
            DrawPurpose::Sample,
            |id, sampling| ToEngine::Sample {
                id,
                sampling,
                count: count.get_untracked(),
            },
        );
    };
    let use_sample = Callback::new(move |index: usize| {
        let Some(last) = lab.with_untracked(|lab| lab.prior.drawing.as_ref()?.latest().cloned()) else {
            return;
        };
        let Some(codes) = last.grids.get(index).cloned() else {
            return;
        };
        let seed = input.with_untracked(|i| i.seed.clone());
        let source = format!("Sample {} (seed {seed})", index + 1);
        lab.update(|lab| lab.encoding = Some(source.clone()));
        engine.send(ToEngine::UseGrid {
            source,
            grid_width: last.grid_width,
            grid_height: last.grid_height,
            codes,
        });
        scroll_to("lab");
    });
    view! {
        <section class="card generate" data-testid="generate">
            <h2>"Generate with the prior"</h2>
            <p class="hint">
                "The PixelCNN prior draws one code at a time in raster order (left to right, top \
                 to bottom), each given the codes before it; the decoder turns the grid into a \
                 picture. Watch the grid fill in, then step back through it on the timeline."
            </p>
            <SamplingControls lab=lab input=input />
            {move || lab.with(LabState::no_prior).map(|sentence| view! {
                <p class="hint no-prior" role="note" data-testid="no-prior-sample">{sentence}</p>
            })}
            <div class="lab-row">
                <label>
                    "Samples "
                    <select
                        data-testid="sample-count"
                        on:change=move |event| {
                            count.set(event_target_value(&event).parse().unwrap_or(4));
                        }
                    >
                        {[1usize, 2, 4, 8]
                            .into_iter()
                            .map(|n| view! { <option value=n selected=n == 4>{n}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button
                    class="primary"
                    data-testid="sample-button"
                    prop:disabled=move || {
                        lab.with(|lab| lab.is_drawing() || lab.no_prior().is_some())
                    }
                    on:click=move |_| start()
                >
                    "Sample"
                </button>
                <StopButton engine=engine lab=lab purpose=DrawPurpose::Sample />
            </div>
            {move || lab.with(|lab| lab.prior.draw_error.clone()).map(|message| view! {
                <div class="error" role="alert" data-testid="draw-error">{message}</div>
            })}
            <DrawingGallery
                lab=lab
                purpose=DrawPurpose::Sample
                at=at
                testid="sample"
                label=|_| "Edit in the lab".to_owned()
                on_use=use_sample
            />
        </section>
    }
}
