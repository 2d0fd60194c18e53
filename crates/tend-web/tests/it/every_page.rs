//! Every page, as people use it: in Chromium at phone and desktop size, light and dark, with
//! axe-core run inside the page (WCAG 2.0–2.2 A and AA rules), no sideways scrolling, and
//! tap targets of at least 44 × 44 px; and the HTML of every page through the Nu Html
//! Checker. Needs `npm ci` in `tests/frontend` (axe-core, vnu-jar) and Java; runs when
//! `TEND_TEST_BROWSER` is set, as the other browser tests do.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp};

/// The axe rules a page must pass: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const AXE_TAGS: [&str; 6] = [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa",
];

fn frontend() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/frontend/node_modules")
}

fn axe_source() -> String {
    let path = frontend().join("axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `npm ci` in crates/tend-web/tests/frontend)",
            path.display()
        )
    })
}

/// Pages a visitor sees.
const VISITOR_PAGES: [&str; 8] = [
    "/",
    "/exit",
    "/signin",
    "/signup",
    "/recover",
    "/support",
    "/privacy",
    "/no-such-page",
];

/// A couple with answers, a routine in two versions and an open proposal, a review, a
/// planned session, a session in aftercare, notes and a due follow-up; and every page Ash
/// sees, with a name for its screenshot; and Ash's signed-in HTTP client.
async fn lived_in(app: &TestApp) -> (Vec<(String, String)>, reqwest::Client) {
    let (ash_http, _, id) = crate::routine_pages::couple(app).await;
    let ash = crate::api::token(app, "ashley", PASSWORD).await;
    let bo = crate::api::token(app, "bowie", PASSWORD).await;
    let call = |method: Method, path: String, token: &str, body: Value| {
        let request = app
            .client
            .request(method, app.url(&path))
            .bearer_auth(token)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            response.json::<Value>().await.unwrap_or(Value::Null)
        }
    };
    let me = call(Method::GET, "/api/v1/me".to_owned(), &ash, Value::Null).await;
    let ash_id = me["id"].as_str().unwrap().to_owned();
    let proposals = format!("/api/v1/circles/{id}/routine/proposals");
    for minutes in [10, 20] {
        let proposal = call(
            Method::POST,
            proposals.clone(),
            &ash,
            json!({"steps": [{"item": "cuddling", "minutes": minutes}, {"text": "Tea in bed"}],
                   "follow-up-hours": [12, 24]}),
        )
        .await;
        let pid = proposal["id"].as_str().unwrap();
        call(
            Method::POST,
            format!("{proposals}/{pid}/accept"),
            &bo,
            json!({}),
        )
        .await;
    }
    call(
        Method::POST,
        proposals.clone(),
        &bo,
        json!({"steps": [{"item": "cuddling", "minutes": 15}]}),
    )
    .await;
    let review = call(
        Method::POST,
        format!("/api/v1/circles/{id}/reviews"),
        &ash,
        json!({}),
    )
    .await;
    let sessions = format!("/api/v1/circles/{id}/sessions");
    let care = call(
        Method::POST,
        sessions.clone(),
        &ash,
        json!({"start": "aftercare"}),
    )
    .await;
    let care = care["id"].as_str().unwrap().to_owned();
    call(
        Method::POST,
        format!("/api/v1/sessions/{care}/appreciations"),
        &bo,
        json!({"to": ash_id, "text": "Your warm hands"}),
    )
    .await;
    let closed = call(
        Method::POST,
        sessions.clone(),
        &ash,
        json!({"start": "aftercare"}),
    )
    .await;
    let closed = closed["id"].as_str().unwrap().to_owned();
    for who in [&ash, &bo] {
        call(
            Method::POST,
            format!("/api/v1/sessions/{closed}/close"),
            who,
            json!({}),
        )
        .await;
    }
    // A live session with everyone's latest signal, and one Bo stopped with red.
    let mut live_and_stopped = Vec::new();
    for signals in [["yellow", "green"], ["pause", "red"]] {
        let session = call(
            Method::POST,
            sessions.clone(),
            &ash,
            json!({"start": "plan"}),
        )
        .await;
        let session = session["id"].as_str().unwrap().to_owned();
        for who in [&ash, &bo] {
            call(
                Method::PUT,
                format!("/api/v1/sessions/{session}/readiness"),
                who,
                json!({"energy": 4, "mood": 4, "sober": true, "ready": true}),
            )
            .await;
        }
        for (who, signal) in [(&ash, signals[0]), (&bo, signals[1])] {
            call(
                Method::POST,
                format!("/api/v1/sessions/{session}/signals"),
                who,
                json!({"signal": signal}),
            )
            .await;
        }
        live_and_stopped.push(session);
    }
    let [live, stopped] = [&live_and_stopped[0], &live_and_stopped[1]];
    let plan = call(Method::POST, sessions, &ash, json!({"start": "plan"})).await;
    let plan = plan["id"].as_str().unwrap().to_owned();
    app.state
        .app
        .clock
        .advance(Duration::from_secs(13 * 60 * 60));
    tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
    let rid = review["id"].as_str().unwrap_or_default();
    let invite = call(
        Method::POST,
        format!("/api/v1/circles/{id}/invites"),
        &ash,
        json!({}),
    )
    .await;
    let invite = invite["token"].as_str().unwrap().to_owned();
    let pages = [
        ("home", "/".to_owned()),
        ("account", "/account".to_owned()),
        ("profile", "/profile".to_owned()),
        (
            "profile-step",
            "/profile/answers/after-sex/closeness".to_owned(),
        ),
        ("profile-language", "/profile/language/after-sex".to_owned()),
        ("custom-items", "/profile/custom-items".to_owned()),
        ("boundaries", "/profile/boundaries".to_owned()),
        ("circles", "/circles".to_owned()),
        ("circle", format!("/circles/{id}")),
        ("invite", format!("/invites/{invite}")),
        ("common-ground", format!("/circles/{id}/common-ground")),
        ("routine", format!("/circles/{id}/routine")),
        ("routine-edit", format!("/circles/{id}/routine/edit")),
        (
            "routine-compare",
            format!("/circles/{id}/routine/compare?from=1&to=2"),
        ),
        ("review", format!("/circles/{id}/routine/reviews/{rid}")),
        ("session-plan", format!("/sessions/{plan}")),
        ("aftercare", format!("/sessions/{care}")),
        ("session-live", format!("/sessions/{live}")),
        ("session-stopped", format!("/sessions/{stopped}")),
        ("reflection", format!("/sessions/{closed}/reflection")),
        ("breathe", "/breathe".to_owned()),
        ("follow-ups", "/follow-ups".to_owned()),
        ("notifications", "/notifications".to_owned()),
        ("insights", "/insights".to_owned()),
        ("support", "/support".to_owned()),
        ("privacy", "/privacy".to_owned()),
    ]
    .into_iter()
    .map(|(name, path)| (name.to_owned(), path))
    .collect();
    (pages, ash_http)
}

/// Sets the theme cookie as the toggle would (`light` or `dark`).
async fn use_theme(browser: &Browser, theme: &str) {
    browser
        .client
        .execute(
            &format!("document.cookie = 'tend_theme={theme}; path=/; SameSite=Lax';"),
            vec![],
        )
        .await
        .unwrap();
}

/// The page's axe violations, one line each: rule, impact, and up to three places.
async fn axe(browser: &Browser, source: &str) -> Vec<String> {
    browser.client.execute(source, vec![]).await.unwrap();
    let script = format!(
        "const done = arguments[arguments.length - 1];
         axe.run(document, {{ runOnly: {{ type: 'tag', values: {tags} }} }})
            .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
            .catch(e => done(['axe failed: ' + e]));",
        tags = serde_json::to_string(&AXE_TAGS).unwrap()
    );
    let found = browser.client.execute_async(&script, vec![]).await.unwrap();
    serde_json::from_value(found).unwrap()
}

/// What does not fit: sideways scrolling, and tap targets under 44 × 44 px (links within a
/// sentence are exempt, as in WCAG 2.5.8; a checkbox or radio counts with its label).
async fn layout(browser: &Browser) -> Vec<String> {
    let found = browser
        .client
        .execute(
            "const problems = [];
             const overflow = document.documentElement.scrollWidth -
                 document.documentElement.clientWidth;
             if (overflow > 0) problems.push('scrolls sideways by ' + overflow + ' px');
             const inSentence = el => el.tagName === 'A' &&
                 el.closest('p, li, dd, td, .hint') &&
                 !el.classList.contains('button') && el.closest('nav') === null;
             for (const el of document.querySelectorAll(
                 'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
               if (el.closest('[hidden]') || el.getClientRects().length === 0) continue;
               if (inSentence(el)) continue;
               const target = (el.type === 'checkbox' || el.type === 'radio')
                   ? (el.closest('label') || el) : el;
               const box = target.getBoundingClientRect();
               if (box.width === 0 && box.height === 0) continue;
               if (box.width < 44 || box.height < 44) {
                 const name = (el.textContent || el.name || el.value || '').trim().slice(0, 30);
                 problems.push('small target ' + Math.round(box.width) + 'x' +
                     Math.round(box.height) + ': ' + el.tagName.toLowerCase() +
                     (el.className ? '.' + String(el.className).split(' ')[0] : '') +
                     ' \"' + name + '\"');
               }
             }
             return problems;",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Controls that pressing Tab never reaches (a radio group counts as reached when any of its
/// buttons is, as arrow keys move within it).
async fn out_of_keyboard_reach(browser: &Browser) -> Vec<String> {
    let count = browser
        .client
        .execute(
            "let n = 0;
             for (const el of document.querySelectorAll(
                 'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
               if (el.closest('[hidden]') || el.getClientRects().length === 0 || el.disabled)
                 continue;
               // Inside a closed <details>: reached by opening its summary, which counts.
               const details = el.closest('details');
               if (details && !details.open && el.tagName !== 'SUMMARY') continue;
               el.dataset.k = el.type === 'radio' ? 'radio:' + el.name : String(n++);
             }
             document.activeElement && document.activeElement.blur();
             return document.querySelectorAll('[data-k]').length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    let mut reached = std::collections::BTreeSet::new();
    for _ in 0..count + 3 {
        browser
            .client
            .perform_actions(crate::browser::press(fantoccini::key::Key::Tab, 1))
            .await
            .unwrap();
        let at = browser
            .client
            .execute(
                "const a = document.activeElement; return a ? (a.dataset.k || null) : null;",
                vec![],
            )
            .await
            .unwrap();
        if let Some(k) = at.as_str() {
            reached.insert(k.to_owned());
        }
    }
    let all = browser
        .client
        .execute(
            "return [...document.querySelectorAll('[data-k]')].map(e => [e.dataset.k,
                 e.tagName.toLowerCase() + ' ' +
                 (e.textContent || e.name || e.value || '').trim().slice(0, 30)]);",
            vec![],
        )
        .await
        .unwrap();
    let all: Vec<(String, String)> = serde_json::from_value(all).unwrap();
    let mut missed: Vec<String> = all
        .into_iter()
        .filter(|(k, _)| !reached.contains(k))
        .map(|(k, what)| format!("Tab never reaches {what} ({k})"))
        .collect();
    missed.dedup();
    missed
}

/// The main pages, whose screenshots the README shows.
const SHOWN: [&str; 12] = [
    "visitor-signup",
    "home",
    "profile-step",
    "circle",
    "common-ground",
    "routine",
    "session-plan",
    "aftercare",
    "reflection",
    "follow-ups",
    "notifications",
    "insights",
];

/// Where screenshots go: `TEND_SCREENSHOT_DIR` (e.g. `docs/screenshots`), if set.
fn screenshot_dir() -> Option<PathBuf> {
    std::env::var_os("TEND_SCREENSHOT_DIR").map(PathBuf::from)
}

#[tokio::test]
async fn every_page_passes_axe_fits_phone_and_desktop_and_has_large_targets() {
    let Some(phone) = Browser::start().await else {
        return;
    };
    let desktop = Browser::start_sized(1280, 800).await.unwrap();
    let source = axe_source();
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let (pages, _) = lived_in(&app).await;
    // The checks can fail: an image without a text alternative and a tiny button on a page
    // of ours are found.
    phone.client.goto(&app.url("/support")).await.unwrap();
    phone
        .client
        .execute(
            "const img = document.createElement('img'); img.src = '/static/none.png';
             document.querySelector('main').append(img);
             const b = document.createElement('button'); b.textContent = 'x';
             b.style.padding = '0'; b.style.minHeight = '0'; b.style.minWidth = '0';
             b.style.fontSize = '8px'; document.querySelector('main').append(b);",
            vec![],
        )
        .await
        .unwrap();
    let planted = axe(&phone, &source).await;
    assert!(
        planted.iter().any(|v| v.starts_with("image-alt")),
        "{planted:?}"
    );
    let planted = layout(&phone).await;
    assert!(
        planted.iter().any(|p| p.contains("small target")),
        "{planted:?}"
    );
    let mut problems = Vec::new();
    for (browser, size) in [(&phone, "phone"), (&desktop, "desktop")] {
        for (signed_in, paths) in [
            (
                false,
                VISITOR_PAGES
                    .iter()
                    .map(|p| (format!("visitor{}", p.replace('/', "-")), (*p).to_owned()))
                    .collect::<Vec<_>>(),
            ),
            (true, pages.clone()),
        ] {
            if signed_in {
                browser.sign_in(&app, "ashley").await;
            }
            for theme in ["light", "dark"] {
                browser.client.goto(&app.url("/")).await.unwrap();
                use_theme(browser, theme).await;
                for (name, path) in &paths {
                    browser.client.goto(&app.url(path)).await.unwrap();
                    let place = format!("{path} ({size}, {theme})");
                    // Contrast and names do not change with the width: axe once per theme.
                    if size == "phone" {
                        for violation in axe(browser, &source).await {
                            problems.push(format!("{place}: {violation}"));
                        }
                        if let Some(dir) =
                            screenshot_dir().filter(|_| SHOWN.contains(&name.as_str()))
                        {
                            let png = browser.client.screenshot().await.unwrap();
                            std::fs::create_dir_all(&dir).unwrap();
                            std::fs::write(dir.join(format!("{name}-{theme}.png")), png).unwrap();
                        }
                    }
                    let theme_shown = browser
                        .client
                        .execute("return document.documentElement.dataset.theme;", vec![])
                        .await
                        .unwrap();
                    // (The Quick exit page is neutral on purpose: no theme, nothing of Tend.)
                    if path != "/exit" {
                        assert_eq!(theme_shown, theme, "{place}");
                    }
                    for problem in layout(browser).await {
                        problems.push(format!("{place}: {problem}"));
                    }
                    if size == "phone" && theme == "light" {
                        for problem in out_of_keyboard_reach(browser).await {
                            problems.push(format!("{place}: {problem}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test]
async fn every_page_is_valid_html() {
    if std::env::var_os("TEND_TEST_BROWSER").is_none_or(|v| v.is_empty()) {
        tend_store::testing::say_skipped("HTML checks skipped; set TEND_TEST_BROWSER=1");
        return;
    }
    let checker = frontend().join("vnu-jar/build/dist/vnu.jar");
    assert!(
        checker.exists(),
        "{} (run `npm ci` in crates/tend-web/tests/frontend)",
        checker.display()
    );
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let (pages, ash) = lived_in(&app).await;
    let visitor = TestApp::browser();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let visits = VISITOR_PAGES
        .iter()
        .map(|p| {
            (
                &visitor,
                format!("visitor{}", p.replace('/', "-")),
                (*p).to_owned(),
            )
        })
        .chain(pages.into_iter().map(|(name, path)| (&ash, name, path)));
    for (client, name, path) in visits {
        let html = app.get_with(client, &path).await.text().await.unwrap();
        assert!(html.starts_with("<!doctype html>"), "{path}: {html}");
        let file = dir.path().join(format!("{name}.html"));
        std::fs::write(&file, html).unwrap();
        files.push(file);
    }
    // The checker can fail: a page with a stray end tag is reported.
    let broken = dir.path().join("planted.html");
    std::fs::write(
        &broken,
        "<!doctype html><html lang=en><title>x</title></div></html>",
    )
    .unwrap();
    let run = |files: &[PathBuf]| {
        let output = std::process::Command::new("java")
            .arg("-jar")
            .arg(&checker)
            .args(["--errors-only", "--format", "gnu", "--exit-zero-always"])
            .args(files)
            .output()
            .expect("java (apt-get install default-jre-headless)");
        String::from_utf8_lossy(&output.stderr).into_owned()
            + &String::from_utf8_lossy(&output.stdout)
    };
    assert!(run(std::slice::from_ref(&broken)).contains("error"));
    let errors = run(&files);
    assert!(errors.trim().is_empty(), "HTML errors:\n{errors}");
}

#[tokio::test]
async fn the_breathing_circle_moves_unless_reduced_motion_is_asked_for() {
    let Some(moving) = Browser::start().await else {
        return;
    };
    let still = Browser::start_with(360, 740, &["--force-prefers-reduced-motion"])
        .await
        .unwrap();
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let animation =
        "return getComputedStyle(document.querySelector('.breathe-circle')).animationName;";
    let mut seen = Vec::new();
    for browser in [&moving, &still] {
        // Usable alone, without an account.
        browser.client.goto(&app.url("/breathe")).await.unwrap();
        let name = browser.client.execute(animation, vec![]).await.unwrap();
        seen.push(name.as_str().unwrap().to_owned());
    }
    assert_ne!(seen[0], "none", "the circle breathes");
    assert_eq!(seen[1], "none", "and stands still under reduced motion");
}
