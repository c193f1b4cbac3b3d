//! What a chunk of steps reports: the sums of its steps' figures, made means (the message
//! stays small however many steps the chunk ran).

use vq_model::train::StepReport;

use crate::protocol::StepMeans;

/// The sums of a chunk's step reports.
#[derive(Debug, Clone, Default)]
pub struct ChunkSums {
    /// Steps added.
    pub steps: usize,
    /// Images of those steps.
    pub images: usize,
    /// Codes revived in those steps.
    pub revived: usize,
    reconstruction: f64,
    codebook: f64,
    commitment: f64,
    total: f64,
    perplexity: f64,
    codes_used: f64,
    /// The last step's report.
    pub last: Option<StepReport>,
}

impl ChunkSums {
    /// Adds a step's report.
    pub fn add(&mut self, report: &StepReport) {
        self.steps += 1;
        self.images += report.images;
        self.revived += report.revived;
        self.reconstruction += f64::from(report.reconstruction);
        self.codebook += f64::from(report.codebook);
        self.commitment += f64::from(report.commitment);
        self.total += f64::from(report.total);
        self.perplexity += report.perplexity;
        self.codes_used += report.codes_used as f64;
        self.last = Some(*report);
    }

    /// The means over the steps added (zeros for none).
    pub fn means(&self) -> StepMeans {
        let n = self.steps.max(1) as f64;
        StepMeans {
            reconstruction: (self.reconstruction / n) as f32,
            codebook: (self.codebook / n) as f32,
            commitment: (self.commitment / n) as f32,
            total: (self.total / n) as f32,
            perplexity: self.perplexity / n,
            codes_used: self.codes_used / n,
        }
    }

    /// The last step's figures (zeros for none).
    pub fn last_figures(&self) -> StepMeans {
        let mut last = Self::default();
        if let Some(report) = &self.last {
            last.add(report);
        }
        last.means()
    }
}
