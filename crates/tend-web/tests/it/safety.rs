//! What protects every page: headers, CSRF, body limits, the safety features in the layout,
//! and no addresses or user agents at rest.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, location, texts};

/// Every page a visitor or member can GET.
const PAGES: &[&str] = &[
    "/",
    "/signup",
    "/signin",
    "/recover",
    "/account",
    "/support",
    "/privacy",
    "/exit",
    "/no-such-page",
];

/// Pages of a signed-in member.
const MEMBER_PAGES: &[&str] = &[
    "/",
    "/account",
    "/support",
    "/privacy",
    "/no-such-page",
    "/profile",
    "/profile/answers/after-sex/closeness",
    "/profile/answers/after-sex/your-own",
    "/profile/language/after-sex",
    "/profile/custom-items",
    "/profile/boundaries",
    "/circles",
    "/invites/not-a-token",
    "/insights",
    "/follow-ups",
    "/notifications",
    "/breathe",
];

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let mut paths: Vec<&str> = PAGES.to_vec();
        paths.extend([
            "/healthz",
            "/readyz",
            "/api/v1/me",
            "/api/v1/openapi.json",
            "/api/v1/catalog",
            "/profile",
            "/profile/answers/after-sex/calm",
            "/profile/language/after-sex",
            "/profile/custom-items",
            "/profile/boundaries",
            "/circles",
            "/invites/not-a-token",
            "/insights",
            "/follow-ups",
            "/notifications",
            "/breathe",
            "/api/v1/circles",
            "/api/v1/follow-ups",
            "/api/v1/notifications",
        ]);
        for path in paths {
            let response = app.get(path).await;
            let headers = response.headers();
            let csp = headers["content-security-policy"].to_str().unwrap();
            for directive in [
                "default-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
            ] {
                assert!(csp.contains(directive), "{path}: {csp}");
            }
            assert!(!csp.contains("unsafe-inline"), "{path}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert!(headers.contains_key("permissions-policy"), "{path}");
            assert_eq!(headers["cache-control"], "no-store", "{path}");
            assert!(
                !headers.contains_key("strict-transport-security"),
                "{path}: http"
            );
        }
    }
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    let apps = TestApp::each_backend_with(|| {
        let mut config = crate::helpers::config();
        config.public_url = Some("https://tend.example.org".to_owned());
        config
    })
    .await;
    for app in apps {
        let response = app.get("/signin").await;
        let hsts = response.headers()["strict-transport-security"]
            .to_str()
            .unwrap();
        let max_age: u64 = hsts
            .strip_prefix("max-age=")
            .and_then(|rest| rest.split(';').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(max_age >= 31_536_000, "{hsts}");
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("__Host-tend_csrf="), "{cookie}");
        assert!(
            cookie.contains("; Secure") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    }
}

#[tokio::test]
async fn static_assets_are_cached_and_pages_are_not() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let page = app.get("/").await.text().await.unwrap();
    let css = page
        .split("href=\"")
        .find_map(|rest| {
            rest.split('"')
                .next()
                .filter(|href| href.ends_with("tend.css"))
        })
        .unwrap()
        .to_owned();
    let response = app.get(&css).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    let stale = app.get("/static/0000000000000000/tend.css").await;
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_starts_with_quick_exit_and_links_to_support_and_privacy() {
    for app in TestApp::each_backend().await {
        let visitor = TestApp::browser();
        app.sign_up("sam").await;
        let visits = PAGES
            .iter()
            .filter(|path| !["/exit", "/account"].contains(path))
            .map(|path| (&visitor, *path))
            .chain(MEMBER_PAGES.iter().map(|path| (&app.client, *path)));
        for (browser, path) in visits {
            let page = app.get_with(browser, path).await.text().await.unwrap();
            let body = page
                .split("<body>")
                .nth(1)
                .unwrap_or_else(|| panic!("{path}: {page}"));
            assert!(
                body.trim_start().starts_with(
                    "<a class=\"quick-exit\" href=\"/quick-exit\" data-quick-exit \
                     data-exit-url=\"/exit\""
                ),
                "{path}: quick exit is not the first element"
            );
            assert!(page.contains("href=\"/support\""), "{path}");
            assert!(page.contains("href=\"/privacy\""), "{path}");
            assert!(
                page.contains("class=\"skip-link\" href=\"#main\""),
                "{path}"
            );
            assert!(page.contains("<html lang=\"en\""), "{path}");
            assert!(page.contains("/vendor/htmx.min.js"), "{path}");
            // Nothing is loaded from another host (links a member may follow are fine).
            for attr in [
                "src=\"http",
                "src=\"//",
                "<link rel=\"stylesheet\" href=\"http",
            ] {
                assert!(!page.contains(attr), "{path}: {attr}");
            }
        }
    }
}

#[tokio::test]
async fn quick_exit_goes_where_the_instance_says() {
    let app = TestApp::spawn(tend_store::testing::TestDatabase::sqlite(), {
        let mut config = crate::helpers::config();
        config.exit_url = "https://weather.example.org/".to_owned();
        config
    })
    .await;
    let page = app.get("/support").await.text().await.unwrap();
    assert!(page.contains(
        "<a class=\"quick-exit\" href=\"/quick-exit\" data-quick-exit \
         data-exit-url=\"https://weather.example.org/\""
    ));
    // Without JavaScript the link ends the sign-in and goes on to the same place; no
    // address in the request changes where.
    for path in ["/quick-exit", "/quick-exit?to=https://evil.example/"] {
        let left = app.get(path).await;
        assert_eq!(left.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&left), "https://weather.example.org/");
    }
    let exit = app.get("/exit").await.text().await.unwrap();
    assert!(!exit.contains("Tend"), "the exit page is neutral: {exit}");
}

/// The value of the session cookie a response sets.
fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("tend_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned()
}

/// A page of the sign-in whose session cookie is `session`, as another tab still open on
/// it would ask for it: its status and where it leads.
async fn with_old_cookie(app: &TestApp, session: &str, path: &str) -> (StatusCode, String) {
    let response = TestApp::browser()
        .get(app.url(path))
        .header("cookie", format!("tend_session={session}"))
        .send()
        .await
        .unwrap();
    (response.status(), location(&response))
}

/// Member pages a tab may have open.
const OPEN_TABS: &[&str] = &[
    "/account",
    "/profile",
    "/circles",
    "/follow-ups",
    "/notifications",
];

#[tokio::test]
async fn quick_exit_without_javascript_ends_the_sign_in_so_its_cookie_opens_nothing() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let browser = TestApp::browser();
        let signed_in = app.sign_in_with(&browser, "sam", PASSWORD).await;
        let session = session_cookie(&signed_in);
        for path in OPEN_TABS {
            let (status, _) = with_old_cookie(&app, &session, path).await;
            assert_eq!(status, StatusCode::OK, "{path} before");
        }

        let left = app.get_with(&browser, "/quick-exit").await;
        assert_eq!(left.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&left), "/exit");
        // Every cookie of Tend's is forgotten, and nothing new is set.
        let cookies: Vec<&str> = left
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        for name in ["tend_session", "tend_csrf", "tend_theme", "tend_tz"] {
            assert!(
                cookies
                    .iter()
                    .any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0")),
                "{name} not cleared: {cookies:?}"
            );
        }
        assert_eq!(cookies.len(), 4, "{cookies:?}");
        let blank = app.get_with(&browser, "/exit").await;
        assert!(blank.headers().get("set-cookie").is_none());

        // The old cookie, as any tab still open on it would send it: the sign-in page.
        for path in OPEN_TABS {
            assert_eq!(
                with_old_cookie(&app, &session, path).await,
                (StatusCode::SEE_OTHER, "/signin".to_owned()),
                "{path} after"
            );
        }
        assert!(!app.is_signed_in(&browser).await);
        // Sam's other sign-in (another device) is untouched.
        assert!(app.is_signed_in(&app.client).await);
    }
}

#[tokio::test]
async fn quick_exit_with_javascript_ends_the_sign_in_by_a_beacon_and_open_pages_are_told() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let browser = TestApp::browser();
        let session = session_cookie(&app.sign_in_with(&browser, "sam", PASSWORD).await);
        // A tab open on a member page follows its badge stream.
        let mut open_tab = TestApp::browser()
            .get(app.url("/notifications/stream"))
            .header("cookie", format!("tend_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(open_tab.status(), StatusCode::OK);
        let mut seen = String::new();
        crate::sessions::read_until(&mut open_tab, &mut seen, "\"unseen\":0").await;

        // A beacon from another site is refused before it does anything.
        let forged = browser
            .post(app.url("/quick-exit"))
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(app.is_signed_in(&browser).await);

        // tend.js's beacon: a POST with no body and no token, from Tend's own page.
        let beacon = browser
            .post(app.url("/quick-exit"))
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(beacon.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&beacon), "/exit");
        for path in OPEN_TABS {
            assert_eq!(
                with_old_cookie(&app, &session, path).await,
                (StatusCode::SEE_OTHER, "/signin".to_owned()),
                "{path} after"
            );
        }

        // The open tab hears at once that its sign-in has ended, and the stream ends.
        crate::sessions::read_until(&mut open_tab, &mut seen, "event: signed-out").await;
        let end = tokio::time::timeout(std::time::Duration::from_secs(1), open_tab.chunk())
            .await
            .unwrap()
            .unwrap();
        assert!(end.is_none(), "the stream ends: {end:?}");
        // A tab that opens the stream again is told the same, and nothing else.
        let again = app
            .get_with(&TestApp::browser(), "/notifications/stream")
            .await;
        assert_eq!(again.status(), StatusCode::OK);
        let said = again.text().await.unwrap();
        assert!(said.contains("event: signed-out"), "{said}");
        assert!(!said.contains("unseen"), "{said}");
    }
}

#[tokio::test]
async fn locking_in_one_tab_tells_the_badge_stream_of_another() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let mut open_tab = app.get("/notifications/stream").await;
        let mut seen = String::new();
        crate::sessions::read_until(&mut open_tab, &mut seen, "\"unseen\":0").await;
        let locked = app.submit("/account", "/lock", &[]).await;
        assert_eq!(location(&locked), "/signin?notice=locked");
        crate::sessions::read_until(&mut open_tab, &mut seen, "event: signed-out").await;
    }
}

#[tokio::test]
async fn the_support_page_lists_rainn_and_an_international_directory() {
    for app in TestApp::each_backend().await {
        let page = app.get("/support").await.text().await.unwrap();
        assert!(page.contains("1-800-656-4673"));
        assert!(page.contains("href=\"tel:+18006564673\""));
        assert!(page.contains("international directory"));
    }
}

#[tokio::test]
async fn the_instance_can_list_its_own_support_resources() {
    let app = TestApp::spawn(tend_store::testing::TestDatabase::sqlite(), {
        let mut config = crate::helpers::config();
        config.support = vec![tend_web::SupportResource {
            name: "Hilfetelefon".to_owned(),
            phone: Some("116 016".to_owned()),
            url: None,
            note: Some("Rund um die Uhr.".to_owned()),
        }];
        config
    })
    .await;
    let page = app.get("/support").await.text().await.unwrap();
    assert!(page.contains("Hilfetelefon") && page.contains("href=\"tel:116016\""));
    assert!(!page.contains("RAINN"));
}

#[tokio::test]
async fn a_form_without_a_valid_csrf_token_changes_nothing() {
    for app in TestApp::each_backend().await {
        // No token at all.
        let response = app
            .client
            .post(app.url("/signup"))
            .form(&[
                ("username", "sam"),
                ("password", PASSWORD),
                ("adult", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = response.text().await.unwrap();
        assert!(page.contains("This form had expired"), "{page}");
        // A token made for another browser's cookie.
        let other = TestApp::browser();
        let html = app.get_with(&other, "/signup").await.text().await.unwrap();
        let foreign = crate::helpers::csrf_token(&html);
        app.get("/signup").await;
        let response = app
            .client
            .post(app.url("/signup"))
            .form(&[
                ("username", "sam"),
                ("password", PASSWORD),
                ("adult", "yes"),
                ("csrf", &foreign),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(app.store.credentials("sam").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_any_handler_runs() {
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let html = app.get("/account").await.text().await.unwrap();
        let token = crate::helpers::csrf_token(&html);
        for (header, value) in [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ] {
            let response = app
                .client
                .post(app.url("/lock"))
                .header(header, value)
                .form(&[("csrf", token.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{header}");
        }
        assert!(app.is_signed_in(&app.client).await);
    }
}

#[tokio::test]
async fn a_huge_body_gets_413_with_a_calm_page() {
    for app in TestApp::each_backend().await {
        let html = app.get("/signup").await.text().await.unwrap();
        let token = crate::helpers::csrf_token(&html);
        let huge = "x".repeat(200 * 1024);
        let response = app
            .client
            .post(app.url("/signup"))
            .form(&[("username", huge.as_str()), ("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("larger than Tend accepts")
        );
        let api = app
            .client
            .post(app.url("/api/v1/members"))
            .header("content-type", "application/json")
            .body(format!("{{\"username\":\"{huge}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(api.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_calm_404_with_the_layout() {
    for app in TestApp::each_backend().await {
        let response = app.get("/nothing/here").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = response.text().await.unwrap();
        assert_eq!(texts(&page, "h1"), ["Page not found"]);
        assert!(page.contains("data-quick-exit"));
    }
}

#[tokio::test]
async fn health_and_readiness_answer() {
    for app in TestApp::each_backend().await {
        assert_eq!(app.get("/healthz").await.text().await.unwrap(), "ok");
        let database = if app.db.is_postgres() {
            "postgresql"
        } else {
            "sqlite"
        };
        assert_eq!(
            app.get("/readyz").await.text().await.unwrap(),
            format!("ready: {database} answers")
        );
    }
}

#[tokio::test]
async fn the_theme_toggle_remembers_the_choice_and_comes_back() {
    for app in TestApp::each_backend().await {
        let page = app.get("/support").await.text().await.unwrap();
        assert!(page.contains("data-theme=\"system\""));
        let response = app
            .submit(
                "/support",
                "/theme",
                &[("theme", "dark"), ("back", "/support")],
            )
            .await;
        assert_eq!(location(&response), "/support");
        let page = app.get("/support").await.text().await.unwrap();
        assert!(page.contains("data-theme=\"dark\""));
        let outside = app
            .submit(
                "/",
                "/theme",
                &[("theme", "light"), ("back", "//evil.example")],
            )
            .await;
        assert_eq!(location(&outside), "/");
    }
}

#[tokio::test]
async fn no_address_user_agent_or_sealed_text_reaches_the_database_files() {
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let agent = "DistinctiveAgent/9.9 (tend-test-zebra)";
    let browser_with_agent = || {
        reqwest::Client::builder()
            .user_agent(agent)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    };
    let browser = browser_with_agent();
    let response = app
        .submit_with(
            &browser,
            "/signup",
            "/signup",
            &[
                ("username", "sam"),
                ("password", PASSWORD),
                ("adult", "yes"),
                ("display_name", "Quillon Bramblewick"),
                ("pronouns", "fae/faer"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let signed_in = app
        .sign_in_with(&browser_with_agent(), "sam", PASSWORD)
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    app.store.ping().await.unwrap();

    let mut searched = 0;
    for entry in std::fs::read_dir(app.db.dir()).unwrap() {
        let path = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        searched += bytes.len();
        for needle in [
            "tend-test-zebra",
            "127.0.0.1",
            "Bramblewick",
            "fae/faer",
            PASSWORD,
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} found in {}",
                path.display()
            );
        }
    }
    assert!(searched > 0);
}
