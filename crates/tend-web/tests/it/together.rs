//! Partners act at the same moment. For each shared write, requests are fired at once
//! through HTTP against a real server, in rounds, on both databases, and each round checks the
//! final state, not only the status codes: no yes, answer, sharing choice or join is lost or
//! doubled, and contention never answers 5xx.

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::routines::{Member, call, circle, member};

/// Rounds of each race per backend.
const ROUNDS: usize = 20;

/// A Tend per backend that lets many members sign in within a minute from one address (the
/// test's): the races need more of them than the default limit.
async fn busy_apps() -> Vec<TestApp> {
    TestApp::each_backend_with(|| {
        let mut config = crate::helpers::config();
        config.sign_in_per_minute = 10_000;
        config
    })
    .await
}

/// `count` members, made once per backend and reused across rounds.
async fn members(app: &TestApp, prefix: &str, count: usize) -> Vec<Member> {
    join_all((0..count).map(|i| async move { member(app, &format!("{prefix}{i}")).await })).await
}

fn no_server_errors(answers: &[(StatusCode, Value)], what: &str) {
    for (status, body) in answers {
        assert!(!status.is_server_error(), "{what}: {status} {body}");
    }
}

/// A proposal of a routine with one step of its own words, by `who`.
async fn propose(app: &TestApp, circle: &str, who: &Member, words: &str) -> String {
    let body = json!({"steps": [{"text": words, "minutes": 10}]});
    let (status, proposal) = call(
        app,
        Method::POST,
        &format!("/api/v1/circles/{circle}/routine/proposals"),
        who,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");
    proposal["id"].as_str().unwrap().to_owned()
}

async fn versions(app: &TestApp, circle: &str, who: &Member) -> Vec<Value> {
    let (_, versions) = call(
        app,
        Method::GET,
        &format!("/api/v1/circles/{circle}/routine/versions"),
        who,
        None,
    )
    .await;
    versions.as_array().unwrap().clone()
}

async fn listed_proposals(app: &TestApp, circle: &str, who: &Member) -> Vec<Value> {
    let (_, proposals) = call(
        app,
        Method::GET,
        &format!("/api/v1/circles/{circle}/routine/proposals"),
        who,
        None,
    )
    .await;
    proposals.as_array().unwrap().clone()
}

#[tokio::test]
async fn every_yes_counts_and_a_proposal_becomes_exactly_one_version() {
    for app in busy_apps().await {
        let eight = members(&app, "yes", 8).await;
        let everyone: Vec<&Member> = eight.iter().collect();
        let big = circle(&app, &everyone).await;
        let three = circle(&app, &everyone[..3]).await;
        for round in 0..ROUNDS {
            // All eight say yes at once (the author again too): one new version.
            let words = format!("Tea together, round {round}");
            let pid = propose(&app, &big, &eight[0], &words).await;
            let path = format!("/api/v1/circles/{big}/routine/proposals/{pid}/accept");
            let answers = join_all(
                eight
                    .iter()
                    .map(|m| call(&app, Method::POST, &path, m, None)),
            )
            .await;
            no_server_errors(&answers, "accepting at once");
            assert!(
                answers.iter().all(|(s, _)| *s == StatusCode::OK),
                "{answers:?}"
            );
            let made = versions(&app, &big, &eight[3]).await;
            assert_eq!(made.len(), round + 1, "round {round}: {made:?}");
            let (_, current) = call(
                &app,
                Method::GET,
                &format!("/api/v1/circles/{big}/routine"),
                &eight[5],
                None,
            )
            .await;
            assert_eq!(current["steps"][0]["text"], words.as_str());
            assert!(listed_proposals(&app, &big, &eight[7]).await.is_empty());
            let numbers: Vec<&Value> = answers
                .iter()
                .filter(|(_, body)| body["state"] == "accepted")
                .map(|(_, body)| &body["version"])
                .collect();
            assert!(!numbers.is_empty(), "somebody's yes made it: {answers:?}");
            assert!(
                numbers.iter().all(|n| **n == json!(round + 1)),
                "{numbers:?}"
            );

            // In a circle of three, two yeses at once (the author's again, and a partner's)
            // leave it waiting for the third, whose yes then makes one version.
            let pid = propose(&app, &three, &eight[0], &words).await;
            let path = format!("/api/v1/circles/{three}/routine/proposals/{pid}/accept");
            let two = join_all(
                eight[..2]
                    .iter()
                    .map(|m| call(&app, Method::POST, &path, m, None)),
            )
            .await;
            no_server_errors(&two, "two of three at once");
            let waiting = listed_proposals(&app, &three, &eight[2]).await;
            assert_eq!(waiting.len(), 1, "{waiting:?}");
            let mut accepted: Vec<&str> = waiting[0]["accepted-by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            accepted.sort_unstable();
            let mut two_ids = vec![eight[0].id.as_str(), eight[1].id.as_str()];
            two_ids.sort_unstable();
            assert_eq!(accepted, two_ids);
            let (status, last) = call(&app, Method::POST, &path, &eight[2], None).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(last["state"], "accepted");
            assert_eq!(versions(&app, &three, &eight[2]).await.len(), round + 1);
        }
    }
}

#[tokio::test]
async fn eight_review_answers_at_once_are_all_counted_and_close_the_review_once() {
    for app in busy_apps().await {
        let eight = members(&app, "review", 8).await;
        let everyone: Vec<&Member> = eight.iter().collect();
        let id = circle(&app, &everyone).await;
        let pid = propose(&app, &id, &eight[0], "A blanket").await;
        let accept = format!("/api/v1/circles/{id}/routine/proposals/{pid}/accept");
        join_all(
            eight
                .iter()
                .map(|m| call(&app, Method::POST, &accept, m, None)),
        )
        .await;
        assert_eq!(versions(&app, &id, &eight[0]).await.len(), 1);
        for round in 0..ROUNDS {
            let (status, review) = call(
                &app,
                Method::POST,
                &format!("/api/v1/circles/{id}/reviews"),
                &eight[round % 8],
                None,
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "round {round}: {review}");
            let rid = review["id"].as_str().unwrap().to_owned();
            // Results show only once everyone has answered: the step comes from the routine.
            assert_eq!(review["steps"], json!([]), "round {round}: {review}");
            let (_, routine) = call(
                &app,
                Method::GET,
                &format!("/api/v1/circles/{id}/routine"),
                &eight[0],
                None,
            )
            .await;
            let step = routine["steps"][0]["id"].clone();
            let before = listed_proposals(&app, &id, &eight[0]).await.len()
                + versions(&app, &id, &eight[0]).await.len();
            let path = format!("/api/v1/circles/{id}/reviews/{rid}");
            let answers = join_all(eight.iter().enumerate().map(|(i, m)| {
                let verdict = if i % 2 == 0 { "keep" } else { "change" };
                let body = json!({"verdicts": {step.to_string(): verdict}});
                call(&app, Method::PUT, &path, m, Some(body))
            }))
            .await;
            no_server_errors(&answers, "answering a review at once");
            assert!(
                answers.iter().all(|(s, _)| *s == StatusCode::OK),
                "{answers:?}"
            );
            let (_, done) = call(&app, Method::GET, &path, &eight[1], None).await;
            assert_eq!(done["answered"], 8, "round {round}: {done}");
            assert_eq!(done["waiting-for"], 0);
            assert_eq!(done["steps"][0]["keep"], 4);
            assert!(done["proposal"].is_string(), "{done}");
            // Closed once: exactly one proposal came of it (listed, or at once a version when
            // it changes nothing that needs a yes).
            let after = listed_proposals(&app, &id, &eight[0]).await.len()
                + versions(&app, &id, &eight[0]).await.len();
            assert_eq!(after, before + 1, "round {round}");
        }
    }
}

/// Every section a member can share, as the API names them.
const SECTIONS: [&str; 15] = [
    "answers",
    "custom-items",
    "hard-limit",
    "soft-limit",
    "trigger",
    "stress-response",
    "dissociation-sign",
    "if-i-freeze-do",
    "if-i-freeze-dont",
    "health-note",
    "drop-sign",
    "drop-help",
    "override-im-fine",
    "safeword",
    "nonverbal-signal",
];

#[tokio::test]
async fn fifteen_sharing_changes_at_once_are_all_kept() {
    for app in busy_apps().await {
        let pair = members(&app, "share", 2).await;
        let id = circle(&app, &[&pair[0], &pair[1]]).await;
        let path = format!("/api/v1/circles/{id}/sharing");
        for round in 0..ROUNDS {
            // Narrowing and widening in turn, so every round changes every section.
            let share = if round % 2 == 0 {
                "everything"
            } else {
                "nothing"
            };
            let answers = join_all(SECTIONS.iter().map(|section| {
                call(
                    &app,
                    Method::PUT,
                    &path,
                    &pair[0],
                    Some(json!({ *section: share })),
                )
            }))
            .await;
            no_server_errors(&answers, "sharing at once");
            assert!(
                answers.iter().all(|(s, _)| *s == StatusCode::OK),
                "{answers:?}"
            );
            let (_, circle) = call(
                &app,
                Method::GET,
                &format!("/api/v1/circles/{id}"),
                &pair[0],
                None,
            )
            .await;
            for section in SECTIONS {
                assert_eq!(circle["sharing"][section], share, "round {round}: {circle}");
            }
        }
    }
}

#[tokio::test]
async fn fifty_joins_at_once_fill_a_circle_to_eight_and_no_more() {
    for app in busy_apps().await {
        let fifty = members(&app, "joiner", 50).await;
        let owner = member(&app, "owner").await;
        for round in 0..ROUNDS {
            let (_, made) = call(
                &app,
                Method::POST,
                "/api/v1/circles",
                &owner,
                Some(json!({"name": format!("Round {round}")})),
            )
            .await;
            let id = made["id"].as_str().unwrap().to_owned();
            let invite_path = format!("/api/v1/circles/{id}/invites");
            let invites = join_all(
                (0..fifty.len()).map(|_| call(&app, Method::POST, &invite_path, &owner, None)),
            )
            .await;
            let tokens: Vec<String> = invites
                .iter()
                .map(|(_, invite)| invite["token"].as_str().unwrap().to_owned())
                .collect();
            let join_paths: Vec<String> = tokens
                .iter()
                .map(|token| format!("/api/v1/invites/{token}/accept"))
                .collect();
            let joins = join_all(
                fifty
                    .iter()
                    .zip(&join_paths)
                    .map(|(joiner, path)| call(&app, Method::POST, path, joiner, None)),
            )
            .await;
            no_server_errors(&joins, "joining at once");
            let joined = joins.iter().filter(|(s, _)| *s == StatusCode::OK).count();
            let full: Vec<&Value> = joins
                .iter()
                .filter(|(s, _)| *s == StatusCode::CONFLICT)
                .map(|(_, body)| body)
                .collect();
            assert_eq!(joined, 7, "round {round}");
            assert_eq!(full.len(), 43, "round {round}: {joins:?}");
            assert!(
                full.iter()
                    .all(|body| body["detail"].as_str().unwrap().contains("8 members")),
                "{full:?}"
            );
            let (_, circle) = call(
                &app,
                Method::GET,
                &format!("/api/v1/circles/{id}"),
                &owner,
                None,
            )
            .await;
            assert_eq!(
                circle["members"].as_array().unwrap().len(),
                8,
                "round {round}"
            );
        }
    }
}

/// Every catalog item, with the ratings its kind takes.
async fn catalog_items(app: &TestApp) -> Vec<(String, bool)> {
    let catalog: Value = app
        .client
        .get(app.url("/api/v1/catalog"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let given = item["kind"] == "given";
            (item["id"].as_str().unwrap().to_owned(), given)
        })
        .collect()
}

#[tokio::test]
async fn fifty_profile_saves_at_once_are_all_kept() {
    for app in busy_apps().await {
        let me = member(&app, "saver").await;
        let items = catalog_items(&app).await;
        assert_eq!(items.len(), 50);
        for round in 0..ROUNDS {
            let rating = if round % 2 == 0 { "love" } else { "like" };
            let saves = join_all(items.iter().map(|(item, given)| {
                let part = if *given { "receive" } else { "shared" };
                let body =
                    json!({"variant": "after-sex", "answers": [{"item": item, part: rating}]});
                call(
                    &app,
                    Method::PUT,
                    "/api/v1/profile/answers",
                    &me,
                    Some(body),
                )
            }))
            .await;
            no_server_errors(&saves, "saving a profile at once");
            assert!(saves.iter().all(|(s, _)| *s == StatusCode::OK), "{saves:?}");
            let (_, profile) = call(&app, Method::GET, "/api/v1/profile", &me, None).await;
            let answers = profile["variants"][0]["answers"].as_array().unwrap();
            assert_eq!(answers.len(), 50, "round {round}");
            for answer in answers {
                let value = answer
                    .get("receive")
                    .or_else(|| answer.get("shared"))
                    .unwrap();
                assert_eq!(value, rating, "round {round}: {answer}");
            }
        }
    }
}

#[tokio::test]
async fn fifty_ticks_of_one_step_at_once_tick_it_once() {
    for app in busy_apps().await {
        let pair = members(&app, "ticker", 2).await;
        let id = circle(&app, &[&pair[0], &pair[1]]).await;
        let pid = propose(&app, &id, &pair[0], "Water").await;
        let accept = format!("/api/v1/circles/{id}/routine/proposals/{pid}/accept");
        call(&app, Method::POST, &accept, &pair[1], None).await;
        for round in 0..ROUNDS {
            let (status, session) = call(
                &app,
                Method::POST,
                &format!("/api/v1/circles/{id}/sessions"),
                &pair[round % 2],
                Some(json!({"start": "aftercare"})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{session}");
            let sid = session["id"].as_str().unwrap().to_owned();
            let path = format!("/api/v1/sessions/{sid}/steps/1/done");
            let ticks =
                join_all((0..50).map(|i| call(&app, Method::POST, &path, &pair[i % 2], None)))
                    .await;
            no_server_errors(&ticks, "ticking at once");
            assert!(ticks.iter().all(|(s, _)| *s == StatusCode::OK), "{ticks:?}");
            let (_, after) = call(
                &app,
                Method::GET,
                &format!("/api/v1/sessions/{sid}"),
                &pair[0],
                None,
            )
            .await;
            assert_eq!(after["steps-done"], json!([1]), "round {round}: {after}");
            call(
                &app,
                Method::POST,
                &format!("/api/v1/sessions/{sid}/close"),
                &pair[0],
                None,
            )
            .await;
        }
    }
}

#[tokio::test]
async fn locking_leaving_and_joining_at_once_never_reveal_without_everyones_lock_and_confirmation()
{
    for app in busy_apps().await {
        let people = members(&app, "race", 4).await;
        let [a, b, c, d] = [&people[0], &people[1], &people[2], &people[3]];
        for round in 0..ROUNDS {
            let id = circle(&app, &[a, b, c]).await;
            let (_, invite) = call(
                &app,
                Method::POST,
                &format!("/api/v1/circles/{id}/invites"),
                a,
                None,
            )
            .await;
            let token = invite["token"].as_str().unwrap().to_owned();
            let lock = format!("/api/v1/circles/{id}/lock");
            let leave = format!("/api/v1/circles/{id}/members/me");
            let join = format!("/api/v1/invites/{token}/accept");
            let (lock_a, lock_b, left, joined) = tokio::join!(
                call(&app, Method::POST, &lock, a, None),
                call(&app, Method::POST, &lock, b, None),
                call(&app, Method::DELETE, &leave, c, None),
                call(&app, Method::POST, &join, d, None),
            );
            let all = [lock_a, lock_b, left, joined];
            no_server_errors(&all, "locking, leaving and joining at once");
            assert_eq!(all[3].0, StatusCode::OK, "the join: {:?}", all[3]);
            let ground_path = format!("/api/v1/circles/{id}/common-ground");
            // D has not locked: nobody sees common ground, whatever order things landed in.
            for viewer in [a, b, d] {
                let (_, ground) = call(&app, Method::GET, &ground_path, viewer, None).await;
                assert_eq!(ground["revealed"], false, "round {round}: {ground}");
                assert_eq!(ground["waiting-for"], 1, "round {round}: {ground}");
            }
            let (_, circle) =
                call(&app, Method::GET, &format!("/api/v1/circles/{id}"), a, None).await;
            let locked: Vec<bool> = circle["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["locked"].as_bool().unwrap())
                .collect();
            assert_eq!(locked.len(), 3, "round {round}: {circle}");
            assert_eq!(circle["revealed"], false, "round {round}: D has not locked");
            // D's lock is the last one. Whoever locked before D joined has still to confirm
            // what they share for D (a lock after the join confirms): only then it reveals.
            call(&app, Method::POST, &lock, d, None).await;
            let (_, ground) = call(&app, Method::GET, &ground_path, b, None).await;
            assert_eq!(
                ground["revealed"],
                ground["unconfirmed"] == 0,
                "round {round}: {ground}"
            );
            let confirm = format!("/api/v1/circles/{id}/confirm");
            let (confirm_a, confirm_b) = tokio::join!(
                call(&app, Method::POST, &confirm, a, None),
                call(&app, Method::POST, &confirm, b, None),
            );
            no_server_errors(&[confirm_a, confirm_b], "confirming at once");
            let (_, ground) = call(&app, Method::GET, &ground_path, b, None).await;
            assert_eq!(ground["revealed"], true, "round {round}: {ground}");
        }
    }
}
