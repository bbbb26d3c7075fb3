//! Who may see and do what (design.md decision 7), defined once.
//!
//! A user's [`Scope`] is everything or one unit of the store hierarchy with
//! what lies below it. What they may see of records and assignments is a
//! [`Visibility`]: read as a predicate over a document's metadata
//! ([`Visibility::admits`]) for the sync session, downloads and single
//! records, and as an SQL condition ([`Visibility::push_sql`]) for lists
//! and ratings. A property test holds the two to the same answers.

use std::fmt;

use fieldcheck_core::msg;
use fieldcheck_core::msg::Msg;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::refdata::DocKind;
use fieldcheck_core::vocab::{Role, VisitMode};

use crate::error::Error;
use crate::store::sql::Sql;
use crate::store::{DocMeta, UserRow};

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub role: Role,
    /// The part of the store hierarchy the user works in.
    pub scope: Scope,
}

impl Principal {
    /// The operator at the server's command line: an administrator of
    /// everything, recorded in the audit log as `cli`.
    pub fn operator() -> Principal {
        Principal {
            user_id: "cli".into(),
            role: Role::Admin,
            scope: Scope::Everything,
        }
    }

    pub fn from_row(row: &UserRow) -> Option<Principal> {
        Some(Principal {
            user_id: row.user_id.clone(),
            role: Role::parse(&row.role)?,
            scope: Scope::parse(&row.scope),
        })
    }
}

/// The part of the store hierarchy a user works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every unit (`*` where a scope is written as text).
    Everything,
    /// This unit and every unit below it, e.g. `cq/yz` covers `cq/yz/001`.
    Unit(String),
}

impl Scope {
    /// `*` is everything; anything else is a unit's id.
    pub fn parse(s: &str) -> Scope {
        match s {
            "*" => Scope::Everything,
            unit => Scope::Unit(unit.to_string()),
        }
    }

    /// As the users table and the API write it: `*` or the unit's id.
    pub fn as_str(&self) -> &str {
        match self {
            Scope::Everything => "*",
            Scope::Unit(u) => u,
        }
    }

    /// Whether `unit` lies in this scope.
    pub fn covers(&self, unit: &str) -> bool {
        in_scope(self.as_str(), unit)
    }

    /// Whether `unit` lies in this scope or above it (a district above a
    /// store manager's store, say).
    pub fn overlaps(&self, unit: &str) -> bool {
        self.covers(unit) || in_scope(unit, self.as_str())
    }

    /// `AND column lies in this scope`; nothing for everything.
    pub fn push_sql(&self, q: &mut Sql, column: &str) {
        if let Scope::Unit(u) = self {
            q.under(column, u);
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the units of what someone may see lie, relative to their scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// In their scope.
    Below,
    /// In their scope or above it: an assignment may cover the district
    /// above a store, and inspectors see their own work wherever it lies.
    BelowOrAbove,
}

/// What someone may see of records and assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    pub scope: Scope,
    pub reach: Reach,
    /// Only what this user wrote (inspectors and surveyors).
    pub author: Option<String>,
    /// Never mystery visits (store staff).
    pub hide_mystery: bool,
}

impl Visibility {
    /// The rule, by role: managers and administrators see their scope;
    /// inspectors and surveyors their own work; store staff their store's,
    /// never a mystery visit.
    pub fn of(who: &Principal) -> Visibility {
        let mut v = Visibility {
            scope: who.scope.clone(),
            reach: Reach::BelowOrAbove,
            author: None,
            hide_mystery: false,
        };
        match who.role {
            Role::Admin | Role::Manager => v.reach = Reach::Below,
            Role::Inspector | Role::Surveyor => v.author = Some(who.user_id.clone()),
            Role::StoreStaff => v.hide_mystery = true,
        }
        v
    }

    /// Whether a record or assignment at `unit`, by `author`, in `mode`
    /// is visible.
    pub fn admits(&self, unit: &str, author: &str, mode: Option<VisitMode>) -> bool {
        let units = match self.reach {
            Reach::Below => self.scope.covers(unit),
            Reach::BelowOrAbove => self.scope.overlaps(unit),
        };
        units
            && self.author.as_deref().is_none_or(|a| a == author)
            && !(self.hide_mystery && mode == Some(VisitMode::Mystery))
    }

    /// The same rule as `AND ...` over the columns `store_id`, `author`
    /// and `mode`.
    pub fn push_sql(&self, q: &mut Sql) {
        match (&self.reach, &self.scope) {
            (_, Scope::Everything) => {}
            (Reach::Below, s) => s.push_sql(q, "store_id"),
            (Reach::BelowOrAbove, Scope::Unit(u)) => {
                q.under_or_above("store_id", u);
            }
        }
        if let Some(a) = &self.author {
            q.push(" AND author = ").bind(a.as_str());
        }
        if self.hide_mystery {
            q.push(" AND mode <> ").bind(VisitMode::Mystery.as_str());
        }
    }
}

/// Whether `who` may see the document described by `meta`.
pub fn may_see(who: &Principal, meta: &DocMeta) -> bool {
    match meta.kind {
        // Everyone works from the published templates.
        DocKind::Template => true,
        // The stores someone works in, and the units above them.
        DocKind::Units => who.scope.overlaps(&meta.store_id),
        // Records and assignments: the store's, and whose it is.
        DocKind::Record | DocKind::Assignment => {
            Visibility::of(who).admits(&meta.store_id, &meta.author, meta.mode)
        }
    }
}

/// Only administrators, and only within their scope.
pub fn admin_over(who: &Principal, unit: &str) -> Result<(), Error> {
    if who.role != Role::Admin {
        return Err(Error::admins_only());
    }
    if !who.scope.covers(unit) {
        return Err(Error::Forbidden(outside_scope(unit, &who.scope)));
    }
    Ok(())
}

/// `unit` lies outside the caller's `scope`.
pub fn outside_scope(unit: &str, scope: &Scope) -> Msg {
    msg!(
        "auth.outside_scope",
        "`{unit}` is outside your scope `{scope}`",
        unit = unit,
        scope = scope
    )
}

#[cfg(test)]
mod tests;
