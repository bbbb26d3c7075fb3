//! `fieldcheck-server demo`: fills an empty database with a realistic
//! province. Three cities, eight districts and 200 outlets of every channel
//! type; inspectors, surveyors and managers; and a year of overt audits,
//! mystery visits, hotline test calls and intercept surveys. Scores are
//! plausible: stores differ, partner stores trail owned halls, a few stores
//! are weak, service dips around the Spring Festival and improves over the
//! year, and each checklist has weak spots that fail more often. Everything
//! is generated from a fixed seed, so two demo databases are identical but
//! for their timestamps.

use std::collections::BTreeMap;
use std::io::Write;

use automerge::AutoCommit;
use fieldcheck_core::answers::{
    AnswerValue, Answers, GeoPoint, MediaRef, check_value, meets_constraint, passes_rule,
};
use fieldcheck_core::hotline::{
    CallInterval, CallStats, DEFAULT_SHORT_ABANDON_S, DEFAULT_THRESHOLD_S,
};
use fieldcheck_core::ratings::Period;
use fieldcheck_core::records::{Actor, NewAction, Record, RecordError};
use fieldcheck_core::refdata::{Assignment, DocKind};
use fieldcheck_core::scorecard::{CaseRecord, Entry};
use fieldcheck_core::table::Table;
use fieldcheck_core::templates::{AnswerType, Format, Template, TemplateKind};
use fieldcheck_core::vocab::{Channel, Role, VisitMode};

use crate::draw::Rng;
use crate::materialise;
use crate::services::auth;
use crate::services::units;
use crate::store::docs::{self, DocCache};
use crate::store::hotline::put_intervals;
use crate::store::scorecards;
use crate::store::templates::Templates;
use crate::store::{Storage, UserRow};
use crate::sync::refdocs;

const DAY_MS: i64 = 86_400_000;

/// The shipped templates, so the demo needs no files.
const TEMPLATES: [&str; 6] = [
    include_str!("../../templates/owned_hall_audit.toml"),
    include_str!("../../templates/owned_hall_mystery.toml"),
    include_str!("../../templates/partner_store_audit.toml"),
    include_str!("../../templates/hotline_test_call.toml"),
    include_str!("../../templates/echannel_check.toml"),
    include_str!("../../templates/intercept_survey.toml"),
];

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Outlets per district (25 gives the full 200).
    pub stores_per_district: usize,
    /// Months of history, ending now.
    pub months: i64,
}

impl Default for Size {
    fn default() -> Self {
        Size {
            stores_per_district: 25,
            months: 12,
        }
    }
}

/// A stable number in [0, 1) from a text, for per-item difficulty.
fn hash01(s: &str) -> f64 {
    let h = blake3::hash(s.as_bytes());
    let b = h.as_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64 / u32::MAX as f64
}

struct City {
    id: &'static str,
    zh: &'static str,
    en: &'static str,
    lat: f64,
    lon: f64,
    districts: &'static [(&'static str, &'static str, &'static str)],
}

const CITIES: [City; 3] = [
    City {
        id: "cd",
        zh: "成都",
        en: "Chengdu",
        lat: 30.66,
        lon: 104.06,
        districts: &[
            ("jj", "锦江区", "Jinjiang"),
            ("qy", "青羊区", "Qingyang"),
            ("wh", "武侯区", "Wuhou"),
            ("gx", "高新区", "Gaoxin"),
        ],
    },
    City {
        id: "my",
        zh: "绵阳",
        en: "Mianyang",
        lat: 31.47,
        lon: 104.68,
        districts: &[("fc", "涪城区", "Fucheng"), ("yx", "游仙区", "Youxian")],
    },
    City {
        id: "ls",
        zh: "乐山",
        en: "Leshan",
        lat: 29.55,
        lon: 103.77,
        districts: &[("sz", "市中区", "Shizhong"), ("em", "峨眉山市", "Emeishan")],
    },
];

/// The channel of the n-th outlet of a district: mostly partner stores and
/// owned halls, a club, a hotline and an e-channel.
fn channel_of(n: usize) -> Channel {
    match n % 25 {
        0..=6 => Channel::OwnedHall,
        7..=20 => Channel::PartnerStore,
        21 | 22 => Channel::Club,
        23 => Channel::Hotline,
        _ => Channel::Echannel,
    }
}

fn channel_names(c: Channel) -> (&'static str, &'static str) {
    match c {
        Channel::OwnedHall => ("营业厅", "business hall"),
        Channel::PartnerStore => ("合作营业厅", "partner store"),
        Channel::Club => ("俱乐部", "club"),
        Channel::Hotline => ("客服热线", "hotline"),
        Channel::Echannel => ("网上营业厅", "e-channel"),
    }
}

struct Store {
    id: String,
    city: &'static str,
    channel: Channel,
    quality: f64,
    location: GeoPoint,
}

/// The hierarchy as an import table, and the stores with their latent quality.
fn hierarchy(size: Size, rng: &mut Rng) -> (String, Vec<Store>) {
    let mut csv = String::from("id,parent,level,name_zh,name_en,channel,traffic,lat,lon,address\n");
    csv.push_str("sc,,province,四川省,Sichuan,,,,,\n");
    let mut stores = Vec::new();
    for city in &CITIES {
        csv.push_str(&format!(
            "sc/{0},sc,city,{1}市,{2},,,,,\n",
            city.id, city.zh, city.en
        ));
        for (d, dzh, den) in city.districts {
            let district = format!("sc/{}/{d}", city.id);
            csv.push_str(&format!(
                "{district},sc/{},district,{dzh},{den},,,,,\n",
                city.id
            ));
            for n in 0..size.stores_per_district {
                let channel = channel_of(n);
                let (czh, cen) = channel_names(channel);
                let id = format!("{district}/{:03}", n + 1);
                let traffic = match channel {
                    Channel::OwnedHall => 800.0 + 1_200.0 * rng.unit(),
                    Channel::PartnerStore => 150.0 + 350.0 * rng.unit(),
                    Channel::Club => 100.0 + 100.0 * rng.unit(),
                    Channel::Hotline => 3_000.0,
                    Channel::Echannel => 5_000.0,
                };
                let (lat, lon) = (
                    city.lat + 0.2 * (rng.unit() - 0.5),
                    city.lon + 0.2 * (rng.unit() - 0.5),
                );
                csv.push_str(&format!(
                    "{id},{district},store,{dzh}{czh}{:02},{den} {cen} {:02},{},{traffic:.0},{lat:.5},{lon:.5},{dzh}{}号\n",
                    n + 1,
                    n + 1,
                    channel.as_str(),
                    10 + n * 7,
                ));
                let mut quality = 0.80 + 0.15 * rng.unit();
                if channel == Channel::PartnerStore {
                    quality -= 0.05;
                }
                if rng.chance(0.06) {
                    quality -= 0.18;
                }
                stores.push(Store {
                    id,
                    city: city.id,
                    channel,
                    quality,
                    location: GeoPoint {
                        lat,
                        lon,
                        accuracy_m: Some(15.0),
                    },
                });
            }
        }
    }
    (csv, stores)
}

/// What a store's service is like in a given month (0 = a year ago):
/// improving over the year, with a dip around the Spring Festival.
fn quality_in(store: &Store, month: i64, month_of_year: i8) -> f64 {
    let trend = 0.03 * month as f64 / 12.0;
    let festival = if month_of_year == 2 { -0.05 } else { 0.0 };
    (store.quality + trend + festival).clamp(0.3, 0.99)
}

/// A plausible answer to `item` at a visit of quality `q`, or `None` to
/// leave it unanswered.
fn answer_for(
    t: &Template,
    item: &fieldcheck_core::templates::Item,
    given: &Answers,
    q: f64,
    at_ms: i64,
    store: &Store,
    rng: &mut Rng,
) -> Option<AnswerValue> {
    // Each checklist has weak spots: items that fail far more often.
    let difficulty = hash01(&format!("{}:{}", t.id, item.id));
    let weak = if difficulty > 0.85 { 0.25 } else { 0.0 };
    // Knock-out items are the ones staff are drilled on: they rarely fail.
    let drilled = if item.scoring.as_ref().is_some_and(|s| s.critical.is_some()) {
        0.12
    } else {
        0.0
    };
    let good = rng.chance((q - weak + drilled + 0.1 * (difficulty - 0.5)).clamp(0.05, 0.995));
    let level = |lo: f64, hi: f64, rng: &mut Rng| {
        let x = (q + 0.25 * (rng.unit() - 0.5)).clamp(0.0, 1.0);
        (lo + (hi - lo) * x).round()
    };
    let when = jiff::Timestamp::from_millisecond(at_ms).ok()?;
    Some(match &item.answer {
        AnswerType::PassFail => {
            if item.allow_na && rng.chance(0.03) {
                AnswerValue::NotApplicable
            } else if good {
                AnswerValue::Pass
            } else {
                AnswerValue::Fail
            }
        }
        AnswerType::Partial => {
            AnswerValue::Fraction(if good { 1.0 } else { [0.0, 0.5][rng.below(2)] })
        }
        AnswerType::Scale { min, max, .. } => AnswerValue::Number(level(*min, *max, rng)),
        AnswerType::Touchpoint => AnswerValue::Number(level(1.0, 5.0, rng)),
        AnswerType::Recommend => AnswerValue::Number(level(0.0, 10.0, rng)),
        AnswerType::SingleChoice(choices) => {
            let c = if good { 0 } else { rng.below(choices.len()) };
            AnswerValue::Choice(choices.get(c)?.value.clone())
        }
        // Most of the list when service is good, one or two things when not.
        AnswerType::MultipleChoice(choices) => {
            let all = choices.len();
            let n = if good {
                all.saturating_sub(rng.below(2)).max(1)
            } else {
                1 + rng.below(2)
            };
            AnswerValue::Choices(
                choices
                    .iter()
                    .take(n.min(choices.len()))
                    .map(|c| c.value.clone())
                    .collect(),
            )
        }
        AnswerType::Number {
            pass_if: Some(_), ..
        }
        | AnswerType::Duration { pass_if: Some(_) } => measured(item, given, at_ms, good, rng)?,
        AnswerType::Number {
            min, max, integer, ..
        } => {
            let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(10.0));
            let x = lo + (hi - lo) * rng.unit();
            AnswerValue::Number(if *integer { x.round() } else { x })
        }
        AnswerType::Duration { pass_if: None } => AnswerValue::Number((30 + rng.below(300)) as f64),
        AnswerType::Date => {
            AnswerValue::Text(when.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
        }
        AnswerType::Time => {
            AnswerValue::Text(format!("{:02}:{:02}", 9 + rng.below(9), rng.below(60)))
        }
        AnswerType::DateTime => AnswerValue::Text(when.to_string()),
        AnswerType::Text => {
            if !item.required && rng.chance(0.7) {
                return None;
            }
            AnswerValue::Text(
                [
                    "服务热情，流程规范。",
                    "等候时间偏长。",
                    "宣传资料摆放整齐。",
                ][rng.below(3)]
                .into(),
            )
        }
        AnswerType::Photo | AnswerType::Signature => {
            if !item.required {
                return None;
            }
            let bytes = format!("demo {} {} {at_ms}", store.id, item.id);
            AnswerValue::Media(vec![MediaRef {
                hash: blake3::hash(bytes.as_bytes()).to_hex().to_string(),
                mime: "image/jpeg".into(),
                size: bytes.len() as u64,
            }])
        }
        AnswerType::Location => AnswerValue::Location(store.location.clone()),
        // The demo's records carry no recordings or other files.
        AnswerType::Audio | AnswerType::Video | AnswerType::File => return None,
        AnswerType::Note | AnswerType::Calculate(_) => return None,
    })
}

/// A respondent's 100 points of importance over the template's split items.
fn importance_split<'t>(t: &'t Template, rng: &mut Rng) -> BTreeMap<&'t str, f64> {
    let items: Vec<&str> = t
        .analysis
        .importance_split
        .values()
        .map(String::as_str)
        .collect();
    let weights: Vec<f64> = items.iter().map(|_| 0.5 + rng.unit()).collect();
    let sum: f64 = weights.iter().sum();
    let mut left = 100.0;
    let mut out = BTreeMap::new();
    for (i, (item, w)) in items.iter().zip(&weights).enumerate() {
        let points = if i + 1 == items.len() {
            left
        } else {
            (100.0 * w / sum).floor()
        };
        left -= points;
        out.insert(*item, points);
    }
    out
}

/// A measurement (a waiting time, a count) on the passing or the failing
/// side of the item's own rule, whatever that rule is.
fn measured(
    item: &fieldcheck_core::templates::Item,
    given: &Answers,
    started: i64,
    good: bool,
    rng: &mut Rng,
) -> Option<AnswerValue> {
    // Fixed steps, and steps relative to the numbers answered so far (a
    // rule like "at least 98% of the forms sampled").
    let relative = given.values().filter_map(|v| match v {
        AnswerValue::Number(n) => Some([*n, n - 1.0, (0.9 * n).round(), (0.5 * n).round()]),
        _ => None,
    });
    let candidates: Vec<AnswerValue> = [
        1.0, 3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 240.0, 300.0,
        420.0, 600.0, 900.0,
    ]
    .into_iter()
    .chain(relative.flatten())
    .map(AnswerValue::Number)
    .filter(|v| check_value(item, v).is_ok() && meets_constraint(item, v, given, Some(started)))
    .collect();
    let side: Vec<&AnswerValue> = candidates
        .iter()
        .filter(|v| passes_rule(item, v, given, Some(started)) == Some(good))
        .collect();
    let pick = if side.is_empty() {
        candidates.get(rng.below(candidates.len()))?
    } else {
        side[rng.below(side.len())]
    };
    Some(pick.clone())
}

/// Who does what in the demo.
struct People {
    inspectors: BTreeMap<&'static str, Vec<String>>,
    surveyors: BTreeMap<&'static str, Vec<String>>,
    managers: BTreeMap<&'static str, String>,
}

/// The store-staff user who answers for corrective actions in a district.
fn staff_of(store_id: &str) -> String {
    let district = store_id.rsplit('/').nth(1).unwrap_or("store");
    format!("staff.{district}")
}

fn who(user: &str, role: Role, now_ms: i64) -> Actor {
    Actor {
        user: user.into(),
        role,
        device: format!("{user}-demo"),
        now_ms,
    }
}

/// Counts for the summary.
#[derive(Debug, Default)]
pub struct Summary {
    pub units: usize,
    pub users: usize,
    pub records: usize,
    pub assignments: usize,
    pub password: String,
    pub generated_password: bool,
}

/// Fills the database; refuses one that already holds stores or documents.
pub async fn fill(
    storage: &Storage,
    password: Option<String>,
    size: Size,
    now_ms: i64,
    out: &mut dyn Write,
) -> anyhow::Result<Summary> {
    if !storage.is_empty().await? {
        anyhow::bail!(
            "the database already has stores or records; the demo fills only an empty one"
        );
    }
    let mut rng = Rng(20_261_123);
    let mut summary = Summary::default();
    let cache = DocCache::new(storage.clone(), 500);

    // Templates.
    let mut templates = Vec::new();
    for src in TEMPLATES {
        let t = Template::load(src, Format::Toml)
            .map_err(|e| anyhow::anyhow!("a shipped template is invalid: {e:?}"))?;
        refdocs::publish(&cache, &t, now_ms, "demo").await?;
        templates.push(t);
    }
    let by_id = |id: &str| templates.iter().find(|t| t.id == id);

    // The hierarchy.
    let (csv, stores) = hierarchy(size, &mut rng);
    let table = Table::from_csv(csv.as_bytes(), "demo").map_err(|e| anyhow::anyhow!(e))?;
    summary.units = units::import(&cache, &table, now_ms, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo hierarchy: {e}"))?
        .units;

    // People: the four documented log-ins first.
    let (password, generated) = match password {
        Some(p) => (p, false),
        None => (auth::generate_password()?, true),
    };
    let hash = auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut people = People {
        inspectors: BTreeMap::new(),
        surveyors: BTreeMap::new(),
        managers: BTreeMap::new(),
    };
    let mut users: Vec<(String, Role, String)> = vec![
        ("admin".into(), Role::Admin, "*".into()),
        ("manager".into(), Role::Manager, "sc/cd".into()),
        ("inspector".into(), Role::Inspector, "sc/cd".into()),
        ("surveyor".into(), Role::Surveyor, "sc/cd".into()),
        ("province".into(), Role::Manager, "sc".into()),
    ];
    people.managers.insert("cd", "manager".into());
    people
        .inspectors
        .insert("cd", vec!["inspector".into(), "inspector.cd2".into()]);
    people.surveyors.insert("cd", vec!["surveyor".into()]);
    users.push(("inspector.cd2".into(), Role::Inspector, "sc/cd".into()));
    for city in ["my", "ls"] {
        let (m, i, s) = (
            format!("manager.{city}"),
            format!("inspector.{city}"),
            format!("surveyor.{city}"),
        );
        users.push((m.clone(), Role::Manager, format!("sc/{city}")));
        users.push((i.clone(), Role::Inspector, format!("sc/{city}")));
        users.push((s.clone(), Role::Surveyor, format!("sc/{city}")));
        people.managers.insert(city, m);
        people.inspectors.insert(city, vec![i]);
        people.surveyors.insert(city, vec![s]);
    }
    // People have names, as they do in the console.
    let mut names: BTreeMap<String, String> = [
        ("admin", "系统管理员"),
        ("manager", "王芳"),
        ("inspector", "李明"),
        ("surveyor", "张丽"),
        ("province", "陈刚"),
        ("inspector.cd2", "刘洋"),
        ("manager.my", "赵磊"),
        ("inspector.my", "孙杰"),
        ("surveyor.my", "周敏"),
        ("manager.ls", "吴强"),
        ("inspector.ls", "郑涛"),
        ("surveyor.ls", "冯静"),
    ]
    .into_iter()
    .map(|(id, name)| (id.to_string(), name.to_string()))
    .collect();
    for city in &CITIES {
        for (d, zh, _) in city.districts {
            let scope = format!("sc/{}/{d}", city.id);
            let staff = staff_of(&format!("{scope}/x"));
            names.insert(staff.clone(), format!("{zh}店长"));
            users.push((staff, Role::StoreStaff, scope));
        }
    }
    for (id, role, scope) in &users {
        let row = UserRow {
            user_id: id.clone(),
            password_hash: hash.clone(),
            role: role.as_str().into(),
            scope: scope.clone(),
            name: names.get(id).cloned().unwrap_or_else(|| id.clone()),
            email: String::new(),
        };
        storage.add_user(&row, now_ms).await?;
    }
    summary.users = users.len();
    summary.assignments = assign(&cache, &people, now_ms).await?;

    // A year of visits.
    let start = now_ms - size.months * 30 * DAY_MS;
    let mut planned: Vec<(i64, usize, &Template)> = Vec::new();
    for (s, store) in stores.iter().enumerate() {
        let plan: Vec<(&str, i64)> = match store.channel {
            Channel::OwnedHall => vec![
                ("owned_hall_audit", 30),
                ("owned_hall_mystery", 90),
                ("intercept_survey", 10),
            ],
            Channel::PartnerStore => vec![("partner_store_audit", 60)],
            Channel::Club => vec![("partner_store_audit", 90)],
            Channel::Hotline => vec![("hotline_test_call", 10)],
            Channel::Echannel => vec![("echannel_check", 30)],
        };
        for (template, every_days) in plan {
            let Some(t) = by_id(template) else { continue };
            let mut at = start + (rng.below(every_days as usize) as i64) * DAY_MS;
            while at < now_ms - DAY_MS {
                // Office hours, local time (UTC+8).
                let at_visit = at - at.rem_euclid(DAY_MS) + (1 + rng.below(9) as i64) * 3_600_000;
                planned.push((at_visit, s, t));
                at += every_days * DAY_MS;
            }
        }
    }
    planned.sort_by_key(|(at, s, t)| (*at, *s, t.id.clone()));
    let total = planned.len();
    writeln!(
        out,
        "generating {total} records for {} stores",
        stores.len()
    )?;
    let mut shown = 0;
    for (n, (at, s, t)) in planned.into_iter().enumerate() {
        let store = &stores[s];
        let id = format!("demo-{}-{n:05}", store.id.replace('/', "."));
        if let Some(mut doc) = visit(&people, store, t, &id, at, now_ms, &mut rng)? {
            docs::store(storage, &id, &mut doc, &[], at, None).await?;
            summary.records += 1;
        }
        if (n + 1) * 10 / total.max(1) > shown {
            shown = (n + 1) * 10 / total.max(1);
            writeln!(out, "  {} of {total}", n + 1)?;
        }
    }

    let calls = call_statistics(&stores, size, now_ms, &mut rng);
    writeln!(
        out,
        "call-centre statistics: {} hourly intervals of the hotlines",
        calls.len()
    )?;
    let (entries, cases) = scorecard_register(now_ms, &mut rng);
    writeln!(
        out,
        "scorecards: {} entered figures, {} service cases",
        entries.len(),
        cases.len()
    )?;
    let mut tx = storage.pool().begin().await?;
    put_intervals(&mut tx, &calls, "demo", now_ms).await?;
    scorecards::put_entries(&mut tx, &entries, "demo", now_ms).await?;
    scorecards::put_cases(&mut tx, &cases, "demo", now_ms).await?;
    tx.commit().await?;

    writeln!(out, "deriving tables and ratings")?;
    materialise::catch_up(storage, &cache, &Templates::default(), |_, _| {}).await?;
    summary.password = password;
    summary.generated_password = generated;
    Ok(summary)
}

/// Months of call-centre statistics the demo's hotlines get, ending yesterday.
const CALL_MONTHS: i64 = 3;

/// Hourly switch statistics for every hotline, 08:00 to 22:00 local time,
/// for the last [`CALL_MONTHS`] months: busier late morning and mid
/// afternoon, weaker hotlines slower to answer, and the busiest hours of a
/// weak hotline well below the 85% in 20 s.
fn call_statistics(stores: &[Store], size: Size, now_ms: i64, rng: &mut Rng) -> Vec<CallInterval> {
    let today = jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    let days = 30 * CALL_MONTHS.min(size.months);
    let mut out = Vec::new();
    for store in stores.iter().filter(|s| s.channel == Channel::Hotline) {
        for back in (1..=days).rev() {
            let Ok(day) = today.checked_sub(jiff::Span::new().days(back)) else {
                continue;
            };
            let weekend = matches!(
                day.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            );
            for hour in 8..22_i8 {
                let peak = match hour {
                    10 | 11 | 15 | 16 => 1.6,
                    9 | 14 | 17 => 1.2,
                    19..=21 => 0.6,
                    _ => 1.0,
                };
                let load = peak * if weekend { 0.7 } else { 1.0 };
                let offered = (60.0 * load * (0.8 + 0.4 * rng.unit())).round() as u64;
                // Quality 0.62-0.95: the weaker the hotline and the busier the
                // hour, the more callers wait and give up.
                let strain = (0.95 - store.quality).max(0.0) * 2.0 + (load - 1.0).max(0.0) * 0.15;
                let abandoned =
                    ((offered as f64) * (0.02 + 0.2 * strain) * (0.5 + rng.unit())).round() as u64;
                let abandoned = abandoned.min(offered);
                let answered = offered - abandoned;
                let in_time = (0.97 - 0.45 * strain - 0.04 * rng.unit()).clamp(0.3, 1.0);
                let answered_within = ((answered as f64) * in_time).round() as u64;
                let abandoned_within = ((abandoned as f64) * 0.4).round() as u64;
                let abandoned_short = ((abandoned as f64) * 0.15).round() as u64;
                let calls_in = offered * 5 / 2 + rng.below(20) as u64;
                let talk_s = answered as f64 * (150.0 + 60.0 * rng.unit());
                let wrap_s = answered as f64 * (20.0 + 20.0 * rng.unit());
                let scheduled = ((talk_s + wrap_s) / 3600.0 / 0.82).ceil().max(1.0) as u64;
                let signed_in = if rng.chance(0.1) {
                    scheduled.saturating_sub(1).max(1)
                } else {
                    scheduled
                };
                let signed_in_s = (signed_in as f64 * 3600.0).max((talk_s + wrap_s) / 0.95);
                let responses = answered * 3 / 10;
                let satisfied = ((responses as f64)
                    * (0.80 + 0.15 * store.quality + 0.03 * rng.unit()).min(1.0))
                .round() as u64;
                let fcr_total = answered / 2;
                let fcr_resolved =
                    ((fcr_total as f64) * (0.70 + 0.15 * store.quality)).round() as u64;
                out.push(CallInterval {
                    hotline: store.id.clone(),
                    start: day.at(hour, 0, 0, 0),
                    minutes: 60,
                    threshold_s: DEFAULT_THRESHOLD_S,
                    short_s: DEFAULT_SHORT_ABANDON_S,
                    stats: CallStats {
                        intervals: 1,
                        calls_in: Some(calls_in),
                        system_connected: Some(calls_in - u64::from(rng.chance(0.3))),
                        offered,
                        answered,
                        answered_within,
                        abandoned,
                        abandoned_within: Some(abandoned_within),
                        abandoned_short: Some(abandoned_short),
                        talk_s: Some(talk_s.round()),
                        wrap_s: Some(wrap_s.round()),
                        signed_in_s: Some(signed_in_s.ceil()),
                        agents_scheduled: Some(scheduled),
                        agents_signed_in: Some(signed_in),
                        survey_responses: Some(responses),
                        survey_satisfied: Some(satisfied.min(responses)),
                        fcr_total: Some(fcr_total),
                        fcr_resolved: Some(fcr_resolved.min(fcr_total)),
                    },
                });
            }
        }
    }
    out
}

/// What the operator gives the scorecards: service integration and
/// retention for every city and district, this year and last and each of
/// the last twelve months, and a few
/// service cases this year (one escalated complaint closed late, one in time).
fn scorecard_register(now_ms: i64, rng: &mut Rng) -> (Vec<Entry>, Vec<CaseRecord>) {
    let today = jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let year = today.year();
    let mut entries = Vec::new();
    for city in &CITIES {
        let mut units = vec![format!("sc/{}", city.id)];
        units.extend(
            city.districts
                .iter()
                .map(|(d, _, _)| format!("sc/{}/{d}", city.id)),
        );
        for unit in units {
            // The two years, and each month of the last twelve (for the
            // monthly bulletin).
            let months = (0..12).filter_map(|back| {
                let d = today.checked_sub(jiff::Span::new().months(back)).ok()?;
                Some(Period::Month {
                    year: d.year(),
                    month: d.month(),
                })
            });
            for period in [Period::Year(year - 1), Period::Year(year)]
                .into_iter()
                .chain(months)
            {
                for indicator in ["integration", "retention"] {
                    entries.push(Entry {
                        unit: unit.clone(),
                        period,
                        indicator: indicator.into(),
                        value: (70.0 + 28.0 * rng.unit()).round(),
                    });
                }
            }
        }
    }
    let day = |month: i8, d: i8| jiff::civil::Date::new(year, month, d).ok();
    let case = |id: &str, unit: &str, kind: &str, on, deadline, closed, text: &str| {
        Some(CaseRecord {
            id: id.into(),
            unit: unit.into(),
            kind: kind.into(),
            date: on?,
            points: None,
            deadline,
            closed,
            description: text.into(),
        })
    };
    let cases = [
        case(
            "demo-c1",
            "sc/my",
            "media_exposure",
            day(3, 12),
            None,
            None,
            "强行定制增值业务经电视台报道",
        ),
        case(
            "demo-c2",
            "sc/cd/jj",
            "company_fault",
            day(5, 8),
            None,
            None,
            "错误扣费，公司责任",
        ),
        case(
            "demo-c3",
            "sc/cd/wh",
            "escalation_overdue",
            day(6, 2),
            day(6, 9),
            day(6, 15),
            "越级投诉，超时办结",
        ),
        case(
            "demo-c4",
            "sc/ls/sz",
            "escalation_overdue",
            day(7, 20),
            day(7, 27),
            day(7, 25),
            "越级投诉，按时办结",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    (entries, cases)
}

/// This month's work: every inspector audits the halls of their city openly
/// and visits one covertly; every surveyor intercepts 20 customers a day.
async fn assign(cache: &DocCache, people: &People, now_ms: i64) -> anyhow::Result<usize> {
    let today = jiff::Timestamp::from_millisecond(now_ms)?
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai")?)
        .date();
    let (starts_on, ends_on) = (
        today.first_of_month().to_string(),
        today.last_of_month().to_string(),
    );
    let mut n = 0;
    for city in &CITIES {
        let unit = format!("sc/{}", city.id);
        let first_district = format!("{unit}/{}", city.districts[0].0);
        let work = people
            .inspectors
            .get(city.id)
            .into_iter()
            .flatten()
            .flat_map(|i| {
                [
                    (i, "owned_hall_audit", VisitMode::Overt, unit.clone(), None),
                    (
                        i,
                        "owned_hall_mystery",
                        VisitMode::Mystery,
                        first_district.clone(),
                        None,
                    ),
                    (
                        i,
                        "hotline_test_call",
                        VisitMode::TestCall,
                        unit.clone(),
                        None,
                    ),
                ]
            })
            .chain(
                people
                    .surveyors
                    .get(city.id)
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        (
                            s,
                            "intercept_survey",
                            VisitMode::Intercept,
                            first_district.clone(),
                            Some(20),
                        )
                    }),
            );
        for (who, template, mode, unit_id, daily_quota) in work {
            n += 1;
            let a = Assignment {
                kind: DocKind::Assignment,
                assignment_id: format!("demo-{n:03}"),
                assignee: who.clone(),
                template_id: template.into(),
                mode,
                unit_id,
                starts_on: starts_on.clone(),
                ends_on: ends_on.clone(),
                visits: 1,
                daily_quota,
                note: String::new(),
                cancelled: false,
                created_by: people.managers.get(city.id).cloned().unwrap_or_default(),
                updated_at: now_ms,
            };
            refdocs::put_assignment(cache, &a, None).await?;
        }
    }
    Ok(n)
}

/// One visit as a finished record document, or `None` when the generated
/// answers do not make a complete record.
fn visit(
    people: &People,
    store: &Store,
    t: &Template,
    id: &str,
    at: i64,
    now_ms: i64,
    rng: &mut Rng,
) -> anyhow::Result<Option<AutoCommit>> {
    let month = (at - (now_ms - 365 * DAY_MS)).max(0) / (30 * DAY_MS);
    let month_of_year = jiff::Timestamp::from_millisecond(at)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .month();
    let q = quality_in(store, month, month_of_year);
    let (pool, role) = if t.kind == TemplateKind::Questionnaire {
        (&people.surveyors, Role::Surveyor)
    } else {
        (&people.inspectors, Role::Inspector)
    };
    let Some(authors) = pool.get(store.city) else {
        return Ok(None);
    };
    let author = &authors[rng.below(authors.len())];
    let manager = &people.managers[store.city];
    let mut clock = at;
    let mut tick = |rng: &mut Rng| {
        clock += 20_000 + rng.below(60_000) as i64;
        clock
    };
    let mut r = Record::create(t, id, &store.id, &who(author, role, at))?;
    let split = importance_split(t, rng);
    let mut given = Answers::new();
    for (_, item) in t.items() {
        let value = match split.get(item.id.as_str()) {
            Some(points) => Some(AnswerValue::Number(*points)),
            None => answer_for(t, item, &given, q, at, store, rng),
        };
        let Some(v) = value else {
            continue;
        };
        given.insert(item.id.clone(), v.clone());
        let note = matches!(v, AnswerValue::Fail)
            .then(|| ["现场已提醒整改。", "店长已知悉。", "需复查。"][rng.below(3)].to_string());
        // Irrelevant or out-of-range answers are simply left out.
        let _ = r.answer(t, &who(author, role, tick(rng)), &item.id, v, note);
    }
    if t.mode != VisitMode::Mystery && t.kind == TemplateKind::Checklist {
        let _ = r.stamp_location(t, &who(author, role, tick(rng)), store.location.clone());
    }
    let submit_at = tick(rng);
    if let Err(RecordError::Incomplete(problems)) = r.submit(t, &who(author, role, submit_at)) {
        // A pass/fail item tied to another answer by a constraint: the
        // other outcome is the consistent one.
        for p in &problems {
            let current = r.state()?.answers.get(p.item()).map(|a| a.value.clone());
            let flipped = match current {
                Some(AnswerValue::Pass) => AnswerValue::Fail,
                Some(AnswerValue::Fail) => AnswerValue::Pass,
                _ => continue,
            };
            let _ = r.answer(t, &who(author, role, submit_at), p.item(), flipped, None);
        }
        if r.submit(t, &who(author, role, submit_at)).is_err() {
            return Ok(None);
        }
    }
    if t.kind == TemplateKind::Questionnaire {
        return Ok(Some(r.into_doc()));
    }
    // Review: older visits are settled, the last weeks still in the queue.
    let age_days = (now_ms - at) / DAY_MS;
    let reviewer = |ms| who(manager, Role::Manager, ms);
    let review_at = at + (1 + rng.below(3) as i64) * DAY_MS;
    if age_days > 21 {
        if rng.chance(0.06) {
            r.return_for_changes(&reviewer(review_at), "请补充现场照片并说明整改情况。")?;
            r.submit(t, &who(author, role, review_at + DAY_MS))?;
        }
        // Corrective actions on a failed item of recent, approved visits.
        let failed = r
            .state()?
            .answers
            .into_iter()
            .find_map(|(id, a)| matches!(a.value, AnswerValue::Fail).then_some(id));
        r.approve(&reviewer(review_at + 2 * DAY_MS))?;
        if age_days < 120
            && let Some(item) = failed
        {
            let due = jiff::Timestamp::from_millisecond(review_at + 16 * DAY_MS)?
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .to_string();
            let staff = staff_of(&store.id);
            let action = NewAction {
                item,
                description: "按渠道标准整改并拍照留存。".into(),
                assignee: staff.clone(),
                due,
            };
            let id = r.open_action(t, &reviewer(review_at + 2 * DAY_MS + 60_000), action)?;
            if age_days > 45 {
                r.complete_action(&who(&staff, Role::StoreStaff, review_at + 10 * DAY_MS), &id)?;
                if rng.chance(0.7) {
                    r.verify_action(&reviewer(review_at + 14 * DAY_MS), &id, None)?;
                }
            }
        }
    } else if age_days > 7 && rng.chance(0.25) {
        r.return_for_changes(&reviewer(review_at), "第3项请补充说明。")?;
    }
    Ok(Some(r.into_doc()))
}
