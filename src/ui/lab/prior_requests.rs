//! When the lab asks the prior: the surprisal of the grid while the heatmap shows it, and the
//! suggestions for the selected cell while the Select tool is in hand. Each is asked for once
//! per grid (and class, and cell), never while edits are on their way, and never twice at
//! once: a brush stroke on the photo model would otherwise queue seconds of the prior's work
//! per cell painted. The latest grid is asked for when the engine answers. A model without a
//! prior (trained in the page) is asked nothing: the views say why.

use leptos::prelude::*;

use crate::protocol::ToEngine;
use crate::ui::colouring::ColourBy;
use crate::ui::engine_client::Engine;
use crate::ui::sampling::SamplingInput;
use crate::ui::state::LabState;
use crate::ui::tools::Tool;

/// Asks for the surprisal and the suggestions as the grid, the class, the colouring, the
/// selected cell and the tool change.
pub fn schedule(
    engine: Engine,
    lab: RwSignal<LabState>,
    colour_by: RwSignal<ColourBy>,
    sampling: RwSignal<SamplingInput>,
    tool: RwSignal<Tool>,
) {
    let asked_surprisal = StoredValue::new(None::<(Vec<u32>, Option<usize>)>);
    Effect::new(move |_| {
        if colour_by.get() != ColourBy::Surprisal {
            return;
        }
        let class = sampling.with(SamplingInput::class);
        let Some(codes) = lab.with(|lab| {
            let idle = !lab.prior.measuring_surprisal
                && lab.edits.pending() == 0
                && !lab.restoring
                && lab.no_prior().is_none();
            idle.then(|| lab.image.as_ref().map(|i| i.codes.clone()))
                .flatten()
        }) else {
            return;
        };
        let key = Some((codes, class));
        if asked_surprisal.get_value() != key {
            asked_surprisal.set_value(key);
            lab.update(|lab| lab.prior.measuring_surprisal = true);
            engine.send(ToEngine::Surprisal { class });
        }
    });
    let asked_suggestions = StoredValue::new(None::<(usize, usize, Vec<u32>, Option<usize>)>);
    Effect::new(move |_| {
        if tool.get() != Tool::Select {
            return;
        }
        let class = sampling.with(SamplingInput::class);
        let Some(((row, col), codes)) = lab.with(|lab| {
            if lab.prior.suggesting
                || lab.edits.pending() > 0
                || lab.restoring
                || lab.no_prior().is_some()
            {
                return None;
            }
            Some((lab.selected?, lab.image.as_ref()?.codes.clone()))
        }) else {
            return;
        };
        let key = Some((row, col, codes, class));
        if asked_suggestions.get_value() != key {
            asked_suggestions.set_value(key);
            lab.update(|lab| lab.prior.suggesting = true);
            engine.send(ToEngine::Suggest { row, col, class });
        }
    });
}
