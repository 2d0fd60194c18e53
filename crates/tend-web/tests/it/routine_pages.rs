//! The routine in the browser's forms: build it from common ground, propose, accept, compare
//! versions, review.

use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, form_fields, location, texts};
use crate::routines::{Member, call};

pub(crate) async fn signed_up(app: &TestApp, name: &str, shown: &str) -> Client {
    let browser = TestApp::browser();
    app.submit_with(
        &browser,
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
    browser
}

/// A locked couple whose common ground holds cuddling (ash's need, bo's offer).
pub(crate) async fn couple(app: &TestApp) -> (Client, Client, String) {
    let (ash, bo) = (
        signed_up(app, "ashley", "Ash").await,
        signed_up(app, "bowie", "Bo").await,
    );
    let created = app
        .submit_with(&ash, "/circles", "/circles", &[("name", "Us")])
        .await;
    let id = location(&created)
        .trim_start_matches("/circles/")
        .to_owned();
    let page = app
        .submit_with(
            &ash,
            &format!("/circles/{id}"),
            &format!("/circles/{id}/invites"),
            &[],
        )
        .await;
    let link = texts(&page.text().await.unwrap(), "code.invite-link").remove(0);
    let path = link[link.find("/invites/").unwrap()..].to_owned();
    app.submit_with(&bo, &path, &path, &[]).await;
    let step = "/profile/answers/after-sex/closeness";
    app.submit_with(
        &ash,
        step,
        step,
        &[("receive:cuddling", "love"), ("go", "stay")],
    )
    .await;
    app.submit_with(
        &bo,
        step,
        step,
        &[("give:cuddling", "glad"), ("go", "stay")],
    )
    .await;
    for browser in [&ash, &bo] {
        app.submit_with(
            browser,
            &format!("/circles/{id}"),
            &format!("/circles/{id}/lock"),
            &[],
        )
        .await;
    }
    (ash, bo, id)
}

/// Presses the editor button `op` with everything else as the page shows it.
async fn press(
    app: &TestApp,
    browser: &Client,
    id: &str,
    page: &str,
    op: &str,
    change: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = form_fields(page, "main form");
    for (name, value) in change {
        fields.retain(|(n, _)| n != name);
        fields.push(((*name).to_owned(), (*value).to_owned()));
    }
    fields.push(("op".to_owned(), op.to_owned()));
    browser
        .post(app.url(&format!("/circles/{id}/routine/edit")))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_partners_build_a_routine_from_common_ground_change_it_compare_and_review() {
    for app in TestApp::each_backend().await {
        let (ash, bo, id) = couple(&app).await;
        let routine = format!("/circles/{id}/routine");
        let empty = app.get_with(&ash, &routine).await.text().await.unwrap();
        assert!(empty.contains("You have not agreed a routine yet"));

        let edit = app
            .get_with(&ash, &format!("{routine}/edit"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            edit.contains("value=\"add-item-cuddling\""),
            "common ground offers cuddling: {edit}"
        );
        let page = press(&app, &ash, &id, &edit, "add-item-cuddling", &[])
            .await
            .text()
            .await
            .unwrap();
        let page = press(
            &app,
            &ash,
            &id,
            &page,
            "add-text",
            &[("new-text", "Tea in bed")],
        )
        .await
        .text()
        .await
        .unwrap();
        assert_eq!(
            texts(&page, "fieldset.item > legend"),
            ["1. Cuddling or spooning", "2. Tea in bed"]
        );
        let page = press(&app, &ash, &id, &page, "down-0", &[])
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            texts(&page, "fieldset.item > legend"),
            ["1. Tea in bed", "2. Cuddling or spooning"]
        );

        // A mistake keeps everything typed and says what to fix.
        let wrong = press(
            &app,
            &ash,
            &id,
            &page,
            "propose",
            &[("step-1-minutes", "ten")],
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert!(wrong.contains("Please use 1 to 240 minutes"), "{wrong}");
        assert!(wrong.contains("value=\"ten\""));

        // The cuddle is for Ash; the tea is for everyone.
        let ash_id = {
            let document = scraper::Html::parse_document(&page);
            let selector = scraper::Selector::parse("label.choice").unwrap();
            document
                .select(&selector)
                .find(|label| label.text().collect::<String>().trim() == "Ash")
                .and_then(|label| {
                    let input = scraper::Selector::parse("input").unwrap();
                    label
                        .select(&input)
                        .next()?
                        .value()
                        .attr("value")
                        .map(str::to_owned)
                })
                .unwrap()
        };
        let sent = press(
            &app,
            &ash,
            &id,
            &page,
            "propose",
            &[("step-1-minutes", "10"), ("step-1-for", &ash_id)],
        )
        .await;
        assert_eq!(location(&sent), format!("{routine}?variant=after-sex"));
        let seen_by_bo = app.get_with(&bo, &routine).await.text().await.unwrap();
        assert!(
            seen_by_bo.contains("Proposed by Ash") && seen_by_bo.contains("Waiting for everyone"),
            "{seen_by_bo}"
        );
        let accept = {
            let document = scraper::Html::parse_document(&seen_by_bo);
            let selector = scraper::Selector::parse("form[action$='/accept']").unwrap();
            document
                .select(&selector)
                .next()
                .unwrap()
                .value()
                .attr("action")
                .unwrap()
                .to_owned()
        };
        app.submit_with(&bo, &routine, &accept, &[]).await;
        let v1 = app.get_with(&ash, &routine).await.text().await.unwrap();
        assert_eq!(
            texts(&v1, "ol.steps li"),
            ["Tea in bed", "Cuddling or spooning · 10 minutes · for Ash"]
        );
        assert_eq!(
            texts(&v1, "dl.per-person dt, dl.per-person dd"),
            [
                "For Ash",
                "Cuddling or spooning · 10 minutes",
                "For everyone",
                "Tea in bed"
            ]
        );

        // Version 2: a longer cuddle.
        let edit = app
            .get_with(&bo, &format!("{routine}/edit"))
            .await
            .text()
            .await
            .unwrap();
        press(
            &app,
            &bo,
            &id,
            &edit,
            "propose",
            &[("step-1-minutes", "20")],
        )
        .await;
        let pending = app.get_with(&ash, &routine).await.text().await.unwrap();
        let accept = {
            let document = scraper::Html::parse_document(&pending);
            let selector = scraper::Selector::parse("form[action$='/accept']").unwrap();
            document
                .select(&selector)
                .next()
                .unwrap()
                .value()
                .attr("action")
                .unwrap()
                .to_owned()
        };
        app.submit_with(&ash, &routine, &accept, &[]).await;
        let compare = app
            .get_with(&ash, &format!("{routine}/compare?from=1&to=2"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            texts(&compare, "main > ul > li"),
            [
                "Cuddling or spooning · 10 minutes · for Ash → Cuddling or spooning · 20 minutes · for Ash"
            ]
        );
        assert_eq!(
            texts(&compare, ".side-by-side ol"),
            [
                "Tea in bedCuddling or spooning · 10 minutes · for Ash",
                "Tea in bedCuddling or spooning · 20 minutes · for Ash"
            ],
            "both versions in full, side by side"
        );

        // A review round: both answer, the outcome is a proposal.
        let started = app
            .submit_with(&ash, &routine, &format!("{routine}/reviews"), &[])
            .await;
        let review = location(&started);
        assert!(
            review.starts_with(&format!("{routine}/reviews/")),
            "{review}"
        );
        let page = app.get_with(&ash, &review).await.text().await.unwrap();
        let steps: Vec<String> = form_fields(&page, "main form")
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("step-"))
            .collect();
        assert!(steps.is_empty(), "nothing chosen yet");
        let radios = {
            let document = scraper::Html::parse_document(&page);
            let selector = scraper::Selector::parse("input[type=radio][value=drop]").unwrap();
            document
                .select(&selector)
                .map(|r| r.value().attr("name").unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let (tea, cuddle) = (radios[0].clone(), radios[1].clone());
        app.submit_with(
            &ash,
            &review,
            &review,
            &[
                (tea.as_str(), "drop"),
                (cuddle.as_str(), "keep"),
                ("suggestions", "A walk the next day"),
            ],
        )
        .await;
        // Before Bo answers, nothing of Ash's answers shows: it could only be Ash's.
        let seen_by_bo = app.get_with(&bo, &review).await.text().await.unwrap();
        assert!(!seen_by_bo.contains("would like to change"), "{seen_by_bo}");
        assert!(seen_by_bo.contains("What everyone said shows once all have answered."));
        app.submit_with(
            &bo,
            &review,
            &review,
            &[
                (tea.as_str(), "drop"),
                (cuddle.as_str(), "keep"),
                ("named", "yes"),
            ],
        )
        .await;
        let done = app.get_with(&bo, &review).await.text().await.unwrap();
        assert!(done.contains("The outcome is now a proposal"));
        assert!(done.contains("Bo would like to drop this"), "{done}");
        assert!(!done.contains("Ash would like"), "unnamed unless chosen");
        let pending = app.get_with(&ash, &routine).await.text().await.unwrap();
        let proposal_steps = texts(&pending, "section.proposal ol li");
        assert_eq!(
            proposal_steps,
            [
                "Cuddling or spooning · 20 minutes · for Ash",
                "A walk the next day New"
            ]
        );
        assert_eq!(
            texts(&pending, "section.proposal ul.removed-steps li"),
            ["Tea in bed Removed"],
            "the dropped step shows as removed before anyone says yes"
        );
    }
}

/// `username`, signed in to the API too.
async fn api_member(app: &TestApp, username: &str) -> Member {
    let mut member = Member {
        id: String::new(),
        token: crate::api::token(app, username, PASSWORD).await,
    };
    let (_, me) = call(app, Method::GET, "/api/v1/me", &member, None).await;
    member.id = me["id"].as_str().unwrap().to_owned();
    member
}

/// The `action` of the first form on `html` whose action ends with `suffix`.
fn form_action(html: &str, suffix: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(&format!("form[action$='{suffix}']")).unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|form| form.value().attr("action"))
        .unwrap_or_else(|| panic!("no form ending {suffix} in:\n{html}"))
        .to_owned()
}

#[tokio::test]
async fn a_partner_sees_the_whole_proposed_routine_and_what_changes_before_saying_yes() {
    for app in TestApp::each_backend().await {
        let (ash, bo, id) = couple(&app).await;
        let routine = format!("/circles/{id}/routine");
        let api = format!("/api/v1/circles/{id}/routine/proposals");
        let (ash_api, bo_api) = (
            api_member(&app, "ashley").await,
            api_member(&app, "bowie").await,
        );
        let ash_id = ash_api.id.clone();

        // Version 1, agreed by both: four steps, the default safewords and follow-ups.
        let first = json!({"steps": [
            {"item": "cuddling", "minutes": 10, "for": [ash_id]},
            {"text": "Tea in bed"},
            {"text": "Quiet music"},
            {"text": "Sleep in"}
        ]});
        let (status, proposal) = call(&app, Method::POST, &api, &ash_api, Some(first)).await;
        assert_eq!(status, StatusCode::CREATED, "{proposal}");
        let pid = proposal["id"].as_str().unwrap();
        let (_, accepted) = call(
            &app,
            Method::POST,
            &format!("{api}/{pid}/accept"),
            &bo_api,
            None,
        )
        .await;
        assert_eq!(accepted["version"], 1, "{accepted}");

        // Bo proposes in the editor: quiet music first, a longer cuddle, no sleeping in, a
        // glass of water, another word to stop, a signal, check-ins and other follow-ups.
        let mut page = app
            .get_with(&bo, &format!("{routine}/edit"))
            .await
            .text()
            .await
            .unwrap();
        for (op, change) in [
            ("up-2", vec![]),
            ("up-1", vec![]),
            ("remove-3", vec![]),
            ("add-text", vec![("new-text", "A glass of water")]),
        ] {
            page = press(&app, &bo, &id, &page, op, &change)
                .await
                .text()
                .await
                .unwrap();
        }
        let sent = press(
            &app,
            &bo,
            &id,
            &page,
            "propose",
            &[
                ("step-1-minutes", "20"),
                ("stop", "pineapple"),
                ("nonverbal", "two taps on the arm"),
                ("check-in", "20"),
                ("follow-ups", "6, 24"),
            ],
        )
        .await;
        assert_eq!(location(&sent), format!("{routine}?variant=after-sex"));

        // Ash, before answering, reads the whole routine it would make, changes marked.
        let pending = app.get_with(&ash, &routine).await.text().await.unwrap();
        assert_eq!(
            texts(&pending, "section.proposal ol.proposed-steps li"),
            [
                "Quiet music Moved (was step 3)",
                "Cuddling or spooning · 20 minutes · for Ash Changed (was: Cuddling or spooning · 10 minutes · for Ash)",
                "Tea in bed",
                "A glass of water New"
            ]
        );
        assert_eq!(
            texts(&pending, "section.proposal ul.removed-steps li"),
            ["Sleep in Removed"]
        );
        assert_eq!(
            texts(
                &pending,
                "section.proposal dl.proposed-settings dt, section.proposal dl.proposed-settings dd"
            ),
            [
                "Word to stop",
                "Changed: red → pineapple",
                "Word to slow down or check in",
                "yellow",
                "Non-verbal signal",
                "Changed: none → two taps on the arm",
                "Check-ins during a session",
                "Changed: none → 20 minutes",
                "Follow-ups after a session",
                "Changed: 12 h, 24 h, 48 h, 72 h → 6 h, 24 h",
                "For",
                "After sex",
                "Reviews",
                "every 5 sessions · every 4 weeks"
            ]
        );
        assert!(
            pending.contains("If everyone says yes, this becomes your routine."),
            "{pending}"
        );
        // All of it comes before the buttons to say yes or no.
        let accept = form_action(&pending, "/accept");
        let buttons = pending.find(&accept).unwrap();
        for words in [
            "pineapple",
            "two taps on the arm",
            "20 minutes",
            "6 h, 24 h",
            "A glass of water",
        ] {
            assert!(
                pending.find(words).unwrap() < buttons,
                "{words} after the buttons"
            );
        }
        // The current routine has not changed yet.
        assert_eq!(
            texts(&pending, "ol.steps li"),
            [
                "Cuddling or spooning · 10 minutes · for Ash",
                "Tea in bed",
                "Quiet music",
                "Sleep in"
            ]
        );

        // The API says the same: the whole routine, and each change with before and after.
        let (status, listed) = call(&app, Method::GET, &api, &ash_api, None).await;
        assert_eq!(status, StatusCode::OK);
        let proposal = &listed[0];
        assert_eq!(proposal["state"], "open");
        let whole = &proposal["routine"];
        assert_eq!(
            whole["safewords"],
            json!({"stop": "pineapple", "slow": "yellow"})
        );
        assert_eq!(whole["nonverbal-signal"], "two taps on the arm");
        assert_eq!(whole["check-in-minutes"], 20);
        assert_eq!(whole["follow-up-hours"], json!([6, 24]));
        let step_ids: Vec<u64> = whole["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_u64().unwrap())
            .collect();
        assert_eq!(step_ids, [3, 1, 2, 5]);
        assert_eq!(
            proposal["changes"],
            json!([
                {"what": "step-moved", "step": {"id": 3, "text": "Quiet music", "for": [], "from": []}, "from": 2, "to": 0},
                {"what": "step-changed",
                 "before": {"id": 1, "item": "cuddling", "minutes": 10, "for": [ash_id], "from": []},
                 "after": {"id": 1, "item": "cuddling", "minutes": 20, "for": [ash_id], "from": []}},
                {"what": "step-added", "step": {"id": 5, "text": "A glass of water", "for": [], "from": []}},
                {"what": "step-removed", "step": {"id": 4, "text": "Sleep in", "for": [], "from": []}},
                {"what": "stop-word", "from": "red", "to": "pineapple"},
                {"what": "nonverbal-signal", "from": null, "to": "two taps on the arm"},
                {"what": "check-in-minutes", "from": null, "to": 20},
                {"what": "follow-up-hours", "from": [12, 24, 48, 72], "to": [6, 24]}
            ])
        );

        // Saying yes makes exactly that routine.
        app.submit_with(&ash, &routine, &accept, &[]).await;
        let agreed = app.get_with(&ash, &routine).await.text().await.unwrap();
        assert_eq!(
            texts(&agreed, "ol.steps li"),
            [
                "Quiet music",
                "Cuddling or spooning · 20 minutes · for Ash",
                "Tea in bed",
                "A glass of water"
            ]
        );
        assert!(texts(&agreed, "dl.facts dd").contains(&"pineapple".to_owned()));
        // Comparing the versions names the same settings, each beside its own label even
        // where a signal was added.
        let compare = app
            .get_with(&ash, &format!("{routine}/compare?from=1&to=2"))
            .await
            .text()
            .await
            .unwrap();
        let settings = texts(&compare, "main > ul > li");
        assert_eq!(
            settings[settings.len() - 4..],
            [
                "Word to stop: red → pineapple",
                "Non-verbal signal: none → two taps on the arm",
                "Check-ins during a session: none → 20 minutes",
                "Follow-ups after a session: 12 h, 24 h, 48 h, 72 h → 6 h, 24 h"
            ]
        );
    }
}

#[tokio::test]
async fn routine_pages_are_404_for_anyone_outside_the_circle() {
    for app in TestApp::each_backend().await {
        let (_, _, id) = couple(&app).await;
        let outsider = signed_up(&app, "outsider", "Out").await;
        for path in [
            format!("/circles/{id}/routine"),
            format!("/circles/{id}/routine/edit"),
            format!("/circles/{id}/routine/compare?from=0&to=1"),
        ] {
            assert_eq!(
                app.get_with(&outsider, &path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        for path in [
            format!("/circles/{id}/routine/edit"),
            format!("/circles/{id}/routine/reviews"),
        ] {
            let response = app
                .submit_with(&outsider, "/circles", &path, &[("op", "propose")])
                .await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let anonymous = TestApp::browser();
        assert_eq!(
            location(
                &app.get_with(&anonymous, &format!("/circles/{id}/routine"))
                    .await
            ),
            "/signin"
        );
    }
}
