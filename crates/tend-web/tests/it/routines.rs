//! The circle's routine through the API: proposals need everyone's yes, self-care needs
//! nobody's, every version is kept and can be compared, and outsiders get 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

pub(crate) struct Member {
    pub(crate) id: String,
    pub(crate) token: String,
}

pub(crate) async fn member(app: &TestApp, name: &str) -> Member {
    let response = app
        .client
        .post(app.url("/api/v1/members"))
        .json(&json!({"username": name, "password": PASSWORD, "adult": true}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    Member {
        id: body["id"].as_str().unwrap().to_owned(),
        token: crate::api::token(app, name, PASSWORD).await,
    }
}

pub(crate) async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &Member,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&who.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A circle of `members`, the first making it and inviting the others.
pub(crate) async fn circle(app: &TestApp, members: &[&Member]) -> String {
    let (_, circle) = call(
        app,
        Method::POST,
        "/api/v1/circles",
        members[0],
        Some(json!({"name": "Us"})),
    )
    .await;
    let id = circle["id"].as_str().unwrap().to_owned();
    for joiner in &members[1..] {
        let (_, invite) = call(
            app,
            Method::POST,
            &format!("/api/v1/circles/{id}/invites"),
            members[0],
            None,
        )
        .await;
        let token = invite["token"].as_str().unwrap();
        let (status, _) = call(
            app,
            Method::POST,
            &format!("/api/v1/invites/{token}/accept"),
            joiner,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    id
}

#[tokio::test]
async fn two_partners_agree_change_and_compare_their_routine() {
    for app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let routine = format!("/api/v1/circles/{id}/routine");
        let (_, empty) = call(&app, Method::GET, &routine, &sam, None).await;
        assert_eq!(empty["version"], 0);
        assert_eq!(empty["steps"], json!([]));
        assert_eq!(empty["safewords"], json!({"stop": "red", "slow": "yellow"}));
        assert_eq!(empty["follow-up-hours"], json!([12, 24, 48, 72]));

        let first = json!({
            "steps": [
                {"item": "cuddling", "minutes": 10, "for": [sam.id], "from": [alex.id]},
                {"text": "Talk about one thing we enjoyed", "for": [sam.id, alex.id], "from": [sam.id, alex.id]}
            ],
            "nonverbal-signal": "three taps",
            "check-in-minutes": 15
        });
        let proposals = format!("{routine}/proposals");
        let (status, proposal) = call(&app, Method::POST, &proposals, &sam, Some(first)).await;
        assert_eq!(status, StatusCode::CREATED, "{proposal}");
        assert_eq!(proposal["state"], "open", "alex has not said yes");
        let pid = proposal["id"].as_str().unwrap().to_owned();
        let (_, open) = call(&app, Method::GET, &proposals, &alex, None).await;
        assert_eq!(open.as_array().unwrap().len(), 1);
        let (_, accepted) = call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &alex,
            None,
        )
        .await;
        assert_eq!(
            (accepted["state"].as_str(), accepted["version"].as_u64()),
            (Some("accepted"), Some(1))
        );
        let (_, v1) = call(&app, Method::GET, &routine, &alex, None).await;
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["nonverbal-signal"], "three taps");
        let cuddling = v1["steps"][0]["id"].as_u64().unwrap();

        // Version 2: a longer cuddle, the talk dropped, water added, another safeword.
        let second = json!({
            "steps": [
                {"item": "water-or-a-drink", "for": [sam.id], "from": [alex.id]},
                {"id": cuddling, "item": "cuddling", "minutes": 20, "for": [sam.id], "from": [alex.id]}
            ],
            "safewords": {"stop": "pineapple", "slow": "yellow"}
        });
        let (_, proposal) = call(&app, Method::POST, &proposals, &alex, Some(second)).await;
        let pid = proposal["id"].as_str().unwrap().to_owned();
        call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &sam,
            None,
        )
        .await;
        let (_, compare) = call(
            &app,
            Method::GET,
            &format!("{routine}/compare?from=1&to=2"),
            &sam,
            None,
        )
        .await;
        assert_eq!(compare["added"][0]["item"], "water-or-a-drink");
        assert_eq!(
            compare["removed"][0]["text"],
            "Talk about one thing we enjoyed"
        );
        assert_eq!(compare["changed"][0]["before"]["minutes"], 10);
        assert_eq!(compare["changed"][0]["after"]["minutes"], 20);
        assert_eq!(compare["reordered"], false, "only one step stayed");
        assert_eq!(
            compare["settings"]["after"]["safewords"]["stop"],
            "pineapple"
        );
        let (_, versions) = call(
            &app,
            Method::GET,
            &format!("{routine}/versions"),
            &sam,
            None,
        )
        .await;
        let authors: Vec<&str> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["author"].as_str().unwrap())
            .collect();
        assert_eq!(authors, [sam.id.as_str(), alex.id.as_str()]);
        let (_, old) = call(
            &app,
            Method::GET,
            &format!("{routine}/versions/1"),
            &alex,
            None,
        )
        .await;
        assert_eq!(old["steps"].as_array().unwrap().len(), 2);

        // Care for oneself, given by oneself, needs nobody's yes.
        let (_, v2) = call(&app, Method::GET, &routine, &alex, None).await;
        let mut third = v2.clone();
        third["steps"]
            .as_array_mut()
            .unwrap()
            .push(json!({"item": "time-alone", "minutes": 15, "for": [alex.id]}));
        let (_, proposal) = call(&app, Method::POST, &proposals, &alex, Some(third)).await;
        assert_eq!(
            (proposal["state"].as_str(), proposal["version"].as_u64()),
            (Some("accepted"), Some(3))
        );

        // A no, with a note, closes a proposal.
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &sam,
            Some(json!({"steps": []})),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap().to_owned();
        let (_, declined) = call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/decline"),
            &alex,
            Some(json!({"note": "I like our steps"})),
        )
        .await;
        assert_eq!(declined["state"], "declined");
        assert_eq!(declined["declined"][0]["note"], "I like our steps");
        let (_, current) = call(&app, Method::GET, &routine, &sam, None).await;
        assert_eq!(current["version"], 3);
    }
}

#[tokio::test]
async fn a_member_who_leaves_no_longer_blocks_a_proposal() {
    for app in TestApp::each_backend().await {
        let (sam, alex, kim) = (
            member(&app, "sam").await,
            member(&app, "alex").await,
            member(&app, "kim").await,
        );
        let id = circle(&app, &[&sam, &alex, &kim]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &sam,
            Some(json!({"steps": [{"item": "sleep"}]})),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap().to_owned();
        let (_, accepted) = call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &alex,
            None,
        )
        .await;
        assert_eq!(accepted["state"], "open", "kim has not said yes");
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/circles/{id}/members/me"),
            &kim,
            None,
        )
        .await;
        let (_, routine) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/routine"),
            &sam,
            None,
        )
        .await;
        assert_eq!(routine["version"], 1);
        assert_eq!(routine["steps"][0]["item"], "sleep");
    }
}

#[tokio::test]
async fn a_proposal_with_mistakes_names_each_and_changes_nothing() {
    for app in TestApp::each_backend().await {
        let (sam, alex, outsider) = (
            member(&app, "sam").await,
            member(&app, "alex").await,
            member(&app, "outsider").await,
        );
        let id = circle(&app, &[&sam, &alex]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let bad = json!({
            "steps": [
                {"item": "no-such-item"},
                {"text": "   "},
                {"item": "cuddling", "minutes": 0, "for": [outsider.id]},
                {"id": 99, "item": "sleep"}
            ],
            "safewords": {"stop": "red", "slow": "red"},
            "check-in-minutes": 500,
            "follow-up-hours": [0, 24],
            "variant": "after-tea"
        });
        let (status, problem) = call(&app, Method::POST, &proposals, &sam, Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "steps[0].item",
                "steps[1].text",
                "steps[2].minutes",
                "steps[2].for",
                "steps[3].id",
                "safewords",
                "check-in-minutes",
                "follow-up-hours",
                "variant",
            ]
        );
        let (_, open) = call(&app, Method::GET, &proposals, &sam, None).await;
        assert_eq!(open, json!([]));

        // Outsiders see nothing of it.
        for (method, path) in [
            (Method::GET, format!("/api/v1/circles/{id}/routine")),
            (Method::GET, proposals.clone()),
            (Method::POST, proposals.clone()),
            (
                Method::GET,
                format!("/api/v1/circles/{id}/routine/versions"),
            ),
            (
                Method::GET,
                format!("/api/v1/circles/{id}/routine/compare?from=0&to=1"),
            ),
        ] {
            let body = (method == Method::POST).then(|| json!({"steps": []}));
            let (status, _) = call(&app, method.clone(), &path, &outsider, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn a_review_round_keeps_wishes_unnamed_and_turns_into_a_proposal() {
    for app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let reviews = format!("/api/v1/circles/{id}/reviews");
        let (status, _) = call(&app, Method::POST, &reviews, &sam, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "nothing agreed yet");

        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(&app, Method::POST, &proposals, &sam, Some(json!({
            "steps": [{"item": "massage", "for": [sam.id], "from": [alex.id]}, {"item": "sleep"}]
        }))).await;
        let pid = proposal["id"].as_str().unwrap().to_owned();
        call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &alex,
            None,
        )
        .await;
        let (_, v1) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/routine"),
            &sam,
            None,
        )
        .await;
        let massage = v1["steps"][0]["id"].as_u64().unwrap().to_string();
        let sleep = v1["steps"][1]["id"].as_u64().unwrap().to_string();

        let (status, review) = call(&app, Method::POST, &reviews, &sam, None).await;
        assert_eq!(status, StatusCode::CREATED);
        let rid = review["id"].as_str().unwrap().to_owned();
        let (status, again) = call(&app, Method::POST, &reviews, &alex, None).await;
        assert_eq!(
            (status, again["id"].as_str()),
            (StatusCode::OK, Some(rid.as_str())),
            "one open review at a time"
        );

        let review_path = format!("{reviews}/{rid}");
        let (status, bad) = call(
            &app,
            Method::PUT,
            &review_path,
            &sam,
            Some(json!({"verdicts": {"99": "keep"}, "suggestions": [" "]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (_, after_sam) = call(
            &app,
            Method::PUT,
            &review_path,
            &sam,
            Some(json!({
                "verdicts": {massage.clone(): "drop", sleep.clone(): "keep"},
                "suggestions": ["A walk the next morning"],
                "named": false
            })),
        )
        .await;
        assert_eq!(after_sam["waiting-for"], 1);
        // Before everyone has answered, no results: in a couple they would say whose the
        // unnamed wish is.
        let (_, seen_by_alex) = call(&app, Method::GET, &review_path, &alex, None).await;
        assert_eq!(seen_by_alex["waiting-for"], 1);
        assert_eq!(seen_by_alex["steps"], json!([]), "{seen_by_alex}");
        assert_eq!(
            after_sam["steps"],
            json!([]),
            "not even to the one who answered"
        );
        assert!(seen_by_alex.get("mine").is_none());

        let (_, done) = call(
            &app,
            Method::PUT,
            &review_path,
            &alex,
            Some(json!({
                "verdicts": {massage.clone(): "drop", sleep.clone(): "change"},
                "named": true
            })),
        )
        .await;
        assert_eq!(done["steps"][0]["dropped"], true);
        assert_eq!(done["steps"][0]["unnamed-wishes"], 1);
        assert_eq!(
            done["steps"][0]["named"],
            json!([{"member": alex.id, "wish": "drop"}]),
            "sam chose not to be named; alex did"
        );
        assert_eq!(
            done["steps"][1]["named"],
            json!([{"member": alex.id, "wish": "change"}])
        );
        let proposal = done["proposal"].as_str().unwrap().to_owned();

        let (_, open) = call(&app, Method::GET, &proposals, &sam, None).await;
        let made = open
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == proposal.as_str())
            .unwrap();
        let steps: Vec<Value> = made["routine"]["steps"].as_array().unwrap().clone();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0]["item"], "sleep");
        assert_eq!(steps[1]["text"], "A walk the next morning");
        for who in [&sam, &alex] {
            call(
                &app,
                Method::POST,
                &format!("{proposals}/{proposal}/accept"),
                who,
                None,
            )
            .await;
        }
        let (_, v2) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/routine"),
            &alex,
            None,
        )
        .await;
        assert_eq!(v2["version"], 2);
        let (status, _) = call(
            &app,
            Method::PUT,
            &review_path,
            &sam,
            Some(json!({"verdicts": {}})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a finished review takes no more answers"
        );
    }
}

#[tokio::test]
async fn each_kind_of_session_has_its_own_routine_and_reviews_fall_due_by_themselves() {
    for app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let routine = format!("/api/v1/circles/{id}/routine");
        let proposals = format!("{routine}/proposals");
        let reviews = format!("/api/v1/circles/{id}/reviews");
        let agree = |body: Value| {
            let (app, sam, alex, proposals) = (&app, &sam, &alex, &proposals);
            async move {
                let (status, proposal) = call(app, Method::POST, proposals, sam, Some(body)).await;
                assert_eq!(status, StatusCode::CREATED, "{proposal}");
                let pid = proposal["id"].as_str().unwrap().to_owned();
                let (_, accepted) = call(
                    app,
                    Method::POST,
                    &format!("{proposals}/{pid}/accept"),
                    alex,
                    None,
                )
                .await;
                accepted["version"].as_u64().unwrap()
            }
        };
        let (status, wrong) = call(&app, Method::POST, &proposals, &sam, Some(json!({
            "steps": [{"item": "cuddling"}], "review-every-weeks": 60, "review-every-sessions": 51
        })))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = wrong["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(
            fields.contains(&"review-every-weeks") && fields.contains(&"review-every-sessions"),
            "{wrong}"
        );

        let after_sex = agree(json!({
            "steps": [{"item": "cuddling", "for": [sam.id], "from": [alex.id]}],
            "review-every-weeks": 2
        }))
        .await;
        let after_hard = agree(json!({
            "variant": "after-hard-scene",
            "steps": [{"item": "quiet-time", "for": [alex.id], "from": [sam.id]}]
        }))
        .await;
        assert_eq!(
            (after_sex, after_hard),
            (1, 2),
            "one history, numbered in order"
        );

        let (_, plain) = call(&app, Method::GET, &routine, &alex, None).await;
        assert_eq!(
            (plain["version"].as_u64(), plain["variant"].as_str()),
            (Some(1), Some("after-sex"))
        );
        assert_eq!(plain["review-every-weeks"], 2);
        let (_, hard) = call(
            &app,
            Method::GET,
            &format!("{routine}?variant=after-hard-scene"),
            &alex,
            None,
        )
        .await;
        assert_eq!(hard["version"], 2);
        assert_eq!(hard["steps"][0]["item"], "quiet-time");
        assert_eq!(hard["review-every-weeks"], 4);
        let (_, intense) = call(
            &app,
            Method::GET,
            &format!("{routine}?variant=after-intense-scene"),
            &alex,
            None,
        )
        .await;
        assert_eq!(
            (intense["version"].as_u64(), intense["variant"].as_str()),
            (Some(0), Some("after-intense-scene"))
        );
        assert_eq!(intense["steps"], json!([]));
        let (status, _) = call(
            &app,
            Method::GET,
            &format!("{routine}?variant=sometimes"),
            &alex,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // A change to the hard-scene routine is measured against that routine only.
        let (_, change) = call(&app, Method::POST, &proposals, &alex, Some(json!({
            "variant": "after-hard-scene",
            "steps": [hard["steps"][0].clone(), {"item": "water-or-a-drink", "for": [alex.id], "from": [alex.id]}]
        })))
        .await;
        assert_eq!(
            (change["state"].as_str(), change["version"].as_u64()),
            (Some("accepted"), Some(3)),
            "care alex gives alex needs nobody's yes"
        );
        let (_, plain) = call(&app, Method::GET, &routine, &alex, None).await;
        assert_eq!(plain["version"], 1, "after sex is untouched");

        // The schedule: after sex is reviewed every 2 weeks, after a hard scene every 4.
        let count = || {
            let (app, sam, reviews) = (&app, &sam, &reviews);
            async move {
                let (status, list) = call(app, Method::GET, reviews, sam, None).await;
                assert_eq!(status, StatusCode::OK);
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["version"].as_u64().unwrap())
                    .collect::<Vec<_>>()
            }
        };
        let day = std::time::Duration::from_secs(24 * 60 * 60);
        let now = tend_web::now();
        tend_web::run_due_jobs(&app.state, now.after(day * 13)).await;
        assert!(count().await.is_empty(), "nothing due before two weeks");
        tend_web::run_due_jobs(&app.state, now.after(day * 15)).await;
        assert_eq!(count().await, [1], "after sex falls due first");
        tend_web::run_due_jobs(&app.state, now.after(day * 20)).await;
        assert_eq!(count().await, [1], "an open review is not started twice");
        tend_web::run_due_jobs(&app.state, now.after(day * 29)).await;
        assert_eq!(
            count().await,
            [1, 3],
            "then the hard-scene routine's current version"
        );
        let (_, listed) = call(&app, Method::GET, &reviews, &alex, None).await;
        assert_eq!(listed[0]["waiting-for"], 2);

        let (status, _) = call(
            &app,
            Method::GET,
            &reviews,
            &member(&app, "kim").await,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
