//! Writes the corpus of hostile uploads in `crates/vq-model/tests/corpus/uploads/` and its
//! manifest `expected.json`, which `tests/corpus.rs` runs through `decode_upload`.
//!
//! Run: `cargo run -p vq-model --example make_corpus`
//!
//! Every file is made here, from the `image` crate's encoders or from hand-written bytes; nothing
//! is downloaded. Running it again rewrites every generated file and entry with the same bytes;
//! the fuzzer's `finding-*` files and their entries are kept. Each manifest entry is the outcome
//! a user should see: `{"error": "<UploadError variant>"}`, or `{"image": [width, height]}` with,
//! where the colour matters (EXIF orientation), `"top_left": [r, g, b]` after orientation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use image::codecs::bmp::BmpEncoder;
use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, Frame, ImageEncoder, RgbaImage};
use serde_json::{Value, json};

/// Where the corpus lives, next to the crate's tests.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/uploads")
}

/// The files written so far and the manifest being built.
struct Corpus {
    dir: PathBuf,
    manifest: BTreeMap<String, Value>,
}

impl Corpus {
    fn write(&mut self, name: &str, bytes: &[u8], expected: Value) {
        assert!(!self.manifest.contains_key(name), "{name} is written twice");
        std::fs::write(self.dir.join(name), bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        self.manifest.insert(name.to_owned(), expected);
    }
    fn error(&mut self, name: &str, bytes: &[u8], variant: &str) {
        self.write(name, bytes, json!({ "error": variant }));
    }
    fn image(&mut self, name: &str, bytes: &[u8], (width, height): (u32, u32)) {
        self.write(name, bytes, json!({ "image": [width, height] }));
    }
    fn image_with_corner(&mut self, name: &str, bytes: &[u8], size: (u32, u32), rgb: [u8; 3]) {
        self.write(
            name,
            bytes,
            json!({ "image": [size.0, size.1], "top_left": rgb }),
        );
    }
}

fn main() {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let manifest_path = dir.join("expected.json");
    // The fuzzer's findings stay, with whatever their entries say.
    let kept: BTreeMap<String, Value> = std::fs::read(&manifest_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let mut corpus = Corpus {
        dir: dir.clone(),
        manifest: kept
            .into_iter()
            .filter(|(name, _)| name.starts_with("finding-"))
            .collect(),
    };
    // Generated files are rewritten from scratch: remove the old ones (a renamed case would
    // otherwise linger without an entry).
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| !n.starts_with("finding-")) {
            std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }

    empty_and_garbage(&mut corpus);
    truncated(&mut corpus);
    wrong_magic_and_renamed(&mut corpus);
    bombs(&mut corpus);
    pixel_layouts(&mut corpus);
    jpeg_variants(&mut corpus);
    exif_orientations(&mut corpus);
    animations(&mut corpus);
    other_formats(&mut corpus);
    extreme_sizes(&mut corpus);

    std::fs::write(&manifest_path, manifest_json(&corpus.manifest))
        .unwrap_or_else(|e| panic!("{e}"));
    let total: u64 = corpus
        .manifest
        .keys()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{} files, {total} bytes, in {}",
        corpus.manifest.len(),
        dir.display()
    );
}

/// The manifest as JSON, one file a line (the fuzzer writes it the same way).
fn manifest_json(manifest: &BTreeMap<String, Value>) -> String {
    let lines: Vec<String> = manifest
        .iter()
        .map(|(name, expected)| format!("  {}: {expected}", Value::from(name.as_str())))
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

// ------------------------------------------------------------------------ encoders and bytes

/// A small test pattern: a gradient with a red top-left 8×8 block.
fn pattern(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        if x < 8 && y < 8 {
            image::Rgba([255, 0, 0, 255])
        } else {
            image::Rgba([(x * 9) as u8, (y * 13) as u8, 128, 255])
        }
    })
}

fn png(pixels: &[u8], (width, height): (u32, u32), color: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(pixels, width, height, color)
        .unwrap_or_else(|e| panic!("png: {e}"));
    out
}

fn jpeg(pixels: &[u8], (width, height): (u32, u32), exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        encoder
            .set_exif_metadata(exif)
            .unwrap_or_else(|e| panic!("exif: {e}"));
    }
    encoder
        .write_image(pixels, width, height, ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("jpeg: {e}"));
    out
}

fn rgb(image: &RgbaImage) -> Vec<u8> {
    image::DynamicImage::ImageRgba8(image.clone())
        .into_rgb8()
        .into_raw()
}

fn gif(frames: Vec<RgbaImage>) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder
            .encode_frames(frames.into_iter().map(Frame::new))
            .unwrap_or_else(|e| panic!("gif: {e}"));
    }
    out
}

fn webp(image: &RgbaImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = WebPEncoder::new_lossless(&mut out);
    if let Some(exif) = exif {
        encoder
            .set_exif_metadata(exif)
            .unwrap_or_else(|e| panic!("exif: {e}"));
    }
    encoder
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap_or_else(|e| panic!("webp: {e}"));
    out
}

fn bmp(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    BmpEncoder::new(&mut out)
        .write_image(
            &rgb(image),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap_or_else(|e| panic!("bmp: {e}"));
    out
}

/// CRC-32 (ISO 3309), as PNG chunks use it.
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

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn ihdr(width: u32, height: u32, depth: u8, color_type: u8, interlace: u8) -> Vec<u8> {
    let mut data = width.to_be_bytes().to_vec();
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[depth, color_type, 0, 0, interlace]);
    png_chunk(b"IHDR", &data)
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    if blocks.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// A PNG from its header chunk, extra chunks before IDAT, and raw (filtered) scanlines.
fn png_raw(header: Vec<u8>, before_idat: &[Vec<u8>], scanlines: &[u8]) -> Vec<u8> {
    let mut out = PNG_SIGNATURE.to_vec();
    out.extend(header);
    for chunk in before_idat {
        out.extend_from_slice(chunk);
    }
    out.extend(png_chunk(b"IDAT", &zlib_stored(scanlines)));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// The chunks of a PNG file (after its signature), as (kind, data).
fn png_chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut chunks = Vec::new();
    let mut at = PNG_SIGNATURE.len();
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize;
        let kind = [png[at + 4], png[at + 5], png[at + 6], png[at + 7]];
        chunks.push((kind, png[at + 8..at + 8 + len].to_vec()));
        at += 12 + len;
    }
    chunks
}

/// The zlib stream of a PNG made by the encoder (its IDAT chunks joined).
fn png_idat(png: &[u8]) -> Vec<u8> {
    png_chunks(png)
        .into_iter()
        .filter(|(kind, _)| kind == b"IDAT")
        .flat_map(|(_, data)| data)
        .collect()
}

/// A TIFF-structured EXIF block (big-endian) holding one Orientation tag.
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // the value field's padding
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff
}

// ------------------------------------------------------------------------ a DC-only JPEG writer

/// Bits into bytes, most significant first, with JPEG's byte stuffing.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    count: u32,
}

impl BitWriter {
    fn put(&mut self, bits: u32, count: u32) {
        for i in (0..count).rev() {
            self.acc = (self.acc << 1) | ((bits >> i) & 1);
            self.count += 1;
            if self.count == 8 {
                let byte = self.acc as u8;
                self.out.push(byte);
                if byte == 0xFF {
                    self.out.push(0);
                }
                self.acc = 0;
                self.count = 0;
            }
        }
    }
    fn finish(mut self) -> Vec<u8> {
        while self.count != 0 {
            self.put(1, 1);
        }
        self.out
    }
}

fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// A DC difference: its category (Huffman symbol) and the extra bits.
fn dc_bits(diff: i32) -> (u32, u32) {
    let category = 32 - diff.unsigned_abs().leading_zeros();
    let extra = if diff < 0 { diff - 1 } else { diff } as u32 & ((1 << category) - 1);
    (category, extra)
}

/// A JPEG whose every 8×8 block is flat, `value(block_x, block_y, component)` (0..=255), with
/// no chroma subsampling; baseline or progressive (a DC scan of all components, then an AC
/// scan per component that only ends blocks). `adobe_transform` adds an Adobe APP14 segment
/// (0: CMYK as stored, 1: YCbCr), which is how a four-component file says it is CMYK.
fn flat_jpeg(
    (width, height): (u32, u32),
    components: u8,
    progressive: bool,
    adobe_transform: Option<u8>,
    value: impl Fn(u32, u32, u8) -> u8,
) -> Vec<u8> {
    let (blocks_x, blocks_y) = (width.div_ceil(8), height.div_ceil(8));
    let mut out = vec![0xFF, 0xD8];
    if let Some(transform) = adobe_transform {
        let mut app14 = b"Adobe".to_vec();
        app14.extend_from_slice(&[0, 100, 0, 0, 0, 0, transform]);
        out.extend(segment(0xEE, &app14));
    }
    // One quantisation table of ones: a DC coefficient is 8 × (value − 128).
    let mut dqt = vec![0u8];
    dqt.extend_from_slice(&[1; 64]);
    out.extend(segment(0xDB, &dqt));
    let mut sof = vec![8];
    sof.extend_from_slice(&(height as u16).to_be_bytes());
    sof.extend_from_slice(&(width as u16).to_be_bytes());
    sof.push(components);
    for c in 0..components {
        sof.extend_from_slice(&[c + 1, 0x11, 0]);
    }
    out.extend(segment(if progressive { 0xC2 } else { 0xC0 }, &sof));
    // DC table 0: categories 0..=11, four bits each (symbol k is code k). AC table 0: end of
    // block (0x00) is `00`; 0x01 is there so the table is not a lone code.
    let mut dht = vec![0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    dht.extend(0..12u8);
    dht.extend_from_slice(&[
        0x10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01,
    ]);
    out.extend(segment(0xC4, &dht));
    let sos = |ids: &[u8], ss: u8, se: u8| {
        let mut data = vec![ids.len() as u8];
        for &id in ids {
            data.extend_from_slice(&[id + 1, 0x00]);
        }
        data.extend_from_slice(&[ss, se, 0]);
        segment(0xDA, &data)
    };
    let all: Vec<u8> = (0..components).collect();
    // The DC scan (all of the baseline file's data, AC ends included).
    out.extend(sos(&all, 0, if progressive { 0 } else { 63 }));
    let mut bits = BitWriter::default();
    let mut previous = vec![0i32; usize::from(components)];
    for by in 0..blocks_y {
        for bx in 0..blocks_x {
            for c in 0..components {
                let dc = 8 * (i32::from(value(bx, by, c)) - 128);
                let (category, extra) = dc_bits(dc - previous[usize::from(c)]);
                previous[usize::from(c)] = dc;
                bits.put(category, 4);
                bits.put(extra, category);
                if !progressive {
                    bits.put(0, 2);
                }
            }
        }
    }
    out.extend(bits.finish());
    if progressive {
        for c in 0..components {
            out.extend(sos(&[c], 1, 63));
            let mut bits = BitWriter::default();
            for _ in 0..blocks_x * blocks_y {
                bits.put(0, 2);
            }
            out.extend(bits.finish());
        }
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

// ------------------------------------------------------------------------ the cases

fn empty_and_garbage(corpus: &mut Corpus) {
    corpus.error("empty.png", &[], "UnknownFormat");
    corpus.error("empty.jpg", &[], "UnknownFormat");
    corpus.error("one-byte.png", &[0x89], "UnknownFormat");
    corpus.error("zeros-1k.png", &[0; 1024], "UnknownFormat");
    corpus.error("ff-1k.jpg", &[0xFF; 1024], "UnknownFormat");
    let mut rng = vq_model::rng::SplitMix64::new(6);
    let noise: Vec<u8> = (0..2048).map(|_| rng.next_u64() as u8).collect();
    corpus.error("random-2k.jpg", &noise, "UnknownFormat");
    corpus.error("png-signature-only.png", PNG_SIGNATURE, "Corrupt");
    // No scan at all: the image the header promises is missing.
    corpus.error(
        "jpeg-soi-eoi-only.jpg",
        &[0xFF, 0xD8, 0xFF, 0xD9],
        "Truncated",
    );
    corpus.error("gif-signature-only.gif", b"GIF89a", "Corrupt");
    corpus.error(
        "webp-riff-header-only.webp",
        b"RIFF\x04\0\0\0WEBP",
        "Corrupt",
    );
    corpus.error("bmp-magic-only.bmp", b"BM", "Corrupt");
}

/// Whole files of each decoded format and the same files cut at many offsets.
fn truncated(corpus: &mut Corpus) {
    let image = pattern(24, 16);
    // (extension, file, magic length, the error of a cut, bytes at the end the image does not
    // need: PNG's IEND chunk, GIF's block terminator and trailer).
    let files: [(&str, Vec<u8>, usize, &str, usize); 5] = [
        (
            "png",
            png(image.as_raw(), (24, 16), ExtendedColorType::Rgba8),
            8,
            "Corrupt",
            12,
        ),
        ("jpg", jpeg(&rgb(&image), (24, 16), None), 3, "Truncated", 0),
        ("gif", gif(vec![image.clone()]), 6, "Corrupt", 2),
        ("webp", webp(&image, None), 12, "Corrupt", 0),
        ("bmp", bmp(&image), 2, "Corrupt", 0),
    ];
    for (ext, whole, magic, cut_error, unneeded) in files {
        corpus.image_with_corner(&format!("whole-24x16.{ext}"), &whole, (24, 16), [255, 0, 0]);
        let len = whole.len();
        let mut cuts = vec![1, magic - 1, magic, magic + 4, 16, 26, 33, 40];
        cuts.extend([len / 4, len / 2, len * 3 / 4, len - 16, len - 2, len - 1]);
        cuts.retain(|&cut| cut > 0 && cut < len);
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts {
            let name = format!("truncated-{ext}-at-{cut:04}-of-{len}.{ext}");
            if cut >= len - unneeded {
                corpus.image_with_corner(&name, &whole[..cut], (24, 16), [255, 0, 0]);
                continue;
            }
            let expected = if cut < magic {
                "UnknownFormat"
            } else {
                cut_error
            };
            corpus.error(&name, &whole[..cut], expected);
        }
    }
}

fn wrong_magic_and_renamed(corpus: &mut Corpus) {
    let image = pattern(16, 16);
    let png_file = png(image.as_raw(), (16, 16), ExtendedColorType::Rgba8);
    let jpeg_file = jpeg(&rgb(&image), (16, 16), None);
    let gif_file = gif(vec![image.clone()]);

    let mut bad = png_file.clone();
    bad[1] = b'Q';
    corpus.error(
        "magic-png-signature-one-byte-off.png",
        &bad,
        "UnknownFormat",
    );
    let mut bad = jpeg_file.clone();
    bad[0] = 0x00;
    corpus.error("magic-jpeg-without-soi.jpg", &bad, "UnknownFormat");
    let mut bad = PNG_SIGNATURE.to_vec();
    bad.extend_from_slice(&jpeg_file[2..]);
    corpus.error("magic-png-signature-on-jpeg-data.png", &bad, "Corrupt");
    let mut bad = b"GIF89a".to_vec();
    bad.extend_from_slice(&png_file[8..]);
    corpus.error("magic-gif-signature-on-png-data.gif", &bad, "Corrupt");
    let mut bad = b"RIFF\x40\0\0\0WEBPVP8L".to_vec();
    bad.extend_from_slice(&png_file[..48]);
    corpus.error("magic-webp-header-on-png-data.webp", &bad, "Corrupt");
    let mut bad = b"BM".to_vec();
    bad.extend_from_slice(b"This is not a bitmap, only two letters that look like one.\n");
    corpus.error("magic-bm-then-text.bmp", &bad, "UnknownFormat");
    let mut bad = png_file.clone();
    let crc_at = 8 + 8 + 13; // the IHDR's CRC
    bad[crc_at] ^= 0xFF;
    corpus.error("png-ihdr-bad-crc.png", &bad, "Corrupt");

    // The right bytes under the wrong name: decoded by their content.
    corpus.image("renamed-gif-as.png", &gif_file, (16, 16));
    corpus.image("renamed-png-as.jpg", &png_file, (16, 16));
    corpus.image("renamed-jpeg-as.gif", &jpeg_file, (16, 16));

    // Other documents under image names.
    corpus.error(
        "renamed-text.png",
        b"Holiday photos\nday 1: beach\nday 2: rain\n",
        "UnknownFormat",
    );
    corpus.error(
        "renamed-text-utf8-bom.jpg",
        "\u{feff}Kaffee \u{2615} und Kuchen\n".as_bytes(),
        "UnknownFormat",
    );
    corpus.error(
        "renamed-html.png",
        b"<!DOCTYPE html>\n<html><body><img src=\"cat.png\"></body></html>\n",
        "UnknownFormat",
    );
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" \
                height=\"64\"><rect width=\"64\" height=\"64\" fill=\"red\"/></svg>\n";
    corpus.error("renamed-svg.png", svg, "UnknownFormat");
    corpus.error("format-svg.svg", svg, "UnknownFormat");
    corpus.error(
        "renamed-pdf.jpg",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n\
          %%EOF\n",
        "UnknownFormat",
    );
    corpus.error(
        "renamed-zip.png",
        b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        "UnknownFormat",
    );
    corpus.error(
        "renamed-json.webp",
        b"{\"image\": \"not really\", \"width\": 64}\n",
        "UnknownFormat",
    );
}

/// Small files announcing images too large to decode: refused from their headers.
fn bombs(corpus: &mut Corpus) {
    // A real zlib stream of 2048×2048 RGBA zeros (16 MB inflated, ~16 KB compressed), put under
    // headers that ask for far more.
    let zeros = png(
        &vec![0u8; 4 * 2048 * 2048],
        (2048, 2048),
        ExtendedColorType::Rgba8,
    );
    let stream = png_idat(&zeros);
    let bomb = |width: u32, height: u32, depth: u8, color_type: u8| {
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend(ihdr(width, height, depth, color_type, 0));
        out.extend(png_chunk(b"IDAT", &stream));
        out.extend(png_chunk(b"IEND", &[]));
        out
    };
    corpus.image(
        "bomb-png-2048x2048-zeros-16mb-inflated.png",
        &zeros,
        (2048, 2048),
    );
    corpus.error(
        "bomb-png-65535x65535-rgba16-32gb.png",
        &bomb(65_535, 65_535, 16, 6),
        "TooLarge",
    );
    corpus.error(
        "bomb-png-2147483647x1.png",
        &bomb(0x7FFF_FFFF, 1, 8, 6),
        "Corrupt",
    );
    corpus.error(
        "bomb-png-8192x8192-rgba16-768mb.png",
        &bomb(8192, 8192, 16, 6),
        "TooMuchMemory",
    );
    corpus.error(
        "bomb-png-16384x16384-grey1.png",
        &bomb(16_384, 16_384, 1, 0),
        "TooLarge",
    );
    // Within every limit (256 MB + 256 MB), but the data ends after 16 MB.
    corpus.error(
        "bomb-png-8192x8192-rgba8-short-data.png",
        &bomb(8192, 8192, 8, 6),
        "Corrupt",
    );
    // A 16×16 header over the 16 MB stream: the rows it needs come first.
    corpus.image(
        "bomb-png-16x16-with-16mb-idat.png",
        &bomb(16, 16, 8, 6),
        (16, 16),
    );

    // JPEG: a frame header of 65535×65535 in an otherwise whole file.
    let huge = flat_jpeg((8, 8), 1, false, None, |_, _, _| 128);
    let sof_at = huge
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .unwrap_or_else(|| panic!("no SOF"));
    let mut bad = huge.clone();
    bad[sof_at + 5..sof_at + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    corpus.error("bomb-jpeg-65535x65535.jpg", &bad, "TooLarge");
    let mut bad = huge.clone();
    bad[sof_at + 5..sof_at + 9].copy_from_slice(&[0x1F, 0x40, 0x1F, 0x40]);
    // Whole to the decoder, which would fill 8000×8000 with grey (24 s in a debug build): far
    // fewer bits than the image has 8×8 blocks, so it is cut short.
    corpus.error(
        "bomb-jpeg-8000x8000-one-block-of-data.jpg",
        &bad,
        "Truncated",
    );

    // GIF: a logical screen of 65535×65535 around one pixel, and one of 2048×2048.
    let gif_screen = |width: u16, height: u16| {
        let mut out = b"GIF89a".to_vec();
        out.extend_from_slice(&width.to_le_bytes());
        out.extend_from_slice(&height.to_le_bytes());
        out.extend_from_slice(&[0x80, 0, 0, 255, 0, 0, 255, 255, 255]);
        out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
        out.extend_from_slice(&[2, 2, 0x44, 0x01, 0, 0x3B]);
        out
    };
    corpus.image_with_corner("gif-1x1-red.gif", &gif_screen(1, 1), (1, 1), [255, 0, 0]);
    corpus.error(
        "bomb-gif-65535x65535-screen-one-pixel.gif",
        &gif_screen(65_535, 65_535),
        "TooLarge",
    );
    corpus.image(
        "bomb-gif-2048x2048-screen-one-pixel.gif",
        &gif_screen(2048, 2048),
        (2048, 2048),
    );
    corpus.error("gif-0x0-screen.gif", &gif_screen(0, 0), "Empty");

    // WebP: lossless headers of 16384×16384 and an extended canvas of 16M×16M.
    let small = webp(&pattern(8, 8), None);
    let mut bad = small.clone();
    // VP8L: signature 0x2F, then 14 bits width-1, 14 bits height-1.
    let bits: u32 = 0x3FFF | (0x3FFF << 14) | (u32::from(bad[24] >> 4 & 0x1) << 28);
    bad[21..25].copy_from_slice(&bits.to_le_bytes());
    // The WebP decoder refuses both headers itself, before their sizes reach us.
    corpus.error("bomb-webp-16384x16384.webp", &bad, "Corrupt");
    let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\x10\0\0\0".to_vec();
    vp8x.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    vp8x.extend_from_slice(&small[12..]);
    let riff_len = (vp8x.len() - 8) as u32;
    vp8x[4..8].copy_from_slice(&riff_len.to_le_bytes());
    corpus.error("bomb-webp-vp8x-16777216x16777216.webp", &vp8x, "Corrupt");

    // BMP: headers of 65535×65535, of height i32::MIN, and of negative width.
    let small = bmp(&pattern(8, 8));
    let with_size = |width: i32, height: i32| {
        let mut out = small.clone();
        out[18..22].copy_from_slice(&width.to_le_bytes());
        out[22..26].copy_from_slice(&height.to_le_bytes());
        out
    };
    corpus.error(
        "bomb-bmp-65535x65535.bmp",
        &with_size(65_535, 65_535),
        "TooLarge",
    );
    corpus.error(
        "bomb-bmp-8000x8000-8x8-of-data.bmp",
        &with_size(8000, 8000),
        "Corrupt",
    );
    corpus.error("bmp-height-i32-min.bmp", &with_size(8, i32::MIN), "Corrupt");
    corpus.error("bmp-width-negative.bmp", &with_size(-8, 8), "Corrupt");
    // The BMP decoder calls both of these unsupported.
    corpus.error("bmp-0x0.bmp", &with_size(0, 0), "UnknownFormat");
    corpus.image("bmp-top-down.bmp", &with_size(8, -8), (8, 8));
}

/// Bit depths and colour types beyond 8-bit RGB: 16-bit, grey, grey+alpha, palettes.
fn pixel_layouts(corpus: &mut Corpus) {
    let (w, h) = (12u32, 10u32);
    let n = (w * h) as usize;
    let rgb16: Vec<u8> = (0..n * 3)
        .flat_map(|i| ((i * 911) as u16).to_be_bytes())
        .collect();
    corpus.image(
        "png-rgb16.png",
        &png(&rgb16, (w, h), ExtendedColorType::Rgb16),
        (w, h),
    );
    let rgba16: Vec<u8> = (0..n * 4)
        .flat_map(|i| ((i * 577) as u16).to_be_bytes())
        .collect();
    corpus.image(
        "png-rgba16.png",
        &png(&rgba16, (w, h), ExtendedColorType::Rgba16),
        (w, h),
    );
    let grey16: Vec<u8> = (0..n)
        .flat_map(|i| ((i * 500) as u16).to_be_bytes())
        .collect();
    corpus.image(
        "png-grey16.png",
        &png(&grey16, (w, h), ExtendedColorType::L16),
        (w, h),
    );
    let grey_alpha16: Vec<u8> = (0..n * 2)
        .flat_map(|i| ((i * 300) as u16).to_be_bytes())
        .collect();
    corpus.image(
        "png-grey-alpha16.png",
        &png(&grey_alpha16, (w, h), ExtendedColorType::La16),
        (w, h),
    );
    let grey: Vec<u8> = (0..n).map(|i| (i * 2) as u8).collect();
    corpus.image(
        "png-grey8.png",
        &png(&grey, (w, h), ExtendedColorType::L8),
        (w, h),
    );
    // Fully transparent grey+alpha: composited over white.
    let transparent: Vec<u8> = (0..n).flat_map(|_| [0u8, 0]).collect();
    corpus.image_with_corner(
        "png-grey-alpha8-transparent.png",
        &png(&transparent, (w, h), ExtendedColorType::La8),
        (w, h),
        [255, 255, 255],
    );
    // Hand-written: a 4-colour palette with tRNS (index 0 transparent), 2 bits a pixel.
    let plte = png_chunk(b"PLTE", &[0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
    let trns = png_chunk(b"tRNS", &[0, 255, 128]);
    let rows: Vec<u8> = (0..4).flat_map(|_| [0u8, 0b0001_1011]).collect(); // 0,1,2,3 per row
    corpus.image_with_corner(
        "png-palette2-trns.png",
        &png_raw(ihdr(4, 4, 2, 3, 0), &[plte.clone(), trns.clone()], &rows),
        (4, 4),
        [255, 255, 255],
    );
    let rows: Vec<u8> = (0..4).flat_map(|_| [0u8, 0, 1, 2, 0xFF]).collect();
    // An index beyond the palette is black, as browsers show it.
    corpus.image_with_corner(
        "png-palette-index-out-of-range.png",
        &png_raw(ihdr(4, 4, 8, 3, 0), std::slice::from_ref(&plte), &rows),
        (4, 4),
        [0, 0, 0],
    );
    corpus.error(
        "png-palette-missing-plte.png",
        &png_raw(ihdr(4, 4, 2, 3, 0), &[], &[0, 0, 0, 0, 0, 0, 0, 0]),
        "Corrupt",
    );
    // Grey at 1 bit: a checkerboard.
    let rows: Vec<u8> = (0..8)
        .flat_map(|y| [0u8, if y % 2 == 0 { 0xAA } else { 0x55 }])
        .collect();
    corpus.image_with_corner(
        "png-grey1-checkerboard.png",
        &png_raw(ihdr(8, 8, 1, 0, 0), &[], &rows),
        (8, 8),
        [255, 255, 255],
    );
    // Adam7-interlaced 9×9 grey at 8 bits, all mid-grey: each pass its own sub-image.
    let passes = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut scanlines = Vec::new();
    for (x0, y0, dx, dy) in passes {
        let pw = (9usize - x0).div_ceil(dx);
        let ph = (9usize - y0).div_ceil(dy);
        if pw == 0 || ph == 0 {
            continue;
        }
        for _ in 0..ph {
            scanlines.push(0);
            scanlines.extend(std::iter::repeat_n(100u8, pw));
        }
    }
    corpus.image_with_corner(
        "png-interlaced-adam7-grey.png",
        &png_raw(ihdr(9, 9, 8, 0, 1), &[], &scanlines),
        (9, 9),
        [100, 100, 100],
    );
    corpus.error(
        "png-bit-depth-3.png",
        &png_raw(ihdr(4, 4, 3, 0, 0), &[], &[0; 8]),
        "Corrupt",
    );
    corpus.error(
        "png-0x0.png",
        &png_raw(ihdr(0, 0, 8, 0, 0), &[], &[]),
        "Corrupt",
    );
    // A BMP with a palette and transparency is not a thing; an RGBA BMP is.
    let mut out = Vec::new();
    BmpEncoder::new(&mut out)
        .write_image(&[0u8; 4 * 4 * 4], 4, 4, ExtendedColorType::Rgba8)
        .unwrap_or_else(|e| panic!("bmp: {e}"));
    corpus.image_with_corner("bmp-rgba-transparent.bmp", &out, (4, 4), [255, 255, 255]);
    let mut out = Vec::new();
    BmpEncoder::new(&mut out)
        .write_image(&[7u8; 5 * 3], 5, 3, ExtendedColorType::L8)
        .unwrap_or_else(|e| panic!("bmp: {e}"));
    corpus.image("bmp-grey-palette.bmp", &out, (5, 3));
}

/// JPEGs the encoder cannot make: hand-written CMYK, progressive and greyscale files.
fn jpeg_variants(corpus: &mut Corpus) {
    // The top-left block red, the rest blue, in YCbCr (JFIF's default for three components).
    let ycbcr = |bx: u32, by: u32, c: u8| -> u8 {
        let red = bx == 0 && by == 0;
        match (c, red) {
            (0, true) => 76,
            (1, true) => 85,
            (2, true) => 255,
            (0, false) => 29,
            (1, false) => 255,
            _ => 107,
        }
    };
    corpus.image_with_corner(
        "jpeg-baseline-handwritten.jpg",
        &flat_jpeg((24, 16), 3, false, None, ycbcr),
        (24, 16),
        [255, 0, 0],
    );
    corpus.image_with_corner(
        "jpeg-progressive.jpg",
        &flat_jpeg((24, 16), 3, true, None, ycbcr),
        (24, 16),
        [255, 0, 0],
    );
    corpus.image_with_corner(
        "jpeg-grey.jpg",
        &flat_jpeg((20, 12), 1, false, None, |_, _, _| 200),
        (20, 12),
        [200, 200, 200],
    );
    corpus.image_with_corner(
        "jpeg-grey-progressive.jpg",
        &flat_jpeg((20, 12), 1, true, None, |_, _, _| 60),
        (20, 12),
        [60, 60, 60],
    );
    // CMYK as Adobe stores it (inverted: 255 is no ink): pure cyan in every block.
    let cmyk = |_: u32, _: u32, c: u8| -> u8 { if c == 0 { 0 } else { 255 } };
    corpus.image(
        "jpeg-cmyk-adobe.jpg",
        &flat_jpeg((16, 16), 4, false, Some(0), cmyk),
        (16, 16),
    );
    corpus.image(
        "jpeg-cmyk-progressive.jpg",
        &flat_jpeg((16, 16), 4, true, Some(0), cmyk),
        (16, 16),
    );
    corpus.image(
        "jpeg-ycck-adobe.jpg",
        &flat_jpeg((16, 16), 4, false, Some(2), |_, _, c| {
            [128, 128, 128, 255][usize::from(c)]
        }),
        (16, 16),
    );
    // A whole JPEG followed by other bytes after its end-of-image marker, as phones append a
    // video (Motion Photos) or a maker's trailer.
    let photo = jpeg(&rgb(&pattern(24, 16)), (24, 16), None);
    let mut trailing = photo.clone();
    trailing.extend_from_slice(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom");
    trailing.extend(std::iter::repeat_n(0x5Au8, 200));
    corpus.image_with_corner(
        "jpeg-with-data-after-end.jpg",
        &trailing,
        (24, 16),
        [255, 0, 0],
    );
    let mut newline = photo.clone();
    newline.extend_from_slice(b"\r\n");
    corpus.image("jpeg-with-newline-after-end.jpg", &newline, (24, 16));
    // A 12-bit precision frame header: a format zune-jpeg does not decode.
    let mut twelve = flat_jpeg((8, 8), 1, false, None, |_, _, _| 128);
    let sof_at = twelve
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .unwrap_or_else(|| panic!("no SOF"));
    twelve[sof_at + 4] = 12;
    corpus.error("jpeg-12-bit.jpg", &twelve, "Corrupt");
    // Arithmetic coding (SOF9).
    let mut arithmetic = flat_jpeg((8, 8), 1, false, None, |_, _, _| 128);
    arithmetic[sof_at + 1] = 0xC9;
    corpus.error("jpeg-arithmetic-sof9.jpg", &arithmetic, "Corrupt");
}

/// The eight EXIF orientations on a 64×32 JPEG whose quadrants are red (top left), green (top
/// right), blue (bottom left) and yellow (bottom right): the size after rotation and the colour
/// that lands in the top-left corner tell each orientation apart.
fn exif_orientations(corpus: &mut Corpus) {
    let (w, h) = (64u32, 32u32);
    let (red, green, blue, yellow) = ([255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]);
    let quadrants = RgbaImage::from_fn(w, h, |x, y| {
        let [r, g, b] = match (x < w / 2, y < h / 2) {
            (true, true) => red,
            (false, true) => green,
            (true, false) => blue,
            (false, false) => yellow,
        };
        image::Rgba([r, g, b, 255])
    });
    let pixels = rgb(&quadrants);
    // Orientation, the size after it, what lands top left, its name.
    type Case = (u16, (u32, u32), [u8; 3], &'static str);
    let cases: [Case; 8] = [
        (1, (w, h), red, "normal"),
        (2, (w, h), green, "mirrored"),
        (3, (w, h), yellow, "rotated-180"),
        (4, (w, h), blue, "flipped"),
        (5, (h, w), red, "transposed"),
        (6, (h, w), blue, "rotated-90-cw"),
        (7, (h, w), yellow, "transversed"),
        (8, (h, w), green, "rotated-90-ccw"),
    ];
    for (orientation, size, corner, what) in cases {
        corpus.image_with_corner(
            &format!("exif-orientation-{orientation}-{what}.jpg"),
            &jpeg(&pixels, (w, h), Some(exif_orientation(orientation))),
            size,
            corner,
        );
    }
    // Out-of-range and malformed orientation data: the image as stored.
    corpus.image_with_corner(
        "exif-orientation-0-invalid.jpg",
        &jpeg(&pixels, (w, h), Some(exif_orientation(0))),
        (w, h),
        red,
    );
    corpus.image_with_corner(
        "exif-orientation-9-invalid.jpg",
        &jpeg(&pixels, (w, h), Some(exif_orientation(9))),
        (w, h),
        red,
    );
    let mut broken = exif_orientation(6);
    broken.truncate(12);
    corpus.image_with_corner(
        "exif-truncated-ifd.jpg",
        &jpeg(&pixels, (w, h), Some(broken)),
        (w, h),
        red,
    );
    let mut loop_ifd = exif_orientation(6);
    let next_at = loop_ifd.len() - 4;
    loop_ifd[next_at..].copy_from_slice(&8u32.to_be_bytes()); // the next IFD is itself
    corpus.image_with_corner(
        "exif-ifd-loop.jpg",
        &jpeg(&pixels, (w, h), Some(loop_ifd)),
        (h, w),
        blue,
    );
    let mut huge_count = exif_orientation(6);
    huge_count[8..10].copy_from_slice(&0xFFFFu16.to_be_bytes());
    // The count is wrong, but the first entry is there and is read.
    corpus.image_with_corner(
        "exif-entry-count-65535.jpg",
        &jpeg(&pixels, (w, h), Some(huge_count)),
        (h, w),
        blue,
    );
    // Orientation in other formats' EXIF: PNG's eXIf chunk and WebP's EXIF chunk.
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new(&mut out);
    encoder
        .set_exif_metadata(exif_orientation(6))
        .unwrap_or_else(|e| panic!("{e}"));
    encoder
        .write_image(quadrants.as_raw(), w, h, ExtendedColorType::Rgba8)
        .unwrap_or_else(|e| panic!("{e}"));
    corpus.image_with_corner("exif-orientation-6-in-png.png", &out, (h, w), blue);
    corpus.image_with_corner(
        "exif-orientation-3-in-webp.webp",
        &webp(&quadrants, Some(exif_orientation(3))),
        (w, h),
        yellow,
    );
}

/// Animations: the first frame is what an upload shows.
fn animations(corpus: &mut Corpus) {
    let solid =
        |rgb: [u8; 3]| RgbaImage::from_pixel(10, 6, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let (red, green, blue) = ([255, 0, 0], [0, 255, 0], [0, 0, 255]);
    corpus.image_with_corner(
        "animated-gif-3-frames.gif",
        &gif(vec![solid(red), solid(green), solid(blue)]),
        (10, 6),
        red,
    );

    // APNG: acTL and a first fcTL before IDAT (the default image is frame 1), then an fdAT.
    let first = png(solid(red).as_raw(), (10, 6), ExtendedColorType::Rgba8);
    let second = png(solid(green).as_raw(), (10, 6), ExtendedColorType::Rgba8);
    let fctl = |sequence: u32| {
        let mut data = sequence.to_be_bytes().to_vec();
        for v in [10u32, 6, 0, 0] {
            data.extend_from_slice(&v.to_be_bytes());
        }
        data.extend_from_slice(&[0, 10, 0, 100, 0, 0]); // delay 10/100 s, no dispose, source
        png_chunk(b"fcTL", &data)
    };
    let mut apng = PNG_SIGNATURE.to_vec();
    for (kind, data) in png_chunks(&first) {
        if &kind == b"IDAT" {
            let mut actl = 2u32.to_be_bytes().to_vec();
            actl.extend_from_slice(&0u32.to_be_bytes());
            apng.extend(png_chunk(b"acTL", &actl));
            apng.extend(fctl(0));
        }
        if &kind == b"IEND" {
            apng.extend(fctl(1));
            let mut fdat = 2u32.to_be_bytes().to_vec();
            fdat.extend(png_idat(&second));
            apng.extend(png_chunk(b"fdAT", &fdat));
        }
        apng.extend(png_chunk(&kind, &data));
    }
    corpus.image_with_corner("animated-apng-2-frames.png", &apng, (10, 6), red);

    // Animated WebP: VP8X (animation flag), ANIM, and one ANMF per frame around a VP8L frame.
    let frame_chunk = |image: &RgbaImage| {
        let file = webp(image, None);
        let vp8l = &file[12..]; // the VP8L chunk, header included
        let mut data = vec![0u8; 6]; // x, y offsets / 2
        data.extend_from_slice(&(image.width() - 1).to_le_bytes()[..3]);
        data.extend_from_slice(&(image.height() - 1).to_le_bytes()[..3]);
        data.extend_from_slice(&[100, 0, 0]); // 100 ms
        data.push(0); // blend, no dispose
        data.extend_from_slice(vp8l);
        riff_chunk(b"ANMF", &data)
    };
    let mut body = b"WEBP".to_vec();
    let mut vp8x = vec![0x02 | 0x10, 0, 0, 0];
    vp8x.extend_from_slice(&9u32.to_le_bytes()[..3]);
    vp8x.extend_from_slice(&5u32.to_le_bytes()[..3]);
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend(riff_chunk(b"ANIM", &[255, 255, 255, 255, 0, 0]));
    body.extend(frame_chunk(&solid(red)));
    body.extend(frame_chunk(&solid(blue)));
    corpus.image_with_corner(
        "animated-webp-2-frames.webp",
        &riff_chunk(b"RIFF", &body),
        (10, 6),
        red,
    );
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// Formats whose decoders are not built in: each a typed "not an image we can read".
fn other_formats(corpus: &mut Corpus) {
    let small = png(pattern(16, 16).as_raw(), (16, 16), ExtendedColorType::Rgba8);
    // ICO: one entry, a PNG inside.
    let mut ico = vec![0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0];
    ico.extend_from_slice(&(small.len() as u32).to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes());
    ico.extend_from_slice(&small);
    corpus.error("format-ico.ico", &ico, "UnknownFormat");
    corpus.error("format-ico-renamed.png", &ico, "UnknownFormat");
    // TIFF: little- and big-endian, a 1×1 grey strip.
    let tiff_le = {
        let mut t = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        let entries: [(u16, u16, u32); 6] = [
            (256, 3, 1),  // width
            (257, 3, 1),  // height
            (258, 3, 8),  // bits
            (262, 3, 1),  // black is zero
            (273, 4, 86), // strip offset
            (279, 4, 1),  // strip bytes
        ];
        t.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, kind, value) in entries {
            t.extend_from_slice(&tag.to_le_bytes());
            t.extend_from_slice(&kind.to_le_bytes());
            t.extend_from_slice(&1u32.to_le_bytes());
            t.extend_from_slice(&value.to_le_bytes());
        }
        t.extend_from_slice(&0u32.to_le_bytes());
        t.push(128);
        t
    };
    corpus.error("format-tiff-little-endian.tif", &tiff_le, "UnknownFormat");
    corpus.error(
        "format-tiff-big-endian.tiff",
        b"MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00",
        "UnknownFormat",
    );
    corpus.error("format-tiff-renamed.jpg", &tiff_le, "UnknownFormat");
    corpus.error(
        "format-pnm-p6.ppm",
        b"P6\n2 1\n255\n\xff\0\0\0\xff\0",
        "UnknownFormat",
    );
    corpus.error(
        "format-pnm-p1-text.pbm",
        b"P1\n2 2\n0 1\n1 0\n",
        "UnknownFormat",
    );
    let mut qoi = b"qoif".to_vec();
    qoi.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 3, 0, 0xFE, 255, 0, 0]);
    qoi.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
    corpus.error("format-qoi.qoi", &qoi, "UnknownFormat");
    let mut farbfeld = b"farbfeld".to_vec();
    farbfeld.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 255, 255, 0, 0, 0, 0, 255, 255]);
    corpus.error("format-farbfeld.ff", &farbfeld, "UnknownFormat");
    corpus.error(
        "format-hdr.hdr",
        b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\n\x80\x80\x80\x80",
        "UnknownFormat",
    );
    corpus.error(
        "format-exr.exr",
        b"\x76\x2f\x31\x01\x02\0\0\0channels\0chlist\0",
        "UnknownFormat",
    );
    corpus.error(
        "format-avif.avif",
        b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf\0\0\0\x08mdat",
        "UnknownFormat",
    );
    corpus.error(
        "format-heic.heic",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat",
        "UnknownFormat",
    );
    let mut dds = b"DDS ".to_vec();
    dds.extend_from_slice(&124u32.to_le_bytes());
    dds.extend(std::iter::repeat_n(0u8, 120));
    corpus.error("format-dds.dds", &dds, "UnknownFormat");
    // TGA has no magic number: a 1×1 uncompressed true-colour file.
    corpus.error(
        "format-tga.tga",
        &[
            0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 24, 0, 0, 0, 255,
        ],
        "UnknownFormat",
    );
    corpus.error(
        "format-psd.psd",
        b"8BPS\0\x01\0\0\0\0\0\0\0\x03\0\0\0\x01\0\0\0\x01\0\x08\0\x03",
        "UnknownFormat",
    );
}

/// The smallest images and very thin ones, at and past the side limit.
fn extreme_sizes(corpus: &mut Corpus) {
    let one = pattern(1, 1);
    corpus.image_with_corner(
        "size-1x1.png",
        &png(one.as_raw(), (1, 1), ExtendedColorType::Rgba8),
        (1, 1),
        [255, 0, 0],
    );
    corpus.image("size-1x1.jpg", &jpeg(&rgb(&one), (1, 1), None), (1, 1));
    corpus.image("size-1x1.webp", &webp(&one, None), (1, 1));
    corpus.image_with_corner("size-1x1.bmp", &bmp(&one), (1, 1), [255, 0, 0]);
    corpus.image("size-1x1.gif", &gif(vec![one.clone()]), (1, 1));
    let thin = |width: u32, height: u32| {
        png(
            &vec![90u8; (width * height) as usize],
            (width, height),
            ExtendedColorType::L8,
        )
    };
    corpus.image("size-1x8192.png", &thin(1, 8192), (1, 8192));
    corpus.image("size-8192x1.png", &thin(8192, 1), (8192, 1));
    corpus.error("size-1x10000.png", &thin(1, 10_000), "TooLarge");
    corpus.error("size-10000x1.png", &thin(10_000, 1), "TooLarge");
    corpus.error("size-8193x1.png", &thin(8193, 1), "TooLarge");
    corpus.image(
        "size-1x8000.jpg",
        &flat_jpeg((1, 8000), 1, false, None, |_, _, _| 90),
        (1, 8000),
    );
    corpus.error(
        "size-1x10000.jpg",
        &flat_jpeg((1, 10_000), 1, false, None, |_, _, _| 90),
        "TooLarge",
    );
    corpus.error(
        "size-10000x1.bmp",
        &bmp(&RgbaImage::new(10_000, 1)),
        "TooLarge",
    );
}
