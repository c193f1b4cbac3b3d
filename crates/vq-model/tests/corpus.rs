//! The corpus of hostile uploads in `tests/corpus/uploads/` (written by
//! `cargo run -p vq-model --example make_corpus`; the fuzzer `examples/fuzz_uploads.rs` adds
//! its findings): every file goes through `decode_upload` and gives the outcome its entry in
//! `expected.json` names, without a panic and quickly (a decompression bomb is refused from its
//! header, not after inflating it).

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::RgbaImage;
use serde_json::Value;
use vq_model::image::{UploadError, decode_upload};

/// The longest one file may take. The largest files the corpus accepts (a 2048×2048 PNG and GIF)
/// decode in well under half a second in a debug build; a bomb inflated to its announced size
/// would take minutes, so this bound tells the two apart even on a loaded machine.
const LIMIT_PER_FILE: Duration = Duration::from_secs(3);

/// How far a corner's channel may be from the manifest's colour: the EXIF cases are JPEGs at
/// quality 90, whose corner block is flat, so only quantisation moves it (by a few levels).
const CORNER_TOLERANCE: u8 = 24;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/uploads")
}

/// The manifest's name for an error.
fn variant(error: &UploadError) -> &'static str {
    match error {
        UploadError::UnknownFormat => "UnknownFormat",
        UploadError::TooLarge { .. } => "TooLarge",
        UploadError::TooMuchMemory { .. } => "TooMuchMemory",
        UploadError::Truncated => "Truncated",
        UploadError::Corrupt(_) => "Corrupt",
        UploadError::Empty => "Empty",
    }
}

/// What is wrong with `outcome` for the manifest entry `expected`, if anything.
fn mismatch(expected: &Value, outcome: &Result<RgbaImage, UploadError>) -> Option<String> {
    if let Err(error) = outcome {
        let sentence = error.to_string();
        if sentence.trim().is_empty() || !sentence.ends_with('.') {
            return Some(format!("the sentence {sentence:?} is not a sentence"));
        }
        if matches!(error, UploadError::Corrupt(detail) if detail.trim().is_empty()) {
            return Some(format!("{sentence:?} names no reason"));
        }
    }
    if let Some(want) = expected.get("error").and_then(Value::as_str) {
        return match outcome {
            Err(error) if variant(error) == want => None,
            Err(error) => Some(format!("{} ({error}), expected {want}", variant(error))),
            Ok(image) => Some(format!(
                "decoded to {}×{}, expected {want}",
                image.width(),
                image.height()
            )),
        };
    }
    let Some(size) = expected.get("image").and_then(Value::as_array) else {
        return Some(format!(
            "the manifest entry {expected} is not filled in: give it an \"error\" or an \"image\""
        ));
    };
    let size: Vec<u64> = size.iter().filter_map(Value::as_u64).collect();
    let image = match outcome {
        Ok(image) => image,
        Err(error) => {
            return Some(format!(
                "{} ({error}), expected an image of {size:?}",
                variant(error)
            ));
        }
    };
    let got = [u64::from(image.width()), u64::from(image.height())];
    if size != got {
        return Some(format!("decoded to {got:?}, expected {size:?}"));
    }
    if image.pixels().any(|p| p[3] != 255) {
        return Some("has pixels that are not opaque (alpha goes over white)".to_owned());
    }
    if let Some(corner) = expected.get("top_left").and_then(Value::as_array) {
        let want: Vec<u8> = corner
            .iter()
            .filter_map(Value::as_u64)
            .map(|v| v as u8)
            .collect();
        let got = image.get_pixel(0, 0);
        let close = want
            .iter()
            .zip(got.0)
            .all(|(&w, g)| w.abs_diff(g) <= CORNER_TOLERANCE);
        if want.len() != 3 || !close {
            return Some(format!("top-left pixel {:?}, expected {want:?}", got.0));
        }
    }
    None
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[test]
fn every_hostile_upload_gives_its_expected_outcome() {
    let dir = corpus_dir();
    let manifest_bytes = std::fs::read(dir.join("expected.json"))
        .unwrap_or_else(|e| panic!("{}/expected.json: {e}", dir.display()));
    let manifest: BTreeMap<String, Value> =
        serde_json::from_slice(&manifest_bytes).unwrap_or_else(|e| panic!("expected.json: {e}"));
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{e}"))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "expected.json")
        .collect();

    let mut failures: Vec<String> = Vec::new();
    for name in files.iter().filter(|name| !manifest.contains_key(*name)) {
        failures.push(format!("{name}: not in expected.json"));
    }
    for name in manifest.keys().filter(|name| !files.contains(*name)) {
        failures.push(format!("{name}: in expected.json, but the file is missing"));
    }
    let mut slowest = (Duration::ZERO, String::new());
    for (name, expected) in manifest.iter().filter(|(name, _)| files.contains(*name)) {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| decode_upload(&bytes)));
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, name.clone());
        }
        if took > LIMIT_PER_FILE {
            failures.push(format!("{name}: took {took:?}"));
        }
        match outcome {
            Err(payload) => {
                failures.push(format!("{name}: panicked: {}", panic_message(&*payload)))
            }
            Ok(outcome) => {
                if let Some(problem) = mismatch(expected, &outcome) {
                    failures.push(format!("{name}: {problem}"));
                }
            }
        }
    }
    assert!(
        files.len() >= 100,
        "the corpus has {} files; regenerate it with `cargo run -p vq-model --example make_corpus`",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} files (slowest: {} in {:?}):\n{}",
        failures.len(),
        files.len(),
        slowest.1,
        slowest.0,
        failures.join("\n")
    );
    println!(
        "{} files, slowest {} in {:?}",
        files.len(),
        slowest.1,
        slowest.0
    );
}
