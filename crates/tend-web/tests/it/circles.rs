//! Circles end to end over HTTP: a throuple forms, shares, locks and each member sees only
//! what the reveal rules allow; and the authorization matrix for every circle route.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, location, texts};

/// Starts a circle as the member signed in on `browser`; returns its id.
async fn start_circle(app: &TestApp, browser: &Client, name: &str) -> String {
    let response = app
        .submit_with(browser, "/circles", "/circles", &[("name", name)])
        .await;
    location(&response)
        .trim_start_matches("/circles/")
        .to_owned()
}

/// Makes an invite link for circle `id`; returns its path `/invites/<token>`.
async fn invite(app: &TestApp, browser: &Client, id: &str) -> String {
    let response = app
        .submit_with(
            browser,
            &format!("/circles/{id}"),
            &format!("/circles/{id}/invites"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    let link = texts(&page, "code.invite-link").remove(0);
    let path = link[link.find("/invites/").unwrap()..].to_owned();
    assert_eq!(
        path.len(),
        "/invites/".len() + 43,
        "256 random bits: {path}"
    );
    path
}

async fn join(app: &TestApp, browser: &Client, path: &str) -> reqwest::Response {
    app.submit_with(browser, path, path, &[]).await
}

async fn answer(app: &TestApp, browser: &Client, step: &str, fields: &[(&str, &str)]) {
    let path = format!("/profile/answers/after-sex/{step}");
    let mut fields = fields.to_vec();
    fields.push(("go", "stay"));
    let response = app.submit_with(browser, &path, &path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn lock(app: &TestApp, browser: &Client, id: &str) {
    let response = app
        .submit_with(
            browser,
            &format!("/circles/{id}"),
            &format!("/circles/{id}/lock"),
            &[],
        )
        .await;
    assert_eq!(location(&response), format!("/circles/{id}?notice=locked"));
}

/// The action of the first "withdraw invite" form on a circle page.
fn revoke_action(page: &str) -> String {
    let document = scraper::Html::parse_document(page);
    let selector = scraper::Selector::parse("form[action$='/revoke']").unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|form| form.value().attr("action"))
        .unwrap_or_else(|| panic!("no invite to withdraw:\n{page}"))
        .to_owned()
}

fn lines(page: &str) -> Vec<String> {
    texts(page, "main li")
}

#[tokio::test]
async fn a_throuple_forms_shares_locks_and_each_sees_only_what_the_rules_allow() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cy) = (TestApp::browser(), TestApp::browser(), TestApp::browser());
        for (browser, name, shown) in [
            (&ash, "ashley", "ASH"),
            (&bo, "bowie", "BO"),
            (&cy, "cyan", "CY"),
        ] {
            let response = app
                .submit_with(
                    browser,
                    "/signup",
                    "/signup",
                    &[
                        ("username", name),
                        ("password", PASSWORD),
                        ("adult", "yes"),
                        ("display_name", shown),
                    ],
                )
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let id = start_circle(&app, &ash, "Us three").await;

        let link = invite(&app, &ash, &id).await;
        assert!(app.is_signed_in(&bo).await, "after invite");
        let preview = app.get_with(&bo, &link).await.text().await.unwrap();
        assert!(
            preview.contains("Us three")
                && preview.contains("ASH invited you. The circle has 1 member."),
            "{preview}"
        );
        assert_eq!(
            location(&join(&app, &bo, &link).await),
            format!("/circles/{id}")
        );
        let reused = join(&app, &cy, &link).await;
        assert_eq!(reused.status(), StatusCode::GONE, "an invite works once");
        assert!(
            reused
                .text()
                .await
                .unwrap()
                .contains("has been used, has expired, or was withdrawn")
        );
        let link = invite(&app, &bo, &id).await;
        join(&app, &cy, &link).await;

        answer(
            &app,
            &ash,
            "closeness",
            &[
                ("receive:cuddling", "love"),
                ("give:massage", "glad"),
                ("shared:kissing", "love"),
            ],
        )
        .await;
        answer(
            &app,
            &bo,
            "closeness",
            &[
                ("give:cuddling", "glad"),
                ("give:massage", "no"),
                ("shared:kissing", "like"),
            ],
        )
        .await;
        answer(
            &app,
            &cy,
            "closeness",
            &[
                ("give:cuddling", "maybe"),
                ("receive:massage", "love"),
                ("shared:kissing", "no"),
            ],
        )
        .await;

        let ground = format!("/circles/{id}/common-ground");
        lock(&app, &ash, &id).await;
        let waiting = app.get_with(&ash, &ground).await.text().await.unwrap();
        assert!(
            waiting.contains("Waiting for 2 members to lock their answers."),
            "{waiting}"
        );
        lock(&app, &bo, &id).await;
        lock(&app, &cy, &id).await;

        let seen_by_ash = lines(&app.get_with(&ash, &ground).await.text().await.unwrap());
        assert!(
            seen_by_ash.contains(&"BO offers: Cuddling or spooning".to_owned()),
            "{seen_by_ash:?}"
        );
        assert!(
            seen_by_ash.contains(&"CY would love Massage".to_owned()),
            "{seen_by_ash:?}"
        );
        assert!(
            seen_by_ash.contains(&"Cuddling or spooning — CY".to_owned()),
            "a maybe is worth talking about"
        );
        assert!(
            seen_by_ash.contains(&"Kissing — BO".to_owned()),
            "shared favorite with BO only"
        );

        let seen_by_bo = lines(&app.get_with(&bo, &ground).await.text().await.unwrap());
        assert!(
            seen_by_bo.contains(&"ASH would love Cuddling or spooning".to_owned()),
            "{seen_by_bo:?}"
        );
        assert!(
            !seen_by_bo.iter().any(|l| l.contains("Massage")),
            "BO does not offer massage, so never learns of it: {seen_by_bo:?}"
        );
        assert!(
            !seen_by_bo.iter().any(|l| l.contains("— CY")),
            "nothing passes between BO and CY here"
        );

        let seen_by_cy = lines(&app.get_with(&cy, &ground).await.text().await.unwrap());
        assert!(
            seen_by_cy.contains(&"ASH offers: Massage".to_owned()),
            "{seen_by_cy:?}"
        );
        assert!(
            !seen_by_cy.iter().any(|l| l.starts_with("Kissing")),
            "CY said no to kissing and does not learn who loves it"
        );
        assert!(
            !seen_by_cy.iter().any(|l| l.contains("BO is glad")),
            "{seen_by_cy:?}"
        );

        // Sharing boundaries: only what is shared, and only once everyone has locked.
        app.submit_with(
            &bo,
            "/profile/boundaries",
            "/profile/boundaries",
            &[("kind", "hard-limit"), ("text", "No surprises")],
        )
        .await;
        app.submit_with(
            &bo,
            "/profile/boundaries",
            "/profile/boundaries",
            &[("kind", "trigger"), ("text", "Raised voices")],
        )
        .await;
        app.submit_with(
            &bo,
            &format!("/circles/{id}"),
            &format!("/circles/{id}/sharing"),
            &[("hard-limit", "everything")],
        )
        .await;
        let page = app.get_with(&ash, &ground).await.text().await.unwrap();
        assert!(
            page.contains("No surprises") && !page.contains("Raised voices"),
            "{page}"
        );

        // A change after the reveal is marked, without saying what.
        answer(&app, &cy, "words", &[("receive:affirmations", "love")]).await;
        let page = app.get_with(&ash, &ground).await.text().await.unwrap();
        assert!(page.contains("CY has changed some answers"), "{page}");
        assert!(!page.contains("Affirmations"));

        // Leaving is instant and hides everything at once.
        let left = app
            .submit_with(
                &cy,
                &format!("/circles/{id}"),
                &format!("/circles/{id}/leave"),
                &[],
            )
            .await;
        assert_eq!(location(&left), "/circles");
        assert_eq!(
            app.get_with(&cy, &format!("/circles/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
        let after = lines(&app.get_with(&ash, &ground).await.text().await.unwrap());
        assert!(!after.iter().any(|l| l.contains("CY")), "{after:?}");
    }
}

#[tokio::test]
async fn every_circle_route_is_404_for_anyone_outside_the_circle() {
    for app in TestApp::each_backend().await {
        let (member, outsider, former, elsewhere, anonymous) = (
            TestApp::browser(),
            TestApp::browser(),
            TestApp::browser(),
            TestApp::browser(),
            TestApp::browser(),
        );
        for (browser, name) in [
            (&member, "member"),
            (&outsider, "outsider"),
            (&former, "former"),
            (&elsewhere, "elsewhere"),
        ] {
            app.sign_up_with(browser, name).await;
        }
        let id = start_circle(&app, &member, "Ours").await;
        let link = invite(&app, &member, &id).await;
        join(&app, &former, &link).await;
        let link = invite(&app, &member, &id).await;
        let invite_id = {
            let page = app
                .get_with(&member, &format!("/circles/{id}"))
                .await
                .text()
                .await
                .unwrap();
            let revoke = revoke_action(&page);
            revoke
                .trim_end_matches("/revoke")
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        };
        // A third member keeps the circle open when `former` leaves.
        let third = TestApp::browser();
        app.sign_up_with(&third, "third").await;
        join(&app, &third, &link).await;
        app.submit_with(
            &former,
            &format!("/circles/{id}"),
            &format!("/circles/{id}/leave"),
            &[],
        )
        .await;
        start_circle(&app, &elsewhere, "Another").await;

        let gets = [
            format!("/circles/{id}"),
            format!("/circles/{id}/common-ground"),
        ];
        let posts = [
            format!("/circles/{id}/sharing"),
            format!("/circles/{id}/lock"),
            format!("/circles/{id}/unlock"),
            format!("/circles/{id}/invites"),
            format!("/circles/{id}/invites/{invite_id}/revoke"),
            format!("/circles/{id}/leave"),
        ];
        for (who, browser) in [
            ("outsider", &outsider),
            ("former member", &former),
            ("member elsewhere", &elsewhere),
        ] {
            for path in &gets {
                assert_eq!(
                    app.get_with(browser, path).await.status(),
                    StatusCode::NOT_FOUND,
                    "{who} GET {path}"
                );
            }
            for path in &posts {
                let response = app.submit_with(browser, "/circles", path, &[]).await;
                assert_eq!(
                    response.status(),
                    StatusCode::NOT_FOUND,
                    "{who} POST {path}"
                );
            }
        }
        for path in &gets {
            let response = app.get_with(&anonymous, path).await;
            assert_eq!(location(&response), "/signin", "anonymous GET {path}");
        }
        for path in &posts {
            let response = app.submit_with(&anonymous, "/signin", path, &[]).await;
            assert_eq!(location(&response), "/signin", "anonymous POST {path}");
        }
        // The circle is untouched: still two members.
        let page = app
            .get_with(&member, &format!("/circles/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(texts(&page, "ul.members li").len(), 2);

        // The same through the API: 401 without a token, 404 for outsiders.
        let token = crate::api::token(&app, "outsider", PASSWORD).await;
        let api = [
            (Method::GET, format!("/api/v1/circles/{id}")),
            (Method::GET, format!("/api/v1/circles/{id}/common-ground")),
            (Method::PUT, format!("/api/v1/circles/{id}/sharing")),
            (Method::POST, format!("/api/v1/circles/{id}/lock")),
            (Method::DELETE, format!("/api/v1/circles/{id}/lock")),
            (Method::POST, format!("/api/v1/circles/{id}/invites")),
            (
                Method::DELETE,
                format!("/api/v1/circles/{id}/invites/{invite_id}"),
            ),
            (Method::DELETE, format!("/api/v1/circles/{id}/members/me")),
        ];
        for (method, path) in &api {
            let body = if *method == Method::PUT {
                Some(json!({"answers": "everything"}))
            } else {
                None
            };
            let mut request = app.client.request(method.clone(), app.url(path));
            if let Some(body) = &body {
                request = request.json(body);
            }
            assert_eq!(
                request.send().await.unwrap().status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let mut request = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&token);
            if let Some(body) = &body {
                request = request.json(body);
            }
            assert_eq!(
                request.send().await.unwrap().status(),
                StatusCode::NOT_FOUND,
                "outsider {method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn a_withdrawn_invite_shows_a_clear_page_and_joins_nobody() {
    for app in TestApp::each_backend().await {
        let (member, guest) = (TestApp::browser(), TestApp::browser());
        app.sign_up_with(&member, "member").await;
        app.sign_up_with(&guest, "guest").await;
        let id = start_circle(&app, &member, "Ours").await;
        let link = invite(&app, &member, &id).await;
        let page = app
            .get_with(&member, &format!("/circles/{id}"))
            .await
            .text()
            .await
            .unwrap();
        let revoke = revoke_action(&page);
        app.submit_with(&member, &format!("/circles/{id}"), &revoke, &[])
            .await;
        let preview = app.get_with(&guest, &link).await;
        assert_eq!(preview.status(), StatusCode::GONE);
        assert!(
            preview
                .text()
                .await
                .unwrap()
                .contains("Please ask for a new one.")
        );
        assert_eq!(join(&app, &guest, &link).await.status(), StatusCode::GONE);
        assert_eq!(
            app.get_with(&guest, &format!("/circles/{id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let bogus = app.get_with(&guest, "/invites/not-a-real-token").await;
        assert_eq!(bogus.status(), StatusCode::GONE);
    }
}

#[tokio::test]
async fn invite_tokens_are_stored_only_as_hashes() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let member = TestApp::browser();
    app.sign_up_with(&member, "member").await;
    let id = start_circle(&app, &member, "Quiet Lanterns").await;
    let link = invite(&app, &member, &id).await;
    let token = link.trim_start_matches("/invites/");
    app.store.ping().await.unwrap();
    for entry in std::fs::read_dir(app.db.dir()).unwrap() {
        let path = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for needle in [token, "Quiet Lanterns"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in {}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn the_api_forms_a_couple_and_reveals_by_the_rules() {
    for app in TestApp::each_backend().await {
        let mut tokens = Vec::new();
        for name in ["ashley", "bowie"] {
            app.client
                .post(app.url("/api/v1/members"))
                .json(&json!({"username": name, "password": PASSWORD, "adult": true}))
                .send()
                .await
                .unwrap();
            tokens.push(crate::api::token(&app, name, PASSWORD).await);
        }
        let call = |method: Method, path: String, token: String, body: Option<Value>| {
            let app = &app;
            async move {
                let mut request = app
                    .client
                    .request(method, app.url(&path))
                    .bearer_auth(token);
                if let Some(body) = body {
                    request = request.json(&body);
                }
                let response = request.send().await.unwrap();
                let status = response.status();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        };
        let (status, circle) = call(
            Method::POST,
            "/api/v1/circles".into(),
            tokens[0].clone(),
            Some(json!({"name": "Us"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let id = circle["id"].as_str().unwrap().to_owned();
        let (status, bad) = call(
            Method::POST,
            "/api/v1/circles".into(),
            tokens[0].clone(),
            Some(json!({"name": " "})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (_, invite) = call(
            Method::POST,
            format!("/api/v1/circles/{id}/invites"),
            tokens[0].clone(),
            None,
        )
        .await;
        let token = invite["token"].as_str().unwrap().to_owned();
        assert!(
            invite["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/invites/{token}"))
        );
        let (status, joined) = call(
            Method::POST,
            format!("/api/v1/invites/{token}/accept"),
            tokens[1].clone(),
            None,
        )
        .await;
        assert_eq!(
            (status, joined["circle"].as_str()),
            (StatusCode::OK, Some(id.as_str()))
        );
        let (status, _) = call(
            Method::POST,
            format!("/api/v1/invites/{token}/accept"),
            tokens[1].clone(),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::GONE);

        call(Method::PUT, "/api/v1/profile/answers".into(), tokens[0].clone(), Some(json!({"variant": "after-sex", "answers": [{"item": "cuddling", "receive": "love", "note": "private words"}]}))).await;
        call(Method::PUT, "/api/v1/profile/answers".into(), tokens[1].clone(), Some(json!({"variant": "after-sex", "answers": [{"item": "cuddling", "give": "glad"}, {"item": "hugging", "receive": "like"}]}))).await;

        let (_, ground) = call(
            Method::GET,
            format!("/api/v1/circles/{id}/common-ground"),
            tokens[0].clone(),
            None,
        )
        .await;
        assert_eq!(ground["revealed"], false);
        assert_eq!(ground["waiting-for"], 2);
        let (status, bad) = call(
            Method::PUT,
            format!("/api/v1/circles/{id}/sharing"),
            tokens[1].clone(),
            Some(json!({"answers": "all", "secrets": "nothing"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad["errors"].as_array().unwrap().len(), 2);
        for token in &tokens {
            let (status, body) = call(
                Method::POST,
                format!("/api/v1/circles/{id}/lock"),
                token.clone(),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (_, ground) = call(
            Method::GET,
            format!("/api/v1/circles/{id}/common-ground"),
            tokens[1].clone(),
            None,
        )
        .await;
        assert_eq!(ground["revealed"], true);
        let facts: Vec<&Value> = ground["facts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["type"] != "own")
            .collect();
        assert!(
            facts
                .iter()
                .any(|f| f["type"] == "needs" && f["item"] == "cuddling" && f["rating"] == "love")
        );
        let (_, seen_by_ashley) = call(
            Method::GET,
            format!("/api/v1/circles/{id}/common-ground"),
            tokens[0].clone(),
            None,
        )
        .await;
        // One "glad to" of one is not a pattern: no blanket notice (and no percentages).
        assert!(
            !seen_by_ashley["facts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["type"] == "blanket" || f["type"] == "yes-rate"),
            "{seen_by_ashley}"
        );
        assert!(
            !ground.to_string().contains("private words"),
            "notes stay private under matches"
        );

        let (status, _) = call(
            Method::DELETE,
            format!("/api/v1/circles/{id}/members/me"),
            tokens[1].clone(),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = call(
            Method::GET,
            format!("/api/v1/circles/{id}"),
            tokens[0].clone(),
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a circle left with one member is closed"
        );
    }
}

#[tokio::test]
async fn an_expired_invite_shows_a_clear_page_and_joins_nobody() {
    for app in TestApp::each_backend().await {
        let (member, guest) = (TestApp::browser(), TestApp::browser());
        app.sign_up_with(&member, "member").await;
        app.sign_up_with(&guest, "guest").await;
        let id = start_circle(&app, &member, "Ours").await;
        let owner = app
            .store
            .credentials("member")
            .await
            .unwrap()
            .unwrap()
            .member_id;
        let circle = tend_store::CircleId::parse(&id).unwrap();
        let token = "an-invite-token-that-expired-yesterday-0000";
        let yesterday = tend_core::Timestamp::from_unix_seconds(1);
        app.store
            .create_invite(owner, circle, &sha(token), yesterday, yesterday)
            .await
            .unwrap();
        let link = format!("/invites/{token}");
        let preview = app.get_with(&guest, &link).await;
        assert_eq!(preview.status(), StatusCode::GONE);
        assert!(preview.text().await.unwrap().contains("has expired"));
        assert_eq!(join(&app, &guest, &link).await.status(), StatusCode::GONE);
        assert_eq!(
            app.get_with(&guest, &format!("/circles/{id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
}

fn sha(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}
