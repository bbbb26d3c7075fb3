//! `template check | import | publish` and `score`: template files read,
//! converted, published through the service the API uses.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use fieldcheck_core::answers::answers_from_json;
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::scoring::survey::score_response;
use fieldcheck_core::templates::{Format, Template, TemplateKind, to_toml};

use super::{Invalid, open, refused, runtime};
use fieldcheck_core::templates::xlsform::Settings;

use crate::access::Principal;
use crate::config::StorageArgs;
use crate::services::templates;

/// Loads a template from .toml, .json or .xlsx, with every problem as a line
/// prefixed by the file name.
fn load_template(path: &Path, err: &mut dyn Write) -> anyhow::Result<Template> {
    load_template_with(path, &Settings::default(), err)
}

/// As [`load_template`], with `given` for an XLSForm's missing settings.
fn load_template_with(
    path: &Path,
    given: &Settings,
    err: &mut dyn Write,
) -> anyhow::Result<Template> {
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("{name}: cannot read"))?;
    match Template::load_file_with(&bytes, &name, given) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                let _ = writeln!(err, "{name}: {w}");
            }
            Ok(loaded.template)
        }
        Err(problems) => {
            Err(Invalid(problems.iter().map(|p| format!("{name}: {p}")).collect()).into())
        }
    }
}

pub(super) fn check(
    files: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    for path in files {
        match load_template(path, err) {
            Ok(t) => writeln!(
                out,
                "ok  {}  {} @ {}",
                path.display(),
                t.id,
                t.short_version()
            )?,
            Err(e) => failed.push(format!("{e:#}")),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Invalid(failed).into())
    }
}

pub(super) fn import(
    form: &Path,
    output: &Path,
    given: &Settings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let template = load_template_with(form, given, err)?;
    let text = match Format::from_file_name(&output.display().to_string()) {
        Some(Format::Json) => serde_json::to_string_pretty(template.source())?,
        Some(Format::Toml) => to_toml(template.source())?,
        None => bail!(
            "{}: the output must end in .toml or .json",
            output.display()
        ),
    };
    write_atomically(output, text.as_bytes())?;
    writeln!(
        out,
        "wrote {}  {} @ {}",
        output.display(),
        template.id,
        template.short_version()
    )?;
    Ok(())
}

/// Writes through a temporary file and a rename, so a failure never leaves
/// half a file behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp-fieldcheck");
    fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
}

pub(super) fn score(template: &Path, answers: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut sink = Vec::new();
    let template = load_template(template, &mut sink)?;
    let name = answers.display().to_string();
    let text = fs::read_to_string(answers).with_context(|| format!("{name}: cannot read"))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Invalid(vec![format!(
            "{name}: line {}, column {}: {e}",
            e.line(),
            e.column()
        )])
    })?;
    let answers = answers_from_json(&template, &json)
        .map_err(|ps| Invalid(ps.iter().map(|p| format!("{name}: {p}")).collect()))?;
    // When the record was started (ms since the epoch), if the file says:
    // what `today()` and `now()` read.
    let started = json.get("started_at").and_then(serde_json::Value::as_i64);
    let report = match template.kind {
        TemplateKind::Checklist => {
            serde_json::to_string_pretty(&score_visit(&template, &answers, started))?
        }
        TemplateKind::Questionnaire => {
            serde_json::to_string_pretty(&score_response(&template, &answers, started))?
        }
    };
    writeln!(out, "{report}")?;
    Ok(())
}

/// Publishes every file, or none if one has a problem.
pub(super) fn publish(
    files: &[PathBuf],
    storage: &StorageArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut loaded = Vec::new();
    let mut failed = 0;
    for f in files {
        match load_template(f, err) {
            Ok(t) => loaded.push((f, t)),
            Err(e) => {
                writeln!(err, "{e:#}")?;
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!(
            "nothing published: {failed} of {} files have problems",
            files.len()
        );
    }
    runtime()?.block_on(async {
        let app = open(storage).await?;
        for (f, t) in &loaded {
            let done = templates::publish(&app, &Principal::operator(), t, Vec::new(), false)
                .await
                .map_err(|e| refused(e, &f.display().to_string()))?;
            let what = if done.new {
                "published"
            } else {
                "already published"
            };
            writeln!(out, "{what} {} {}", t.id, t.short_version())?;
        }
        anyhow::Ok(())
    })
}
