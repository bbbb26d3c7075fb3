//! What the operator gives a scorecard: figures measured elsewhere
//! (service integration, retention...) by unit, period and indicator, and
//! the register of service cases deductions come from. Both are imported
//! from CSV or XLSX tables, all or nothing, every problem by row and column.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::msg;
use crate::msg::Msg;
use crate::ratings::Period;
use crate::reference::{Problems, RowProblem};
use crate::table::Table;

/// The columns of a table of entered figures; all are required.
pub const ENTRY_COLUMNS: &[&str] = &["unit", "period", "indicator", "value"];

/// The columns of the case register; `case_id`, `unit`, `kind` and `date`
/// are required.
pub const CASE_COLUMNS: &[&str] = &[
    "case_id",
    "unit",
    "kind",
    "date",
    "points",
    "deadline",
    "closed",
    "description",
];

/// An entered figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub unit: String,
    pub period: Period,
    pub indicator: String,
    pub value: f64,
}

/// A case of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    pub id: String,
    pub unit: String,
    pub kind: String,
    pub date: Date,
    /// The points it costs, if the register says; else its kind's default.
    pub points: Option<f64>,
    /// When it had to be closed by, and when it was.
    pub deadline: Option<Date>,
    pub closed: Option<Date>,
    pub description: String,
}

impl CaseRecord {
    /// Whether the case counts against a period that ends before `end`: a
    /// case without a deadline always does; one with a deadline when it
    /// was not closed by it (closed later, or still open after it).
    pub fn counts(&self, end: Date) -> bool {
        match (self.deadline, self.closed) {
            (None, _) => true,
            (Some(deadline), Some(closed)) => closed > deadline,
            (Some(deadline), None) => deadline < end,
        }
    }
}

fn unit_problem(
    problems: &mut Problems,
    row: usize,
    unit: Option<&str>,
    check_unit: &impl Fn(&str) -> Option<Msg>,
) -> Option<String> {
    let Some(unit) = unit else {
        problems.add(
            row,
            Some("unit"),
            msg!("scorecard.unit_missing", "every row needs its unit"),
        );
        return None;
    };
    match check_unit(unit) {
        Some(m) => {
            problems.add(row, Some("unit"), m);
            None
        }
        None => Some(unit.to_string()),
    }
}

fn date(problems: &mut Problems, row: usize, column: &str, text: Option<&str>) -> Option<Date> {
    let text = text?;
    text.replace('/', "-").parse::<Date>().ok().or_else(|| {
        problems.add(
            row,
            Some(column),
            msg!(
                "scorecard.date",
                "`{value}` is not a date such as 2026-11-03",
                value = text
            ),
        );
        None
    })
}

/// Reads entered figures for the `indicators` that take them.
pub fn parse_entries(
    table: &Table,
    indicators: &[&str],
    check_unit: impl Fn(&str) -> Option<Msg>,
) -> Result<Vec<Entry>, Vec<RowProblem>> {
    let mut problems = Problems::default();
    problems.columns(table, ENTRY_COLUMNS, ENTRY_COLUMNS);
    let mut out = Vec::new();
    let mut first: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |c: &str| cells.get(c).map(String::as_str);
        let unit = unit_problem(&mut problems, row, get("unit"), &check_unit);
        let period = get("period").and_then(|p| {
            Period::parse(p).or_else(|| {
                problems.add(
                    row,
                    Some("period"),
                    msg!(
                        "scorecard.period",
                        "`{value}` is not a period: 2026, 2026-Q4, 2026-11, 2026-W48 or 2026-11-03",
                        value = p
                    ),
                );
                None
            })
        });
        let indicator = get("indicator").and_then(|i| {
            indicators.contains(&i).then(|| i.to_string()).or_else(|| {
                problems.add(
                    row,
                    Some("indicator"),
                    msg!(
                        "scorecard.not_entered",
                        "`{value}` is not an indicator that is entered; those are {names}",
                        value = i,
                        names = indicators.join(", ")
                    ),
                );
                None
            })
        });
        let value = problems.number(row, "value", get("value"), 0.0, f64::MAX);
        for column in ENTRY_COLUMNS {
            if get(column).is_none() && table.headers.iter().any(|h| h == column) {
                problems.add(
                    row,
                    Some(column),
                    msg!("scorecard.cell_missing", "every row needs this"),
                );
            }
        }
        let (Some(unit), Some(period), Some(indicator), Some(value)) =
            (unit, period, indicator, value)
        else {
            continue;
        };
        let key = (unit.clone(), period.to_string(), indicator.clone());
        if let Some(other) = first.insert(key, row) {
            problems.add(
                row,
                Some("indicator"),
                msg!(
                    "rows.duplicate",
                    "`{id}` is also on row {first}",
                    id = format!("{unit} {period} {indicator}"),
                    first = other
                ),
            );
        }
        out.push(Entry {
            unit,
            period,
            indicator,
            value,
        });
    }
    if table.rows.is_empty() {
        problems.add(0, None, msg!("rows.empty", "the table has no rows"));
    }
    problems.into_result(out)
}

/// Reads cases whose kinds are among `kinds`.
pub fn parse_cases(
    table: &Table,
    kinds: &[&str],
    check_unit: impl Fn(&str) -> Option<Msg>,
) -> Result<Vec<CaseRecord>, Vec<RowProblem>> {
    let mut problems = Problems::default();
    problems.columns(table, CASE_COLUMNS, &["case_id", "unit", "kind", "date"]);
    let mut out = Vec::new();
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |c: &str| cells.get(c).map(String::as_str);
        let unit = unit_problem(&mut problems, row, get("unit"), &check_unit);
        let kind = get("kind").and_then(|k| {
            kinds.contains(&k).then(|| k.to_string()).or_else(|| {
                problems.add(
                    row,
                    Some("kind"),
                    msg!(
                        "scorecard.kind",
                        "`{value}` is not a kind of case; the kinds are {names}",
                        value = k,
                        names = kinds.join(", ")
                    ),
                );
                None
            })
        });
        let occurred = date(&mut problems, row, "date", get("date"));
        let deadline = date(&mut problems, row, "deadline", get("deadline"));
        let closed = date(&mut problems, row, "closed", get("closed"));
        let points = problems.number(row, "points", get("points"), 0.0, 100.0);
        for column in ["case_id", "unit", "kind", "date"] {
            if get(column).is_none() && table.headers.iter().any(|h| h == column) {
                problems.add(
                    row,
                    Some(column),
                    msg!("scorecard.cell_missing", "every row needs this"),
                );
            }
        }
        let Some(id) = get("case_id") else { continue };
        if let Some(other) = first.insert(id.to_string(), row) {
            problems.add(
                row,
                Some("case_id"),
                msg!(
                    "rows.duplicate",
                    "`{id}` is also on row {first}",
                    id = id,
                    first = other
                ),
            );
        }
        let (Some(unit), Some(kind), Some(date)) = (unit, kind, occurred) else {
            continue;
        };
        out.push(CaseRecord {
            id: id.to_string(),
            unit,
            kind,
            date,
            points,
            deadline,
            closed,
            description: get("description").unwrap_or_default().to_string(),
        });
    }
    if table.rows.is_empty() {
        problems.add(0, None, msg!("rows.empty", "the table has no rows"));
    }
    problems.into_result(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(unit: &str) -> Option<Msg> {
        (!unit.starts_with("cq")).then(|| {
            msg!(
                "scorecard.unknown_unit",
                "`{id}` is not a unit in your scope",
                id = unit
            )
        })
    }

    fn keys(
        r: Result<impl std::fmt::Debug, Vec<RowProblem>>,
    ) -> Vec<(usize, String, &'static str)> {
        r.expect_err("problems")
            .into_iter()
            .map(|p| (p.row, p.column.unwrap_or_default(), p.message.key))
            .collect()
    }

    #[test]
    fn entered_figures_are_read_and_every_problem_named() {
        let csv =
            "unit,period,indicator,value\ncq/yz,2026,integration,88.5\ncq/yz,2026,retention,91\n";
        let t = Table::from_csv(csv.as_bytes(), "e.csv").expect("csv");
        let entries = parse_entries(&t, &["integration", "retention"], known).expect("clean");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].period.to_string(), "2026");
        assert_eq!(entries[0].value, 88.5);
        let bad = "unit,period,indicator,value\nsc/cd,2026,integration,1\ncq/yz,last year,integration,1\ncq/yz,2026,satisfaction,1\ncq/yz,2026,integration,x\ncq/yz,2026,retention,1\ncq/yz,2026,retention,2\n";
        let t = Table::from_csv(bad.as_bytes(), "e.csv").expect("csv");
        assert_eq!(
            keys(parse_entries(&t, &["integration", "retention"], known)),
            [
                (2, "unit".into(), "scorecard.unknown_unit"),
                (3, "period".into(), "scorecard.period"),
                (4, "indicator".into(), "scorecard.not_entered"),
                (5, "value".into(), "rows.number_range"),
                (7, "indicator".into(), "rows.duplicate"),
            ]
        );
    }

    #[test]
    fn cases_are_read_and_count_when_late() {
        let csv = "case_id,unit,kind,date,points,deadline,closed,description\n\
                   c1,cq/yz,media_exposure,2026-11-03,5,,,On the evening news\n\
                   c2,cq/yz,escalation_overdue,2026-11-05,,2026-11-10,2026-11-09,Closed in time\n\
                   c3,cq/yz,escalation_overdue,2026/11/06,,2026-11-10,2026-11-12,Closed late\n\
                   c4,cq/yz,escalation_overdue,2026-11-20,,2026-12-05,,Still open\n";
        let t = Table::from_csv(csv.as_bytes(), "c.csv").expect("csv");
        let cases =
            parse_cases(&t, &["media_exposure", "escalation_overdue"], known).expect("clean");
        let end: Date = "2026-12-01".parse().expect("date");
        let counted: Vec<&str> = cases
            .iter()
            .filter(|c| c.counts(end))
            .map(|c| c.id.as_str())
            .collect();
        // c4's deadline is after the month: not overdue yet.
        assert_eq!(counted, ["c1", "c3"]);
        let later: Date = "2027-01-01".parse().expect("date");
        assert!(cases[3].counts(later));
        let bad =
            "case_id,unit,kind,date\nc1,cq/yz,parking,2026-11-03\nc1,cq/yz,media_exposure,3 Nov\n";
        let t = Table::from_csv(bad.as_bytes(), "c.csv").expect("csv");
        assert_eq!(
            keys(parse_cases(&t, &["media_exposure"], known)),
            [
                (2, "kind".into(), "scorecard.kind"),
                (3, "date".into(), "scorecard.date"),
                (3, "case_id".into(), "rows.duplicate"),
            ]
        );
    }
}
