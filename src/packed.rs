//! Numbers crossing the worker boundary as bytes.
//!
//! serde-wasm-bindgen turns a `Vec<u32>` into a JavaScript array of one value per number, and
//! in the engine's worker that cost about 0.4 ms a number: the photo model's encoding (20 480
//! nearest codes and as many distances) took 19 s to post, against 1.2 s to compute. Bytes
//! become one `Uint8Array`, copied at once. Fields use `#[serde(with = "crate::packed")]`
//! (`packed::rows` for a list of lists); numbers are little-endian.

use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serializer};
use serde_bytes::{ByteBuf, Bytes};

/// A value with a fixed little-endian byte form.
pub trait Packed: Sized {
    /// Bytes of one value.
    const SIZE: usize;
    /// Appends the value's bytes.
    fn put(&self, out: &mut Vec<u8>);
    /// The value of `SIZE` bytes.
    fn take(bytes: &[u8]) -> Self;
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

/// Numbers in their little-endian bytes.
macro_rules! little_endian {
    ($($number:ty),*) => {$(
        impl Packed for $number {
            const SIZE: usize = std::mem::size_of::<$number>();
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn take(bytes: &[u8]) -> Self {
                Self::from_le_bytes(array(bytes))
            }
        }
    )*};
}

little_endian!(u32, f32, u64);

impl Packed for bool {
    const SIZE: usize = 1;
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn take(bytes: &[u8]) -> Self {
        bytes[0] != 0
    }
}

/// A cell and its code, `(row, col, code)`, as three `u32` (grids are far below 2³² cells).
impl Packed for (usize, usize, u32) {
    const SIZE: usize = 12;
    fn put(&self, out: &mut Vec<u8>) {
        let index = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        index(self.0).put(out);
        index(self.1).put(out);
        self.2.put(out);
    }
    fn take(bytes: &[u8]) -> Self {
        (
            u32::take(bytes) as usize,
            u32::take(&bytes[4..]) as usize,
            u32::take(&bytes[8..]),
        )
    }
}

fn pack<T: Packed>(values: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(T::SIZE * values.len());
    for value in values {
        value.put(&mut out);
    }
    out
}

fn unpack<T: Packed, E: serde::de::Error>(bytes: &[u8]) -> Result<Vec<T>, E> {
    if !bytes.len().is_multiple_of(T::SIZE) {
        return Err(E::custom(format!(
            "{} bytes are not a whole number of {}-byte values",
            bytes.len(),
            T::SIZE
        )));
    }
    Ok(bytes.chunks_exact(T::SIZE).map(T::take).collect())
}

/// Serializes `values` as their bytes.
///
/// # Errors
///
/// Those of the serializer.
pub fn serialize<T: Packed, S: Serializer>(values: &[T], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(&pack(values))
}

/// Deserializes values from their bytes.
///
/// # Errors
///
/// When the bytes are not a whole number of values.
pub fn deserialize<'de, T: Packed, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    let bytes = ByteBuf::deserialize(deserializer)?;
    unpack(&bytes)
}

/// A list of lists of numbers, each list as its bytes.
pub mod rows {
    use super::*;

    /// Serializes each row as its bytes.
    ///
    /// # Errors
    ///
    /// Those of the serializer.
    pub fn serialize<T: Packed, S: Serializer>(
        rows: &[Vec<T>],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(rows.len()))?;
        for row in rows {
            seq.serialize_element(Bytes::new(&pack(row)))?;
        }
        seq.end()
    }

    /// Deserializes rows from their bytes.
    ///
    /// # Errors
    ///
    /// When a row is not a whole number of values.
    pub fn deserialize<'de, T: Packed, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<T>>, D::Error> {
        Vec::<ByteBuf>::deserialize(deserializer)?
            .iter()
            .map(|bytes| unpack(bytes))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Message {
        #[serde(with = "crate::packed")]
        codes: Vec<u32>,
        #[serde(with = "crate::packed")]
        bits: Vec<f32>,
        #[serde(with = "crate::packed")]
        usage: Vec<u64>,
        #[serde(with = "crate::packed")]
        mask: Vec<bool>,
        #[serde(with = "crate::packed")]
        cells: Vec<(usize, usize, u32)>,
        #[serde(with = "crate::packed::rows")]
        grids: Vec<Vec<u32>>,
    }

    #[test]
    fn numbers_round_trip_through_their_bytes() {
        let message = Message {
            codes: vec![0, 7, u32::MAX],
            bits: vec![0.5, -3.25, f32::INFINITY],
            usage: vec![u64::MAX, 1],
            mask: vec![true, false, true],
            cells: vec![(63, 0, 511), (1, 2, 3)],
            grids: vec![vec![1, 2], vec![], vec![3]],
        };
        let json = serde_json::to_string(&message).unwrap_or_else(|err| panic!("{err}"));
        let back: Message = serde_json::from_str(&json).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(back, message);
    }

    #[test]
    fn a_ragged_byte_string_is_an_error() {
        let ragged = r#"{"codes":[1,2,3],"bits":[],"usage":[],"mask":[],"cells":[],"grids":[]}"#;
        let result: Result<Message, _> = serde_json::from_str(ragged);
        assert!(result.is_err_and(|err| err.to_string().contains("not a whole number")));
    }
}
