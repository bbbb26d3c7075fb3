use super::*;

fn meta(store: &str, author: &str, mode: &str) -> DocMeta {
    DocMeta {
        doc_id: "d".into(),
        seq: 1,
        store_id: store.into(),
        author: author.into(),
        mode: VisitMode::parse(mode),
        kind: DocKind::Record,
    }
}

fn reference(kind: DocKind, unit: &str, assignee: &str, mode: &str) -> DocMeta {
    DocMeta {
        kind,
        ..meta(unit, assignee, mode)
    }
}

fn who(user: &str, role: Role, scope: &str) -> Principal {
    Principal {
        user_id: user.into(),
        role,
        scope: Scope::parse(scope),
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

/// The predicate and the SQL condition agree: on random hierarchies (ids
/// that share prefixes, with `_` and `%` in them), roles, scopes and records,
/// the rows the SQL keeps are exactly those the predicate admits.
mod sql_and_predicate_agree {
    use proptest::prelude::*;
    use sqlx::Row;
    use sqlx::any::{AnyPoolOptions, install_default_drivers};

    use super::*;

    /// Units of a small hierarchy whose ids share prefixes.
    fn unit() -> impl Strategy<Value = String> {
        let part = prop::sample::select(vec!["cq", "c", "cq_", "yz", "y", "y%", "001", "00"]);
        prop::collection::vec(part, 1..4).prop_map(|p| p.join("/"))
    }

    fn role() -> impl Strategy<Value = Role> {
        prop::sample::select(vec![
            Role::Admin,
            Role::Manager,
            Role::Inspector,
            Role::Surveyor,
            Role::StoreStaff,
        ])
    }

    fn scope() -> impl Strategy<Value = Scope> {
        prop_oneof![1 => Just(Scope::Everything), 4 => unit().prop_map(Scope::Unit)]
    }

    fn record() -> impl Strategy<Value = (String, String, String)> {
        (
            unit(),
            prop::sample::select(vec!["li", "wang", "zhao"]).prop_map(String::from),
            prop::sample::select(vec!["overt", "mystery"]).prop_map(String::from),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn on_random_hierarchies(
            role in role(),
            scope in scope(),
            user in prop::sample::select(vec!["li", "wang"]),
            records in prop::collection::vec(record(), 1..30),
        ) {
            let who = Principal { user_id: user.into(), role, scope };
            let v = Visibility::of(&who);
            let mut expected: Vec<usize> = records
                .iter()
                .enumerate()
                .filter(|(_, (unit, author, mode))| v.admits(unit, author, VisitMode::parse(mode)))
                .map(|(i, _)| i)
                .collect();
            let mut got = selected(&v, &records);
            expected.sort_unstable();
            got.sort_unstable();
            prop_assert_eq!(got, expected, "{:?}", v);
        }
    }

    /// The indexes of the records the SQL condition keeps, on SQLite.
    fn selected(v: &Visibility, records: &[(String, String, String)]) -> Vec<usize> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            install_default_drivers();
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect("sqlite::memory:")
                .await
                .expect("sqlite");
            sqlx::query("CREATE TABLE r (i INTEGER, store_id TEXT, author TEXT, mode TEXT)")
                .execute(&pool)
                .await
                .expect("table");
            for (i, (unit, author, mode)) in records.iter().enumerate() {
                sqlx::query("INSERT INTO r VALUES ($1, $2, $3, $4)")
                    .bind(i as i64)
                    .bind(unit)
                    .bind(author)
                    .bind(mode)
                    .execute(&pool)
                    .await
                    .expect("insert");
            }
            let mut q = Sql::new("SELECT i FROM r WHERE 1 = 1");
            v.push_sql(&mut q);
            q.query()
                .fetch_all(&pool)
                .await
                .expect("query")
                .iter()
                .map(|r| r.get::<i64, _>("i") as usize)
                .collect()
        })
    }
}
