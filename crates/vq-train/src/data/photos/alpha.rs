//! Photographs with an alpha channel. Dropping alpha shows whatever colour the transparent pixels
//! happen to hold: MATE's overlays (`Silk`, `Spring`, `Waves`, `MATE-Stripes-*`) then load as
//! solid white or black. Instead, a picture is composited over a neutral grey, as it would look
//! on a grey desktop; one that is mostly transparent is no photograph and is skipped.

use image::{DynamicImage, Rgb, RgbImage};

/// The neutral background transparent pixels are composited over (mid-grey, 0 in model space).
pub const BACKGROUND: [u8; 3] = [128, 128, 128];

/// A picture whose mean opacity is below this is skipped: most of it would be background.
pub const MIN_MEAN_OPACITY: f64 = 0.5;

/// What the alpha rule did to one picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alpha {
    /// No alpha channel.
    Absent,
    /// An alpha channel with every pixel opaque: dropped, the picture unchanged.
    Opaque,
    /// Composited over [`BACKGROUND`].
    Composited,
    /// Skipped: its mean opacity (0 to 1) is below [`MIN_MEAN_OPACITY`].
    MostlyTransparent {
        /// Mean of alpha over the pixels, 0 (transparent) to 1 (opaque).
        mean_opacity: f64,
    },
}

/// The picture in RGB by the alpha rule, and what the rule did (`None` when it is skipped).
pub fn flatten(image: DynamicImage) -> (Option<RgbImage>, Alpha) {
    if !image.color().has_alpha() {
        return (Some(image.into_rgb8()), Alpha::Absent);
    }
    let rgba = image.into_rgba8();
    let pixels = u64::from(rgba.width()) * u64::from(rgba.height());
    let alpha_sum: u64 = rgba.pixels().map(|p| u64::from(p[3])).sum();
    if alpha_sum == 255 * pixels {
        return (
            Some(DynamicImage::ImageRgba8(rgba).into_rgb8()),
            Alpha::Opaque,
        );
    }
    let mean_opacity = alpha_sum as f64 / (255.0 * pixels.max(1) as f64);
    if mean_opacity < MIN_MEAN_OPACITY {
        return (None, Alpha::MostlyTransparent { mean_opacity });
    }
    let flat = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y);
        let a = u32::from(p[3]);
        // out = a·colour + (1 − a)·background, rounded, with a in 0..=255.
        Rgb(std::array::from_fn(|c| {
            ((a * u32::from(p[c]) + (255 - a) * u32::from(BACKGROUND[c]) + 127) / 255) as u8
        }))
    });
    (Some(flat), Alpha::Composited)
}

/// How many pictures each alpha rule touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlphaCounts {
    /// With an alpha channel, every pixel opaque.
    pub opaque: usize,
    /// Composited over the background.
    pub composited: usize,
    /// Skipped as mostly transparent.
    pub skipped: usize,
}

impl AlphaCounts {
    /// Counts what the rule did to one picture.
    pub fn add(&mut self, alpha: Alpha) {
        match alpha {
            Alpha::Absent => {}
            Alpha::Opaque => self.opaque += 1,
            Alpha::Composited => self.composited += 1,
            Alpha::MostlyTransparent { .. } => self.skipped += 1,
        }
    }
}

impl std::fmt::Display for AlphaCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "alpha: {} opaque (alpha dropped), {} composited over grey {}, {} skipped as mostly transparent (mean opacity < {})",
            self.opaque, self.composited, BACKGROUND[0], self.skipped, MIN_MEAN_OPACITY
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn rgba(pixels: &[[u8; 4]]) -> DynamicImage {
        let mut image = RgbaImage::new(pixels.len() as u32, 1);
        for (x, p) in pixels.iter().enumerate() {
            image.put_pixel(x as u32, 0, Rgba(*p));
        }
        DynamicImage::ImageRgba8(image)
    }

    /// Opaque pixels keep their colour, transparent ones show the grey background, and half
    /// transparent ones are half way between: not the white or black that dropping alpha shows.
    #[test]
    fn alpha_is_composited_over_grey() {
        let image = rgba(&[
            [200, 10, 0, 255],
            [200, 10, 0, 255],
            [200, 10, 0, 255],
            [255, 255, 255, 0],
            [0, 0, 0, 0],
            [255, 0, 0, 128],
        ]);
        let (flat, alpha) = flatten(image);
        assert_eq!(alpha, Alpha::Composited);
        let flat = flat.expect("kept");
        assert_eq!(flat.get_pixel(0, 0).0, [200, 10, 0]);
        assert_eq!(flat.get_pixel(3, 0).0, BACKGROUND);
        assert_eq!(flat.get_pixel(4, 0).0, BACKGROUND);
        // 128/255 of red over grey: 128·255/255 + 127·128/255 ≈ 192 red, 127·128/255 ≈ 64 else.
        assert_eq!(flat.get_pixel(5, 0).0, [192, 64, 64]);
    }

    /// A picture that is mostly transparent is skipped, and says how transparent it was.
    #[test]
    fn mostly_transparent_pictures_are_skipped() {
        let image = rgba(&[
            [255, 255, 255, 255],
            [9, 9, 9, 0],
            [9, 9, 9, 0],
            [9, 9, 9, 0],
        ]);
        let (flat, alpha) = flatten(image);
        assert!(flat.is_none());
        assert_eq!(alpha, Alpha::MostlyTransparent { mean_opacity: 0.25 });
    }

    /// An opaque alpha channel, or none, leaves the colours as they are; the counts say which
    /// rule touched how many pictures.
    #[test]
    fn opaque_pictures_keep_their_colours() {
        let (flat, alpha) = flatten(rgba(&[[1, 2, 3, 255], [4, 5, 6, 255]]));
        assert_eq!(alpha, Alpha::Opaque);
        assert_eq!(flat.expect("kept").into_raw(), vec![1, 2, 3, 4, 5, 6]);
        let grey =
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(1, 1, vec![77]).expect("1×1"));
        let (flat, alpha) = flatten(grey);
        assert_eq!(alpha, Alpha::Absent);
        assert_eq!(flat.expect("kept").into_raw(), vec![77, 77, 77]);

        let mut counts = AlphaCounts::default();
        for alpha in [
            Alpha::Absent,
            Alpha::Opaque,
            Alpha::Composited,
            Alpha::Composited,
            Alpha::MostlyTransparent { mean_opacity: 0.1 },
        ] {
            counts.add(alpha);
        }
        assert_eq!(
            counts,
            AlphaCounts {
                opaque: 1,
                composited: 2,
                skipped: 1
            }
        );
    }
}
