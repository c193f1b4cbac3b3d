//! The page's side of the training worker: the engine's worker script started under the
//! trainer's name ([`TRAINER_WORKER_NAME`]), and its messages.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker, WorkerOptions};

use crate::js::describe;
use crate::protocol::{FromTrainerWorker, TRAINER_WORKER_NAME, ToTrainerWorker};
use crate::ui::engine_client::worker_script;

/// What the trainer said, or that it ended.
pub enum TrainerEvent {
    /// A message.
    Message(Box<FromTrainerWorker>),
    /// The worker failed (its script, a trap): the browser's words.
    Ended(String),
}

/// The running training worker; dropping it ends the worker.
pub struct TrainerClient {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl TrainerClient {
    /// Starts the training worker; `on_event` hears everything it says.
    ///
    /// # Errors
    ///
    /// A sentence when the browser refuses to start the worker.
    pub fn spawn(on_event: impl Fn(TrainerEvent) + Clone + 'static) -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_name(TRAINER_WORKER_NAME);
        let worker = Worker::new_with_options(&worker_script(), &options).map_err(|err| {
            format!(
                "The browser could not start the training worker ({}).",
                describe(&err)
            )
        })?;
        let on_message_event = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let event = match serde_wasm_bindgen::from_value::<FromTrainerWorker>(event.data()) {
                Ok(message) => TrainerEvent::Message(Box::new(message)),
                Err(err) => TrainerEvent::Ended(format!(
                    "it sent a message the page does not understand: {err}"
                )),
            };
            on_message_event(event);
        });
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            event.prevent_default();
            let message = event
                .dyn_ref::<ErrorEvent>()
                .map(ErrorEvent::message)
                .filter(|message| !message.is_empty())
                .unwrap_or_else(|| "its script could not be loaded".to_owned());
            on_event(TrainerEvent::Ended(message));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends `message` to the trainer.
    ///
    /// # Errors
    ///
    /// A sentence when it cannot be encoded or posted.
    pub fn send(&self, message: &ToTrainerWorker) -> Result<(), String> {
        let value = serde_wasm_bindgen::to_value(message)
            .map_err(|err| format!("could not encode a message for the trainer: {err}"))?;
        self.worker
            .post_message(&value)
            .map_err(|err| format!("could not reach the trainer: {}", describe(&err)))
    }
}

impl Drop for TrainerClient {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
