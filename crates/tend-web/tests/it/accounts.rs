//! Signing up, in and out, locking, changing passwords and recovering, as a member would.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, input_value, location, texts};

#[tokio::test]
async fn signing_up_shows_ten_recovery_codes_once_and_signs_the_member_in() {
    for app in TestApp::each_backend().await {
        let page = app.sign_up("Sam_R").await;
        let codes = texts(&page, "ol.recovery-codes li code");
        assert_eq!(codes.len(), 10, "{page}");
        assert!(codes.iter().all(|code| code.len() == 19), "{codes:?}");
        assert!(app.is_signed_in(&app.client).await);

        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("Welcome, Sam"), "{home}");
        // Shown once: no page shows the same codes again.
        let account = app.get("/account").await.text().await.unwrap();
        assert!(!account.contains(&codes[0]));
        assert!(
            account.contains("You have 10 unused recovery codes."),
            "{account}"
        );
    }
}

#[tokio::test]
async fn a_taken_username_is_refused_whatever_its_case_and_the_form_keeps_what_was_typed() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let other = TestApp::browser();
        let response = app
            .submit_with(
                &other,
                "/signup",
                "/signup",
                &[
                    ("username", "SAM"),
                    ("password", PASSWORD),
                    ("adult", "yes"),
                    ("display_name", "Another Sam"),
                    ("pronouns", "she/her"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("That username is taken"), "{page}");
        assert_eq!(input_value(&page, "username").as_deref(), Some("SAM"));
        assert_eq!(
            input_value(&page, "display_name").as_deref(),
            Some("Another Sam")
        );
        assert_eq!(input_value(&page, "pronouns").as_deref(), Some("she/her"));
        assert!(
            page.contains("name=\"adult\" type=\"checkbox\" value=\"yes\" checked"),
            "{page}"
        );
        assert!(!app.is_signed_in(&other).await);
    }
}

#[tokio::test]
async fn weak_passwords_and_bad_usernames_are_explained_and_nothing_is_created() {
    for app in TestApp::each_backend().await {
        let cases = [
            ("sam", "short", "at least 10 characters"),
            ("sam", "password123", "one of the most common"),
            ("sam", "1234567890", "one of the most common"),
            ("s", PASSWORD, "at least 3 characters"),
            ("sam smith", PASSWORD, "only letters"),
        ];
        for (username, password, message) in cases {
            let response = app
                .submit(
                    "/signup",
                    "/signup",
                    &[
                        ("username", username),
                        ("password", password),
                        ("adult", "yes"),
                    ],
                )
                .await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let page = response.text().await.unwrap();
            assert!(page.contains(message), "{username}/{password}: {page}");
            assert_eq!(input_value(&page, "username").as_deref(), Some(username));
            assert!(page.contains("class=\"error-summary\""));
        }
        assert!(app.store.credentials("sam").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn signing_up_needs_the_18_plus_affirmation() {
    for app in TestApp::each_backend().await {
        let response = app
            .submit(
                "/signup",
                "/signup",
                &[("username", "sam"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Please confirm that you are 18 or older"),
            "{page}"
        );
        assert!(app.store.credentials("sam").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn signing_in_works_with_any_case_and_a_new_session_id_each_time() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let browser = TestApp::browser();
        let first = app.sign_in_with(&browser, "SAM", PASSWORD).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&first), "/");
        let first_cookie = session_cookie(&first);
        assert!(app.is_signed_in(&browser).await);

        // Every sign-in makes a new id.
        let again = TestApp::browser();
        let second = app.sign_in_with(&again, "sam", PASSWORD).await;
        let second_cookie = session_cookie(&second);
        assert_ne!(first_cookie, second_cookie);
        assert_eq!(first_cookie.len(), 43, "256 bits, base64url");
    }
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find_map(|c| c.strip_prefix("tend_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .expect("a session cookie")
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_get_the_same_answer() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let wrong = app
            .sign_in_with(&TestApp::browser(), "sam", "not the password at all")
            .await;
        let unknown = app
            .sign_in_with(&TestApp::browser(), "nobody-here", PASSWORD)
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.status(), wrong.status());
        let wrong = texts(&wrong.text().await.unwrap(), ".error-summary li");
        let unknown = texts(&unknown.text().await.unwrap(), ".error-summary li");
        assert_eq!(wrong, unknown);
        assert!(wrong[0].contains("do not match"), "{wrong:?}");
    }
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client() {
    let apps = TestApp::each_backend_with(|| {
        let mut config = crate::helpers::config();
        config.sign_in_per_minute = 3;
        config
    })
    .await;
    for app in apps {
        app.sign_up("sam").await;
        let browser = TestApp::browser();
        for _ in 0..3 {
            let response = app.sign_in_with(&browser, "sam", "wrong password!").await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let limited = app.sign_in_with(&browser, "sam", PASSWORD).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        let page = limited.text().await.unwrap();
        assert!(page.contains("Please wait a minute"), "{page}");
        assert_eq!(input_value(&page, "username").as_deref(), Some("sam"));
        assert!(!app.is_signed_in(&browser).await);
    }
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let response = app.submit("/account", "/signout", &[]).await;
        assert_eq!(location(&response), "/signin?notice=signed-out");
        assert!(!app.is_signed_in(&app.client).await);
        let page = app
            .get("/signin?notice=signed-out")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("You are signed out."));
    }
}

#[tokio::test]
async fn lock_now_ends_the_session_at_once_even_for_a_copied_cookie() {
    for app in TestApp::each_backend().await {
        let browser = TestApp::browser();
        app.sign_up("sam").await;
        let response = app.sign_in_with(&browser, "sam", PASSWORD).await;
        let cookie = session_cookie(&response);

        let locked = app.submit_with(&browser, "/", "/lock", &[]).await;
        assert_eq!(location(&locked), "/signin?notice=locked");
        assert!(!app.is_signed_in(&browser).await);
        let copied = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/account"))
            .header("cookie", format!("tend_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(copied.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&copied), "/signin");
        // The first browser was not touched.
        assert!(app.is_signed_in(&app.client).await);
    }
}

#[tokio::test]
async fn the_account_page_needs_a_signed_in_member() {
    for app in TestApp::each_backend().await {
        let response = app.get("/account").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/signin");
        for action in [
            "/account/password",
            "/account/recovery-codes",
            "/account/signout-everywhere",
        ] {
            let response = app.submit("/signin", action, &[]).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
            assert_eq!(location(&response), "/signin", "{action}");
        }
    }
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let other = TestApp::browser();
        app.sign_in_with(&other, "sam", PASSWORD).await;

        let wrong = app
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", "not it at all"),
                    ("new_password", "a new kind of calm"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("not your current password")
        );

        let weak = app
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "qwertyuiop"),
                ],
            )
            .await;
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let done = app
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "a new kind of calm"),
                ],
            )
            .await;
        assert_eq!(location(&done), "/account?notice=password-changed");
        assert!(app.is_signed_in(&app.client).await);
        assert!(!app.is_signed_in(&other).await);

        let fresh = TestApp::browser();
        let old = app.sign_in_with(&fresh, "sam", PASSWORD).await;
        assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let new = app.sign_in_with(&fresh, "sam", "a new kind of calm").await;
        assert_eq!(new.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_recovery_code_sets_a_new_password_once_and_signs_out_everywhere_else() {
    for app in TestApp::each_backend().await {
        let page = app.sign_up("sam").await;
        let codes = texts(&page, "ol.recovery-codes li code");
        let stranger = TestApp::browser();
        let new_password = "lanterns by the river";

        let wrong = app
            .submit_with(
                &stranger,
                "/recover",
                "/recover",
                &[
                    ("username", "sam"),
                    ("code", "0000-0000-0000-0000"),
                    ("new_password", new_password),
                ],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong_page = wrong.text().await.unwrap();
        assert!(wrong_page.contains("do not match"), "{wrong_page}");
        assert_eq!(
            input_value(&wrong_page, "code").as_deref(),
            Some("0000-0000-0000-0000")
        );

        let upper = codes[0].to_uppercase();
        let done = app
            .submit_with(
                &stranger,
                "/recover",
                "/recover",
                &[
                    ("username", "Sam"),
                    ("code", &upper),
                    ("new_password", new_password),
                ],
            )
            .await;
        assert_eq!(location(&done), "/account?notice=recovered");
        assert!(app.is_signed_in(&stranger).await);
        assert!(
            !app.is_signed_in(&app.client).await,
            "the old session ended"
        );
        let account = app
            .get_with(&stranger, "/account")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            account.contains("You have 9 unused recovery codes."),
            "{account}"
        );

        let again = app
            .submit_with(
                &TestApp::browser(),
                "/recover",
                "/recover",
                &[
                    ("username", "sam"),
                    ("code", &codes[0]),
                    ("new_password", "yet another path"),
                ],
            )
            .await;
        assert_eq!(
            again.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a code works once"
        );

        let signed_in = app
            .sign_in_with(&TestApp::browser(), "sam", new_password)
            .await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones() {
    for app in TestApp::each_backend().await {
        let first = texts(&app.sign_up("sam").await, "ol.recovery-codes li code");
        let response = app.submit("/account", "/account/recovery-codes", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        let second = texts(&response.text().await.unwrap(), "ol.recovery-codes li code");
        assert_eq!(second.len(), 10);
        assert!(first.iter().all(|code| !second.contains(code)));
        let old = app
            .submit_with(
                &TestApp::browser(),
                "/recover",
                "/recover",
                &[
                    ("username", "sam"),
                    ("code", &first[0]),
                    ("new_password", "lanterns by the river"),
                ],
            )
            .await;
        assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_browser_and_api_token() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let other = TestApp::browser();
        app.sign_in_with(&other, "sam", PASSWORD).await;
        let token = crate::api::token(&app, "sam", PASSWORD).await;

        let response = app
            .submit("/account", "/account/signout-everywhere", &[])
            .await;
        assert_eq!(location(&response), "/signin?notice=signed-out-everywhere");
        assert!(!app.is_signed_in(&app.client).await);
        assert!(!app.is_signed_in(&other).await);
        let me = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_session_idle_past_the_timeout_or_past_its_lifetime_ends() {
    let idle = TestApp::each_backend_with(|| {
        let mut config = crate::helpers::config();
        config.session.idle = std::time::Duration::ZERO;
        config
    })
    .await;
    let lifetime = TestApp::each_backend_with(|| {
        let mut config = crate::helpers::config();
        config.session.absolute = std::time::Duration::ZERO;
        config
    })
    .await;
    for app in idle.into_iter().chain(lifetime) {
        app.sign_up("sam").await;
        let response = app.get("/account").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/signin");
    }
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_at_owasp_parameters_or_above() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let hash = app
            .store
            .credentials("sam")
            .await
            .unwrap()
            .unwrap()
            .password_hash;
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        let params = hash.split('$').nth(3).unwrap();
        let value = |name: &str| -> u32 {
            params
                .split(',')
                .find_map(|p| p.strip_prefix(&format!("{name}=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(
            value("m") >= 19 * 1024 && value("t") >= 2 && value("p") >= 1,
            "{hash}"
        );
        assert!(!hash.contains(PASSWORD));
    }
}
