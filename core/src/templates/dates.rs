//! Dates in expressions, as ODK reads them: a date answer is ISO text
//! (`2026-11-30`), a date and time ISO text with its offset
//! (`2026-11-30T09:30:00+08:00`), and either is a number of days since
//! 1970-01-01 where arithmetic needs one (`decimal-date-time()`). A date
//! is midnight UTC, so its number is whole and the same on every device;
//! a time without an offset is read as UTC too, for the same reason.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};

const SECONDS_A_DAY: f64 = 86_400.0;

/// The offset `today()` and `now()` read a record's start at: China
/// Standard Time, the operators'. A fixed offset (China keeps no summer
/// time), so that no device needs a time zone database to agree with the
/// server.
const RECORD_OFFSET: Offset = Offset::constant(8);

/// `today()`: the date the record was started (`started_ms` since the
/// epoch), as a date answer is written.
pub(crate) fn today(started_ms: i64) -> Option<String> {
    let t = Timestamp::from_millisecond(started_ms).ok()?;
    Some(RECORD_OFFSET.to_datetime(t).date().to_string())
}

/// `now()`: the date and time the record was started, with its offset.
pub(crate) fn now(started_ms: i64) -> Option<String> {
    let t = Timestamp::from_millisecond(started_ms).ok()?;
    Some(t.display_with_offset(RECORD_OFFSET).to_string())
}

/// A date or date-time text, or a number of days: its civil date and time
/// where it was written (a number: in UTC), and the instant.
fn read(text: &str) -> Option<(DateTime, Timestamp)> {
    let text = text.trim();
    // Most precise first: a date parses from a date and time too.
    if let Ok(z) = text.parse::<jiff::Zoned>() {
        return Some((z.datetime(), z.timestamp()));
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        // Written with an offset: the civil time at that offset.
        let offset = offset_of(text).unwrap_or(Offset::UTC);
        return Some((offset.to_datetime(t), t));
    }
    let dt = match text.parse::<DateTime>() {
        Ok(dt) => dt,
        Err(_) => text
            .parse::<Date>()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight()),
    };
    let at = dt.to_zoned(TimeZone::UTC).ok()?;
    Some((dt, at.timestamp()))
}

/// The offset written at the end of an ISO time: `Z`, `+08`, `+0800`,
/// `+08:00` or `+08:00:00`.
fn offset_of(text: &str) -> Option<Offset> {
    if text.ends_with(['Z', 'z']) {
        return Some(Offset::UTC);
    }
    // After the date (`2026-11-30T`): its own hyphens are no offset.
    let at = text.rfind(['+', '-']).filter(|&i| i > 10)?;
    let (sign, rest) = text[at..].split_at(1);
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.len().is_multiple_of(2)
        || digits.len() > 6
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let part = |i: usize| {
        digits
            .get(i..i + 2)
            .map_or(Some(0), |p| p.parse::<i32>().ok())
    };
    let seconds = part(0)? * 3600 + part(2)? * 60 + part(4)?;
    Offset::from_seconds(if sign == "-" { -seconds } else { seconds }).ok()
}

fn from_days(days: f64) -> Option<(DateTime, Timestamp)> {
    if !days.is_finite() {
        return None;
    }
    let t = Timestamp::from_millisecond((days * SECONDS_A_DAY * 1000.0).round() as i64).ok()?;
    Some((Offset::UTC.to_datetime(t), t))
}

/// What `decimal-date-time()` gives: days since 1970-01-01, with the
/// time of day as a fraction.
pub(crate) fn days(text: &str) -> Option<f64> {
    let (_, t) = read(text)?;
    Some(t.as_millisecond() as f64 / 1000.0 / SECONDS_A_DAY)
}

/// `date()`: the date of a text, or of a number of days.
pub(crate) fn date(text: Option<&str>, days: Option<f64>) -> Option<String> {
    let (dt, _) = text.map_or_else(|| from_days(days?), read)?;
    Some(dt.date().to_string())
}

/// `date-time()`: a date and time as ISO text; from a number of days, in
/// UTC.
pub(crate) fn date_time(text: Option<&str>, days: Option<f64>) -> Option<String> {
    match text {
        Some(t) => read(t).map(|_| t.trim().to_string()),
        None => from_days(days?).map(|(_, t)| t.to_string()),
    }
}

/// `format-date()` and `format-date-time()`: ODK's `%` codes (`%Y %y %m
/// %n %b %d %e %H %h %M %S %3 %a`); any other character as it is.
pub(crate) fn format(text: Option<&str>, days: Option<f64>, pattern: &str) -> Option<String> {
    let (dt, _) = text.map_or_else(|| from_days(days?), read)?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(code) = chars.next() else {
            out.push('%');
            break;
        };
        let part = match code {
            'Y' => format!("{:04}", dt.year()),
            'y' => format!("{:02}", dt.year().rem_euclid(100)),
            'm' => format!("{:02}", dt.month()),
            'n' => dt.month().to_string(),
            'b' => MONTHS[(dt.month() as usize).clamp(1, 12) - 1].to_string(),
            'd' => format!("{:02}", dt.day()),
            'e' => dt.day().to_string(),
            'H' => format!("{:02}", dt.hour()),
            'h' => dt.hour().to_string(),
            'M' => format!("{:02}", dt.minute()),
            'S' => format!("{:02}", dt.second()),
            '3' => format!("{:03}", dt.millisecond()),
            'a' => DAYS[dt.weekday().to_monday_zero_offset() as usize].to_string(),
            other => format!("%{other}"),
        };
        out.push_str(&part);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_days_since_1970_and_times_fractions() {
        assert_eq!(days("1970-01-02"), Some(1.0));
        assert_eq!(days("2026-11-30"), Some(20_787.0));
        // 09:00 in Beijing is 01:00 UTC: a twenty-fourth of a day.
        assert_eq!(days("1970-01-01T09:00:00+08:00"), Some(1.0 / 24.0));
        assert_eq!(days("1970-01-01T06:00:00"), Some(0.25), "no offset: UTC");
        assert_eq!(days("next tuesday"), None);
        assert_eq!(days("2026-02-30"), None, "no such day");
    }

    #[test]
    fn today_and_now_are_the_records_start_in_beijing() {
        // 2026-11-30T17:30:00Z: half past one in the morning in Beijing.
        let started = 1_796_059_800_000;
        assert_eq!(today(started).as_deref(), Some("2026-12-01"));
        assert_eq!(now(started).as_deref(), Some("2026-12-01T01:30:00+08:00"));
        assert_eq!(
            days(&now(started).unwrap_or_default()),
            Some(1_796_059_800.0 / 86_400.0)
        );
    }

    #[test]
    fn numbers_of_days_become_dates_again() {
        assert_eq!(date(None, Some(20_787.75)), Some("2026-11-30".into()));
        assert_eq!(
            date(Some("2026-11-30T23:30:00+08:00"), None),
            Some("2026-11-30".into())
        );
        assert_eq!(date(None, Some(f64::NAN)), None);
        assert_eq!(
            date_time(None, Some(0.5)),
            Some("1970-01-01T12:00:00Z".into())
        );
        assert_eq!(date_time(Some("soon"), None), None);
    }

    #[test]
    fn formats_use_odk_codes_in_the_time_written() {
        let at = Some("2026-03-05T07:08:09+08:00");
        assert_eq!(
            format(at, None, "%Y-%m-%d %H:%M:%S").as_deref(),
            Some("2026-03-05 07:08:09")
        );
        assert_eq!(
            format(at, None, "%e/%n/%y %h %b %a").as_deref(),
            Some("5/3/26 7 Mar Thu")
        );
        assert_eq!(
            format(Some("2026-03-05"), None, "%d %b").as_deref(),
            Some("05 Mar")
        );
        assert_eq!(
            format(None, Some(0.0), "%Y %q 100%").as_deref(),
            Some("1970 %q 100%")
        );
        // Offsets as ISO allows them, each read as written.
        for at in [
            "2026-03-05T07:08:09+0800",
            "2026-03-05T07:08:09+08",
            "2026-03-05T07:08:09-08:00:00",
        ] {
            assert_eq!(format(Some(at), None, "%H").as_deref(), Some("07"), "{at}");
        }
        assert_eq!(
            date(Some("2026-11-30T07:00:00+0800"), None).as_deref(),
            Some("2026-11-30")
        );
    }
}
