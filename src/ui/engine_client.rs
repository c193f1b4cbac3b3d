//! The UI's side of the engine: starts the worker and exchanges [`crate::protocol`] messages.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};

use leptos::prelude::*;

use super::state::LabState;
use super::state::engine::EngineEvent;
use crate::js::describe;
use crate::protocol::{CellCode, FromEngine, ToEngine};

/// The script Trunk writes for the `engine_worker` binary (`data-loader-shim`; file names are
/// not hashed, see `Trunk.toml`).
pub const WORKER_SCRIPT: &str = "./engine_worker_loader.js";

/// A cheap handle to send requests to the engine: to whichever worker runs it now (a restart
/// replaces the worker behind every handle).
#[derive(Debug, Clone)]
pub struct EngineHandle {
    worker: Rc<RefCell<Worker>>,
}

impl EngineHandle {
    /// Sends `request` to the engine.
    ///
    /// # Errors
    ///
    /// A sentence when the request cannot be serialized or posted.
    pub fn send(&self, request: &ToEngine) -> Result<(), String> {
        let value = serde_wasm_bindgen::to_value(request)
            .map_err(|err| format!("could not encode {request:?}: {err}"))?;
        self.worker.borrow().post_message(&value).map_err(|err| {
            format!(
                "could not send {request:?} to the engine: {}",
                describe(&err)
            )
        })
    }
}

/// The engine as the page's components use it: requests, numbered.
#[derive(Clone, Copy)]
pub struct Engine {
    handle: StoredValue<EngineHandle, LocalStorage>,
    lab: RwSignal<LabState>,
    next_id: StoredValue<u64>,
}

impl Engine {
    /// Wraps the worker's handle; failures to send land in `lab` as sentences.
    pub fn new(handle: EngineHandle, lab: RwSignal<LabState>) -> Self {
        Self {
            handle: StoredValue::new_local(handle),
            lab,
            next_id: StoredValue::new(1),
        }
    }

    /// Sends `request`.
    pub fn send(&self, request: ToEngine) {
        if let Err(err) = self.handle.with_value(|handle| handle.send(&request)) {
            self.lab.update(|lab| lab.edits.error = Some(err));
        }
    }

    /// Sends an edit of `cells` (part of a brush's `stroke`, if any), counted as pending
    /// until the engine answers; a stroke's cells are held while one of its edits is on its
    /// way, and sent together when it is answered ([`crate::ui::state::edits`]).
    pub fn edit(&self, cells: Vec<CellCode>, stroke: Option<u64>) {
        let requests = self
            .lab
            .try_update(|lab| lab.edits.request(cells, stroke))
            .unwrap_or_default();
        for request in requests {
            self.send(request);
        }
    }

    /// A fresh request number.
    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }
}

/// What the page does with everything a worker says.
type OnEvent = Rc<dyn Fn(EngineEvent, &EngineHandle)>;

/// A worker's event handlers: kept while it runs.
struct Handlers {
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

/// The running worker and its event handlers; dropping it ends the worker. [`Self::restart`]
/// replaces a worker that crashed: events of the old one are dropped from then on.
pub struct EngineClient {
    handle: EngineHandle,
    on_event: OnEvent,
    /// Which worker is the current one; handlers of older ones say nothing.
    generation: Rc<Cell<u32>>,
    handlers: RefCell<Handlers>,
}

fn new_worker() -> Result<Worker, String> {
    Worker::new(&worker_script()).map_err(|err| {
        format!(
            "The browser could not start the engine's worker ({}). VQ Lab needs Web Workers \
             and WebAssembly; try a current Chrome, Edge or Firefox.",
            describe(&err)
        )
    })
}

/// The worker's script, with the page's build in the address, so that no cache gives this
/// page an older loader.
pub fn worker_script() -> String {
    match super::dom::page_build() {
        Some(build) => format!("{WORKER_SCRIPT}?build={build}"),
        None => WORKER_SCRIPT.to_owned(),
    }
}

/// Attaches handlers to `worker` that pass its events to `on_event` while `generation` is
/// still `mine`.
fn attach(
    worker: &Worker,
    handle: &EngineHandle,
    on_event: &OnEvent,
    generation: &Rc<Cell<u32>>,
    mine: u32,
) -> Handlers {
    let (message_handle, message_event, message_generation) =
        (handle.clone(), on_event.clone(), generation.clone());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if message_generation.get() != mine {
            return;
        }
        let event = match serde_wasm_bindgen::from_value::<FromEngine>(event.data()) {
            Ok(message) => EngineEvent::Message(message),
            Err(err) => EngineEvent::WorkerError(format!(
                "the engine sent a message the page does not understand ({err})"
            )),
        };
        message_event(event, &message_handle);
    });
    let (error_handle, error_event, error_generation) =
        (handle.clone(), on_event.clone(), generation.clone());
    // A script that fails to load gives a plain `Event`; an exception in the worker (a panic's
    // abort, an out-of-memory trap) an `ErrorEvent` with a message.
    let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        event.prevent_default();
        if error_generation.get() != mine {
            return;
        }
        let message = event
            .dyn_ref::<ErrorEvent>()
            .map(ErrorEvent::message)
            .filter(|message| !message.is_empty())
            .unwrap_or_else(|| "its script could not be loaded".to_owned());
        error_event(EngineEvent::WorkerError(message), &error_handle);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Handlers {
        _on_message: on_message,
        _on_error: on_error,
    }
}

impl EngineClient {
    /// Starts the engine's worker; `on_event` hears everything it says, with a handle to answer.
    ///
    /// # Errors
    ///
    /// A sentence when the browser refuses to start the worker.
    pub fn spawn(on_event: impl Fn(EngineEvent, &EngineHandle) + 'static) -> Result<Self, String> {
        let worker = new_worker()?;
        let handle = EngineHandle {
            worker: Rc::new(RefCell::new(worker)),
        };
        let on_event: OnEvent = Rc::new(on_event);
        let generation = Rc::new(Cell::new(0));
        let handlers = attach(&handle.worker.borrow(), &handle, &on_event, &generation, 0);
        Ok(Self {
            handle,
            on_event,
            generation,
            handlers: RefCell::new(handlers),
        })
    }

    /// Ends the current worker and starts a new one behind the same handles; it will say
    /// [`FromEngine::Started`] like the first. Call it outside the worker's own event handlers
    /// (they are replaced here).
    ///
    /// # Errors
    ///
    /// A sentence when the browser refuses to start the worker.
    pub fn restart(&self) -> Result<(), String> {
        let worker = new_worker()?;
        let mine = self.generation.get() + 1;
        self.generation.set(mine);
        let handlers = attach(&worker, &self.handle, &self.on_event, &self.generation, mine);
        let old = self.handle.worker.replace(worker);
        old.set_onmessage(None);
        old.set_onerror(None);
        old.terminate();
        self.handlers.replace(handlers);
        Ok(())
    }

    /// A handle to send requests.
    pub fn handle(&self) -> &EngineHandle {
        &self.handle
    }
}

impl Drop for EngineClient {
    fn drop(&mut self) {
        self.handle.worker.borrow().terminate();
    }
}
