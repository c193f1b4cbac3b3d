//! "What the numbers say about this image": perplexity, dead codes and compression explained on
//! the current grid ([`crate::ui::explain`]), folded until opened.

use leptos::prelude::*;

use crate::ui::explain::{Explained, explain};
use crate::ui::state::LabState;

/// The folded explanation under the lab's views.
#[component]
pub fn Numbers(lab: RwSignal<LabState>) -> impl IntoView {
    let explained = Memo::new(move |_| {
        lab.with(|lab| -> Option<Explained> {
            let image = lab.image.as_ref()?;
            let info = lab.model.loaded()?;
            // None for a model trained in the page: its manifest counts no training grids.
            let train_usage = lab
                .model
                .codebook
                .as_ref()
                .map(|c| c.train_usage.as_slice())
                .filter(|usage| !usage.is_empty());
            Some(explain(
                &image.codes,
                image.encoding.grid_width,
                (image.encoding.width, image.encoding.height),
                info,
                train_usage,
                lab.current_surprisal(),
            ))
        })
    });
    view! {
        <details class="numbers" data-testid="numbers">
            <summary>"What the numbers say about this image"</summary>
            {move || explained.get().map(|explained| view! {
                <p data-testid="numbers-perplexity">{explained.perplexity}</p>
                {explained.dead.map(|dead| view! { <p data-testid="numbers-dead">{dead}</p> })}
                <p data-testid="numbers-compression">{explained.compression}</p>
            })}
        </details>
    }
}
