//! The profile through the JSON API: the same rules, problem documents, 404 for what is not
//! the member's.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api::token;
use crate::helpers::{PASSWORD, TestApp};

async fn member_token(app: &TestApp, username: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/members"))
        .json(&json!({"username": username, "password": PASSWORD, "adult": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    token(app, username, PASSWORD).await
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_catalog_lists_every_item_with_words() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let catalog: Value = app.get("/api/v1/catalog").await.json().await.unwrap();
    let items = catalog["items"].as_array().unwrap();
    assert!(items.len() >= 45);
    assert_eq!(catalog["categories"].as_array().unwrap().len(), 6);
    for item in items {
        assert!(!item["label"].as_str().unwrap().is_empty());
        assert!(!item["description"].as_str().unwrap().is_empty());
        assert!(["given", "shared"].contains(&item["kind"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn answers_are_patched_kept_and_cleared() {
    for app in TestApp::each_backend().await {
        let token = member_token(&app, "sam").await;
        let put = reqwest::Method::PUT;
        let (status, body) = send(&app, put.clone(), "/api/v1/profile/answers", &token, Some(json!({
            "variant": "after-sex",
            "answers": [
                {"item": "cuddling", "receive": "love", "give": "if-you-like", "note": "slowly"},
                {"item": "kissing", "shared": "like"}
            ]
        }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Left out keeps; null clears.
        let (status, body) = send(
            &app,
            put,
            "/api/v1/profile/answers",
            &token,
            Some(json!({
                "variant": "after-sex",
                "answers": [{"item": "cuddling", "give": null}]
            })),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let cuddling = body["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["item"] == "cuddling")
            .unwrap()
            .clone();
        assert_eq!(
            cuddling,
            json!({"item": "cuddling", "receive": "love", "note": "slowly"})
        );

        let (_, profile) = send(&app, reqwest::Method::GET, "/api/v1/profile", &token, None).await;
        let variants = profile["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 3);
        assert_eq!(variants[2]["variant"], "after-hard-scene");
        assert_eq!(
            variants[2]["answers"].as_array().unwrap().len(),
            2,
            "a variant starts as a copy"
        );
    }
}

#[tokio::test]
async fn bad_answers_are_all_named_and_nothing_is_saved() {
    for app in TestApp::each_backend().await {
        let token = member_token(&app, "sam").await;
        let (status, body) = send(
            &app,
            reqwest::Method::PUT,
            "/api/v1/profile/answers",
            &token,
            Some(json!({
                "variant": "after-sex",
                "answers": [
                    {"item": "cuddling", "receive": "love"},
                    {"item": "no-such-item", "receive": "love"},
                    {"item": "hugging", "give": "love"},
                    {"item": "kissing", "receive": "like"},
                    {"item": "massage", "note": "x".repeat(2001)}
                ]
            })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "answers[1].item",
                "answers[2].give",
                "answers[3].shared",
                "answers[4].note"
            ]
        );
        let (_, profile) = send(&app, reqwest::Method::GET, "/api/v1/profile", &token, None).await;
        assert!(
            profile["variants"][0]["answers"]
                .as_array()
                .unwrap()
                .is_empty(),
            "nothing half-saved"
        );
        let (status, _) = send(
            &app,
            reqwest::Method::PUT,
            "/api/v1/profile/answers",
            &token,
            Some(json!({
                "variant": "after-tea", "answers": []
            })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn custom_items_through_the_api_are_the_members_own() {
    for app in TestApp::each_backend().await {
        let sam = member_token(&app, "sam").await;
        let alex = member_token(&app, "alex").await;
        let (status, item) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/profile/custom-items",
            &sam,
            Some(json!({"label": "Reading aloud", "kind": "shared"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let id = item["id"].as_str().unwrap().to_owned();
        let (status, body) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/profile/custom-items",
            &sam,
            Some(json!({"label": "READING ALOUD", "kind": "sometimes"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");

        let path = format!("/api/v1/profile/custom-items/{id}");
        let (status, _) = send(&app, reqwest::Method::GET, &path, &alex, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, &alex, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, renamed) = send(
            &app,
            reqwest::Method::PUT,
            &path,
            &sam,
            Some(json!({"label": "Reading poems", "kind": "shared"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(renamed["label"], "Reading poems");
        let (status, _) = send(
            &app,
            reqwest::Method::PUT,
            "/api/v1/profile/answers",
            &sam,
            Some(json!({
                "variant": "after-sex", "answers": [{"item": item["item"], "shared": "love"}]
            })),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, &sam, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, list) = send(
            &app,
            reqwest::Method::GET,
            "/api/v1/profile/custom-items",
            &sam,
            None,
        )
        .await;
        assert_eq!(list, json!([]));
        let (status, _) = send(
            &app,
            reqwest::Method::GET,
            "/api/v1/profile/custom-items/not-an-id",
            &sam,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn boundaries_through_the_api_are_checked_and_the_members_own() {
    for app in TestApp::each_backend().await {
        let sam = member_token(&app, "sam").await;
        let alex = member_token(&app, "alex").await;
        let post = |token: String, body: Value| {
            let app = &app;
            async move {
                send(
                    app,
                    reqwest::Method::POST,
                    "/api/v1/profile/boundaries",
                    &token,
                    Some(body),
                )
                .await
            }
        };
        let (status, soft) = post(
            sam.clone(),
            json!({"kind": "soft-limit", "text": "Tickling", "condition": "only if I ask"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(soft["condition"], "only if I ask");
        for (body, field) in [
            (
                json!({"kind": "hard-limit", "text": "x", "condition": "sometimes"}),
                "condition",
            ),
            (json!({"kind": "stress-response", "text": "panic"}), "text"),
            (
                json!({"kind": "override-im-fine", "text": "perhaps"}),
                "text",
            ),
            (json!({"kind": "worry", "text": "x"}), "kind"),
            (json!({"kind": "trigger", "text": ""}), "text"),
        ] {
            let (status, problem) = post(sam.clone(), body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem["errors"][0]["field"], field, "{body}");
        }
        let path = format!(
            "/api/v1/profile/boundaries/{}",
            soft["id"].as_str().unwrap()
        );
        let (status, _) = send(
            &app,
            reqwest::Method::PUT,
            &path,
            &alex,
            Some(json!({"kind": "hard-limit", "text": "x"})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, hard) = send(
            &app,
            reqwest::Method::PUT,
            &path,
            &sam,
            Some(json!({"kind": "hard-limit", "text": "Tickling"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(hard["kind"], "hard-limit");
        let (_, list) = send(
            &app,
            reqwest::Method::GET,
            "/api/v1/profile/boundaries",
            &sam,
            None,
        )
        .await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, theirs) = send(
            &app,
            reqwest::Method::GET,
            "/api/v1/profile/boundaries",
            &alex,
            None,
        )
        .await;
        assert_eq!(theirs, json!([]));
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, &alex, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, &sam, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn the_profile_api_needs_a_token() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    for path in [
        "/api/v1/profile",
        "/api/v1/profile/custom-items",
        "/api/v1/profile/boundaries",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [
        "/api/v1/catalog",
        "/api/v1/profile",
        "/api/v1/profile/answers",
        "/api/v1/profile/custom-items/{id}",
        "/api/v1/profile/boundaries/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}
