//! Fetching files from the worker, streamed so the page can show bytes as they arrive.
//!
//! Written with `js_sys::Reflect` rather than web-sys's `Response`/`ReadableStream` bindings:
//! the engine's web-sys features are those burn's wgpu already needs, so the engine's build does
//! not change when the page needs more (see the `ui` feature in Cargo.toml).

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::source::{FetchError, ModelSource};
use crate::js::describe;

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    Reflect::get(target, &JsValue::from_str(key)).map_err(|err| describe(&err))
}

fn call0(target: &JsValue, method: &str) -> Result<JsValue, String> {
    get(target, method)?
        .dyn_into::<Function>()
        .map_err(|_| format!("{method} is not a function"))?
        .call0(target)
        .map_err(|err| describe(&err))
}

/// How long a download may wait for its answer or its next bytes before it counts as stalled.
pub const STALL_MILLIS: i32 = 30_000;

/// Awaits the promise `value`, or fails when it has not settled within [`STALL_MILLIS`].
async fn promised(value: JsValue) -> Result<JsValue, String> {
    let promise = value
        .dyn_into::<Promise>()
        .map_err(|_| "expected a promise".to_owned())?;
    let stalled = Promise::new(&mut |_resolve, reject| {
        let global = js_sys::global();
        let message = JsValue::from_str(&format!(
            "nothing arrived for {} s (the download stalled)",
            STALL_MILLIS / 1000
        ));
        let timer = get(&global, "setTimeout").and_then(|value| {
            value
                .dyn_into::<Function>()
                .map_err(|_| "setTimeout is not a function".to_owned())
        });
        if let Ok(set_timeout) = timer {
            // A rejection after the race is decided is ignored by the race.
            let reject_later = reject.bind1(&JsValue::NULL, &message);
            let _ = set_timeout.call2(&global, &reject_later, &JsValue::from(STALL_MILLIS));
        }
    });
    let race = Promise::race(&js_sys::Array::of2(&promise, &stalled));
    JsFuture::from(race).await.map_err(|err| describe(&err))
}

/// Fetches `url` (relative to the worker's script), calling `progress` with the bytes received
/// so far after each chunk.
///
/// # Errors
///
/// [`FetchError`] when the request fails or the server does not answer 200.
pub async fn fetch_bytes(url: &str, progress: &mut dyn FnMut(u64)) -> Result<Vec<u8>, FetchError> {
    let network = |reason: String| FetchError::Network {
        url: url.to_owned(),
        reason,
    };
    let global = js_sys::global();
    let fetch = get(&global, "fetch")
        .and_then(|value| {
            value
                .dyn_into::<Function>()
                .map_err(|_| "this browser has no fetch".to_owned())
        })
        .map_err(network)?;
    let response = fetch
        .call1(&global, &JsValue::from_str(url))
        .map_err(|err| network(describe(&err)))?;
    let response = promised(response).await.map_err(network)?;
    let status = get(&response, "status")
        .map_err(network)?
        .as_f64()
        .unwrap_or(0.0) as u16;
    if status != 200 {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status,
        });
    }
    let body = get(&response, "body").map_err(network)?;
    if body.is_null() || body.is_undefined() {
        // No stream (an empty body): read it whole.
        let buffer = promised(call0(&response, "arrayBuffer").map_err(network)?)
            .await
            .map_err(network)?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        progress(bytes.len() as u64);
        return Ok(bytes);
    }
    let reader = call0(&body, "getReader").map_err(network)?;
    let mut bytes = Vec::new();
    loop {
        let chunk = promised(call0(&reader, "read").map_err(network)?)
            .await
            .map_err(network)?;
        if get(&chunk, "done").map_err(network)?.is_truthy() {
            break;
        }
        let value = get(&chunk, "value").map_err(network)?;
        let array = value
            .dyn_into::<Uint8Array>()
            .map_err(|_| network("a chunk was not bytes".to_owned()))?;
        bytes.extend(array.to_vec());
        progress(bytes.len() as u64);
    }
    Ok(bytes)
}

/// The site the worker was loaded from: paths are fetched relative to the worker's script.
#[derive(Debug, Clone, Copy, Default)]
pub struct Site;

impl ModelSource for Site {
    async fn fetch(
        &self,
        path: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Vec<u8>, FetchError> {
        fetch_bytes(path, progress).await
    }
}
