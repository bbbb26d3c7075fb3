//! `fieldcheck-server demo`: a small demo province, served and usable.

use std::process::Command;

use fieldcheck_tests::{Server, bin, cli, http, login, storage_args};

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
    // Satisfaction indices and NPS from the intercept surveys, in scope.
    let sat = get(
        "/api/v1/satisfaction?template=intercept_survey",
        manager.clone(),
    )
    .await;
    let units = sat["units"].as_array().expect("units");
    assert!(
        units
            .iter()
            .all(|u| u["unit"].as_str().is_some_and(|id| id.starts_with("sc/cd")))
    );
    let city = units
        .iter()
        .find(|u| u["unit"] == "sc/cd")
        .expect("the city");
    assert!(city["responses"].as_u64().is_some_and(|n| n > 10), "{city}");
    assert!(city["nps"]["nps"].is_number(), "{city}");
    let satisfaction = city["constructs"]
        .as_array()
        .expect("constructs")
        .iter()
        .find(|c| c["role"] == "satisfaction")
        .expect("a satisfaction construct");
    let mean = satisfaction["estimate"]["mean"].as_f64().expect("mean");
    assert!(
        city["gaps"]["dimensions"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{city}"
    );
    assert!(
        city["ipa"]["points"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{city}"
    );
    assert!((0.0..=100.0).contains(&mean));
    login(&server.addr, "inspector", "demo-pass").await;
    login(&server.addr, "surveyor", "demo-pass").await;
}
