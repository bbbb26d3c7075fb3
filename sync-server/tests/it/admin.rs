//! Administration through the API: users, the hierarchy, templates and
//! assignments, with row-level import errors that change nothing, scope and
//! role rules, the audit log, and reference documents reaching devices
//! (mystery assignments never reaching store staff).

use automerge::ReadDoc;
use fieldcheck_core::records::gate::read_only;
use fieldcheck_core::refdata::{self, Assignment, DocKind, TemplateDoc, UnitsDoc};
use fieldcheck_core::templates::Template;
use serde_json::{Value, json};

use fieldcheck_tests::{
    Device, STORES, Server, add_user, cli, http, http_raw, login, publish, template, try_login,
};

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn upload(addr: &str, path: &str, token: &str, bytes: &[u8]) -> (u16, Value) {
    let (status, body) = http_raw(
        addr,
        "POST",
        path,
        Some(token),
        &[("Content-Type", "application/octet-stream")],
        bytes,
    )
    .await;
    (status, json_of(&String::from_utf8_lossy(&body)))
}

async fn get(addr: &str, path: &str, token: &str) -> (u16, Value) {
    let (status, body) = http(addr, "GET", path, Some(token), None).await;
    (status, json_of(&body))
}

async fn send(addr: &str, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let (status, body) = http(addr, method, path, Some(token), Some(&body.to_string())).await;
    (status, json_of(&body))
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x[key].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn administrators_manage_users_units_and_templates() {
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    add_user(dir.path(), "wang", "manager", "cq/yz", "pw-123456");
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let root = login(addr, "root", "pw-123456").await;
    let wang = login(addr, "wang", "pw-123456").await;

    // The hierarchy from a table; a table with problems changes nothing.
    let (status, done) = upload(
        addr,
        "/api/v1/units/import?file=stores.csv",
        &root,
        STORES.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["imported"], 6);
    let bad = "id,parent,level,name_zh,channel\ncq/yz/003,cq/yz,store,新店,kiosk\ncq/zz/001,cq/zz,store,无区店,owned_hall\n";
    let (status, err) = upload(
        addr,
        "/api/v1/units/import?file=more.csv",
        &root,
        bad.as_bytes(),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["code"], "invalid_rows");
    let rows: Vec<(u64, &str)> = err["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(rows.contains(&(2, "channel")), "{err}");
    let orphan = "id,parent,level,name_zh,channel\ncq/zz/001,cq/zz,store,无区店,owned_hall\n";
    let (status, err) = upload(
        addr,
        "/api/v1/units/import?file=more.csv",
        &root,
        orphan.as_bytes(),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalid_rows")),
        "{err}"
    );
    let (_, units) = get(addr, "/api/v1/units", &root).await;
    assert_eq!(
        units.as_array().expect("units").len(),
        6,
        "nothing was imported"
    );
    let (status, _) = upload(
        addr,
        "/api/v1/units/import?file=stores.csv",
        &wang,
        STORES.as_bytes(),
    )
    .await;
    assert_eq!(status, 403, "managers do not change the hierarchy");

    // One unit at a time; its id is a URL-encoded path.
    let unit = json!({ "parent": "cq/yz", "level": "store", "name_zh": "七星岗店", "channel": "partner_store", "traffic": 120 });
    let (status, done) = send(addr, "PUT", "/api/v1/units/cq%2Fyz%2F003", &root, unit).await;
    assert_eq!(status, 200, "{done}");
    let (_, mine) = get(addr, "/api/v1/units?under=cq/yz&level=store", &wang).await;
    assert_eq!(ids(&mine, "id"), ["cq/yz/001", "cq/yz/002", "cq/yz/003"]);
    let (_, all) = get(addr, "/api/v1/units", &wang).await;
    assert!(
        !ids(&all, "id").contains(&"cq/jb/001".to_string()),
        "a manager lists only their scope"
    );
    let (status, _) = send(
        addr,
        "PUT",
        "/api/v1/units/cq%2Fyz%2F004",
        &root,
        json!({ "level": "store" }),
    )
    .await;
    assert_eq!(status, 400, "a body without a name is refused");

    // A user created with a generated password signs in with it.
    let (status, created) = send(
        addr,
        "POST",
        "/api/v1/users",
        &root,
        json!({ "user_id": "li", "name": "李明", "role": "inspector", "scope": "cq/yz" }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let password = created["password"]
        .as_str()
        .expect("generated password")
        .to_string();
    let li = login(addr, "li", &password).await;
    let (status, again) = send(
        addr,
        "POST",
        "/api/v1/users",
        &root,
        json!({ "user_id": "li", "role": "inspector", "scope": "cq/yz" }),
    )
    .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (400, Some("invalid_rows"))
    );
    let (status, _) = http(
        addr,
        "POST",
        "/api/v1/users",
        Some(&root),
        Some(r#"{"user_id": 5}"#),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(
        addr,
        "POST",
        "/api/v1/users",
        &wang,
        json!({ "user_id": "x1", "role": "inspector", "scope": "cq/yz" }),
    )
    .await;
    assert_eq!(status, 403, "managers do not create users");

    // Bulk import: all or nothing.
    let users = "user_id,name,role,scope,password\nzhao,赵强,inspector,cq/yz,\nqian,钱,surveyor,cq/nowhere,\nsun,孙,chief,cq,secret-123\n";
    let (status, err) = upload(
        addr,
        "/api/v1/users/import?file=users.csv",
        &root,
        users.as_bytes(),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    let problems: Vec<(u64, String)> = err["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [(3, "scope".to_string()), (4, "role".to_string())]
    );
    let (_, listed) = get(addr, "/api/v1/users", &root).await;
    assert_eq!(
        ids(&listed, "user_id"),
        ["li", "root", "wang"],
        "nobody was imported"
    );
    // Managers read the people in their scope (to assign work and name
    // them), nobody above or beside it.
    let (status, theirs) = get(addr, "/api/v1/users", &wang).await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(ids(&theirs, "user_id"), ["li", "wang"]);
    let users = "user_id,name,role,scope,password\nzhao,赵强,inspector,cq/yz,\nqian,钱,surveyor,cq/yz,secret-123\n";
    let (status, done) = upload(
        addr,
        "/api/v1/users/import?file=users.csv",
        &root,
        users.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["imported"], 2);
    assert!(
        done["users"][0]["password"].is_string(),
        "zhao's password is generated"
    );
    assert!(
        done["users"][1].get("password").is_none(),
        "qian's was given"
    );
    login(addr, "qian", "secret-123").await;

    // Disabling signs the user out and refuses their sign-ins.
    let (status, view) = send(
        addr,
        "PATCH",
        "/api/v1/users/li",
        &root,
        json!({ "disabled": true }),
    )
    .await;
    assert_eq!(
        (status, view["disabled"].as_bool()),
        (200, Some(true)),
        "{view}"
    );
    let (status, _) = http(addr, "GET", "/api/v1/assignments", Some(&li), None).await;
    assert_eq!(status, 401);
    let (status, _) = try_login(
        addr,
        &json!({ "username": "li", "password": password }).to_string(),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = send(
        addr,
        "PATCH",
        "/api/v1/users/root",
        &root,
        json!({ "disabled": true }),
    )
    .await;
    assert_eq!(status, 400, "an administrator cannot lock themselves out");
    let (status, _) = send(
        addr,
        "PATCH",
        "/api/v1/users/li",
        &root,
        json!({ "colour": "red" }),
    )
    .await;
    assert_eq!(status, 400, "unknown fields are refused");

    // Templates: published once, immutable, listed and readable by all.
    let src = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/worked_example.toml"),
    )
    .expect("fixture");
    let (status, dry) = upload(
        addr,
        "/api/v1/templates?format=toml&dry_run=true",
        &root,
        &src,
    )
    .await;
    assert_eq!(
        (status, &dry["new"], &dry["published"]),
        (200, &json!(true), &json!(false)),
        "{dry}"
    );
    assert!(dry["items"].as_u64().unwrap_or_default() > 0, "{dry}");
    let (_, none) = get(addr, "/api/v1/templates", &root).await;
    assert_eq!(none, json!([]), "a dry run publishes nothing");
    let (status, p) = upload(addr, "/api/v1/templates?format=toml", &root, &src).await;
    assert_eq!((status, p["new"].as_bool()), (200, Some(true)), "{p}");
    assert_eq!(
        (&p["published"], &p["version"]),
        (&json!(true), &dry["version"])
    );
    let (_, p2) = upload(addr, "/api/v1/templates?format=toml", &root, &src).await;
    assert_eq!(p2["new"], false);
    assert_eq!(p2["version"], p["version"]);
    let (status, err) = upload(addr, "/api/v1/templates?format=toml", &root, b"id = 3").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalid_rows")),
        "{err}"
    );
    let (status, _) = upload(addr, "/api/v1/templates?format=toml", &wang, &src).await;
    assert_eq!(status, 403);
    let (_, list) = get(addr, "/api/v1/templates", &wang).await;
    assert_eq!(list.as_array().expect("list").len(), 1);
    let id = p["template_id"].as_str().expect("id");
    let version = p["version"].as_str().expect("version");
    let (status, file) = get(addr, &format!("/api/v1/templates/{id}/{version}"), &wang).await;
    assert_eq!((status, file["id"].as_str()), (200, Some(id)));

    // Every accepted write is in the audit log, refused ones are not.
    let (_, log) = get(addr, "/api/v1/audit?user=root", &root).await;
    let actions: Vec<String> = ids(&log, "action");
    for a in [
        "units.put",
        "users.create",
        "users.update",
        "templates.publish",
    ] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    assert_eq!(actions.iter().filter(|a| *a == "users.create").count(), 2);
    let (status, _) = get(addr, "/api/v1/audit", &wang).await;
    assert_eq!(status, 403);
}

/// Reference documents a device holds, by kind.
fn of_kind(d: &Device, kind: DocKind) -> Vec<String> {
    d.docs
        .0
        .iter()
        .filter(|(_, doc)| {
            doc.get(automerge::ROOT, "kind")
                .ok()
                .flatten()
                .is_some_and(|(v, _)| v.as_str() == Some(kind.as_str()))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

fn assignment(d: &Device, id: &str) -> Assignment {
    let doc = d
        .docs
        .0
        .get(&refdata::assignment_doc_id(id))
        .expect("the assignment document");
    refdata::read(doc, DocKind::Assignment).expect("an assignment")
}

#[tokio::test]
async fn assignments_reach_their_assignee_and_covert_ones_never_reach_store_staff() {
    let dir = tempfile::tempdir().expect("tmp");
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, STORES).expect("write");
    cli(dir.path(), &["stores", "import", &stores.to_string_lossy()]);
    let t: Template = template();
    publish(dir.path(), &t);
    for (name, role, scope) in [
        ("root", "admin", "*"),
        ("wang", "manager", "cq/yz"),
        ("chen", "manager", "cq/jb"),
        ("li", "inspector", "cq/yz"),
        ("zhao", "inspector", "cq/yz"),
        ("s1", "store_staff", "cq/yz/001"),
        ("s2", "store_staff", "cq/yz/002"),
    ] {
        add_user(dir.path(), name, role, scope, "pw-123456");
    }
    let mut server = Server::start(dir.path(), None);
    let addr = server.addr.clone();
    let tok = |u: &'static str| {
        let addr = addr.clone();
        async move { login(&addr, u, "pw-123456").await }
    };
    let (wang, chen, li_t, s1, s2, root) = (
        tok("wang").await,
        tok("chen").await,
        tok("li").await,
        tok("s1").await,
        tok("s2").await,
        tok("root").await,
    );
    let new = |assignee: &str, mode: &str, unit: &str| {
        json!({ "assignee": assignee, "template_id": t.id, "mode": mode, "unit_id": unit,
                "starts_on": "2026-12-01", "ends_on": "2026-12-31", "note": "月度检查" })
    };

    let (status, covert) = send(
        &addr,
        "POST",
        "/api/v1/assignments",
        &wang,
        new("li", "mystery", "cq/yz/001"),
    )
    .await;
    assert_eq!(status, 201, "{covert}");
    let covert_id = covert["id"].as_str().expect("id").to_string();
    let (status, open) = send(
        &addr,
        "POST",
        "/api/v1/assignments",
        &wang,
        new("li", "overt", "cq/yz"),
    )
    .await;
    assert_eq!(status, 201, "{open}");
    let open_id = open["id"].as_str().expect("id").to_string();
    let (status, _) = send(
        &addr,
        "POST",
        "/api/v1/assignments",
        &wang,
        new("zhao", "overt", "cq/yz/002"),
    )
    .await;
    assert_eq!(status, 201);

    // Refused, each for its reason, and nothing stored.
    let refused = [
        (
            &chen,
            new("li", "overt", "cq/yz/001"),
            404,
            "another district's store",
            "no unit `cq/yz/001` in your scope",
        ),
        (
            &li_t,
            new("li", "overt", "cq/yz/001"),
            403,
            "inspectors do not assign",
            "give assignments",
        ),
        (
            &root,
            new("li", "overt", "cq/jb/001"),
            400,
            "outside the assignee's scope",
            "outside li's scope",
        ),
        (
            &wang,
            new("s1", "overt", "cq/yz/001"),
            400,
            "store staff do not audit",
            "go to the role inspector",
        ),
        (
            &wang,
            new("li", "intercept", "cq/yz/001"),
            400,
            "a checklist is not a survey",
            "do not fit",
        ),
        (
            &wang,
            json!({ "assignee": "li", "template_id": t.id, "mode": "overt", "unit_id": "cq/yz",
            "starts_on": "2026-12-31", "ends_on": "2026-12-01" }),
            400,
            "a period that ends before it starts",
            "ends (2026-12-01) before it starts",
        ),
        (
            &wang,
            json!({ "assignee": "li", "template_id": "nope", "mode": "overt", "unit_id": "cq/yz",
            "starts_on": "2026-12-01", "ends_on": "2026-12-31" }),
            400,
            "an unpublished template",
            "is not published",
        ),
    ];
    for (token, body, want, why, says) in refused {
        let (status, err) = send(&addr, "POST", "/api/v1/assignments", token, body).await;
        assert_eq!(status, want, "{why}: {err}");
        // Each for its own reason, not the first check that happens to fail.
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{why}: {err}");
    }

    // The work stays doable: li's role, or a scope away from the work, is
    // not changed under the assignments li holds; a new name is.
    for (patch, why) in [
        (json!({ "role": "manager" }), "another role"),
        (json!({ "scope": "cq/jb" }), "a scope away from the work"),
    ] {
        let (status, err) = send(&addr, "PATCH", "/api/v1/users/li", &root, patch).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (409, Some("invalid_state")),
            "{why}: {err}"
        );
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains("holds 2 assignment(s)"), "{why}: {err}");
    }
    let (status, renamed) = send(
        &addr,
        "PATCH",
        "/api/v1/users/li",
        &root,
        json!({ "name": "李检查" }),
    )
    .await;
    assert_eq!((status, renamed["role"].as_str()), (200, Some("inspector")));

    // Who sees what through the API.
    let (_, all) = get(&addr, "/api/v1/assignments", &root).await;
    assert_eq!(all.as_array().expect("all").len(), 3);
    let (_, mine) = get(&addr, "/api/v1/assignments", &li_t).await;
    let mut got = ids(&mine, "id");
    got.sort();
    let mut want = vec![covert_id.clone(), open_id.clone()];
    want.sort();
    assert_eq!(got, want);
    let (_, staff) = get(&addr, "/api/v1/assignments", &s1).await;
    assert_eq!(
        ids(&staff, "id"),
        std::slice::from_ref(&open_id),
        "store staff see the open visit only"
    );
    let (status, _) = get(&addr, &format!("/api/v1/assignments/{covert_id}"), &s1).await;
    assert_eq!(status, 404);
    let (_, other) = get(&addr, "/api/v1/assignments", &chen).await;
    assert!(other.as_array().expect("list").is_empty(), "{other}");
    let (_, s2_sees) = get(&addr, "/api/v1/assignments?unit=cq/yz/002", &s2).await;
    let mut assignees = ids(&s2_sees, "assignee");
    assignees.sort();
    assert_eq!(
        assignees,
        ["li", "zhao"],
        "the district's open visit and the store's own"
    );
    assert!(!ids(&s2_sees, "id").contains(&covert_id));

    // Devices: the assignee gets their work, the hierarchy and the template.
    let mut li = Device::default();
    let mut li_ws = li.sync(&addr, &li_t).await;
    let mut got = of_kind(&li, DocKind::Assignment);
    got.sort();
    let mut want = vec![
        refdata::assignment_doc_id(&covert_id),
        refdata::assignment_doc_id(&open_id),
    ];
    want.sort();
    assert_eq!(got, want, "li's assignments and nobody else's");
    assert_eq!(assignment(&li, &covert_id).note, "月度检查");
    let units = li
        .docs
        .0
        .get(&refdata::units_doc_id("cq/yz"))
        .expect("the district's stores");
    let units: UnitsDoc = refdata::read(units, DocKind::Units).expect("units");
    assert!(units.units.contains_key("cq/yz/001") && units.units.contains_key("cq"));
    assert!(
        !li.docs.0.contains_key(&refdata::units_doc_id("cq/jb")),
        "another district's stores stay on the server"
    );
    let templates = of_kind(&li, DocKind::Template);
    assert_eq!(templates.len(), 1);
    let td: TemplateDoc =
        refdata::read(&li.docs.0[&templates[0]], DocKind::Template).expect("template");
    assert_eq!(td.version, t.version);

    let mut staff = Device::default();
    let _staff_ws = staff.sync(&addr, &s1).await;
    assert_eq!(
        of_kind(&staff, DocKind::Assignment),
        [refdata::assignment_doc_id(&open_id)],
        "the mystery visit never reaches the store's devices"
    );

    // A device cannot change reference data.
    let doc_id = refdata::assignment_doc_id(&covert_id);
    let mut mine = assignment(&li, &covert_id);
    mine.cancelled = true;
    refdata::write(li.docs.0.get_mut(&doc_id).expect("doc"), &mine).expect("write");
    li.changed(Some(&mut li_ws), &doc_id).await;
    assert!(
        li.rejected
            .iter()
            .any(|(d, r)| *d == doc_id && *r == read_only().text),
        "{:?}",
        li.rejected
    );
    let (_, on_server) = get(&addr, &format!("/api/v1/assignments/{covert_id}"), &wang).await;
    assert_eq!(on_server["cancelled"], false);

    // A manager's change reaches the connected device by itself.
    let mut fresh = Device::default();
    let mut fresh_ws = fresh.sync(&addr, &li_t).await;
    let (status, changed) = send(
        &addr,
        "PATCH",
        &format!("/api/v1/assignments/{covert_id}"),
        &wang,
        json!({ "ends_on": "2026-12-15", "cancelled": true }),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    fresh.pump(&mut fresh_ws).await;
    let pushed = assignment(&fresh, &covert_id);
    assert!(pushed.cancelled);
    assert_eq!(pushed.ends_on, "2026-12-15");
    let (status, _) = send(
        &addr,
        "PATCH",
        &format!("/api/v1/assignments/{covert_id}"),
        &s1,
        json!({ "note": "x" }),
    )
    .await;
    assert_eq!(status, 404, "staff cannot even find it");
    let (_, active) = get(&addr, "/api/v1/assignments?on=2026-12-10", &li_t).await;
    assert_eq!(
        ids(&active, "id"),
        std::slice::from_ref(&open_id),
        "cancelled work is not listed"
    );

    // The tables are rebuilt from the documents alone.
    server.kill9();
    let out = cli(dir.path(), &["rebuild"]);
    assert!(
        out.contains("reindexed 6 units, 1 templates and 3 assignments"),
        "{out}"
    );
    let server = Server::start(dir.path(), None);
    let root = login(&server.addr, "root", "pw-123456").await;
    let (_, all) = get(&server.addr, "/api/v1/assignments?cancelled=true", &root).await;
    assert_eq!(all.as_array().expect("all").len(), 3);
    let (_, one) = get(
        &server.addr,
        &format!("/api/v1/assignments/{covert_id}"),
        &root,
    )
    .await;
    assert_eq!(
        (one["cancelled"].as_bool(), one["ends_on"].as_str()),
        (Some(true), Some("2026-12-15"))
    );
}
