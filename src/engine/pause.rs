//! Giving the worker's event loop a turn in the middle of long work, so that messages that
//! arrived meanwhile (an edit, a [`crate::protocol::ToEngine::Cancel`]) are read.
//!
//! On the CPU backend every `await` on a read back resolves at once: without a pause a drawing
//! of several seconds would hold the worker until it ends, and nothing could stop it.

/// Lets the event loop run the tasks waiting: in the browser a message to itself through a
/// new `MessageChannel` (a task after those already queued, such as a message from the page);
/// natively, one return to the executor (so that native tests can interleave requests too).
///
/// Not `setTimeout(0)`, which browsers hold back to 4 ms once timers nest five deep: the
/// suggestions take seven turns (the HTML standard's clamp). Where a global has no
/// `MessageChannel`, `setTimeout(0)`.
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
        use wasm_bindgen::JsValue;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if !post_to_self(&resolve) && !set_timeout_zero(&resolve) {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        // Neither a message nor a timer rejects.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// The function `name` of `target`, if it has one.
#[cfg(target_arch = "wasm32")]
fn function_of(target: &wasm_bindgen::JsValue, name: &str) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(target, &name.into())
        .ok()
        .and_then(|value| value.dyn_into::<js_sys::Function>().ok())
}

/// Calls `resolve` from a message posted through a new `MessageChannel`; false where there is
/// none.
#[cfg(target_arch = "wasm32")]
fn post_to_self(resolve: &js_sys::Function) -> bool {
    let Some(constructor) = function_of(&js_sys::global(), "MessageChannel") else {
        return false;
    };
    let Ok(channel) = js_sys::Reflect::construct(&constructor, &js_sys::Array::new()) else {
        return false;
    };
    let port = |name: &str| js_sys::Reflect::get(&channel, &name.into()).ok();
    let (Some(receiver), Some(sender)) = (port("port1"), port("port2")) else {
        return false;
    };
    // The receiving port stays alive while a message is on its way to its listener.
    js_sys::Reflect::set(&receiver, &"onmessage".into(), resolve).is_ok()
        && function_of(&sender, "postMessage")
            .is_some_and(|post| post.call1(&sender, &wasm_bindgen::JsValue::NULL).is_ok())
}

/// Calls `resolve` from `setTimeout(0)`; false where there is none.
#[cfg(target_arch = "wasm32")]
fn set_timeout_zero(resolve: &js_sys::Function) -> bool {
    let global = js_sys::global();
    function_of(&global, "setTimeout").is_some_and(|set_timeout| {
        set_timeout
            .call2(&global, resolve, &wasm_bindgen::JsValue::from(0))
            .is_ok()
    })
}
