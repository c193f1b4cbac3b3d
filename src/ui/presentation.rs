//! Presentation mode's button: large views and the secondary controls hidden (the `presenting`
//! class on the page's root; `www/style.css` says what grows and what goes), for slides and
//! projectors. It turns the mode on and off without a reload, and the address follows
//! (`?present`, through `history.replaceState`), so that a reload stays in the mode.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::js::{call_method, describe};
use crate::ui::modes::{PRESENT, address_with};

/// Names `?present` in the address (or not), keeping its other parameters and its fragment.
fn follow_in_address(present: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(pathname), Ok(search), Ok(hash)) =
        (location.pathname(), location.search(), location.hash())
    else {
        return;
    };
    let address = address_with(&pathname, &search, &hash, PRESENT, present);
    let replaced =
        js_sys::Reflect::get(&window, &JsValue::from_str("history")).and_then(|history| {
            let state = js_sys::Reflect::get(&history, &JsValue::from_str("state"))?;
            call_method(
                &history,
                "replaceState",
                &[state, JsValue::from_str(""), JsValue::from_str(&address)],
            )
        });
    if let Err(err) = replaced {
        let message = format!(
            "the address could not follow presentation mode ({})",
            describe(&err)
        );
        web_sys::console::warn_1(&message.into());
    }
}

/// The button that turns presentation mode on and off.
#[component]
pub fn PresentationToggle(present: RwSignal<bool>) -> impl IntoView {
    let toggle = move |_| {
        let on = !present.get_untracked();
        present.set(on);
        follow_in_address(on);
    };
    view! {
        <button
            class="present-toggle"
            data-testid="present-toggle"
            aria-pressed=move || present.get().to_string()
            title="Large views, the secondary controls hidden: for slides and projectors (?present in the address)"
            on:click=toggle
        >
            "Presentation mode"
        </button>
    }
}
