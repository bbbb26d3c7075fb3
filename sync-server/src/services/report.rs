//! One audit as a printable HTML page (`GET /api/v1/records/{id}/report`).
//! It shows the scores by section, the failed items with their notes,
//! photos and signatures, every answer, the review comments and the
//! corrective actions. Photos are embedded in the page
//! (data URIs), so it prints, saves and forwards as one file without a
//! token in it.

use std::fmt::Write as _;

use base64::Engine;
use fieldcheck_core::answers::{AnswerValue, to_json};
use fieldcheck_core::i18n::{Bilingual, Locale};
use fieldcheck_core::msg;
use fieldcheck_core::records::RecordState;
use fieldcheck_core::reference::DEFAULT_TIME_ZONE;
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::templates::Template;

use crate::access::Principal;
use crate::error::Error;
use crate::services::records::{self, Opened};
use crate::state::AppState;
use crate::store::media::MediaStore;

/// Photos larger than this are listed, not embedded.
const EMBED_MAX: u64 = 4 * 1024 * 1024;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's own words, in both languages.
fn t(locale: Locale, zh: &str, en: &str) -> String {
    esc(Bilingual::new(zh, en).get(locale))
}

/// A titled section opening a table with the given column headings.
fn table_head(out: &mut String, locale: Locale, title: (&str, &str), columns: &[(&str, &str)]) {
    let _ = write!(out, "<h2>{}</h2><table><tr>", t(locale, title.0, title.1));
    for (zh, en) in columns {
        let _ = write!(out, "<th>{}</th>", t(locale, zh, en));
    }
    out.push_str("</tr>");
}

/// A moment as the store's clock showed it.
fn when(tz: &jiff::tz::TimeZone, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn answer_text(template: &Template, item: &str, v: &AnswerValue, locale: Locale) -> String {
    match v {
        AnswerValue::Pass => t(locale, "符合", "pass"),
        AnswerValue::Fail => t(locale, "不符合", "fail"),
        AnswerValue::NotApplicable => t(locale, "不适用", "n/a"),
        AnswerValue::Choice(c) => {
            let label = template
                .item(item)
                .and_then(|i| i.answer.choices())
                .and_then(|cs| cs.iter().find(|x| &x.value == c))
                .map(|x| x.label.get(locale).to_string());
            esc(&label.unwrap_or_else(|| c.clone()))
        }
        AnswerValue::Choices(cs) => {
            let choices = template.item(item).and_then(|i| i.answer.choices());
            let labels: Vec<String> = cs
                .iter()
                .map(|c| {
                    choices
                        .and_then(|all| all.iter().find(|x| &x.value == c))
                        .map_or_else(|| c.clone(), |x| x.label.get(locale).to_string())
                })
                .collect();
            esc(&labels.join(if locale == Locale::ZhCn { "、" } else { ", " }))
        }
        AnswerValue::Location(p) => {
            let accuracy = p
                .accuracy_m
                .map(|a| format!(" ±{a:.0} m"))
                .unwrap_or_default();
            esc(&format!("{:.5}, {:.5}{accuracy}", p.lat, p.lon))
        }
        AnswerValue::Fraction(x) => format!("{:.0}%", x * 100.0),
        AnswerValue::Media(m) => format!("{} {}", m.len(), t(locale, "个文件", "file(s)")),
        AnswerValue::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        other => {
            let json = to_json(other);
            esc(json
                .as_str()
                .map_or_else(|| json.to_string(), str::to_string)
                .as_str())
        }
    }
}

/// A record's status in words.
fn status_label(status: &str) -> Bilingual {
    match status {
        "draft" => Bilingual::new("草稿", "draft"),
        "submitted" => Bilingual::new("已提交", "submitted"),
        "returned" => Bilingual::new("已退回", "returned"),
        "resubmitted" => Bilingual::new("重新提交", "resubmitted"),
        "approved" => Bilingual::new("已通过", "approved"),
        "partial" => Bilingual::new("部分完成", "partial"),
        "discarded" => Bilingual::new("已放弃", "discarded"),
        other => Bilingual::new(other, other),
    }
}

/// A corrective action's status in words.
fn action_label(status: &str) -> Bilingual {
    match status {
        "open" => Bilingual::new("待整改", "open"),
        "done" => Bilingual::new("已整改", "done"),
        "verified" => Bilingual::new("已验证", "verified"),
        other => Bilingual::new(other, other),
    }
}

/// One audit as a printable page, in `locale`, for someone who may see it.
pub async fn page_of(
    app: &AppState,
    who: &Principal,
    id: &str,
    locale: Locale,
) -> Result<String, Error> {
    records::visible(app, who, id).await?;
    let doc = app.docs.lock(id).await?.clone();
    let Opened {
        state, template, ..
    } = records::open_record(app, doc).await?;
    let h = &state.header;
    let template = template.ok_or_else(|| {
        Error::InvalidState(msg!(
            "records.template_not_here",
            "the record's template version is not published on this server"
        ))
    })?;
    let store = crate::store::units::find(&app.storage, &h.store_id).await?;
    // Times as the store's clock showed them, as the console shows them.
    let tz_name = store
        .as_ref()
        .map_or(DEFAULT_TIME_ZONE, |u| u.unit.time_zone.as_str());
    let tz = jiff::tz::TimeZone::get(tz_name).unwrap_or(jiff::tz::TimeZone::UTC);
    let store_name = store
        .map(|u| Bilingual::new(u.name_zh, u.name_en).get(locale).to_string())
        .unwrap_or_else(|| h.store_id.clone());
    // The inspector by name, as the console shows them.
    let author = match app.storage.user_view(&h.author).await? {
        Some(u) if !u.name.is_empty() && u.name != h.author => format!("{} ({})", u.name, h.author),
        _ => h.author.clone(),
    };
    let mut photos = String::new();
    for (item, a) in &state.answers {
        let media = a.evidence.iter().chain(match &a.value {
            AnswerValue::Media(m) => m.as_slice(),
            _ => &[],
        });
        for m in media {
            if m.size > EMBED_MAX || !m.mime.starts_with("image/") {
                continue;
            }
            if let Ok(bytes) = app.media.read(&m.hash).await
                && blake3::hash(&bytes).to_hex().as_str() == m.hash
            {
                let _ = write!(
                    photos,
                    r#"<figure><img src="data:{};base64,{}" alt=""><figcaption>{}</figcaption></figure>"#,
                    esc(&m.mime),
                    base64::engine::general_purpose::STANDARD.encode(&bytes),
                    esc(&label(&template, item, locale)),
                );
            }
        }
    }
    let place = Place {
        store: &store_name,
        tz: &tz,
        author: &author,
    };
    Ok(page(&template, &state, &place, &photos, locale))
}

/// An answer's label: its item's, with a counted entry's number.
fn label(template: &Template, key: &str, locale: Locale) -> String {
    match template.answer_item(key) {
        None => key.to_string(),
        Some((i, Some(n))) if n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{} #{n}", i.label.get(locale))
        }
        Some((i, _)) => i.label.get(locale).to_string(),
    }
}

/// Where, when and by whom a report is of: the store's name, its clock and
/// the inspector's name.
struct Place<'a> {
    store: &'a str,
    tz: &'a jiff::tz::TimeZone,
    author: &'a str,
}

fn page(
    template: &Template,
    s: &RecordState,
    place: &Place<'_>,
    photos: &str,
    locale: Locale,
) -> String {
    let (store, tz) = (place.store, place.tz);
    let h = &s.header;
    let values = s.answer_values();
    let v = score_visit(template, &values, Some(h.started_at));
    let score = v
        .score
        .map_or_else(|| "—".to_string(), |x| format!("{x:.1}"));
    let verdict = if v.passed {
        t(locale, "达标", "Pass")
    } else {
        t(locale, "未达标", "Fail")
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}}
h1{{font-size:1.4em;margin:0}} h2{{font-size:1.1em;border-bottom:1px solid #999;margin-top:1.5em}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}}
.fail{{color:#b00020;font-weight:bold}} .meta td{{border:none;padding:.1em .5em .1em 0}}
.score{{font-size:2em;font-weight:bold}} figure{{display:inline-block;margin:.5em}} img{{max-width:18em;max-height:14em}}
@media print{{body{{margin:0}} h2,tr,figure{{page-break-inside:avoid}}}}
</style></head><body>"#,
        lang = if locale == Locale::En { "en" } else { "zh-CN" },
        title = esc(template.title.get(locale)),
    );
    let _ = write!(
        out,
        r#"<h1>{}</h1><table class="meta">
<tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr>
<tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{} · {}</td></tr></table>
<p><span class="score">{score}</span> {verdict}</p>"#,
        esc(template.title.get(locale)),
        t(locale, "门店", "Store"),
        esc(&format!("{store} ({})", h.store_id)),
        t(locale, "检查人", "Inspector"),
        esc(place.author),
        t(locale, "时间", "Visit"),
        esc(&when(tz, h.started_at)),
        t(locale, "状态", "Status"),
        esc(status_label(s.status.as_str()).get(locale)),
        t(locale, "模板与规则", "Template and rules"),
        esc(&format!("{} {}", template.id, template.short_version())),
        esc(v.rule_set),
    );
    table_head(
        &mut out,
        locale,
        ("分项得分", "Scores by section"),
        &[("部分", "Section"), ("权重", "Weight"), ("得分", "Score")],
    );
    for sec in &v.sections {
        let title = template
            .sections
            .iter()
            .find(|x| x.id == sec.id)
            .map_or(sec.id.clone(), |x| x.title.get(locale).to_string());
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&title),
            sec.weight,
            sec.score.map_or("—".into(), |x| format!("{x:.1}"))
        );
    }
    out.push_str("</table>");
    if !v.failed_items.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2><ul>",
            t(locale, "不符合项", "Failed items")
        );
        for item in &v.failed_items {
            let note = s
                .answers
                .get(item)
                .and_then(|a| a.note.clone())
                .map(|n| format!(" — {}", esc(&n)))
                .unwrap_or_default();
            let _ = write!(
                out,
                r#"<li class="fail">{}{note}</li>"#,
                esc(&label(template, item, locale))
            );
        }
        out.push_str("</ul>");
    }
    if !photos.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2>{photos}",
            t(locale, "照片与签名", "Photos and signatures")
        );
    }
    table_head(
        &mut out,
        locale,
        ("全部答案", "All answers"),
        &[("检查项", "Item"), ("答案", "Answer"), ("备注", "Note")],
    );
    // A calculate item shows the value worked out from the answers, never
    // one a client wrote (nor a note).
    let evaluated = fieldcheck_core::answers::evaluate_all(template, &values, Some(h.started_at));
    let all = evaluated.beside(template, &values);
    for (section, item) in template.items() {
        // Each entry of a repeated section in order, numbered.
        let keys: Vec<(String, String)> = match &section.repeat {
            None => vec![(item.id.clone(), item.label.get(locale).to_string())],
            Some(_) => evaluated
                .entries_of(&section.id)
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    let shown = format!("{} #{}", item.label.get(locale), k + 1);
                    (fieldcheck_core::templates::entry_key(&item.id, e), shown)
                })
                .collect(),
        };
        for (key, shown) in keys {
            let Some(value) = all.get(&key) else {
                continue;
            };
            let calculated = matches!(
                item.answer,
                fieldcheck_core::templates::AnswerType::Calculate(_)
            );
            let note = s
                .answers
                .get(&key)
                .filter(|_| !calculated)
                .and_then(|a| a.note.as_deref());
            let class = if v.failed_items.contains(&key) {
                r#" class="fail""#
            } else {
                ""
            };
            let _ = write!(
                out,
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&shown),
                answer_text(template, &item.id, value, locale),
                esc(note.unwrap_or("")),
            );
        }
    }
    out.push_str("</table>");
    if !s.comments.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2><ul>",
            t(locale, "审核意见", "Review comments")
        );
        for c in s.comments.values() {
            let _ = write!(
                out,
                "<li>{} — {} ({})</li>",
                esc(&c.text),
                esc(&c.by),
                esc(&when(tz, c.at))
            );
        }
        out.push_str("</ul>");
    }
    if !s.actions.is_empty() {
        table_head(
            &mut out,
            locale,
            ("整改事项", "Corrective actions"),
            &[
                ("检查项", "Item"),
                ("要求", "What to do"),
                ("负责人", "Assignee"),
                ("期限", "Due"),
                ("状态", "Status"),
            ],
        );
        for a in s.actions.values() {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&label(template, &a.item, locale)),
                esc(&a.description),
                esc(&a.assignee),
                esc(&a.due),
                esc(action_label(a.status.as_str()).get(locale)),
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>");
    out
}
