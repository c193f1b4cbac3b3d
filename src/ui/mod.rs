//! The page (main thread): Leptos components that talk to the engine through
//! [`crate::protocol`] and hold no tensor.

mod app;
mod badge;
mod engine_client;
mod location;

pub use app::{App, EngineState};
pub use badge::BackendBadge;
pub use engine_client::{EngineClient, EngineEvent, EngineHandle};

use wasm_bindgen::JsCast;

/// The element of `www/index.html` the app mounts into; its loading text is replaced.
const MOUNT_ID: &str = "app";

/// Mounts [`App`] into the page (the whole of the `vq-lab` binary's `main`).
pub fn start() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        web_sys::console::error_1(&"VQ Lab needs a browser window".into());
        return;
    };
    let mount_point = document
        .get_element_by_id(MOUNT_ID)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        .or_else(|| document.body());
    let Some(mount_point) = mount_point else {
        web_sys::console::error_1(&"the page has no element to mount VQ Lab into".into());
        return;
    };
    // Drop the static "Loading…" text of index.html; the app shows its own state.
    mount_point.set_inner_html("");
    leptos::mount::mount_to(mount_point, App).forget();
}
