//! Natural photographs from Debian's wallpaper packages (`plasma-workspace-wallpapers`,
//! `mate-backgrounds`, `ukui-wallpapers`). Each wallpaper is one image (its largest file;
//! screenshots and dark variants are skipped). Whole images are held out for evaluation:
//! every eighth, in path order, is never cropped for training.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use image::RgbImage;
use vq_model::rng::SplitMix64;

use super::ImageSet;

/// Folders searched, as the packages install them.
pub const DEFAULT_DIRS: [&str; 2] = ["/usr/share/wallpapers", "/usr/share/backgrounds"];

/// Long side each photo is reduced to when loaded (crops are taken at several scales of it).
pub const LOAD_LONG_SIDE: u32 = 1024;

/// The photos, split into training and held-out images.
pub struct Photos {
    /// Training photos.
    pub train: Vec<RgbImage>,
    /// Held-out photos (whole images never seen in training).
    pub held_out: Vec<RgbImage>,
    /// Paths of the held-out photos.
    pub held_out_paths: Vec<PathBuf>,
}

/// Finds and loads every wallpaper under `dirs`.
pub fn load(dirs: &[PathBuf]) -> Result<Photos> {
    load_split(dirs, true)
}

/// Loads the held-out photos only (for tests: decoding is the slow part).
pub fn load_held_out(dirs: &[PathBuf]) -> Result<Photos> {
    load_split(dirs, false)
}

fn load_split(dirs: &[PathBuf], with_train: bool) -> Result<Photos> {
    let mut paths = Vec::new();
    for dir in dirs {
        collect(dir, &mut paths);
    }
    let mut paths = one_per_wallpaper(paths);
    paths.sort();
    if paths.len() < 8 {
        bail!(
            "found {} photographs under {:?}; install the wallpaper packages with scripts/install-data.sh",
            paths.len(),
            dirs
        );
    }
    let mut photos = Photos {
        train: Vec::new(),
        held_out: Vec::new(),
        held_out_paths: Vec::new(),
    };
    for (i, path) in paths.iter().enumerate() {
        let held_out = i % 8 == 7;
        if !held_out && !with_train {
            continue;
        }
        let Ok(image) = image::open(path) else {
            eprintln!("skipping {} (cannot decode)", path.display());
            continue;
        };
        let scale = f64::from(LOAD_LONG_SIDE) / f64::from(image.width().max(image.height()));
        let image = if scale < 1.0 {
            image.resize(
                (f64::from(image.width()) * scale) as u32,
                (f64::from(image.height()) * scale) as u32,
                image::imageops::FilterType::Triangle,
            )
        } else {
            image
        };
        if held_out {
            photos.held_out.push(image.into_rgb8());
            photos.held_out_paths.push(path.clone());
        } else {
            photos.train.push(image.into_rgb8());
        }
    }
    Ok(photos)
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
fn one_per_wallpaper(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut best: std::collections::BTreeMap<PathBuf, (u64, PathBuf)> = Default::default();
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

/// `count` random `side × side` crops of `photos`, each taken at a random scale (the photo
/// reduced to 1, 1/2 or 1/4 of its loaded size), as an [`ImageSet`].
pub fn random_crops(photos: &[RgbImage], side: u32, count: usize, seed: u64) -> ImageSet {
    let scales: Vec<Vec<RgbImage>> = photos
        .iter()
        .map(|p| {
            [1u32, 2, 4]
                .iter()
                .map(|&f| {
                    image::imageops::resize(
                        p,
                        (p.width() / f).max(side),
                        (p.height() / f).max(side),
                        image::imageops::FilterType::Triangle,
                    )
                })
                .collect()
        })
        .collect();
    let mut rng = SplitMix64::new(seed);
    let mut pixels = Vec::with_capacity(count * 3 * (side * side) as usize);
    for _ in 0..count {
        let photo = &scales[rng.below(scales.len())];
        let image = &photo[rng.below(photo.len())];
        let x = rng.below((image.width() - side + 1) as usize) as u32;
        let y = rng.below((image.height() - side + 1) as usize) as u32;
        push_planar(image, x, y, side, side, &mut pixels);
    }
    ImageSet {
        channels: 3,
        side: side as usize,
        pixels,
        labels: Vec::new(),
    }
}

/// Appends the crop `(x, y, w, h)` of `image` as planar RGB in model space.
pub fn push_planar(image: &RgbImage, x: u32, y: u32, w: u32, h: u32, out: &mut Vec<f32>) {
    for channel in 0..3 {
        for row in y..y + h {
            for col in x..x + w {
                out.push(f32::from(image.get_pixel(col, row)[channel]) / 255.0 - 0.5);
            }
        }
    }
}
