//! The page (main thread): Leptos components that talk to the engine through
//! [`crate::protocol`] and hold no tensor (the `ui` feature, without burn).
//!
//! Plain Rust, compiled natively and tested with `cargo test` (no DOM, no feature):
//!
//! - [`state`]: what the page knows, changed by the engine's messages and by the user, one
//!   module per concern (the engine, the model, the image and its history, the prior);
//! - [`tools`]: the editing tools, the cells of a brush, a rectangle and a paste;
//! - [`keys`]: the keyboard shortcuts and the list the help overlay shows;
//! - [`colouring`]: the heatmap's colourings; [`layout`]: where outlines and veils go;
//! - [`statistics`]: the error map and PSNR, margins, codebook usage, surprisal totals;
//! - [`explain`]: perplexity, dead codes and compression explained on the current image;
//! - [`atlas`]: the codebook's tiles, their mean colours, the atlas;
//! - [`charts`]: the training panel's curves, axes and histogram as geometry;
//! - [`codebook_map`]: the codebook's 2-D map laid out, code-to-code distances;
//! - [`checks`]: codes typed and grids imported, checked against the loaded model;
//! - [`share`]: the grid file and the share link; [`sampling`]: the sampling fields;
//! - [`first_visit`]: what the first screen does (the example, the tour); [`tour`]: the tour's
//!   steps and how far it went; [`modes`]: presentation mode and the embedded page.
//!
//! The page itself (wasm32 with the `ui` feature): [`App`], the engine's client, the badge,
//! `dom` (canvas and document helpers), `visit` (the first visit's markers in `localStorage`),
//! `presentation` (its button), `lab/` (the lab card, with the tour's card), `generate/`
//! (the prior's views) and `training/` (the training panel and its worker's client).

/// Items of the page only: wasm32 with the `ui` feature. Everything else in `ui` compiles
/// natively, so that it is tested with `cargo test`.
macro_rules! page {
    ($($item:item)*) => {
        $( #[cfg(all(target_arch = "wasm32", feature = "ui"))] $item )*
    };
}

pub mod atlas;
pub mod charts;
pub mod checks;
pub mod codebook_map;
pub mod colouring;
pub mod explain;
pub mod first_visit;
#[cfg(test)]
mod fixtures;
pub mod keys;
pub mod layout;
pub mod modes;
pub mod sampling;
pub mod share;
pub mod state;
pub mod statistics;
pub mod tools;
pub mod tour;

page! {
    mod app;
    mod badge;
    mod dom;
    mod engine_client;
    mod generate;
    mod lab;
    mod location;
    mod presentation;
    mod store;
    mod training;
    mod visit;

    pub use app::App;
    pub use badge::BackendBadge;
    pub use engine_client::{EngineClient, EngineHandle};
}

pub use state::engine::{EngineEvent, EngineState, next_state};

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
