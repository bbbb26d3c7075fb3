//! Reference data administrators import: the store hierarchy (province >
//! city > district > store) and users, from CSV or XLSX tables. Every problem is
//! reported with its row and column, and with any problem nothing is
//! imported.
//!
//! Unit ids are paths (`cq`, `cq/yz`, `cq/yz/001`): a unit's id starts with
//! its parent's id and a `/`, so a user's scope (a path prefix) covers
//! exactly the units below it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::msg;
use crate::msg::Msg;
use crate::ratings::{Hierarchy, Level, Unit};
use crate::table::Table;
use crate::templates::Channel;
use crate::vocab::Role;

/// A unit of the hierarchy with what people see of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRecord {
    #[serde(flatten)]
    pub unit: Unit,
    pub name_zh: String,
    pub name_en: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// One problem in an imported table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// Line number as the spreadsheet shows it; 0 for the file as a whole.
    pub row: usize,
    pub column: Option<String>,
    pub message: Msg,
}

/// `{ row, column, key, params, message }`: the message's code and
/// parameters beside its English text.
impl Serialize for RowProblem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("RowProblem", 5)?;
        out.serialize_field("row", &self.row)?;
        out.serialize_field("column", &self.column)?;
        out.serialize_field("key", self.message.key)?;
        out.serialize_field("params", &self.message.params)?;
        out.serialize_field("message", &self.message.text)?;
        out.end()
    }
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.column, self.row) {
            (Some(c), r) if r > 0 => write!(f, "row {r}, {c}: {}", self.message),
            (None, r) if r > 0 => write!(f, "row {r}: {}", self.message),
            (Some(c), _) => write!(f, "{c}: {}", self.message),
            (None, _) => write!(f, "{}", self.message),
        }
    }
}

/// The columns of a store table; `id`, `level` and `name_zh` are required.
pub const UNIT_COLUMNS: &[&str] = &[
    "id",
    "parent",
    "level",
    "name_zh",
    "name_en",
    "channel",
    "address",
    "lat",
    "lon",
    "time_zone",
    "traffic",
];

/// The time zone of a unit that names none, and of the operators served.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// The problems found in a table so far.
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<RowProblem>);

impl Problems {
    pub(crate) fn add(&mut self, row: usize, column: Option<&str>, message: Msg) {
        self.0.push(RowProblem {
            row,
            column: column.map(str::to_string),
            message,
        });
    }

    /// Unknown and missing columns.
    pub(crate) fn columns(&mut self, table: &Table, known: &[&str], required: &[&str]) {
        for h in &table.headers {
            if !h.is_empty() && !known.contains(&h.as_str()) {
                self.add(
                    0,
                    Some(h),
                    msg!(
                        "rows.unknown_column",
                        "unknown column; the columns are {columns}",
                        columns = known.join(", ")
                    ),
                );
            }
        }
        for r in required {
            if !table.headers.iter().any(|h| h == r) {
                self.add(
                    0,
                    Some(r),
                    msg!("rows.missing_column", "the column is missing"),
                );
            }
        }
    }

    /// The number in a cell, if any and in range; a problem if not.
    pub(crate) fn number(
        &mut self,
        row: usize,
        column: &str,
        text: Option<&str>,
        lo: f64,
        hi: f64,
    ) -> Option<f64> {
        let text = text?;
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Some(x),
            _ => {
                let hi = if hi == f64::MAX {
                    "any".to_string()
                } else {
                    hi.to_string()
                };
                self.add(
                    row,
                    Some(column),
                    msg!(
                        "rows.number_range",
                        "`{value}` is not a number from {min} to {max}",
                        value = text,
                        min = lo,
                        max = hi
                    ),
                );
                None
            }
        }
    }

    /// The whole number from 0 in a cell, if any; a problem if not.
    pub(crate) fn count(&mut self, row: usize, column: &str, text: Option<&str>) -> Option<u64> {
        let text = text?;
        match text.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.add(
                    row,
                    Some(column),
                    msg!(
                        "rows.count",
                        "`{value}` is not a whole number from 0",
                        value = text
                    ),
                );
                None
            }
        }
    }

    /// `out`, or every problem found.
    pub(crate) fn into_result<T>(self, out: T) -> Result<T, Vec<RowProblem>> {
        if self.0.is_empty() {
            Ok(out)
        } else {
            Err(self.0)
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        })
}

/// Reads units from a table and checks them together with `existing` (the
/// units already stored, which the table may extend or update). Returns the
/// imported units.
pub fn parse_units(table: &Table, existing: &[Unit]) -> Result<Vec<UnitRecord>, Vec<RowProblem>> {
    let mut problems = Problems::default();
    problems.columns(table, UNIT_COLUMNS, &["id", "level", "name_zh"]);
    let mut out: Vec<UnitRecord> = Vec::new();
    let mut rows_of: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |c: &str| cells.get(c).map(String::as_str);
        let mut number = |c: &str, lo: f64, hi: f64| problems.number(row, c, get(c), lo, hi);
        let lat = number("lat", -90.0, 90.0);
        let lon = number("lon", -180.0, 180.0);
        let traffic = number("traffic", 0.0, f64::MAX).unwrap_or(0.0);
        let Some(id) = get("id") else {
            problems.add(
                row,
                Some("id"),
                msg!("units.id_missing", "every unit needs an id"),
            );
            continue;
        };
        if !valid_id(id) {
            problems.add(
                row,
                Some("id"),
                msg!(
                    "units.invalid_id",
                    "`{id}` is not an id: path segments of letters, digits, `_`, `-` or `.`, joined by `/`",
                    id = id
                ),
            );
        }
        if let Some(first) = rows_of.insert(id.to_string(), row) {
            problems.add(
                row,
                Some("id"),
                msg!(
                    "rows.duplicate",
                    "`{id}` is also on row {first}",
                    id = id,
                    first = first
                ),
            );
        }
        let parent = get("parent").map(str::to_string);
        match &parent {
            Some(p) if !id.starts_with(&format!("{p}/")) => problems.add(
                row,
                Some("parent"),
                msg!(
                    "units.parent_prefix",
                    "`{id}` must start with its parent's id `{prefix}`",
                    id = id,
                    prefix = format!("{p}/")
                ),
            ),
            None if id.contains('/') => problems.add(
                row,
                Some("parent"),
                msg!(
                    "units.parent_missing",
                    "a unit whose id has a `/` needs its parent"
                ),
            ),
            _ => {}
        }
        let level = match get("level").map(|l| (l, Level::parse(l))) {
            Some((_, Some(Level::National))) | None => {
                problems.add(
                    row,
                    Some("level"),
                    msg!(
                        "units.level_missing",
                        "the level is one of province, city, district, store"
                    ),
                );
                None
            }
            Some((text, None)) => {
                problems.add(
                    row,
                    Some("level"),
                    msg!(
                        "units.unknown_level",
                        "`{value}` is not one of province, city, district, store",
                        value = text
                    ),
                );
                None
            }
            Some((_, Some(l))) => Some(l),
        };
        let channel = match (level, get("channel")) {
            (Some(Level::Store), None) => {
                problems.add(
                    row,
                    Some("channel"),
                    msg!(
                        "units.channel_missing",
                        "a store needs its channel ({names})",
                        names = Channel::names()
                    ),
                );
                None
            }
            (Some(Level::Store), Some(c)) => Channel::parse(c).or_else(|| {
                problems.add(
                    row,
                    Some("channel"),
                    msg!(
                        "units.unknown_channel",
                        "`{value}` is not a channel ({names})",
                        value = c,
                        names = Channel::names()
                    ),
                );
                None
            }),
            (_, Some(_)) => {
                problems.add(
                    row,
                    Some("channel"),
                    msg!("units.channel_not_store", "only stores have a channel"),
                );
                None
            }
            (_, None) => None,
        };
        let time_zone = get("time_zone").unwrap_or(DEFAULT_TIME_ZONE).to_string();
        if jiff::tz::TimeZone::get(&time_zone).is_err() {
            problems.add(
                row,
                Some("time_zone"),
                msg!(
                    "units.time_zone",
                    "`{zone}` is not a known time zone",
                    zone = time_zone
                ),
            );
        }
        let Some(name_zh) = get("name_zh") else {
            problems.add(
                row,
                Some("name_zh"),
                msg!("units.name_missing", "every unit needs a Chinese name"),
            );
            continue;
        };
        let Some(level) = level else { continue };
        out.push(UnitRecord {
            unit: Unit {
                id: id.to_string(),
                parent,
                level,
                channel,
                traffic,
                time_zone,
            },
            name_zh: name_zh.to_string(),
            name_en: get("name_en").unwrap_or(name_zh).to_string(),
            address: get("address").map(str::to_string),
            lat,
            lon,
        });
    }
    if table.rows.is_empty() {
        problems.add(0, None, msg!("rows.empty", "the table has no rows"));
    }
    if problems.0.is_empty() {
        // The whole hierarchy, stored units updated by imported ones, must hold.
        let mut all: BTreeMap<&str, &Unit> = existing.iter().map(|u| (u.id.as_str(), u)).collect();
        for r in &out {
            all.insert(&r.unit.id, &r.unit);
        }
        if let Err(e) = Hierarchy::new(all.into_values().cloned().collect()) {
            let row = out
                .iter()
                .find(|r| e.to_string().contains(&format!("`{}`", r.unit.id)))
                .and_then(|r| rows_of.get(&r.unit.id).copied())
                .unwrap_or(0);
            problems.add(row, None, e.msg());
        }
    }
    if problems.0.is_empty() {
        Ok(out)
    } else {
        Err(problems.0)
    }
}

/// The columns of a user table; `user_id`, `role` and `scope` are required.
pub const USER_COLUMNS: &[&str] = &["user_id", "name", "role", "scope", "password", "email"];

/// A user read from an imported table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub scope: String,
    /// `None`: the server generates one and reports it once.
    pub password: Option<String>,
    /// Where notifications are e-mailed; empty for none.
    pub email: String,
}

/// What is wrong with an e-mail address, if anything: one `@` between a
/// local part and a domain with a dot, no spaces, at most 254 characters.
/// Empty means no address.
pub fn email_problem(email: &str) -> Option<Msg> {
    let ok = email.is_empty()
        || (email.len() <= 254
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }));
    (!ok).then(|| {
        msg!(
            "users.email",
            "`{email}` is not an e-mail address like name@example.com",
            email = email
        )
    })
}

/// A user name as it is kept and compared: trimmed and in lower case, so
/// `Admin`, `ADMIN` and `admin` are one user.
pub fn canonical_user_id(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// What a user name may be, in words (for refusals).
pub const USER_ID_RULE: &str = "one word of up to 64 lower-case letters, digits, `_`, `-`, `.` or `@`, starting with a letter or digit";

/// A user name in its canonical form ([`canonical_user_id`]): see
/// [`USER_ID_RULE`]. `.` and `..` never pass.
pub fn valid_user_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.' | b'@')
        })
}

/// Passwords people are given must be at least this long.
pub const MIN_PASSWORD: usize = 8;

/// Passwords at the top of the leaked-password lists (in China and
/// elsewhere) that are long enough to pass [`MIN_PASSWORD`]: refused.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "987654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "11223344",
    "123123123",
    "147258369",
    "1qaz2wsx",
    "q1w2e3r4",
    "1q2w3e4r",
    "qwer1234",
    "1234qwer",
    "abcd1234",
    "abc12345",
    "a1234567",
    "aa123456",
    "qwerty123",
    "qwertyuiop",
    "asdfghjk",
    "zxcvbnm1",
    "iloveyou",
    "woaini1314",
    "5201314520",
    "admin123",
    "admin1234",
    "administrator",
    "welcome1",
    "letmein1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "changeme",
    "fieldcheck1",
];

/// What is wrong with a password people are given, if anything: one rule
/// for the command line, the API and imports.
pub fn password_problem(password: &str) -> Option<Msg> {
    if password.trim().chars().count() < MIN_PASSWORD {
        return Some(msg!(
            "users.password_short",
            "a password has at least {min} characters",
            min = MIN_PASSWORD
        ));
    }
    if COMMON_PASSWORDS.contains(&password.to_lowercase().as_str()) {
        return Some(msg!(
            "users.password_common",
            "this password is one of the most common; choose another"
        ));
    }
    None
}

/// Reads users from a table. `taken` says whether a user id is already in
/// use, `unit_exists` whether a scope names a unit (`*` is everything).
pub fn parse_users(
    table: &Table,
    taken: impl Fn(&str) -> bool,
    unit_exists: impl Fn(&str) -> bool,
) -> Result<Vec<NewUser>, Vec<RowProblem>> {
    let mut problems = Problems::default();
    problems.columns(table, USER_COLUMNS, &["user_id", "role", "scope"]);
    let mut out = Vec::new();
    let mut rows_of: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |c: &str| cells.get(c).map(String::as_str);
        let Some(id) = get("user_id").map(canonical_user_id) else {
            problems.add(
                row,
                Some("user_id"),
                msg!("users.id_missing", "every user needs a user_id"),
            );
            continue;
        };
        let id = id.as_str();
        if !valid_user_id(id) {
            problems.add(
                row,
                Some("user_id"),
                msg!(
                    "users.invalid_id",
                    "`{id}` is not a user name: one word of up to 64 lower-case letters, digits, `_`, `-`, `.` or `@`, starting with a letter or digit",
                    id = id
                ),
            );
        } else if taken(id) {
            problems.add(
                row,
                Some("user_id"),
                msg!("users.exists", "`{id}` already exists", id = id),
            );
        }
        if let Some(first) = rows_of.insert(id.to_string(), row) {
            problems.add(
                row,
                Some("user_id"),
                msg!(
                    "rows.duplicate",
                    "`{id}` is also on row {first}",
                    id = id,
                    first = first
                ),
            );
        }
        let role = get("role").and_then(Role::parse);
        if role.is_none() {
            problems.add(
                row,
                Some("role"),
                msg!(
                    "users.role",
                    "the role is one of {names}",
                    names = Role::names()
                ),
            );
        }
        let scope = get("scope").unwrap_or_default();
        if scope != "*" && !unit_exists(scope) {
            problems.add(
                row,
                Some("scope"),
                msg!(
                    "users.scope",
                    "`{scope}` is not a unit of the hierarchy (or `*` for everything)",
                    scope = scope
                ),
            );
        }
        let password = get("password").map(str::to_string);
        if let Some(problem) = password.as_deref().and_then(password_problem) {
            problems.add(row, Some("password"), problem);
        }
        let email = get("email").unwrap_or_default().trim();
        if let Some(problem) = email_problem(email) {
            problems.add(row, Some("email"), problem);
        }
        if let Some(role) = role {
            out.push(NewUser {
                user_id: id.to_string(),
                name: get("name").unwrap_or(id).to_string(),
                role,
                scope: scope.to_string(),
                password,
                email: email.to_string(),
            });
        }
    }
    if table.rows.is_empty() {
        problems.add(0, None, msg!("rows.empty", "the table has no rows"));
    }
    if problems.0.is_empty() {
        Ok(out)
    } else {
        Err(problems.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        Table::from_csv(csv.as_bytes(), "stores.csv").expect("csv")
    }

    const GOOD: &str = "id,parent,level,name_zh,name_en,channel,traffic,lat,lon
cq,,province,重庆,Chongqing,,,,
cq/yz,cq,district,渝中区,Yuzhong,,,,
cq/yz/001,cq/yz,store,解放碑营业厅,Jiefangbei hall,owned_hall,1200,29.56,106.57
";

    #[test]
    fn a_good_table_gives_its_units() {
        let units = parse_units(&table(GOOD), &[]).expect("valid");
        assert_eq!(units.len(), 3);
        let store = &units[2];
        assert_eq!(store.unit.level, Level::Store);
        assert_eq!(store.unit.channel, Some(Channel::OwnedHall));
        assert_eq!(store.unit.traffic, 1200.0);
        assert_eq!(store.unit.time_zone, "Asia/Shanghai");
        assert_eq!((store.lat, store.lon), (Some(29.56), Some(106.57)));
        assert_eq!(units[0].name_en, "Chongqing");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_row_and_column() {
        let bad = "id,parent,level,name_zh,channel,lat,colour
cq,,province,重庆,,,
cq/yz/002,cq/yz,store,店,kiosk,95,red
cq/jb,cq,twon,江北,,,
cq/jb,cq,district,江北,,,
";
        let problems = parse_units(&table(bad), &[]).expect_err("invalid");
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        for want in [
            "colour: unknown column",
            "row 3, channel: `kiosk` is not a channel",
            "row 3, lat: `95` is not a number",
            "row 4, level: `twon` is not one of",
            "row 5, id: `cq/jb` is also on row 4",
        ] {
            assert!(
                shown.iter().any(|s| s.starts_with(want)),
                "{want} in {shown:#?}"
            );
        }
    }

    #[test]
    fn an_import_may_add_stores_under_units_already_stored() {
        let existing: Vec<Unit> = parse_units(&table(GOOD), &[])
            .expect("valid")
            .into_iter()
            .map(|r| r.unit)
            .collect();
        let more =
            "id,parent,level,name_zh,channel\ncq/yz/002,cq/yz,store,较场口营业厅,partner_store\n";
        assert_eq!(
            parse_units(&table(more), &existing).expect("valid").len(),
            1
        );
        let orphan = "id,parent,level,name_zh,channel\ncq/nn/001,cq/nn,store,店,partner_store\n";
        let problems = parse_units(&table(orphan), &existing).expect_err("no parent");
        assert_eq!(problems[0].row, 2, "{problems:?}");
        assert!(problems[0].message.text.contains("cq/nn"), "{problems:?}");
    }

    #[test]
    fn one_password_rule_refuses_short_blank_and_common_passwords() {
        for (bad, why) in [
            ("", "at least 8"),
            ("        ", "at least 8"),
            ("pw", "at least 8"),
            ("password", "most common"),
            ("PASSWORD", "most common"),
            ("12345678", "most common"),
            ("woaini1314", "most common"),
        ] {
            let problem = password_problem(bad).map(|m| m.text).unwrap_or_default();
            assert!(problem.contains(why), "{bad:?}: {problem:?}");
        }
        assert_eq!(password_problem("pw-123456"), None);
        assert_eq!(
            password_problem("巡检员的很长密码"),
            None,
            "characters, not bytes, count"
        );
    }

    #[test]
    fn users_import_reports_every_bad_row_and_imports_nothing() {
        let csv = "user_id,name,role,scope,password,extra,email\n\
                   li,李工,inspector,cq/yz,longenough,,\n\
                   LI,李工,inspector,cq/yz,,,\n\
                   wang,,boss,cq/nowhere,short,,wang@\n\
                   two words,,manager,*,,,\n\
                   old,,manager,*,,,\n\
                   zhao,,inspector,cq/yz,password,,zhao at example.com\n";
        let table = Table::from_csv(csv.as_bytes(), "users.csv").expect("csv");
        let problems = parse_users(&table, |id| id == "old", |u| u == "cq/yz").expect_err("bad");
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "extra: unknown column; the columns are user_id, name, role, scope, password, email",
                "row 3, user_id: `li` is also on row 2",
                "row 4, role: the role is one of admin, manager, inspector, surveyor, store_staff",
                "row 4, scope: `cq/nowhere` is not a unit of the hierarchy (or `*` for everything)",
                "row 4, password: a password has at least 8 characters",
                "row 4, email: `wang@` is not an e-mail address like name@example.com",
                "row 5, user_id: `two words` is not a user name: one word of up to 64 lower-case letters, digits, `_`, `-`, `.` or `@`, starting with a letter or digit",
                "row 6, user_id: `old` already exists",
                "row 7, password: this password is one of the most common; choose another",
                "row 7, email: `zhao at example.com` is not an e-mail address like name@example.com",
            ]
        );

        let csv = "user_id,name,role,scope,password,email\nli,李工,inspector,cq/yz,, li@example.com \nadmin2,,admin,*,a-long-secret,\n";
        let table = Table::from_csv(csv.as_bytes(), "users.csv").expect("csv");
        let users = parse_users(&table, |_| false, |u| u == "cq/yz").expect("valid");
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].name, "李工");
        assert_eq!(users[0].password, None);
        assert_eq!(users[0].email, "li@example.com", "trimmed");
        assert_eq!(users[1].email, "", "no address");
        assert_eq!(users[1].name, "admin2", "the name defaults to the id");
        assert_eq!(users[1].role, Role::Admin);
    }
}
