//! Who may see which document (design.md decision 7). A document is
//! visible only if its store is in the user's scope, and for inspectors and
//! surveyors only if it is theirs; store staff never see mystery visits.

use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::refdata::DocKind;
use fieldcheck_core::vocab::{Role, VisitMode};

use crate::auth::Principal;
use crate::storage::DocMeta;

/// Whether `who` may see the document described by `meta`.
pub fn may_see(who: &Principal, meta: &DocMeta) -> bool {
    match DocKind::parse(&meta.kind) {
        // Everyone works from the published templates.
        Some(DocKind::Template) => true,
        // The stores someone works in, and the units above them.
        Some(DocKind::Units) => overlaps(&who.scope, &meta.store_id),
        // Records and assignments: the store's, and whose it is.
        _ => {
            if !in_scope(&who.scope, &meta.store_id) && !in_scope(&meta.store_id, &who.scope) {
                return false;
            }
            let below = in_scope(&who.scope, &meta.store_id);
            match who.role {
                Role::Admin | Role::Manager => below,
                Role::Inspector | Role::Surveyor => meta.author == who.user_id,
                // An assignment may cover a district; staff see those of their store.
                Role::StoreStaff => meta.mode != VisitMode::Mystery.as_str(),
            }
        }
    }
}

/// Whether one of two units lies under the other.
pub fn overlaps(a: &str, b: &str) -> bool {
    in_scope(a, b) || in_scope(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(store: &str, author: &str, mode: &str) -> DocMeta {
        DocMeta {
            doc_id: "d".into(),
            seq: 1,
            store_id: store.into(),
            author: author.into(),
            mode: mode.into(),
            kind: "record".into(),
        }
    }

    fn reference(kind: DocKind, unit: &str, assignee: &str, mode: &str) -> DocMeta {
        DocMeta {
            kind: kind.as_str().into(),
            ..meta(unit, assignee, mode)
        }
    }

    fn who(user: &str, role: Role, scope: &str) -> Principal {
        Principal {
            user_id: user.into(),
            role,
            scope: scope.into(),
        }
    }

    #[test]
    fn roles_see_what_they_should() {
        let audit = meta("cq/yz/001", "li", "overt");
        let mystery = meta("cq/yz/001", "li", "mystery");
        assert!(may_see(&who("wang", Role::Manager, "cq/yz"), &audit));
        assert!(
            !may_see(&who("chen", Role::Manager, "cq/jb"), &audit),
            "another district"
        );
        assert!(may_see(&who("li", Role::Inspector, "cq"), &audit));
        assert!(
            !may_see(&who("zhao", Role::Inspector, "cq"), &audit),
            "someone else's audit"
        );
        assert!(may_see(&who("s1", Role::StoreStaff, "cq/yz/001"), &audit));
        assert!(
            !may_see(&who("s1", Role::StoreStaff, "cq/yz/001"), &mystery),
            "store staff never see mystery visits"
        );
    }

    #[test]
    fn reference_documents_reach_who_works_with_them() {
        let units = reference(DocKind::Units, "cq/yz", "", "");
        assert!(may_see(&who("li", Role::Inspector, "cq"), &units));
        assert!(
            may_see(&who("s1", Role::StoreStaff, "cq/yz/001"), &units),
            "the units above one's store"
        );
        assert!(!may_see(&who("chen", Role::Manager, "cq/jb"), &units));
        let template = reference(DocKind::Template, "", "", "");
        assert!(may_see(
            &who("s1", Role::StoreStaff, "cq/yz/001"),
            &template
        ));

        let covert = reference(DocKind::Assignment, "cq/yz", "li", "mystery");
        let open = reference(DocKind::Assignment, "cq/yz", "li", "overt");
        assert!(may_see(&who("li", Role::Inspector, "cq"), &covert));
        assert!(!may_see(&who("zhao", Role::Inspector, "cq"), &covert));
        assert!(may_see(&who("wang", Role::Manager, "cq/yz"), &covert));
        assert!(
            !may_see(&who("wu", Role::Manager, "cq/yz/001"), &covert),
            "a store manager does not see a district's assignments"
        );
        assert!(!may_see(&who("chen", Role::Manager, "cq/jb"), &covert));
        assert!(!may_see(&who("s1", Role::StoreStaff, "cq/yz/001"), &covert));
        assert!(may_see(&who("s1", Role::StoreStaff, "cq/yz/001"), &open));
        assert!(!may_see(&who("s2", Role::StoreStaff, "cq/jb/001"), &open));
    }
}
