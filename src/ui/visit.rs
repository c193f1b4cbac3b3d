//! The browser's side of [`crate::ui::first_visit`]: its markers in `localStorage`, reached
//! through `Reflect` (no web-sys feature). Storage that cannot be read (a private mode, storage
//! switched off) reads as an earlier visit; a write the browser refuses is a warning in the
//! console, never a line on the page.

use wasm_bindgen::JsValue;

use crate::js::{call_method, describe};
use crate::ui::first_visit::{Markers, TOUR_KEY, VISITED, VISITED_KEY};
use crate::ui::tour::TourMark;

/// The page's `localStorage` (reading it throws where storage is blocked).
fn storage() -> Result<JsValue, JsValue> {
    let storage = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("localStorage"))?;
    if storage.is_null() || storage.is_undefined() {
        return Err(JsValue::from_str("this browser has no localStorage"));
    }
    Ok(storage)
}

/// The value stored under `key`, if any.
fn read(storage: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    call_method(storage, "getItem", &[JsValue::from_str(key)]).map(|value| value.as_string())
}

/// What the browser remembers of earlier visits ([`Markers::unavailable`] when it cannot say).
pub fn markers() -> Markers {
    let stored = storage().and_then(|storage| {
        Ok(Markers::from_values(
            read(&storage, VISITED_KEY)?.as_deref(),
            read(&storage, TOUR_KEY)?.as_deref(),
        ))
    });
    stored.unwrap_or_else(|_| Markers::unavailable())
}

/// Stores `value` under `key`.
fn write(key: &str, value: &str) {
    let written = storage().and_then(|storage| {
        call_method(
            &storage,
            "setItem",
            &[JsValue::from_str(key), JsValue::from_str(value)],
        )
    });
    if let Err(err) = written {
        let message = format!(
            "VQ Lab could not remember {key} in this browser ({})",
            describe(&err)
        );
        web_sys::console::warn_1(&message.into());
    }
}

/// Remembers that this browser has opened the lab.
pub fn mark_visited() {
    write(VISITED_KEY, VISITED);
}

/// Remembers how far the tour went.
pub fn mark_tour(mark: TourMark) {
    if let Some(value) = mark.stored() {
        write(TOUR_KEY, &value);
    }
}
