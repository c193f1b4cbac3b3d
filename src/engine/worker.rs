//! The engine's Web Worker: the message glue around a [`Session`] and the panic hook.
//!
//! Started by the `engine_worker` binary. Each [`ToEngine`] is read and handed to the session,
//! whose answers ([`FromEngine`]) are posted back. A panic is reported to the page as
//! [`FromEngine::Panicked`] before the worker dies (wasm32 aborts on panic).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::fetch::Site;
use super::{EngineError, Session};
use crate::protocol::{FromEngine, ToEngine};

/// Installs the panic hook and the message handler, then says [`FromEngine::Started`]; or,
/// in a worker started as the trainer, starts that ([`super::trainer_worker`]).
pub fn start() {
    if super::trainer_worker::is_trainer() {
        super::trainer_worker::start();
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("VQ Lab engine panicked: {message}").into());
        post(FromEngine::Panicked { message });
    }));
    let Some(scope) = scope() else {
        web_sys::console::error_1(&"the engine must run in a dedicated worker".into());
        return;
    };
    let session = Rc::new(Session::new(Site, post));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToEngine>(event.data()) {
            Ok(request) => {
                let session = Rc::clone(&session);
                wasm_bindgen_futures::spawn_local(async move { session.handle(request).await });
            }
            Err(err) => session.refuse(&EngineError::Unreadable(err.to_string())),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(FromEngine::Started);
}

pub(super) fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .ok()
}

/// Posts `message` to the page (the engine's and the trainer's messages alike); the sentence
/// when it cannot be encoded or posted. Outside a worker, nothing is posted.
pub(super) fn post_to_page<T: serde::Serialize>(message: &T) -> Result<(), String> {
    let Some(scope) = scope() else { return Ok(()) };
    serde_wasm_bindgen::to_value(message)
        .map_err(|err| err.to_string())
        .and_then(|value| {
            scope
                .post_message(&value)
                .map_err(|err| crate::js::describe(&err))
        })
}

/// Sends `message` to the page; a failure can only be logged (there is no one else to tell).
fn post(message: FromEngine) {
    if let Err(err) = post_to_page(&message) {
        web_sys::console::error_1(&format!("the engine could not post {message:?}: {err}").into());
    }
}
