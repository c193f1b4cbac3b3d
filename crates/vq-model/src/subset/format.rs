//! [`Subset`]: the images of one `VQLT` file, and its parser and writer (the format is
//! documented once, in the module above).

use super::SubsetError;

/// The first four bytes of every file.
pub const MAGIC: [u8; 4] = *b"VQLT";
/// The format version written and read here.
pub const VERSION: u32 = 1;
/// Bytes before the labels: magic, version, count, height, width, classes.
pub const HEADER_BYTES: usize = 24;
/// Most classes a set may have (labels are `u8`).
pub const MAX_CLASSES: u32 = 256;

/// Labelled grey images of one size, as stored: `u8` pixels, one `u8` label each.
///
/// Its invariants hold for every value: at least one image, both sides at least 1,
/// `pixels.len() == labels.len() × height × width`, every label below `classes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subset {
    height: usize,
    width: usize,
    classes: u32,
    /// `[count]`.
    labels: Vec<u8>,
    /// `[count, height, width]`, row-major.
    pixels: Vec<u8>,
}

impl Subset {
    /// A set of `labels.len()` images of `height × width` from their pixels
    /// (`[count, height, width]`, row-major).
    ///
    /// # Errors
    /// [`SubsetError`] when the sizes disagree, a size or `classes` is out of range, or a label
    /// is not below `classes`.
    pub fn new(
        (height, width): (usize, usize),
        classes: u32,
        labels: Vec<u8>,
        pixels: Vec<u8>,
    ) -> Result<Self, SubsetError> {
        check_header(labels.len() as u64, height as u64, width as u64, classes)?;
        let shape_error = || SubsetError::Shape {
            labels: labels.len(),
            images: pixels.len() / height.saturating_mul(width).max(1),
            pixels: pixels.len(),
            height,
            width,
        };
        let expected = labels
            .len()
            .checked_mul(height)
            .and_then(|n| n.checked_mul(width))
            .ok_or_else(shape_error)?;
        if pixels.len() != expected {
            return Err(shape_error());
        }
        check_labels(&labels, classes)?;
        Ok(Self {
            height,
            width,
            classes,
            labels,
            pixels,
        })
    }

    /// Reads a `VQLT` file. Every size is checked against `bytes.len()` before anything is
    /// allocated, so the set never takes more memory than the file.
    ///
    /// # Errors
    /// [`SubsetError`]: too short, wrong magic or version, a header field out of range,
    /// sizes that overflow, fewer or more bytes than the header announces, a label not below
    /// `classes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, SubsetError> {
        let header = bytes.get(..HEADER_BYTES).ok_or(SubsetError::ShortHeader {
            len: bytes.len(),
            header: HEADER_BYTES,
        })?;
        if header[..4] != MAGIC {
            return Err(SubsetError::Magic);
        }
        let field =
            |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
        let version = field(4);
        if version != VERSION {
            return Err(SubsetError::Version {
                found: version,
                supported: VERSION,
            });
        }
        let (count, height, width, classes) = (field(8), field(12), field(16), field(20));
        check_header(count.into(), height.into(), width.into(), classes)?;
        let expected = file_len(count, height, width).ok_or(SubsetError::TooLarge {
            count: count.into(),
            height: height.into(),
            width: width.into(),
        })?;
        if bytes.len() < expected {
            return Err(SubsetError::Truncated {
                expected,
                actual: bytes.len(),
            });
        }
        if bytes.len() > expected {
            return Err(SubsetError::TrailingBytes {
                expected,
                extra: bytes.len() - expected,
            });
        }
        // Fit in usize: file_len succeeded.
        let count = count as usize;
        let labels = &bytes[HEADER_BYTES..HEADER_BYTES + count];
        check_labels(labels, classes)?;
        Ok(Self {
            height: height as usize,
            width: width as usize,
            classes,
            labels: labels.to_vec(),
            pixels: bytes[HEADER_BYTES + count..].to_vec(),
        })
    }

    /// The set as a `VQLT` file (what [`Subset::parse`] reads back).
    ///
    /// # Errors
    /// [`SubsetError::TooLarge`] when a size does not fit the header's `u32` fields.
    pub fn to_bytes(&self) -> Result<Vec<u8>, SubsetError> {
        let too_large = || SubsetError::TooLarge {
            count: self.len() as u64,
            height: self.height as u64,
            width: self.width as u64,
        };
        let as_u32 = |n: usize| u32::try_from(n).map_err(|_| too_large());
        let mut bytes = Vec::with_capacity(HEADER_BYTES + self.labels.len() + self.pixels.len());
        bytes.extend_from_slice(&MAGIC);
        for value in [
            VERSION,
            as_u32(self.len())?,
            as_u32(self.height)?,
            as_u32(self.width)?,
            self.classes,
        ] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes.extend_from_slice(&self.labels);
        bytes.extend_from_slice(&self.pixels);
        Ok(bytes)
    }

    /// Number of images (at least 1).
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: a set holds at least one image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// `(height, width)` of every image.
    pub fn size(&self) -> (usize, usize) {
        (self.height, self.width)
    }

    /// Number of classes; every label is below it.
    pub fn classes(&self) -> u32 {
        self.classes
    }

    /// The labels, `[count]`.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The pixels of every image, `[count, height, width]` row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixels of image `index`, `[height, width]` row-major, or `None` past the end.
    pub fn image(&self, index: usize) -> Option<&[u8]> {
        let n = self.height * self.width;
        self.pixels
            .get(index.checked_mul(n)?..index.checked_add(1)?.checked_mul(n)?)
    }

    /// How many images each class has, `[classes]`.
    pub fn per_class(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes as usize];
        for &label in &self.labels {
            counts[usize::from(label)] += 1;
        }
        counts
    }

    /// The images at `indices`, in that order, as a new set of the same classes.
    ///
    /// # Errors
    /// [`SubsetError::Index`] for an index past the end; [`SubsetError::Header`] when
    /// `indices` is empty.
    pub fn select(&self, indices: &[usize]) -> Result<Self, SubsetError> {
        let mut labels = Vec::with_capacity(indices.len());
        let image_len = self.height * self.width;
        let mut pixels = Vec::with_capacity(indices.len().checked_mul(image_len).unwrap_or(0));
        for &index in indices {
            let image = self.image(index).ok_or(SubsetError::Index {
                index,
                count: self.len(),
            })?;
            labels.push(self.labels[index]);
            pixels.extend_from_slice(image);
        }
        Self::new((self.height, self.width), self.classes, labels, pixels)
    }
}

/// Bytes of a file of `count` images of `height × width`, or `None` when it does not fit in
/// `usize` (on wasm32, 4 GiB).
fn file_len(count: u32, height: u32, width: u32) -> Option<usize> {
    let [count, height, width] = [count, height, width].map(|n| usize::try_from(n).ok());
    let count = count?;
    count
        .checked_mul(height?)?
        .checked_mul(width?)?
        .checked_add(count)?
        .checked_add(HEADER_BYTES)
}

fn check_header(count: u64, height: u64, width: u64, classes: u32) -> Result<(), SubsetError> {
    let out_of_range = |field, value, expected| SubsetError::Header {
        field,
        value,
        expected,
    };
    if count == 0 || count > u64::from(u32::MAX) {
        return Err(out_of_range(
            "the number of images",
            count,
            "from 1 to 2³²−1",
        ));
    }
    if height == 0 || height > u64::from(u32::MAX) {
        return Err(out_of_range("the height", height, "from 1 to 2³²−1"));
    }
    if width == 0 || width > u64::from(u32::MAX) {
        return Err(out_of_range("the width", width, "from 1 to 2³²−1"));
    }
    if classes == 0 || classes > MAX_CLASSES {
        return Err(out_of_range(
            "the number of classes",
            classes.into(),
            "from 1 to 256",
        ));
    }
    Ok(())
}

fn check_labels(labels: &[u8], classes: u32) -> Result<(), SubsetError> {
    match labels.iter().position(|&label| u32::from(label) >= classes) {
        Some(index) => Err(SubsetError::Label {
            index,
            label: labels[index],
            classes,
        }),
        None => Ok(()),
    }
}
