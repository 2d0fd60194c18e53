//! The guided profile, the aftercare language, custom items and boundaries, as a member
//! uses them in the browser (forms and redirects).

use reqwest::StatusCode;
use tend_core::{Rating, Variant};

use crate::helpers::{TestApp, location, texts};

const CLOSENESS: &str = "/profile/answers/after-sex/closeness";

/// Whether the radio `name` with `value` is checked in `html`.
fn checked(html: &str, name: &str, value: &str) -> bool {
    html.contains(&format!("name=\"{name}\" value=\"{value}\" checked"))
}

#[tokio::test]
async fn the_guided_profile_saves_each_step_and_resumes_where_the_member_left() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let overview = app.get("/profile").await.text().await.unwrap();
        assert!(overview.contains("0 of 7 topics answered"), "{overview}");
        assert!(overview.contains("href=\"/profile/answers/after-sex/closeness\""));

        let response = app
            .submit(
                CLOSENESS,
                CLOSENESS,
                &[
                    ("receive:cuddling", "love"),
                    ("give:cuddling", "glad"),
                    ("shared:kissing", "like"),
                    ("note:cuddling", "Under the heavy blanket, please"),
                    ("go", "next"),
                ],
            )
            .await;
        assert_eq!(location(&response), "/profile/answers/after-sex/words");

        let overview = app.get("/profile").await.text().await.unwrap();
        assert!(overview.contains("1 of 7 topics answered"), "{overview}");
        assert!(
            overview.contains("href=\"/profile/answers/after-sex/words\""),
            "resumes at the next topic"
        );

        let page = app.get(CLOSENESS).await.text().await.unwrap();
        assert!(checked(&page, "receive:cuddling", "love"));
        assert!(checked(&page, "give:cuddling", "glad"));
        assert!(checked(&page, "shared:kissing", "like"));
        assert!(
            checked(&page, "receive:hugging", ""),
            "skipped stays skipped"
        );
        assert!(page.contains("Under the heavy blanket, please</textarea>"));

        // Back from the second step returns to the first.
        let back = app
            .submit(
                "/profile/answers/after-sex/words",
                "/profile/answers/after-sex/words",
                &[("go", "back")],
            )
            .await;
        assert_eq!(location(&back), CLOSENESS);
        // The last step leads to the summary.
        let last = app
            .submit(
                "/profile/answers/after-sex/your-own",
                "/profile/answers/after-sex/your-own",
                &[("go", "next")],
            )
            .await;
        assert_eq!(location(&last), "/profile/language/after-sex");
    }
}

#[tokio::test]
async fn a_step_with_mistakes_keeps_what_was_typed_and_saves_nothing() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let long = "a gentle word ".repeat(200);
        let response = app
            .submit(
                CLOSENESS,
                CLOSENESS,
                &[
                    ("receive:cuddling", "adore"),
                    ("give:hugging", "glad"),
                    ("note:hugging", &long),
                    ("go", "next"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let summary = texts(&page, ".error-summary li");
        assert_eq!(summary.len(), 2, "{summary:?}");
        assert!(page.contains("Please choose one of the answers shown."));
        assert!(page.contains("This is a little long"), "{page}");
        assert!(
            checked(&page, "give:hugging", "glad"),
            "the typed answer is kept"
        );
        assert!(page.contains(&format!("{}</textarea>", long.trim_end())) || page.contains(&long));
        let member = app
            .store
            .credentials("sam")
            .await
            .unwrap()
            .unwrap()
            .member_id;
        let saved = app.store.profile(member).await.unwrap();
        assert!(
            saved.effective(Variant::AfterSex).is_empty(),
            "nothing half-saved"
        );
    }
}

#[tokio::test]
async fn a_form_naming_items_outside_the_step_is_refused() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let response = app
            .submit(
                CLOSENESS,
                CLOSENESS,
                &[("receive:no-such-item", "love"), ("go", "next")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        for missing in [
            "/profile/answers/after-tea/closeness",
            "/profile/answers/after-sex/no-topic",
            "/profile/language/after-tea",
        ] {
            assert_eq!(
                app.get(missing).await.status(),
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }
    }
}

#[tokio::test]
async fn a_variant_starts_as_after_sex_and_keeps_only_its_changes() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        app.submit(
            CLOSENESS,
            CLOSENESS,
            &[
                ("receive:cuddling", "love"),
                ("receive:hugging", "like"),
                ("go", "stay"),
            ],
        )
        .await;
        let hard = "/profile/answers/after-hard-scene/closeness";
        let page = app.get(hard).await.text().await.unwrap();
        assert!(
            checked(&page, "receive:cuddling", "love"),
            "copied from after sex"
        );
        app.submit(
            hard,
            hard,
            &[
                ("receive:cuddling", "no"),
                ("receive:hugging", "like"),
                ("go", "stay"),
            ],
        )
        .await;
        let member = app
            .store
            .credentials("sam")
            .await
            .unwrap()
            .unwrap()
            .member_id;
        let profile = app.store.profile(member).await.unwrap();
        assert_eq!(
            profile.effective(Variant::AfterHardScene)["cuddling"].receive,
            Some(Rating::No)
        );
        assert_eq!(
            profile.effective(Variant::AfterSex)["cuddling"].receive,
            Some(Rating::Love)
        );
        assert_eq!(
            profile.own(Variant::AfterHardScene).len(),
            1,
            "only the difference is kept"
        );
    }
}

#[tokio::test]
async fn the_aftercare_language_names_the_top_topics_and_draws_them_accessibly() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let empty = app
            .get("/profile/language/after-sex")
            .await
            .text()
            .await
            .unwrap();
        assert!(empty.contains("Rate a few items"));
        app.submit(
            CLOSENESS,
            CLOSENESS,
            &[
                ("receive:cuddling", "love"),
                ("give:cuddling", "glad"),
                ("go", "stay"),
            ],
        )
        .await;
        let words = "/profile/answers/after-sex/words";
        app.submit(
            words,
            words,
            &[("receive:affirmations", "maybe"), ("go", "stay")],
        )
        .await;
        let page = app
            .get("/profile/language/after-sex")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Closeness and Words matter most to you after sex."),
            "{page}"
        );
        assert!(page.contains("<svg role=\"img\" aria-labelledby=\"language-title\""));
        assert_eq!(
            texts(&page, "#language-title"),
            ["How much each topic draws you, after sex"]
        );
        let rows = texts(&page, "table.data tbody tr");
        assert_eq!(rows.len(), 6);
        assert!(
            rows[0].starts_with("Closeness") && rows[0].contains("100"),
            "{rows:?}"
        );
        assert!(
            texts(&page, "ul li")
                .iter()
                .any(|li| li == "Cuddling or spooning")
        );
    }
}

#[tokio::test]
async fn custom_items_are_added_renamed_rated_and_removed() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let added = app
            .submit(
                "/profile/custom-items",
                "/profile/custom-items",
                &[("label", "Reading aloud"), ("kind", "shared")],
            )
            .await;
        assert_eq!(location(&added), "/profile/custom-items");
        let duplicate = app
            .submit(
                "/profile/custom-items",
                "/profile/custom-items",
                &[("label", "reading ALOUD"), ("kind", "given")],
            )
            .await;
        assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = duplicate.text().await.unwrap();
        assert!(page.contains("You already have an item with this name."));
        assert!(
            page.contains("id=\"label\" name=\"label\" type=\"text\" value=\"reading ALOUD\""),
            "{page}"
        );

        let member = app
            .store
            .credentials("sam")
            .await
            .unwrap()
            .unwrap()
            .member_id;
        let item = app.store.custom_items(member).await.unwrap().remove(0);
        let own = "/profile/answers/after-sex/your-own";
        let step = app.get(own).await.text().await.unwrap();
        assert!(step.contains("<legend>Reading aloud</legend>"));
        let key = item.key();
        app.submit(
            own,
            own,
            &[(format!("shared:{key}").as_str(), "love"), ("go", "stay")],
        )
        .await;
        let profile = app.store.profile(member).await.unwrap();
        assert_eq!(
            profile.effective(Variant::AfterSex)[&key].shared,
            Some(Rating::Love)
        );

        let renamed = app
            .submit(
                "/profile/custom-items",
                &format!("/profile/custom-items/{}", item.id),
                &[("label", "Reading poems"), ("kind", "shared")],
            )
            .await;
        assert_eq!(location(&renamed), "/profile/custom-items");
        assert_eq!(
            app.store.custom_items(member).await.unwrap()[0]
                .label
                .as_str(),
            "Reading poems"
        );

        // Another member cannot touch it.
        let other = TestApp::browser();
        app.sign_up_with(&other, "alex").await;
        let foreign = app
            .submit_with(
                &other,
                "/profile/custom-items",
                &format!("/profile/custom-items/{}/delete", item.id),
                &[],
            )
            .await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

        app.submit(
            "/profile/custom-items",
            &format!("/profile/custom-items/{}/delete", item.id),
            &[],
        )
        .await;
        assert!(app.store.custom_items(member).await.unwrap().is_empty());
        assert!(
            !app.store
                .profile(member)
                .await
                .unwrap()
                .effective(Variant::AfterSex)
                .contains_key(&key)
        );
    }
}

#[tokio::test]
async fn boundaries_are_added_changed_and_removed_by_their_member_only() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let page = "/profile/boundaries";
        let added = app
            .submit(
                page,
                page,
                &[
                    ("kind", "soft-limit"),
                    ("text", "Tickling"),
                    ("condition", "only if I ask first"),
                ],
            )
            .await;
        assert_eq!(location(&added), "/profile/boundaries#kind-soft-limit");
        let empty = app
            .submit(page, page, &[("kind", "trigger"), ("text", "   ")])
            .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            empty
                .text()
                .await
                .unwrap()
                .contains("Please write something here.")
        );
        let too_long = "x".repeat(1001);
        let long = app
            .submit(page, page, &[("kind", "trigger"), ("text", &too_long)])
            .await;
        assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            long.text().await.unwrap().contains(&too_long),
            "what was typed is kept"
        );

        let member = app
            .store
            .credentials("sam")
            .await
            .unwrap()
            .unwrap()
            .member_id;
        let record = app.store.boundaries(member).await.unwrap().remove(0);
        assert_eq!(
            record.boundary.condition.as_deref(),
            Some("only if I ask first")
        );
        let shown = app.get(page).await.text().await.unwrap();
        assert!(shown.contains("Tickling</textarea>"));

        app.submit(
            page,
            &format!("/profile/boundaries/{}", record.id),
            &[("text", "Tickling feet"), ("condition", "")],
        )
        .await;
        assert_eq!(
            app.store.boundaries(member).await.unwrap()[0].boundary.text,
            "Tickling feet"
        );

        let responses = app
            .submit(
                page,
                "/profile/boundaries/responses",
                &[
                    ("stress", "freeze"),
                    ("stress", "fawn"),
                    ("override", "yes"),
                ],
            )
            .await;
        assert_eq!(location(&responses), "/profile/boundaries#responses");
        let shown = app.get(page).await.text().await.unwrap();
        assert!(shown.contains("name=\"stress\" value=\"freeze\" checked"));
        assert!(shown.contains("name=\"override\" value=\"yes\" checked"));
        app.submit(
            page,
            "/profile/boundaries/responses",
            &[("stress", "fawn"), ("override", "")],
        )
        .await;
        let kinds: Vec<String> = app
            .store
            .boundaries(member)
            .await
            .unwrap()
            .iter()
            .map(|r| format!("{}:{}", r.boundary.kind.as_str(), r.boundary.text))
            .collect();
        assert_eq!(kinds, ["soft-limit:Tickling feet", "stress-response:fawn"]);

        let other = TestApp::browser();
        app.sign_up_with(&other, "alex").await;
        for action in [
            format!("/profile/boundaries/{}", record.id),
            format!("/profile/boundaries/{}/delete", record.id),
        ] {
            let response = app
                .submit_with(&other, page, &action, &[("text", "mine now")])
                .await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{action}");
        }
        app.submit(
            page,
            &format!("/profile/boundaries/{}/delete", record.id),
            &[],
        )
        .await;
        assert_eq!(app.store.boundaries(member).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn profile_pages_need_a_signed_in_member() {
    for app in TestApp::each_backend().await {
        for path in [
            "/profile",
            CLOSENESS,
            "/profile/language/after-sex",
            "/profile/custom-items",
            "/profile/boundaries",
        ] {
            let response = app.get(path).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(location(&response), "/signin", "{path}");
        }
    }
}

#[tokio::test]
async fn what_a_member_writes_in_the_profile_is_not_in_the_database_files() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    app.sign_up("sam").await;
    app.submit(
        CLOSENESS,
        CLOSENESS,
        &[
            ("receive:cuddling", "love"),
            ("note:cuddling", "Aubergine lullaby"),
            ("go", "stay"),
        ],
    )
    .await;
    app.submit(
        "/profile/custom-items",
        "/profile/custom-items",
        &[("label", "Quince marmalade toast"), ("kind", "given")],
    )
    .await;
    app.submit(
        "/profile/boundaries",
        "/profile/boundaries",
        &[("kind", "hard-limit"), ("text", "Zither practice")],
    )
    .await;
    app.store.ping().await.unwrap();
    for entry in std::fs::read_dir(app.db.dir()).unwrap() {
        let path = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for needle in [
            "Aubergine",
            "Quince marmalade",
            "Zither",
            "cuddling",
            "hard-limit",
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in {}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn saving_a_step_in_place_says_it_was_saved() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    app.sign_up("sam").await;
    let response = app
        .submit(
            CLOSENESS,
            CLOSENESS,
            &[("receive:cuddling", "like"), ("go", "stay")],
        )
        .await;
    assert_eq!(location(&response), format!("{CLOSENESS}?saved=1"));
    let page = app.get(&location(&response)).await.text().await.unwrap();
    assert_eq!(texts(&page, ".notice p"), ["Saved."]);
}
