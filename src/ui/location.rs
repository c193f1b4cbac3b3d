//! What the page's address says: the `?backend=` preference, the address of the switch, and
//! the page's modes (`?present`, `?embed`).

use web_sys::UrlSearchParams;

use crate::protocol::{BackendPreference, SamplerKind, UnknownBackend};
use crate::ui::modes::Modes;

/// The query parameter that forces a backend.
const BACKEND_PARAMETER: &str = "backend";

fn search_params() -> Option<UrlSearchParams> {
    let search = web_sys::window()?.location().search().ok()?;
    UrlSearchParams::new_with_str(&search).ok()
}

/// The preference of the current address (`Auto` without a `backend` parameter).
///
/// # Errors
///
/// [`UnknownBackend`] for a value the app does not know.
pub fn preference() -> Result<BackendPreference, UnknownBackend> {
    search_params()
        .and_then(|params| params.get(BACKEND_PARAMETER))
        .map_or(Ok(BackendPreference::Auto), |value| {
            BackendPreference::from_query_value(&value)
        })
}

/// Whether the address asks for the test hooks (`?test-hooks`): a button that crashes the
/// engine, for the end-to-end test of a restart.
pub fn test_hooks() -> bool {
    search_params().is_some_and(|params| params.has("test-hooks"))
}

/// The modes the address names (none when it cannot be read).
pub fn modes() -> Modes {
    web_sys::window()
        .and_then(|window| window.location().search().ok())
        .map_or_else(Modes::default, |search| Modes::from_query(&search))
}

/// Whether the address asks for burn's layers for the autoencoder on the CPU backend
/// (`?autoencoder=burn`, which the benchmark measures against the host kernels).
pub fn burn_autoencoder() -> bool {
    search_params()
        .and_then(|params| params.get("autoencoder"))
        .is_some_and(|name| name == "burn")
}

/// Whether the address asks for every upload decoded whole, large ones too (`?decoder=whole`,
/// which the benchmark measures against the browser's scaled decode).
pub fn whole_decode() -> bool {
    search_params()
        .and_then(|params| params.get("decoder"))
        .is_some_and(|name| name == "whole")
}

/// The sampler the address names (`?sampler=windowed`, which the benchmark measures against
/// the cached one); the cached sampler otherwise.
pub fn sampler() -> SamplerKind {
    search_params()
        .and_then(|params| params.get("sampler"))
        .and_then(|name| SamplerKind::from_name(&name))
        .unwrap_or_default()
}

/// The address (a query string) of this page with `preference`, other parameters kept.
pub fn href_with(preference: BackendPreference) -> String {
    let params = search_params().or_else(|| UrlSearchParams::new().ok());
    let Some(params) = params else {
        return preference
            .query_value()
            .map_or_else(|| "?".to_owned(), |value| format!("?backend={value}"));
    };
    match preference.query_value() {
        Some(value) => params.set(BACKEND_PARAMETER, value),
        None => params.delete(BACKEND_PARAMETER),
    }
    format!("?{}", String::from(params.to_string()))
}
