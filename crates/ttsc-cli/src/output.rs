//! Data on standard output in four formats, streamed record by record.
//!
//! - `json`: an object for one result; for a listing, an array (pretty-printed exactly like
//!   `serde_json::to_string_pretty` of a `Vec`, but written as records arrive).
//! - `ndjson`: one compact object per line.
//! - `csv`: a header and one row per record (RFC 4180 quoting); a single object is one row
//!   whose columns are its flattened fields (`a.b`, arrays joined with `;`).
//! - `table`: fixed columns fitted to the terminal, long cells cut with `…`; a single object
//!   is printed as `field  value` lines. Listings size their columns on the first
//!   [`TABLE_SAMPLE`] rows and stream the rest, so memory stays bounded.
//!
//! JSON output is the serialization of the models' response types (field names as on the
//! wire), so it is stable across versions of ttsc for the same API description.

use std::io::{self, BufWriter, Stdout, Write};

use serde::Serialize;
use serde_json::Value;
use ttsc_client::sanitize;

use crate::cli::OutputFormat;
use crate::ui::Ui;

/// Rows a table listing reads before fixing its column widths.
pub const TABLE_SAMPLE: usize = 100;

/// The longest cell written to a terminal, in characters.
const CELL_MAX: usize = 4096;

/// The smallest width a column is squeezed to.
const MIN_COLUMN: usize = 4;

/// A serialization error as an I/O error, keeping the kind of an I/O failure underneath
/// (a closed pipe must stay recognisable).
fn json_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

/// A listed record with named columns for tables and CSV.
pub trait Record: Serialize {
    /// Column names (lower case; tables show them upper case).
    const COLUMNS: &'static [&'static str];
    /// The cells, one per column.
    fn cells(&self) -> Vec<String>;
}

/// Standard output in one format.
pub struct Output {
    w: BufWriter<Stdout>,
    format: OutputFormat,
    /// Table width limit.
    width: Option<usize>,
    ui: Ui,
}

impl Output {
    /// Standard output in `format`, tables fitted to `width`.
    pub fn new(format: OutputFormat, width: Option<usize>, ui: Ui) -> Self {
        Output {
            w: BufWriter::with_capacity(64 * 1024, io::stdout()),
            format,
            width,
            ui,
        }
    }

    /// The format.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Writes raw text (for commands whose output is text, like `ttsc sign`).
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.w.write_all(text.as_bytes())
    }

    /// Flushes standard output.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    /// Writes one result object.
    pub fn object<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        // JSON keeps the type's field order (the wire order of the models).
        match self.format {
            OutputFormat::Json => {
                let text = serde_json::to_string_pretty(value).map_err(json_error)?;
                writeln!(self.w, "{text}")
            }
            OutputFormat::Ndjson => {
                let text = serde_json::to_string(value).map_err(json_error)?;
                writeln!(self.w, "{text}")
            }
            OutputFormat::Csv => {
                let pairs = flattened(value)?;
                let header: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
                let row: Vec<String> = pairs.into_iter().map(|(_, v)| v).collect();
                write_csv_row(&mut self.w, &header)?;
                let row = self.csv_cells(row);
                write_csv_row(&mut self.w, &row)
            }
            OutputFormat::Table => {
                let pairs = flattened(value)?;
                let key_width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                for (k, val) in pairs {
                    let val = sanitize(&val, CELL_MAX);
                    let val = match self.width {
                        Some(w) => truncate(&val, w.saturating_sub(key_width + 2).max(MIN_COLUMN)),
                        None => val,
                    };
                    let line = format!("{k:<key_width$}  {val}");
                    writeln!(self.w, "{}", line.trim_end())?;
                }
                Ok(())
            }
        }
    }

    fn csv_cells(&self, cells: Vec<String>) -> Vec<String> {
        // CSV is data, written as received, unless it is going to a terminal.
        if self.ui.stdout_tty {
            cells.into_iter().map(|c| sanitize(&c, CELL_MAX)).collect()
        } else {
            cells
        }
    }

    /// Starts a listing of `R` records.
    pub fn list<R: Record>(&mut self) -> io::Result<ListWriter<'_, R>> {
        match self.format {
            OutputFormat::Csv => {
                let header: Vec<String> = R::COLUMNS.iter().map(|c| c.to_string()).collect();
                write_csv_row(&mut self.w, &header)?;
            }
            OutputFormat::Json | OutputFormat::Ndjson | OutputFormat::Table => {}
        }
        Ok(ListWriter {
            out: self,
            count: 0,
            sample: Vec::new(),
            widths: None,
            _record: std::marker::PhantomData,
        })
    }

    /// Writes a whole listing.
    pub fn records<'r, R: Record + 'r>(
        &mut self,
        items: impl IntoIterator<Item = &'r R>,
    ) -> io::Result<()> {
        let mut list = self.list::<R>()?;
        for item in items {
            list.push(item)?;
        }
        list.finish()
    }
}

/// A listing being written; call [`finish`](Self::finish) at the end.
pub struct ListWriter<'o, R> {
    out: &'o mut Output,
    count: usize,
    /// Table rows held back until the widths are known.
    sample: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    _record: std::marker::PhantomData<fn(R)>,
}

impl<R: Record> ListWriter<'_, R> {
    /// Writes one record.
    pub fn push(&mut self, record: &R) -> io::Result<()> {
        let first = self.count == 0;
        self.count += 1;
        match self.out.format {
            OutputFormat::Json => {
                let text = serde_json::to_string_pretty(record).map_err(json_error)?;
                let w = &mut self.out.w;
                w.write_all(if first { b"[\n" } else { b",\n" })?;
                for (i, line) in text.lines().enumerate() {
                    if i > 0 {
                        w.write_all(b"\n")?;
                    }
                    w.write_all(b"  ")?;
                    w.write_all(line.as_bytes())?;
                }
                Ok(())
            }
            OutputFormat::Ndjson => {
                serde_json::to_writer(&mut self.out.w, record).map_err(json_error)?;
                self.out.w.write_all(b"\n")
            }
            OutputFormat::Csv => {
                let cells = self.out.csv_cells(record.cells());
                write_csv_row(&mut self.out.w, &cells)
            }
            OutputFormat::Table => {
                let cells: Vec<String> = record
                    .cells()
                    .into_iter()
                    .map(|c| sanitize(&c, CELL_MAX))
                    .collect();
                match &self.widths {
                    Some(widths) => write_table_row(&mut self.out.w, widths, &cells),
                    None => {
                        self.sample.push(cells);
                        if self.sample.len() >= TABLE_SAMPLE {
                            self.flush_sample()?;
                        }
                        Ok(())
                    }
                }
            }
        }
    }

    fn flush_sample(&mut self) -> io::Result<()> {
        let widths = fit_widths(R::COLUMNS, &self.sample, self.out.width);
        let header: Vec<String> = R::COLUMNS.iter().map(|c| c.to_uppercase()).collect();
        let mut line = Vec::new();
        write_table_row(&mut line, &widths, &header)?;
        let line = String::from_utf8_lossy(&line);
        let header = self.out.ui.bold_out(line.trim_end_matches('\n'));
        writeln!(self.out.w, "{header}")?;
        for row in std::mem::take(&mut self.sample) {
            write_table_row(&mut self.out.w, &widths, &row)?;
        }
        self.widths = Some(widths);
        Ok(())
    }

    /// Sends what was written so far to standard output (a table's first rows stay held
    /// until its widths are known).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.w.flush()
    }

    /// Ends the listing (closes the JSON array, prints a short table).
    pub fn finish(mut self) -> io::Result<()> {
        match self.out.format {
            OutputFormat::Json => {
                if self.count == 0 {
                    self.out.w.write_all(b"[]\n")
                } else {
                    self.out.w.write_all(b"\n]\n")
                }
            }
            OutputFormat::Table => {
                if self.widths.is_none() && self.count > 0 {
                    self.flush_sample()?;
                }
                Ok(())
            }
            OutputFormat::Ndjson | OutputFormat::Csv => Ok(()),
        }
    }
}

/// Column widths: the widest cell of the sample (or the header), shrunk, widest first and
/// the first column last, until the row fits `limit`.
pub fn fit_widths(columns: &[&str], rows: &[Vec<String>], limit: Option<usize>) -> Vec<usize> {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    if let Some(limit) = limit {
        let gaps = 2 * columns.len().saturating_sub(1);
        loop {
            let total: usize = widths.iter().sum::<usize>() + gaps;
            if total <= limit {
                break;
            }
            // The first column (the record's id) is cut last.
            let Some((i, widest)) = widths
                .iter()
                .copied()
                .enumerate()
                .max_by_key(|&(i, w)| (i > 0 && w > MIN_COLUMN, w, usize::MAX - i))
            else {
                break;
            };
            if widest <= MIN_COLUMN {
                break;
            }
            widths[i] = widest - 1;
        }
    }
    widths
}

/// Cuts `text` to `width` characters, ending with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn write_table_row(w: &mut impl Write, widths: &[usize], cells: &[String]) -> io::Result<()> {
    let mut line = String::new();
    let last = widths.len().saturating_sub(1);
    for (i, (width, cell)) in widths.iter().zip(cells).enumerate() {
        let cell = truncate(cell, *width);
        if i == last {
            line.push_str(&cell);
        } else {
            line.push_str(&cell);
            for _ in cell.chars().count()..*width {
                line.push(' ');
            }
            line.push_str("  ");
        }
    }
    writeln!(w, "{}", line.trim_end())
}

/// One CSV row with RFC 4180 quoting.
pub fn write_csv_row(w: &mut impl Write, cells: &[String]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push_str("\r\n");
    w.write_all(line.as_bytes())
}

/// `value` flattened into `(dotted.key, text)` pairs, in field order.
fn flattened<T: Serialize>(value: &T) -> io::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    // `preserve_order` keeps the type's field order (the wire order of the models).
    flatten(
        "",
        &serde_json::to_value(value).map_err(json_error)?,
        &mut pairs,
    );
    Ok(pairs)
}

/// Flattens a JSON value into `(dotted.key, text)` pairs: nested objects get dotted keys,
/// arrays of scalars are joined with `;`, other arrays are written as JSON.
pub fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(entries) => {
            for (k, v) in entries {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_string(), cell(other))),
    }
}

/// A JSON value as one cell.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items)
            if items
                .iter()
                .all(|i| !matches!(i, Value::Object(_) | Value::Array(_))) =>
        {
            items.iter().map(cell).collect::<Vec<_>>().join(";")
        }
        other => other.to_string(),
    }
}

/// An optional value as a cell.
pub fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_shrink_the_widest_column_first() {
        let rows = vec![vec!["a".repeat(30), "b".repeat(10)]];
        assert_eq!(fit_widths(&["x", "y"], &rows, None), [30, 10]);
        assert_eq!(fit_widths(&["x", "y"], &rows, Some(32)), [26, 4]);
        assert_eq!(
            fit_widths(
                &["x", "y", "z"],
                &[vec!["a".repeat(30), "b".repeat(10), "c".repeat(10)]],
                Some(30)
            ),
            [18, 4, 4]
        );
        assert_eq!(fit_widths(&["x", "y"], &rows, Some(5)), [4, 4]);
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut out = Vec::new();
        write_csv_row(
            &mut out,
            &["a".into(), "b,c".into(), "say \"hi\"".into(), "x\ny".into()],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
    }

    #[test]
    fn objects_flatten_with_dotted_keys_in_field_order() {
        let v: Value =
            serde_json::from_str(r#"{"z": 1, "b": {"c": "x"}, "d": ["p", "q"], "e": null, "f": [{"k": 1.0, "a": true}]}"#)
                .unwrap();
        let mut out = Vec::new();
        flatten("", &v, &mut out);
        assert_eq!(
            out,
            vec![
                ("z".into(), "1".into()),
                ("b.c".into(), "x".into()),
                ("d".into(), "p;q".into()),
                ("e".into(), "".into()),
                ("f".into(), r#"[{"k":1.0,"a":true}]"#.into()),
            ]
        );
    }
}
