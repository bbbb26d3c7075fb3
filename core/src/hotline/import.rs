//! Call-centre interval statistics read from a CSV or XLSX export: one row per
//! hotline and interval. The columns are documented in `docs/hotline.md`;
//! exports that name them otherwise are read through built-in Chinese header
//! names or a mapping given with the import. Every problem is reported with
//! its row and column, and with any problem nothing is imported.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::DateTime;

use super::CallStats;
use super::level::{DEFAULT_SHORT_ABANDON_S, DEFAULT_THRESHOLD_S};
use crate::msg;
use crate::msg::Msg;
use crate::reference::{Problems, RowProblem};
use crate::table::Table;

/// The columns of a statistics table. `hotline`, `interval_start`,
/// `offered`, `answered` and `answered_within` are required.
pub const CALL_COLUMNS: &[&str] = &[
    "hotline",
    "interval_start",
    "interval_minutes",
    "calls_in",
    "system_connected",
    "offered",
    "answered",
    "answered_within",
    "abandoned",
    "abandoned_within",
    "abandoned_short",
    "talk_s",
    "wrap_s",
    "signed_in_s",
    "agents_scheduled",
    "agents_signed_in",
    "survey_responses",
    "survey_satisfied",
    "fcr_total",
    "fcr_resolved",
];

const REQUIRED: &[&str] = &[
    "hotline",
    "interval_start",
    "offered",
    "answered",
    "answered_within",
];

/// Header names seen in Chinese call-centre reports, read as ours.
pub const ZH_HEADERS: &[(&str, &str)] = &[
    ("热线", "hotline"),
    ("热线号码", "hotline"),
    ("时段开始", "interval_start"),
    ("开始时间", "interval_start"),
    ("时段分钟", "interval_minutes"),
    ("呼入量", "calls_in"),
    ("系统接通量", "system_connected"),
    ("人工请求量", "offered"),
    ("转人工量", "offered"),
    ("人工接通量", "answered"),
    ("人工应答量", "answered"),
    ("及时应答量", "answered_within"),
    ("放弃量", "abandoned"),
    ("呼损量", "abandoned"),
    ("及时内放弃量", "abandoned_within"),
    ("短时放弃量", "abandoned_short"),
    ("通话时长", "talk_s"),
    ("话后处理时长", "wrap_s"),
    ("签入时长", "signed_in_s"),
    ("排班人数", "agents_scheduled"),
    ("签入人数", "agents_signed_in"),
    ("满意度参评量", "survey_responses"),
    ("满意量", "survey_satisfied"),
    ("首解统计量", "fcr_total"),
    ("一次解决量", "fcr_resolved"),
];

/// How to read a statistics file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSettings {
    /// T: `answered_within` and `abandoned_within` count calls within it.
    pub threshold_s: u32,
    /// `abandoned_short` counts abandons within it.
    pub short_s: u32,
    /// The interval length of rows without `interval_minutes`.
    pub minutes: u32,
    /// (header in the file, our column), applied before anything else.
    pub mapping: Vec<(String, String)>,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            threshold_s: DEFAULT_THRESHOLD_S,
            short_s: DEFAULT_SHORT_ABANDON_S,
            minutes: 30,
            mapping: Vec::new(),
        }
    }
}

/// Reads `their header=our column` pairs, separated by `;`, `,` or lines.
pub fn parse_mapping(text: &str) -> Result<Vec<(String, String)>, Msg> {
    text.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
                Ok((from.trim().to_lowercase(), to.trim().to_lowercase()))
            }
            _ => Err(msg!(
                "hotline.mapping_pair",
                "`{pair}` is not `header in the file=column`",
                pair = pair
            )),
        })
        .collect()
}

/// One interval of one hotline, as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct CallInterval {
    pub hotline: String,
    /// The interval's start in the hotline's local time.
    pub start: DateTime,
    pub minutes: u32,
    pub threshold_s: u32,
    pub short_s: u32,
    pub stats: CallStats,
}

/// Our name for each header: the mapping first, then the Chinese names.
fn renamed(table: &Table, mapping: &[(String, String)], problems: &mut Problems) -> Table {
    let mut rename: HashMap<&str, &str> = ZH_HEADERS.iter().copied().collect();
    for (from, to) in mapping {
        if !CALL_COLUMNS.contains(&to.as_str()) {
            problems.add(
                0,
                Some(from),
                msg!(
                    "hotline.mapping_target",
                    "the mapping names `{column}`, which is not a column; the columns are {columns}",
                    column = to,
                    columns = CALL_COLUMNS.join(", ")
                ),
            );
        } else if !table.headers.contains(from) {
            problems.add(
                0,
                Some(from),
                msg!(
                    "hotline.mapping_source",
                    "the mapping names the header `{header}`, which the file does not have",
                    header = from
                ),
            );
        }
        rename.insert(from, to);
    }
    let name = |h: &str| rename.get(h).copied().unwrap_or(h).to_string();
    let headers: Vec<String> = table.headers.iter().map(|h| name(h)).collect();
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    for (ours, theirs) in headers.iter().zip(&table.headers) {
        if ours.is_empty() {
            continue;
        }
        if let Some(other) = first.insert(ours, theirs) {
            problems.add(
                0,
                Some(theirs),
                msg!(
                    "hotline.column_twice",
                    "`{other}` and `{header}` are both read as `{column}`",
                    other = other,
                    header = theirs,
                    column = ours
                ),
            );
        }
    }
    Table {
        name: table.name.clone(),
        rows: table
            .rows
            .iter()
            .map(|(n, cells)| {
                (
                    *n,
                    cells.iter().map(|(k, v)| (name(k), v.clone())).collect(),
                )
            })
            .collect(),
        headers,
    }
}

/// A local date and time: `2026-11-03 09:00`, `2026-11-03T09:00:00`,
/// `2026/11/03 09:00`, or a date alone for a daily row.
pub fn parse_start(text: &str) -> Option<DateTime> {
    let text = text.trim().replace('/', "-");
    if let Ok(d) = text.parse::<jiff::civil::Date>()
        && !text.contains([' ', 'T', ':'])
    {
        return Some(d.to_datetime(jiff::civil::Time::midnight()));
    }
    text.replacen(' ', "T", 1).parse::<DateTime>().ok()
}

/// Reads interval statistics. `check_hotline` says what is wrong with a
/// hotline id (not a hotline, not in the importer's scope), if anything.
pub fn parse_call_stats(
    table: &Table,
    settings: &ImportSettings,
    check_hotline: impl Fn(&str) -> Option<Msg>,
) -> Result<Vec<CallInterval>, Vec<RowProblem>> {
    let mut problems = Problems::default();
    let table = renamed(table, &settings.mapping, &mut problems);
    problems.columns(&table, CALL_COLUMNS, REQUIRED);
    let mut out = Vec::new();
    let mut rows_of: HashMap<(String, DateTime), usize> = HashMap::new();
    let mut hotline_problems: HashMap<String, Option<Msg>> = HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |c: &str| cells.get(c).map(String::as_str);
        let mut count = |c: &str| problems.count(row, c, get(c));
        let offered = count("offered");
        let answered = count("answered");
        let answered_within = count("answered_within");
        let abandoned = count("abandoned");
        let abandoned_within = count("abandoned_within");
        let abandoned_short = count("abandoned_short");
        let calls_in = count("calls_in");
        let system_connected = count("system_connected");
        let agents_scheduled = count("agents_scheduled");
        let agents_signed_in = count("agents_signed_in");
        let survey_responses = count("survey_responses");
        let survey_satisfied = count("survey_satisfied");
        let fcr_total = count("fcr_total");
        let fcr_resolved = count("fcr_resolved");
        let mut seconds = |c: &str| problems.number(row, c, get(c), 0.0, f64::MAX);
        let talk_s = seconds("talk_s");
        let wrap_s = seconds("wrap_s");
        let signed_in_s = seconds("signed_in_s");
        let minutes = match get("interval_minutes") {
            None => Some(settings.minutes),
            Some(t) => problems
                .number(row, "interval_minutes", Some(t), 1.0, 1440.0)
                .filter(|m| m.fract() == 0.0)
                .map(|m| m as u32),
        };
        let hotline = get("hotline");
        if let Some(h) = hotline {
            let problem = hotline_problems
                .entry(h.to_string())
                .or_insert_with(|| check_hotline(h));
            if let Some(m) = problem {
                problems.add(row, Some("hotline"), m.clone());
            }
        } else {
            problems.add(
                row,
                Some("hotline"),
                msg!("hotline.id_missing", "every row needs its hotline"),
            );
        }
        let start = match get("interval_start") {
            None => {
                problems.add(
                    row,
                    Some("interval_start"),
                    msg!(
                        "hotline.start_missing",
                        "every row needs its interval's start"
                    ),
                );
                None
            }
            Some(t) => parse_start(t).or_else(|| {
                problems.add(
                    row,
                    Some("interval_start"),
                    msg!(
                        "hotline.start_invalid",
                        "`{value}` is not a local date and time such as 2026-11-03 09:00",
                        value = t
                    ),
                );
                None
            }),
        };
        for (column, given) in [
            ("offered", offered),
            ("answered", answered),
            ("answered_within", answered_within),
        ] {
            // A column missing altogether is one problem, not one per row.
            if given.is_none() && get(column).is_none() && table.headers.iter().any(|h| h == column)
            {
                problems.add(
                    row,
                    Some(column),
                    msg!("hotline.count_missing", "every row needs this count"),
                );
            }
        }
        let mut over = |column: &str,
                        part: Option<u64>,
                        part_name: &str,
                        whole: Option<u64>,
                        whole_name: &str| {
            if let (Some(p), Some(w)) = (part, whole)
                && p > w
            {
                problems.add(
                    row,
                    Some(column),
                    msg!(
                        "hotline.count_over",
                        "{part} ({part_count}) is more than {whole} ({whole_count})",
                        part = part_name,
                        part_count = p,
                        whole = whole_name,
                        whole_count = w
                    ),
                );
            }
        };
        over("answered", answered, "answered", offered, "offered");
        over(
            "answered_within",
            answered_within,
            "answered_within",
            answered,
            "answered",
        );
        let answered_and_abandoned = answered.zip(abandoned).map(|(a, b)| a + b);
        over(
            "abandoned",
            answered_and_abandoned,
            "answered + abandoned",
            offered,
            "offered",
        );
        let abandoned = abandoned.or_else(|| offered?.checked_sub(answered?));
        over(
            "abandoned_within",
            abandoned_within,
            "abandoned_within",
            abandoned,
            "abandoned",
        );
        over(
            "abandoned_short",
            abandoned_short,
            "abandoned_short",
            abandoned,
            "abandoned",
        );
        if settings.short_s <= settings.threshold_s {
            over(
                "abandoned_short",
                abandoned_short,
                "abandoned_short",
                abandoned_within,
                "abandoned_within",
            );
        }
        over(
            "system_connected",
            system_connected,
            "system_connected",
            calls_in,
            "calls_in",
        );
        over(
            "survey_satisfied",
            survey_satisfied,
            "survey_satisfied",
            survey_responses,
            "survey_responses",
        );
        over(
            "fcr_resolved",
            fcr_resolved,
            "fcr_resolved",
            fcr_total,
            "fcr_total",
        );
        for (a, b) in [
            ("calls_in", "system_connected"),
            ("survey_responses", "survey_satisfied"),
            ("fcr_total", "fcr_resolved"),
            ("agents_scheduled", "agents_signed_in"),
        ] {
            if get(a).is_some() != get(b).is_some() {
                let (given, missing) = if get(a).is_some() { (a, b) } else { (b, a) };
                problems.add(
                    row,
                    Some(missing),
                    msg!(
                        "hotline.pair_missing",
                        "`{given}` is given, so `{missing}` is needed too",
                        given = given,
                        missing = missing
                    ),
                );
            }
        }
        if let (Some(s), Some(busy)) = (signed_in_s, talk_s.zip(wrap_s).map(|(t, w)| t + w))
            && busy > s
        {
            problems.add(
                row,
                Some("signed_in_s"),
                msg!(
                    "hotline.busy_over_signed_in",
                    "talk and wrap-up time ({busy} s) exceed signed-in time ({signed_in} s)",
                    busy = busy,
                    signed_in = s
                ),
            );
        }
        let (Some(hotline), Some(start), Some(minutes)) = (hotline, start, minutes) else {
            continue;
        };
        if let Some(first) = rows_of.insert((hotline.to_string(), start), row) {
            problems.add(
                row,
                Some("interval_start"),
                msg!(
                    "hotline.interval_twice",
                    "{hotline} {start} is also on row {first}",
                    hotline = hotline,
                    start = start.strftime("%Y-%m-%d %H:%M"),
                    first = first
                ),
            );
        }
        let (Some(offered), Some(answered), Some(answered_within), Some(abandoned)) =
            (offered, answered, answered_within, abandoned)
        else {
            continue;
        };
        out.push(CallInterval {
            hotline: hotline.to_string(),
            start,
            minutes,
            threshold_s: settings.threshold_s,
            short_s: settings.short_s,
            stats: CallStats {
                intervals: 1,
                calls_in,
                system_connected,
                offered,
                answered,
                answered_within,
                abandoned,
                abandoned_within,
                abandoned_short,
                talk_s,
                wrap_s,
                signed_in_s,
                agents_scheduled,
                agents_signed_in,
                survey_responses,
                survey_satisfied,
                fcr_total,
                fcr_resolved,
            },
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

    const HEADER: &str = "hotline,interval_start,offered,answered,answered_within,abandoned,abandoned_within,abandoned_short,talk_s,wrap_s,signed_in_s\n";

    fn read(csv: &str, settings: &ImportSettings) -> Result<Vec<CallInterval>, Vec<RowProblem>> {
        let table = Table::from_csv(csv.as_bytes(), "calls.csv").expect("csv");
        parse_call_stats(&table, settings, |h| {
            (h != "sc/cd/jj/024").then(|| {
                msg!(
                    "hotline.not_hotline",
                    "`{id}` is not a hotline (a store of the channel hotline)",
                    id = h
                )
            })
        })
    }

    fn problems(csv: &str) -> Vec<(usize, Option<String>, &'static str)> {
        read(csv, &ImportSettings::default())
            .expect_err("problems")
            .into_iter()
            .map(|p| (p.row, p.column, p.message.key))
            .collect()
    }

    #[test]
    fn a_clean_export_reads_every_count() {
        let rows = read(
            &format!("{HEADER}sc/cd/jj/024,2026-11-03 09:00,100,90,80,10,6,2,9000,1800,14400\nsc/cd/jj/024,2026/11/03 09:30,50,50,50,,,,,,\n"),
            &ImportSettings::default(),
        )
        .expect("clean");
        assert_eq!(rows.len(), 2);
        let first = &rows[0];
        assert_eq!(first.start.to_string(), "2026-11-03T09:00:00");
        assert_eq!(
            (first.minutes, first.threshold_s, first.short_s),
            (30, 20, 5)
        );
        assert_eq!(first.stats.abandoned_within, Some(6));
        assert_eq!(first.stats.talk_s, Some(9000.0));
        // Abandoned is worked out when the export leaves it out.
        assert_eq!(rows[1].stats.abandoned, 0);
        assert_eq!(rows[1].stats.abandoned_within, None);
    }

    #[test]
    fn every_problem_has_its_row_and_column_and_nothing_is_returned() {
        let found = problems(&format!(
            "{HEADER}sc/cd/jj/024,2026-11-03 09:00,100,101,80,,,,,,\n\
             sc/cd/jj/001,2026-11-03 09:00,10,9,8,1,,,,,\n\
             sc/cd/jj/024,yesterday,10,9,8,1,2,,,,\n\
             sc/cd/jj/024,2026-11-03 10:00,10,9,8,1,1,1,3000,1000,3600\n\
             sc/cd/jj/024,2026-11-03 10:00,-1,9,8,,,,,,\n"
        ));
        assert_eq!(
            found,
            [
                (2, Some("answered".into()), "hotline.count_over"),
                (3, Some("hotline".into()), "hotline.not_hotline"),
                (4, Some("interval_start".into()), "hotline.start_invalid"),
                (4, Some("abandoned_within".into()), "hotline.count_over"),
                (5, Some("signed_in_s".into()), "hotline.busy_over_signed_in"),
                (6, Some("offered".into()), "rows.count"),
                (6, Some("interval_start".into()), "hotline.interval_twice"),
            ]
        );
    }

    #[test]
    fn missing_columns_and_unpaired_counts_are_named() {
        let found = problems(
            "hotline,interval_start,answered,fcr_total,colour\nsc/cd/jj/024,2026-11-03,5,3,red\n",
        );
        assert!(found.contains(&(0, Some("colour".into()), "rows.unknown_column")));
        assert!(found.contains(&(0, Some("offered".into()), "rows.missing_column")));
        assert!(found.contains(&(2, Some("fcr_resolved".into()), "hotline.pair_missing")));
        assert!(found.contains(&(0, Some("answered_within".into()), "rows.missing_column")));
        assert!(
            !found.iter().any(|p| p.2 == "hotline.count_missing"),
            "{found:?}"
        );
        let found = problems(
            "hotline,interval_start,offered,answered,answered_within\nsc/cd/jj/024,2026-11-03,5,3,\n",
        );
        assert_eq!(
            found,
            [(2, Some("answered_within".into()), "hotline.count_missing")]
        );
    }

    #[test]
    fn chinese_headers_and_a_mapping_are_read_as_our_columns() {
        let csv = "热线,开始时间,人工请求量,人工接通量,Within20,放弃量\nsc/cd/jj/024,2026-11-03 09:00,100,90,80,10\n";
        let settings = ImportSettings {
            mapping: parse_mapping("Within20=answered_within").expect("mapping"),
            ..ImportSettings::default()
        };
        let rows = read(csv, &settings).expect("mapped");
        assert_eq!(rows[0].stats.answered_within, 80);
        let bad = ImportSettings {
            mapping: parse_mapping("Within20=within; Missing=offered").expect("mapping"),
            ..ImportSettings::default()
        };
        let keys: Vec<_> = read(csv, &bad)
            .expect_err("bad mapping")
            .into_iter()
            .map(|p| p.message.key)
            .collect();
        assert!(keys.contains(&"hotline.mapping_target"), "{keys:?}");
        assert!(keys.contains(&"hotline.mapping_source"), "{keys:?}");
        assert!(parse_mapping("no equals sign").is_err());
    }

    #[test]
    fn two_headers_read_as_one_column_are_refused() {
        let found = problems(
            "热线,hotline,interval_start,offered,answered,answered_within\na,b,2026-11-03,1,1,1\n",
        );
        assert!(
            found.contains(&(0, Some("hotline".into()), "hotline.column_twice")),
            "{found:?}"
        );
    }
}
