//! The engine's Web Worker: receives [`ToEngine`], answers [`FromEngine`].
//!
//! Started by the `engine_worker` binary. A panic is reported to the page as
//! [`FromEngine::Panicked`] before the worker dies (wasm32 aborts on panic).

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::{ChosenDevice, choose, warmup};
use crate::protocol::{EngineReport, FromEngine, ToEngine};

thread_local! {
    /// The device, chosen by the first [`ToEngine::Init`] and kept for the worker's life.
    static CHOSEN: RefCell<Option<ChosenDevice>> = const { RefCell::new(None) };
}

/// Installs the panic hook and the message handler, then says [`FromEngine::Started`].
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("VQ Lab engine panicked: {message}").into());
        post(&FromEngine::Panicked { message });
    }));
    let Some(scope) = scope() else {
        web_sys::console::error_1(&"the engine must run in a dedicated worker".into());
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToEngine>(event.data()) {
            Ok(request) => wasm_bindgen_futures::spawn_local(handle(request)),
            Err(err) => post(&FromEngine::Failed {
                message: format!("The engine received a message it does not understand: {err}."),
            }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromEngine::Started);
}

async fn handle(request: ToEngine) {
    let answer = match request {
        ToEngine::Init { preference } => {
            let chosen = match CHOSEN.with_borrow(Clone::clone) {
                Some(chosen) => chosen,
                None => {
                    let chosen = choose(preference).await;
                    CHOSEN.set(Some(chosen.clone()));
                    chosen
                }
            };
            match warmup(&chosen.device).await {
                Ok(warmup) => FromEngine::Ready(EngineReport {
                    backend: chosen.backend,
                    adapter: chosen.adapter,
                    reason: chosen.reason,
                    notice: chosen.notice,
                    warmup,
                }),
                Err(err) => FromEngine::Failed {
                    message: format!(
                        "The warm-up computation failed: {err}. Reload the page, or try \
                         ?backend=cpu."
                    ),
                },
            }
        }
    };
    post(&answer);
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .ok()
}

/// Sends `message` to the page; a failure can only be logged (there is no one else to tell).
fn post(message: &FromEngine) {
    let Some(scope) = scope() else { return };
    let sent = serde_wasm_bindgen::to_value(message)
        .map_err(|err| err.to_string())
        .and_then(|value| {
            scope
                .post_message(&value)
                .map_err(|err| crate::js::describe(&err))
        });
    if let Err(err) = sent {
        web_sys::console::error_1(&format!("the engine could not post {message:?}: {err}").into());
    }
}
