//! The command line: parses arguments, reads files, calls the domain library
//! and prints. Exit status 0 on success, 1 when an input is invalid (every
//! problem listed), 2 for usage errors.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::{Parser, Subcommand};
use fieldcheck_core::answers::answers_from_json;
use fieldcheck_core::reference::{
    USER_ID_RULE, canonical_user_id, password_problem, valid_user_id,
};
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::scoring::survey::score_response;
use fieldcheck_core::templates::{Format, Template, TemplateKind, to_toml};
use fieldcheck_core::vocab::Role;

use crate::app::{Application, now_ms};
use crate::auth;
use crate::config::{ServeArgs, ServeConfig, StorageArgs};
use crate::docs::DocCache;
use crate::materialise::{self, Templates};
use crate::storage::{Storage, UserRow};
use crate::units::{self, ImportError};
use crate::{demo, refdocs};
use fieldcheck_core::table::Table;

#[derive(Debug, Parser)]
#[command(
    name = "fieldcheck-server",
    version,
    about = "Fieldcheck sync server and administration tools"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sync server.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check and convert checklist and questionnaire templates.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Manage the store hierarchy.
    #[command(subcommand)]
    Stores(StoresCommand),
    /// Fill an empty database with a demo province: 200 stores, people and a
    /// year of audits, mystery visits, test calls and surveys; prints the log-ins.
    Demo {
        /// Password for every demo user; a generated one is printed otherwise.
        #[arg(long)]
        password: Option<String>,
        /// Outlets per district (25 gives 200 stores in 8 districts).
        #[arg(long, default_value_t = 25)]
        stores_per_district: usize,
        /// Months of history.
        #[arg(long, default_value_t = 12)]
        months: i64,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Derive the relational tables again from the documents alone.
    Rebuild {
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Score one visit or survey response and print the breakdown as JSON.
    Score {
        /// Template file (.toml, .json or an XLSForm .xlsx).
        #[arg(long)]
        template: PathBuf,
        /// Answers file: {"answers": {"item_id": value, ...}}.
        #[arg(long)]
        answers: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; prints a generated password when none is given.
    Add {
        name: String,
        /// admin, manager, inspector, surveyor or store_staff.
        #[arg(long)]
        role: String,
        /// Store hierarchy path the user sees, e.g. `cq/yuzhong`; `*` for all.
        #[arg(long)]
        scope: String,
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoresCommand {
    /// Import provinces, cities, districts and stores from a .csv or .xlsx
    /// table (columns: id, parent, level, name_zh, name_en, channel, address,
    /// lat, lon, time_zone, traffic). Every problem is listed with its row;
    /// with any problem nothing is imported.
    Import {
        file: PathBuf,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Validate templates; lists every problem and exits 1 if there is any.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Publish template versions to the server: records pinned to them are
    /// scored. Every file is checked first; with any problem nothing is published.
    Publish {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Convert an XLSForm spreadsheet to the native template format.
    Import {
        form: PathBuf,
        /// Output file; .toml (native) or .json.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Why a command failed: the input was bad (exit 1).
#[derive(Debug)]
struct Invalid(Vec<String>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for Invalid {}

/// Runs a parsed command; returns the exit status.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match cli.command {
        Command::Template(TemplateCommand::Check { files }) => check(&files, out, err),
        Command::Template(TemplateCommand::Import { form, output }) => {
            import(&form, &output, out, err)
        }
        Command::Template(TemplateCommand::Publish { files, storage }) => {
            publish(&files, &storage, out, err)
        }
        Command::Rebuild { storage } => rebuild(&storage, out),
        Command::Demo {
            password,
            stores_per_district,
            months,
            storage,
        } => demo(
            password,
            demo::Size {
                stores_per_district,
                months,
            },
            &storage,
            out,
        ),
        Command::Stores(StoresCommand::Import { file, storage }) => {
            import_stores(&file, &storage, out, err)
        }
        Command::Score { template, answers } => score(&template, &answers, out),
        Command::Serve(args) => serve(&args, out),
        Command::User(UserCommand::Add {
            name,
            role,
            scope,
            password,
            storage,
        }) => add_user(&name, &role, &scope, password, &storage, out),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            // Writing to stderr can only fail if it is closed; nothing better to do then.
            let _ = writeln!(err, "{e:#}");
            1
        }
    }
}

/// Loads a template from .toml, .json or .xlsx, with every problem as a line
/// prefixed by the file name.
fn load_template(path: &Path, err: &mut dyn Write) -> anyhow::Result<Template> {
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("{name}: cannot read"))?;
    match Template::load_file(&bytes, &name) {
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

fn check(files: &[PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
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

fn import(
    form: &Path,
    output: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let template = load_template(form, err)?;
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

fn score(template: &Path, answers: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
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
    let report = match template.kind {
        TemplateKind::Checklist => serde_json::to_string_pretty(&score_visit(&template, &answers))?,
        TemplateKind::Questionnaire => {
            serde_json::to_string_pretty(&score_response(&template, &answers))?
        }
    };
    writeln!(out, "{report}")?;
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn serve(args: &ServeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let config = ServeConfig::resolve(args)?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    runtime()?.block_on(async {
        let app = Application::build(config).await?;
        let addr = app.local_addr()?;
        writeln!(out, "fieldcheck-server listening on {scheme}://{addr}")?;
        out.flush()?;
        app.run_until(shutdown_signal()).await
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn open_storage(storage: &StorageArgs) -> anyhow::Result<(ServeConfig, Storage)> {
    let config = ServeConfig::for_storage(storage)?;
    tokio::fs::create_dir_all(&config.data_dir).await?;
    let storage = Storage::open(&config.database_url()).await?;
    Ok((config, storage))
}

fn publish(
    files: &[PathBuf],
    storage: &StorageArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut templates = Vec::new();
    let mut failed = 0;
    for f in files {
        match load_template(f, err) {
            Ok(t) => templates.push(t),
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
        let (_, storage) = open_storage(storage).await?;
        let docs = DocCache::new(storage, templates.len());
        for t in &templates {
            let (new, _) = refdocs::publish(&docs, t, now_ms(), None).await?;
            let what = if new {
                "published"
            } else {
                "already published"
            };
            writeln!(out, "{what} {} {}", t.id, t.short_version())?;
        }
        anyhow::Ok(())
    })
}

fn import_stores(
    file: &Path,
    storage: &StorageArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let bytes = fs::read(file).with_context(|| format!("{name}: cannot read"))?;
    let table = Table::from_file(&bytes, &name).map_err(|e| anyhow!(e))?;
    runtime()?.block_on(async {
        let (_, storage) = open_storage(storage).await?;
        let docs = DocCache::new(storage, 16);
        match units::import(&docs, &table, now_ms(), None).await {
            Ok(done) => {
                writeln!(out, "imported {} units from {name}", done.units)?;
                Ok(())
            }
            Err(ImportError::Invalid(problems)) => {
                for p in &problems {
                    writeln!(err, "{name}: {p}")?;
                }
                Err(Invalid(vec![format!(
                    "{name}: {} problems; nothing was imported",
                    problems.len()
                )])
                .into())
            }
            Err(e) => Err(e.into()),
        }
    })
}

fn demo(
    password: Option<String>,
    size: demo::Size,
    storage: &StorageArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if size.stores_per_district == 0 || size.months <= 0 {
        bail!("the demo needs at least one store per district and one month");
    }
    runtime()?.block_on(async {
        let (_, storage) = open_storage(storage).await?;
        let s = demo::fill(&storage, password, size, now_ms(), out).await?;
        writeln!(
            out,
            "demo ready: {} units, {} users, {} records",
            s.units, s.users, s.records
        )?;
        writeln!(out, "log-ins (password {}):", s.password)?;
        for (user, what) in [
            ("admin", "administrator, everything"),
            ("manager", "regional manager of Chengdu (sc/cd)"),
            ("inspector", "field inspector in Chengdu"),
            ("surveyor", "surveyor in Chengdu"),
        ] {
            writeln!(out, "  {user:<10} {what}")?;
        }
        anyhow::Ok(())
    })
}

fn rebuild(storage: &StorageArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let (config, storage) = open_storage(storage).await?;
        let docs = DocCache::new(storage.clone(), config.cache_docs);
        let mut shown = 0;
        let n = materialise::rebuild(&storage, &docs, &Templates::default(), |done, total| {
            // A line per tenth, and the last.
            if done == total || done * 10 / total.max(1) > shown {
                shown = done * 10 / total.max(1);
                let _ = writeln!(out, "rebuilding: {done} of {total} documents");
            }
        })
        .await?;
        let r = refdocs::reindex(&docs, now_ms()).await?;
        writeln!(out, "rebuilt the derived tables from {n} documents")?;
        writeln!(
            out,
            "reindexed {} units, {} templates and {} assignments from their documents",
            r.units, r.templates, r.assignments
        )?;
        anyhow::Ok(())
    })
}

fn add_user(
    name: &str,
    role: &str,
    scope: &str,
    password: Option<String>,
    storage: &StorageArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if Role::parse(role).is_none() {
        bail!("`{role}` is not a role ({})", Role::names());
    }
    let name = canonical_user_id(name);
    let name = name.as_str();
    if !valid_user_id(name) {
        bail!("`{name}` is not a user name: {USER_ID_RULE}");
    }
    if let Some(problem) = password.as_deref().and_then(password_problem) {
        bail!("{problem}");
    }
    let generated = password.is_none();
    let password = match password {
        Some(p) => p,
        None => auth::generate_password()?,
    };
    let hash =
        auth::hash_password(&password).map_err(|e| anyhow!("cannot hash the password: {e}"))?;
    runtime()?.block_on(async {
        let (_, storage) = open_storage(storage).await?;
        let row = UserRow {
            user_id: name.into(),
            password_hash: hash,
            role: role.into(),
            scope: scope.into(),
            name: name.into(),
        };
        storage.add_user(&row, now_ms()).await?;
        anyhow::Ok(())
    })?;
    writeln!(out, "added {role} {name} (scope {scope})")?;
    if generated {
        writeln!(out, "password: {password}")?;
    }
    Ok(())
}
