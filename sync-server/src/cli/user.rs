//! `user add`: one user, by the rules and with the audit entry of the API.

use std::io::Write;

use fieldcheck_core::reference::USER_COLUMNS;
use fieldcheck_core::table::Table;

use super::{open, refused, runtime};
use crate::access::Principal;
use crate::config::StorageArgs;
use crate::services::users;

/// Adds a user; prints the password generated when none is given.
pub(super) fn add(
    name: &str,
    role: &str,
    scope: &str,
    password: Option<String>,
    email: Option<String>,
    storage: &StorageArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let table = Table::one_row(
        USER_COLUMNS,
        [
            ("user_id", Some(name.to_string())),
            ("role", Some(role.to_string())),
            ("scope", Some(scope.to_string())),
            ("password", password),
            ("email", email),
        ],
    );
    let created = runtime()?.block_on(async {
        let app = open(storage).await?;
        users::add(&app, &Principal::operator(), &table)
            .await
            .map_err(|e| refused(e, "user add"))
    })?;
    for c in created {
        writeln!(out, "added {role} {} (scope {scope})", c.user_id)?;
        if let Some(p) = c.password {
            writeln!(out, "password: {p}")?;
        }
    }
    Ok(())
}
