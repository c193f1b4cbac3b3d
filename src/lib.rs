//! VQ Lab: a VQ-VAE laboratory that runs in the browser.
//!
//! - [`protocol`]: the typed messages between the UI and the engine; [`packed`]: their numbers
//!   as bytes.
//! - `engine` (feature `engine`): the device, the warm-up and (wasm32) the Web Worker that owns
//!   them.
//! - [`ui`]: the Leptos components on the main thread (wasm32, feature `ui`); they hold no
//!   tensor.

#[cfg(feature = "engine")]
pub mod engine;
#[cfg(target_arch = "wasm32")]
pub mod js;
pub mod packed;
pub mod protocol;
pub mod ui;
