//! Giving the worker's event loop a turn in the middle of long work, so that messages that
//! arrived meanwhile (an edit, a [`crate::protocol::ToEngine::Cancel`]) are read.
//!
//! On the CPU backend every `await` on a read back resolves at once: without a pause a drawing
//! of several seconds would hold the worker until it ends, and nothing could stop it.

/// Lets the event loop run the tasks waiting: a `setTimeout(0)` in the browser; natively, one
/// return to the executor (so that native tests can interleave requests too).
pub async fn yield_to_events() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        /// Pending once, then ready.
        struct YieldOnce(bool);
        impl std::future::Future for YieldOnce {
            type Output = ();
            fn poll(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<()> {
                if self.0 {
                    return std::task::Poll::Ready(());
                }
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
        YieldOnce(false).await;
    }
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::{JsCast, JsValue};
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let global = js_sys::global();
            let set_timeout = js_sys::Reflect::get(&global, &JsValue::from_str("setTimeout"))
                .ok()
                .and_then(|value| value.dyn_into::<js_sys::Function>().ok());
            match set_timeout {
                Some(set_timeout) => {
                    if set_timeout
                        .call2(&global, &resolve, &JsValue::from(0))
                        .is_err()
                    {
                        let _ = resolve.call0(&JsValue::NULL);
                    }
                }
                None => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
        });
        // A timer's promise never rejects.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
