//! Where the engine's files come from: the site in the browser ([`super::fetch::Site`]), a
//! folder in native tests. The [`super::Session`] only sees [`ModelSource`], so loading is
//! tested natively on the shipped files.

use std::future::Future;

/// Why a file could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered, but not with the file.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The address.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The request failed (offline, blocked, aborted).
    #[error("{url} could not be fetched: {reason}")]
    Network {
        /// The address.
        url: String,
        /// What the browser said.
        reason: String,
    },
}

/// A source of the site's files: `models/catalogue.json`, `models/<name>/<file>`.
pub trait ModelSource {
    /// The bytes of `path` (relative to the page), calling `progress` with the bytes received
    /// so far as they arrive.
    fn fetch(
        &self,
        path: &str,
        progress: &mut dyn FnMut(u64),
    ) -> impl Future<Output = Result<Vec<u8>, FetchError>>;
}

/// The files of a folder laid out as the site (`<root>/models/...`); for native use.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone)]
pub struct Folder {
    /// The folder that stands for the site's root.
    pub root: std::path::PathBuf,
    /// Where `models/` lives under it (the repository keeps them in `assets/models/`).
    pub models: std::path::PathBuf,
    /// Where `examples/` lives (the repository keeps them in `www/examples/`).
    pub examples: std::path::PathBuf,
}

#[cfg(not(target_arch = "wasm32"))]
impl Folder {
    /// The repository's shipped models, as the site serves them.
    pub fn shipped() -> Self {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        Self {
            models: root.join("assets/models"),
            examples: root.join("www/examples"),
            root,
        }
    }

    fn path_of(&self, path: &str) -> std::path::PathBuf {
        match (path.strip_prefix("models/"), path.strip_prefix("examples/")) {
            (Some(rest), _) => self.models.join(rest),
            (_, Some(rest)) => self.examples.join(rest),
            _ => self.root.join(path),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ModelSource for Folder {
    async fn fetch(
        &self,
        path: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Vec<u8>, FetchError> {
        match std::fs::read(self.path_of(path)) {
            Ok(bytes) => {
                progress(bytes.len() as u64);
                Ok(bytes)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(FetchError::Status {
                url: path.to_owned(),
                status: 404,
            }),
            Err(err) => Err(FetchError::Network {
                url: path.to_owned(),
                reason: err.to_string(),
            }),
        }
    }
}
