//! Charts drawn in SVG on the server: no script, nothing from elsewhere, full control of
//! `role="img"` and its title, and always a table that says the same in words.

use askama::Template;

/// Width in the chart's units of a full bar.
const BAR_WIDTH: u32 = 300;
/// Height in the chart's units of one row (label above, bar below).
const ROW_HEIGHT: u32 = 36;

/// A horizontal bar chart with its table.
#[derive(Template)]
#[template(path = "partials/bar_chart.html")]
pub struct BarChart {
    /// Unique in the page, for `aria-labelledby`.
    pub id: &'static str,
    pub title: String,
    pub caption: String,
    /// Headings of the table: the row label first, then one per cell.
    pub headings: Vec<String>,
    pub rows: Vec<BarRow>,
}

pub struct BarRow {
    pub label: String,
    /// Shown at the end of the bar.
    pub value: String,
    /// The bar's share of the full width, 0.0 to 1.0.
    pub share: f64,
    /// The table's cells after the label.
    pub cells: Vec<String>,
}

impl BarChart {
    fn height(&self) -> u32 {
        u32::try_from(self.rows.len()).unwrap_or(0) * ROW_HEIGHT
    }

    fn y(&self, index: &usize) -> u32 {
        u32::try_from(*index).unwrap_or(0) * ROW_HEIGHT
    }

    fn bar_width(&self, row: &BarRow) -> u32 {
        // Clamped first, so the cast cannot truncate: 0 to BAR_WIDTH.
        (row.share.clamp(0.0, 1.0) * f64::from(BAR_WIDTH)).round() as u32
    }

    fn track_width(&self) -> u32 {
        BAR_WIDTH
    }
}
