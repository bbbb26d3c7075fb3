//! The monthly bulletin (月通报): for a unit and a month, in zh-CN or en,
//! the scorecard league table of the units below it, their channel
//! compliance ranking with intervals and significant changes, the weakest
//! standards, the hotline KPIs, the satisfaction indices with their bands
//! and the corrective actions opened, closed and overdue. Generated when
//! first asked for and kept per month (a manager may generate it again);
//! printed from HTML, or downloaded as XLSX.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use fieldcheck_core::hotline::KpiId;
use fieldcheck_core::i18n::{Bilingual, Locale};
use fieldcheck_core::msg;
use fieldcheck_core::ratings::Period;
use fieldcheck_core::records::ActionStatus;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::reference::{DEFAULT_TIME_ZONE, UnitRecord};
use fieldcheck_core::scoring::Band;
use serde::{Deserialize, Serialize};

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::pdf::{Block, Doc, PdfFont};
use crate::services::hotline::{self, KpiRequest};
use crate::services::ratings::{self, RatingRequest, managers_only};
use crate::services::report::esc;
use crate::services::scorecards::{self, ScorecardRequest};
use crate::state::{AppState, now_ms};
use crate::store::actions::ActionFilter;
use crate::store::{bulletins, units};

/// One table of the bulletin, its words already in the bulletin's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// What a reader must know to read it (open indicators, no data).
    pub note: Option<String>,
}

/// A bulletin as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bulletin {
    pub unit: String,
    pub unit_name: String,
    pub month: String,
    pub lang: String,
    pub generated_at: i64,
    pub generated_by: String,
    pub sections: Vec<Section>,
}

fn w(locale: Locale, zh: &str, en: &str) -> String {
    Bilingual::new(zh, en).get(locale).to_string()
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn num(x: f64) -> String {
    format!("{x:.1}")
}

/// The bulletin of `unit` for `month` in `locale`: the kept one, or a new
/// one (kept) when there is none or `regenerate` is asked.
pub async fn get(
    app: &AppState,
    who: &Principal,
    unit: &str,
    month: Period,
    locale: Locale,
    regenerate: bool,
) -> Result<Bulletin, Error> {
    managers_only(who, || msg!("bulletin.what", "bulletins"))?;
    if !matches!(month, Period::Month { .. }) {
        return Err(Error::BadRequest(msg!(
            "bulletin.month",
            "a bulletin is for a month, such as 2026-11, not `{period}`",
            period = month
        )));
    }
    if !who.scope.covers(unit) {
        return Err(Error::Forbidden(msg!(
            "bulletin.scope",
            "`{unit}` is outside your scope",
            unit = unit
        )));
    }
    let lang = if locale == Locale::En { "en" } else { "zh-CN" };
    if !regenerate
        && let Some(kept) = bulletins::get(&app.storage, unit, &month.to_string(), lang).await?
        && let Ok(b) = serde_json::from_str::<Bulletin>(&kept)
    {
        return Ok(b);
    }
    let b = build(app, who, unit, month, locale).await?;
    let json = serde_json::to_string(&b).map_err(|e| Error::Internal(e.into()))?;
    bulletins::put(
        &app.storage,
        unit,
        &b.month,
        lang,
        &json,
        &who.user_id,
        b.generated_at,
    )
    .await?;
    Ok(b)
}

async fn build(
    app: &AppState,
    who: &Principal,
    unit: &str,
    month: Period,
    locale: Locale,
) -> Result<Bulletin, Error> {
    let all = units::load(&app.storage).await?;
    let name = |id: &str| {
        all.iter()
            .find(|u| u.unit.id == id)
            .map(|u| {
                Bilingual::new(u.name_zh.clone(), u.name_en.clone())
                    .get(locale)
                    .to_string()
            })
            .unwrap_or_else(|| id.to_string())
    };
    // `*`: the whole country, above the provinces.
    let national = unit == "*";
    if !national && !all.iter().any(|u| u.unit.id == unit) {
        return Err(Error::NotFound(msg!(
            "bulletin.unit",
            "`{unit}` is not a unit of the hierarchy",
            unit = unit
        )));
    }
    let under = (!national).then(|| unit.to_string());
    // The units just below, whose level the tables rank (a hierarchy may
    // skip a level: districts straight under a province).
    let children: Vec<&UnitRecord> = all.iter().filter(|u| u.unit.parent == under).collect();
    let Some(level) = children.first().map(|u| u.unit.level) else {
        return Err(Error::BadRequest(msg!(
            "bulletin.store",
            "a bulletin is for a unit with units below it, not a store"
        )));
    };
    let children: Vec<String> = children.iter().map(|u| u.unit.id.clone()).collect();
    let mut sections = Vec::new();

    // The scorecard league table.
    let card = scorecards::results(
        app,
        who,
        &ScorecardRequest {
            scorecard: "service_evaluation".into(),
            period: month,
            level,
            unit: under.clone(),
        },
    )
    .await?;
    let mut columns = vec![w(locale, "名次", "Place"), w(locale, "单位", "Unit")];
    columns.extend(
        card.scorecard
            .indicators
            .iter()
            .map(|i| format!("{} /{}", i.title.get(locale), i.points)),
    );
    columns.extend([w(locale, "扣分", "Deductions"), w(locale, "得分", "Score")]);
    let open = card.rows.iter().filter(|r| !r.result.complete).count();
    sections.push(Section {
        title: format!("{} · {}", w(locale, "服务评价排名", "Scorecard league table"), card.scorecard.title.get(locale)),
        columns,
        rows: card
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![r.place.map_or("–".into(), |p| p.to_string()), name(&r.unit)];
                row.extend(r.result.indicators.iter().map(|i| match i.earned {
                    Some(e) => num(e),
                    None => w(locale, "待定", "open"),
                }));
                row.push(if r.result.deducted > 0.0 { format!("−{}", num(r.result.deducted)) } else { "0".into() });
                row.push(if r.result.complete {
                    num(r.result.score)
                } else {
                    format!("{} ({} {})", num(r.result.score), w(locale, "最高", "up to"), num(r.result.best_case))
                });
                row
            })
            .collect(),
        note: (open > 0).then(|| {
            w(
                locale,
                &format!("{open} 个单位有待定指标（无数据或样本不足），未排名。"),
                &format!("{open} units have open indicators (no figure, or too small a sample) and are not ranked."),
            )
        }),
    });

    // Channel compliance, ranked with intervals and significant changes.
    let rated = ratings::compute(
        app,
        who,
        &RatingRequest::of_level(month.granularity(), Some(month), under.clone(), level),
    )
    .await?;
    let mut standings: Vec<_> = rated
        .ratings
        .into_iter()
        .filter(|s| s.rating.period == month && s.rating.level == level)
        .collect();
    standings.sort_by(|a, b| {
        a.rank
            .unwrap_or(usize::MAX)
            .cmp(&b.rank.unwrap_or(usize::MAX))
            .then(a.rating.unit.cmp(&b.rating.unit))
    });
    sections.push(Section {
        title: w(locale, "渠道服务规范排名", "Channel compliance ranking"),
        columns: [
            ("名次", "Place"),
            ("单位", "Unit"),
            ("得分", "Score"),
            ("95%区间", "95% interval"),
            ("走访", "Visits"),
            ("较上月", "Change"),
        ]
        .iter()
        .map(|(zh, en)| w(locale, zh, en))
        .collect(),
        rows: standings
            .iter()
            .map(|s| {
                let r = &s.rating;
                vec![
                    s.rank.map_or("–".into(), |p| p.to_string()),
                    name(&r.unit),
                    r.score
                        .map_or(w(locale, "样本不足", "insufficient sample"), num),
                    match (r.score, r.estimate.interval) {
                        (Some(_), Some(i)) => format!("{}–{}", num(i.lo), num(i.hi)),
                        _ => "–".into(),
                    },
                    r.visits.to_string(),
                    match &s.change {
                        Some(c) => {
                            let significant = c.test.is_some_and(|t| t.significant);
                            format!(
                                "{:+.1}{}",
                                c.delta,
                                if significant {
                                    w(locale, "（显著）", " (significant)")
                                } else {
                                    String::new()
                                }
                            )
                        }
                        None => "–".into(),
                    },
                ]
            })
            .collect(),
        note: None,
    });

    // The weakest standards.
    let (from, to) = scorecards::range(month);
    let weakest = ratings::weakest(app, who, under.as_deref(), None, (from, to), 10).await?;
    sections.push(Section {
        title: w(locale, "最弱服务标准", "Weakest standards"),
        columns: [
            ("标准", "Standard"),
            ("检查表", "Checklist"),
            ("不达标率", "Fail rate"),
            ("95%区间", "95% interval"),
            ("检查次数", "Checked"),
        ]
        .iter()
        .map(|(zh, en)| w(locale, zh, en))
        .collect(),
        rows: weakest
            .items
            .iter()
            .filter(|i| i.failed > 0)
            .map(|i| {
                let label = match (&i.label_zh, &i.label_en) {
                    (Some(zh), Some(en)) => Bilingual::new(zh.clone(), en.clone())
                        .get(locale)
                        .to_string(),
                    _ => i.item_id.clone(),
                };
                vec![
                    label,
                    i.template_id.clone(),
                    pct(i.fail_rate),
                    i.interval
                        .map_or("–".into(), |iv| format!("{}–{}", pct(iv.lo), pct(iv.hi))),
                    i.answered.to_string(),
                ]
            })
            .collect(),
        note: None,
    });

    // Hotline KPIs.
    let calls = hotline::kpis(
        app,
        who,
        &KpiRequest {
            granularity: month.granularity(),
            period: Some(month),
            unit: under.clone(),
            formula: Default::default(),
        },
    )
    .await?;
    let kpi_text = |row: &hotline::HotlineRow, id: KpiId| {
        row.kpis
            .kpi(id)
            .and_then(|k| {
                let v = k.value?;
                let verdict = match k.meets {
                    Some(true) => w(locale, "（达标）", " (meets)"),
                    Some(false) => w(locale, "（未达标）", " (misses)"),
                    None => String::new(),
                };
                Some(format!("{}{verdict}", pct(v)))
            })
            .unwrap_or_else(|| "–".into())
    };
    sections.push(Section {
        title: w(locale, "热线服务指标", "Hotline KPIs"),
        columns: [
            ("热线", "Hotline"),
            ("人工应答及时率", "Service level"),
            ("人工接通率", "Manual connection"),
            ("忙时最低接通率", "Busy-hour minimum"),
            ("客服代表服务满意率", "Agent satisfaction"),
            ("拨测及时应答", "Test calls in time"),
        ]
        .iter()
        .map(|(zh, en)| w(locale, zh, en))
        .collect(),
        rows: calls
            .rows
            .iter()
            .filter(|r| r.kpis.period == month)
            .map(|r| {
                let t = &r.test_calls;
                vec![
                    name(&r.kpis.hotline),
                    kpi_text(r, KpiId::ServiceLevel),
                    kpi_text(r, KpiId::ManualConnection),
                    kpi_text(r, KpiId::BusyHourConnection),
                    kpi_text(r, KpiId::Satisfaction),
                    t.within_share.map_or("–".into(), |s| {
                        format!("{} ({})", pct(s), t.test_calls.timed)
                    }),
                ]
            })
            .collect(),
        note: None,
    });

    // Satisfaction of the units below, with their bands.
    let sat =
        match ratings::satisfaction(app, who, "intercept_survey", under.as_deref(), (from, to))
            .await
        {
            Ok(s) => s.units,
            Err(Error::NotFound(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
    sections.push(Section {
        title: w(locale, "客户满意度", "Customer satisfaction"),
        columns: [
            ("单位", "Unit"),
            ("满意度指数", "Satisfaction index"),
            ("等级", "Band"),
            ("样本", "Responses"),
        ]
        .iter()
        .map(|(zh, en)| w(locale, zh, en))
        .collect(),
        rows: sat
            .iter()
            .filter(|u| children.contains(&u.unit))
            .map(|u| {
                let c = u
                    .constructs
                    .iter()
                    .find(|c| c.construct_id == "satisfaction");
                let value = c.and_then(|c| c.value);
                vec![
                    name(&u.unit),
                    value.map_or(w(locale, "样本不足", "insufficient sample"), num),
                    value.map_or("–".into(), |v| {
                        Band::of(v).label().get(locale).to_string()
                    }),
                    u.responses.to_string(),
                ]
            })
            .collect(),
        note: None,
    });

    // Corrective actions by unit below: opened and closed in the month,
    // overdue at its end.
    let last_day = month
        .end_day()
        .and_then(|d| d.yesterday().ok())
        .unwrap_or(jiff::civil::Date::constant(2000, 1, 1));
    let visibility = Visibility::of(who);
    let actions = app
        .storage
        .actions(
            |q| visibility.push_sql(q),
            &ActionFilter::every(under.as_deref(), last_day),
        )
        .await?;
    let in_month = |ms: Option<i64>| {
        ms.is_some_and(|m| from.is_some_and(|f| m >= f) && to.is_some_and(|t| m < t))
    };
    let mut counts: BTreeMap<&str, (u64, u64, u64)> =
        children.iter().map(|c| (c.as_str(), (0, 0, 0))).collect();
    for a in &actions {
        let Some((_, c)) = counts.iter_mut().find(|(c, _)| in_scope(c, &a.store_id)) else {
            continue;
        };
        if in_month(Some(a.action.created_at)) {
            c.0 += 1;
        }
        if in_month(a.action.done_at) {
            c.1 += 1;
        }
        let created_by_end = to.is_some_and(|t| a.action.created_at < t);
        if created_by_end
            && ActionStatus::parse(&a.action.status)
                .is_some_and(|s| s.overdue(&a.action.due, last_day))
        {
            c.2 += 1;
        }
    }
    sections.push(Section {
        title: w(locale, "整改跟踪", "Corrective actions"),
        columns: [
            ("单位", "Unit"),
            ("本月新开", "Opened"),
            ("本月完成", "Closed"),
            ("月末逾期", "Overdue at month end"),
        ]
        .iter()
        .map(|(zh, en)| w(locale, zh, en))
        .collect(),
        rows: counts
            .iter()
            .map(|(c, (o, d, late))| vec![name(c), o.to_string(), d.to_string(), late.to_string()])
            .collect(),
        note: None,
    });

    Ok(Bulletin {
        unit: unit.into(),
        unit_name: if national {
            w(locale, "全国", "National")
        } else {
            name(unit)
        },
        month: month.to_string(),
        lang: if locale == Locale::En {
            "en".into()
        } else {
            "zh-CN".into()
        },
        generated_at: now_ms(),
        generated_by: who.user_id.clone(),
        sections,
    })
}

fn locale(b: &Bulletin) -> Locale {
    if b.lang == "en" {
        Locale::En
    } else {
        Locale::ZhCn
    }
}

/// "成都 · 2026-11 · 服务质量月度通报".
fn title(b: &Bulletin) -> String {
    format!(
        "{} · {} · {}",
        b.unit_name,
        b.month,
        w(locale(b), "服务质量月度通报", "Monthly service bulletin")
    )
}

/// When and by whom it was generated, in the default time zone.
fn made(b: &Bulletin) -> String {
    let generated = jiff::Timestamp::from_millisecond(b.generated_at)
        .ok()
        .and_then(|t| {
            Some(
                t.to_zoned(jiff::tz::TimeZone::get(DEFAULT_TIME_ZONE).ok()?)
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
            )
        })
        .unwrap_or_default();
    format!(
        "{} {generated} · {}",
        w(locale(b), "生成于", "Generated"),
        b.generated_by
    )
}

fn no_data(b: &Bulletin) -> String {
    w(locale(b), "本月无数据。", "No data this month.")
}

/// The bulletin as a printable HTML page.
pub fn html(b: &Bulletin) -> String {
    let title = title(b);
    let mut out = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem;color:#1d2939}}h1{{font-size:1.4rem}}h2{{font-size:1.1rem;margin-top:1.6rem}}
table{{border-collapse:collapse;width:100%;font-size:.9rem}}th,td{{border:1px solid #d0d5dd;padding:.3rem .5rem;text-align:left}}th{{background:#f2f4f7}}
.note{{color:#b54708}}.meta{{color:#667085}}@media print{{body{{margin:0}}h2{{break-after:avoid}}table{{break-inside:auto}}tr{{break-inside:avoid}}}}</style></head><body>
<h1>{title}</h1><p class="meta">{made}</p>"#,
        lang = esc(&b.lang),
        title = esc(&title),
        made = esc(&made(b)),
    );
    for s in &b.sections {
        let _ = write!(out, "<h2>{}</h2>", esc(&s.title));
        if s.rows.is_empty() {
            let _ = write!(out, "<p class=\"meta\">{}</p>", esc(&no_data(b)));
            continue;
        }
        out.push_str("<table><tr>");
        for c in &s.columns {
            let _ = write!(out, "<th>{}</th>", esc(c));
        }
        out.push_str("</tr>");
        for r in &s.rows {
            out.push_str("<tr>");
            for c in r {
                let _ = write!(out, "<td>{}</td>", esc(c));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        if let Some(n) = &s.note {
            let _ = write!(out, "<p class=\"note\">{}</p>", esc(n));
        }
    }
    out.push_str("</body></html>");
    out
}

/// The bulletin as A4 pages, in the server's font (`bulletin.no_font`
/// without one). Layout and font subsetting take tens of milliseconds of a
/// core: one at a time, so that a burst of requests cannot take both from
/// the sync.
pub async fn pdf(app: &AppState, b: &Bulletin) -> Result<Vec<u8>, Error> {
    static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let font = app.pdf_font.clone().ok_or_else(|| {
        Error::Unavailable(msg!(
            "bulletin.no_font",
            "this server has no font with Chinese letters to set a PDF in; \
             print the HTML page, or ask the operator to install one (docs/deploy.md)"
        ))
    })?;
    let _turn = ONE_AT_A_TIME
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    let b = b.clone();
    tokio::task::spawn_blocking(move || set_in(&b, &font))
        .await
        .map_err(|e| Error::Internal(e.into()))?
}

/// The bulletin's tables as A4 pages, as in the HTML page.
fn set_in(b: &Bulletin, font: &PdfFont) -> Result<Vec<u8>, Error> {
    let title = title(b);
    let mut blocks = vec![Block::Title(title.clone()), Block::Meta(made(b))];
    for s in &b.sections {
        blocks.push(Block::Heading(s.title.clone()));
        if s.rows.is_empty() {
            blocks.push(Block::Meta(no_data(b)));
            continue;
        }
        blocks.push(Block::Table {
            columns: s.columns.clone(),
            rows: s.rows.clone(),
        });
        if let Some(n) = &s.note {
            blocks.push(Block::Note(n.clone()));
        }
    }
    let locale = locale(b);
    let footer = |page: usize, pages: usize| match locale {
        Locale::En => format!("{title} · page {page} of {pages}"),
        Locale::ZhCn => format!("{title} · 第 {page} / {pages} 页"),
    };
    crate::pdf::render(
        font,
        &Doc {
            title: &title,
            lang: &b.lang,
            blocks: &blocks,
            footer: &footer,
        },
    )
    .map_err(Error::Internal)
}

/// The bulletin as a workbook, a sheet per section.
pub fn xlsx(b: &Bulletin) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
    for (n, s) in b.sections.iter().enumerate() {
        let sheet = book.add_worksheet();
        // Sheet names: at most 31 characters, none of []:*?/\.
        let name: String = s
            .title
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(28)
            .collect();
        sheet.set_name(format!("{} {name}", n + 1)).map_err(fail)?;
        sheet
            .write_string_with_format(
                0,
                0,
                format!("{} · {} · {}", b.unit_name, b.month, s.title),
                &bold,
            )
            .map_err(fail)?;
        for (c, title) in s.columns.iter().enumerate() {
            sheet
                .write_string_with_format(2, c as u16, title, &bold)
                .map_err(fail)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (row_at, col) = (3 + r as u32, c as u16);
                match cell.trim_end_matches('%').parse::<f64>() {
                    Ok(x) if !cell.ends_with('%') => sheet.write_number(row_at, col, x),
                    _ => sheet.write_string(row_at, col, cell),
                }
                .map_err(fail)?;
            }
        }
        if let Some(note) = &s.note {
            sheet
                .write_string(4 + s.rows.len() as u32, 0, note)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}
