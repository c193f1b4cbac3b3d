//! The engine's Web Worker (built by Trunk as a worker, see `www/index.html`).

fn main() {
    // First: once here, the linker no longer runs the constructors before every export.
    #[cfg(feature = "engine")]
    wasm_ctors::run_once();
    #[cfg(target_arch = "wasm32")]
    vq_lab::engine::worker::start();
}
