//! `demo` and `rebuild`: filling a database with demonstration data, and
//! rebuilding the derived tables from the documents.

use std::io::Write;

use anyhow::bail;

use super::{open, runtime};
use crate::config::StorageArgs;
use crate::demo;
use crate::materialise;
use crate::state::now_ms;
use crate::store::templates::Templates;
use crate::sync::refdocs;

pub(super) fn demo(
    password: Option<String>,
    size: demo::Size,
    storage: &StorageArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if size.stores_per_district == 0 || size.months <= 0 {
        bail!("the demo needs at least one store per district and one month");
    }
    runtime()?.block_on(async {
        let app = open(storage).await?;
        let s = demo::fill(&app.storage, password, size, now_ms(), out).await?;
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

pub(super) fn rebuild(storage: &StorageArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let app = open(storage).await?;
        let (storage, docs) = (&app.storage, &app.docs);
        let mut shown = 0;
        let n = materialise::rebuild(storage, docs, &Templates::default(), |done, total| {
            // A line per tenth, and the last.
            if done == total || done * 10 / total.max(1) > shown {
                shown = done * 10 / total.max(1);
                let _ = writeln!(out, "rebuilding: {done} of {total} documents");
            }
        })
        .await?;
        let r = refdocs::reindex(docs, now_ms()).await?;
        writeln!(out, "rebuilt the derived tables from {n} documents")?;
        writeln!(
            out,
            "reindexed {} units, {} templates and {} assignments from their documents",
            r.units, r.templates, r.assignments
        )?;
        anyhow::Ok(())
    })
}
