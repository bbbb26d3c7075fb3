//! Spreadsheets as tables of text: the sheets of an XLSForm, and the CSV or
//! XLSX files administrators import (stores, users). Headers are trimmed and
//! lower-cased; empty rows are skipped; each row keeps its line number for
//! error reports.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};

/// Why a file is not a table: the file's name, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// Not CSV that can be read; `line` as a spreadsheet numbers it, if known.
    Csv {
        file: String,
        line: Option<usize>,
        reason: String,
    },
    Xlsx {
        file: String,
        reason: String,
    },
    NoSheet {
        file: String,
    },
}

impl TableError {
    /// What is wrong, for people (the parser's own words as a parameter).
    pub fn msg(&self) -> crate::msg::Msg {
        use crate::msg;
        match self {
            TableError::Csv {
                file,
                line: Some(line),
                reason,
            } => msg!(
                "table.csv_line",
                "{file}: line {line}: {detail}",
                file = file,
                line = line,
                detail = reason
            ),
            TableError::Csv {
                file,
                line: None,
                reason,
            } => msg!(
                "table.csv",
                "{file}: {detail}",
                file = file,
                detail = reason
            ),
            TableError::Xlsx { file, reason } => msg!(
                "table.xlsx",
                "{file}: not a readable .xlsx file: {detail}",
                file = file,
                detail = reason
            ),
            TableError::NoSheet { file } => msg!(
                "table.no_sheet",
                "{file}: the workbook has no sheet",
                file = file
            ),
        }
    }
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for TableError {}

/// A sheet as header -> cell text, one map per non-empty row.
#[derive(Debug, Default)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    /// (line number as a spreadsheet shows it, cells by header).
    pub rows: Vec<(usize, HashMap<String, String>)>,
}

impl Table {
    /// A table of one row, as an API body gives it: `columns` as headers
    /// and the cells that have a value, trimmed; empty ones are left out as
    /// an empty spreadsheet cell would be. Its row number is 0.
    pub fn one_row<'a>(
        columns: &[&str],
        cells: impl IntoIterator<Item = (&'a str, Option<String>)>,
    ) -> Table {
        let row = cells
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Table {
            name: "body".into(),
            headers: columns.iter().map(|c| c.to_string()).collect(),
            rows: vec![(0, row)],
        }
    }

    /// A sheet of a workbook.
    pub fn read(range: &Range<Data>, name: &str) -> Table {
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows = range.rows().enumerate();
        let headers: Vec<String> = rows
            .next()
            .map(|(_, r)| r.iter().map(|c| header(&c.to_string())).collect())
            .unwrap_or_default();
        let rows = rows
            .filter_map(|(i, r)| {
                let cells = cells(&headers, r.iter().map(cell_text));
                (!cells.is_empty()).then_some((first_row + i + 1, cells))
            })
            .collect();
        Table {
            name: name.into(),
            headers,
            rows,
        }
    }

    /// A CSV file (UTF-8, comma-separated, first line the headers).
    pub fn from_csv(bytes: &[u8], name: &str) -> Result<Table, TableError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| TableError::Csv {
                file: name.into(),
                line: None,
                reason: e.to_string(),
            })?
            .iter()
            .map(header)
            .collect();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| TableError::Csv {
                file: name.into(),
                line: Some(i + 2),
                reason: e.to_string(),
            })?;
            let cells = cells(&headers, record.iter().map(|c| c.trim().to_string()));
            if !cells.is_empty() {
                rows.push((i + 2, cells));
            }
        }
        Ok(Table {
            name: name.into(),
            headers,
            rows,
        })
    }

    /// A `.csv` file, or the first sheet of an `.xlsx` workbook.
    pub fn from_file(bytes: &[u8], file_name: &str) -> Result<Table, TableError> {
        if file_name.to_ascii_lowercase().ends_with(".xlsx") {
            let unreadable = |e: &dyn std::fmt::Display| TableError::Xlsx {
                file: file_name.into(),
                reason: e.to_string(),
            };
            let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
            let first =
                book.sheet_names()
                    .into_iter()
                    .next()
                    .ok_or_else(|| TableError::NoSheet {
                        file: file_name.into(),
                    })?;
            let range = book.worksheet_range(&first).map_err(|e| unreadable(&e))?;
            Ok(Table::read(&range, &first))
        } else {
            Table::from_csv(bytes, file_name)
        }
    }
}

fn header(h: &str) -> String {
    h.trim().to_lowercase()
}

fn cells(headers: &[String], values: impl Iterator<Item = String>) -> HashMap<String, String> {
    headers
        .iter()
        .zip(values)
        .filter(|(h, v)| !h.is_empty() && !v.is_empty())
        .map(|(h, v)| (h.clone(), v))
        .collect()
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // A date or date-time cell, as its sheet shows it (not its serial number).
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if d.as_f64().fract() == 0.0 {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        other => other.to_string().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_numbers_and_skip_blank_lines() {
        let t = Table::from_csv(
            "\u{feff}ID, Name \ncq,重庆\n,\n cq/yz , 渝中\n".as_bytes(),
            "u.csv",
        )
        .expect("csv");
        assert_eq!(t.headers, ["id", "name"]);
        let ids: Vec<_> = t.rows.iter().map(|(n, r)| (*n, r["id"].as_str())).collect();
        assert_eq!(ids, [(2, "cq"), (4, "cq/yz")]);
    }
}
