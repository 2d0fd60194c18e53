//! Times in the member's own time zone, as the browser says it (the `tend_tz` cookie that
//! `tend.js` sets), never the server's: follow-ups still to come, each at its own day and
//! time, on both backends.

use std::sync::Arc;
use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, texts};
use crate::routines::{call, circle, member};

/// A browser whose `tend.js` has said the time zone `zone` (no cookie at all for `None`).
fn browser_in(app: &TestApp, zone: Option<&str>) -> Client {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    if let Some(zone) = zone {
        jar.add_cookie_str(
            &format!("tend_tz={zone}; Path=/"),
            &app.base.parse().unwrap(),
        );
    }
    Client::builder()
        .cookie_provider(jar)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// `sam` and `alex` in a circle with the default routine (follow-ups at 12, 24, 48 and 72
/// hours), in aftercare together now: Sam's follow-ups' due times (Unix seconds) and hours.
async fn aftercare_now(app: &TestApp) -> Vec<(i64, u64)> {
    let (sam, alex) = (member(app, "sam").await, member(app, "alex").await);
    let id = circle(app, &[&sam, &alex]).await;
    let (status, care) = call(
        app,
        Method::POST,
        &format!("/api/v1/circles/{id}/sessions"),
        &sam,
        Some(json!({"participants": [sam.id, alex.id], "start": "aftercare"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{care}");
    let (_, follow_ups) = call(app, Method::GET, "/api/v1/follow-ups", &sam, None).await;
    let due: Vec<(i64, u64)> = follow_ups
        .as_array()
        .unwrap()
        .iter()
        .map(|f: &Value| (f["due-at"].as_i64().unwrap(), f["hours"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        due.iter().map(|(_, hours)| *hours).collect::<Vec<_>>(),
        [12, 24, 48, 72]
    );
    due
}

/// `at` as the clocks in `zone` show it, in jiff's own English: "Thursday 10:00".
fn as_clocks_show(zone: &str, at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .unwrap()
        .in_tz(zone)
        .unwrap()
        .strftime("%A %H:%M")
        .to_string()
}

async fn follow_ups_page(app: &TestApp, browser: &Client) -> String {
    let signed_in = app.sign_in_with(browser, "sam", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let page = app.get_with(browser, "/follow-ups").await;
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}

#[tokio::test]
async fn follow_ups_coming_up_each_show_their_own_day_and_time_in_the_browsers_zone() {
    for app in TestApp::each_backend().await {
        let due = aftercare_now(&app).await;
        let words = ["in 12 hours", "in 1 day", "in 2 days", "in 3 days"];
        let mut shown = Vec::new();
        for zone in ["Pacific/Auckland", "America/Los_Angeles"] {
            let page = follow_ups_page(&app, &browser_in(&app, Some(zone))).await;
            let upcoming = texts(&page, "ul.upcoming li");
            let expected: Vec<String> = due
                .iter()
                .zip(words)
                .map(|((at, hours), from_now)| {
                    format!(
                        "{} · {from_now} · {hours} hours after",
                        as_clocks_show(zone, *at)
                    )
                })
                .collect();
            assert_eq!(upcoming, expected, "{zone}");
            // Four different moments: no two say the same day and time.
            let mut whens: Vec<&str> = upcoming
                .iter()
                .map(|line| line.split(" · ").next().unwrap())
                .collect();
            whens.sort_unstable();
            whens.dedup();
            assert_eq!(whens.len(), 4, "{upcoming:?}");
            assert_eq!(
                texts(&page, ".times-in-zone"),
                [format!("Times are shown in {zone}.")]
            );
            shown.push(upcoming);
        }
        // Auckland is 19 to 21 hours ahead of Los Angeles: never the same day and time.
        assert_ne!(shown[0], shown[1]);
        for (auckland, los_angeles) in shown[0].iter().zip(&shown[1]) {
            assert_ne!(
                auckland.split(" · ").next(),
                los_angeles.split(" · ").next()
            );
        }
    }
}

#[tokio::test]
async fn without_a_zone_the_browser_said_or_with_an_unknown_one_times_are_in_utc_and_say_so() {
    for app in TestApp::each_backend().await {
        let due = aftercare_now(&app).await;
        for zone in [
            None,
            Some("Mars/Olympus_Mons"),
            Some("..%2F..%2Fetc%2Fpasswd"),
        ] {
            let page = follow_ups_page(&app, &browser_in(&app, zone)).await;
            let upcoming = texts(&page, "ul.upcoming li");
            assert!(
                upcoming[0].starts_with(&as_clocks_show("UTC", due[0].0)),
                "{zone:?}: {upcoming:?}"
            );
            assert_eq!(
                texts(&page, ".times-in-zone"),
                ["Times are shown in UTC."],
                "{zone:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_follow_up_that_has_come_names_the_session_by_its_day_in_the_browsers_zone() {
    for app in TestApp::each_backend().await {
        let due = aftercare_now(&app).await;
        let session_at = due[0].0 - 12 * 60 * 60;
        app.state
            .app
            .clock
            .advance(Duration::from_secs(13 * 60 * 60));
        for zone in ["Pacific/Auckland", "America/Los_Angeles"] {
            let page = follow_ups_page(&app, &browser_in(&app, Some(zone))).await;
            let day = jiff::Timestamp::from_second(session_at)
                .unwrap()
                .in_tz(zone)
                .unwrap()
                .strftime("%A")
                .to_string();
            assert_eq!(
                texts(&page, ".follow-up h2"),
                [format!("How are you feeling after {day}?")],
                "{zone}"
            );
            // The three still to come, the nearest in about 11 hours.
            let upcoming = texts(&page, "ul.upcoming li");
            assert_eq!(upcoming.len(), 3);
            assert!(upcoming[0].contains(" · in 11 hours · "), "{upcoming:?}");
        }
    }
}
