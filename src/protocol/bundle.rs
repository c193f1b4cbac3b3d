//! A model trained in the page as one download: `<name>.vqlab.tar`, an uncompressed POSIX
//! ustar archive of `<name>/manifest.json`, `<name>/config.json` and `<name>/vqvae.bpk` (the
//! shipped format, without a prior), which the standard `tar` lists and extracts, and which
//! the lab reads back ([`read_bundle`]). The three files chosen together are read too
//! ([`TrainedFiles::from_named_files`]).
//!
//! The archive (POSIX.1-1988 ustar): each entry a 512-byte header (name, octal size, the
//! checksum: the sum of the header's bytes with its own field counted as spaces), then its
//! bytes padded to 512; two zero blocks end it. Plain Rust, no I/O: the page reads the file,
//! the engine checks the hashes.

use super::model::is_folder_name;
use super::training::TrainedFiles;

/// The three files of a trained model, in the archive's order.
pub const FILES: [&str; 3] = [MANIFEST, CONFIG, VQVAE];
const MANIFEST: &str = "manifest.json";
const CONFIG: &str = "config.json";
const VQVAE: &str = "vqvae.bpk";

/// What a bundle's name ends with.
pub const EXTENSION: &str = ".vqlab.tar";

/// The most bytes of a bundle read (far above a fashion-size model's 0.4 MB, far below a
/// tab's memory).
pub const MAX_BUNDLE_BYTES: usize = 64 << 20;
/// The most bytes of `manifest.json` or `config.json`.
pub const MAX_JSON_BYTES: usize = 1 << 20;
/// The most entries read from an archive.
const MAX_ENTRIES: usize = 16;

const BLOCK: usize = 512;

/// Why a file is not a bundle, or the files chosen are not a model's; `Display` is the
/// page's sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Not an archive, or one of something else.
    #[error(
        "This file is not a VQ Lab model bundle (a {EXTENSION} file with manifest.json, \
         config.json and vqvae.bpk): {0}."
    )]
    NotABundle(String),
    /// Too large to be one.
    #[error(
        "This file is {bytes} bytes, more than a VQ Lab model bundle holds ({MAX_BUNDLE_BYTES} at \
         most); choose the {EXTENSION} file the training panel downloaded."
    )]
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// A file of the model is missing.
    #[error(
        "The model's {0} is missing; choose the {EXTENSION} file, or manifest.json, config.json \
         and vqvae.bpk together."
    )]
    Missing(&'static str),
    /// A file of the model twice.
    #[error("The model's {0} comes twice; choose each file once.")]
    Twice(&'static str),
    /// A JSON file that is not UTF-8, or too large.
    #[error("The model's {0} is not a JSON file of the model (not UTF-8, or too large).")]
    NotJson(&'static str),
    /// The model's name is not a plain name.
    #[error(
        "The model's name “{0}” is not a plain name (lower-case letters, digits, - and _, 64 at \
         most)."
    )]
    BadName(String),
}

fn not_a_bundle(reason: &str) -> BundleError {
    BundleError::NotABundle(reason.to_owned())
}

/// `files` as one ustar archive: the folder `<name>/`, then its three files.
pub fn write_bundle(files: &TrainedFiles) -> Vec<u8> {
    let folder = format!("{}/", files.name);
    let contents: [(&str, &[u8]); 3] = [
        (MANIFEST, files.manifest.as_bytes()),
        (CONFIG, files.config.as_bytes()),
        (VQVAE, &files.vqvae),
    ];
    let mut archive = Vec::with_capacity(
        BLOCK * 6 + contents.iter().map(|(_, b)| b.len() + BLOCK).sum::<usize>(),
    );
    archive.extend_from_slice(&header(&folder, 0, b'5', 0o755));
    for (file, bytes) in contents {
        archive.extend_from_slice(&header(
            &format!("{folder}{file}"),
            bytes.len(),
            b'0',
            0o644,
        ));
        archive.extend_from_slice(bytes);
        archive.resize(archive.len().next_multiple_of(BLOCK), 0);
    }
    archive.resize(archive.len() + 2 * BLOCK, 0);
    archive
}

/// One ustar header. `path` must fit in 100 bytes (a plain name of at most 64 and a file
/// name do).
fn header(path: &str, size: usize, kind: u8, mode: u32) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    let name = path.as_bytes();
    let len = name.len().min(100);
    block[..len].copy_from_slice(&name[..len]);
    octal(&mut block[100..108], mode as u64); // mode
    octal(&mut block[108..116], 0); // uid
    octal(&mut block[116..124], 0); // gid
    octal(&mut block[124..136], size as u64); // size
    octal(&mut block[136..148], 0); // mtime: none, so a model gives the same archive
    block[156] = kind;
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    let sum = checksum(&block);
    // Six octal digits, a NUL and a space, as tar writes it.
    octal(&mut block[148..155], sum as u64);
    block[155] = b' ';
    block
}

/// Writes `value` in octal, zero-padded, NUL-terminated, filling `field`.
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&text.as_bytes()[text.len() - digits..]);
    field[digits] = 0;
}

/// The header's checksum: the sum of its bytes, the checksum field counted as spaces.
fn checksum(block: &[u8; BLOCK]) -> u32 {
    block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                u32::from(b' ')
            } else {
                u32::from(b)
            }
        })
        .sum()
}

/// Reads an octal field (spaces and NULs around the digits allowed).
fn read_octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(digits, 8).ok()
}

/// The text of a NUL-terminated field.
fn read_text(field: &[u8]) -> Option<&str> {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    std::str::from_utf8(&field[..end]).ok()
}

/// The model in a bundle: every header's checksum checked, sizes bounded, the three files
/// under one folder named like the model. The hashes are the engine's to check.
///
/// # Errors
/// A [`BundleError`] sentence; nothing is read past the first fault.
pub fn read_bundle(bytes: &[u8]) -> Result<TrainedFiles, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge { bytes: bytes.len() });
    }
    if bytes.len() < BLOCK {
        return Err(not_a_bundle("it is too short to be an archive"));
    }
    let mut named = Vec::new();
    let mut at = 0;
    let mut entries = 0;
    while at + BLOCK <= bytes.len() {
        let block: &[u8; BLOCK] = bytes[at..at + BLOCK]
            .try_into()
            .map_err(|_| not_a_bundle("it ends inside a header"))?;
        if block.iter().all(|&b| b == 0) {
            break;
        }
        entries += 1;
        if entries > MAX_ENTRIES {
            return Err(not_a_bundle("it holds more files than a model has"));
        }
        if &block[257..262] != b"ustar" {
            return Err(not_a_bundle("it is not a tar archive"));
        }
        let stored = read_octal(&block[148..156])
            .ok_or_else(|| not_a_bundle("a header's checksum is not a number"))?;
        if stored != u64::from(checksum(block)) {
            return Err(not_a_bundle(
                "a header's checksum is wrong: the file is damaged",
            ));
        }
        let size = read_octal(&block[124..136])
            .and_then(|size| usize::try_from(size).ok())
            .filter(|&size| size <= MAX_BUNDLE_BYTES)
            .ok_or_else(|| not_a_bundle("a file's size is not one it can hold"))?;
        let start = at + BLOCK;
        let end = start
            .checked_add(size)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| not_a_bundle("it ends inside a file: it was cut short"))?;
        let prefix = read_text(&block[345..500]).unwrap_or_default();
        let name = read_text(&block[..100]).ok_or_else(|| not_a_bundle("a name is not text"))?;
        let path = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        };
        // Regular files; folders and extended headers (a tar that wrote them) are skipped.
        if matches!(block[156], b'0' | 0) {
            named.push((path, bytes[start..end].to_vec()));
        }
        at = start + size.next_multiple_of(BLOCK);
    }
    if named.is_empty() {
        return Err(not_a_bundle("it holds no file"));
    }
    let folders: Vec<&str> = named.iter().map(|(path, _)| folder_of(path)).collect();
    if folders.iter().any(|folder| *folder != folders[0]) || folders[0].is_empty() {
        return Err(not_a_bundle(
            "its files are not in one folder named like the model",
        ));
    }
    let folder = folders[0].to_owned();
    let files = TrainedFiles::from_named_files(named)?;
    if files.name != folder {
        return Err(not_a_bundle(&format!(
            "its folder is {folder}/ but its manifest names the model {}",
            files.name
        )));
    }
    Ok(files)
}

/// The folder of `path` (`fashion-1` of `./fashion-1/config.json`), empty for none.
fn folder_of(path: &str) -> &str {
    let path = path.strip_prefix("./").unwrap_or(path);
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The file name of `path` (after its last `/` or `\`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl TrainedFiles {
    /// The model in `files`, `(name, bytes)` chosen together (the three files, by their file
    /// names; folders before them are ignored): the model's name from its manifest.
    ///
    /// # Errors
    /// A file missing or twice, a JSON file not UTF-8 or too large, a name not plain.
    pub fn from_named_files(files: Vec<(String, Vec<u8>)>) -> Result<Self, BundleError> {
        let mut found: [Option<Vec<u8>>; 3] = [None, None, None];
        for (path, bytes) in files {
            let Some(slot) = FILES.iter().position(|&file| file == file_name(&path)) else {
                continue;
            };
            if found[slot].is_some() {
                return Err(BundleError::Twice(FILES[slot]));
            }
            found[slot] = Some(bytes);
        }
        let [manifest, config, vqvae] = found;
        let json = |bytes: Option<Vec<u8>>, file: &'static str| {
            let bytes = bytes.ok_or(BundleError::Missing(file))?;
            if bytes.len() > MAX_JSON_BYTES {
                return Err(BundleError::NotJson(file));
            }
            String::from_utf8(bytes).map_err(|_| BundleError::NotJson(file))
        };
        let manifest = json(manifest, MANIFEST)?;
        let config = json(config, CONFIG)?;
        let vqvae = vqvae.ok_or(BundleError::Missing(VQVAE))?;
        let name = manifest_name(&manifest)?;
        Ok(Self {
            name,
            manifest,
            config,
            vqvae,
        })
    }

    /// The bundle's file name: `<name>.vqlab.tar`.
    pub fn bundle_name(&self) -> String {
        format!("{}{EXTENSION}", self.name)
    }
}

/// The `name` of a manifest, which must be a plain folder name.
fn manifest_name(manifest: &str) -> Result<String, BundleError> {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    let named: Named =
        serde_json::from_str(manifest).map_err(|_| BundleError::NotJson(MANIFEST))?;
    if !is_folder_name(&named.name) {
        return Err(BundleError::BadName(named.name));
    }
    Ok(named.name)
}

#[cfg(test)]
mod tests;
