//! The JSON API: same rules as the pages, problem+json errors, an OpenAPI document.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

pub async fn token(app: &TestApp, username: &str, password: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "{status}");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_member_signs_up_gets_a_token_reads_themselves_and_signs_out() {
    for app in TestApp::each_backend().await {
        let response = app
            .client
            .post(app.url("/api/v1/members"))
            .json(&json!({"username": "Alex", "password": PASSWORD, "adult": true, "pronouns": "he/him"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.unwrap();
        assert_eq!(created["username"], "Alex");
        assert_eq!(created["recovery_codes"].as_array().unwrap().len(), 10);

        let token = token(&app, "alex", PASSWORD).await;
        let me: Value = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["id"], created["id"]);
        assert_eq!(me["pronouns"], "he/him");
        assert_eq!(me["display_name"], Value::Null);

        let deleted = app
            .client
            .delete(app.url("/api/v1/tokens/current"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        let after = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let (status, body) = problem(after).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["detail"].as_str().unwrap().contains("Bearer"));
    }
}

#[tokio::test]
async fn bad_bodies_get_a_problem_never_a_server_error() {
    for app in TestApp::each_backend().await {
        let not_json = app
            .client
            .post(app.url("/api/v1/members"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let (status, _) = problem(not_json).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let missing = app
            .client
            .post(app.url("/api/v1/members"))
            .json(&json!({"username": "sam"}))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(missing).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body["detail"].as_str().unwrap().contains("password"),
            "{body}"
        );

        let invalid = app
            .client
            .post(app.url("/api/v1/members"))
            .json(&json!({"username": "s", "password": "password123", "adult": false}))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(invalid).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["username", "password", "adult"]);
        assert_eq!(body["errors"][1]["code"], "rule-password-common");
    }
}

#[tokio::test]
async fn a_wrong_password_gets_the_same_problem_as_an_unknown_member() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let mut bodies = Vec::new();
        for (username, password) in [("sam", "not the password"), ("nobody", PASSWORD)] {
            let response = app
                .client
                .post(app.url("/api/v1/tokens"))
                .json(&json!({"username": username, "password": password}))
                .send()
                .await
                .unwrap();
            let (status, body) = problem(response).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            bodies.push(body);
        }
        assert_eq!(bodies[0], bodies[1]);
    }
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_with_problems() {
    for app in TestApp::each_backend().await {
        let (status, _) = problem(app.get("/api/v1/nothing-here").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let wrong_method = app.client.put(app.url("/api/v1/me")).send().await.unwrap();
        let (status, _) = problem(wrong_method).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/members", "post"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens/current", "delete"),
        ("/api/v1/me", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{path} {method}");
    }
    // A proposal comes with what it changes: one schema per kind of change, named by `what`,
    // each with its value before and after (null for none, but never left out).
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ProposalBody"]["properties"]["changes"]["items"]["$ref"],
        "#/components/schemas/ChangeBody"
    );
    let kinds = schemas["ChangeBody"]["oneOf"].as_array().unwrap();
    let named: Vec<&str> = kinds
        .iter()
        .map(|k| k["properties"]["what"]["enum"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        named,
        [
            "step-added",
            "step-removed",
            "step-changed",
            "step-moved",
            "stop-word",
            "slow-word",
            "nonverbal-signal",
            "check-in-minutes",
            "follow-up-hours",
            "variant",
            "review-every-sessions",
            "review-every-weeks"
        ]
    );
    for kind in kinds.iter().filter(|k| k["properties"]["from"].is_object()) {
        let required = kind["required"].as_array().unwrap();
        assert!(
            required.contains(&json!("from")) && required.contains(&json!("to")),
            "{kind}"
        );
    }
}
