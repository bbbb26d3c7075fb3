//! Reporting periods (S8): day, ISO week, month, quarter and year, taken in
//! the store's own time zone.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

crate::vocab::string_enum!(
    /// The length of a reporting period.
    Granularity { Day = "day", Week = "week", Month = "month", Quarter = "quarter", Year = "year" }
);

/// One reporting period. Written as `2026-11-23`, `2026-W48`, `2026-11`,
/// `2026-Q4` or `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Day(Date),
    Week { year: i16, week: i8 },
    Month { year: i16, month: i8 },
    Quarter { year: i16, quarter: i8 },
    Year(i16),
}

impl Period {
    /// The period of `granularity` that holds `date`.
    pub fn of_date(date: Date, granularity: Granularity) -> Period {
        match granularity {
            Granularity::Day => Period::Day(date),
            Granularity::Week => {
                let w = date.iso_week_date();
                Period::Week {
                    year: w.year(),
                    week: w.week(),
                }
            }
            Granularity::Month => Period::Month {
                year: date.year(),
                month: date.month(),
            },
            Granularity::Quarter => Period::Quarter {
                year: date.year(),
                quarter: (date.month() - 1) / 3 + 1,
            },
            Granularity::Year => Period::Year(date.year()),
        }
    }

    /// The period holding the instant `at`, as the calendar reads in `tz`.
    pub fn containing(at: Timestamp, tz: &TimeZone, granularity: Granularity) -> Period {
        Period::of_date(at.to_zoned(tz.clone()).date(), granularity)
    }

    pub fn granularity(&self) -> Granularity {
        match self {
            Period::Day(_) => Granularity::Day,
            Period::Week { .. } => Granularity::Week,
            Period::Month { .. } => Granularity::Month,
            Period::Quarter { .. } => Granularity::Quarter,
            Period::Year(_) => Granularity::Year,
        }
    }

    /// The first day of the period.
    pub fn first_day(&self) -> Option<Date> {
        match *self {
            Period::Day(d) => Some(d),
            Period::Week { year, week } => {
                jiff::civil::ISOWeekDate::new(year, week, Weekday::Monday)
                    .ok()
                    .map(|w| w.date())
            }
            Period::Month { year, month } => Date::new(year, month, 1).ok(),
            Period::Quarter { year, quarter } => Date::new(year, (quarter - 1) * 3 + 1, 1).ok(),
            Period::Year(year) => Date::new(year, 1, 1).ok(),
        }
    }

    /// The first day after the period.
    pub fn end_day(&self) -> Option<Date> {
        let span = match self.granularity() {
            Granularity::Day => jiff::Span::new().days(1),
            Granularity::Week => jiff::Span::new().days(7),
            Granularity::Month => jiff::Span::new().months(1),
            Granularity::Quarter => jiff::Span::new().months(3),
            Granularity::Year => jiff::Span::new().years(1),
        };
        self.first_day()?.checked_add(span).ok()
    }

    /// The period just before this one.
    pub fn previous(&self) -> Option<Period> {
        let day_before = self.first_day()?.yesterday().ok()?;
        Some(Period::of_date(day_before, self.granularity()))
    }

    /// Parses the written form.
    pub fn parse(s: &str) -> Option<Period> {
        let num = |t: &str| t.parse::<i16>().ok();
        if let Some((y, w)) = s.split_once("-W") {
            let p = Period::Week {
                year: num(y)?,
                week: i8::try_from(num(w)?).ok()?,
            };
            return p.first_day().is_some().then_some(p);
        }
        if let Some((y, q)) = s.split_once("-Q") {
            let q = i8::try_from(num(q)?).ok()?;
            return (1..=4).contains(&q).then_some(Period::Quarter {
                year: num(y)?,
                quarter: q,
            });
        }
        match s.split('-').count() {
            1 => Some(Period::Year(num(s)?)),
            2 => {
                let (y, m) = s.split_once('-')?;
                let p = Period::Month {
                    year: num(y)?,
                    month: i8::try_from(num(m)?).ok()?,
                };
                p.first_day().is_some().then_some(p)
            }
            _ => s.parse::<Date>().ok().map(Period::Day),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day(d) => write!(f, "{d}"),
            Period::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a period")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn periods_follow_the_stores_time_zone() {
        let shanghai = TimeZone::get("Asia/Shanghai").expect("bundled tzdb");
        let at = ts("2026-11-30T17:00:00Z"); // 01:00 on 1 December in Shanghai.
        assert_eq!(
            Period::containing(at, &shanghai, Granularity::Month).to_string(),
            "2026-12"
        );
        assert_eq!(
            Period::containing(at, &TimeZone::UTC, Granularity::Month).to_string(),
            "2026-11"
        );
        assert_eq!(
            Period::containing(at, &shanghai, Granularity::Quarter).to_string(),
            "2026-Q4"
        );
    }

    #[test]
    fn iso_weeks_cross_year_ends_correctly() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert_eq!(
            Period::of_date(d("2026-01-01"), Granularity::Week).to_string(),
            "2026-W01"
        );
        assert_eq!(
            Period::of_date(d("2027-01-01"), Granularity::Week).to_string(),
            "2026-W53"
        );
        assert_eq!(
            Period::of_date(d("2024-12-30"), Granularity::Week).to_string(),
            "2025-W01"
        );
    }

    #[test]
    fn previous_periods_and_parsing_round_trip() {
        for (p, prev) in [
            ("2026-W01", "2025-W52"),
            ("2026-01", "2025-12"),
            ("2026-Q1", "2025-Q4"),
            ("2026", "2025"),
            ("2026-03-01", "2026-02-28"),
        ] {
            let period = Period::parse(p).expect("parses");
            assert_eq!(period.to_string(), p);
            assert_eq!(period.previous().expect("previous").to_string(), prev);
        }
        for bad in ["2026-W54", "2026-13", "2026-Q5", "x", "2026-02-30"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn periods_end_where_the_next_begins() {
        for (p, end) in [
            ("2026-12-31", "2027-01-01"),
            ("2026-W53", "2027-01-04"),
            ("2026-02", "2026-03-01"),
            ("2026-Q4", "2027-01-01"),
            ("2026", "2027-01-01"),
        ] {
            let got = Period::parse(p)
                .and_then(|p| p.end_day())
                .map(|d| d.to_string());
            assert_eq!(got.as_deref(), Some(end), "{p}");
        }
    }
}
