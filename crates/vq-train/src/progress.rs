//! A progress bar with the live metrics of a run.

use indicatif::{ProgressBar, ProgressStyle};

/// Progress of `total` steps.
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar starting at `done` of `total`.
    pub fn new(total: usize, done: usize, name: &str) -> Self {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{name} {{bar:30}} {{pos}}/{{len}} [{{elapsed_precise}}<{{eta_precise}}] {{msg}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_position(done as u64);
        Self(bar)
    }

    /// Moves to `step` and shows `message`; every 50 steps also prints a line (for logs).
    pub fn update(&self, step: usize, message: &str) {
        self.0.set_position(step as u64);
        self.0.set_message(message.to_string());
        if step.is_multiple_of(50) && self.0.is_hidden() {
            eprintln!("step {step}/{}: {message}", self.0.length().unwrap_or(0));
        }
    }

    /// Ends the bar.
    pub fn finish(&self) {
        self.0.finish();
    }
}
