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

/// The bytes of this module's WebAssembly memory (it only grows).
pub fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as u64
}

/// The string the global scope holds under `name`, if it is one.
pub fn global_string(name: &str) -> Option<String> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .and_then(|value| value.as_string())
}

/// Calls `target[method](...args)`: a method web-sys is not built with (its features stay as
/// they are), reached through `Reflect`.
///
/// # Errors
///
/// What JavaScript threw, or the value when `target[method]` is not a function.
pub fn call_method(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function =
        js_sys::Reflect::get(target, &JsValue::from_str(method))?.dyn_into()?;
    let args: js_sys::Array = args.iter().collect();
    function.apply(target, &args)
}
