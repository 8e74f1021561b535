//! A report as a neutral page (headings, paragraphs, tables, figures), so each kind of report is
//! laid out once and rendered twice: Markdown for repositories and diffs, HTML for reading and
//! attaching. Cell and paragraph text is plain; each renderer escapes it for its markup.

/// How a column's cells are aligned: numbers to the right so their digits line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table with a header row.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column names and alignment.
    pub columns: Vec<(String, Align)>,
    /// Rows of plain-text cells, one per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            columns: columns.iter().map(|&(c, a)| (c.to_string(), a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; `cells` has one entry per column.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    /// The table as aligned plain text, the form the CLI prints: each column as wide as its
    /// widest cell (in characters), two spaces apart, numbers right-aligned.
    pub fn to_text(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain([self.columns[i].0.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.columns.len()).map(width).collect();
        let line = |cells: &[&str]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&self.columns)
                .zip(&widths)
                .map(|((cell, (_, align)), &w)| match align {
                    Align::Left => format!("{cell:<w$}"),
                    Align::Right => format!("{cell:>w$}"),
                })
                .collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        let header: Vec<&str> = self.columns.iter().map(|(c, _)| c.as_str()).collect();
        let mut out = line(&header);
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            out.push_str(&line(&cells));
        }
        out
    }
}

/// An SVG chart with its caption; only HTML shows charts.
#[derive(Debug, Clone)]
pub(super) struct Figure {
    /// Complete `<svg>` markup.
    pub svg: String,
    /// Plain-text caption.
    pub caption: String,
}

/// One piece of a page, in reading order.
#[derive(Debug, Clone)]
pub(super) enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph of plain text.
    Paragraph(String),
    /// A table.
    Table(Table),
    /// Charts shown side by side.
    Figures(Vec<Figure>),
}

/// A whole report page.
#[derive(Debug, Clone)]
pub(super) struct Page {
    /// Page title (the top heading).
    pub title: String,
    /// Content in reading order.
    pub blocks: Vec<Block>,
}

impl Page {
    /// An empty page.
    pub fn new(title: String) -> Self {
        Page {
            title,
            blocks: Vec::new(),
        }
    }

    /// Starts a section.
    pub fn heading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Heading(text.into()));
    }

    /// Adds a paragraph.
    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(text.into()));
    }

    /// Adds a table.
    pub fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }

    /// Adds a row of charts.
    pub fn figures(&mut self, figures: Vec<Figure>) {
        self.blocks.push(Block::Figures(figures));
    }

    /// A two-column `field | value` table, the header block of every report.
    pub fn fields(&mut self, fields: Vec<(&str, String)>) {
        let mut t = Table::new(&[("field", Align::Left), ("value", Align::Left)]);
        for (k, v) in fields {
            t.row(vec![k.to_string(), v]);
        }
        self.table(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_tables_align_by_characters_and_numbers_to_the_right() {
        let mut t = Table::new(&[("label", Align::Left), ("F1", Align::Right)]);
        t.row(vec!["oppose".into(), "0.5000".into()]);
        t.row(vec!["schön".into(), "1".into()]);
        assert_eq!(
            t.to_text(),
            "label       F1\noppose  0.5000\nschön        1\n"
        );
    }
}
