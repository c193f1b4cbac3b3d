//! The bundle written and read back, by this module and by the system's `tar`.

use super::*;

fn files() -> TrainedFiles {
    TrainedFiles {
        name: "trained-1".to_owned(),
        manifest: r#"{"name": "trained-1", "sha256": {}}"#.to_owned(),
        config: r#"{"name": "trained-1"}"#.to_owned(),
        // Not a multiple of 512, with every byte value.
        vqvae: (0..1300u32).map(|i| (i * 7 % 256) as u8).collect(),
    }
}

#[test]
fn a_bundle_reads_back_as_written() {
    let bundle = write_bundle(&files());
    assert_eq!(bundle.len() % BLOCK, 0);
    assert_eq!(read_bundle(&bundle), Ok(files()));
    assert_eq!(files().bundle_name(), "trained-1.vqlab.tar");
}

#[test]
fn the_system_tar_lists_and_extracts_a_bundle() {
    let dir = std::env::temp_dir().join(format!("vq-lab-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{err}"));
    let path = dir.join("trained-1.vqlab.tar");
    std::fs::write(&path, write_bundle(&files())).unwrap_or_else(|err| panic!("{err}"));
    let listed = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&path)
        .output()
        .unwrap_or_else(|err| panic!("the system's tar: {err}"));
    assert!(listed.status.success(), "{listed:?}");
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "trained-1/\ntrained-1/manifest.json\ntrained-1/config.json\ntrained-1/vqvae.bpk\n"
    );
    let extracted = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&path)
        .arg("-C")
        .arg(&dir)
        .output()
        .unwrap_or_else(|err| panic!("the system's tar: {err}"));
    assert!(extracted.status.success(), "{extracted:?}");
    let read = |file: &str| {
        std::fs::read(dir.join("trained-1").join(file)).unwrap_or_else(|err| panic!("{err}"))
    };
    assert_eq!(read("manifest.json"), files().manifest.as_bytes());
    assert_eq!(read("config.json"), files().config.as_bytes());
    assert_eq!(read("vqvae.bpk"), files().vqvae);
    // And what tar itself writes of that folder reads back.
    let repacked = dir.join("repacked.tar");
    let packed = std::process::Command::new("tar")
        .args(["--format=ustar", "-cf"])
        .arg(&repacked)
        .arg("-C")
        .arg(&dir)
        .arg("trained-1")
        .output()
        .unwrap_or_else(|err| panic!("the system's tar: {err}"));
    assert!(packed.status.success(), "{packed:?}");
    let repacked = std::fs::read(&repacked).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(read_bundle(&repacked), Ok(files()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_or_foreign_file_is_refused_with_a_sentence() {
    let bundle = write_bundle(&files());
    let mut damaged = bundle.clone();
    damaged[BLOCK + 3] ^= 1; // a byte of the manifest's header
    let sentence = read_bundle(&damaged).err().map(|err| err.to_string());
    assert_eq!(
        sentence.as_deref(),
        Some(
            "This file is not a VQ Lab model bundle (a .vqlab.tar file with manifest.json, \
             config.json and vqvae.bpk): a header's checksum is wrong: the file is damaged."
        )
    );
    let cut = &bundle[..bundle.len() - 4 * BLOCK];
    assert!(matches!(read_bundle(cut), Err(BundleError::NotABundle(_))));
    assert!(matches!(
        read_bundle(b"\x89PNG\r\n\x1a\n not an archive"),
        Err(BundleError::NotABundle(_))
    ));
    assert!(matches!(
        read_bundle(&[7u8; 4 * BLOCK]),
        Err(BundleError::NotABundle(_))
    ));
    let mut renamed = files();
    renamed.name = "other".to_owned();
    assert!(matches!(
        read_bundle(&write_bundle(&renamed)),
        Err(BundleError::NotABundle(_))
    ));
    let mut bad_name = files();
    bad_name.name = "Bad Name".to_owned();
    bad_name.manifest = r#"{"name": "Bad Name"}"#.to_owned();
    assert!(matches!(
        read_bundle(&write_bundle(&bad_name)),
        Err(BundleError::BadName(_))
    ));
    assert!(matches!(
        read_bundle(&vec![0u8; MAX_BUNDLE_BYTES + 1]),
        Err(BundleError::TooLarge { .. })
    ));
}

#[test]
fn three_files_chosen_together_make_the_model() {
    let model = files();
    let named = vec![
        ("vqvae.bpk".to_owned(), model.vqvae.clone()),
        (
            "Downloads/config.json".to_owned(),
            model.config.clone().into_bytes(),
        ),
        ("notes.txt".to_owned(), b"ignored".to_vec()),
        (
            "manifest.json".to_owned(),
            model.manifest.clone().into_bytes(),
        ),
    ];
    assert_eq!(TrainedFiles::from_named_files(named.clone()), Ok(model));
    assert_eq!(
        TrainedFiles::from_named_files(named[..2].to_vec()),
        Err(BundleError::Missing("manifest.json"))
    );
    let mut twice = named;
    twice.push(("vqvae.bpk".to_owned(), Vec::new()));
    assert_eq!(
        TrainedFiles::from_named_files(twice),
        Err(BundleError::Twice("vqvae.bpk"))
    );
}
