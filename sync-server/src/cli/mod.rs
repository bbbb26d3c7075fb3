//! The command line: parses arguments, reads files, calls the services the
//! API uses (same rules, same audit entries, as the operator `cli`) and
//! prints. Exit status 0 on success, 1 when an input is invalid (every
//! problem listed), 2 for usage errors. One module per command.

mod data;
mod serve;
mod stores;
mod template;
mod user;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{ServeArgs, ServeConfig, StorageArgs};
use crate::demo;
use crate::error::Error;
use crate::state::AppState;

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
        /// Where the user's notifications are e-mailed, when the server
        /// sends e-mail ([mail] in the configuration).
        #[arg(long)]
        email: Option<String>,
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
        /// For a form whose settings sheet has none: owned_hall,
        /// partner_store, hotline, club or echannel.
        #[arg(long)]
        channel: Option<String>,
        /// For a form whose settings sheet has none: checklist or questionnaire.
        #[arg(long)]
        kind: Option<String>,
        /// For a form whose settings sheet has none: overt, mystery,
        /// test_call, echannel or intercept.
        #[arg(long)]
        mode: Option<String>,
    },
}

/// Why a command failed: the input was bad (exit 1).
#[derive(Debug)]
pub(crate) struct Invalid(Vec<String>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for Invalid {}

/// Runs a parsed command; returns the exit status.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match cli.command {
        Command::Template(TemplateCommand::Check { files }) => template::check(&files, out, err),
        Command::Template(TemplateCommand::Import {
            form,
            output,
            channel,
            kind,
            mode,
        }) => {
            let given = fieldcheck_core::templates::xlsform::Settings {
                channel,
                kind,
                mode,
            };
            template::import(&form, &output, &given, out, err)
        }
        Command::Template(TemplateCommand::Publish { files, storage }) => {
            template::publish(&files, &storage, out, err)
        }
        Command::Rebuild { storage } => data::rebuild(&storage, out),
        Command::Demo {
            password,
            stores_per_district,
            months,
            storage,
        } => data::demo(
            password,
            demo::Size {
                stores_per_district,
                months,
            },
            &storage,
            out,
        ),
        Command::Stores(StoresCommand::Import { file, storage }) => {
            stores::import(&file, &storage, out, err)
        }
        Command::Score { template, answers } => template::score(&template, &answers, out),
        Command::Serve(args) => serve::serve(&args, out),
        Command::User(UserCommand::Add {
            name,
            role,
            scope,
            password,
            email,
            storage,
        }) => user::add(&name, &role, &scope, password, email, &storage, out),
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

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// The server's state on the storage the arguments name, for the services.
async fn open(storage: &StorageArgs) -> anyhow::Result<AppState> {
    AppState::open(ServeConfig::for_storage(storage)?).await
}

/// A service's refusal as the command line reports it: every problem of an
/// input on a line of its own, prefixed by the input's name.
fn refused(e: Error, name: &str) -> anyhow::Error {
    match e {
        Error::Invalid(problems) => {
            Invalid(problems.iter().map(|p| format!("{name}: {p}")).collect()).into()
        }
        Error::Internal(e) => e,
        e => anyhow::anyhow!("{name}: {e}"),
    }
}
