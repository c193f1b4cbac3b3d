//! Photographs, from Debian's wallpaper packages (`plasma-workspace-wallpapers`,
//! `mate-backgrounds`, `ukui-wallpapers`, by `scripts/install-data.sh`) and the sources of
//! `PHOTO-SOURCES.md` (by `scripts/install-photo-data.sh`). Each wallpaper is one image (its
//! largest file; screenshots and dark variants are skipped).
//!
//! Training and held-out photographs come from separate folders, so from separate sources
//! ([`files::split`]): the held-out photographs are whole images of a kind the model never saw
//! in training. Alpha is composited over grey ([`alpha`]).

use std::path::{Path, PathBuf};

use anyhow::Result;
use image::RgbImage;
use vq_model::rng::SplitMix64;

use super::ImageSet;

pub mod alpha;
pub mod augment;
pub mod files;

use alpha::{Alpha, AlphaCounts};
use augment::Augment;

/// The wallpaper folders, as the packages install them: training photographs.
pub const WALLPAPER_DIRS: [&str; 2] = ["/usr/share/wallpapers", "/usr/share/backgrounds"];

/// Long side each photo is reduced to when loaded (crops are taken at several scales of it).
pub const LOAD_LONG_SIDE: u32 = 1024;

/// Where `scripts/install-photo-data.sh` puts the photographs: `$VQ_LAB_CACHE/photos`
/// (`VQ_LAB_CACHE` defaults to `~/.cache/vq-lab`), with `train/<source>/` and
/// `held-out/<source>/` inside.
pub fn cache_photos() -> PathBuf {
    let cache = std::env::var_os("VQ_LAB_CACHE").map_or_else(
        || {
            std::env::var_os("HOME")
                .map_or_else(PathBuf::new, PathBuf::from)
                .join(".cache/vq-lab")
        },
        PathBuf::from,
    );
    cache.join("photos")
}

/// The folders of each role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    /// Training folders.
    pub train: Vec<PathBuf>,
    /// Held-out folders: sources no training folder uses.
    pub held_out: Vec<PathBuf>,
}

impl Folders {
    /// Where the scripts install them: the wallpapers and `$VQ_LAB_CACHE/photos/train` for
    /// training, `$VQ_LAB_CACHE/photos/held-out` held out.
    pub fn installed() -> Self {
        let mut train: Vec<PathBuf> = WALLPAPER_DIRS.iter().map(PathBuf::from).collect();
        train.push(cache_photos().join("train"));
        Self {
            train,
            held_out: vec![cache_photos().join("held-out")],
        }
    }

    /// `train` and `held_out`, each where the scripts install it when empty.
    pub fn or_installed(train: &[PathBuf], held_out: &[PathBuf]) -> Self {
        let installed = Self::installed();
        let pick = |given: &[PathBuf], default: Vec<PathBuf>| {
            if given.is_empty() {
                default
            } else {
                given.to_vec()
            }
        };
        Self {
            train: pick(train, installed.train),
            held_out: pick(held_out, installed.held_out),
        }
    }
}

/// The photos, split into training and held-out images.
#[derive(Default)]
pub struct Photos {
    /// Training photos.
    pub train: Vec<RgbImage>,
    /// Held-out photos (whole images never seen in training).
    pub held_out: Vec<RgbImage>,
    /// Paths of the held-out photos.
    pub held_out_paths: Vec<PathBuf>,
}

/// Loads the training and held-out photographs of `folders`, by the split rule of
/// [`files::split`], and logs how many of each were kept and what the alpha rule did.
///
/// # Errors
/// When a folder is missing, a list has no photograph, or the two lists share one.
pub fn load(folders: &Folders) -> Result<Photos> {
    let files = files::split(&folders.train, &folders.held_out)?;
    let (train, _) = load_files(&files.train, "training");
    let (held_out, held_out_paths) = load_files(&files.held_out, "held-out");
    Ok(Photos {
        train,
        held_out,
        held_out_paths,
    })
}

/// Loads the held-out photographs under `dirs` only (examples, evaluation, tests: decoding
/// is the slow part).
///
/// # Errors
/// When a folder is missing or holds no photograph.
pub fn load_held_out(dirs: &[PathBuf]) -> Result<Photos> {
    let paths = files::find(dirs, "held-out")?;
    let (held_out, held_out_paths) = load_files(&paths, "held-out");
    Ok(Photos {
        held_out,
        held_out_paths,
        ..Photos::default()
    })
}

/// Decodes `paths`, keeping those the alpha rule keeps, and logs what happened.
fn load_files(paths: &[PathBuf], role: &str) -> (Vec<RgbImage>, Vec<PathBuf>) {
    let mut images = Vec::new();
    let mut kept = Vec::new();
    let mut counts = AlphaCounts::default();
    let mut undecodable = 0;
    for path in paths {
        match decode(path) {
            Err(error) => {
                undecodable += 1;
                eprintln!("skipping {} (cannot decode: {error})", path.display());
            }
            Ok((image, alpha)) => {
                counts.add(alpha);
                if let Alpha::MostlyTransparent { mean_opacity } = alpha {
                    eprintln!(
                        "skipping {} (mostly transparent: mean opacity {:.0} %)",
                        path.display(),
                        100.0 * mean_opacity
                    );
                }
                if let Some(image) = image {
                    images.push(image);
                    kept.push(path.clone());
                }
            }
        }
    }
    eprintln!(
        "photos, {role}: {} of {} files kept; {counts}; {undecodable} undecodable",
        images.len(),
        paths.len()
    );
    (images, kept)
}

/// One photograph in RGB by the alpha rule, reduced to [`LOAD_LONG_SIDE`] on its long side
/// (never enlarged); `None` when the alpha rule skips it.
///
/// # Errors
/// When the file cannot be read or decoded.
pub fn decode(path: &Path) -> Result<(Option<RgbImage>, Alpha)> {
    let (image, alpha) = alpha::flatten(image::open(path)?);
    let image = image.map(|image| {
        let (w, h) = image.dimensions();
        let scale = f64::from(LOAD_LONG_SIDE) / f64::from(w.max(h));
        if scale < 1.0 {
            image::imageops::resize(
                &image,
                ((f64::from(w) * scale) as u32).max(1),
                ((f64::from(h) * scale) as u32).max(1),
                image::imageops::FilterType::Triangle,
            )
        } else {
            image
        }
    });
    Ok((image, alpha))
}

/// `count` random `side × side` crops of `photos`, each taken at a random scale (the photo
/// reduced to 1, 1/2 or 1/4 of its loaded size), as an [`ImageSet`].
pub fn random_crops(photos: &[RgbImage], side: u32, count: usize, seed: u64) -> ImageSet {
    random_training_crops(photos, side, count, seed, &Augment::NONE)
}

/// [`random_crops`], each crop then augmented by `augment` ([`augment::apply`]): the same
/// places and scales as without it, crop `i` augmented from `SplitMix64::stream(seed, i)`.
pub fn random_training_crops(
    photos: &[RgbImage],
    side: u32,
    count: usize,
    seed: u64,
    augment: &Augment,
) -> ImageSet {
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
    let n = 3 * (side * side) as usize;
    for i in 0..count {
        let photo = &scales[rng.below(scales.len())];
        let image = &photo[rng.below(photo.len())];
        let x = rng.below((image.width() - side + 1) as usize) as u32;
        let y = rng.below((image.height() - side + 1) as usize) as u32;
        push_planar(image, x, y, side, side, &mut pixels);
        if !augment.is_none() {
            let start = pixels.len() - n;
            augment::apply(
                &mut pixels[start..],
                side as usize,
                augment,
                &mut SplitMix64::stream(seed, i as u64),
            );
        }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    /// A scratch folder of small pictures made in memory, removed when dropped.
    pub(crate) struct Scratch(PathBuf);

    impl Scratch {
        pub(crate) fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "vq-photos-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("scratch folder");
            Self(dir)
        }

        pub(crate) fn dir(&self, relative: &str) -> PathBuf {
            self.0.join(relative)
        }

        pub(crate) fn file(&self, relative: &str, bytes: &[u8]) -> PathBuf {
            let path = self.0.join(relative);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
            std::fs::write(&path, bytes).expect("written");
            path
        }

        /// An 8×6 PNG of one colour.
        pub(crate) fn png(&self, relative: &str, rgb: [u8; 3]) -> PathBuf {
            self.rgba_png(relative, [rgb[0], rgb[1], rgb[2], 255], false)
        }

        /// An 8×6 RGBA PNG of one colour, its left half transparent when `half_clear`.
        pub(crate) fn rgba_png(&self, relative: &str, rgba: [u8; 4], half_clear: bool) -> PathBuf {
            let image = RgbaImage::from_fn(8, 6, |x, _| {
                if half_clear && x < 4 {
                    Rgba([0, 0, 0, 0])
                } else {
                    Rgba(rgba)
                }
            });
            let mut bytes = Vec::new();
            image::DynamicImage::ImageRgba8(image)
                .write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Png,
                )
                .expect("encoded");
            self.file(relative, &bytes)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Training crops are taken where the unaugmented ones are: with flips alone each is that
    /// crop or its mirror (both occur); with the jitter too, values stay in range; the same
    /// seed gives the same crops.
    #[test]
    fn training_crops_are_flipped_and_jittered_reproducibly() {
        let photo = RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 8) as u8, ((x * y) % 256) as u8])
        });
        let photos = [photo];
        let plain = random_crops(&photos, 8, 40, 5);
        let flips = Augment {
            flip: true,
            jitter: None,
        };
        let flipped = random_training_crops(&photos, 8, 40, 5, &flips);
        let (mut same, mut mirrored) = (0, 0);
        for i in 0..plain.len() {
            let mut mirror = plain.image(i).to_vec();
            augment::flip_horizontal(&mut mirror, 8);
            if flipped.image(i) == plain.image(i) {
                same += 1;
            } else {
                assert_eq!(flipped.image(i), mirror.as_slice(), "crop {i}");
                mirrored += 1;
            }
        }
        assert!(same > 5 && mirrored > 5, "{same} kept, {mirrored} mirrored");

        let jittered = random_training_crops(&photos, 8, 40, 5, &Augment::FLIP_JITTER);
        assert!(jittered.pixels.iter().all(|v| (-0.5..=0.5).contains(v)));
        assert_ne!(jittered.pixels, flipped.pixels);
        let again = random_training_crops(&photos, 8, 40, 5, &Augment::FLIP_JITTER);
        assert_eq!(jittered.pixels, again.pixels);
    }

    /// Loading keeps the two lists apart, composites alpha over grey and skips a picture that is
    /// mostly transparent (it would load as a flat colour).
    #[test]
    fn loading_applies_the_split_and_the_alpha_rule() {
        let scratch = Scratch::new("load");
        scratch.png("train/opaque.png", [200, 0, 0]);
        scratch.rgba_png("train/overlay.png", [255, 255, 255, 0], false);
        scratch.rgba_png("train/half.png", [0, 0, 255, 255], true);
        let held = scratch.png("held/photo.png", [0, 200, 0]);
        let photos = load(&Folders {
            train: vec![scratch.dir("train")],
            held_out: vec![scratch.dir("held")],
        })
        .expect("loaded");
        assert_eq!(photos.train.len(), 2, "the transparent overlay is skipped");
        assert_eq!(photos.held_out_paths, vec![held]);
        assert_eq!(photos.held_out[0].get_pixel(0, 0).0, [0, 200, 0]);
        // `half.png` (sorted first): its clear half grey, its opaque half blue.
        assert_eq!(photos.train[0].get_pixel(0, 0).0, alpha::BACKGROUND);
        assert_eq!(photos.train[0].get_pixel(7, 0).0, [0, 0, 255]);
        assert_eq!(photos.train[1].get_pixel(0, 0).0, [200, 0, 0]);
    }
}
