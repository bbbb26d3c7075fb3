use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldcheck-server"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    p.display().to_string()
}

/// The worked example of methodology.md S2, shared with core's tests.
fn worked() -> String {
    std::fs::read_to_string(repo().join("core/tests/fixtures/worked_example.toml"))
        .expect("fixture")
}

#[test]
fn template_check_accepts_every_default_template() {
    let dir = repo().join("templates");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("templates")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["template", "check"];
    args.extend(files.iter().map(String::as_str));
    let out = server(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("ok "))
            .count(),
        6
    );
}

#[test]
fn template_check_lists_every_error_and_exits_1() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = write(
        dir.path(),
        "bad.toml",
        &worked()
            .replace("points = 10, critical", "points = -10, critical")
            .replace(
                r#"id = "a3", type = "pass_fail", points = 5, label = { zh-CN = "三""#,
                r#"id = "a3", type = "pass_fail", points = 5, label = { zh-CN = """#,
            ),
    );
    let good = write(dir.path(), "good.toml", &worked());
    let out = server(&["template", "check", &good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "bad.toml: line 18, section `a`, item `a2`, field `points`: must be a number above 0"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("item `a3`, field `label`: text missing in zh-CN"),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("ok  ") && text(&out.stdout).contains("good.toml"));
}

#[test]
fn malformed_and_missing_files_get_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let cases = [
        (
            write(dir.path(), "syntax.toml", "id = \"x\"\nkind = [\n"),
            "syntax.toml: line",
        ),
        (
            write(dir.path(), "garbage.xlsx", "not a spreadsheet"),
            "not a readable .xlsx",
        ),
        (
            write(dir.path(), "weird.yaml", "id: x"),
            "unknown template format",
        ),
        (
            write(dir.path(), "bin.json", "\u{0}\u{1}\u{2}"),
            "bin.json: line 1",
        ),
        (
            dir.path().join("missing.toml").display().to_string(),
            "cannot read",
        ),
    ];
    for (file, needle) in cases {
        let out = server(&["template", "check", &file]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert!(stderr.contains(needle), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_pdf_font_that_cannot_serve_stops_the_server_with_the_reason() {
    let dir = tempfile::tempdir().expect("tmp");
    let not_a_font = write(dir.path(), "font.ttf", "not a font");
    let config = write(
        dir.path(),
        "fieldcheck.toml",
        &format!("pdf_font = \"{not_a_font}\"\n"),
    );
    let data = dir.path().join("data").display().to_string();
    let out = server(&[
        "serve",
        "--config",
        &config,
        "--data-dir",
        &data,
        "--listen",
        "127.0.0.1:0",
    ]);
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("font.ttf: not a TrueType or OpenType font"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn template_import_writes_a_native_template_with_the_same_version() {
    let dir = tempfile::tempdir().expect("tmp");
    let form = repo().join("core/tests/fixtures/quick_hall_check.xlsx");
    let toml_out = dir.path().join("quick.toml");
    let out = server(&[
        "template",
        "import",
        &form.display().to_string(),
        "-o",
        &toml_out.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning: sheet `survey`"),
        "warnings are shown"
    );
    let imported_version = text(&out.stdout)
        .split(" @ ")
        .nth(1)
        .map(|v| v.trim().to_string())
        .expect("version");
    let check = server(&["template", "check", &toml_out.display().to_string()]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains(&imported_version),
        "the TOML is the same template"
    );
    let native = std::fs::read_to_string(&toml_out).expect("written");
    assert!(native.contains("[[sections.items]]") && native.contains("品牌标识规范"));
}

#[test]
fn template_import_takes_the_channel_a_form_lacks() {
    let dir = tempfile::tempdir().expect("tmp");
    let form = repo().join("core/tests/fixtures/field_shapes.xlsx");
    let target = dir.path().join("shapes.toml");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "template".to_string(),
            "import".into(),
            form.display().to_string(),
            "-o".into(),
            target.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let plain: Vec<String> = args(&[]);
    let out = server(&plain.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("or choose the channel when importing"),
        "{}",
        text(&out.stderr)
    );
    let given: Vec<String> = args(&["--channel", "owned_hall"]);
    let out = server(&given.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let native = std::fs::read_to_string(&target).expect("written");
    assert!(
        native.contains("channel = \"owned_hall\"") && native.contains("main_2"),
        "{native}"
    );
}

#[test]
fn template_import_of_a_broken_form_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let form = repo().join("core/tests/fixtures/broken_form.xlsx");
    let target = dir.path().join("broken.toml");
    let out = server(&[
        "template",
        "import",
        &form.display().to_string(),
        "-o",
        &target.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("row 6, column `type`: repeat `r1` is never closed with end_repeat"),
        "{stderr}"
    );
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no temporary file left"
    );
}

#[test]
fn score_prints_the_worked_example_breakdown() {
    let dir = tempfile::tempdir().expect("tmp");
    let t = write(dir.path(), "worked.toml", &worked());
    let a = write(
        dir.path(),
        "answers.json",
        r#"{"answers": {"a1": "pass", "a2": "pass", "a3": "fail", "a4": "na", "b1": "pass", "b2": "pass", "b3": "fail"}}"#,
    );
    let out = server(&["score", "--template", &t, "--answers", &a]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["score"], 77.0);
    assert_eq!(v["sections"][0]["score"], 80.0);
    assert_eq!(v["sections"][1]["score"], 75.0);
    assert_eq!(v["passed"], true);
    assert_eq!(v["knockouts"], serde_json::json!([]));
    assert_eq!(v["template"]["id"], "worked");

    let knocked = write(
        dir.path(),
        "knocked.json",
        r#"{"answers": {"a1": "pass", "a2": "pass", "a3": "fail", "a4": "na", "b1": "pass", "b2": "fail", "b3": "pass"}}"#,
    );
    let out = server(&["score", "--template", &t, "--answers", &knocked]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["score"], 32.0);
    assert_eq!(v["knockouts"][0]["item"], "b2");
    assert_eq!(v["knockouts"][0]["rule"], "zero_section");
}

#[test]
fn score_a_survey_response_from_the_default_questionnaire() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = write(
        dir.path(),
        "resp.json",
        r#"{"answers": {"sat_overall": 10, "sat_vs_expect": 10, "sat_vs_ideal": 7, "nps": 6, "e_appearance": 6, "p_appearance": 4}}"#,
    );
    let t = repo()
        .join("templates/intercept_survey.toml")
        .display()
        .to_string();
    let out = server(&["score", "--template", &t, "--answers", &a]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["complete"], false);
    assert_eq!(v["nps_category"], "detractor");
    assert_eq!(v["gaps"][0]["gap"], -2.0);
    let sat = v["constructs"]
        .as_array()
        .expect("constructs")
        .iter()
        .find(|c| c["id"] == "satisfaction")
        .expect("sat")
        .clone();
    assert!(
        (sat["score"].as_f64().expect("score") - 100.0 * (1.0 + 1.0 + 6.0 / 9.0) / 3.0).abs()
            < 1e-9
    );
    assert_eq!(sat["band"], "satisfied");
}

#[test]
fn score_with_bad_answers_lists_each_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let t = write(dir.path(), "worked.toml", &worked());
    let a = write(
        dir.path(),
        "bad.json",
        r#"{"answers": {"a1": "maybe", "zz": 1, "b1": 3}}"#,
    );
    let out = server(&["score", "--template", &t, "--answers", &a]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for needle in ["item `a1`", "item `zz`: no such item", "item `b1`"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    let broken = write(dir.path(), "broken.json", "{\"answers\": ");
    let out = server(&["score", "--template", &t, "--answers", &broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 1"));
}

/// `user add NAME --role ROLE --scope cq --password PASSWORD` in `data`.
fn user_add(data: &str, name: &str, role: &str, password: &str) -> Output {
    let args = fieldcheck_tests::user_add(name, role, "cq", password);
    server(&[&args[..], &["--data-dir", data]].concat())
}

#[test]
fn user_add_follows_the_same_rules_as_the_api() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().to_string_lossy().into_owned();
    // A scope is a unit of the hierarchy: none yet.
    let out = user_add(&data, "li", "inspector", "pw-123456");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`cq` is not a unit of the hierarchy"),
        "{}",
        text(&out.stderr)
    );
    let stores = write(dir.path(), "stores.csv", fieldcheck_tests::STORES);
    let out = server(&["stores", "import", &stores, "--data-dir", &data]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (name, password, why) in [
        ("li", "pw", "at least 8 characters"),
        ("li", "password", "most common"),
        ("", "pw-123456", "every user needs a user_id"),
        ("../li", "pw-123456", "not a user name"),
        (".", "pw-123456", "not a user name"),
        ("..", "pw-123456", "not a user name"),
    ] {
        let out = user_add(&data, name, "inspector", password);
        assert_eq!(out.status.code(), Some(1), "{name} / {password}");
        assert!(text(&out.stderr).contains(why), "{}", text(&out.stderr));
    }
    let out = user_add(&data, "li", "inspector", "pw-123456");
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Names are one user whatever their case: `LI` is `li`, taken.
    let again = user_add(&data, "LI", "manager", "pw-654321");
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stdout));
    // A name given in capitals is kept in lower case.
    let zhao = user_add(&data, "ZHAO", "inspector", "pw-123456");
    assert!(zhao.status.success(), "{}", text(&zhao.stderr));
}

#[tokio::test]
async fn a_user_signs_in_whatever_the_case_of_their_name() {
    let dir = tempfile::tempdir().expect("tmp");
    fieldcheck_tests::add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    fieldcheck_tests::add_user(dir.path(), "ZHAO", "inspector", "cq", "pw-123456");
    let server = fieldcheck_tests::Server::start(dir.path(), None);
    for name in ["LI", "li", "zhao", "Zhao"] {
        let (status, body) = fieldcheck_tests::try_login(
            &server.addr,
            &format!(r#"{{"username":"{name}","password":"pw-123456"}}"#),
        )
        .await;
        assert_eq!(status, 200, "{name}: {body}");
        let user = serde_json::from_str::<serde_json::Value>(&body).expect("json")["user"].clone();
        assert_eq!(user, name.to_lowercase(), "signed in as the one user");
    }
}

/// The command line writes through the services the API uses: its writes
/// are in the audit log, by `cli`, beside the API's.
#[tokio::test]
async fn the_command_line_leaves_the_same_audit_entries_as_the_api() {
    use fieldcheck_tests::{Server, add_user, cli, get_json, login, publish, template};
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    // The first user with a scope imports the hierarchy (`stores import`).
    add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    publish(dir.path(), &template());
    // Publishing again changes nothing, and says so in the log.
    publish(dir.path(), &template());
    let out = cli(dir.path(), &["rebuild"]);
    assert!(out.contains("reindexed 6 units"), "{out}");
    let server = Server::start(dir.path(), None);
    let root = login(&server.addr, "root", "pw-123456").await;
    let (status, log) = get_json(&server.addr, &root, "/api/v1/audit?user=cli").await;
    assert_eq!(status, 200, "{log}");
    let mut actions: Vec<(String, String)> = log
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["target"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    actions.sort();
    let t = template();
    assert_eq!(
        actions,
        [
            ("templates.publish".to_string(), t.id.clone()),
            ("templates.publish".to_string(), t.id.clone()),
            ("units.put".to_string(), "units".to_string()),
            ("users.create".to_string(), "users".to_string()),
            ("users.create".to_string(), "users".to_string()),
        ]
    );
    let first = log
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "templates.publish")
        .map(|e| e["detail"]["new"].as_bool())
        .collect::<Vec<_>>();
    assert_eq!(first, [Some(false), Some(true)], "newest first");
}
