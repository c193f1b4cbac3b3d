//! The held-out evaluation images of the `photo` model, made from whole held-out photographs and
//! never scaled up: an enlarged photograph is smoother than the photograph, and so scores a PSNR
//! it does not earn (scikit-image's `coins` is 384 px, `chelsea` 451 px).
//!
//! - Whole photographs at 128, 256 and 512 px on their long side ([`WHOLE_SIDES`]), each only at
//!   the sides it reaches ([`whole_sides`]): the sizes the page offers for colour models.
//! - Four 128×128 crops of each, from the photograph reduced to 512 px on its long side, or as
//!   it is when smaller; none when its short side is then under 128 px.

use std::collections::BTreeMap;
use std::path::PathBuf;

use image::RgbImage;
use image::imageops::{FilterType, resize};

use crate::data::ImageSet;
use crate::data::photos;

/// Long sides whole photographs are evaluated at (the page's sizes for colour models).
pub const WHOLE_SIDES: [u32; 3] = [128, 256, 512];

/// Side of the held-out crops.
pub const CROP_SIDE: u32 = 128;

/// Long side of the photograph the crops are taken from (at most: never enlarged).
pub const CROP_SOURCE_LONG_SIDE: u32 = 512;

/// Held-out evaluation images.
pub struct HeldOut {
    /// Four [`CROP_SIDE`]² crops of each photograph that has them.
    pub crops: ImageSet,
    /// Whole photographs by long side (each of [`WHOLE_SIDES`], possibly none), sides
    /// multiples of 4.
    pub whole: BTreeMap<u32, Vec<RgbImage>>,
    /// What each photograph was used for, in order.
    pub uses: Vec<Use>,
}

/// What one held-out photograph was used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// Its size as loaded.
    pub size: (u32, u32),
    /// The long sides it was evaluated at whole.
    pub whole_sides: Vec<u32>,
    /// Whether its four crops were taken.
    pub crops: bool,
}

impl std::fmt::Display for Use {
    /// `1024×683: whole at 128, 256, 512 px; 4 crops of 128 px`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sides: Vec<String> = self.whole_sides.iter().map(u32::to_string).collect();
        write!(f, "{}×{}: whole at ", self.size.0, self.size.1)?;
        if sides.is_empty() {
            write!(f, "no size")?;
        } else {
            write!(f, "{} px", sides.join(", "))?;
        }
        if self.crops {
            write!(f, "; 4 crops of {CROP_SIDE} px")
        } else {
            write!(f, "; no crops (too small)")
        }
    }
}

/// The sides of [`WHOLE_SIDES`] a photograph `long_side` px long reaches without enlarging.
pub fn whole_sides(long_side: u32) -> Vec<u32> {
    WHOLE_SIDES
        .into_iter()
        .filter(|&side| side <= long_side)
        .collect()
}

/// The size of `size` reduced to `long_side` on its long side, sides multiples of 4, as the
/// page sizes an upload (`vq_model::image::fit_size`); where that rounds a side above the
/// photograph's own, the sides are rounded down instead. Never larger than `size`.
pub fn reduced_size(size: (u32, u32), long_side: u32) -> (u32, u32) {
    let (w, h) = vq_model::image::fit_size(size, long_side);
    if w <= size.0 && h <= size.1 {
        return (w, h);
    }
    let scale = f64::from(long_side) / f64::from(size.0.max(size.1).max(1));
    let down4 = |v: u32| (((f64::from(v) * scale) as u32) / 4 * 4).max(4).min(v);
    (down4(size.0), down4(size.1))
}

/// The fixed held-out set made of `photos`.
pub fn held_out_of(photos: &[RgbImage]) -> HeldOut {
    let mut pixels = Vec::new();
    let mut whole: BTreeMap<u32, Vec<RgbImage>> =
        WHOLE_SIDES.iter().map(|&side| (side, Vec::new())).collect();
    let mut uses = Vec::new();
    for photo in photos {
        let size = photo.dimensions();
        let long_side = size.0.max(size.1);
        let medium = if long_side > CROP_SOURCE_LONG_SIDE {
            let (w, h) = reduced_size(size, CROP_SOURCE_LONG_SIDE);
            resize(photo, w, h, FilterType::Lanczos3)
        } else {
            photo.clone()
        };
        let crops = medium.width().min(medium.height()) >= CROP_SIDE;
        if crops {
            for (fx, fy) in [(1, 1), (3, 1), (1, 3), (3, 3)] {
                let x = (medium.width() - CROP_SIDE) * fx / 4;
                let y = (medium.height() - CROP_SIDE) * fy / 4;
                photos::push_planar(&medium, x, y, CROP_SIDE, CROP_SIDE, &mut pixels);
            }
        }
        let sides = whole_sides(long_side);
        for &side in &sides {
            let (w, h) = reduced_size(size, side);
            whole
                .entry(side)
                .or_default()
                .push(resize(photo, w, h, FilterType::Lanczos3));
        }
        uses.push(Use {
            size,
            whole_sides: sides,
            crops,
        });
    }
    HeldOut {
        crops: ImageSet {
            channels: 3,
            side: CROP_SIDE as usize,
            pixels,
            labels: Vec::new(),
        },
        whole,
        uses,
    }
}

/// Logs which sizes each held-out photograph (at `paths`) was used at.
pub fn log_uses(held_out: &HeldOut, paths: &[PathBuf]) {
    for (path, used) in paths.iter().zip(&held_out.uses) {
        eprintln!("held out: {}: {used}", path.display());
    }
    for (side, images) in &held_out.whole {
        eprintln!(
            "held out: {} of {} photographs whole at {side} px",
            images.len(),
            held_out.uses.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        })
    }

    /// A photograph is evaluated whole only at the sides it reaches: `coins` (384 px) at 128
    /// and 256 px, never enlarged to 512 px.
    #[test]
    fn whole_photographs_are_never_enlarged() {
        assert_eq!(whole_sides(1024), vec![128, 256, 512]);
        assert_eq!(whole_sides(512), vec![128, 256, 512]);
        assert_eq!(whole_sides(511), vec![128, 256]);
        assert_eq!(whole_sides(384), vec![128, 256]);
        assert_eq!(whole_sides(127), Vec::<u32>::new());

        let set = held_out_of(&[photo(700, 467), photo(384, 303), photo(200, 90)]);
        let count = |side| set.whole[&side].len();
        assert_eq!((count(128), count(256), count(512)), (3, 2, 1));
        for (side, images) in &set.whole {
            for image in images {
                assert_eq!(image.width().max(image.height()), *side);
                assert_eq!((image.width() % 4, image.height() % 4), (0, 0));
            }
        }
        assert!(set.whole[&256][1].width() <= 384 && set.whole[&256][1].height() <= 303);
        assert_eq!(
            set.uses
                .iter()
                .map(|u| u.whole_sides.clone())
                .collect::<Vec<_>>(),
            vec![vec![128, 256, 512], vec![128, 256], vec![128]]
        );
    }

    /// Crops come from the photograph at 512 px when it is larger, as it is when smaller (its
    /// own pixels: the first crop of a 384 px photograph is its pixels at (64, 43)), and not
    /// at all when it is under 128 px on its short side.
    #[test]
    fn crops_are_taken_without_enlarging() {
        let small = photo(384, 303);
        let set = held_out_of(&[photo(1024, 683), small.clone(), photo(200, 90)]);
        assert_eq!(set.crops.len(), 8);
        assert_eq!(
            set.uses.iter().map(|u| u.crops).collect::<Vec<_>>(),
            vec![true, true, false]
        );
        let crop = set.crops.image(4);
        let (x, y) = ((384 - 128) / 4, (303 - 128) / 4);
        let red = f32::from(small.get_pixel(x, y)[0]) / 255.0 - 0.5;
        assert!((crop[0] - red).abs() < 1e-6, "{} vs {red}", crop[0]);
        assert_eq!(
            set.uses[2].to_string(),
            "200×90: whole at 128 px; no crops (too small)"
        );
    }

    /// Reduced sizes follow the page's rounding, but never above the photograph's own sides.
    #[test]
    fn reduced_sizes_stay_within_the_photograph() {
        assert_eq!(reduced_size((1024, 683), 256), (256, 172));
        // fit_size would round 302 up to 304.
        assert_eq!(reduced_size((512, 302), 512), (512, 300));
        assert_eq!(reduced_size((512, 300), 512), (512, 300));
    }
}
