//! A seeded mutation fuzzer for `decode_upload`, on the stable toolchain, outside CI:
//!
//! `cargo run --release -p vq-model --example fuzz_uploads -- --seconds 180 --seed 1`
//!
//! (`--inputs N` stops after N inputs instead; with both, whichever comes first; the default is
//! 60 seconds.) Each input is a file of `tests/corpus/uploads/` with one to four mutations:
//! bits flipped, bytes set, inserted, deleted, duplicated, a header field overwritten with a
//! boundary value, the file truncated, or a piece of another file spliced in. Every input runs
//! under `catch_unwind`. One that panics or takes over a second is written to the corpus as
//! `finding-<hash>.bin` with an entry in `expected.json` saying what happened; `tests/corpus.rs`
//! fails until that entry is filled in with the outcome a user should see (an `"error"` or an
//! `"image"`), after the bug is fixed. One that runs for over 20 seconds is written the same way
//! and the run stops. The same seed gives the same inputs.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use vq_model::image::{UploadError, decode_upload};
use vq_model::rng::SplitMix64;

/// An input slower than this is a finding.
const SLOW: Duration = Duration::from_secs(1);
/// An input still running after this is written out and ends the run.
const HUNG: Duration = Duration::from_secs(20);

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/uploads")
}

struct Options {
    seed: u64,
    inputs: Option<u64>,
    seconds: Option<f64>,
}

fn options() -> Options {
    let mut options = Options {
        seed: 1,
        inputs: None,
        seconds: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        let bad = || -> ! { panic!("{} needs a number, not {value:?}", pair[0]) };
        match pair[0].as_str() {
            "--seed" => options.seed = value.parse().unwrap_or_else(|_| bad()),
            "--inputs" => options.inputs = Some(value.parse().unwrap_or_else(|_| bad())),
            "--seconds" => options.seconds = Some(value.parse().unwrap_or_else(|_| bad())),
            other => panic!("unknown option {other}; see the comment at the top of the file"),
        }
    }
    if options.inputs.is_none() && options.seconds.is_none() {
        options.seconds = Some(60.0);
    }
    options
}

/// Values that header fields trip on: zero, one, the side limit and its neighbours, the ends of
/// signed and unsigned ranges.
const BOUNDARIES: [u32; 12] = [
    0,
    1,
    2,
    0x7F,
    0x80,
    0xFF,
    8192,
    8193,
    0x7FFF,
    0xFFFF,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
];

/// One mutation of `bytes`, from `others` for a splice.
fn mutate(bytes: &mut Vec<u8>, others: &[Vec<u8>], rng: &mut SplitMix64) {
    let len = bytes.len();
    let at = |rng: &mut SplitMix64| rng.below(len.max(1));
    match rng.below(9) {
        0 if len > 0 => {
            let i = at(rng);
            bytes[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = at(rng);
            bytes[i] = rng.next_u64() as u8;
        }
        2 => {
            let i = at(rng).min(len);
            let count = 1 + rng.below(16);
            let insert: Vec<u8> = (0..count).map(|_| rng.next_u64() as u8).collect();
            bytes.splice(i..i, insert);
        }
        3 if len > 0 => {
            let i = at(rng);
            let end = (i + 1 + rng.below(64)).min(len);
            bytes.drain(i..end);
        }
        4 if len > 0 => {
            let cut = at(rng);
            bytes.truncate(cut);
        }
        5 if len > 0 => {
            // Duplicate a range in place (a repeated chunk or segment).
            let i = at(rng);
            let end = (i + 1 + rng.below(256)).min(len);
            let piece = bytes[i..end].to_vec();
            bytes.splice(end..end, piece);
        }
        6 if len >= 4 => {
            // A 16- or 32-bit field, either byte order, set to a boundary value.
            let value = BOUNDARIES[rng.below(BOUNDARIES.len())];
            let i = rng.below(len - 3);
            let field: Vec<u8> = match rng.below(4) {
                0 => value.to_be_bytes().to_vec(),
                1 => value.to_le_bytes().to_vec(),
                2 => (value as u16).to_be_bytes().to_vec(),
                _ => (value as u16).to_le_bytes().to_vec(),
            };
            bytes[i..i + field.len()].copy_from_slice(&field);
        }
        7 if !others.is_empty() => {
            // Splice: a piece of another file over or into this one.
            let other = &others[rng.below(others.len())];
            if !other.is_empty() {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(512)).min(other.len());
                let i = at(rng).min(len);
                let replace_end = if rng.below(2) == 0 {
                    i
                } else {
                    (i + end - from).min(len)
                };
                bytes.splice(i..replace_end, other[from..end].iter().copied());
            }
        }
        _ if len > 0 => {
            let i = at(rng);
            bytes[i] = [0x00, 0xFF, 0x7F, 0x80][rng.below(4)];
        }
        _ => bytes.push(rng.next_u64() as u8),
    }
}

/// Writes `bytes` as a finding with a manifest entry saying `what`, the manifest one file a line
/// as `make_corpus` writes it; returns the finding's name.
fn write_finding(dir: &Path, bytes: &[u8], base: &str, what: &str) -> String {
    let hash: String = Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let name = format!("finding-{hash}.bin");
    std::fs::write(dir.join(&name), bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let manifest_path = dir.join("expected.json");
    let mut manifest: BTreeMap<String, Value> = std::fs::read(&manifest_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    manifest.insert(
        name.clone(),
        json!({
            "finding": what,
            "mutated_from": base,
            "to_fill": "after the fix, replace this entry with {\"error\": \"<variant>\"} or {\"image\": [width, height]}",
        }),
    );
    let lines: Vec<String> = manifest
        .iter()
        .map(|(name, expected)| format!("  {}: {expected}", Value::from(name.as_str())))
        .collect();
    let json = format!("{{\n{}\n}}\n", lines.join(",\n"));
    std::fs::write(&manifest_path, json).unwrap_or_else(|e| panic!("{e}"));
    name
}

fn outcome_name(outcome: &Result<image::RgbaImage, UploadError>) -> &'static str {
    match outcome {
        Ok(_) => "image",
        Err(UploadError::UnknownFormat) => "UnknownFormat",
        Err(UploadError::TooLarge { .. }) => "TooLarge",
        Err(UploadError::TooMuchMemory { .. }) => "TooMuchMemory",
        Err(UploadError::Truncated) => "Truncated",
        Err(UploadError::Corrupt(_)) => "Corrupt",
        Err(UploadError::Empty) => "Empty",
    }
}

fn main() {
    let options = options();
    let dir = corpus_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "expected.json")
        .collect();
    names.sort();
    let files: Vec<Vec<u8>> = names
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());

    // A panic in `decode_upload` is kept for the finding instead of printed; any other is
    // printed as usual.
    static DECODING: AtomicBool = AtomicBool::new(false);
    let last_panic: Arc<Mutex<String>> = Arc::default();
    {
        let last_panic = Arc::clone(&last_panic);
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.load(Ordering::SeqCst) {
                default_hook(info);
            } else if let Ok(mut slot) = last_panic.lock() {
                *slot = info.to_string();
            }
        }));
    }
    // The watchdog: an input that runs past HUNG is written out and ends the run.
    // The input being decoded: when it started, its bytes, the file it was mutated from.
    type Running = Option<(Instant, Vec<u8>, String)>;
    let current: Arc<Mutex<Running>> = Arc::default();
    {
        let current = Arc::clone(&current);
        let dir = dir.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let Ok(slot) = current.lock() else { return };
                if let Some((started, bytes, base)) = slot.as_ref()
                    && started.elapsed() > HUNG
                {
                    let name = write_finding(&dir, bytes, base, "still running after 20 s");
                    eprintln!("an input hung; written as {name}");
                    std::process::exit(2);
                }
            }
        });
    }

    let mut rng = SplitMix64::new(options.seed);
    let started = Instant::now();
    let deadline = options.seconds.map(Duration::from_secs_f64);
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut findings = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut ran = 0u64;
    while options.inputs.is_none_or(|n| ran < n) && deadline.is_none_or(|d| started.elapsed() < d) {
        let pick = rng.below(files.len());
        let mut input = files[pick].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut input, &files, &mut rng);
        }
        if let Ok(mut slot) = current.lock() {
            *slot = Some((Instant::now(), input.clone(), names[pick].clone()));
        }
        let one = Instant::now();
        DECODING.store(true, Ordering::SeqCst);
        let outcome = catch_unwind(AssertUnwindSafe(|| decode_upload(&input)));
        DECODING.store(false, Ordering::SeqCst);
        let took = one.elapsed();
        if let Ok(mut slot) = current.lock() {
            *slot = None;
        }
        ran += 1;
        if took > slowest.0 {
            slowest = (took, names[pick].clone());
        }
        let what = match &outcome {
            Err(_) => {
                let message = last_panic.lock().map(|m| m.clone()).unwrap_or_default();
                Some(format!("panicked: {message}"))
            }
            Ok(_) if took > SLOW => Some(format!("took {took:?}")),
            Ok(_) => None,
        };
        if let Ok(outcome) = &outcome {
            *counts.entry(outcome_name(outcome)).or_default() += 1;
        }
        if let Some(what) = what {
            let name = write_finding(&dir, &input, &names[pick], &what);
            eprintln!("finding {name} (from {}): {what}", names[pick]);
            findings.push(name);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{ran} inputs in {elapsed:.1} s ({:.0}/s), seed {}, from {} corpus files",
        ran as f64 / elapsed,
        options.seed,
        files.len()
    );
    println!("outcomes: {counts:?}");
    println!("slowest: {:?} (mutated from {})", slowest.0, slowest.1);
    println!("findings: {}", findings.len());
    for name in &findings {
        println!("  {name}");
    }
}
