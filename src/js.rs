//! Small helpers for JavaScript values (wasm32 only).

use wasm_bindgen::{JsCast, JsValue};

/// A readable sentence for a thrown JavaScript value.
pub fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
