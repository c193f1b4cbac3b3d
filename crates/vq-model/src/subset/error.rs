//! Why a training set was refused: each variant a sentence for the page.

/// A training-set file or its manifest that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubsetError {
    /// Fewer bytes than the header.
    #[error(
        "the training data is truncated: {len} bytes, fewer than the {header} of its header; reload the page"
    )]
    ShortHeader {
        /// Bytes received.
        len: usize,
        /// Bytes of the header.
        header: usize,
    },
    /// The file does not start with `VQLT`.
    #[error(
        "this is not a VQ Lab training set: it does not start with the bytes \"VQLT\"; reload the page"
    )]
    Magic,
    /// A format version this code does not read.
    #[error(
        "the training data is in format version {found}, this build reads version {supported}; reload the page to get a matching build"
    )]
    Version {
        /// Version in the file.
        found: u32,
        /// The version read here.
        supported: u32,
    },
    /// A header field out of its range (zero images, zero rows, more than 256 classes, …).
    #[error("the training data's header is invalid: {field} is {value}, {expected}")]
    Header {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u64,
        /// What it must be.
        expected: &'static str,
    },
    /// `count × height × width` does not fit in this machine's address space.
    #[error(
        "the training data's header describes {count} images of {height}×{width} pixels, more bytes than this machine can address; the file is damaged"
    )]
    TooLarge {
        /// Images.
        count: u64,
        /// Rows.
        height: u64,
        /// Columns.
        width: u64,
    },
    /// Fewer bytes than the header announces.
    #[error(
        "the training data is truncated: its header announces {expected} bytes, {actual} arrived; reload the page"
    )]
    Truncated {
        /// Bytes the header announces.
        expected: usize,
        /// Bytes received.
        actual: usize,
    },
    /// More bytes than the header announces.
    #[error(
        "the training data has {extra} bytes after the {expected} its header announces; the file is damaged, reload the page"
    )]
    TrailingBytes {
        /// Bytes the header announces.
        expected: usize,
        /// Bytes after them.
        extra: usize,
    },
    /// A label not below the number of classes.
    #[error(
        "image {index} of the training data has label {label}, but the set has only {classes} classes"
    )]
    Label {
        /// The image.
        index: usize,
        /// Its label.
        label: u8,
        /// Classes in the header.
        classes: u32,
    },
    /// Labels and pixels of different counts (building a set, not parsing one).
    #[error(
        "{labels} labels for {images} images of {height}×{width} pixels ({pixels} pixel values)"
    )]
    Shape {
        /// Labels given.
        labels: usize,
        /// Images the pixels make (rounded down).
        images: usize,
        /// Pixel values given.
        pixels: usize,
        /// Rows.
        height: usize,
        /// Columns.
        width: usize,
    },
    /// An image asked for that the set does not have.
    #[error("image {index} was asked for, but the training data holds {count} images")]
    Index {
        /// The index asked for.
        index: usize,
        /// Images in the set.
        count: usize,
    },
    /// The bytes are not those the manifest names.
    #[error(
        "the training data does not match its manifest (SHA-256 {actual}, expected {expected}); the download may be damaged, reload the page"
    )]
    HashMismatch {
        /// Hash in the manifest.
        expected: String,
        /// Hash of the bytes.
        actual: String,
    },
    /// The manifest does not list the file.
    #[error("the training data's manifest lists no file {0}")]
    NotInManifest(String),
    /// The manifest is not valid JSON of the expected shape.
    #[error("the training data's manifest is not valid: {0}")]
    Manifest(String),
}
