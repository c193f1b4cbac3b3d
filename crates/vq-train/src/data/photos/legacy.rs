//! The held-out set the shipped `photo` model (trained before issue 16) was measured on: every
//! eighth wallpaper in path order, alpha dropped. Only `tests/assets.rs` reads it, to re-measure
//! that model on the images its manifest's figures came from; once the model is retrained on
//! the split of [`super::load`], the test measures it there and this module goes.

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::{LOAD_LONG_SIDE, Photos, files};

/// The every-eighth held-out wallpapers under `dirs`, loaded as the trainer loaded them then
/// (alpha dropped, reduced to [`LOAD_LONG_SIDE`] with a triangle filter).
///
/// # Errors
/// When there are fewer than eight wallpapers.
pub fn wallpapers_every_eighth(dirs: &[PathBuf]) -> Result<Photos> {
    let paths = files::walk(dirs);
    if paths.len() < 8 {
        bail!(
            "found {} wallpapers under {dirs:?}; install the wallpaper packages with scripts/install-data.sh",
            paths.len()
        );
    }
    let mut photos = Photos::default();
    for path in paths.iter().skip(7).step_by(8) {
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
        photos.held_out.push(image.into_rgb8());
        photos.held_out_paths.push(path.clone());
    }
    Ok(photos)
}
