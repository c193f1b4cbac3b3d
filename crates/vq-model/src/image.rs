//! Images in and out: decoding an upload (limits, EXIF orientation, alpha over white), the
//! resize policy, and conversions between RGBA bytes and tensors in model space
//! (`pixel / 255 − 0.5`).

use std::io::Cursor;

use burn::prelude::*;
pub use image::RgbaImage;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::{ReadError, read_f32};

/// Largest side of an upload we decode, in pixels.
pub const MAX_UPLOAD_SIDE: u32 = 8192;
/// Most memory decoding one upload may take: the decoded pixels in the file's own layout plus
/// their 8-bit RGBA copy. An 8000×8000 JPEG (192 MB + 256 MB) fits; an 8192×8192 16-bit RGBA
/// PNG, which can be a file of under 1 MB, would need 768 MB and is refused before decoding.
pub const MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;

/// Why an upload cannot be used; each message is the sentence the page shows.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum UploadError {
    /// Not an image format we read.
    #[error("This file is not an image we can read (PNG, JPEG, GIF, BMP or WebP).")]
    UnknownFormat,
    /// Too large.
    #[error(
        "This image is too large ({width}×{height}); the limit is {MAX_UPLOAD_SIDE} px a side."
    )]
    TooLarge {
        /// Width in the file.
        width: u32,
        /// Height in the file.
        height: u32,
    },
    /// Decoding would take more memory than [`MAX_UPLOAD_BYTES`].
    #[error(
        "This image ({width}×{height}) would need {megabytes} MB to decode; the limit is {limit} MB. Save it smaller, or as an 8-bit PNG or JPEG.",
        limit = MAX_UPLOAD_BYTES / (1024 * 1024)
    )]
    TooMuchMemory {
        /// Width in the file.
        width: u32,
        /// Height in the file.
        height: u32,
        /// Megabytes the decode would take.
        megabytes: u64,
    },
    /// A JPEG that ends before its image does.
    #[error(
        "This JPEG file is cut short: it ends before the image does. Save or download it again."
    )]
    Truncated,
    /// The file is damaged or truncated.
    #[error(
        "This image is damaged and could not be decoded; try saving it again from an image \
         editor (the decoder says: {0})."
    )]
    Corrupt(String),
    /// Zero pixels.
    #[error("This image is empty.")]
    Empty,
}

/// The decoder of an upload that passed every check that its header allows (format, a JPEG
/// cut short, [`MAX_UPLOAD_SIDE`], [`MAX_UPLOAD_BYTES`]), with its size and the bytes its
/// decode will take.
fn checked(bytes: &[u8]) -> Result<(impl ImageDecoder + '_, (u32, u32), u64), UploadError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| UploadError::Corrupt(e.to_string()))?;
    if reader.format().is_none() {
        return Err(UploadError::UnknownFormat);
    }
    let jpeg = reader.format() == Some(ImageFormat::Jpeg);
    if jpeg && !has_end_after_scan(bytes) {
        return Err(UploadError::Truncated);
    }
    // The sides are checked below, where the sentence can name them; the decoder's own limit
    // is on what it allocates.
    let mut limits = Limits::no_limits();
    limits.max_alloc = Some(MAX_UPLOAD_BYTES);
    let mut reader = reader;
    reader.limits(limits);
    let decoder = reader
        .into_decoder()
        .map_err(|err| decode_error(err, None))?;
    let (width, height) = decoder.dimensions();
    if width > MAX_UPLOAD_SIDE || height > MAX_UPLOAD_SIDE {
        return Err(UploadError::TooLarge { width, height });
    }
    if jpeg && too_short_for_its_blocks(bytes.len(), (width, height)) {
        return Err(UploadError::Truncated);
    }
    // `DynamicImage::from_decoder` reserves nothing against `max_alloc`: count what the decode
    // and the RGBA copy will take before either is allocated.
    let needed = decode_bytes(decoder.total_bytes(), (width, height));
    if needed > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooMuchMemory {
            width,
            height,
            megabytes: needed.div_ceil(1024 * 1024),
        });
    }
    Ok((decoder, (width, height), needed))
}

/// The size of an upload as it will be shown, its EXIF orientation applied, after the checks
/// [`decode_upload`] makes before it decodes (the same refusals, without decoding): what a
/// caller needs to choose how to decode it.
///
/// # Errors
///
/// [`UploadError`] when [`decode_upload`] would refuse the file from its header.
pub fn upload_size(bytes: &[u8]) -> Result<(u32, u32), UploadError> {
    let (mut decoder, (width, height), needed) = checked(bytes)?;
    let orientation = decoder
        .orientation()
        .map_err(|err| decode_error(err, Some((width, height, needed))))?;
    Ok(match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    })
}

/// Decodes an uploaded file to RGBA: within [`MAX_UPLOAD_SIDE`] and [`MAX_UPLOAD_BYTES`], its
/// EXIF orientation applied, and any transparency composited over white.
///
/// # Errors
///
/// [`UploadError`], with the page's sentence, when the file cannot be used.
pub fn decode_upload(bytes: &[u8]) -> Result<RgbaImage, UploadError> {
    let (mut decoder, (width, height), needed) = checked(bytes)?;
    let size = Some((width, height, needed));
    let orientation = decoder
        .orientation()
        .map_err(|err| decode_error(err, size))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| decode_error(err, size))?;
    image.apply_orientation(orientation);
    if image.width() == 0 || image.height() == 0 {
        return Err(UploadError::Empty);
    }
    Ok(over_white(image.into_rgba8()))
}

/// Bytes that decoding an image of `decoded` bytes in its own layout, `width × height` pixels,
/// and copying it to 8-bit RGBA take at once.
pub fn decode_bytes(decoded: u64, (width, height): (u32, u32)) -> u64 {
    let rgba = 4 * u64::from(width) * u64::from(height);
    decoded.saturating_add(rgba)
}

/// Whether a JPEG's end-of-image marker (`FF D9`) follows the start of its first scan: a JPEG
/// cut short decodes without an error, its missing rows grey. The segments before the scan are
/// walked by their lengths, so an EXIF thumbnail's own end marker does not count; bytes after
/// the end (a phone's appended video, a trailer) do not matter.
fn has_end_after_scan(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    loop {
        let Some(marker_at) = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
        else {
            return false;
        };
        at += marker_at;
        while bytes.get(at + 1) == Some(&0xFF) {
            at += 1; // fill bytes
        }
        match bytes.get(at + 1) {
            None => return false,
            Some(0xDA) => break,
            Some(0x01 | 0xD0..=0xD9) => at += 2,
            Some(_) => {
                let Some(&[high, low]) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                at += 2 + usize::from(u16::from_be_bytes([high, low]));
            }
        }
    }
    // In the entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker.
    bytes[at..].windows(2).any(|pair| pair == [0xFF, 0xD9])
}

/// Whether a JPEG of `len` bytes is too short to hold `width × height` pixels: every 8×8 block
/// of its full-resolution component takes at least one bit (a Huffman code for its DC). A file
/// under that, e.g. 100 bytes announcing 8000×8000, is cut short, and decoding it would spend
/// seconds filling hundreds of megabytes of grey.
fn too_short_for_its_blocks(len: usize, (width, height): (u32, u32)) -> bool {
    let blocks = u64::from(width.div_ceil(8)) * u64::from(height.div_ceil(8));
    (len as u64).saturating_mul(8) < blocks
}

/// The sentence for a decoder's error; `size` is `(width, height, bytes needed)` once known.
fn decode_error(error: image::ImageError, size: Option<(u32, u32, u64)>) -> UploadError {
    match error {
        image::ImageError::Limits(_) => match size {
            Some((width, height, needed)) => UploadError::TooMuchMemory {
                width,
                height,
                megabytes: needed.div_ceil(1024 * 1024),
            },
            None => UploadError::Corrupt(
                "its header asks for more memory than an upload may take".to_owned(),
            ),
        },
        image::ImageError::Unsupported(_) => UploadError::UnknownFormat,
        other => UploadError::Corrupt(other.to_string()),
    }
}

/// Composites every pixel over white and makes it opaque.
pub fn over_white(mut image: RgbaImage) -> RgbaImage {
    for pixel in image.pixels_mut() {
        let alpha = u32::from(pixel[3]);
        for channel in 0..3 {
            let value = u32::from(pixel[channel]);
            pixel[channel] = ((value * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
        }
        pixel[3] = 255;
    }
    image
}

/// The size an upload is resized to: `long_side` on its longer side (never enlarged above
/// the original unless it is smaller than one cell), both sides rounded to a multiple of 4 so
/// they map onto whole cells.
pub fn fit_size((width, height): (u32, u32), long_side: u32) -> (u32, u32) {
    let scale = f64::from(long_side) / f64::from(width.max(height).max(1));
    let round4 = |v: u32| -> u32 {
        let scaled = (f64::from(v) * scale).round() as u32;
        ((scaled + 2) / 4 * 4).max(4)
    };
    (round4(width), round4(height))
}

/// Resizes to `size` with a Lanczos filter (a centre crop first when `square`).
pub fn resize(image: &RgbaImage, (width, height): (u32, u32), square: bool) -> RgbaImage {
    use image::imageops::{FilterType, crop_imm, resize};
    if square {
        let side = image.width().min(image.height());
        let x = (image.width() - side) / 2;
        let y = (image.height() - side) / 2;
        resize(
            &*crop_imm(image, x, y, side, side),
            width,
            height,
            FilterType::Lanczos3,
        )
    } else {
        resize(image, width, height, FilterType::Lanczos3)
    }
}

/// An RGBA image as a `[1, channels, H, W]` tensor in model space ([`planes_from_rgba`]).
pub fn tensor_from_rgba(
    rgba: &[u8],
    (width, height): (usize, usize),
    channels: usize,
    device: &Device,
) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(
            planes_from_rgba(rgba, (width, height), channels),
            [1, channels, height, width],
        ),
        device,
    )
}

/// An RGBA image as planar model-space values `[channels, H, W]` in `[−0.5, 0.5]`; grey is
/// the luma (ITU-R BT.601) of the colour.
pub fn planes_from_rgba(rgba: &[u8], (width, height): (usize, usize), channels: usize) -> Vec<f32> {
    let pixels = width * height;
    let mut values = vec![0.0f32; channels * pixels];
    for (i, px) in rgba.chunks_exact(4).take(pixels).enumerate() {
        let [r, g, b] = [px[0], px[1], px[2]].map(|v| f32::from(v) / 255.0);
        if channels == 1 {
            values[i] = 0.299 * r + 0.587 * g + 0.114 * b - 0.5;
        } else {
            values[i] = r - 0.5;
            values[pixels + i] = g - 0.5;
            values[2 * pixels + i] = b - 0.5;
        }
    }
    values
}

/// RGBA bytes of planar model-space values `[channels, H, W]` (grey is repeated).
pub fn rgba_from_planes(
    values: &[f32],
    (width, height): (usize, usize),
    channels: usize,
) -> Vec<u8> {
    let pixels = width * height;
    let to_byte = |v: f32| ((v + 0.5).clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut rgba = Vec::with_capacity(4 * pixels);
    for i in 0..pixels {
        let [r, g, b] = if channels == 1 {
            [values[i]; 3]
        } else {
            [values[i], values[pixels + i], values[2 * pixels + i]]
        };
        rgba.extend_from_slice(&[to_byte(r), to_byte(g), to_byte(b), 255]);
    }
    rgba
}

/// RGBA bytes of each image of a `[batch, channels, H, W]` tensor, read asynchronously in one
/// read.
pub async fn rgba_each_from_tensor(
    x: Tensor<4>,
) -> Result<(Vec<Vec<u8>>, (usize, usize)), ReadError> {
    let [_, channels, height, width] = x.dims();
    let values = read_f32(x).await?;
    let size = channels * height * width;
    let images = values
        .chunks_exact(size.max(1))
        .map(|planes| rgba_from_planes(planes, (width, height), channels))
        .collect();
    Ok((images, (width, height)))
}

/// RGBA bytes of the first image of a `[batch, channels, H, W]` tensor, read asynchronously.
pub async fn rgba_from_tensor(x: Tensor<4>) -> Result<(Vec<u8>, (usize, usize)), ReadError> {
    let [_, channels, height, width] = x.dims();
    let first = x.slice([0..1, 0..channels, 0..height, 0..width]);
    let values = read_f32(first).await?;
    Ok((
        rgba_from_planes(&values, (width, height), channels),
        (width, height),
    ))
}
