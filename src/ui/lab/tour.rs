//! The tour's card ([`crate::ui::tour`] holds its steps): small, fixed in a corner of the
//! window, never a modal (the page stays usable under and around it). Each step outlines the
//! element it points at (the `tour-target` class, again when the lab shows a new element) and,
//! when the user moves to it, scrolls it into view. Finishing or "Skip tour" dismisses it for
//! good; how far it went is kept in the browser, so that a reload goes on where it was.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::js::call_method;
use crate::ui::state::LabState;
use crate::ui::tour::{Action, STEPS, TourMark, after};
use crate::ui::visit;

/// The class that outlines the element of the current step (`www/style.css`).
const OUTLINE: &str = "tour-target";

/// The element step `step` points at: the first of its targets on the page.
fn target(step: usize) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    STEPS
        .get(step)?
        .targets
        .iter()
        .find_map(|selector| document.query_selector(selector).ok().flatten())
}

/// Adds the outline class to `element`, or takes it off (the class attribute as words, beside
/// the classes Leptos toggles).
fn set_outline(element: &web_sys::Element, on: bool) {
    let classes = element.class_name();
    let others: Vec<&str> = classes
        .split_whitespace()
        .filter(|class| *class != OUTLINE)
        .collect();
    let mut words = others.join(" ");
    if on {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(OUTLINE);
    }
    if words != classes {
        element.set_class_name(&words);
    }
}

/// Moves the outline to `element` (none: takes it off).
fn outline(
    outlined: StoredValue<Option<web_sys::Element>, LocalStorage>,
    element: Option<web_sys::Element>,
) {
    let previous = outlined
        .try_update_value(|held| std::mem::replace(held, element.clone()))
        .flatten();
    if let Some(previous) = previous.filter(|previous| Some(previous) != element.as_ref()) {
        set_outline(&previous, false);
    }
    if let Some(element) = element {
        set_outline(&element, true);
    }
}

/// Scrolls `element` to the middle of the window (above or below the card), or to its top
/// where the browser takes no options.
fn scroll_to_middle(element: &web_sys::Element) {
    let options = js_sys::Object::new();
    let block = (JsValue::from_str("block"), JsValue::from_str("center"));
    let centred = js_sys::Reflect::set(&options, &block.0, &block.1)
        .and_then(|_| call_method(element, "scrollIntoView", &[options.into()]));
    if centred.is_err() {
        element.scroll_into_view();
    }
}

/// The tour's card, from step `start` (0-based).
#[component]
pub fn TourCard(lab: RwSignal<LabState>, start: usize) -> impl IntoView {
    let start = start.min(STEPS.len() - 1);
    let step = RwSignal::new(Some(start));
    // A reload before the tour is dismissed goes on at this step.
    visit::mark_tour(TourMark::At(start));
    let outlined = StoredValue::new_local(None::<web_sys::Element>);
    // What the lab shows: a step's element may appear with it (the inputs once the model is
    // loaded, the heatmap with an image, the inside of a cell with a selection).
    let lab_shows = Memo::new(move |_| {
        lab.with(|lab| {
            (
                lab.model.loaded().is_some(),
                lab.image.is_some(),
                lab.selected.is_some(),
            )
        })
    });
    Effect::new(move |_| {
        let current = step.get();
        lab_shows.track();
        // Once the lab has drawn what changed.
        request_animation_frame(move || outline(outlined, current.and_then(target)));
    });
    on_cleanup(move || outline(outlined, None));

    // A button: the next step (outlined by the effect above, and scrolled to), or the end.
    let go = move |action: Action| {
        let next = step
            .get_untracked()
            .and_then(|current| after(current, action));
        step.set(next);
        visit::mark_tour(TourMark::of(next));
        if let Some(next) = next {
            request_animation_frame(move || {
                if let Some(element) = target(next) {
                    scroll_to_middle(&element);
                }
            });
        }
    };
    // The step shown (the card goes when the tour ends); the card stays from step to step, so
    // that the button pressed keeps the focus.
    let current = move || step.get().unwrap_or(start).min(STEPS.len() - 1);
    // `current()` is below `STEPS.len()`.
    let shown = move || STEPS[current()];
    let last = move || current() + 1 == STEPS.len();
    view! {
        <Show when=move || step.get().is_some()>
            <aside class="tour" data-testid="tour" aria-label="A tour of the lab">
                <p class="tour-count">{move || format!("Tour: step {} of {}", current() + 1, STEPS.len())}</p>
                <p class="tour-step" data-testid="tour-step" data-step=move || current() + 1 aria-live="polite">
                    <strong>{move || shown().title}</strong>
                    " "
                    {move || shown().text}
                </p>
                <div class="tour-buttons">
                    <button data-testid="tour-back" disabled=move || current() == 0 on:click=move |_| go(Action::Back)>
                        "Back"
                    </button>
                    <button data-testid="tour-next" class="primary" on:click=move |_| go(Action::Next)>
                        {move || if last() { "Done" } else { "Next" }}
                    </button>
                    <button class="tour-skip" data-testid="tour-skip" on:click=move |_| go(Action::Skip)>
                        "Skip tour"
                    </button>
                </div>
            </aside>
        </Show>
    }
}
