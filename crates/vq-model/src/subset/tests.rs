//! The `VQLT` parser: a round trip, and every damaged file refused with a sentence.

use super::*;
use crate::rng::SplitMix64;

/// Three 2×3 images of classes 0, 2, 1 (of 3), pixels 0, 1, 2, … so each is distinct.
fn small() -> Subset {
    let pixels = (0..18).map(|v| (v * 14) as u8).collect();
    Subset::new((2, 3), 3, vec![0, 2, 1], pixels).expect("a valid set")
}

/// A header with these fields, and `extra` bytes after it.
fn header(version: u32, [count, height, width, classes]: [u32; 4], extra: usize) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    for v in [version, count, height, width, classes] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.resize(bytes.len() + extra, 0);
    bytes
}

fn refused(bytes: &[u8]) -> SubsetError {
    let error = Subset::parse(bytes).expect_err("refused");
    let sentence = error.to_string();
    assert!(
        sentence.len() > 20 && !sentence.contains("Error"),
        "a sentence: {sentence}"
    );
    error
}

#[test]
fn a_set_round_trips_through_its_bytes() {
    let set = small();
    let bytes = set.to_bytes().expect("bytes");
    assert_eq!(bytes.len(), HEADER_BYTES + 3 + 18);
    assert_eq!(&bytes[..HEADER_BYTES], &header(1, [3, 2, 3, 3], 0)[..]);
    assert_eq!(&bytes[HEADER_BYTES..HEADER_BYTES + 3], &[0, 2, 1]);
    let back = Subset::parse(&bytes).expect("parses");
    assert_eq!(back, set);
    assert_eq!(back.size(), (2, 3));
    assert_eq!(back.classes(), 3);
    assert_eq!(back.image(1), Some(&bytes[HEADER_BYTES + 3 + 6..][..6]));
    assert_eq!(back.image(3), None);
    assert_eq!(back.per_class(), vec![1, 1, 1]);
}

#[test]
fn every_truncation_is_refused() {
    let bytes = small().to_bytes().expect("bytes");
    for len in 0..bytes.len() {
        let error = refused(&bytes[..len]);
        if len < HEADER_BYTES {
            assert!(
                matches!(error, SubsetError::ShortHeader { .. }),
                "{len}: {error}"
            );
        } else {
            assert_eq!(
                error,
                SubsetError::Truncated {
                    expected: bytes.len(),
                    actual: len
                }
            );
        }
        assert!(error.to_string().contains("truncated"), "{error}");
    }
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = small().to_bytes().expect("bytes");
    let expected = bytes.len();
    bytes.push(0);
    assert_eq!(
        refused(&bytes),
        SubsetError::TrailingBytes { expected, extra: 1 }
    );
}

#[test]
fn another_magic_or_version_is_refused() {
    let mut bytes = small().to_bytes().expect("bytes");
    bytes[0] = b'X';
    assert_eq!(refused(&bytes), SubsetError::Magic);
    assert!(
        refused(b"\x89PNG\r\n\x1a\n0000000000000000000000")
            .to_string()
            .contains("VQLT")
    );

    let mut bytes = small().to_bytes().expect("bytes");
    bytes[4] = 2;
    let error = refused(&bytes);
    assert_eq!(
        error,
        SubsetError::Version {
            found: 2,
            supported: 1
        }
    );
    assert!(error.to_string().contains("version 2"), "{error}");
}

/// Sizes whose product overflows are refused from the header, and sizes that fit but exceed
/// the file are refused before anything is allocated for them.
#[test]
fn sizes_that_overflow_or_exceed_the_file_are_refused() {
    let max = u32::MAX;
    assert!(matches!(
        refused(&header(1, [max, max, max, 10], 100)),
        SubsetError::TooLarge { .. }
    ));
    // 2³²−1 images of 65 536 × 65 536: the product alone is over 2⁶⁴.
    assert!(matches!(
        refused(&header(1, [max, 65_536, 65_536, 10], 0)),
        SubsetError::TooLarge { .. }
    ));
    // A billion 28×28 images announced in a 24-byte file.
    assert!(matches!(
        refused(&header(1, [1_000_000_000, 28, 28, 10], 0)),
        SubsetError::Truncated { .. }
    ));
}

#[test]
fn header_fields_out_of_range_are_refused() {
    for fields in [
        [0, 2, 3, 3],
        [3, 0, 3, 3],
        [3, 2, 0, 3],
        [3, 2, 3, 0],
        [3, 2, 3, 257],
    ] {
        let error = refused(&header(1, fields, 3 + 18));
        assert!(
            matches!(error, SubsetError::Header { .. }),
            "{fields:?}: {error}"
        );
    }
    // 256 classes is the most a u8 label can use.
    assert!(Subset::parse(&header(1, [3, 2, 3, 256], 3 + 18)).is_ok());
}

#[test]
fn a_label_outside_the_classes_is_refused() {
    let mut bytes = small().to_bytes().expect("bytes");
    bytes[HEADER_BYTES + 1] = 3;
    assert_eq!(
        refused(&bytes),
        SubsetError::Label {
            index: 1,
            label: 3,
            classes: 3
        }
    );
}

/// Any header at all, with a few bytes after it: an answer, never a panic.
#[test]
fn random_headers_never_panic() {
    let good = small().to_bytes().expect("bytes");
    let mut rng = SplitMix64::new(13);
    for _ in 0..5_000 {
        let mut bytes = good.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(HEADER_BYTES + 4);
            bytes[at] = rng.next_u64() as u8;
        }
        match rng.below(4) {
            0 => bytes.truncate(bytes.len() - 1 - rng.below(3)),
            1 => bytes.push(0),
            _ => {}
        }
        if let Ok(set) = Subset::parse(&bytes) {
            assert_eq!(set.to_bytes().expect("bytes"), bytes);
        }
    }
}

#[test]
fn a_set_is_built_only_from_matching_sizes() {
    assert!(matches!(
        Subset::new((2, 3), 3, vec![0, 1], vec![0; 18]),
        Err(SubsetError::Shape { .. })
    ));
    assert!(matches!(
        Subset::new((2, 3), 3, vec![], vec![]),
        Err(SubsetError::Header { .. })
    ));
    assert!(matches!(
        Subset::new((2, 3), 2, vec![0, 2, 1], vec![0; 18]),
        Err(SubsetError::Label { .. })
    ));
}

#[test]
fn select_keeps_the_images_asked_for_in_order() {
    let set = small();
    let picked = set.select(&[2, 0, 2]).expect("in range");
    assert_eq!(picked.labels(), &[1, 0, 1]);
    assert_eq!(picked.image(0), set.image(2));
    assert_eq!(picked.image(1), set.image(0));
    assert!(matches!(
        set.select(&[3]),
        Err(SubsetError::Index { index: 3, count: 3 })
    ));
}

/// A batch is `[n, 1, h, w]` of `pixel/255 − 0.5`, bit for bit what the trainer's
/// Fashion-MNIST reader gives (checked on the shipped files by vq-train's asset test); for a
/// grey image, what the app's `planes_from_rgba` gives up to rounding: its luma
/// `0.299·r + 0.587·g + 0.114·b` rounds differently from `r` on 58 of the 256 grey levels,
/// by 2⁻²⁴ (6e-8), hence the tolerance of `f32::EPSILON` (2⁻²³).
#[test]
fn a_batch_is_model_space_planes_and_labels() {
    let set = small();
    let batch = set.batch(&[1, 1, 0]).expect("in range");
    assert_eq!(batch.shape, [3, 1, 2, 3]);
    assert_eq!(batch.labels, vec![2, 2, 0]);
    assert_eq!(batch.planes.len(), 3 * 6);
    let image = set.image(1).expect("image 1");
    for (value, &pixel) in batch.planes[..6].iter().zip(image) {
        assert_eq!(*value, f32::from(pixel) / 255.0 - 0.5);
    }
    assert_eq!(batch.planes[..6], batch.planes[6..12]);

    let grey: Vec<u8> = (0..=255).collect();
    let all = Subset::new((16, 16), 1, vec![0], grey.clone()).expect("a set");
    let planes = all.batch(&[0]).expect("in range").planes;
    let rgba: Vec<u8> = grey.iter().flat_map(|&g| [g, g, g, 255]).collect();
    let from_rgba = crate::image::planes_from_rgba(&rgba, (16, 16), 1);
    for (a, b) in planes.iter().zip(&from_rgba) {
        assert!((a - b).abs() <= f32::EPSILON, "{a} against {b}");
    }
    assert_eq!(planes[0], -0.5);
    assert_eq!(planes[255], 0.5);

    assert_eq!(
        set.batch(&[0, 5]),
        Err(SubsetError::Index { index: 5, count: 3 })
    );
}

#[test]
fn hashes_are_checked_before_parsing() {
    let bytes = small().to_bytes().expect("bytes");
    let hash = sha256_hex(&bytes);
    assert_eq!(hash.len(), 64);
    assert_eq!(verify(&bytes, &hash), Ok(()));
    assert_eq!(verify(&bytes, &hash.to_uppercase()), Ok(()));
    let mut damaged = bytes.clone();
    damaged[HEADER_BYTES + 5] ^= 1;
    let error = verify(&damaged, &hash).expect_err("damaged");
    assert!(matches!(error, SubsetError::HashMismatch { .. }));
    assert!(error.to_string().contains("reload the page"), "{error}");

    let manifest = SubsetManifest {
        name: "test".into(),
        format: "VQLT 1".into(),
        files: [(
            files::TRAIN.to_string(),
            SubsetFile {
                bytes: bytes.len() as u64,
                sha256: hash,
                split: "train".into(),
                images: 3,
                per_class: 1,
            },
        )]
        .into(),
        classes: vec!["a".into(), "b".into(), "c".into()],
        source: "made up".into(),
        command: "test".into(),
        seed: 1,
    };
    let json = serde_json::to_vec(&manifest).expect("json");
    let back = SubsetManifest::parse(&json).expect("parses");
    assert_eq!(back, manifest);
    assert_eq!(back.verify(files::TRAIN, &bytes), Ok(()));
    assert!(back.verify(files::TRAIN, &damaged).is_err());
    assert_eq!(
        back.verify(files::TEST, &bytes),
        Err(SubsetError::NotInManifest(files::TEST.into()))
    );
    assert!(matches!(
        SubsetManifest::parse(b"{"),
        Err(SubsetError::Manifest(_))
    ));
}
