//! Inside one cell: the encoder's output `z_e` of a cell of the current image against every
//! code ([`ToEngine::Inside`](crate::protocol::ToEngine::Inside)), and `z_e` moved toward
//! another code, quantised and decoded ([`ToEngine::Move`](crate::protocol::ToEngine::Move)).
//! The vectors are small: `z_e` is the session's host copy ([`crate::engine::held`]), the
//! distances computed on the host ([`vq_model::inside`]).

use std::rc::Rc;

use vq_model::inside::{HostCodebook, nearest_of};
use vq_model::sampler::Grid;

use super::Session;
use crate::engine::source::ModelSource;
use crate::engine::{EngineError, autoencoder};
use crate::protocol::{CellInside, MovedCell};

impl<S: ModelSource> Session<S> {
    pub(super) fn host_codebook(&self) -> Result<Rc<HostCodebook>, EngineError> {
        self.host_codebook
            .borrow()
            .clone()
            .ok_or(EngineError::NoModel)
    }

    /// The encoder's output at `(row, col)` of the current image (`D` numbers), or `None` for
    /// a grid that was not encoded; and the cell's code in `grid`. Checks the cell.
    fn cell_vector(
        &self,
        grid: &Grid,
        row: usize,
        col: usize,
    ) -> Result<(Option<Vec<f32>>, u32), EngineError> {
        vq_codes::check_cells(&[(row, col, 0)], grid.width, grid.height, usize::MAX)?;
        let index = row * grid.width + col;
        let z_e = self.held.borrow().as_ref().map(|held| held.cell_z_e(index));
        Ok((z_e, grid.codes[index]))
    }

    /// `z_e` of `(row, col)` and its squared distance to every code.
    pub(super) async fn inside(&self, row: usize, col: usize) -> Result<CellInside, EngineError> {
        let codebook = self.host_codebook()?;
        let grid = self.current_grid()?;
        let (z_e, code) = self.cell_vector(&grid, row, col)?;
        let z = z_e
            .clone()
            .unwrap_or_else(|| codebook.vector(code).to_vec());
        let distances = codebook.distances(&z);
        let (nearest, _) = nearest_of(&distances);
        Ok(CellInside {
            row,
            col,
            z_e: z_e.unwrap_or_default(),
            distances,
            nearest,
        })
    }

    /// `z_e` of `(row, col)` moved a fraction `t` toward code `toward`, quantised, and the
    /// window around the cell decoded with that code (the grid is not changed).
    pub(super) async fn moved(
        &self,
        row: usize,
        col: usize,
        toward: u32,
        t: f32,
    ) -> Result<MovedCell, EngineError> {
        if !(0.0..=1.0).contains(&t) {
            return Err(EngineError::MoveOutOfRange(t));
        }
        let codebook = self.host_codebook()?;
        vq_codes::check_codes([toward], codebook.len())?;
        let device = self.device()?;
        let model = self.model()?;
        // The grid as of this request's turn, before any await.
        let grid = self.current_grid()?;
        let (z_e, _) = self.cell_vector(&grid, row, col)?;
        let z_e = z_e.ok_or(EngineError::NotEncoded)?;
        let (nearest, _) = codebook.nearest(&z_e);
        let moved = codebook.toward(&z_e, toward, t);
        let distances = codebook.distances(&moved);
        let (code, _) = nearest_of(&distances);
        let decoded =
            autoencoder::decode_window_with(&model, &grid, (row, col), &[code], &device).await?;
        Ok(MovedCell {
            row,
            col,
            toward,
            t,
            code,
            distance_nearest: distances[nearest as usize],
            distance_toward: distances[toward as usize],
            boundary: codebook.boundary(&z_e, nearest, toward),
            patch: decoded.patch(0),
        })
    }
}
