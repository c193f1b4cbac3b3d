//! Runs the module's static constructors once, at start-up.
//!
//! Some dependencies register things from static constructors (`inventory`, used by cubecl's
//! IR through `pliron`). `wasm-ld` gathers them into `__wasm_call_ctors`, and when no code
//! calls that function it treats the module as a "command" and wraps **every export** in a
//! call to it. A Rust binary built for `wasm32-unknown-unknown` is such a module, and
//! wasm-bindgen's glue calls exports all the time: allocating a string, a slot in the
//! `externref` table for each `JsValue`, freeing one. In the engine's worker each of those
//! calls re-ran some hundred constructors: about 25 ms of every message to the engine went
//! there (an edit of 3 ms answered after 30 ms), and the engine's `JsValue`s cost ~87× what
//! the page's do.
//!
//! Calling `__wasm_call_ctors` once from `main`, as `inventory`'s documentation recommends,
//! makes the linker leave the exports alone.

/// Runs the static constructors; call it once, first thing in `main`. A no-op off wasm.
pub fn run_once() {
    #[cfg(target_family = "wasm")]
    #[allow(unsafe_code)]
    // SAFETY: `__wasm_call_ctors` is synthesised by the linker and takes no arguments; this
    // is its only call, before any other code of the module has run (the constructors
    // `inventory` generates are idempotent in any case).
    unsafe {
        __wasm_call_ctors();
    }
}

#[cfg(target_family = "wasm")]
#[allow(unsafe_code)]
unsafe extern "C" {
    fn __wasm_call_ctors();
}
