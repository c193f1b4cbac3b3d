//! The engine: the one place where tensors meet the web.
//!
//! It owns the device (chosen once, [`device::choose`]) and the models. Its state and its
//! answer to every request live in a [`Session`] ([`session`]), natively compiled and tested;
//! in the browser it runs in a dedicated Web Worker ([`worker`]) that only carries the
//! messages of [`crate::protocol`] to and from the session.
//!
//! - [`autoencoder`]: the encoder and decoder, on the host (CPU backend) or the device;
//! - [`lab`]: prepare an upload, encode it, decode the window an edit reaches;
//! - [`meaning`]: the cells of a model's pictures by code (what each code means);
//! - [`held`]: what the engine keeps of an encoded picture (`x`, `x̂`, `z_e`) on the host;
//! - [`generate`]: draw from the prior, surprisal, suggestions, the codebook's tiles;
//! - [`training`]: the training worker's session: a VQ-VAE trained in chunks of steps on the
//!   shipped training data, its progress and evaluations; `trainer_worker` (wasm32) the
//!   worker around it (the engine's script, started under another name);
//! - `scaled` (wasm32): large uploads decoded by the browser at a smaller size;
//! - [`source`]: where the site's files come from ([`fetch`] in the browser);
//! - [`error`]: every failure, with the page's sentence.

pub mod autoencoder;
pub mod device;
pub mod error;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
pub mod generate;
pub mod held;
pub mod lab;
pub mod meaning;
pub mod pause;
#[cfg(target_arch = "wasm32")]
pub mod scaled;
pub mod session;
pub mod source;
#[cfg(target_arch = "wasm32")]
pub mod trainer_worker;
pub mod training;
pub mod warmup;
#[cfg(target_arch = "wasm32")]
pub mod webgpu;
#[cfg(target_arch = "wasm32")]
pub mod worker;

pub use device::{ChosenDevice, choose};
pub use error::EngineError;
pub use session::Session;
pub use warmup::warmup;
