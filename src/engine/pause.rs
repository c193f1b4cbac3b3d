//! Giving the worker's event loop a turn in the middle of long work, so that messages that
//! arrived meanwhile (an edit, a [`crate::protocol::ToEngine::Cancel`]) are read.
//!
//! On the CPU backend every `await` on a read back resolves at once: without a pause a drawing
//! of several seconds would hold the worker until it ends, and nothing could stop it.

/// Lets the event loop run the tasks waiting: in the browser a message posted to a fresh
/// `MessageChannel` (a task queued at once; a `setTimeout(0)` where there is none), natively
/// one return to the executor (so that native tests can interleave requests too).
///
/// Not `setTimeout(0)` first: the browser clamps a timer set from within timers nested five
/// deep to 4 ms, and a long piece of work that yields from each resumption is nested that
/// deep after five turns, so each later turn could idle for up to 4 ms (a surprisal view of
/// 25 ms turns gives way about twenty times).
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
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if post_to_self(&resolve).is_none() && set_timeout(&resolve).is_none() {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
        // Neither a message nor a timer rejects.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// Calls `resolve` from a task of its own: `new MessageChannel()`, `port1.onmessage = resolve`,
/// `port2.postMessage(null)`. `None` where the global scope has no `MessageChannel`.
#[cfg(target_arch = "wasm32")]
fn post_to_self(resolve: &js_sys::Function) -> Option<()> {
    use js_sys::Reflect;
    use wasm_bindgen::{JsCast, JsValue};
    let constructor: js_sys::Function = Reflect::get(&js_sys::global(), &"MessageChannel".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let channel = Reflect::construct(&constructor, &js_sys::Array::new()).ok()?;
    let port1 = Reflect::get(&channel, &"port1".into()).ok()?;
    let port2 = Reflect::get(&channel, &"port2".into()).ok()?;
    Reflect::set(&port1, &"onmessage".into(), resolve).ok()?;
    let post: js_sys::Function = Reflect::get(&port2, &"postMessage".into())
        .ok()?
        .dyn_into()
        .ok()?;
    post.call1(&port2, &JsValue::NULL).ok()?;
    Some(())
}

/// Calls `resolve` from a timer: `setTimeout(resolve, 0)`.
#[cfg(target_arch = "wasm32")]
fn set_timeout(resolve: &js_sys::Function) -> Option<()> {
    use wasm_bindgen::{JsCast, JsValue};
    let global = js_sys::global();
    let set_timeout: js_sys::Function = js_sys::Reflect::get(&global, &"setTimeout".into())
        .ok()?
        .dyn_into()
        .ok()?;
    set_timeout
        .call2(&global, resolve, &JsValue::from(0))
        .ok()?;
    Some(())
}
