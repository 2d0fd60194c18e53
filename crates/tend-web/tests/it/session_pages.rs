//! Sessions in the browser's forms: plan with readiness checks, aftercare with ticks, a
//! private reflection, and the next day's follow-up, on both backends.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, form_fields, location, texts};

async fn html(app: &TestApp, browser: &Client, path: &str) -> String {
    app.get_with(browser, path).await.text().await.unwrap()
}

/// Submits the form matching `selector` on `page` as shown, with `change` on top.
async fn submit(
    app: &TestApp,
    browser: &Client,
    page: &str,
    selector: &str,
    change: &[(&str, &str)],
) -> reqwest::Response {
    let document = scraper::Html::parse_document(page);
    let form = scraper::Selector::parse(selector).unwrap();
    let action = document
        .select(&form)
        .next()
        .unwrap_or_else(|| panic!("no {selector} in {page}"))
        .value()
        .attr("action")
        .unwrap()
        .to_owned();
    let mut fields = form_fields(page, selector);
    for (name, value) in change {
        if !name.ends_with("[]") {
            fields.retain(|(n, _)| n != name);
        }
        fields.push((
            (*name).trim_end_matches("[]").to_owned(),
            (*value).to_owned(),
        ));
    }
    browser
        .post(app.url(&action))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn partners_plan_a_session_care_for_each_other_reflect_and_answer_the_follow_up() {
    for app in TestApp::each_backend().await {
        let (ash, bo, id) = crate::routine_pages::couple(&app).await;
        // A routine with a cuddle and tea, follow-ups at 12 hours, agreed over the API.
        let (ash_token, bo_token) = (
            crate::api::token(&app, "ashley", PASSWORD).await,
            crate::api::token(&app, "bowie", PASSWORD).await,
        );
        let proposal: serde_json::Value = app
            .client
            .post(app.url(&format!("/api/v1/circles/{id}/routine/proposals")))
            .bearer_auth(&ash_token)
            .json(&json!({"steps": [{"item": "cuddling"}, {"text": "Tea in bed"}], "follow-up-hours": [12]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        app.client
            .post(app.url(&format!(
                "/api/v1/circles/{id}/routine/proposals/{}/accept",
                proposal["id"].as_str().unwrap()
            )))
            .bearer_auth(&bo_token)
            .send()
            .await
            .unwrap();
        app.client
            .post(app.url("/api/v1/profile/boundaries"))
            .bearer_auth(&ash_token)
            .json(&json!({"kind": "drop-help", "text": "A warm bath and a text from Bo"}))
            .send()
            .await
            .unwrap();

        // Ash plans a session with both of them from the circle page.
        let circle = html(&app, &ash, &format!("/circles/{id}")).await;
        let planned = submit(
            &app,
            &ash,
            &circle,
            "form[action$='/sessions']",
            &[("start", "plan")],
        )
        .await;
        let session = location(&planned);
        assert!(session.starts_with("/sessions/"), "{session}");
        let page = html(&app, &ash, &session).await;
        assert_eq!(
            texts(&page, ".session-state"),
            ["Planning: everyone checks in first."]
        );

        // A mistake keeps what was typed and says what to fix.
        let wrong = submit(
            &app,
            &ash,
            &page,
            "form[action$='/readiness']",
            &[
                ("mood", "4"),
                ("off-limits-today", "No biting today"),
                ("go", "ready"),
            ],
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert!(
            wrong.contains("Please choose your energy from 1 to 5."),
            "{wrong}"
        );
        assert!(wrong.contains(">No biting today</textarea>"));
        assert!(wrong.contains("name=\"mood\" value=\"4\" checked"));

        let fixed = submit(
            &app,
            &ash,
            &wrong,
            "form[action$='/readiness']",
            &[("energy", "3"), ("sober", "yes"), ("go", "ready")],
        )
        .await;
        assert!(
            wrong.contains("Please say whether you are sober."),
            "nobody is taken as sober"
        );
        assert_eq!(location(&fixed), session);
        let seen_by_bo = html(&app, &bo, &session).await;
        let people = texts(&seen_by_bo, "ul.people li");
        assert!(
            people[0].contains("Ash")
                && people[0].contains("in")
                && people[0].contains("No biting today"),
            "{people:?}"
        );
        assert!(people[1].contains("not yet"), "{people:?}");
        submit(
            &app,
            &bo,
            &seen_by_bo,
            "form[action$='/readiness']",
            &[
                ("energy", "5"),
                ("mood", "5"),
                ("sober", "no"),
                ("go", "ready"),
            ],
        )
        .await;
        let live = html(&app, &ash, &session).await;
        assert_eq!(texts(&live, ".session-state"), ["The session is on."]);
        assert!(
            texts(&live, "ul.people li")[0].contains("No biting today"),
            "today's limits stay in view"
        );
        // Pressing "I'm in" again once live changes nothing and says so kindly.
        let again = submit(
            &app,
            &ash,
            &wrong,
            "form[action$='/readiness']",
            &[("energy", "3"), ("sober", "yes"), ("go", "ready")],
        )
        .await;
        assert_eq!(location(&again), format!("{session}?notice=moved-on"));
        let moved = html(&app, &ash, &location(&again)).await;
        assert!(moved.contains("Things have moved on since then."));

        // Signals: the buttons carry the circle's own words; a partner's shows on the page.
        let buttons = texts(&live, ".signal-buttons button");
        assert_eq!(buttons.len(), 5);
        assert!(
            buttons[2].contains("Red — stop") && buttons[2].contains("“red”"),
            "{buttons:?}"
        );
        let sent = submit(
            &app,
            &ash,
            &live,
            "form[action$='/signals']",
            &[("signal", "yellow")],
        )
        .await;
        assert_eq!(location(&sent), session);
        let ash_sent = html(&app, &ash, &session).await;
        let mine = texts(&ash_sent, "#signal-rows li");
        assert!(
            mine.len() == 1
                && mine[0].starts_with("You: Yellow — slow down, check on me · ")
                && mine[0].ends_with(" · Sent"),
            "{mine:?}"
        );
        let bo_live = html(&app, &bo, &session).await;
        let rows = texts(&bo_live, "#signal-rows li");
        assert!(
            rows.len() == 1 && rows[0].starts_with("Ash: Yellow — slow down, check on me · "),
            "{rows:?}"
        );
        // Bo's page has shown it, so Ash is told.
        let ash_told = html(&app, &ash, &session).await;
        assert!(
            texts(&ash_told, "#signal-rows li")[0].ends_with(" · Sent · seen by Bo"),
            "{ash_told}"
        );

        // Red from Bo stops the session for both: aftercare, with the routine's steps.
        submit(
            &app,
            &bo,
            &bo_live,
            "form[action$='/signals']",
            &[("signal", "red")],
        )
        .await;
        let care = html(&app, &bo, &session).await;
        assert_eq!(texts(&care, ".session-state"), ["Aftercare."]);
        let banner = texts(&care, ".stop-banner");
        assert!(
            banner[0].starts_with("You said stop (“red”) at "),
            "{banner:?}"
        );
        let for_ash = html(&app, &ash, &session).await;
        let banner = texts(&for_ash, ".stop-banner");
        assert!(
            banner[0].starts_with("Bo said stop (“red”) at ")
                && banner[0].ends_with("Everyone is in aftercare now."),
            "{banner:?}"
        );
        assert_eq!(texts(&care, "ol.care-steps li").len(), 2);
        let ticked = submit(&app, &bo, &care, "form[action$='/steps/1/done']", &[]).await;
        assert_eq!(location(&ticked), format!("{session}#step-1"));
        let care = html(&app, &ash, &session).await;
        let steps = texts(&care, "ol.care-steps li");
        assert!(
            steps[0].starts_with("✔") && steps[0].contains("Cuddling"),
            "{steps:?}"
        );
        assert!(care.contains("href=\"/breathe\""));
        let breathe = html(&app, &ash, "/breathe").await;
        assert!(breathe.contains("class=\"breathe-circle\""));

        // Done: each reflects, privately. A missing mood keeps what was written.
        let care = html(&app, &bo, &session).await;
        let empty = submit(
            &app,
            &bo,
            &care,
            "form[action$='/appreciations']",
            &[("text", " ")],
        )
        .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            empty
                .text()
                .await
                .unwrap()
                .contains("Please write a few words")
        );
        let note = submit(
            &app,
            &bo,
            &care,
            "form[action$='/appreciations']",
            &[("text", "Thank you for the tea")],
        )
        .await;
        assert_eq!(location(&note), format!("{session}?notice=note-sent"));
        let closed = submit(&app, &bo, &care, "form[action$='/close']", &[]).await;
        let reflection = location(&closed);
        assert_eq!(reflection, format!("{session}/reflection"));
        let form = html(&app, &bo, &reflection).await;
        let wrong = submit(
            &app,
            &bo,
            &form,
            "main form",
            &[("felt-good", "Holding hands"), ("feeling[]", "sad")],
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert!(
            wrong.contains(">Holding hands</textarea>") && wrong.contains("value=\"sad\" checked"),
            "{wrong}"
        );
        // An entry that does not exist is refused; what was typed stays.
        let unknown = submit(
            &app,
            &bo,
            &wrong,
            "main form",
            &[("mood", "2"), ("share[]", "steps")],
        )
        .await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unknown = unknown.text().await.unwrap();
        assert!(unknown.contains(">Holding hands</textarea>"), "{unknown}");
        // Bo shares one entry, what felt good; the sad feeling stays Bo's.
        let saved = submit(
            &app,
            &bo,
            &wrong,
            "main form",
            &[("mood", "2"), ("share[]", "felt-good")],
        )
        .await;
        assert_eq!(
            location(&saved),
            format!("{reflection}?saved=blues&shared=yes"),
            "saved once, then shown"
        );
        let saved = html(&app, &bo, &location(&saved)).await;
        assert!(
            saved.contains("Feeling low after intimacy is common"),
            "{saved}"
        );
        let insights = html(&app, &bo, "/insights").await;
        assert!(
            insights.contains("You have reflected on one session."),
            "{insights}"
        );
        let ash_insights = html(&app, &ash, "/insights").await;
        assert!(
            ash_insights.contains("Nothing here yet"),
            "bo's reflection is bo's"
        );

        // The next day: the follow-up has come.
        let early = html(&app, &ash, "/follow-ups").await;
        assert!(early.contains("Nothing to answer right now."));
        assert_eq!(texts(&early, "ul.upcoming li").len(), 1, "one coming up");
        assert_eq!(
            texts(&early, "ul.notes li"),
            [
                "Bo: From their reflection: what felt good: Holding hands",
                "Bo: Thank you for the tea",
            ],
            "Bo's note and the entry Bo shared, for Ash alone; nothing else of Bo's reflection"
        );
        // Both came to Ash's notification centre (after the word that Bo joined); the badge
        // counts them.
        assert_eq!(texts(&early, "[data-unseen-count]"), ["3"]);
        let centre = html(&app, &ash, "/notifications").await;
        assert_eq!(
            texts(&centre, "li.notification > p:first-child"),
            [
                "New Bo shared part of their reflection with you.",
                "New Bo sent you a note of appreciation.",
                "New Bo joined Us. Take a moment to look at what you share with the circle now.",
            ]
        );
        // Opening the centre marks them seen.
        let again = html(&app, &ash, "/notifications").await;
        assert!(texts(&again, "li.unseen").is_empty());
        assert!(again.contains("data-unseen-badge hidden"), "{again}");

        app.state
            .app
            .clock
            .advance(Duration::from_secs(13 * 60 * 60));
        // The follow-up reaches the centre once, when the job runs (here, or by the server's
        // own worker), however often it runs.
        tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
        tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
        let centre = html(&app, &ash, "/notifications").await;
        let follow_up = texts(&centre, "li.unseen > p:first-child");
        assert_eq!(follow_up.len(), 1, "{centre}");
        assert!(
            follow_up[0].starts_with("New How are you feeling after "),
            "{follow_up:?}"
        );
        // Discreet mode: neutral words and a neutral name.
        let account = html(&app, &ash, "/account").await;
        let on = submit(
            &app,
            &ash,
            &account,
            "form[action='/account/discreet']",
            &[],
        )
        .await;
        assert_eq!(location(&on), "/account?notice=discreet-on");
        let centre = html(&app, &ash, "/notifications").await;
        assert_eq!(
            texts(&centre, "li.notification > p:first-child"),
            [
                "You have a reminder.",
                "You have a new message.",
                "You have a new message.",
                "Something is waiting for your reply.",
            ]
        );
        assert!(
            centre.contains("<title>Notifications · Notes</title>"),
            "{centre}"
        );
        let listed = texts(&centre, "ul.notifications").join(" ");
        assert!(
            !listed.contains("Bo"),
            "no names in discreet mode: {listed}"
        );
        let account = html(&app, &ash, "/account").await;
        submit(
            &app,
            &ash,
            &account,
            "form[action='/account/discreet']",
            &[],
        )
        .await;
        // Visitors are sent to sign in; the badge stream and the setting are members' only
        // (a visitor's badge stream says only that there is no sign-in, so a page whose
        // sign-in ended goes to the sign-in page).
        assert_eq!(
            app.get("/notifications").await.status(),
            StatusCode::SEE_OTHER
        );
        let stream = app.get("/notifications/stream").await.text().await.unwrap();
        assert_eq!(stream.trim(), "event: signed-out\ndata: {}\nretry: 3600000");
        let visitor = app
            .submit("/signin", "/account/discreet", &[("discreet", "on")])
            .await;
        assert_ne!(visitor.status(), StatusCode::OK);
        assert!(!visitor.status().is_server_error());
        let due = html(&app, &ash, "/follow-ups").await;
        let question = texts(&due, "section.follow-up h2");
        assert_eq!(question.len(), 1);
        assert!(
            question[0].starts_with("How are you feeling after "),
            "{question:?}"
        );
        // Ash may let Bo know (opt-in, no details).
        let bo_id = {
            let document = scraper::Html::parse_document(&due);
            let selector = scraper::Selector::parse("input[name=notify]").unwrap();
            let boxes: Vec<_> = document.select(&selector).collect();
            assert_eq!(boxes.len(), 1, "Bo was the only other one there");
            assert!(
                boxes[0].value().attr("checked").is_none(),
                "nobody is told by default"
            );
            boxes[0].value().attr("value").unwrap().to_owned()
        };
        let answered = submit(
            &app,
            &ash,
            &due,
            "section.follow-up form",
            &[("answer", "contact"), ("notify[]", &bo_id)],
        )
        .await;
        let answered = answered.text().await.unwrap();
        assert!(
            answered.contains("A warm bath and a text from Bo"),
            "{answered}"
        );
        assert!(answered.contains("You said you could use some contact."));

        // Bo shares a new limit with the circle (ticking it on the entry); the next brief
        // shows it.
        app.client
            .post(app.url("/api/v1/profile/boundaries"))
            .bearer_auth(&bo_token)
            .json(
                &json!({"kind": "hard-limit", "text": "No tickling, please", "shared-with": [id]}),
            )
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        // The routine changes; the next plan's brief says so and links to the difference.
        let change: serde_json::Value = app
            .client
            .post(app.url(&format!("/api/v1/circles/{id}/routine/proposals")))
            .bearer_auth(&bo_token)
            .json(&json!({"steps": [{"item": "cuddling", "minutes": 20}], "follow-up-hours": [12]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        app.client
            .post(app.url(&format!(
                "/api/v1/circles/{id}/routine/proposals/{}/accept",
                change["id"].as_str().unwrap()
            )))
            .bearer_auth(&ash_token)
            .send()
            .await
            .unwrap();
        let circle = html(&app, &ash, &format!("/circles/{id}")).await;
        let next = submit(
            &app,
            &ash,
            &circle,
            "form[action$='/sessions']",
            &[("start", "plan")],
        )
        .await;
        let brief = html(&app, &ash, &location(&next)).await;
        let since = texts(&brief, ".since-last");
        assert!(
            since[0].starts_with("Your routine has changed since your last session"),
            "{since:?}"
        );
        assert!(brief.contains(&format!("/circles/{id}/routine/compare?from=1&amp;to=2")));
        assert_eq!(
            texts(&brief, "ul.new-boundaries li"),
            ["Bo — Hard limits: No tickling, please"]
        );

        let for_bo = html(&app, &bo, "/follow-ups").await;
        assert!(
            texts(&for_bo, "ul.notes li")
                .contains(&"Ash could use some extra care today.".to_owned()),
            "{for_bo}"
        );

        // Someone outside the circle finds none of it.
        let outsider = crate::routine_pages::signed_up(&app, "outsider", "Out").await;
        for path in [
            session.clone(),
            reflection.clone(),
            format!("{session}/stream"),
        ] {
            assert_eq!(
                app.get_with(&outsider, &path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        // Every form of the session, filled as a participant would.
        for action in [
            "readiness",
            "not-today",
            "withdraw",
            "aftercare",
            "close",
            "signals",
            "signals/1/seen",
            "steps/1/done",
            "reflection",
            "appreciations",
        ] {
            let path = format!("{session}/{action}");
            let theirs = app
                .submit_with(
                    &outsider,
                    "/follow-ups",
                    &path,
                    &[
                        ("energy", "3"),
                        ("mood", "3"),
                        ("sober", "yes"),
                        ("signal", "green"),
                        ("text", "Thank you"),
                    ],
                )
                .await;
            assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let action = {
            let document = scraper::Html::parse_document(&due);
            let selector = scraper::Selector::parse("section.follow-up form").unwrap();
            document
                .select(&selector)
                .next()
                .unwrap()
                .value()
                .attr("action")
                .unwrap()
                .to_owned()
        };
        let theirs = app
            .submit_with(&outsider, "/follow-ups", &action, &[("answer", "fine")])
            .await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
        let theirs = app
            .submit_with(
                &outsider,
                "/circles",
                &format!("/circles/{id}/sessions"),
                &[("start", "plan")],
            )
            .await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    }
}
