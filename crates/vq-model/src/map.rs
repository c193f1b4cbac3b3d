//! A map of the codebook: its `K` vectors of `D` numbers drawn in 2-D along their two
//! principal components (PCA), so that codes near each other in the map are near in `D`
//! dimensions as far as two directions can show it, and the encoder's vectors `z_e` of an
//! image can be drawn on the same axes.
//!
//! The axes are the two leading eigenvectors of the codebook's covariance, found by power
//! iteration with deflation: `D` is at most a few hundred, so a `D × D` matrix and a few hundred
//! matrix-vector products are all it takes, on the host. Each axis is oriented so that its
//! largest component is positive, so the same codebook always gives the same map.

/// Two principal axes of a set of vectors, and how much of their variance each explains.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca2 {
    /// The mean vector (`D` numbers), the map's origin.
    mean: Vec<f32>,
    /// The two unit axes, `D` numbers each.
    axes: [Vec<f64>; 2],
    /// The variance along each axis.
    pub variance: [f64; 2],
    /// The total variance (the trace of the covariance): the share of an axis is
    /// `variance / total_variance`.
    pub total_variance: f64,
}

/// Power-iteration steps at most per axis, and the change of the Rayleigh quotient, relative,
/// below which an axis is taken as found.
const MAX_STEPS: usize = 500;
const TOLERANCE: f64 = 1e-10;

impl Pca2 {
    /// The principal axes of the rows of `rows` (`n × dim`, row-major).
    ///
    /// # Panics
    ///
    /// When `dim` is 0 or does not divide the length of `rows`.
    pub fn fit(rows: &[f32], dim: usize) -> Self {
        assert!(dim > 0 && rows.len().is_multiple_of(dim), "rows of {dim}");
        let n = rows.len() / dim;
        let mut mean = vec![0.0f64; dim];
        for row in rows.chunks_exact(dim) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
        // The covariance, D × D (divided by n, as the variance of the map's points).
        let mut covariance = vec![0.0f64; dim * dim];
        for row in rows.chunks_exact(dim) {
            let centred: Vec<f64> = row
                .iter()
                .zip(&mean)
                .map(|(&v, m)| f64::from(v) - m)
                .collect();
            for i in 0..dim {
                for j in i..dim {
                    covariance[i * dim + j] += centred[i] * centred[j];
                }
            }
        }
        for i in 0..dim {
            for j in i..dim {
                let c = covariance[i * dim + j] / n.max(1) as f64;
                covariance[i * dim + j] = c;
                covariance[j * dim + i] = c;
            }
        }
        let total_variance = (0..dim).map(|i| covariance[i * dim + i]).sum();
        let (first, first_variance) = leading_axis(&covariance, dim, None);
        let (second, second_variance) = leading_axis(&covariance, dim, Some(&first));
        Self {
            mean: mean.iter().map(|&m| m as f32).collect(),
            axes: [first, second],
            variance: [first_variance, second_variance],
            total_variance,
        }
    }

    /// `D`.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Axis `i` (0 or 1) as a unit vector.
    pub fn axis(&self, i: usize) -> &[f64] {
        &self.axes[i]
    }

    /// The share of the total variance the two axes show together (0 to 1).
    pub fn explained(&self) -> f64 {
        if self.total_variance > 0.0 {
            (self.variance[0] + self.variance[1]) / self.total_variance
        } else {
            0.0
        }
    }

    /// `v`'s coordinates on the map: its offset from the mean along each axis.
    pub fn project(&self, v: &[f32]) -> [f32; 2] {
        self.axes.each_ref().map(|axis| {
            v.iter()
                .zip(&self.mean)
                .zip(axis)
                .map(|((&v, &m), &a)| f64::from(v - m) * a)
                .sum::<f64>() as f32
        })
    }

    /// The coordinates of every row of `rows` (`n × D`).
    pub fn project_rows(&self, rows: &[f32]) -> Vec<[f32; 2]> {
        rows.chunks_exact(self.dim())
            .map(|row| self.project(row))
            .collect()
    }

    /// The coordinates of every cell of planar vectors `[D, cells]` (the encoder's `z_e` of
    /// one image).
    pub fn project_planes(&self, planes: &[f32]) -> Vec<[f32; 2]> {
        let dim = self.dim();
        let cells = planes.len() / dim.max(1);
        (0..cells)
            .map(|cell| {
                let v: Vec<f32> = (0..dim).map(|d| planes[d * cells + cell]).collect();
                self.project(&v)
            })
            .collect()
    }
}

/// The leading unit eigenvector of symmetric `matrix` (`dim × dim`), orthogonal to `deflate` if
/// given, and its eigenvalue.
fn leading_axis(matrix: &[f64], dim: usize, deflate: Option<&[f64]>) -> (Vec<f64>, f64) {
    let remove = |v: &mut Vec<f64>| {
        if let Some(u) = deflate {
            let along: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(u).for_each(|(a, b)| *a -= along * b);
        }
    };
    // A fixed start with every component non-zero, so no axis is missed by symmetry.
    let mut v: Vec<f64> = (0..dim)
        .map(|i| 1.0 + 0.5 * ((i * 7919) % 13) as f64 / 13.0)
        .collect();
    remove(&mut v);
    if !normalise(&mut v) {
        return (vec![0.0; dim], 0.0);
    }
    let mut value = 0.0f64;
    for _ in 0..MAX_STEPS {
        let mut next: Vec<f64> = (0..dim)
            .map(|i| (0..dim).map(|j| matrix[i * dim + j] * v[j]).sum())
            .collect();
        remove(&mut next);
        let rayleigh: f64 = next.iter().zip(&v).map(|(a, b)| a * b).sum();
        if !normalise(&mut next) {
            return (v, 0.0);
        }
        let settled = (rayleigh - value).abs() <= TOLERANCE * rayleigh.abs().max(f64::MIN_POSITIVE);
        v = next;
        value = rayleigh;
        if settled {
            break;
        }
    }
    // Orient: the largest component positive.
    let largest = v.iter().copied().fold(
        0.0f64,
        |best, x| if x.abs() > best.abs() { x } else { best },
    );
    if largest < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    (v, value.max(0.0))
}

/// Scales `v` to unit length; false when it is (numerically) zero.
fn normalise(v: &mut [f64]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm <= 1e-300 {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// Points `mean + a·u + b·w` on a grid of `a` (spread 3) and `b` (spread 1) values, along
    /// known orthogonal unit directions `u` and `w` in 5-D: the map's axes are `u` and `w`, in
    /// that order, with the grid's variances.
    #[test]
    fn the_axes_of_a_known_set_are_found() {
        let s = 0.5f64.sqrt();
        let u = [s, s, 0.0, 0.0, 0.0];
        let w = [0.0, 0.0, 0.6, 0.8, 0.0];
        let mean = [1.0, -2.0, 0.5, 3.0, 0.25];
        // Symmetric values: every a meets every b, so a and b are exactly uncorrelated.
        let values = |spread: f64| -> Vec<f64> {
            (0..10).map(|i| spread * (i as f64 - 4.5) / 4.5).collect()
        };
        let (a_values, b_values) = (values(3.0), values(1.0));
        let variance = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64;
        let (sum_a2, sum_b2, n) = (variance(&a_values), variance(&b_values), 1.0);
        let mut rows = Vec::new();
        for &a in &a_values {
            for &b in &b_values {
                for d in 0..5 {
                    rows.push((mean[d] + a * u[d] + b * w[d]) as f32);
                }
            }
        }
        let pca = Pca2::fit(&rows, 5);
        let cosine = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>().abs();
        assert!(cosine(pca.axis(0), &u) > 1.0 - 1e-6, "{:?}", pca.axis(0));
        assert!(cosine(pca.axis(1), &w) > 1.0 - 1e-6, "{:?}", pca.axis(1));
        assert!(
            (pca.variance[0] - sum_a2 / n).abs() < 1e-4 * sum_a2,
            "{:?}",
            pca.variance
        );
        assert!(
            (pca.variance[1] - sum_b2 / n).abs() < 1e-4 * sum_b2,
            "{:?}",
            pca.variance
        );
        assert!((pca.explained() - 1.0).abs() < 1e-6, "{}", pca.explained());
        // The mean maps to the origin; mean + u maps to (±1, 0).
        let origin = pca.project(&mean.map(|m| m as f32));
        assert!(
            origin[0].abs() < 1e-4 && origin[1].abs() < 1e-4,
            "{origin:?}"
        );
        let along: Vec<f32> = (0..5).map(|d| (mean[d] + u[d]) as f32).collect();
        let [x, y] = pca.project(&along);
        assert!((x.abs() - 1.0).abs() < 1e-4 && y.abs() < 1e-4, "{x} {y}");
        // Axes are oriented: the largest component of each is positive.
        for i in 0..2 {
            let largest = pca
                .axis(i)
                .iter()
                .copied()
                .fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
            assert!(largest > 0.0);
        }
    }

    #[test]
    fn planar_cells_project_as_their_rows() {
        let mut rng = SplitMix64::new(9);
        let rows: Vec<f32> = (0..40 * 4).map(|_| rng.next_f64() as f32).collect();
        let pca = Pca2::fit(&rows, 4);
        // Three cells as planes [D, cells].
        let cells: Vec<&[f32]> = rows.chunks_exact(4).take(3).collect();
        let planes: Vec<f32> = (0..4)
            .flat_map(|d| cells.iter().map(move |c| c[d]))
            .collect();
        assert_eq!(pca.project_planes(&planes), pca.project_rows(&rows[..12]));
    }

    #[test]
    fn identical_points_give_a_map_of_one_point() {
        let rows = [0.5f32, 1.0, 0.5, 1.0, 0.5, 1.0];
        let pca = Pca2::fit(&rows, 2);
        assert_eq!(pca.project(&[0.5, 1.0]), [0.0, 0.0]);
        assert_eq!(pca.explained(), 0.0);
    }
}
