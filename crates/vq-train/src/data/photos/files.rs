//! Which files are photographs, and the split rule: training and held-out photographs come from
//! separate lists of folders (separate sources, see `PHOTO-SOURCES.md`), and no file is in both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::{WALLPAPER_DIRS, cache_photos};

/// The photographs of each role, as files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFiles {
    /// Files photographs are cropped from for training.
    pub train: Vec<PathBuf>,
    /// Files of the held-out photographs, evaluated whole and never cropped for training.
    pub held_out: Vec<PathBuf>,
}

/// The split rule: the photographs under `train_dirs` train and those under `held_out_dirs` are
/// held out. A file reached from both lists (one folder inside another, a link), or a training
/// file with the same bytes as a held-out one (a copy under another name), is refused with a
/// sentence naming it: a held-out photograph is one the model never saw.
///
/// # Errors
/// When a folder is missing (the sentence names the script that installs it), when a list
/// holds no photograph, or when the two lists share a photograph.
pub fn split(train_dirs: &[PathBuf], held_out_dirs: &[PathBuf]) -> Result<SplitFiles> {
    let train = find(train_dirs, "training")?;
    let held_out = find(held_out_dirs, "held-out")?;
    check_disjoint(&train, &held_out)?;
    Ok(SplitFiles { train, held_out })
}

/// The photographs under `dirs`, one per wallpaper, sorted.
///
/// # Errors
/// When a folder is missing, or when there is no photograph under any of them.
pub fn find(dirs: &[PathBuf], role: &str) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            bail!("{}", missing_folder(dir, role));
        }
        collect(dir, &mut paths);
    }
    let mut paths = one_per_wallpaper(paths);
    paths.sort();
    if paths.is_empty() {
        bail!("no {role} photograph (.jpg, .jpeg, .png) under {dirs:?}");
    }
    Ok(paths)
}

/// What to do about a missing folder, in a sentence: which script installs it.
pub fn missing_folder(dir: &Path, role: &str) -> String {
    let installer = if WALLPAPER_DIRS.iter().any(|w| Path::new(w) == dir) {
        "scripts/install-data.sh installs it (Debian's wallpaper packages)"
    } else if dir.starts_with(cache_photos()) {
        "scripts/install-photo-data.sh installs it (the photographs of PHOTO-SOURCES.md)"
    } else {
        "no script installs it; pass folders that exist"
    };
    format!(
        "the {role} photo folder {} is missing: {installer}",
        dir.display()
    )
}

/// Refuses a photograph that is in both lists, by path or by content.
fn check_disjoint(train: &[PathBuf], held_out: &[PathBuf]) -> Result<()> {
    let canonical = |p: &PathBuf| p.canonicalize().unwrap_or_else(|_| p.clone());
    let mut train_by_length: BTreeMap<u64, Vec<&PathBuf>> = BTreeMap::new();
    let mut train_paths = std::collections::BTreeSet::new();
    for path in train {
        train_paths.insert(canonical(path));
        let length = std::fs::metadata(path).map_or(0, |m| m.len());
        train_by_length.entry(length).or_default().push(path);
    }
    for path in held_out {
        if train_paths.contains(&canonical(path)) {
            bail!(
                "{} is both a training and a held-out photograph: keep the held-out folders out of the training folders",
                path.display()
            );
        }
        let length = std::fs::metadata(path).map_or(0, |m| m.len());
        let Some(same_length) = train_by_length.get(&length) else {
            continue;
        };
        let bytes = std::fs::read(path)?;
        for other in same_length {
            if std::fs::read(other)? == bytes {
                bail!(
                    "the held-out photograph {} is a copy of the training photograph {}",
                    path.display(),
                    other.display()
                );
            }
        }
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if is_photo(&path) {
            out.push(path);
        }
    }
}

fn is_photo(path: &Path) -> bool {
    let name = path.to_string_lossy().to_lowercase();
    let image = [".jpg", ".jpeg", ".png"].iter().any(|e| name.ends_with(e));
    image && !name.contains("screenshot") && !name.contains("images_dark")
}

/// KDE wallpapers ship one picture in several sizes under `<name>/contents/images/`: keep the
/// largest file of each such folder; other files stand alone.
pub(super) fn one_per_wallpaper(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut best: BTreeMap<PathBuf, (u64, PathBuf)> = Default::default();
    for path in paths {
        let key = if path.to_string_lossy().contains("/contents/images/") {
            path.parent().map_or(path.clone(), Path::to_path_buf)
        } else {
            path.clone()
        };
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        let entry = best.entry(key).or_insert((0, PathBuf::new()));
        if size > entry.0 {
            *entry = (size, path);
        }
    }
    best.into_values().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::photos::tests::Scratch;

    /// Each list keeps to its own folders: the training files are those under the training
    /// folders and the held-out files those under the held-out folders, whatever their names.
    #[test]
    fn training_and_held_out_come_from_their_own_folders() {
        let scratch = Scratch::new("split");
        let a = scratch.png("wallpapers/a.png", [10, 20, 30]);
        let b = scratch.png("wallpapers/nested/b.png", [40, 50, 60]);
        let c = scratch.png("extra/c.png", [70, 80, 90]);
        let held = scratch.png("held/skimage/astronaut.png", [1, 2, 3]);
        scratch.file("wallpapers/notes.txt", b"not a photo");

        let files = split(
            &[scratch.dir("wallpapers"), scratch.dir("extra")],
            &[scratch.dir("held")],
        )
        .expect("a split");
        assert_eq!(files.train, vec![c, a, b]);
        assert_eq!(files.held_out, vec![held]);
    }

    /// A held-out folder inside a training folder would train on the held-out photographs: refused.
    #[test]
    fn a_photograph_in_both_lists_is_refused() {
        let scratch = Scratch::new("overlap");
        scratch.png("photos/train/a.png", [10, 20, 30]);
        scratch.png("photos/held-out/b.png", [40, 50, 60]);
        let error = split(&[scratch.dir("photos")], &[scratch.dir("photos/held-out")])
            .expect_err("overlap refused");
        assert!(
            format!("{error}").contains("both a training and a held-out photograph"),
            "{error}"
        );
    }

    /// The same picture copied under another name is the same picture.
    #[test]
    fn a_copy_of_a_training_photograph_is_refused() {
        let scratch = Scratch::new("copy");
        scratch.png("train/a.png", [10, 20, 30]);
        scratch.png("train/b.png", [11, 21, 31]);
        scratch.png("held/renamed.png", [10, 20, 30]);
        let error =
            split(&[scratch.dir("train")], &[scratch.dir("held")]).expect_err("copy refused");
        assert!(format!("{error}").contains("is a copy of"), "{error}");
        assert!(format!("{error}").contains("a.png"), "{error}");
    }

    /// A missing folder is named with the script that installs it.
    #[test]
    fn a_missing_folder_names_its_installer() {
        let cache = cache_photos().join("held-out");
        let sentence = missing_folder(&cache, "held-out");
        assert!(
            sentence.contains("scripts/install-photo-data.sh"),
            "{sentence}"
        );
        let sentence = missing_folder(Path::new(WALLPAPER_DIRS[0]), "training");
        assert!(sentence.contains("scripts/install-data.sh"), "{sentence}");

        let scratch = Scratch::new("missing");
        let error = split(&[scratch.dir("nowhere")], &[]).expect_err("missing");
        assert!(format!("{error}").contains("is missing"), "{error}");
    }
}
