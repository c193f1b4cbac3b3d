//! The VQ Lab page: mounts the Leptos app (built by Trunk from `www/index.html`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    vq_lab::ui::start();
}
