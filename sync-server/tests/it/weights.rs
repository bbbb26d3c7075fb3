//! Construct weights by PLS path modelling from the responses a server
//! holds: estimated by a manager over their scope and kept, refused with a
//! reason where the data cannot carry them, and published by an
//! administrator as a new version of the questionnaire naming the set.

use serde_json::Value;

use fieldcheck_tests::{Server, cli, get_json as get, http, login};

async fn post(addr: &str, token: &str, path: &str) -> (u16, Value) {
    let (status, body) = http(addr, "POST", path, Some(token), None).await;
    (status, serde_json::from_str(&body).unwrap_or_default())
}

#[tokio::test]
async fn a_manager_estimates_weights_and_an_administrator_publishes_them() {
    let dir = tempfile::tempdir().expect("tmp");
    cli(
        dir.path(),
        &[
            "demo",
            "--password",
            "demo-pass",
            "--stores-per-district",
            "2",
            "--months",
            "2",
        ],
    );
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let manager = login(addr, "manager", "demo-pass").await;
    let admin = login(addr, "admin", "demo-pass").await;
    let surveyor = login(addr, "surveyor", "demo-pass").await;
    let sets = "/api/v1/templates/intercept_survey/weight-sets";

    // Only managers and administrators estimate, in their scope.
    let (status, refused) = post(addr, &surveyor, sets).await;
    assert_eq!(status, 403, "{refused}");
    let (status, refused) = post(addr, &manager, &format!("{sets}?unit=sc/my")).await;
    assert_eq!(
        (status, refused["key"].as_str()),
        (404, Some("units.not_in_scope"))
    );
    let (status, refused) = post(addr, &manager, "/api/v1/templates/nothing/weight-sets").await;
    assert_eq!(status, 404, "{refused}");

    // Chengdu's responses: the nine paths, every construct's weights sum
    // to 1, and each construct has an item that loads on it.
    let (status, set) = post(addr, &manager, sets).await;
    assert_eq!(status, 201, "{set}");
    let set_id = set["set_id"].as_str().expect("id").to_string();
    assert!(
        set_id.starts_with("pls-") && set_id.ends_with("-1"),
        "{set_id}"
    );
    assert_eq!(set["unit"], "sc/cd");
    let w = &set["weights"];
    assert_eq!(w["paths"].as_array().map(Vec::len), Some(9), "{w:#}");
    let (_, sat) = get(
        addr,
        &manager,
        "/api/v1/satisfaction?template=intercept_survey&unit=sc/cd",
    )
    .await;
    let responses = sat["units"]
        .as_array()
        .and_then(|us| us.iter().find(|u| u["unit"] == "sc/cd"))
        .and_then(|u| u["responses"].as_u64())
        .expect("responses");
    let used = w["respondents"].as_u64().expect("respondents");
    assert!(used > 20 && used <= responses, "{used} of {responses}");
    for c in w["constructs"].as_array().expect("constructs") {
        let items = c["items"].as_array().expect("items");
        let sum: f64 = items.iter().filter_map(|i| i["weight"].as_f64()).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{c:#}");
        let loadings: Vec<f64> = items.iter().filter_map(|i| i["loading"].as_f64()).collect();
        assert!(loadings.iter().any(|l| *l > 0.5), "{c:#}");
    }
    let satisfaction = w["constructs"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["construct"] == "satisfaction"))
        .expect("satisfaction");
    assert!(
        satisfaction["r_squared"]
            .as_f64()
            .is_some_and(|r2| r2 > 0.0 && r2 <= 1.0)
    );

    // Kept: listed, newest first; a second estimate takes the next id.
    let (status, again) = post(addr, &admin, sets).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["unit"], "*");
    let (_, listed) = get(addr, &manager, sets).await;
    let ids: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["set_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{listed:#}");
    assert!(ids.contains(&set_id.as_str()));

    // Responses of a period with none: refused, saying why.
    let (status, refused) = post(addr, &manager, &format!("{sets}?from=0&to=1")).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["key"]
            .as_str()
            .is_some_and(|k| k.starts_with("pls.")),
        "{refused}"
    );

    // Publishing is for administrators: a new version naming the set.
    let publish = format!("{sets}/{set_id}/publish");
    let (status, refused) = post(addr, &manager, &publish).await;
    assert_eq!(status, 403, "{refused}");
    let (status, missing) = post(addr, &admin, &format!("{sets}/pls-none/publish")).await;
    assert_eq!(status, 404, "{missing}");
    let (_, before) = get(addr, &admin, "/api/v1/templates").await;
    let (status, published) = post(addr, &admin, &publish).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["new"], true, "{published}");
    let version = published["version"].as_str().expect("version");
    let old = before
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["template_id"] == "intercept_survey"))
        .and_then(|t| t["version"].as_str())
        .expect("published before");
    assert_ne!(version, old);
    let (_, body) = get(
        addr,
        &admin,
        &format!("/api/v1/templates/intercept_survey/{version}"),
    )
    .await;
    let quality = body["constructs"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == "perceived_quality"))
        .expect("construct");
    assert_eq!(quality["weight_source"], "pls", "{quality:#}");
    assert_eq!(quality["weight_set"], set_id.as_str());
    let estimated: Vec<f64> = w["constructs"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["construct"] == "perceived_quality"))
        .and_then(|c| c["items"].as_array())
        .expect("estimated")
        .iter()
        .filter_map(|i| i["weight"].as_f64())
        .collect();
    let kept: Vec<f64> = quality["weights"]
        .as_array()
        .expect("weights")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(kept, estimated);
    // Publishing the same set again changes nothing.
    let (status, twice) = post(addr, &admin, &publish).await;
    assert_eq!(
        (status, twice["new"].as_bool()),
        (200, Some(false)),
        "{twice}"
    );
}
