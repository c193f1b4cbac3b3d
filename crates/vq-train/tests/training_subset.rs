//! The training images the site ships (`assets/training/fashion/`, written by `vq-train
//! training-subset`): they match their manifest, hold the counts it records, and are the
//! images of Debian's Fashion-MNIST that the seeded draw picks, in the model space the
//! trainer uses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vq_model::subset::{Subset, SubsetError, SubsetManifest, files, verify};
use vq_train::data::fashion::{self, CLASS_NAMES, Split};
use vq_train::training_subset;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/training/fashion")
}

fn manifest() -> SubsetManifest {
    SubsetManifest::parse(&std::fs::read(dir().join(files::MANIFEST)).expect("manifest.json"))
        .expect("a valid manifest")
}

/// The shipped file of `split`, checked against the manifest and parsed.
fn shipped(manifest: &SubsetManifest, file: &str) -> Subset {
    let bytes = std::fs::read(dir().join(file)).expect("a shipped file");
    let entry = &manifest.files[file];
    assert_eq!(bytes.len() as u64, entry.bytes, "{file}: size");
    verify(&bytes, &entry.sha256).expect("SHA-256 of the shipped bytes");
    Subset::parse(&bytes).expect("a valid VQLT file")
}

/// Both files are listed with their size and hash, and hold 300 (train) and 50 (test) 28×28
/// images of each of the ten classes, as the manifest says.
#[test]
fn shipped_training_files_match_their_manifest() {
    let manifest = manifest();
    assert_eq!(manifest.name, "fashion");
    assert_eq!(manifest.classes, CLASS_NAMES.map(String::from).to_vec());
    assert!(
        manifest.source.contains("MIT licence"),
        "{}",
        manifest.source
    );
    let listed: BTreeSet<&str> = manifest.files.keys().map(String::as_str).collect();
    assert_eq!(listed, BTreeSet::from([files::TEST, files::TRAIN]));
    for (file, split, per_class) in [(files::TRAIN, "train", 300), (files::TEST, "test", 50)] {
        let set = shipped(&manifest, file);
        let entry = &manifest.files[file];
        assert_eq!(entry.split, split);
        assert_eq!((entry.images, entry.per_class), (10 * per_class, per_class));
        assert_eq!(set.len() as u64, entry.images, "{file}");
        assert_eq!(set.size(), (28, 28), "{file}");
        assert_eq!(set.classes(), 10, "{file}");
        assert_eq!(set.per_class(), vec![per_class as usize; 10], "{file}");
    }
}

/// One byte changed in a shipped file is refused by its hash, before it is parsed.
#[test]
fn a_damaged_training_file_is_refused() {
    let manifest = manifest();
    let mut bytes = std::fs::read(dir().join(files::TRAIN)).expect("train.bin");
    bytes[1000] ^= 1;
    assert!(matches!(
        manifest.verify(files::TRAIN, &bytes),
        Err(SubsetError::HashMismatch { .. })
    ));
}

/// Each shipped image, with its label, is the Fashion-MNIST image that the manifest's seed
/// draws (so `vq-train training-subset` would write the same files today), and a batch of the
/// test file is, bit for bit, what the trainer's reader gives for those images.
#[test]
fn shipped_training_images_are_the_drawn_fashion_mnist_images() {
    let data = Path::new(fashion::DEFAULT_DIR);
    assert!(
        data.is_dir(),
        "Fashion-MNIST is missing at {} (apt-get install dataset-fashion-mnist)",
        data.display()
    );
    let manifest = manifest();
    for (file, split) in [(files::TRAIN, Split::Train), (files::TEST, Split::Test)] {
        let set = shipped(&manifest, file);
        let source = fashion::load_grey(data, split).expect("Fashion-MNIST");
        let per_class = manifest.files[file].per_class as usize;
        let indices = training_subset::draw(&source, split, per_class, manifest.seed)
            .expect("enough images of each class");
        assert_eq!(indices.len(), set.len());
        for (k, &i) in indices.iter().enumerate() {
            assert_eq!(
                set.image(k),
                source.image(i),
                "{file}: image {k} is source {i}"
            );
            assert_eq!(set.labels()[k], source.labels()[i], "{file}: label {k}");
        }
        if split == Split::Test {
            let trainer = fashion::load(data, split).expect("Fashion-MNIST");
            let all: Vec<usize> = (0..set.len()).collect();
            let batch = set.batch(&all).expect("in range");
            assert_eq!(batch.shape, [set.len(), 1, 28, 28]);
            for (k, &i) in indices.iter().enumerate() {
                assert_eq!(
                    &batch.planes[k * 784..(k + 1) * 784],
                    trainer.image(i),
                    "{file}: image {k} in model space"
                );
                assert_eq!(batch.labels[k], trainer.labels[i]);
            }
        }
    }
}
