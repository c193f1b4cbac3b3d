//! The training worker: the message glue around a [`TrainingSession`].
//!
//! The engine's worker script becomes this one when the page starts it under the name
//! [`TRAINER_WORKER_NAME`]. Messages are queued as they arrive; one loop hands them to the
//! session in order, and between them, while a run is under way, runs chunks of steps
//! ([`TrainingSession::tick`]) and gives the event loop a turn after each, so that a pause
//! takes effect after the chunk under way. The loop ends when nothing runs and nothing waits,
//! and the next message starts it again.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::MessageEvent;

use super::fetch::Site;
use super::pause::yield_to_events;
use super::source::ModelSource;
use super::training::TrainingSession;
use super::worker::{post_to_page, scope};
use crate::protocol::{
    FromTrainer, FromTrainerWorker, TRAINER_WORKER_NAME, TRAINING_DATA_PATH, ToTrainer,
    ToTrainerWorker,
};

/// Milliseconds of steps in one chunk: long enough that a chunk's overheads (a message, an
/// evaluation every few) stay small, short enough that a pause is felt at once.
pub const CHUNK_MILLIS: f64 = 250.0;

/// Whether this worker was started as the trainer.
pub fn is_trainer() -> bool {
    scope().is_some_and(|scope| scope.name() == TRAINER_WORKER_NAME)
}

/// The worker's state: the session (once a device is chosen) and the messages waiting.
#[derive(Default)]
struct Trainer {
    /// Taken out while the loop works on it, so that no borrow lives across an `await`.
    session: RefCell<Option<TrainingSession>>,
    inbox: RefCell<VecDeque<ToTrainerWorker>>,
    /// Whether the loop runs (it ends when idle; a message starts it again).
    looping: Cell<bool>,
}

/// Installs the panic hook and the message handler, then says [`FromTrainerWorker::Started`].
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("VQ Lab trainer panicked: {message}").into());
        post(FromTrainerWorker::Panicked { message });
    }));
    let Some(scope) = scope() else { return };
    let trainer = Rc::new(Trainer::default());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToTrainerWorker>(event.data()) {
            Ok(message) => {
                trainer.inbox.borrow_mut().push_back(message);
                if !trainer.looping.replace(true) {
                    let trainer = Rc::clone(&trainer);
                    wasm_bindgen_futures::spawn_local(run(trainer));
                }
            }
            Err(err) => post(FromTrainerWorker::Session(FromTrainer::Refused(format!(
                "The trainer could not read a message from the page ({err})."
            )))),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(FromTrainerWorker::Started);
}

/// Hands the waiting messages to the session, runs chunks while a run is under way, and ends
/// when there is nothing to do.
async fn run(trainer: Rc<Trainer>) {
    loop {
        loop {
            let next = trainer.inbox.borrow_mut().pop_front();
            let Some(message) = next else { break };
            handle(&trainer, message).await;
        }
        let session = trainer.session.take();
        let Some(mut session) = session else {
            trainer.looping.set(false);
            return;
        };
        let answer = session.tick(CHUNK_MILLIS).await;
        trainer.session.replace(Some(session));
        match answer {
            Some(answer) => post(FromTrainerWorker::Session(answer)),
            None if trainer.inbox.borrow().is_empty() => {
                trainer.looping.set(false);
                return;
            }
            None => {}
        }
        yield_to_events().await;
    }
}

async fn handle(trainer: &Trainer, message: ToTrainerWorker) {
    match message {
        ToTrainerWorker::Init { preference } => {
            if trainer.session.borrow().is_some() {
                post(refused("The trainer is already started."));
                return;
            }
            let chosen = super::choose(preference).await;
            post(FromTrainerWorker::Ready {
                backend: chosen.backend,
                reason: chosen.reason.clone(),
            });
            let mut session = TrainingSession::new(chosen.device);
            let answer = match open_shipped_data(&mut session).await {
                Ok(answer) => answer,
                Err(sentence) => FromTrainer::Refused(sentence),
            };
            trainer.session.replace(Some(session));
            post(FromTrainerWorker::Session(answer));
        }
        ToTrainerWorker::Session(message) => {
            let session = trainer.session.take();
            let Some(mut session) = session else {
                post(refused(
                    "The trainer has not started yet; wait for its device to be chosen.",
                ));
                return;
            };
            let answer = session.handle(message).await;
            trainer.session.replace(Some(session));
            post(FromTrainerWorker::Session(answer));
        }
    }
}

/// Downloads the shipped training images and opens them in `session`.
async fn open_shipped_data(session: &mut TrainingSession) -> Result<FromTrainer, String> {
    let fetch = |file: &'static str| async move {
        Site.fetch(&format!("{TRAINING_DATA_PATH}{file}"), &mut |_| {})
            .await
            .map_err(|err| {
                format!(
                    "The training images could not be downloaded ({err}). Check the connection \
                     and open the training panel again."
                )
            })
    };
    let manifest = fetch("manifest.json").await?;
    let train = fetch("train.bin").await?;
    let test = fetch("test.bin").await?;
    let manifest = String::from_utf8(manifest)
        .map_err(|_| "The training images' manifest is not text.".to_owned())?;
    Ok(session
        .handle(ToTrainer::Open {
            manifest,
            train,
            test,
        })
        .await)
}

fn refused(sentence: &str) -> FromTrainerWorker {
    FromTrainerWorker::Session(FromTrainer::Refused(sentence.to_owned()))
}

/// Sends `message` to the page; a failure can only be logged.
fn post(message: FromTrainerWorker) {
    if let Err(err) = post_to_page(&message) {
        web_sys::console::error_1(&format!("the trainer could not post a message: {err}").into());
    }
}
