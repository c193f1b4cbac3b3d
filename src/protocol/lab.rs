//! The lab: an encoded image, the cells an edit sets and the pixels it changes.

use serde::{Deserialize, Serialize};

/// How many of the nearest codes of each cell an [`Encoding`] lists.
pub const NEAREST: usize = 5;

/// A cell's code to set, `(row, col, code)`.
pub type CellCode = (usize, usize, u32);

/// An encoded image: what the views show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// Where the image came from (a file name or an example's name).
    pub source: String,
    /// Size of the decoded file, before resizing.
    pub source_size: (u32, u32),
    /// Pixel width of the model's input (and of the reconstruction).
    pub width: usize,
    /// Pixel height.
    pub height: usize,
    /// Cells per row of the code grid.
    pub grid_width: usize,
    /// Rows of the code grid.
    pub grid_height: usize,
    /// The code of each cell, row-major.
    #[serde(with = "crate::packed")]
    pub codes: Vec<u32>,
    /// The [`NEAREST`] nearest codes of each cell's `z_e`, nearest first, cell after cell
    /// (empty for a grid that was not encoded). The first is the cell's code; the distance and
    /// the margin of [`Encoding::distance`] and [`Encoding::margin`] come from these.
    #[serde(with = "crate::packed")]
    pub nearest: Vec<u32>,
    /// Their squared distances, in the same order.
    #[serde(with = "crate::packed")]
    pub nearest_distance: Vec<f32>,
    /// RGBA of the model's input (after resizing and inversion).
    #[serde(with = "serde_bytes")]
    pub original: Vec<u8>,
    /// RGBA of the reconstruction (full decode).
    #[serde(with = "serde_bytes")]
    pub reconstruction: Vec<u8>,
    /// Whether the grey levels were inverted.
    pub inverted: bool,
    /// Why (or why not), one sentence.
    pub invert_reason: String,
    /// Wall time of decode, encode, quantize, decode and read back, in milliseconds.
    pub millis: f64,
}

impl Encoding {
    /// The nearest codes of cell `index` (row-major) and their squared distances, nearest
    /// first; `None` for a grid that was not encoded.
    pub fn nearest_of(&self, index: usize) -> Option<(&[u32], &[f32])> {
        let k = self.nearest.len() / self.codes.len().max(1);
        let range = k * index..k * (index + 1);
        let codes = self.nearest.get(range.clone())?;
        (!codes.is_empty()).then_some((codes, self.nearest_distance.get(range)?))
    }

    /// Squared distance from cell `index`'s `z_e` to its code.
    pub fn distance(&self, index: usize) -> Option<f32> {
        self.nearest_of(index).map(|(_, d)| d[0])
    }

    /// Squared distance to cell `index`'s second-nearest code minus the nearest (0: a tie).
    pub fn margin(&self, index: usize) -> Option<f32> {
        self.nearest_of(index)
            .and_then(|(_, d)| Some(d.get(1)? - d[0]))
    }
}

/// Pixels of the reconstruction that an edit changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchPixels {
    /// First pixel row in the full image.
    pub top: usize,
    /// First pixel column.
    pub left: usize,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// RGBA, row-major, `4 × width × height` bytes.
    #[serde(with = "serde_bytes")]
    pub rgba: Vec<u8>,
}

/// Inside one cell ([`crate::protocol::ToEngine::Inside`]): the encoder's vector and its
/// distance to every code of the codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellInside {
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The encoder's output `z_e` at the cell (`D` numbers); empty for a grid that was not
    /// encoded from an image (a sample, a shared or restored grid).
    #[serde(with = "crate::packed")]
    pub z_e: Vec<f32>,
    /// `‖z_e − e_k‖²` for every code `k`, indexed by code (without `z_e`: from the vector of
    /// the cell's code).
    #[serde(with = "crate::packed")]
    pub distances: Vec<f32>,
    /// The code the quantizer chose: the nearest.
    pub nearest: u32,
}

/// A cell's `z_e` moved a fraction `t` of the way toward a code
/// ([`crate::protocol::ToEngine::Move`]), quantised and decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovedCell {
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The code it moves toward.
    pub toward: u32,
    /// How far: 0 is `z_e`, 1 the code's vector.
    pub t: f32,
    /// The code the moved vector quantises to.
    pub code: u32,
    /// The moved vector's squared distance to the encoder's code (the nearest to `z_e`).
    pub distance_nearest: f32,
    /// Its squared distance to `toward`.
    pub distance_toward: f32,
    /// Where along the line the two distances are equal: the boundary between the two codes'
    /// Voronoi cells, where the choice switches (unless a third code is nearer there).
    pub boundary: Option<f32>,
    /// The window around the cell decoded with `code` there, the rest of the grid as it is.
    pub patch: PatchPixels,
}

/// The three terms of the VQ-VAE's loss, each a mean over its elements
/// (`vq_model::loss_terms::LossTerms`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    /// `‖x − x̂‖²`: trains the encoder and the decoder.
    pub reconstruction: f64,
    /// `‖sg[z_e] − e‖²`: trains the codebook.
    pub codebook: f64,
    /// `β‖z_e − sg[e]‖²`: trains the encoder.
    pub commitment: f64,
}

/// The loss terms of the current image ([`crate::protocol::ToEngine::Losses`]): with the
/// codes it has now, and as the encoder chose them, so that the page shows what the user's
/// edits cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossReport {
    /// With the grid as it is now.
    pub now: Terms,
    /// With every cell at the code the encoder chose (the nearest), as the trainer saw it.
    pub encoded: Terms,
    /// β.
    pub beta: f64,
    /// Cells of the grid.
    pub cells: usize,
    /// Cells whose code is not the one the encoder chose.
    pub changed_cells: usize,
    /// Wall time, in milliseconds.
    pub millis: f64,
}

/// The codebook drawn in 2-D along its two principal components
/// ([`crate::protocol::ToEngine::Map`]), and the current image's cells on the same axes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodebookMap {
    /// `x, y` of every code, by code (`2K` numbers).
    #[serde(with = "crate::packed")]
    pub codes: Vec<f32>,
    /// `x, y` of every cell's `z_e`, row-major (`2 × cells` numbers); empty for a grid that
    /// was not encoded from an image.
    #[serde(with = "crate::packed")]
    pub cells: Vec<f32>,
    /// The codebook's vectors, `K × D` row-major: code-to-code distances on the page.
    #[serde(with = "crate::packed")]
    pub vectors: Vec<f32>,
    /// `D`.
    pub dim: usize,
    /// The share of the codebook's variance along each axis (0 to 1).
    pub explained: [f64; 2],
}

/// What a code means ([`crate::protocol::ToEngine::CodePatches`]): patches of real pictures
/// (the model's examples and its held-out sample) whose cell quantises to the code, the most
/// typical first (smallest distance from the encoder's output to the code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodePatches {
    /// The code.
    pub code: u32,
    /// The side of each patch in pixels: the cell and one cell around it (pixels outside the
    /// picture grey), the cell in the middle.
    pub side: usize,
    /// RGBA of each patch, one after the other (`4 × side × side` bytes each).
    #[serde(with = "serde_bytes")]
    pub rgba: Vec<u8>,
    /// Each patch's picture.
    pub sources: Vec<String>,
    /// Each patch's cell in its picture, `(row, col)`.
    pub places: Vec<(usize, usize)>,
    /// Each patch's squared distance from the encoder's output to the code.
    #[serde(with = "crate::packed")]
    pub distances: Vec<f32>,
    /// Cells of the pictures with this code, in all (the patches are the first of them).
    pub count: usize,
    /// Cells of the pictures in all.
    pub cells: usize,
    /// Pictures searched.
    pub pictures: usize,
    /// Where the pictures come from.
    pub note: String,
    /// Wall time, in milliseconds (the first request of a model encodes the pictures).
    pub millis: f64,
}
