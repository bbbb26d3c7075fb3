//! The OpenAPI document: valid enough to read, and matching the routes. Every
//! documented operation exists (a request without a token gets 401, or the
//! health answer, never 404 or 405), and every route is documented.

use fieldcheck_tests::{Server, http, http_raw, people};

/// Every route of the HTTP API but the WebSocket and the document itself.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/enrol"),
    ("get", "/api/v1/ratings"),
    ("get", "/api/v1/weakest"),
    ("get", "/api/v1/satisfaction"),
    ("get", "/api/v1/exports/{file}"),
    ("get", "/api/v1/records"),
    ("get", "/api/v1/records/{id}"),
    ("get", "/api/v1/records/{id}/document"),
    ("get", "/api/v1/records/{id}/report"),
    ("post", "/api/v1/records/{id}/return"),
    ("post", "/api/v1/records/{id}/approve"),
    ("post", "/api/v1/records/{id}/comments"),
    ("post", "/api/v1/records/{id}/actions"),
    ("post", "/api/v1/records/{id}/actions/{action}/{step}"),
    ("post", "/api/v1/media/{hash}"),
    ("patch", "/api/v1/media/{hash}"),
    ("get", "/api/v1/media/{hash}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("post", "/api/v1/users/import"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/enrolments"),
    ("get", "/api/v1/units"),
    ("post", "/api/v1/units/import"),
    ("put", "/api/v1/units/{id}"),
    ("get", "/api/v1/templates"),
    ("post", "/api/v1/templates"),
    ("get", "/api/v1/templates/{id}/{version}"),
    ("get", "/api/v1/templates/{id}/weight-sets"),
    ("post", "/api/v1/scorecards"),
    ("post", "/api/v1/templates/{id}/weight-sets"),
    ("post", "/api/v1/templates/{id}/weight-sets/{set}/publish"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/actions"),
    ("get", "/api/v1/status"),
    ("get", "/api/v1/assignments"),
    ("post", "/api/v1/assignments"),
    ("get", "/api/v1/assignments/{id}"),
    ("patch", "/api/v1/assignments/{id}"),
    ("post", "/api/v1/schedules"),
    ("get", "/api/v1/notifications"),
    ("post", "/api/v1/notifications/read"),
    ("post", "/api/v1/hotline/statistics"),
    ("get", "/api/v1/hotline/kpis"),
    ("get", "/api/v1/hotline/targets"),
    ("put", "/api/v1/hotline/targets"),
    ("get", "/api/v1/scorecards"),
    ("get", "/api/v1/scorecards/{id}"),
    ("post", "/api/v1/scorecards/entries"),
    ("post", "/api/v1/scorecards/cases"),
    ("get", "/api/v1/bulletins/{month}"),
    ("get", "/api/v1/monitoring/daily"),
    ("get", "/api/v1/monitoring/weekly"),
];

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_that_exist() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let (status, body) = http(&server.addr, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert_eq!(doc["info"]["title"], "Fieldcheck server API");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "patch", "put", "delete"] {
            if let Some(op) = item.get(method) {
                assert!(op["responses"].is_object(), "{method} {path} has responses");
                documented.push((method.to_string(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Each documented operation answers: it exists and is guarded.
    let hash = "a".repeat(64);
    for (method, path) in &documented {
        let concrete = path
            .replace("{file}", "records.csv")
            .replace("{hash}", &hash)
            .replace("{id}", "some-record")
            .replace("{action}", "some-action")
            .replace("{step}", "verify")
            .replace("{version}", "v1")
            .replace("{month}", "2026-11");
        let (status, _) = http_raw(
            &server.addr,
            &method.to_uppercase(),
            &concrete,
            None,
            &[],
            &[],
        )
        .await;
        let want: &[u16] = match (method.as_str(), path.as_str()) {
            ("get", "/health") => &[200],
            ("post", "/api/v1/auth/login" | "/api/v1/auth/enrol") => &[400, 415],
            _ => &[401],
        };
        assert!(want.contains(&status), "{method} {concrete}: {status}");
    }
}
