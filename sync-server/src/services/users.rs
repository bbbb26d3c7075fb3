//! Users: created one at a time or from a table, changed, disabled. The same
//! rules for the API and the command line, and an audit entry in the
//! transaction of every write.

use std::collections::HashSet;

use fieldcheck_core::msg;
use fieldcheck_core::msg::Msg;
use fieldcheck_core::reference::{
    NewUser, RowProblem, email_problem, parse_users, password_problem,
};
use fieldcheck_core::table::Table;
use fieldcheck_core::vocab::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::access::{Scope, admin_over};
use crate::error::Error;
use crate::services::auth;
use crate::state::{AppState, now_ms};
use crate::store::assignments::AssignmentFilter;
use crate::store::users::{UserFilter, UserUpdate, UserView};
use crate::store::{Audit, UserRow};

/// A created user, with the generated password if the server made one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub user_id: String,
    /// Shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `no active user `id``: none by that name, or disabled.
pub fn no_active_user(id: &str) -> Msg {
    msg!("users.no_active_user", "no active user `{id}`", id = id)
}

/// The users in the caller's scope, under `under` if given: for
/// administrators, and for managers, who assign work and corrective actions
/// to them and see their names in the console (reading only).
pub async fn list(
    app: &AppState,
    who: &Principal,
    under: Option<&str>,
    role: Option<&str>,
    with_disabled: bool,
) -> Result<Vec<UserView>, Error> {
    if who.role != Role::Manager {
        admin_over(who, who.scope.as_str())?;
    }
    let mut filter = UserFilter {
        role,
        with_disabled,
        ..UserFilter::default()
    };
    if let Scope::Unit(u) = &who.scope {
        filter.under.push(u);
    }
    filter.under.extend(under);
    Ok(app.storage.users(&filter).await?)
}

/// Checks every row of a table of users (columns `USER_COLUMNS`), then
/// creates them all in one transaction, or none.
pub async fn add(app: &AppState, who: &Principal, table: &Table) -> Result<Vec<Created>, Error> {
    admin_over(who, who.scope.as_str())?;
    let taken = app.storage.user_ids().await?;
    let units: HashSet<String> = crate::store::units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| u.unit.id)
        .collect();
    let users = parse_users(table, |id| taken.contains(id), |u| units.contains(u))
        .map_err(Error::Invalid)?;
    let outside: Vec<RowProblem> = users
        .iter()
        .zip(&table.rows)
        .filter(|(u, _)| admin_over(who, &u.scope).is_err())
        .map(|(u, (row, _))| RowProblem {
            row: *row,
            column: Some("scope".into()),
            message: crate::access::outside_scope(&u.scope, &who.scope),
        })
        .collect();
    if !outside.is_empty() {
        return Err(Error::Invalid(outside));
    }
    // argon2 is deliberately slow: hash off the async workers.
    let hashed = tokio::task::spawn_blocking(move || hash_all(users))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    let rows: Vec<UserRow> = hashed
        .iter()
        .map(|(u, hash, _)| UserRow {
            user_id: u.user_id.clone(),
            password_hash: hash.clone(),
            role: u.role.as_str().into(),
            scope: u.scope.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
        })
        .collect();
    let ids: Vec<&str> = hashed.iter().map(|(u, _, _)| u.user_id.as_str()).collect();
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "users.create".into(),
        target: "users".into(),
        detail: serde_json::json!({ "users": ids }).to_string(),
    };
    app.storage.add_users(&rows, now_ms(), Some(&entry)).await?;
    Ok(hashed
        .into_iter()
        .map(|(u, _, generated)| Created {
            user_id: u.user_id,
            password: generated,
        })
        .collect())
}

/// Each user with their password hash and the password generated for them.
fn hash_all(users: Vec<NewUser>) -> Result<Vec<(NewUser, String, Option<String>)>, Error> {
    users
        .into_iter()
        .map(|u| {
            let (password, generated) = match &u.password {
                Some(p) => (p.clone(), None),
                None => {
                    let p = auth::generate_password()?;
                    (p.clone(), Some(p))
                }
            };
            let hash = auth::hash_password(&password)
                .map_err(|e| Error::Internal(anyhow::anyhow!("cannot hash a password: {e}")))?;
            Ok((u, hash, generated))
        })
        .collect()
}

/// What may change of a user; `None` leaves it as it is.
#[derive(Debug, Default)]
pub struct Patch {
    pub name: Option<String>,
    pub role: Option<String>,
    pub scope: Option<String>,
    /// Signs the user out everywhere.
    pub password: Option<String>,
    /// Disabling signs the user out everywhere and refuses their sign-ins;
    /// their records and history stay.
    pub disabled: Option<bool>,
    /// Where notifications are e-mailed; empty for none.
    pub email: Option<String>,
}

/// Changes a user's name, role, scope or password, or disables them.
pub async fn update(
    app: &AppState,
    who: &Principal,
    id: &str,
    b: Patch,
) -> Result<UserView, Error> {
    admin_over(who, who.scope.as_str())?;
    let no_such = || Error::NotFound(msg!("users.not_found", "no such user"));
    let mut view = app.storage.user_view(id).await?.ok_or_else(no_such)?;
    let role_changes = b.role.as_ref().is_some_and(|r| *r != view.role);
    if admin_over(who, &view.scope).is_err() {
        return Err(no_such());
    }
    if let Some(r) = &b.role {
        Role::parse(r).ok_or_else(|| {
            Error::BadRequest(msg!(
                "users.role",
                "the role is one of {names}",
                names = Role::names()
            ))
        })?;
        view.role = r.clone();
    }
    if let Some(s) = &b.scope {
        if let Scope::Unit(unit) = Scope::parse(s)
            && crate::store::units::find(&app.storage, &unit)
                .await?
                .is_none()
        {
            return Err(Error::BadRequest(msg!(
                "users.scope",
                "`{scope}` is not a unit of the hierarchy (or `*` for everything)",
                scope = s
            )));
        }
        admin_over(who, s)?;
        view.scope = s.clone();
    }
    if let Some(n) = &b.name {
        view.name = n.trim().to_string();
    }
    // Work given to this user must stay theirs to do: the same role, and
    // units within their scope.
    let scope = Scope::parse(&view.scope);
    if role_changes || b.scope.is_some() {
        let held = app
            .storage
            .assignments(&AssignmentFilter {
                assignee: Some(&view.user_id),
                ..AssignmentFilter::default()
            })
            .await?;
        let stranded: Vec<&str> = held
            .iter()
            .filter(|a| role_changes || !scope.covers(&a.unit_id))
            .map(|a| a.assignment_id.as_str())
            .collect();
        if !stranded.is_empty() {
            return Err(Error::InvalidState(msg!(
                "users.stranded_assignments",
                "`{id}` holds {n} assignment(s) this change would leave them unable to do ({assignments}): \
                 cancel them or give the work to someone else first",
                id = id,
                n = stranded.len(),
                assignments = stranded.join(", ")
            )));
        }
    }
    if id == who.user_id && (b.disabled == Some(true) || b.role.is_some() || b.scope.is_some()) {
        return Err(Error::BadRequest(msg!(
            "users.not_yourself",
            "administrators cannot disable themselves or change their own role or scope"
        )));
    }
    if let Some(problem) = b.password.as_deref().and_then(password_problem) {
        return Err(Error::BadRequest(problem));
    }
    if let Some(e) = &b.email {
        let e = e.trim();
        if let Some(problem) = email_problem(e) {
            return Err(Error::BadRequest(problem));
        }
        view.email = e.to_string();
    }
    let hash = match b.password {
        Some(p) => Some(
            tokio::task::spawn_blocking(move || auth::hash_password(&p))
                .await
                .map_err(|e| Error::Internal(e.into()))?
                .map_err(|e| Error::Internal(anyhow::anyhow!("cannot hash a password: {e}")))?,
        ),
        None => None,
    };
    view.disabled = b.disabled.unwrap_or(view.disabled);
    let detail = serde_json::json!({
        "name": b.name, "role": b.role, "scope": b.scope,
        "password_changed": hash.is_some(), "disabled": b.disabled, "email": b.email,
    });
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "users.update".into(),
        target: id.to_string(),
        detail: detail.to_string(),
    };
    let update = UserUpdate {
        view: &view,
        password_hash: hash.as_deref(),
        // A new password, a new role or scope, or a disabled account: sign in again.
        sign_out: hash.is_some() || view.disabled || b.role.is_some() || b.scope.is_some(),
    };
    app.storage.update_user(&update, &entry, now_ms()).await?;
    Ok(view)
}
