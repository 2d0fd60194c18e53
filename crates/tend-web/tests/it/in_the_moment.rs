//! In the moment (issue 17), on both backends: a red reaches every partner as a stop, with
//! who and when, and the sender learns who has seen it; practice stays practice; each
//! person's aftercare is their own and stepping out tells the others; a planned session
//! reaches its participants. Partners acting at the same moment lose nothing.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, texts};
use crate::routines::{Member, call, circle, member};

/// A member with an API token and a signed-in browser of their own.
struct Person {
    api: Member,
    web: Client,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let api = member(app, name).await;
    let web = TestApp::browser();
    app.sign_in_with(&web, name, PASSWORD).await;
    Person { api, web }
}

async fn page(app: &TestApp, who: &Person, path: &str) -> String {
    let response = app.get_with(&who.web, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

async fn post(app: &TestApp, who: &Person, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    call(app, Method::POST, path, &who.api, body).await
}

/// A live session of `people` (the first plans it, everyone says they are in): its API path.
async fn live(app: &TestApp, circle: &str, people: &[&Person]) -> String {
    let session = planned(app, circle, people).await;
    for who in people {
        let (status, _) = call(
            app,
            Method::PUT,
            &format!("{session}/readiness"),
            &who.api,
            Some(json!({"energy": 4, "mood": 4, "sober": true, "ready": true})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, now) = call(app, Method::GET, &session, &people[0].api, None).await;
    assert_eq!(now["state"], "live");
    session
}

/// A planned session of `people`, started by the first: its API path.
async fn planned(app: &TestApp, circle: &str, people: &[&Person]) -> String {
    let ids: Vec<&str> = people.iter().map(|p| p.api.id.as_str()).collect();
    let (status, body) = post(
        app,
        people[0],
        &format!("/api/v1/circles/{circle}/sessions"),
        Some(json!({"participants": ids, "start": "plan"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    format!("/api/v1/sessions/{}", body["id"].as_str().unwrap())
}

/// The page of an API session path.
fn page_of(session: &str) -> String {
    session.trim_start_matches("/api/v1").to_owned()
}

async fn signal(app: &TestApp, who: &Person, session: &str, signal: &str) -> Value {
    let (status, sent) = post(
        app,
        who,
        &format!("{session}/signals"),
        Some(json!({ "signal": signal })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    sent
}

/// Each participant's latest signal as the API gives it: (member, kind, seen-by).
fn latest(body: &Value) -> Vec<(String, String, Vec<String>)> {
    body["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let seen = s["seen-by"].as_array().unwrap();
            (
                s["member"].as_str().unwrap().to_owned(),
                s["kind"].as_str().unwrap().to_owned(),
                seen.iter()
                    .map(|m| m.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

async fn three(app: &TestApp) -> (Person, Person, Person, String) {
    let (ash, bo, cass) = (
        person(app, "ash").await,
        person(app, "bea").await,
        person(app, "cass").await,
    );
    let id = circle(app, &[&ash.api, &bo.api, &cass.api]).await;
    (ash, bo, cass, id)
}

#[tokio::test]
async fn a_red_reaches_every_partner_as_a_stop_with_who_and_when_and_the_sender_sees_who_saw_it() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cass, circle) = three(&app).await;
        let session = live(&app, &circle, &[&ash, &bo, &cass]).await;
        let web = page_of(&session);

        // Ash's yellow, then Bo's green: each person's latest stays in view, Ash's too.
        signal(&app, &ash, &session, "yellow").await;
        signal(&app, &bo, &session, "green").await;
        let bo_page = page(&app, &bo, &web).await;
        let rows = texts(&bo_page, "#signal-rows li");
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(
            rows[0].starts_with("ash: Yellow — slow down, check on me · "),
            "{rows:?}"
        );
        assert!(rows[1].starts_with("You: Green — all good · ") && rows[1].ends_with("· Sent"));
        // Pause has words (and a shape) of its own.
        signal(&app, &cass, &session, "pause").await;
        let ash_page = page(&app, &ash, &web).await;
        assert!(
            texts(&ash_page, "#signal-rows li")
                .iter()
                .any(|r| r.starts_with("cass: Pause — hold still a moment · ")),
            "{ash_page}"
        );
        assert!(ash_page.contains("signal-icon-pause"));

        // Ash says stop: aftercare for everyone, and every page says who and when.
        let red = signal(&app, &ash, &session, "red").await;
        assert_eq!(red["state"], "aftercare");
        let (_, body) = call(&app, Method::GET, &session, &bo.api, None).await;
        assert_eq!(body["stopped-by"], ash.api.id.as_str());
        assert!(body["stopped-at"].as_i64().unwrap() > 0);
        for (who, words) in [
            (&bo, "ash said stop (“red”) at "),
            (&cass, "ash said stop (“red”) at "),
            (&ash, "You said stop (“red”) at "),
        ] {
            let shown = page(&app, who, &web).await;
            let banner = texts(&shown, ".stop-banner");
            assert!(
                banner.len() == 1 && banner[0].starts_with(words),
                "{banner:?}"
            );
        }
        // Bo's and Cass's pages showed the red: Ash is told both have seen it.
        let (_, for_ash) = call(&app, Method::GET, &session, &ash.api, None).await;
        let ash_red = latest(&for_ash)
            .into_iter()
            .find(|(m, _, _)| *m == ash.api.id)
            .unwrap();
        let mut seen = ash_red.2.clone();
        seen.sort();
        let mut both = vec![bo.api.id.clone(), cass.api.id.clone()];
        both.sort();
        assert_eq!((ash_red.1.as_str(), seen), ("red", both));
        let ash_page = page(&app, &ash, &web).await;
        let mine: Vec<String> = texts(&ash_page, "#signal-rows li")
            .into_iter()
            .filter(|r| r.starts_with("You: "))
            .collect();
        assert!(
            mine[0].starts_with("You: Red — stop · ") && mine[0].ends_with("seen by bea and cass"),
            "{mine:?}"
        );

        // An app says "seen" itself; saying it twice, or of one's own signal, is harmless;
        // a signal the session does not have is 404.
        let seq = red["seq"].as_i64().unwrap();
        for who in [&bo, &bo, &ash] {
            let (status, _) = post(&app, who, &format!("{session}/signals/{seq}/seen"), None).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
        let (status, _) = post(
            &app,
            &bo,
            &format!("{session}/signals/{}/seen", seq + 1000),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let outsider = person(&app, "dee").await;
        let (status, _) = post(
            &app,
            &outsider,
            &format!("{session}/signals/{seq}/seen"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The banner stays until aftercare ends; closing deletes signals and sightings.
        for who in [&ash, &bo, &cass] {
            post(&app, who, &format!("{session}/close"), None).await;
        }
        let (_, closed) = call(&app, Method::GET, &session, &bo.api, None).await;
        assert_eq!(closed["state"], "closed");
        assert_eq!(closed["signals"], json!([]));
        assert!(texts(&page(&app, &bo, &web).await, ".stop-banner").is_empty());
    }
}

#[tokio::test]
async fn practice_signals_are_never_shown_as_live() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cass, circle) = three(&app).await;
        let session = planned(&app, &circle, &[&ash, &bo, &cass]).await;
        let web = page_of(&session);
        let practice = signal(&app, &ash, &session, "yellow").await;
        assert_eq!(practice["state"], "plan");
        let rows = texts(&page(&app, &bo, &web).await, "#signal-rows li");
        assert!(
            rows.len() == 1
                && rows[0].starts_with("ash: Yellow — slow down, check on me (practice)"),
            "{rows:?}"
        );
        for who in [&ash, &bo, &cass] {
            call(
                &app,
                Method::PUT,
                &format!("{session}/readiness"),
                &who.api,
                Some(json!({"energy": 4, "mood": 4, "sober": true, "ready": true})),
            )
            .await;
        }
        let (_, now) = call(&app, Method::GET, &session, &bo.api, None).await;
        assert_eq!(
            (now["state"].as_str(), &now["signals"]),
            (Some("live"), &json!([]))
        );
        let shown = page(&app, &bo, &web).await;
        assert!(texts(&shown, "#signal-rows li").is_empty(), "{shown}");
        // A stream from the start replays nothing of the practice.
        let mut stream = app
            .client
            .get(app.url(&format!("{session}/stream")))
            .bearer_auth(&bo.api.token)
            .send()
            .await
            .unwrap();
        signal(&app, &cass, &session, "green").await;
        let mut seen = String::new();
        crate::sessions::read_until(&mut stream, &mut seen, "\"signal\":\"green\"").await;
        assert!(!seen.contains("yellow"), "{seen}");
    }
}

#[tokio::test]
async fn each_persons_aftercare_is_their_own_and_stepping_out_tells_the_others() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cass, circle) = three(&app).await;
        // Ash says stop; Bo's aftercare ends, Ash's and Cass's go on.
        let session = live(&app, &circle, &[&ash, &bo, &cass]).await;
        let web = page_of(&session);
        signal(&app, &ash, &session, "red").await;
        let (_, bo_done) = post(&app, &bo, &format!("{session}/close"), None).await;
        assert_eq!(bo_done["state"], "aftercare");
        assert_eq!(bo_done["done"], json!([bo.api.id]));
        let for_ash = page(&app, &ash, &web).await;
        assert_eq!(texts(&for_ash, ".session-state"), ["Aftercare."]);
        assert!(
            texts(&for_ash, "form[action$='/close'] button") == ["My aftercare is done"],
            "Ash's aftercare goes on: {for_ash}"
        );
        assert!(
            texts(&for_ash, "ul.people li")
                .iter()
                .any(|p| p.starts_with("bea — aftercare done"))
        );
        let for_bo = page(&app, &bo, &web).await;
        assert!(texts(&for_bo, "form[action$='/close']").is_empty());
        assert!(for_bo.contains("Your aftercare is done."));
        for who in [&ash, &cass] {
            post(&app, who, &format!("{session}/close"), None).await;
        }
        let (_, closed) = call(&app, Method::GET, &session, &ash.api, None).await;
        assert_eq!(closed["state"], "closed");

        // In a second session Cass steps out: Cass goes to their own aftercare, the others
        // carry on and are told at once; Cass is no longer listed as here.
        let second = live(&app, &circle, &[&ash, &bo, &cass]).await;
        let web = page_of(&second);
        let mut ash_stream = app
            .client
            .get(app.url(&format!("{second}/stream")))
            .bearer_auth(&ash.api.token)
            .send()
            .await
            .unwrap();
        let mut heard = String::new();
        crate::sessions::read_until(&mut ash_stream, &mut heard, "\"state\":\"live\"").await;
        let (_, out) = post(&app, &cass, &format!("{second}/withdraw"), None).await;
        assert_eq!(out["state"], "live");
        assert_eq!(out["stepped-out"], json!([cass.api.id]));
        crate::sessions::read_until(&mut ash_stream, &mut heard, &cass.api.id).await;
        assert!(heard.contains("\"stepped-out\""), "{heard}");
        let for_ash = page(&app, &ash, &web).await;
        let note = texts(&for_ash, ".stepped-out");
        assert!(
            note.len() == 1
                && note[0].starts_with("cass stepped out at ")
                && note[0].ends_with(". Check in with cass when you can."),
            "{note:?}"
        );
        assert!(
            texts(&for_ash, "ul.people li")
                .iter()
                .any(|p| p.starts_with("cass — stepped out"))
        );
        assert!(
            texts(&for_ash, "ul.people li")
                .iter()
                .any(|p| p.starts_with("ash — here"))
        );
        let for_cass = page(&app, &cass, &web).await;
        assert_eq!(texts(&for_cass, "#own-heading"), ["Your own aftercare"]);
        assert!(for_cass.contains("href=\"/breathe\"") && for_cass.contains("href=\"/support\""));
        assert!(
            texts(&for_cass, ".signal-buttons").is_empty(),
            "no live signals for Cass"
        );
        // Stopping for me is not stopping for all, and the page says which is which.
        assert!(texts(&for_ash, ".stop-banner").is_empty());
        assert!(for_ash.contains("Red stops the session for everyone"));
        // Cass can reflect now, while the others carry on.
        let reflect = page(&app, &cass, &format!("{web}/reflection")).await;
        assert!(reflect.contains("Save my reflection"), "{reflect}");
        // Cass's follow-ups count from stepping out.
        let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", &cass.api, None).await;
        let second_id = second.rsplit('/').next().unwrap();
        let of_second = ups
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["session"] == second_id)
            .count();
        assert_eq!(of_second, 4, "{ups}");
        let (_, for_ash_ups) = call(&app, Method::GET, "/api/v1/follow-ups", &ash.api, None).await;
        assert!(
            !for_ash_ups
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["session"] == second_id),
            "Ash's aftercare has not begun: {for_ash_ups}"
        );
        let (status, _) = post(
            &app,
            &cass,
            &format!("{second}/signals"),
            Some(json!({"signal": "red"})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        // Cass finishes; Ash and Bo later go to aftercare, which closes by itself a day on.
        let (_, cass_done) = post(&app, &cass, &format!("{second}/close"), None).await;
        assert_eq!(
            (cass_done["state"].as_str(), &cass_done["done"]),
            (Some("live"), &json!([cass.api.id]))
        );
        post(&app, &bo, &format!("{second}/aftercare"), None).await;
        app.state
            .app
            .clock
            .advance(Duration::from_secs(24 * 3600 + 60));
        tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
        let (_, later) = call(&app, Method::GET, &second, &ash.api, None).await;
        assert_eq!(later["state"], "closed", "{later}");
    }
}

#[tokio::test]
async fn a_couple_where_one_steps_out_both_go_to_aftercare() {
    for app in TestApp::each_backend().await {
        let (ash, bo) = (person(&app, "ash").await, person(&app, "bea").await);
        let circle = circle(&app, &[&ash.api, &bo.api]).await;
        let session = live(&app, &circle, &[&ash, &bo]).await;
        let (_, out) = post(&app, &bo, &format!("{session}/withdraw"), None).await;
        assert_eq!(out["state"], "aftercare");
        assert!(out.get("stopped-by").is_none(), "stepping out is not a red");
        let for_ash = page(&app, &ash, &page_of(&session)).await;
        let note = texts(&for_ash, ".stepped-out");
        assert!(
            note.len() == 1 && note[0].starts_with("bea stepped out at "),
            "{note:?}"
        );
    }
}

#[tokio::test]
async fn aftercare_now_tells_everyone_who_started_it_and_a_second_red_is_still_said() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cass, circle) = three(&app).await;
        // Bea starts aftercare from the circle page: the others are told, and it waits
        // for them on their home page.
        let (status, body) = post(
            &app,
            &bo,
            &format!("/api/v1/circles/{circle}/sessions"),
            Some(json!({"start": "aftercare"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let web = format!("/sessions/{}", body["id"].as_str().unwrap());
        let (_, for_ash) = call(&app, Method::GET, "/api/v1/notifications", &ash.api, None).await;
        let first = &for_ash["notifications"][0];
        assert_eq!(first["kind"], "aftercare-started", "{for_ash}");
        assert_eq!(first["text"], "bea started aftercare with you in Us.");
        let home = page(&app, &ash, "/").await;
        assert_eq!(
            texts(&home, ".planned p:first-child"),
            ["bea started aftercare with you in Us."]
        );
        assert!(home.contains(&format!("href=\"{web}\"")), "{home}");
        let shown = page(&app, &ash, &web).await;
        let banner = texts(&shown, ".notice p");
        assert!(
            banner
                .iter()
                .any(|b| b.starts_with("bea started aftercare for everyone at ")),
            "{banner:?}"
        );
        assert!(texts(&shown, ".stop-banner").is_empty(), "not a stop");

        // Two reds at the same moment: both are said, the first stops the session.
        let session = live(&app, &circle, &[&ash, &bo, &cass]).await;
        let red = json!({"signal": "red"});
        let path = format!("{session}/signals");
        let (a, b) = tokio::join!(
            post(&app, &bo, &path, Some(red.clone())),
            post(&app, &cass, &path, Some(red.clone()))
        );
        assert_eq!((a.0, b.0), (StatusCode::CREATED, StatusCode::CREATED));
        let (_, now) = call(&app, Method::GET, &session, &ash.api, None).await;
        assert_eq!(now["state"], "aftercare");
        let reds: Vec<String> = latest(&now)
            .into_iter()
            .filter(|(_, kind, _)| kind == "red")
            .map(|(m, _, _)| m)
            .collect();
        assert_eq!(reds.len(), 2, "{now}");
    }
}

#[tokio::test]
async fn a_planned_session_reaches_its_participants() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cass, circle) = three(&app).await;
        let (status, _) = call(
            &app,
            Method::PUT,
            "/api/v1/me/discreet",
            &cass.api,
            Some(json!({"discreet": true})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let session = planned(&app, &circle, &[&ash, &bo, &cass]).await;
        let id = session.rsplit('/').next().unwrap().to_owned();
        let (_, for_bo) = call(&app, Method::GET, "/api/v1/notifications", &bo.api, None).await;
        let first = &for_bo["notifications"][0];
        assert_eq!(first["kind"], "session-planned", "{for_bo}");
        assert_eq!(
            first["text"],
            "ash would like to plan a session in Us: check in when you're ready."
        );
        let (_, for_cass) = call(&app, Method::GET, "/api/v1/notifications", &cass.api, None).await;
        assert_eq!(
            for_cass["notifications"][0]["text"], "Something is waiting for your reply.",
            "discreet mode says nothing of it"
        );
        let (_, for_ash) = call(&app, Method::GET, "/api/v1/notifications", &ash.api, None).await;
        let kinds: Vec<&str> = for_ash["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["kind"].as_str())
            .collect();
        assert!(
            !kinds.contains(&"session-planned"),
            "not to the one who planned it"
        );
        // The home page and the circle page say so, one tap from the readiness check.
        for path in ["/".to_owned(), format!("/circles/{circle}")] {
            let shown = page(&app, &bo, &path).await;
            assert_eq!(
                texts(&shown, ".planned p:first-child"),
                ["ash would like to plan a session in Us: check in when you're ready."],
                "{path}"
            );
            assert!(
                shown.contains(&format!("href=\"/sessions/{id}#ready\"")),
                "{path}"
            );
        }
        call(
            &app,
            Method::PUT,
            &format!("{session}/readiness"),
            &bo.api,
            Some(json!({"energy": 4, "mood": 4, "sober": true, "ready": true})),
        )
        .await;
        assert!(texts(&page(&app, &bo, "/").await, ".planned").is_empty());
        // Someone outside the session is told nothing of it.
        let dee = person(&app, "dee").await;
        let (_, for_dee) = call(&app, Method::GET, "/api/v1/notifications", &dee.api, None).await;
        assert_eq!(for_dee["notifications"], json!([]));
    }
}

#[tokio::test]
async fn partners_who_see_and_finish_at_the_same_moment_lose_nothing() {
    for app in TestApp::each_backend().await {
        let (ash, bo, cass, circle) = three(&app).await;
        for _round in 0..5 {
            let session = live(&app, &circle, &[&ash, &bo, &cass]).await;
            let red = signal(&app, &ash, &session, "red").await;
            let seq = red["seq"].as_i64().unwrap();
            let seen = format!("{session}/signals/{seq}/seen");
            tokio::join!(post(&app, &bo, &seen, None), post(&app, &cass, &seen, None));
            let (_, body) = call(&app, Method::GET, &session, &ash.api, None).await;
            let mut by = latest(&body)[0].2.clone();
            by.sort();
            let mut both = vec![bo.api.id.clone(), cass.api.id.clone()];
            both.sort();
            assert_eq!(by, both);
            let close = format!("{session}/close");
            tokio::join!(
                post(&app, &ash, &close, None),
                post(&app, &bo, &close, None),
                post(&app, &cass, &close, None)
            );
            let (_, body) = call(&app, Method::GET, &session, &ash.api, None).await;
            assert_eq!(body["state"], "closed", "{body}");
            assert_eq!(body["done"].as_array().unwrap().len(), 3);
        }
    }
}
