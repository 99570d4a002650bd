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
use ttsc_client::text::sanitize;

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
    /// The columns `--columns` asks for (lower case), in order.
    columns: Option<Vec<String>>,
    ui: Ui,
}

impl Output {
    /// Standard output in `format`, tables fitted to `width`, listings limited to
    /// `columns` when given.
    pub fn new(
        format: OutputFormat,
        width: Option<usize>,
        columns: Option<Vec<String>>,
        ui: Ui,
    ) -> Self {
        Output {
            w: BufWriter::with_capacity(64 * 1024, io::stdout()),
            format,
            width,
            columns,
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
        let selected = select_columns(R::COLUMNS, self.columns.as_deref())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        if self.format == OutputFormat::Csv {
            let header: Vec<String> = selected
                .iter()
                .map(|&i| R::COLUMNS[i].to_string())
                .collect();
            write_csv_row(&mut self.w, &header)?;
        }
        Ok(ListWriter {
            explicit: self.columns.is_some(),
            out: self,
            count: 0,
            selected,
            sample: Vec::new(),
            layout: None,
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
    /// The columns shown, as indices into `R::COLUMNS`.
    selected: Vec<usize>,
    /// Whether `--columns` chose them (then none is dropped).
    explicit: bool,
    /// Table rows held back until the layout is known.
    sample: Vec<Vec<String>>,
    layout: Option<Layout>,
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
                let cells = self.out.csv_cells(pick(&record.cells(), &self.selected));
                write_csv_row(&mut self.out.w, &cells)
            }
            OutputFormat::Table => {
                let cells: Vec<String> = pick(&record.cells(), &self.selected)
                    .into_iter()
                    .map(|c| sanitize(&c, CELL_MAX))
                    .collect();
                match &self.layout {
                    Some(layout) => layout.write_row(&mut self.out.w, &cells),
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
        let names: Vec<&str> = self.selected.iter().map(|&i| R::COLUMNS[i]).collect();
        let layout = Layout::fit(&names, &self.sample, self.out.width, !self.explicit);
        let header: Vec<String> = names.iter().map(|c| c.to_uppercase()).collect();
        let mut line = Vec::new();
        layout.write_row(&mut line, &header)?;
        let line = String::from_utf8_lossy(&line);
        let header = self.out.ui.bold_out(line.trim_end_matches('\n'));
        writeln!(self.out.w, "{header}")?;
        for row in std::mem::take(&mut self.sample) {
            layout.write_row(&mut self.out.w, &row)?;
        }
        self.layout = Some(layout);
        Ok(())
    }

    /// Sends what was written so far to standard output (a table's first rows stay held
    /// until its widths are known).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.w.flush()
    }

    /// Ends the listing (closes the JSON array, prints a short table; an empty table is
    /// its header).
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
                if self.layout.is_none() {
                    self.flush_sample()?;
                }
                Ok(())
            }
            OutputFormat::Ndjson | OutputFormat::Csv => Ok(()),
        }
    }
}

/// The columns `wanted` names (case-insensitive), as indices into `columns`; all of them
/// when nothing is asked for. An unknown name is an error listing the valid ones.
pub fn select_columns(columns: &[&str], wanted: Option<&[String]>) -> Result<Vec<usize>, String> {
    let Some(wanted) = wanted else {
        return Ok((0..columns.len()).collect());
    };
    wanted
        .iter()
        .map(|w| {
            columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(w))
                .ok_or_else(|| {
                    format!(
                        "invalid value {w:?} for --columns (this listing has: {})",
                        columns.join(", ")
                    )
                })
        })
        .collect()
}

/// The cells at `selected`, in that order.
fn pick(cells: &[String], selected: &[usize]) -> Vec<String> {
    selected
        .iter()
        .map(|&i| cells.get(i).cloned().unwrap_or_default())
        .collect()
}

/// An id column (`id`, `job_id`, …) is never cut: a cut id cannot be copied.
fn is_id_column(name: &str) -> bool {
    name == "id" || name.ends_with("_id")
}

/// Which columns a table shows and how wide each is.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    /// `(column index, width)` of each shown column, in order.
    shown: Vec<(usize, usize)>,
}

impl Layout {
    /// Fits `columns` to `limit`: columns empty in the sample take no space (when
    /// `may_drop`), then the widest column that is not an id shrinks down to the width of
    /// its heading, then columns are dropped from the right. Ids are never cut, and the
    /// first column (the record's own id) is never dropped, even if the row then overflows.
    pub fn fit(
        columns: &[&str],
        rows: &[Vec<String>],
        limit: Option<usize>,
        may_drop: bool,
    ) -> Self {
        // The widest cell of each column in the sample.
        let natural: Vec<usize> = (0..columns.len())
            .map(|i| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut shown: Vec<(usize, usize)> = (0..columns.len())
            .filter(|&i| !(may_drop && !rows.is_empty() && natural[i] == 0))
            .map(|i| (i, natural[i].max(columns[i].chars().count())))
            .collect();
        let Some(limit) = limit else {
            return Layout { shown };
        };
        // A column is cut no narrower than its heading (and [`MIN_COLUMN`]): a cut heading
        // helps nobody, so such a column is dropped instead.
        let floor = |i: usize| columns[i].chars().count().max(MIN_COLUMN);
        let total = |shown: &[(usize, usize)]| {
            shown.iter().map(|(_, w)| w).sum::<usize>() + 2 * shown.len().saturating_sub(1)
        };
        while total(&shown) > limit {
            let widest = shown
                .iter()
                .enumerate()
                .filter(|(_, (i, w))| !is_id_column(columns[*i]) && *w > floor(*i))
                .max_by_key(|(pos, (_, w))| (*w, usize::MAX - pos))
                .map(|(pos, _)| pos);
            if let Some(pos) = widest {
                shown[pos].1 -= 1;
                continue;
            }
            // Other columns go first, rightmost first; then ids other than the first
            // column's (an asset id beside the job id), which are dropped, never cut.
            let droppable = shown
                .iter()
                .rposition(|(i, _)| may_drop && !is_id_column(columns[*i]))
                .or_else(|| shown.iter().rposition(|(i, _)| may_drop && *i != 0));
            match droppable {
                Some(pos) => {
                    shown.remove(pos);
                }
                None => break,
            }
        }
        Layout { shown }
    }

    /// Writes `cells` (one per column of the listing) in this layout.
    fn write_row(&self, w: &mut impl Write, cells: &[String]) -> io::Result<()> {
        let mut line = String::new();
        let last = self.shown.len().saturating_sub(1);
        for (n, &(i, width)) in self.shown.iter().enumerate() {
            let cell = truncate(cells.get(i).map_or("", String::as_str), width);
            line.push_str(&cell);
            if n != last {
                for _ in cell.chars().count()..width {
                    line.push(' ');
                }
                line.push_str("  ");
            }
        }
        writeln!(w, "{}", line.trim_end())
    }
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

    fn widths(columns: &[&str], rows: &[Vec<String>], limit: Option<usize>) -> Vec<(usize, usize)> {
        Layout::fit(columns, rows, limit, true).shown
    }

    #[test]
    fn the_widest_column_shrinks_first_and_ids_stay_whole() {
        let rows = vec![vec!["a".repeat(30), "b".repeat(10)]];
        assert_eq!(widths(&["x", "y"], &rows, None), [(0, 30), (1, 10)]);
        assert_eq!(widths(&["x", "y"], &rows, Some(32)), [(0, 20), (1, 10)]);
        // A 32-character job id stays whole at 60 columns; the others shrink, then go.
        let row = vec![
            "f".repeat(32),
            "ASYNC_JOB".into(),
            "SUCCEED".into(),
            "2026-12-05T07:56:30Z".into(),
        ];
        let cols = ["job_id", "job_type", "job_state", "create_time"];
        let fitted = widths(&cols, std::slice::from_ref(&row), Some(60));
        assert_eq!(fitted[0], (0, 32));
        assert!(fitted.iter().map(|(_, w)| w).sum::<usize>() + 2 * (fitted.len() - 1) <= 60);
        // Too narrow for anything but the id: only the id is left, whole.
        assert_eq!(widths(&cols, &[row], Some(20)), [(0, 32)]);
    }

    #[test]
    fn an_empty_column_takes_no_space_unless_asked_for() {
        let rows = vec![vec!["id1".into(), String::new(), "v".into()]];
        assert_eq!(
            widths(&["id", "empty", "value"], &rows, None),
            [(0, 3), (2, 5)]
        );
        let chosen = Layout::fit(&["id", "empty", "value"], &rows, None, false).shown;
        assert_eq!(chosen, [(0, 3), (1, 5), (2, 5)]);
        // An empty listing still has its header.
        assert_eq!(widths(&["id", "empty"], &[], None), [(0, 2), (1, 5)]);
    }

    #[test]
    fn columns_are_chosen_by_name() {
        let cols = ["job_id", "job_type", "job_state"];
        assert_eq!(select_columns(&cols, None).unwrap(), [0, 1, 2]);
        let wanted = ["JOB_STATE".to_string(), "job_id".to_string()];
        assert_eq!(select_columns(&cols, Some(&wanted)).unwrap(), [2, 0]);
        let err = select_columns(&cols, Some(&["nope".to_string()])).unwrap_err();
        assert!(err.contains("job_id, job_type, job_state"), "{err}");
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
