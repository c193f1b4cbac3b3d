//! `manifest.json` of a training-data directory, and the hash check made before a file is
//! parsed.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::SubsetError;

/// What a training-data directory holds and where it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubsetManifest {
    /// The data set's name (`fashion`), as the folder.
    pub name: String,
    /// The files' format: `VQLT` and its version (`vq_model::subset`).
    pub format: String,
    /// Each file of the directory but the manifest, by name (`train.bin`, `test.bin`).
    pub files: BTreeMap<String, SubsetFile>,
    /// The classes' names, in label order.
    pub classes: Vec<String>,
    /// Where the images come from, with its authors and its licence.
    pub source: String,
    /// The command that wrote the directory.
    pub command: String,
    /// The seed of the draw: the same seed and source give the same files.
    pub seed: u64,
}

/// One file of a training-data directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubsetFile {
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Which split of the source the images were drawn from (`train`, `test`).
    pub split: String,
    /// Images in the file.
    pub images: u64,
    /// Images of each class (the same for every class).
    pub per_class: u64,
}

impl SubsetManifest {
    /// Parses `manifest.json`.
    ///
    /// # Errors
    /// [`SubsetError::Manifest`] with what the JSON parser said.
    pub fn parse(bytes: &[u8]) -> Result<Self, SubsetError> {
        serde_json::from_slice(bytes).map_err(|e| SubsetError::Manifest(e.to_string()))
    }

    /// Checks `bytes` against this manifest's hash of `file` ([`verify`]).
    ///
    /// # Errors
    /// [`SubsetError::NotInManifest`] or [`SubsetError::HashMismatch`].
    pub fn verify(&self, file: &str, bytes: &[u8]) -> Result<(), SubsetError> {
        let entry = self
            .files
            .get(file)
            .ok_or_else(|| SubsetError::NotInManifest(file.to_string()))?;
        verify(bytes, &entry.sha256)
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks that `bytes` hash to `expected_sha256_hex` (either case), before anything parses
/// them.
///
/// # Errors
/// [`SubsetError::HashMismatch`].
pub fn verify(bytes: &[u8], expected_sha256_hex: &str) -> Result<(), SubsetError> {
    let actual = sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(expected_sha256_hex) {
        Ok(())
    } else {
        Err(SubsetError::HashMismatch {
            expected: expected_sha256_hex.to_string(),
            actual,
        })
    }
}
