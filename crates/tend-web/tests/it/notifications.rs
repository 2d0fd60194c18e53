//! The notification centre over the API: follow-ups arrive by the jobs table exactly once,
//! also after a restart and with two workers at once; notes and proposals arrive as they
//! happen; the badge stream follows; discreet mode keeps the words neutral.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::routines::{Member, call, circle, member};
use crate::sessions::read_until;

const HOUR: Duration = Duration::from_secs(60 * 60);

async fn centre(app: &TestApp, who: &Member) -> Value {
    let (status, body) = call(app, Method::GET, "/api/v1/notifications", who, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn kinds(centre: &Value) -> Vec<String> {
    centre["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn follow_ups_reach_the_centre_once_each_even_after_a_restart_and_with_two_workers() {
    for mut app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let proposals = format!("/api/v1/circles/{id}/routine/proposals");
        let (_, proposal) = call(
            &app,
            Method::POST,
            &proposals,
            &sam,
            Some(json!({"steps": [{"item": "cuddling"}], "follow-up-hours": [12, 24]})),
        )
        .await;
        // Alex is asked for a yes; Sam, who proposed, is not.
        assert_eq!(kinds(&centre(&app, &alex).await), ["proposal"]);
        assert_eq!(
            centre(&app, &alex).await["notifications"][0]["text"],
            "sam suggested a change to your routine in Us."
        );
        // Sam, who proposed, is not; Sam was asked to look at their sharing when Alex joined.
        assert_eq!(kinds(&centre(&app, &sam).await), ["joined"]);
        assert_eq!(
            centre(&app, &sam).await["notifications"][0]["text"],
            "alex joined Us. Take a moment to look at what you share with the circle now."
        );
        let pid = proposal["id"].as_str().unwrap();
        call(
            &app,
            Method::POST,
            &format!("{proposals}/{pid}/accept"),
            &alex,
            None,
        )
        .await;
        let (_, care) = call(
            &app,
            Method::POST,
            &format!("/api/v1/circles/{id}/sessions"),
            &sam,
            Some(json!({"start": "aftercare"})),
        )
        .await;
        let session = format!("/api/v1/sessions/{}", care["id"].as_str().unwrap());
        let (status, _) = call(&app, Method::POST, &format!("{session}/close"), &sam, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await,
            0
        );

        // The server restarts: the follow-ups wait in the database, not in memory.
        app.restart().await;
        // Thirteen hours on, for these two workers only: the server's own worker goes by its
        // clock, on which nothing is due yet, so the count below is theirs alone.
        let now = app.state.app.clock.now().after(HOUR * 13);
        // A second instance's worker on the same database, running at the same moment.
        let other = tend_web::state(app.store.clone(), crate::helpers::config()).unwrap();
        let (a, b) = tokio::join!(
            tend_web::run_due_jobs(&app.state, now),
            tend_web::run_due_jobs(&other, now)
        );
        assert_eq!(
            a + b,
            2,
            "one 12-hour follow-up each for sam and alex, run once"
        );
        assert_eq!(tend_web::run_due_jobs(&app.state, now).await, 0);
        for who in [&sam, &alex] {
            let found = centre(&app, who).await;
            let follow_ups: Vec<&Value> = found["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == "follow-up")
                .collect();
            assert_eq!(follow_ups.len(), 1, "{found}");
            assert!(
                follow_ups[0]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("How are you feeling after "),
                "{found}"
            );
            assert_eq!(follow_ups[0]["link"], "/follow-ups");
            assert_eq!(follow_ups[0]["seen"], false);
        }
        app.state.app.clock.advance(HOUR * 25);
        // Alex answers the 24-hour follow-up on its page before the worker comes by: it is
        // not announced afterwards.
        let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", &alex, None).await;
        let (status, _) = call(
            &app,
            Method::POST,
            &format!(
                "/api/v1/follow-ups/{}/answer",
                ups[1]["id"].as_str().unwrap()
            ),
            &alex,
            Some(json!({"answer": "fine"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        // (The server's own worker may have come by first: what counts is what arrived.)
        tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
        assert_eq!(
            kinds(&centre(&app, &alex).await),
            ["follow-up", "aftercare-started", "proposal"]
        );
        let found = centre(&app, &sam).await;
        assert_eq!(kinds(&found), ["follow-up", "follow-up", "joined"]);
        assert_eq!(found["unseen"], 3);

        // Answering a follow-up marks its notification seen; marking by id does the rest.
        let (_, ups) = call(&app, Method::GET, "/api/v1/follow-ups", &sam, None).await;
        let first = ups[0]["id"].as_str().unwrap();
        call(
            &app,
            Method::POST,
            &format!("/api/v1/follow-ups/{first}/answer"),
            &sam,
            Some(json!({"answer": "fine"})),
        )
        .await;
        assert_eq!(centre(&app, &sam).await["unseen"], 2);
        let (status, problem) = call(
            &app,
            Method::POST,
            "/api/v1/notifications/seen",
            &sam,
            Some(json!({"ids": ["not-an-id"]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let ids: Vec<Value> = found["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].clone())
            .collect();
        // Alex cannot mark Sam's.
        call(
            &app,
            Method::POST,
            "/api/v1/notifications/seen",
            &alex,
            Some(json!({ "ids": ids })),
        )
        .await;
        assert_eq!(centre(&app, &sam).await["unseen"], 2);
        let (status, _) = call(
            &app,
            Method::POST,
            "/api/v1/notifications/seen",
            &sam,
            Some(json!({ "ids": ids })),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(centre(&app, &sam).await["unseen"], 0);
    }
}

#[tokio::test]
async fn the_badge_stream_follows_new_notes_and_discreet_mode_keeps_words_neutral() {
    for app in TestApp::each_backend().await {
        let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
        let id = circle(&app, &[&sam, &alex]).await;
        let (_, care) = call(
            &app,
            Method::POST,
            &format!("/api/v1/circles/{id}/sessions"),
            &sam,
            Some(json!({"start": "aftercare"})),
        )
        .await;
        let session = format!("/api/v1/sessions/{}", care["id"].as_str().unwrap());

        let mut badge = app
            .client
            .get(app.url("/api/v1/notifications/stream"))
            .bearer_auth(&alex.token)
            .send()
            .await
            .unwrap();
        assert_eq!(badge.headers()["content-type"], "text/event-stream");
        let mut seen = String::new();
        // Alex was told that Sam started aftercare with them.
        read_until(&mut badge, &mut seen, r#"{"unseen":1}"#).await;
        let (status, _) = call(
            &app,
            Method::POST,
            &format!("{session}/appreciations"),
            &sam,
            Some(json!({"to": alex.id, "text": "Your steady hands"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        read_until(&mut badge, &mut seen, r#"{"unseen":2}"#).await;

        // A reflection entry shared with alex (and only the ticked one).
        let (status, saved) = call(
            &app,
            Method::POST,
            &format!("{session}/reflections"),
            &sam,
            Some(json!({
                "mood": 4, "feelings": ["tender"], "felt-good": "Your steady hands",
                "to-change": "Warmer room", "shared": ["to-change", "mood"]
            })),
        )
        .await;
        assert_eq!(
            (status, saved["shared-with"].as_u64()),
            (StatusCode::CREATED, Some(1))
        );
        read_until(&mut badge, &mut seen, r#"{"unseen":3}"#).await;
        let (_, notes) = call(&app, Method::GET, "/api/v1/appreciations", &alex, None).await;
        assert_eq!(notes[0]["kind"], "shared-reflection");
        assert_eq!(
            notes[0]["text"],
            "From their reflection: mood 4 of 5 · what they would change: Warmer room"
        );
        let (_, for_sam) = call(&app, Method::GET, "/api/v1/appreciations", &sam, None).await;
        assert_eq!(for_sam, json!([]), "nothing of sam's comes back to sam");
        let (status, wrong) = call(
            &app,
            Method::POST,
            &format!("{session}/reflections"),
            &alex,
            Some(json!({"mood": 3, "shared": ["everything"]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");

        let words = centre(&app, &alex).await;
        assert_eq!(
            words["notifications"][0]["text"],
            "sam shared part of their reflection with you."
        );
        assert_eq!(
            words["notifications"][1]["text"],
            "sam sent you a note of appreciation."
        );
        let (status, _) = call(
            &app,
            Method::PUT,
            "/api/v1/me/discreet",
            &alex,
            Some(json!({"discreet": true})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, me) = call(&app, Method::GET, "/api/v1/me", &alex, None).await;
        assert_eq!(me["discreet"], true);
        let neutral = centre(&app, &alex).await;
        for n in neutral["notifications"].as_array().unwrap() {
            let words = if n["kind"] == "aftercare-started" {
                "Something is waiting for your reply."
            } else {
                "You have a new message."
            };
            assert_eq!(n["text"], words, "{neutral}");
        }
        // Someone else's centre holds none of it.
        let kim = member(&app, "kim").await;
        assert_eq!(centre(&app, &kim).await["notifications"], json!([]));
        let (status, _) = call(&app, Method::GET, "/api/v1/notifications", &kim, None).await;
        assert_eq!(status, StatusCode::OK);
        // Without a token, every notification route and the discreet setting are refused.
        for (method, path) in [
            (Method::GET, "/api/v1/notifications"),
            (Method::POST, "/api/v1/notifications/seen"),
            (Method::GET, "/api/v1/notifications/stream"),
            (Method::PUT, "/api/v1/me/discreet"),
        ] {
            let anonymous = app
                .client
                .request(method, app.url(path))
                .json(&json!({"ids": [], "discreet": true}))
                .send()
                .await
                .unwrap();
            assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        // A setting that is not true or false is refused (as every malformed body is, with a
        // problem that names the field).
        let (status, problem) = call(
            &app,
            Method::PUT,
            "/api/v1/me/discreet",
            &alex,
            Some(json!({"discreet": "maybe"})),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("discreet"),
            "{problem}"
        );
        let (_, me) = call(&app, Method::GET, "/api/v1/me", &alex, None).await;
        assert_eq!(me["discreet"], true, "unchanged by the refused request");
    }
}
