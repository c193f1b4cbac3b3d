//! Uploads: the decoder's memory is counted before anything is decoded.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use vq_model::image::{MAX_UPLOAD_BYTES, UploadError, decode_bytes, decode_upload};

/// CRC-32 (ISO 3309, as PNG chunks use it), bit by bit: the test needs a few bytes of it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// The start of a PNG of `side × side` RGBA pixels at 16 bits: its signature, header and a
/// first data chunk, as a browser hands over the first bytes of a file of any length.
fn rgba16_png_start(side: u32) -> Vec<u8> {
    rgba16_png_header(side, side)
}

/// As [`rgba16_png_start`], `width × height`.
fn rgba16_png_header(width: u32, height: u32) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 16, colour type 6 (RGBA), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[16, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    // A stored (uncompressed) deflate block of nothing: the data a decoder would start on.
    png.extend(chunk(b"IDAT", &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF]));
    png
}

#[test]
fn a_small_file_that_decodes_to_gigabytes_is_refused_before_decoding() {
    // 8192² RGBA at 16 bits: 512 MB decoded + 256 MB as RGBA8, announced by 60 bytes.
    let png = rgba16_png_start(8192);
    let started = std::time::Instant::now();
    let err = decode_upload(&png).err();
    assert_eq!(
        err,
        Some(UploadError::TooMuchMemory {
            width: 8192,
            height: 8192,
            megabytes: 768
        })
    );
    // Refused from the header, before any pixel: no 768 MB were reserved or touched.
    assert!(
        started.elapsed().as_secs_f64() < 0.5,
        "{:?}",
        started.elapsed()
    );
    let sentence = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        sentence.contains("768 MB") && sentence.contains("limit is 512 MB"),
        "{sentence}"
    );
    // The same header at a size within budget is not refused for its memory.
    let small = decode_upload(&rgba16_png_start(64)).err();
    assert!(
        !matches!(small, Some(UploadError::TooMuchMemory { .. })),
        "{small:?}"
    );
}

#[test]
fn an_ordinary_large_photo_fits_the_budget() {
    // An 8000×8000 RGB8 JPEG: 192 MB decoded + 256 MB RGBA.
    let needed = decode_bytes(3 * 8000 * 8000, (8000, 8000));
    assert!(needed <= MAX_UPLOAD_BYTES, "{needed}");
    // And a small 8-bit PNG decodes.
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&[90u8; 3 * 64 * 64], 64, 64, ExtendedColorType::Rgb8)
        .unwrap_or_else(|err| panic!("{err}"));
    let image = decode_upload(&png).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(image.dimensions(), (64, 64));
}

#[test]
fn a_too_large_image_is_named_by_its_real_size() {
    let err = decode_upload(&rgba16_png_header(10_000, 10)).err();
    assert_eq!(
        err,
        Some(UploadError::TooLarge {
            width: 10_000,
            height: 10
        })
    );
    let sentence = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(sentence.contains("10000×10"), "{sentence}");
}

#[test]
fn a_truncated_jpeg_is_refused_and_a_whole_one_decodes() {
    let pixels: Vec<u8> = (0..3 * 96 * 64).map(|i| (i % 251) as u8).collect();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(&pixels, 96, 64, ExtendedColorType::Rgb8)
        .unwrap_or_else(|err| panic!("{err}"));
    let whole = decode_upload(&jpeg).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(whole.dimensions(), (96, 64));
    for cut in [jpeg.len() / 2, jpeg.len() - 2, jpeg.len() * 9 / 10] {
        let err = decode_upload(&jpeg[..cut]).err();
        assert!(
            matches!(err, Some(UploadError::Truncated | UploadError::Corrupt(_))),
            "cut at {cut} of {}: {err:?}",
            jpeg.len()
        );
    }
    assert_eq!(
        decode_upload(&jpeg[..jpeg.len() / 2]).err(),
        Some(UploadError::Truncated)
    );
}
