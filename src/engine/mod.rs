//! The engine: the one place where tensors meet the web.
//!
//! It owns the device (chosen once, [`device::choose`]) and, in later issues, the models. In the
//! browser it runs in a dedicated Web Worker ([`worker`]) and speaks only the messages of
//! [`crate::protocol`]. The device choice and the warm-up also compile natively, so they are
//! tested with plain `cargo test` on burn's CPU backend.

pub mod device;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
pub mod generate;
pub mod lab;
pub mod warmup;
#[cfg(target_arch = "wasm32")]
pub mod webgpu;
#[cfg(target_arch = "wasm32")]
pub mod worker;

pub use device::{ChosenDevice, choose};
pub use warmup::warmup;

/// Failures of the engine, each turned into a sentence for the page.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// Reading a tensor back from the device failed.
    #[error("reading a result back from the {backend} device failed: {reason}")]
    ReadBack {
        /// The backend label.
        backend: &'static str,
        /// What burn reported.
        reason: String,
    },
}
