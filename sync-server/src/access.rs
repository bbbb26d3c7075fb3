//! Who may see which document (design.md decision 7). A document is
//! visible only if its store is in the user's scope, and for inspectors and
//! surveyors only if it is theirs; store staff never see mystery visits.

use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::vocab::Role;

use crate::auth::Principal;
use crate::storage::DocMeta;

/// Whether `who` may see the document described by `meta`.
pub fn may_see(who: &Principal, meta: &DocMeta) -> bool {
    if !in_scope(&who.scope, &meta.store_id) {
        return false;
    }
    match who.role {
        Role::Admin | Role::Manager => true,
        Role::Inspector | Role::Surveyor => meta.author == who.user_id,
        Role::StoreStaff => meta.mode != "mystery",
    }
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
}
