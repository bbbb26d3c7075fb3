//! `stores import`: the store hierarchy from a table, by the rules and with
//! the audit entry of the API.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, anyhow};
use fieldcheck_core::table::Table;

use super::{Invalid, open, runtime};
use crate::access::Principal;
use crate::config::StorageArgs;
use crate::error::Error;
use crate::services::units;

pub(super) fn import(
    file: &Path,
    storage: &StorageArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let bytes = fs::read(file).with_context(|| format!("{name}: cannot read"))?;
    let table = Table::from_file(&bytes, &name).map_err(|e| anyhow!(e))?;
    runtime()?.block_on(async {
        let app = open(storage).await?;
        match units::put(&app, &Principal::operator(), &table).await {
            Ok(done) => {
                writeln!(out, "imported {} units from {name}", done.imported)?;
                Ok(())
            }
            Err(Error::Invalid(problems)) => {
                for p in &problems {
                    writeln!(err, "{name}: {p}")?;
                }
                Err(Invalid(vec![format!(
                    "{name}: {} problems; nothing was imported",
                    problems.len()
                )])
                .into())
            }
            Err(e) => Err(super::refused(e, &name)),
        }
    })
}
