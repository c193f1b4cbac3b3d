//! The session kept across reloads ([`SavedSession`]) in the browser's IndexedDB, through the
//! few lines of `store.js` (wasm-bindgen copies it beside the page's script). The value is
//! the session as serde-wasm-bindgen makes it: plain objects, its pixels as `Uint8Array`s,
//! stored by the browser's structured clone.

use wasm_bindgen::prelude::*;

use crate::js::describe;
use crate::ui::state::saved::SavedSession;

/// What the browser kept of an earlier visit: its session, or why it could not be read.
pub type Kept = Result<Option<SavedSession>, String>;

#[wasm_bindgen(module = "/src/ui/store.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadSession, catch)]
    async fn load_session() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = saveSession, catch)]
    async fn save_session(value: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = clearSession, catch)]
    async fn clear_session() -> Result<(), JsValue>;
}

/// The sentence when the browser keeps nothing.
fn unavailable(err: &JsValue) -> String {
    format!(
        "This browser did not keep your session ({}); your work will not survive a reload.",
        describe(err)
    )
}

/// The session kept by an earlier visit, if any.
///
/// # Errors
///
/// A sentence when the browser's storage cannot be read, or what it holds is not a session.
pub async fn load() -> Kept {
    let value = load_session().await.map_err(|err| unavailable(&err))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(value)
        .map(Some)
        .map_err(|err| {
            format!("Your last session could not be read ({err}); VQ Lab starts afresh.")
        })
}

/// Keeps `session` for the next visit, replacing the last one.
///
/// # Errors
///
/// A sentence when the browser refuses (storage full or disabled).
pub async fn save(session: &SavedSession) -> Result<(), String> {
    let value = serde_wasm_bindgen::to_value(session).map_err(|err| {
        format!("Your session could not be kept ({err}); your work will not survive a reload.")
    })?;
    save_session(value).await.map_err(|err| unavailable(&err))
}

/// Forgets the kept session.
///
/// # Errors
///
/// A sentence when the browser's storage cannot be written.
pub async fn clear() -> Result<(), String> {
    clear_session().await.map_err(|err| unavailable(&err))
}
