//! Sessions through the API: a plan goes live when everyone is in and "not today" ends it
//! quietly; aftercare ticks the routine's steps; reflections stay private; follow-ups come
//! when the server's clock reaches them, once each; outsiders get 404 for everything.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::routines::{Member, call, circle, member};

const HOUR: Duration = Duration::from_secs(60 * 60);

fn field_errors(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn start(app: &TestApp, circle: &str, who: &Member, body: Value) -> Value {
    let (status, session) = call(
        app,
        Method::POST,
        &format!("/api/v1/circles/{circle}/sessions"),
        who,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    session
}

#[tokio::test]
async fn a_plan_goes_live_when_everyone_is_in_and_not_today_ends_it_quietly() {
    for app in TestApp::each_backend().await {
        let (sam, alex, kim) = (
            member(&app, "sam").await,
            member(&app, "alex").await,
            member(&app, "kim").await,
        );
        let id = circle(&app, &[&sam, &alex, &kim]).await;
        let (status, wrong) = call(
            &app,
            Method::POST,
            &format!("/api/v1/circles/{id}/sessions"),
            &sam,
            Some(json!({"participants": [alex.id, "someone"], "start": "soon", "variant": "x"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&wrong), ["variant", "start", "participants"]);
        let (status, _) = call(
            &app,
            Method::POST,
            &format!("/api/v1/circles/{id}/sessions"),
            &sam,
            Some(json!({"participants": [alex.id, kim.id]})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sam must take part"
        );

        let plan = start(&app, &id, &sam, json!({"participants": [sam.id, alex.id]})).await;
        assert_eq!(plan["state"], "plan");
        let session = format!("/api/v1/sessions/{}", plan["id"].as_str().unwrap());
        let readiness = format!("{session}/readiness");

        // Kim is in the circle but not in this session: it does not exist for them.
        // Every route of the session, with a body that would otherwise be fine.
        let fine = json!({
            "energy": 3, "mood": 3, "sober": true, "signal": "green",
            "to": sam.id, "text": "Thank you"
        });
        for (method, path) in [
            (Method::GET, session.clone()),
            (Method::GET, format!("{session}/stream")),
            (Method::PUT, format!("{session}/readiness")),
            (Method::POST, format!("{session}/not-today")),
            (Method::POST, format!("{session}/withdraw")),
            (Method::POST, format!("{session}/aftercare")),
            (Method::POST, format!("{session}/close")),
            (Method::POST, format!("{session}/signals")),
            (Method::POST, format!("{session}/signals/1/seen")),
            (Method::POST, format!("{session}/steps/1/done")),
            (Method::POST, format!("{session}/reflections")),
            (Method::POST, format!("{session}/appreciations")),
        ] {
            let (status, _) = call(&app, method, &path, &kim, Some(fine.clone())).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        let (_, kims) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/sessions"),
            &kim,
            None,
        )
        .await;
        assert_eq!(kims, json!([]));

        let (status, wrong) = call(&app, Method::PUT, &readiness, &sam, Some(json!({
            "energy": 0, "mood": 4, "sober": true, "off-limits-today": "x".repeat(501), "ready": true
        })))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&wrong), ["energy", "off-limits-today"]);

        let (_, one) = call(&app, Method::PUT, &readiness, &sam, Some(json!({
            "energy": 3, "mood": 4, "sober": true, "off-limits-today": "No hair pulling today", "ready": true
        })))
        .await;
        assert_eq!(one["state"], "plan", "alex is not in yet");
        let (_, both) = call(
            &app,
            Method::PUT,
            &readiness,
            &alex,
            Some(json!({
                "energy": 5, "mood": 5, "sober": true, "ready": true
            })),
        )
        .await;
        assert_eq!(both["state"], "live");
        let (_, seen) = call(&app, Method::GET, &session, &alex, None).await;
        let limits: Vec<&str> = seen["readiness"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["off-limits-today"].as_str())
            .collect();
        assert!(limits.contains(&"No hair pulling today"), "{seen}");
        let (status, late) = call(
            &app,
            Method::PUT,
            &readiness,
            &sam,
            Some(json!({
                "energy": 3, "mood": 4, "sober": true
            })),
        )
        .await;
        assert_eq!(
            (status, late["detail"].as_str()),
            (
                StatusCode::CONFLICT,
                Some("That cannot happen at this point of the session.")
            )
        );

        // "Not today" ends another plan for everyone; nothing happened, so no follow-ups.
        let other = start(&app, &id, &alex, json!({})).await;
        let other = format!("/api/v1/sessions/{}", other["id"].as_str().unwrap());
        call(&app, Method::PUT, &format!("{other}/readiness"), &sam, Some(json!({
            "energy": 2, "mood": 2, "sober": false, "off-limits-today": "Quiet only", "ready": true
        })))
        .await;
        let (_, ended) = call(
            &app,
            Method::POST,
            &format!("{other}/not-today"),
            &kim,
            None,
        )
        .await;
        assert_eq!(ended["state"], "closed");
        assert_eq!(
            (&ended["ready"], &ended["readiness"]),
            (&json!([]), &json!([])),
            "a quiet ending keeps no trace of who was in or how they were"
        );
        let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", &kim, None).await;
        assert_eq!(ups, json!([]));
        let (_, open) = call(
            &app,
            Method::GET,
            &format!("/api/v1/circles/{id}/sessions"),
            &sam,
            None,
        )
        .await;
        assert_eq!(open.as_array().unwrap().len(), 1, "the live one");
    }
}

#[tokio::test]
async fn aftercare_ticks_steps_reflections_stay_private_and_follow_ups_come_once_due() {
    for app in TestApp::each_backend().await {
        let (sam, alex, kim) = (
            member(&app, "sam").await,
            member(&app, "alex").await,
            member(&app, "kim").await,
        );
        let id = circle(&app, &[&sam, &alex, &kim]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(&app, Method::POST, &proposals, &sam, Some(json!({
            "steps": [{"item": "cuddling", "for": [sam.id], "from": [alex.id]}, {"text": "Tea in bed"}],
            "follow-up-hours": [24, 12]
        })))
        .await;
        for partner in [&alex, &kim] {
            let pid = proposal["id"].as_str().unwrap();
            call(
                &app,
                Method::POST,
                &format!("{proposals}/{pid}/accept"),
                partner,
                None,
            )
            .await;
        }

        let care = start(
            &app,
            &id,
            &sam,
            json!({"participants": [sam.id, alex.id], "start": "aftercare"}),
        )
        .await;
        assert_eq!(
            (care["state"].as_str(), care["routine-version"].as_u64()),
            (Some("aftercare"), Some(1))
        );
        let session = format!("/api/v1/sessions/{}", care["id"].as_str().unwrap());
        let (_, ticked) = call(
            &app,
            Method::POST,
            &format!("{session}/steps/1/done"),
            &alex,
            None,
        )
        .await;
        assert_eq!(ticked["steps-done"], json!([1]));
        let (status, _) = call(
            &app,
            Method::POST,
            &format!("{session}/steps/99/done"),
            &alex,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Both participants owe themselves follow-ups at 12 and 24 hours; none has come yet.
        for partner in [&sam, &alex] {
            let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", partner, None).await;
            let hours: Vec<(u64, bool)> = ups
                .as_array()
                .unwrap()
                .iter()
                .map(|u| (u["hours"].as_u64().unwrap(), u["due"].as_bool().unwrap()))
                .collect();
            assert_eq!(hours, [(12, false), (24, false)]);
        }
        let (_, kims) = call(&app, Method::GET, "/api/v1/follow-ups", &kim, None).await;
        assert_eq!(kims, json!([]), "kim was not there");

        let reflections = format!("{session}/reflections");
        let (status, wrong) = call(
            &app,
            Method::POST,
            &reflections,
            &sam,
            Some(json!({
                "mood": 9, "feelings": ["sad", "grumpy"], "felt-good": "y".repeat(2001)
            })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&wrong), ["mood", "feelings", "felt-good"]);
        let (status, saved) = call(
            &app,
            Method::POST,
            &reflections,
            &sam,
            Some(json!({
                "mood": 2, "feelings": ["sad", "tired"], "felt-good": "The quiet tea", "drop": false
            })),
        )
        .await;
        assert_eq!(
            (status, saved["blues"].as_bool()),
            (StatusCode::CREATED, Some(true))
        );
        let (_, calm) = call(
            &app,
            Method::POST,
            &reflections,
            &alex,
            Some(json!({"mood": 5, "feelings": ["calm"]})),
        )
        .await;
        assert_eq!(calm["blues"], false);
        for (method, path) in [
            (Method::GET, session.clone()),
            (Method::POST, reflections.clone()),
            (Method::POST, format!("{session}/steps/2/done")),
            (Method::POST, format!("{session}/close")),
        ] {
            let (status, _) = call(&app, method, &path, &kim, Some(json!({"mood": 3}))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }

        // A note of appreciation, for the partner alone.
        let notes = format!("{session}/appreciations");
        let (status, wrong) = call(
            &app,
            Method::POST,
            &notes,
            &sam,
            Some(json!({"to": kim.id, "text": ""})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&wrong), ["to", "text"]);
        let (status, _) = call(
            &app,
            Method::POST,
            &notes,
            &sam,
            Some(json!({"to": alex.id, "text": "The way you held me"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, for_alex) = call(&app, Method::GET, "/api/v1/appreciations", &alex, None).await;
        assert_eq!(
            (for_alex[0]["name"].as_str(), for_alex[0]["text"].as_str()),
            (Some("sam"), Some("The way you held me"))
        );
        let (_, for_sam) = call(&app, Method::GET, "/api/v1/appreciations", &sam, None).await;
        assert_eq!(for_sam, json!([]));
        let (status, _) = call(
            &app,
            Method::POST,
            &notes,
            &kim,
            Some(json!({"to": sam.id, "text": "Hi"})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Each person's aftercare is their own: alex's is done, sam's goes on.
        let (_, alex_done) =
            call(&app, Method::POST, &format!("{session}/close"), &alex, None).await;
        assert_eq!(alex_done["state"], "aftercare");
        assert_eq!(alex_done["done"], json!([alex.id]));
        let (status, _) = call(
            &app,
            Method::POST,
            &format!("{session}/steps/2/done"),
            &alex,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "alex's aftercare is done");
        let (_, closed) = call(&app, Method::POST, &format!("{session}/close"), &sam, None).await;
        assert_eq!(closed["state"], "closed", "everyone's aftercare is done");
        let (status, _) = call(
            &app,
            Method::POST,
            &format!("{session}/steps/2/done"),
            &sam,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);

        let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", &sam, None).await;
        let first = format!(
            "/api/v1/follow-ups/{}/answer",
            ups[0]["id"].as_str().unwrap()
        );
        let (status, early) = call(
            &app,
            Method::POST,
            &first,
            &sam,
            Some(json!({"answer": "fine"})),
        )
        .await;
        assert_eq!(
            (status, early["detail"].as_str()),
            (
                StatusCode::CONFLICT,
                Some("This follow-up has not come yet.")
            )
        );

        // Thirteen hours on, the first has come (and only the first).
        app.state.app.clock.advance(HOUR * 13);
        let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", &sam, None).await;
        let due: Vec<bool> = ups
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["due"].as_bool().unwrap())
            .collect();
        assert_eq!(due, [true, false]);
        let (status, wrong) = call(
            &app,
            Method::POST,
            &first,
            &sam,
            Some(json!({"answer": "meh", "mood": 7})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&wrong), ["answer", "mood"]);
        let (status, _) = call(
            &app,
            Method::POST,
            &first,
            &alex,
            Some(json!({"answer": "fine"})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "sam's follow-up is sam's");
        // Partners can be told only if they were there, and only with 🟡 or 🔴.
        for wrong in [
            json!({"answer": "contact", "notify": [kim.id]}),
            json!({"answer": "fine", "notify": [alex.id]}),
        ] {
            let (status, problem) = call(&app, Method::POST, &first, &sam, Some(wrong)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(field_errors(&problem), ["notify"]);
        }
        let (status, answered) = call(
            &app,
            Method::POST,
            &first,
            &sam,
            Some(json!({"answer": "contact", "mood": 2, "notify": [alex.id]})),
        )
        .await;
        assert_eq!(
            (status, answered["answer"].as_str()),
            (StatusCode::OK, Some("contact"))
        );
        let (_, for_alex) = call(&app, Method::GET, "/api/v1/appreciations", &alex, None).await;
        assert_eq!(
            (
                for_alex[0]["kind"].as_str(),
                for_alex[0]["name"].as_str(),
                for_alex[0]["text"].as_str()
            ),
            (Some("care-wanted"), Some("sam"), Some("")),
            "no details: {for_alex}"
        );
        let (status, _) = call(
            &app,
            Method::POST,
            &first,
            &sam,
            Some(json!({"answer": "fine"})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "answered once");

        // Sam's insights now hold the session and the follow-up; alex's hold only theirs.
        let reflections = app
            .store
            .reflections(tend_store::MemberId::parse(&sam.id).unwrap())
            .await
            .unwrap();
        assert_eq!(reflections.len(), 2);
        assert_eq!(reflections[0].steps_done, ["cuddling".to_owned()].into());
        assert!(reflections[1].drop, "could use contact counts as drop");
        let found = tend_core::insights::insights(&reflections);
        assert_eq!((found.sessions, found.sessions_with_drop), (1, 1));
        let alexs = app
            .store
            .reflections(tend_store::MemberId::parse(&alex.id).unwrap())
            .await
            .unwrap();
        assert_eq!(alexs.len(), 1);
        assert_eq!(
            alexs[0].notes.feelings,
            [tend_core::insights::Feeling::Calm].into()
        );
    }
}

#[tokio::test]
async fn a_review_falls_due_after_the_routines_number_of_sessions_of_its_kind() {
    for app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &sam,
            Some(json!({
                "steps": [{"item": "cuddling"}], "review-every-sessions": 2, "review-every-weeks": 0
            })),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &alex,
            None,
        )
        .await;
        let reviews = || async {
            let (_, list) = call(
                &app,
                Method::GET,
                &format!("/api/v1/circles/{id}/reviews"),
                &sam,
                None,
            )
            .await;
            list.as_array().unwrap().len()
        };
        let aftercare = |variant: &'static str| {
            let (app, id, alex) = (&app, &id, &alex);
            async move {
                start(
                    app,
                    id,
                    alex,
                    json!({"start": "aftercare", "variant": variant}),
                )
                .await;
                tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
            }
        };
        aftercare("after-sex").await;
        assert_eq!(reviews().await, 0, "one session of two");
        aftercare("after-hard-scene").await;
        assert_eq!(reviews().await, 0, "another kind of session does not count");
        aftercare("after-sex").await;
        assert_eq!(
            reviews().await,
            1,
            "the second session after sex starts the review"
        );
    }
}

/// Reads a server-sent event stream until `wanted` shows up in its text, for at most a second.
pub(crate) async fn read_until(stream: &mut reqwest::Response, seen: &mut String, wanted: &str) {
    read_within(stream, seen, wanted, Duration::from_secs(1)).await;
}

/// `read_until`, waiting at most `wait`.
pub(crate) async fn read_within(
    stream: &mut reqwest::Response,
    seen: &mut String,
    wanted: &str,
    wait: Duration,
) {
    let deadline = tokio::time::Instant::now() + wait;
    while !seen.contains(wanted) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("{wanted:?} did not arrive within {wait:?}; got:\n{seen}"))
            .unwrap()
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

async fn open_stream(
    app: &TestApp,
    session: &str,
    who: &Member,
    last: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url(&format!("{session}/stream")))
        .bearer_auth(&who.token);
    if let Some(last) = last {
        request = request.header("Last-Event-ID", last);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    response
}

#[tokio::test]
async fn a_red_reaches_the_partners_open_stream_within_a_second_and_stops_the_session() {
    for app in TestApp::each_backend().await {
        let (sam, alex, kim) = (
            member(&app, "sam").await,
            member(&app, "alex").await,
            member(&app, "kim").await,
        );
        let id = circle(&app, &[&sam, &alex, &kim]).await;
        let plan = start(&app, &id, &sam, json!({"participants": [sam.id, alex.id]})).await;
        let session = format!("/api/v1/sessions/{}", plan["id"].as_str().unwrap());
        let signals = format!("{session}/signals");
        // During the plan, signals are practice: partners see them, nothing else happens.
        let (status, practice) = call(
            &app,
            Method::POST,
            &signals,
            &sam,
            Some(json!({"signal": "pause"})),
        )
        .await;
        assert_eq!(
            (status, practice["state"].as_str()),
            (StatusCode::CREATED, Some("plan")),
            "a rehearsal"
        );
        for who in [&sam, &alex] {
            call(
                &app,
                Method::PUT,
                &format!("{session}/readiness"),
                who,
                Some(json!({
                    "energy": 4, "mood": 4, "sober": true, "ready": true
                })),
            )
            .await;
        }
        let (status, _) = call(&app, Method::GET, &format!("{session}/stream"), &kim, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "kim is not taking part");

        let mut alex_sees = open_stream(&app, &session, &alex, None).await;
        let mut seen = String::new();
        read_until(&mut alex_sees, &mut seen, "\"state\":\"live\"").await;

        let (status, wrong) = call(
            &app,
            Method::POST,
            &signals,
            &sam,
            Some(json!({"signal": "purple"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&wrong), ["signal"]);
        let (status, yellow) = call(
            &app,
            Method::POST,
            &signals,
            &sam,
            Some(json!({"signal": "yellow"})),
        )
        .await;
        assert_eq!(
            (status, yellow["state"].as_str()),
            (StatusCode::CREATED, Some("live"))
        );
        read_until(&mut alex_sees, &mut seen, "\"signal\":\"yellow\"").await;
        let (_, red) = call(
            &app,
            Method::POST,
            &signals,
            &sam,
            Some(json!({"signal": "red"})),
        )
        .await;
        assert_eq!(
            red["state"], "aftercare",
            "red stops the session for everyone"
        );
        read_until(&mut alex_sees, &mut seen, "\"signal\":\"red\"").await;
        read_until(&mut alex_sees, &mut seen, "\"state\":\"aftercare\"").await;
        assert!(seen.contains(&format!("\"from\":\"{}\"", sam.id)));
        let (_, for_alex) = call(&app, Method::GET, &session, &alex, None).await;
        assert_eq!(for_alex["state"], "aftercare");
        drop(alex_sees);

        // Reconnecting after the yellow replays what was missed: the red.
        let yellow_seq = yellow["seq"].as_i64().unwrap().to_string();
        let mut again = open_stream(&app, &session, &alex, Some(&yellow_seq)).await;
        let mut replay = String::new();
        read_until(&mut again, &mut replay, "\"signal\":\"red\"").await;
        assert!(!replay.contains("\"signal\":\"yellow\""), "{replay}");
        drop(again);

        // Closing deletes the signals: Tend keeps no record of intimate moments.
        for who in [&alex, &sam] {
            call(&app, Method::POST, &format!("{session}/close"), who, None).await;
        }
        let (status, _) = call(
            &app,
            Method::POST,
            &signals,
            &sam,
            Some(json!({"signal": "green"})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "no signals after the session");
        let stored = app
            .store
            .care_session(
                tend_store::MemberId::parse(&sam.id).unwrap(),
                tend_store::CareSessionId::parse(plan["id"].as_str().unwrap()).unwrap(),
            )
            .await
            .unwrap();
        let left = app
            .store
            .signals_after(tend_store::MemberId::parse(&sam.id).unwrap(), &stored, 0)
            .await
            .unwrap();
        assert!(left.is_empty());
    }
}

#[tokio::test]
async fn check_in_prompts_come_at_the_routines_cadence_while_the_session_is_live() {
    for app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &sam,
            Some(json!({
                "steps": [{"item": "cuddling"}], "check-in-minutes": 10
            })),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &alex,
            None,
        )
        .await;
        let plan = start(&app, &id, &sam, json!({})).await;
        let session = format!("/api/v1/sessions/{}", plan["id"].as_str().unwrap());
        for who in [&sam, &alex] {
            call(
                &app,
                Method::PUT,
                &format!("{session}/readiness"),
                who,
                Some(json!({
                    "energy": 4, "mood": 4, "sober": true, "ready": true
                })),
            )
            .await;
        }
        let minutes = |n: u64| app.state.app.clock.now().after(Duration::from_secs(n * 60));
        let prompts = || async {
            let stored = app
                .store
                .care_session(
                    tend_store::MemberId::parse(&alex.id).unwrap(),
                    tend_store::CareSessionId::parse(plan["id"].as_str().unwrap()).unwrap(),
                )
                .await
                .unwrap();
            app.store
                .signals_after(tend_store::MemberId::parse(&alex.id).unwrap(), &stored, 0)
                .await
                .unwrap()
                .into_iter()
                .filter(|(_, s)| {
                    s.signal == tend_core::session::Signal::CheckIn && s.from.is_none()
                })
                .count()
        };
        tend_web::run_due_jobs(&app.state, minutes(9)).await;
        assert_eq!(prompts().await, 0, "not before ten minutes");
        let mut alex_sees = open_stream(&app, &session, &alex, None).await;
        let mut seen = String::new();
        read_until(&mut alex_sees, &mut seen, "\"state\":\"live\"").await;
        tend_web::run_due_jobs(&app.state, minutes(11)).await;
        read_until(&mut alex_sees, &mut seen, "\"signal\":\"check-in\"").await;
        assert!(
            !seen.contains("\"from\""),
            "Tend asks, not a partner: {seen}"
        );
        assert_eq!(prompts().await, 1);
        tend_web::run_due_jobs(&app.state, minutes(22)).await;
        assert_eq!(prompts().await, 2, "and again ten minutes later");
        drop(alex_sees);

        call(
            &app,
            Method::POST,
            &format!("{session}/aftercare"),
            &alex,
            None,
        )
        .await;
        tend_web::run_due_jobs(&app.state, minutes(45)).await;
        assert_eq!(prompts().await, 2, "none once the session is in aftercare");
    }
}
