//! What the engine does with a model: load it from the bytes of its files, prepare an upload
//! (decode, resize, invert), encode it, and decode the window an edit reaches.
//!
//! Free of any web API, so it compiles natively too; the worker ([`super::worker`]) fetches the
//! bytes and posts the results. Every read from the device is asynchronous.

use burn::tensor::Device;
use vq_model::image::{
    RgbaImage, decode_upload, fit_size, planes_from_rgba, resize, rgba_from_planes, upload_size,
};
use vq_model::sampler::Grid;
use vq_model::weights::{LoadedModel, ModelFiles, WeightsError, load_model};
use vq_model::{ModelConfig, read_f32};
use web_time::Instant;

use super::EngineError;
use super::autoencoder::{self, Latents};
use super::held::Held;
use crate::protocol::{CellCode, Encoding, Invert, NEAREST, PHOTO_SIZES, PatchPixels};

/// A border whose mean grey level (0–255) is above this counts as light.
const LIGHT_BORDER: f64 = 127.5;

/// An upload ready for the encoder: RGBA of the model's input size.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// RGBA bytes, `4 × width × height` (grey models: grey in R, G and B).
    pub rgba: Vec<u8>,
    /// Width in pixels, a multiple of 4.
    pub width: usize,
    /// Height in pixels, a multiple of 4.
    pub height: usize,
    /// The decoded file's size.
    pub source_size: (u32, u32),
    /// Whether grey levels were inverted.
    pub inverted: bool,
    /// Why (or why not), one sentence.
    pub invert_reason: String,
}

fn luma(px: &[u8]) -> f64 {
    0.299 * f64::from(px[0]) + 0.587 * f64::from(px[1]) + 0.114 * f64::from(px[2])
}

/// The mean grey level (0–255) of the outermost ring of pixels.
pub fn border_mean(rgba: &[u8], width: usize, height: usize) -> f64 {
    let mut sum = 0.0;
    let mut count = 0usize;
    for y in 0..height {
        for x in 0..width {
            let on_border = y == 0 || x == 0 || y + 1 == height || x + 1 == width;
            if on_border && let Some(px) = rgba.get(4 * (y * width + x)..4 * (y * width + x) + 4) {
                sum += luma(px);
                count += 1;
            }
        }
    }
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Decodes an upload and brings it to the model's input: grey models (Fashion-MNIST) get a
/// centre crop to a square, `image_size` a side, and inversion when asked (or, with
/// [`Invert::Auto`], when the border is light: the dataset shows light garments on black);
/// colour models get `long_side` on the long side (one of [`PHOTO_SIZES`]; others are
/// refused, since memory and time grow with the square of it).
///
/// # Errors
///
/// [`EngineError::Upload`] when the file is not an image the app can use,
/// [`EngineError::PhotoSize`] for a long side the photo model does not take.
pub fn prepare(
    bytes: &[u8],
    config: &ModelConfig,
    invert: Invert,
    long_side: u32,
) -> Result<Prepared, EngineError> {
    check_long_side(config, long_side)?;
    let image = decode_upload(bytes)?;
    let source_size = image.dimensions();
    prepare_image(&image, source_size, config, invert, long_side)
}

/// Refuses a long side the model does not take (colour models: one of [`PHOTO_SIZES`]).
fn check_long_side(config: &ModelConfig, long_side: u32) -> Result<(), EngineError> {
    if config.vqvae.in_channels != 1 && !PHOTO_SIZES.contains(&long_side) {
        return Err(EngineError::PhotoSize(long_side));
    }
    Ok(())
}

/// Uploads whose long side is over this are decoded at [`SCALED_LONG_SIDE`] by the browser's
/// own decoder where it can ([`scaled_decode`]): decoding every pixel of a 48-megapixel photo
/// in WebAssembly, then resizing it, takes seconds for an image shown at 512 px at most.
pub const SCALED_FROM_LONG_SIDE: u32 = 2048;
/// The long side a large upload is decoded at: twice the largest the models take, so the
/// resize to the model's size that follows (Lanczos) still has pixels to filter.
pub const SCALED_LONG_SIDE: u32 = 1024;

/// For a large upload (its long side over [`SCALED_FROM_LONG_SIDE`]), its size as shown and
/// the size to decode it at; `None` for the others, which are decoded whole.
///
/// # Errors
///
/// [`EngineError::Upload`] when the file is refused from its header (as [`prepare`] would),
/// [`EngineError::PhotoSize`] for a long side the model does not take.
pub fn scaled_decode(
    bytes: &[u8],
    config: &ModelConfig,
    long_side: u32,
) -> Result<Option<ScaledDecode>, EngineError> {
    check_long_side(config, long_side)?;
    let source_size = upload_size(bytes)?;
    if source_size.0.max(source_size.1) <= SCALED_FROM_LONG_SIDE {
        return Ok(None);
    }
    let (width, height) = source_size;
    let scale = f64::from(SCALED_LONG_SIDE) / f64::from(width.max(height));
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    Ok(Some(ScaledDecode {
        source_size,
        size: (side(width), side(height)),
    }))
}

/// How a large upload is decoded: [`scaled_decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaledDecode {
    /// The upload's size, its orientation applied.
    pub source_size: (u32, u32),
    /// The size to decode it at, the same proportions, [`SCALED_LONG_SIDE`] on the long side.
    pub size: (u32, u32),
}

impl ScaledDecode {
    /// The line the page shows while it is decoded.
    pub fn line(&self) -> String {
        let (width, height) = self.source_size;
        let megapixels = f64::from(width) * f64::from(height) / 1e6;
        format!(
            "Decoding a large image ({width}×{height}, {megapixels:.0} megapixels) at {}×{}…",
            self.size.0, self.size.1
        )
    }

    /// Decodes `bytes` with the image crate at full size and resizes it: where the platform has
    /// no decoder of its own that scales (native builds, and the browser's fallback).
    ///
    /// # Errors
    ///
    /// [`EngineError::Upload`] when the file cannot be decoded.
    pub fn here(&self, bytes: &[u8]) -> Result<RgbaImage, EngineError> {
        let image = decode_upload(bytes)?;
        Ok(resize(&image, self.size, false))
    }
}

/// [`prepare`] of an image already decoded (`image`; `source_size`: the file's size, which a
/// scaled decode does not keep).
///
/// # Errors
///
/// [`EngineError::PhotoSize`] for a long side the photo model does not take.
pub fn prepare_image(
    image: &RgbaImage,
    source_size: (u32, u32),
    config: &ModelConfig,
    invert: Invert,
    long_side: u32,
) -> Result<Prepared, EngineError> {
    check_long_side(config, long_side)?;
    let grey = config.vqvae.in_channels == 1;
    let resized = if grey {
        let side = u32::try_from(config.image_size).unwrap_or(28);
        resize(image, (side, side), true)
    } else {
        resize(image, fit_size(source_size, long_side), false)
    };
    let (width, height) = (resized.width() as usize, resized.height() as usize);
    let mut rgba = resized.into_raw();
    if grey {
        for px in rgba.chunks_exact_mut(4) {
            let value = luma(px).round().clamp(0.0, 255.0) as u8;
            px[..3].fill(value);
        }
    }
    let border = border_mean(&rgba, width, height);
    let (inverted, invert_reason) = match invert {
        Invert::Yes => (true, "Inverted, as asked.".to_owned()),
        Invert::No => (false, "Not inverted, as asked.".to_owned()),
        Invert::Auto if grey && border > LIGHT_BORDER => (
            true,
            format!(
                "Inverted automatically: the border is light (mean grey {border:.0} of 255), and \
                 Fashion-MNIST shows light garments on black."
            ),
        ),
        Invert::Auto if grey => (
            false,
            format!(
                "Not inverted: the border is dark (mean grey {border:.0} of 255), like \
                 Fashion-MNIST's black background."
            ),
        ),
        Invert::Auto => (false, "Colour models take images as they are.".to_owned()),
    };
    if inverted {
        for px in rgba.chunks_exact_mut(4) {
            for channel in &mut px[..3] {
                *channel = 255 - *channel;
            }
        }
    }
    Ok(Prepared {
        rgba,
        width,
        height,
        source_size,
        inverted,
        invert_reason,
    })
}

/// Encodes a prepared image: codes, distances and margins from the quantizer, the full
/// reconstruction, all read back asynchronously. Returns the encoding, its grid and what the
/// engine keeps of the image on the host ([`Held`]: `x`, `x̂`, `z_e`) for the inside of a cell,
/// the loss terms and the map.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn encode(
    model: &LoadedModel,
    prepared: &Prepared,
    source: &str,
    device: &Device,
) -> Result<(Encoding, Grid, Held), EngineError> {
    let started = Instant::now();
    let channels = model.config.vqvae.in_channels;
    let size = (prepared.width, prepared.height);
    let x = planes_from_rgba(&prepared.rgba, size, channels); // [C, H, W]
    let z_e = Latents::of(model, std::slice::from_ref(&x), size, device);
    let (ranked, mut x_hat) = z_e.ranked_and_decoded(model, NEAREST, device).await?;
    let grid = ranked.grids().swap_remove(0);
    let x_hat = x_hat.swap_remove(0); // [C, H, W]
    let z_e = z_e.values().await?;
    let (grid_width, grid_height) = (grid.width, grid.height);
    let (codes, nearest, nearest_distance) = (grid.codes.clone(), ranked.codes, ranked.distance);
    let reconstruction = rgba_from_planes(&x_hat, size, channels);
    let held = Held::new(
        (x, x_hat),
        z_e,
        codes.clone(),
        (prepared.width, prepared.height, channels),
    );
    let encoding = Encoding {
        source: source.to_owned(),
        source_size: prepared.source_size,
        width: prepared.width,
        height: prepared.height,
        grid_width,
        grid_height,
        codes,
        nearest,
        nearest_distance,
        original: prepared.rgba.clone(),
        reconstruction,
        inverted: prepared.inverted,
        invert_reason: prepared.invert_reason.clone(),
        millis: started.elapsed().as_secs_f64() * 1000.0,
    };
    Ok((encoding, grid, held))
}

/// The code of every cell of `images` (RGBA, each `size` = `(width, height)`, encoded as one
/// batch), and its squared distance from the encoder's output: one list of each per image.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn encode_cells(
    model: &LoadedModel,
    images: &[&[u8]],
    (width, height): (usize, usize),
    device: &Device,
) -> Result<(Vec<Vec<u32>>, Vec<Vec<f32>>), EngineError> {
    if images.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let channels = model.config.vqvae.in_channels;
    let planes: Vec<Vec<f32>> = images
        .iter()
        .map(|rgba| planes_from_rgba(rgba, (width, height), channels))
        .collect();
    let ranked = Latents::of(model, &planes, (width, height), device)
        .ranked(model, 1, device)
        .await?; // [n, h, w, 1]
    let cells = (ranked.height * ranked.width).max(1);
    Ok((
        ranked.codes.chunks(cells).map(<[u32]>::to_vec).collect(),
        ranked.distance.chunks(cells).map(<[f32]>::to_vec).collect(),
    ))
}

/// The pixels that the `cells` of `grid` reach (after their codes changed), decoded: one
/// window around the rectangle that bounds them, as RGBA and as model-space planes
/// `[C, height, width]`. `None` when `cells` is empty.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn patch(
    model: &LoadedModel,
    grid: &Grid,
    cells: &[CellCode],
    device: &Device,
) -> Result<Option<(PatchPixels, Vec<f32>)>, EngineError> {
    let (Some(rows), Some(cols)) = (
        bounds(cells.iter().map(|&(row, _, _)| row)),
        bounds(cells.iter().map(|&(_, col, _)| col)),
    ) else {
        return Ok(None);
    };
    let mut decoded = autoencoder::decode_window(model, grid, rows, cols, device).await?;
    let patch = decoded.patch(0);
    Ok(Some((patch, decoded.planes.swap_remove(0))))
}

/// The smallest range that holds every value (`None` for none).
fn bounds(values: impl Iterator<Item = usize>) -> Option<std::ops::RangeInclusive<usize>> {
    values.fold(None, |range, v| match range {
        None => Some(v..=v),
        Some(r) => Some(*r.start().min(&v)..=*r.end().max(&v)),
    })
}

/// Loads a model from its files (every hash checked first).
///
/// # Errors
///
/// [`WeightsError`], whose sentence the page shows.
pub fn load(files: ModelFiles<'_>, device: &Device) -> Result<LoadedModel, WeightsError> {
    load_model(files, device)
}

/// Decodes a grid of code 0 of the model's size and reads it back: compiles the decoder's
/// kernels. Returns the time it took, in milliseconds.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn warm_up(model: &LoadedModel, device: &Device) -> Result<f64, EngineError> {
    let started = Instant::now();
    let side = (model.config.image_size / model.config.vqvae.downsample()).max(1);
    let grid = Grid::zeros(side, side);
    let decoded = model
        .vqvae
        .decode(Grid::to_tensor(std::slice::from_ref(&grid), device));
    read_f32(decoded).await?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::DEFAULT_PHOTO_SIZE;
    use vq_model::VqVaeConfig;
    use vq_model::image::UploadError;

    fn fashion_config() -> ModelConfig {
        ModelConfig::new(
            "fashion".to_owned(),
            VqVaeConfig::new(1, 16, 128),
            vq_model::PriorConfig::new(128),
            28,
        )
    }

    const ANKLE_BOOT: &[u8] = include_bytes!("../../www/examples/ankle-boot.png");

    #[test]
    fn an_example_is_taken_as_it_is() {
        let prepared = prepare(
            ANKLE_BOOT,
            &fashion_config(),
            Invert::Auto,
            DEFAULT_PHOTO_SIZE,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!((prepared.width, prepared.height), (28, 28));
        assert_eq!(prepared.source_size, (28, 28));
        assert!(!prepared.inverted, "{}", prepared.invert_reason);
        let forced = prepare(
            ANKLE_BOOT,
            &fashion_config(),
            Invert::Yes,
            DEFAULT_PHOTO_SIZE,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert!(forced.inverted);
        assert_eq!(forced.rgba[0], 255 - prepared.rgba[0]);
    }

    #[test]
    fn a_dark_garment_on_white_is_inverted_and_a_photo_is_resized() {
        // 60×40 white with a dark block: cropped to the centre square, resized, inverted.
        let mut image = image::RgbaImage::from_pixel(60, 40, image::Rgba([240, 240, 240, 255]));
        for y in 10..30 {
            for x in 20..40 {
                image.put_pixel(x, y, image::Rgba([20, 20, 20, 255]));
            }
        }
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap_or_else(|err| panic!("{err}"));
        let prepared = prepare(&png, &fashion_config(), Invert::Auto, DEFAULT_PHOTO_SIZE)
            .unwrap_or_else(|err| panic!("{err}"));
        assert!(prepared.inverted, "{}", prepared.invert_reason);
        assert_eq!((prepared.width, prepared.height), (28, 28));
        let mut photo = fashion_config();
        photo.vqvae.in_channels = 3;
        let prepared = prepare(&png, &photo, Invert::Auto, DEFAULT_PHOTO_SIZE)
            .unwrap_or_else(|err| panic!("{err}"));
        assert!(!prepared.inverted);
        assert_eq!((prepared.width, prepared.height), (256, 172));
        let small = prepare(&png, &photo, Invert::Auto, 128).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!((small.width, small.height), (128, 84));
        let refused = prepare(&png, &photo, Invert::Auto, 4096).err();
        assert!(refused.is_some_and(|e| e.to_string().contains("choose 128, 256 or 512")));
    }

    #[test]
    fn a_text_file_is_refused_with_a_sentence() {
        let result = prepare(
            b"not an image",
            &fashion_config(),
            Invert::Auto,
            DEFAULT_PHOTO_SIZE,
        );
        assert_eq!(
            result.err(),
            Some(EngineError::Upload(UploadError::UnknownFormat))
        );
    }

    /// A PNG of `width × height`: smooth gradients with a few hard edges.
    fn large_png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, y| {
            let edge = if (x / 300 + y / 200) % 2 == 0 { 40 } else { 0 };
            image::Rgba([
                (x * 200 / width) as u8 + edge,
                (y * 200 / height) as u8,
                ((x + y) * 100 / (width + height)) as u8 + edge,
                255,
            ])
        });
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap_or_else(|err| panic!("{err}"));
        png
    }

    #[test]
    fn a_large_upload_is_decoded_smaller_and_prepared_as_the_whole_one_is() {
        let mut photo = fashion_config();
        photo.vqvae.in_channels = 3;
        let small = large_png(2048, 600);
        assert_eq!(
            scaled_decode(&small, &photo, 256),
            Ok(None),
            "2048 px is decoded whole"
        );
        let png = large_png(2400, 1200);
        let scaled = scaled_decode(&png, &photo, 256)
            .unwrap_or_else(|err| panic!("{err}"))
            .unwrap_or_else(|| panic!("2400 px is decoded smaller"));
        assert_eq!(scaled.source_size, (2400, 1200));
        assert_eq!(scaled.size, (SCALED_LONG_SIDE, 512));
        assert!(
            scaled.line().contains("2400×1200, 3 megapixels"),
            "{}",
            scaled.line()
        );
        let image = scaled.here(&png).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(image.dimensions(), scaled.size);
        for (model, long_side) in [(&photo, 256), (&photo, 512), (&fashion_config(), 256)] {
            let whole =
                prepare(&png, model, Invert::Auto, long_side).unwrap_or_else(|err| panic!("{err}"));
            let smaller = prepare_image(&image, scaled.source_size, model, Invert::Auto, long_side)
                .unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(
                (smaller.width, smaller.height, smaller.source_size),
                (whole.width, whole.height, whole.source_size)
            );
            let mean = smaller
                .rgba
                .iter()
                .zip(&whole.rgba)
                .map(|(a, b)| f64::from(a.abs_diff(*b)))
                .sum::<f64>()
                / whole.rgba.len() as f64;
            assert!(
                mean < 1.5,
                "{long_side} px: mean difference {mean} grey levels"
            );
        }
        // Refused from the header as the whole decode would be, and the size checked first.
        assert_eq!(
            scaled_decode(b"not an image", &photo, 256),
            Err(EngineError::Upload(UploadError::UnknownFormat))
        );
        assert!(scaled_decode(&png, &photo, 300).is_err());
    }

    #[test]
    fn a_light_border_is_measured() {
        // 3×3, white ring, black centre.
        let mut rgba = vec![255u8; 4 * 9];
        rgba[16..19].fill(0);
        assert!((border_mean(&rgba, 3, 3) - 255.0).abs() < 1e-9);
        assert!(border_mean(&[0u8; 36], 3, 3).abs() < 1e-9);
    }
}
