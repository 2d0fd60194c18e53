//! Several instances of Tend on one PostgreSQL database, as behind a load balancer: a signal
//! sent through one reaches a stream open on the other (also after the LISTEN connection is
//! cut), a member signed in through one is signed in on the other, and due follow-ups are
//! delivered exactly once however many workers run. PostgreSQL only: SQLite serves one
//! instance.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Connection;
use tend_store::testing::{TestDatabase, postgres_url, say_skipped};
use tend_store::{FollowUp, JobKind, MemberId};

use crate::helpers::{TestApp, config};
use crate::routines::{call, circle, member};
use crate::sessions::{read_until, read_within};

async fn on_postgres() -> Option<TestApp> {
    let Some(url) = postgres_url() else {
        say_skipped("several instances (set TEND_TEST_POSTGRES_URL)");
        return None;
    };
    Some(TestApp::spawn(TestDatabase::postgres(&url).await, config()).await)
}

#[tokio::test]
async fn a_signal_sent_through_one_instance_reaches_a_stream_on_another() {
    let Some(app) = on_postgres().await else {
        return;
    };
    let second = app.another_instance().await;
    let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
    let id = circle(&app, &[&sam, &alex]).await;
    let (status, plan) = call(
        &app,
        Method::POST,
        &format!("/api/v1/circles/{id}/sessions"),
        &sam,
        Some(json!({"start": "plan"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let session = format!("/api/v1/sessions/{}", plan["id"].as_str().unwrap());
    for who in [&sam, &alex] {
        call(
            &app,
            Method::PUT,
            &format!("{session}/readiness"),
            who,
            Some(json!({"energy": 4, "mood": 4, "sober": true, "ready": true})),
        )
        .await;
    }
    // Alex's phone follows the session through the second instance.
    let mut alex_sees = app
        .client
        .get(second.url(&format!("{session}/stream")))
        .bearer_auth(&alex.token)
        .send()
        .await
        .unwrap();
    assert_eq!(alex_sees.status(), StatusCode::OK);
    let mut seen = String::new();
    read_until(&mut alex_sees, &mut seen, "\"state\":\"live\"").await;
    let signals = format!("{session}/signals");
    let send = |signal: &'static str| {
        let (app, sam, signals) = (&app, &sam, &signals);
        async move {
            let (status, _) = call(
                app,
                Method::POST,
                signals,
                sam,
                Some(json!({ "signal": signal })),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED);
        }
    };
    // Sent through the first instance, seen on the second within a second.
    send("yellow").await;
    read_until(&mut alex_sees, &mut seen, "\"signal\":\"yellow\"").await;

    // The second instance's LISTEN connection is cut; a signal sent meanwhile still arrives
    // once it has listened again (the stream reads everything after what it has).
    let mut admin = sqlx::PgConnection::connect(&app.db.location.database_url)
        .await
        .unwrap();
    let cut: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(cut.len(), 2, "one LISTEN connection per instance");
    send("pause").await;
    read_within(
        &mut alex_sees,
        &mut seen,
        "\"signal\":\"pause\"",
        Duration::from_secs(5),
    )
    .await;
    // And the bus works again as before.
    send("red").await;
    read_until(&mut alex_sees, &mut seen, "\"signal\":\"red\"").await;
    read_until(&mut alex_sees, &mut seen, "\"state\":\"aftercare\"").await;
}

#[tokio::test]
async fn a_member_signed_in_through_one_instance_is_signed_in_on_the_other() {
    let Some(app) = on_postgres().await else {
        return;
    };
    let second = app.another_instance().await;
    app.sign_up("robin").await;
    // The same browser (cookies do not depend on the port) reaches the other instance.
    let account = app.client.get(second.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK);
    assert!(account.text().await.unwrap().contains("robin"));
    // A form from one instance posts to the other (the CSRF secret is shared).
    let page = app.get("/account").await.text().await.unwrap();
    let token = crate::helpers::csrf_token(&page);
    let signed_out = app
        .client
        .post(second.url("/signout"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert!(
        !app.is_signed_in(&app.client).await,
        "signed out everywhere"
    );
}

#[tokio::test]
async fn a_thousand_due_follow_ups_are_delivered_once_by_two_instances() {
    let Some(app) = on_postgres().await else {
        return;
    };
    let second = app.another_instance().await;
    let (sam, alex) = (member(&app, "sam").await, member(&app, "alex").await);
    let id = circle(&app, &[&sam, &alex]).await;
    let circle_id = tend_store::CircleId::parse(&id).unwrap();
    let members = [
        MemberId::parse(&sam.id).unwrap(),
        MemberId::parse(&alex.id).unwrap(),
    ];
    // Due in an hour: the instances' own workers (on the real clock) leave them alone.
    let now = app.state.app.clock.now();
    let due = now.after(Duration::from_secs(3600));
    let mut ids = Vec::new();
    for n in 0..1000u16 {
        let member = members[usize::from(n % 2)];
        let follow_up = FollowUp {
            session: tend_store::CareSessionId::new(),
            circle: circle_id,
            hours: n,
            session_at: now,
            answer: None,
        };
        let id = app
            .store
            .add_follow_up(member, &follow_up, due)
            .await
            .unwrap();
        app.store
            .schedule_job(JobKind::FollowUp, id.as_uuid(), due)
            .await
            .unwrap();
        ids.push(id);
    }
    let later = now.after(Duration::from_secs(2 * 3600));
    let (first, other) = tokio::join!(
        tend_web::run_due_jobs(&app.state, later),
        tend_web::run_due_jobs(&second.state, later)
    );
    assert_eq!(first + other, 1000, "each job ran once: {first} + {other}");
    assert!(
        first > 0 && other > 0,
        "both shared the work: {first} + {other}"
    );
    assert_eq!(tend_web::run_due_jobs(&second.state, later).await, 0);
    let mut delivered = 0;
    for member in members {
        let follow_ups = app
            .store
            .notifications(member, 2000)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| matches!(n.notification, tend_store::Notification::FollowUp { .. }))
            .count();
        assert_eq!(follow_ups, 500);
        delivered += follow_ups;
    }
    assert_eq!(delivered, ids.len());

    // An instance that claims a job and dies: another takes it over once the lease is out.
    let follow_up = FollowUp {
        session: tend_store::CareSessionId::new(),
        circle: circle_id,
        hours: 1,
        session_at: now,
        answer: None,
    };
    let one = app
        .store
        .add_follow_up(members[0], &follow_up, due)
        .await
        .unwrap();
    app.store
        .schedule_job(JobKind::FollowUp, one.as_uuid(), due)
        .await
        .unwrap();
    let lease = Duration::from_secs(5 * 60);
    let claimed = app
        .store
        .claim_jobs(later, later.after(lease), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(tend_web::run_due_jobs(&second.state, later).await, 0);
    let after_lease = later.after(lease + Duration::from_secs(1));
    assert_eq!(tend_web::run_due_jobs(&second.state, after_lease).await, 1);
    assert_eq!(
        app.store.unseen_notifications(members[0]).await.unwrap(),
        502,
        "500 follow-ups, this one, and that alex joined"
    );
}
