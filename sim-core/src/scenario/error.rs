//! Scenario errors that point at the place in the file.

use std::fmt;

/// Where a value came from: a line and column of a file, or a `--set`
/// override on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub origin: String,
    pub line: usize,
    pub col: usize,
}

impl Location {
    /// The line and column (both from 1) of byte `offset` in `text`.
    pub fn at(origin: &str, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        Location {
            origin: origin.to_string(),
            line,
            col,
        }
    }
}

/// A scenario that cannot be run: what is wrong, where, and what was
/// expected. Displays as `FILE:LINE:COL: what is wrong (what was expected)`,
/// or `FILE: what is wrong (what was expected)` where the file has no lines
/// to point at (line 0: a binary GIS layer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub location: Location,
    pub message: String,
    pub expected: String,
}

impl ScenarioError {
    pub fn new(
        location: Location,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        ScenarioError {
            location,
            message: message.into(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.location;
        if l.line == 0 {
            return write!(f, "{}: {} ({})", l.origin, self.message, self.expected);
        }
        write!(
            f,
            "{}:{}:{}: {} ({})",
            l.origin, l.line, l.col, self.message, self.expected
        )
    }
}

impl std::error::Error for ScenarioError {}
