//! `fieldcheck-server demo`: a small demo province, served and usable.

use std::process::Command;

use super::support::{Server, bin, cli, http, login, storage_args};

#[tokio::test]
async fn the_demo_fills_an_empty_database_once_and_its_log_ins_work() {
    let dir = tempfile::tempdir().expect("tmp");
    let args = [
        "demo",
        "--password",
        "demo-pass",
        "--stores-per-district",
        "3",
        "--months",
        "3",
    ];
    let out = cli(dir.path(), &args);
    for user in ["admin", "manager", "inspector", "surveyor"] {
        assert!(out.contains(&format!("  {user} ")), "{out}");
    }
    let progress = out.lines().filter(|l| l.contains(" of ")).count();
    assert!(progress >= 2, "progress lines: {out}");

    let again = Command::new(bin())
        .args(args)
        .args(storage_args(dir.path()))
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(1), "a second demo would mix data");
    assert!(String::from_utf8_lossy(&again.stderr).contains("only an empty one"));

    let server = Server::start(dir.path(), None);
    let manager = login(&server.addr, "manager", "demo-pass").await;
    let get = |path: &'static str, token: String| {
        let addr = server.addr.clone();
        async move {
            let (s, b) = http(&addr, "GET", path, Some(&token), None).await;
            assert_eq!(s, 200, "{path}: {b}");
            serde_json::from_str::<serde_json::Value>(&b).expect("json")
        }
    };
    let queue = get(
        "/api/v1/records?status=submitted,resubmitted,returned,approved",
        manager.clone(),
    )
    .await;
    let records = queue["records"].as_array().expect("records");
    assert!(!records.is_empty());
    assert!(
        records.iter().all(|r| r["store_id"]
            .as_str()
            .is_some_and(|s| s.starts_with("sc/cd/"))),
        "the Chengdu manager sees Chengdu only"
    );
    let admin = login(&server.addr, "admin", "demo-pass").await;
    let ratings = get("/api/v1/ratings?granularity=quarter", admin).await;
    let province = ratings["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .find(|r| r["unit"] == "sc")
        .expect("a province rating");
    let mean = province["estimate"]["mean"].as_f64().expect("mean");
    assert!((30.0..=100.0).contains(&mean), "{mean}");
    login(&server.addr, "inspector", "demo-pass").await;
    login(&server.addr, "surveyor", "demo-pass").await;
}
