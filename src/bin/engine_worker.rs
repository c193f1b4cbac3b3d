//! The engine's Web Worker (built by Trunk as a worker, see `www/index.html`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    vq_lab::engine::worker::start();
}
