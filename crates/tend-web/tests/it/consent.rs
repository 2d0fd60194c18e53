//! Consent holds in a group (issue 16): what a partner learns follows the reveal rules on
//! every page and in every answer of the API, not only on common ground. Each test is one
//! finding of the audit, tried as members of a throuple would, on both databases, over HTTP.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, texts};
use crate::routines::{Member, call};

/// A member with a display name, signed in both in a browser and to the API.
struct Person {
    browser: Client,
    api: Member,
}

async fn person(app: &TestApp, username: &str, shown: &str) -> Person {
    let browser = crate::routine_pages::signed_up(app, username, shown).await;
    let token = crate::api::token(app, username, PASSWORD).await;
    let (_, me) = call(
        app,
        Method::GET,
        "/api/v1/me",
        &Member {
            id: String::new(),
            token: token.clone(),
        },
        None,
    )
    .await;
    Person {
        browser,
        api: Member {
            id: me["id"].as_str().unwrap().to_owned(),
            token,
        },
    }
}

/// Apps that let many members sign in within a minute from the test's one address.
async fn apps() -> Vec<TestApp> {
    TestApp::each_backend_with(|| {
        let mut config = crate::helpers::config();
        config.sign_in_per_minute = 10_000;
        config
    })
    .await
}

async fn page(app: &TestApp, who: &Person, path: &str) -> (StatusCode, String) {
    let response = app.get_with(&who.browser, path).await;
    (response.status(), response.text().await.unwrap())
}

/// `who` joins the circle on a link `by` made.
async fn join(app: &TestApp, circle: &str, by: &Person, who: &Person) {
    let (_, invite) = call(
        app,
        Method::POST,
        &format!("/api/v1/circles/{circle}/invites"),
        &by.api,
        None,
    )
    .await;
    let token = invite["token"].as_str().unwrap();
    let (status, body) = call(
        app,
        Method::POST,
        &format!("/api/v1/invites/{token}/accept"),
        &who.api,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A circle made by the first person, the others joining one by one.
async fn circle(app: &TestApp, people: &[&Person]) -> String {
    let (_, made) = call(
        app,
        Method::POST,
        "/api/v1/circles",
        &people[0].api,
        Some(json!({"name": "Us"})),
    )
    .await;
    let id = made["id"].as_str().unwrap().to_owned();
    for joiner in &people[1..] {
        join(app, &id, people[0], joiner).await;
    }
    id
}

async fn post(app: &TestApp, who: &Person, path: &str) -> Value {
    let (status, body) = call(app, Method::POST, path, &who.api, None).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn lock(app: &TestApp, circle: &str, who: &Person) {
    post(app, who, &format!("/api/v1/circles/{circle}/lock")).await;
}

async fn ground(app: &TestApp, circle: &str, who: &Person) -> Value {
    let (status, body) = call(
        app,
        Method::GET,
        &format!("/api/v1/circles/{circle}/common-ground"),
        &who.api,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The facts of a view about `partner`, by type.
fn facts_about<'a>(view: &'a Value, partner: &Person, kind: &str) -> Vec<&'a Value> {
    view["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["type"] == kind && f["partner"] == partner.api.id.as_str())
        .collect()
}

async fn answer(app: &TestApp, who: &Person, variant: &str, answers: Value) {
    let (status, body) = call(
        app,
        Method::PUT,
        "/api/v1/profile/answers",
        &who.api,
        Some(json!({"variant": variant, "answers": answers})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn share(app: &TestApp, circle: &str, who: &Person, choices: Value) {
    let (status, body) = call(
        app,
        Method::PUT,
        &format!("/api/v1/circles/{circle}/sharing"),
        &who.api,
        Some(choices),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A hard limit of `who`'s, shared with the circles named.
async fn limit(app: &TestApp, who: &Person, text: &str, circles: &[&str]) -> String {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/v1/profile/boundaries",
        &who.api,
        Some(json!({"kind": "hard-limit", "text": text, "shared-with": circles})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// A session of `participants` in aftercare at once, then closed.
async fn session_done(app: &TestApp, circle: &str, participants: &[&Person]) -> String {
    let ids: Vec<&str> = participants.iter().map(|p| p.api.id.as_str()).collect();
    let (status, session) = call(
        app,
        Method::POST,
        &format!("/api/v1/circles/{circle}/sessions"),
        &participants[0].api,
        Some(json!({"participants": ids, "start": "aftercare"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let id = session["id"].as_str().unwrap().to_owned();
    for person in participants {
        post(app, person, &format!("/api/v1/sessions/{id}/close")).await;
    }
    id
}

/// A planned session of `participants`, started by the first: its id.
async fn plan(app: &TestApp, circle: &str, participants: &[&Person]) -> String {
    let ids: Vec<&str> = participants.iter().map(|p| p.api.id.as_str()).collect();
    let (status, session) = call(
        app,
        Method::POST,
        &format!("/api/v1/circles/{circle}/sessions"),
        &participants[0].api,
        Some(json!({"participants": ids, "start": "plan"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    session["id"].as_str().unwrap().to_owned()
}

/// Finding 1: a brief compares with the last session the viewer took part in, never with
/// one only others had.
#[tokio::test]
async fn a_brief_speaks_only_of_sessions_the_viewer_took_part_in() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let c = person(&app, "cass", "Cass").await;
        let id = circle(&app, &[&a, &b, &c]).await;
        let theirs = session_done(&app, &id, &[&a, &b]).await;
        let (status, _) = call(
            &app,
            Method::GET,
            &format!("/api/v1/sessions/{theirs}"),
            &c.api,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let with_c = plan(&app, &id, &[&c, &a]).await;
        let (_, brief) = page(&app, &c, &format!("/sessions/{with_c}")).await;
        assert!(texts(&brief, ".since-last").is_empty(), "{brief}");
        // A took part in the other one: A's brief of this plan may compare with it.
        let (_, for_a) = page(&app, &a, &format!("/sessions/{with_c}")).await;
        assert_eq!(texts(&for_a, ".since-last").len(), 1, "{for_a}");
    }
}

/// Finding 2: someone who joins sees nothing shared before they came (common ground, the
/// routine's steps for or from a partner) until every member has confirmed; they see the
/// members and the safewords at once.
#[tokio::test]
async fn a_newcomer_sees_what_was_shared_before_only_once_everyone_confirmed() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let c = person(&app, "cass", "Cass").await;
        let id = circle(&app, &[&a, &b]).await;
        share(&app, &id, &a, json!({"answers": "everything"})).await;
        answer(
            &app,
            &a,
            "after-sex",
            json!([{"item": "cuddling", "receive": "love", "note": "Slowly, please"}]),
        )
        .await;
        limit(&app, &a, "No surprises from behind", &[&id]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &a.api,
            Some(json!({
                "steps": [
                    {"item": "cuddling", "for": [a.api.id], "from": [b.api.id]},
                    {"item": "water-or-a-drink"}
                ],
                "safewords": {"stop": "pineapple", "slow": "mango"}
            })),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        post(&app, &b, &format!("{proposals}/{pid}/accept")).await;
        lock(&app, &id, &a).await;
        lock(&app, &id, &b).await;
        assert!(ground(&app, &id, &b).await["revealed"].as_bool().unwrap());

        join(&app, &id, &a, &c).await;
        lock(&app, &id, &c).await;
        let seen = ground(&app, &id, &c).await;
        assert_eq!(seen["revealed"], false, "{seen}");
        assert_eq!(seen["unconfirmed"], 2, "{seen}");
        assert!(facts_about(&seen, &a, "answer").is_empty());
        assert_eq!(seen["boundaries"], json!([]));
        let (_, circle_seen) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}"),
            &c.api,
            None,
        )
        .await;
        assert_eq!(circle_seen["members"].as_array().unwrap().len(), 3);
        let (_, routine) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/routine"),
            &c.api,
            None,
        )
        .await;
        assert_eq!(routine["safewords"]["stop"], "pineapple", "{routine}");
        let items: Vec<&str> = routine["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["item"].as_str().unwrap())
            .collect();
        assert_eq!(
            items,
            ["water-or-a-drink"],
            "no step for or from a partner yet"
        );
        let (_, page_seen) = page(&app, &c, &format!("/circles/{id}/routine")).await;
        assert!(page_seen.contains("pineapple"));
        assert!(!page_seen.contains("Cuddling"), "{page_seen}");

        // Existing members are asked, on the circle's page and in their notifications.
        let (_, asked) = page(&app, &a, &format!("/circles/{id}")).await;
        assert_eq!(
            texts(&asked, "#confirm-heading"),
            ["Cass joined. Look at what you share with this circle"]
        );
        let (_, told) = page(&app, &a, "/notifications").await;
        assert!(told.contains("Cass joined Us."), "{told}");

        post(&app, &a, &format!("/api/v1/circles/{id}/confirm")).await;
        assert_eq!(ground(&app, &id, &c).await["revealed"], false, "B has not");
        post(&app, &b, &format!("/api/v1/circles/{id}/confirm")).await;
        let seen = ground(&app, &id, &c).await;
        assert_eq!(seen["revealed"], true, "{seen}");
        assert_eq!(facts_about(&seen, &a, "answer").len(), 1, "{seen}");
        assert_eq!(seen["boundaries"][0]["text"], "No surprises from behind");
        let (_, routine) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/routine"),
            &c.api,
            None,
        )
        .await;
        assert_eq!(routine["steps"].as_array().unwrap().len(), 2, "{routine}");
    }
}

/// Finding 2, the routine: a newcomer's proposal keeps the steps they cannot see yet.
#[tokio::test]
async fn a_newcomers_proposal_keeps_the_steps_hidden_from_them() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let c = person(&app, "cass", "Cass").await;
        let id = circle(&app, &[&a, &b]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &a.api,
            Some(json!({"steps": [{"item": "cuddling", "for": [a.api.id], "from": [b.api.id]}]})),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        post(&app, &b, &format!("{proposals}/{pid}/accept")).await;
        lock(&app, &id, &a).await;
        lock(&app, &id, &b).await;
        join(&app, &id, &a, &c).await;
        let (status, mine) = call(
            &app,
            Method::POST,
            &proposals,
            &c.api,
            Some(json!({"steps": [{"item": "water-or-a-drink", "for": [c.api.id]}]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{mine}");
        assert_eq!(
            mine["routine"]["steps"].as_array().unwrap().len(),
            1,
            "{mine}"
        );
        // Guessing the hidden step's id is refused like any unknown id.
        let (status, _) = call(
            &app,
            Method::POST,
            &proposals,
            &c.api,
            Some(json!({"steps": [{"id": 1, "item": "water-or-a-drink"}]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Care only for C adds nothing for anyone else to agree to: it is the routine now,
        // and A's step is still in it.
        assert_eq!(mine["state"], "accepted", "{mine}");
        let routine = format!("/api/v1/circles/{id}/routine");
        let (_, for_a) = call(&app, Method::GET, &routine, &a.api, None).await;
        let items: Vec<&str> = for_a["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["item"].as_str().unwrap())
            .collect();
        assert_eq!(items, ["water-or-a-drink", "cuddling"], "{for_a}");
    }
}

/// Finding 2, the routine, as a proposal shows it before anyone says yes: what it changes
/// names no step hidden from a newcomer, not even one it removes, on the page or in the API.
#[tokio::test]
async fn a_proposals_changes_name_no_step_hidden_from_a_newcomer() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let c = person(&app, "cass", "Cass").await;
        let id = circle(&app, &[&a, &b]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &a.api,
            Some(json!({"steps": [
                {"item": "cuddling", "minutes": 10, "for": [a.api.id], "from": [b.api.id]},
                {"item": "water-or-a-drink"}
            ]})),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        post(&app, &b, &format!("{proposals}/{pid}/accept")).await;
        lock(&app, &id, &a).await;
        lock(&app, &id, &b).await;
        join(&app, &id, &a, &c).await;
        // A proposes to drop the cuddle, give the water five minutes and stop on "pineapple".
        let (status, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &a.api,
            Some(json!({
                "steps": [{"id": 2, "item": "water-or-a-drink", "minutes": 5}],
                "safewords": {"stop": "pineapple", "slow": "yellow"}
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{proposal}");
        assert_eq!(proposal["state"], "open", "{proposal}");

        let (_, for_b) = call(&app, Method::GET, &proposals, &b.api, None).await;
        let what = |listed: &Value| -> Vec<String> {
            listed[0]["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["what"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            what(&for_b),
            ["step-changed", "step-removed", "stop-word"],
            "{for_b}"
        );
        let (_, for_c) = call(&app, Method::GET, &proposals, &c.api, None).await;
        assert_eq!(what(&for_c), ["step-changed", "stop-word"], "{for_c}");
        assert!(!for_c.to_string().contains("cuddling"), "{for_c}");
        let (_, page_c) = page(&app, &c, &format!("/circles/{id}/routine")).await;
        assert_eq!(
            texts(&page_c, "section.proposal ol.proposed-steps li"),
            ["Water or a drink · 5 minutes Changed (was: Water or a drink)"]
        );
        assert!(texts(&page_c, "section.proposal ul.removed-steps li").is_empty());
        assert!(
            texts(&page_c, "section.proposal dd").contains(&"Changed: red → pineapple".to_owned()),
            "{page_c}"
        );
        assert!(!page_c.contains("Cuddling"), "{page_c}");
        let (_, page_b) = page(&app, &b, &format!("/circles/{id}/routine")).await;
        assert_eq!(
            texts(&page_b, "section.proposal ul.removed-steps li"),
            ["Cuddling or spooning · 10 minutes · for Ash · from Bo Removed"]
        );
    }
}

/// The new boundaries a brief names, as `who` sees it.
async fn brief(app: &TestApp, who: &Person, path: &str) -> Vec<String> {
    let (_, html) = page(app, who, path).await;
    texts(&html, "ul.new-boundaries li")
}

/// Finding 3: boundaries are shared entry by entry, and reach a brief or common ground
/// only after the reveal; a limit added under a kind that is shared stays private until
/// its owner ticks the circle.
#[tokio::test]
async fn a_boundary_is_shared_entry_by_entry_and_only_after_the_reveal() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let id = circle(&app, &[&a, &b]).await;
        session_done(&app, &id, &[&a, &b]).await;
        app.state
            .app
            .clock
            .advance(std::time::Duration::from_secs(3600));
        share(&app, &id, &a, json!({"hard-limit": "everything"})).await;
        let entry = limit(&app, &a, "No tickling, please", &[]).await;
        let planned = plan(&app, &id, &[&b, &a]).await;
        let brief_path = format!("/sessions/{planned}");
        assert!(
            brief(&app, &b, &brief_path).await.is_empty(),
            "private, and nothing revealed"
        );
        let (status, _) = call(
            &app,
            Method::PUT,
            &format!("/api/v1/profile/boundaries/{entry}"),
            &a.api,
            Some(json!({"kind": "hard-limit", "text": "No tickling, please", "shared-with": [id]})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            brief(&app, &b, &brief_path).await.is_empty(),
            "shared, but not revealed yet"
        );
        assert_eq!(ground(&app, &id, &b).await["boundaries"], json!([]));
        lock(&app, &id, &a).await;
        lock(&app, &id, &b).await;
        assert_eq!(
            brief(&app, &b, &brief_path).await,
            ["Ash — Hard limits: No tickling, please"]
        );
        // A second limit, the kind still shared: private until ticked.
        limit(&app, &a, "No blindfolds", &[]).await;
        let seen = ground(&app, &id, &b).await;
        let texts: Vec<&str> = seen["boundaries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["No tickling, please"]);
        // The circle's sharing form shows the kind as "some", and saving it as it is, or
        // with another section changed, leaves every entry as ticked.
        let (_, circle_page) = page(&app, &a, &format!("/circles/{id}")).await;
        let mut fields = crate::helpers::form_fields(
            &circle_page,
            &format!("form[action='/circles/{id}/sharing']"),
        );
        assert!(
            fields.contains(&("hard-limit".to_owned(), "matches".to_owned())),
            "{fields:?}"
        );
        for (name, value) in &mut fields {
            if name == "answers" {
                *value = "everything".to_owned();
            }
        }
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .filter(|(name, _)| name != "csrf")
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let saved = app
            .submit_with(
                &a.browser,
                &format!("/circles/{id}"),
                &format!("/circles/{id}/sharing"),
                &fields,
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            ground(&app, &id, &b).await["boundaries"][0]["text"],
            "No tickling, please",
            "still shared"
        );
        // Ticking on the boundaries page shares it; unticking makes it private again.
        let (_, mine) = page(&app, &a, "/profile/boundaries").await;
        assert!(mine.contains("Share with"), "{mine}");
        let (_, listed) = call(
            &app,
            Method::GET,
            "/api/v1/profile/boundaries",
            &a.api,
            None,
        )
        .await;
        let first = listed[0]["id"].as_str().unwrap();
        let unticked = app
            .submit_with(
                &a.browser,
                "/profile/boundaries",
                &format!("/profile/boundaries/{first}"),
                &[("text", "No tickling, please"), ("circles", "listed")],
            )
            .await;
        assert_eq!(unticked.status(), StatusCode::SEE_OTHER);
        assert_eq!(ground(&app, &id, &b).await["boundaries"], json!([]));
    }
}

/// Finding 4: a review shows results only once everyone has answered, so an unnamed wish
/// cannot be traced to the one who answered first. (Also in `routines.rs`, through the
/// whole round; here on the review's page.)
#[tokio::test]
async fn a_review_page_shows_results_only_when_everyone_has_answered() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let id = circle(&app, &[&a, &b]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &a.api,
            Some(json!({"steps": [{"item": "water-or-a-drink"}]})),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        post(&app, &b, &format!("{proposals}/{pid}/accept")).await;
        let review = post(&app, &a, &format!("/api/v1/circles/{id}/reviews")).await;
        let rid = review["id"].as_str().unwrap();
        let (status, _) = call(
            &app,
            Method::PUT,
            &format!("/api/v1/circles/{id}/reviews/{rid}"),
            &a.api,
            Some(json!({"verdicts": {"1": "change"}})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, for_b) = page(&app, &b, &format!("/circles/{id}/routine/reviews/{rid}")).await;
        assert!(
            !for_b.contains("someone would like to change or drop this"),
            "{for_b}"
        );
        assert!(for_b.contains("What everyone said shows once all have answered."));
        call(
            &app,
            Method::PUT,
            &format!("/api/v1/circles/{id}/reviews/{rid}"),
            &b.api,
            Some(json!({"verdicts": {"1": "keep"}})),
        )
        .await;
        let (_, after) = page(&app, &b, &format!("/circles/{id}/routine/reviews/{rid}")).await;
        assert!(
            after.contains("someone would like to change or drop this"),
            "{after}"
        );
    }
}

fn changed(view: &Value, partner: &Person) -> bool {
    !facts_about(view, partner, "changed").is_empty()
}

/// Finding 5: the "changed since the reveal" mark survives an unlock and a lock again, is
/// not set off by private edits or another kind of session, and is shown only to partners
/// who can see the section that changed.
#[tokio::test]
async fn a_changed_mark_is_honest_and_shown_only_where_the_section_is_seen() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let c = person(&app, "cass", "Cass").await;
        let id = circle(&app, &[&a, &b, &c]).await;
        // C takes no part in matching: C sees nothing of A's answers.
        share(&app, &id, &c, json!({"answers": "nothing"})).await;
        answer(
            &app,
            &a,
            "after-sex",
            json!([{"item": "cuddling", "receive": "like"}]),
        )
        .await;
        for who in [&a, &b, &c] {
            lock(&app, &id, who).await;
        }
        assert!(!changed(&ground(&app, &id, &b).await, &a));

        // Private edits: a note (A shares matches only), a private item, another kind.
        answer(
            &app,
            &a,
            "after-sex",
            json!([{"item": "cuddling", "note": "Only on the sofa"}]),
        )
        .await;
        let (status, _) = call(
            &app,
            Method::POST,
            "/api/v1/profile/custom-items",
            &a.api,
            Some(json!({"label": "Reading aloud", "kind": "given"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        answer(
            &app,
            &a,
            "after-hard-scene",
            json!([{"item": "cuddling", "receive": "no"}]),
        )
        .await;
        assert!(!changed(&ground(&app, &id, &b).await, &a), "private edits");

        answer(
            &app,
            &a,
            "after-sex",
            json!([{"item": "cuddling", "receive": "love"}]),
        )
        .await;
        assert!(changed(&ground(&app, &id, &b).await, &a));
        assert!(
            !changed(&ground(&app, &id, &c).await, &a),
            "C sees no answers"
        );

        post(&app, &a, &format!("/api/v1/circles/{id}/lock")).await;
        let (status, _) = call(
            &app,
            Method::DELETE,
            &format!("/api/v1/circles/{id}/lock"),
            &a.api,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        lock(&app, &id, &a).await;
        assert!(
            changed(&ground(&app, &id, &b).await, &a),
            "an unlock and a lock again do not erase it"
        );
    }
}

/// Finding 6: an invite page names only who invited (their display name) and how many
/// are in the circle; a member's open links go when they leave.
#[tokio::test]
async fn an_invite_page_names_only_the_inviter_and_dies_when_they_leave() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let c = person(&app, "cass", "Cass").await;
        let id = circle(&app, &[&a, &b, &c]).await;
        let (_, invite) = call(
            &app,
            Method::POST,
            &format!("/api/v1/circles/{id}/invites"),
            &b.api,
            None,
        )
        .await;
        let token = invite["token"].as_str().unwrap();
        let stranger = TestApp::browser();
        let response = app.get_with(&stranger, &format!("/invites/{token}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let anonymous = response.text().await.unwrap();
        let d = person(&app, "dana", "Dee").await;
        let (_, signed_in) = page(&app, &d, &format!("/invites/{token}")).await;
        for html in [&anonymous, &signed_in] {
            for name in ["Ash", "ashley", "bowie", "Cass", "cass"] {
                assert!(!html.contains(name), "{name} in {html}");
            }
        }
        assert!(
            signed_in.contains("Bo invited you. The circle has 3 members."),
            "{signed_in}"
        );

        let (status, _) = call(
            &app,
            Method::DELETE,
            &format!("/api/v1/circles/{id}/members/me"),
            &b.api,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = page(&app, &d, &format!("/invites/{token}")).await;
        assert_eq!(status, StatusCode::GONE);
        let (status, _) = call(
            &app,
            Method::POST,
            &format!("/api/v1/invites/{token}/accept"),
            &d.api,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::GONE);
    }
}

/// Finding 7: answering the same to almost everything is named to partners in plain words,
/// give side and receive side alike, instead of a percentage of yeses.
#[tokio::test]
async fn blanket_answers_are_named_gently_on_either_side() {
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let id = circle(&app, &[&a, &b]).await;
        let (_, catalog) = call(&app, Method::GET, "/api/v1/catalog", &a.api, None).await;
        let given: Vec<String> = catalog["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "given")
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(given.len() >= 10);
        let loves: Vec<Value> = given
            .iter()
            .map(|item| json!({"item": item, "receive": "love"}))
            .collect();
        answer(&app, &a, "after-sex", Value::Array(loves)).await;
        let maybes: Vec<Value> = given
            .iter()
            .map(|item| json!({"item": item, "give": "maybe"}))
            .collect();
        answer(&app, &b, "after-sex", Value::Array(maybes)).await;
        lock(&app, &id, &a).await;
        lock(&app, &id, &b).await;

        let for_b = ground(&app, &id, &b).await;
        let notices: Vec<(&str, &str)> = facts_about(&for_b, &a, "blanket")
            .iter()
            .map(|f| (f["side"].as_str().unwrap(), f["answer"].as_str().unwrap()))
            .collect();
        assert_eq!(notices, [("receive", "love")]);
        let for_a = ground(&app, &id, &a).await;
        let notices: Vec<(&str, &str)> = facts_about(&for_a, &b, "blanket")
            .iter()
            .map(|f| (f["side"].as_str().unwrap(), f["answer"].as_str().unwrap()))
            .collect();
        assert_eq!(notices, [("give", "maybe")]);
        assert!(!for_a.to_string().contains("yes-rate"));
        let (_, html) = page(&app, &b, &format!("/circles/{id}/common-ground")).await;
        assert_eq!(
            texts(&html, "ul.blankets li"),
            [
                "Ash said \"love\" to almost everything. Worth talking about what matters most to Ash."
            ]
        );
    }
}

/// Finding 8: a stolen database does not say who was with whom: follow-up ids are keyed,
/// not a hash of the session and member ids; the SQLite files are the owner's alone.
#[tokio::test]
async fn a_stolen_database_cannot_name_a_sessions_participants() {
    use sha2::Digest;
    for app in apps().await {
        let a = person(&app, "ashley", "Ash").await;
        let b = person(&app, "bowie", "Bo").await;
        let id = circle(&app, &[&a, &b]).await;
        let session = session_done(&app, &id, &[&a, &b]).await;
        let session_id = tend_store::CareSessionId::parse(&session)
            .unwrap()
            .as_uuid();
        let mut seen = 0;
        for who in [&a, &b] {
            let member = tend_store::MemberId::parse(&who.api.id).unwrap();
            for (follow_up, _, kept) in app.store.follow_ups(member).await.unwrap() {
                seen += 1;
                let guess = sha2::Sha256::new()
                    .chain_update(b"tend follow-up")
                    .chain_update(session_id.as_bytes())
                    .chain_update(member.as_uuid().as_bytes())
                    .chain_update(kept.hours.to_be_bytes())
                    .finalize();
                assert_ne!(&follow_up.as_uuid().as_bytes()[..], &guess[..16]);
            }
        }
        assert_eq!(seen, 8, "four follow-ups each");
        if let Some(file) = app.db.location.database_url.strip_prefix("sqlite://") {
            use std::os::unix::fs::PermissionsExt;
            for path in [std::path::Path::new(file), &app.db.location.keystore_path] {
                let mode = std::fs::metadata(path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            }
        }
    }
}
