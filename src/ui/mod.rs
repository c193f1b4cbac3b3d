//! The page (main thread): Leptos components that talk to the engine through
//! [`crate::protocol`] and hold no tensor (the `ui` feature, without burn). The plain-data
//! modules ([`state`], [`lab_state`], [`share`], [`tools`]) compile natively, without the
//! feature, and are tested there.

#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod app;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod badge;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod cell_info;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod codebook;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod engine_client;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod generate;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod heatmap_canvas;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod history;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod lab;
pub mod lab_state;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod location;
pub mod share;
pub mod state;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
mod toolbar;
pub mod tools;

#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub use app::App;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub use badge::BackendBadge;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub use engine_client::{EngineClient, EngineHandle};
pub use state::{EngineEvent, EngineState, next_state};

/// The element of `www/index.html` the app mounts into; its loading text is replaced.
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
const MOUNT_ID: &str = "app";

/// Mounts [`App`] into the page (the whole of the `vq-lab` binary's `main`).
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub fn start() {
    use wasm_bindgen::JsCast;

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
