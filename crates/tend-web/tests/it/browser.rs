//! In Debian's Chromium, driven through chromedriver: what only a real browser can show —
//! Quick exit leaving for good, Shift pressed three times, a newcomer's first visit.
//! Runs when `TEND_TEST_BROWSER` is set (`.ci/run` sets it).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

/// A headless Chromium with a fresh profile, closed when dropped.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    async fn start() -> Option<Browser> {
        if std::env::var_os("TEND_TEST_BROWSER").is_none_or(|v| v.is_empty()) {
            tend_store::testing::say_skipped(
                "browser tests skipped; set TEND_TEST_BROWSER=1 to run them in Chromium",
            );
            return None;
        }
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                // A phone-sized screen: headless windows cannot be narrower than 500 px.
                "mobileEmulation": {
                    "deviceMetrics": { "width": 360, "height": 740, "pixelRatio": 1, "touch": false }
                },
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=360,740",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..50 {
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver,
                        _profile: profile,
                    });
                }
                Err(error) => {
                    last_error = Some(error);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("could not start Chromium: {last_error:?}");
    }

    /// Waits (up to 5 s) until the page's path is `path`.
    async fn wait_for_path(&self, path: &str) -> String {
        for _ in 0..50 {
            let url = self.client.current_url().await.unwrap();
            if url.path() == path {
                return url.to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "expected {path}, still at {}:\n{}",
            self.client.current_url().await.unwrap(),
            self.client.source().await.unwrap_or_default()
        );
    }

    /// Signs up `username` through the form, as a newcomer would.
    async fn sign_up(&self, app: &TestApp, username: &str) {
        self.client.goto(&app.url("/signup")).await.unwrap();
        self.fill("username", username).await;
        self.fill("password", PASSWORD).await;
        self.click(Locator::Id("adult")).await;
        self.click(Locator::Css("main button[type=submit]")).await;
        self.client
            .wait()
            .for_element(Locator::Css("ol.recovery-codes"))
            .await
            .unwrap();
    }

    async fn click(&self, locator: Locator<'_>) {
        self.client
            .find(locator)
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn fill(&self, name: &str, value: &str) {
        let field = self.client.find(Locator::Id(name)).await.unwrap();
        field.send_keys(value).await.unwrap();
    }
}

/// `key` pressed and released `times` times.
fn press(key: Key, times: usize) -> KeyActions {
    let mut keys = KeyActions::new("keyboard".to_owned());
    for _ in 0..times {
        keys = keys
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
    }
    keys
}

const NEUTRAL: &str = "data:text/html,<title>neutral</title><p>somewhere else</p>";

#[tokio::test]
async fn a_newcomer_signs_up_sees_recovery_codes_signs_out_and_in() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    for app in TestApp::each_backend().await {
        let client = &browser.client;
        client.goto(&app.url("/")).await.unwrap();
        browser.click(Locator::LinkText("Create an account")).await;
        browser.wait_for_path("/signup").await;
        browser.fill("username", "newcomer").await;
        browser.fill("password", PASSWORD).await;
        browser.fill("display_name", "Robin").await;
        browser.click(Locator::Id("adult")).await;
        browser
            .click(Locator::Css("main button[type=submit]"))
            .await;
        client
            .wait()
            .for_element(Locator::Css("ol.recovery-codes"))
            .await
            .unwrap();
        let codes = client
            .find_all(Locator::Css("ol.recovery-codes code"))
            .await
            .unwrap();
        assert_eq!(codes.len(), 10);
        browser
            .click(Locator::LinkText("I have saved my codes"))
            .await;
        let heading = client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(heading, "Welcome, Robin");

        client.goto(&app.url("/account")).await.unwrap();
        browser
            .click(Locator::XPath("//button[normalize-space()='Sign out']"))
            .await;
        browser.wait_for_path("/signin").await;
        browser.fill("username", "newcomer").await;
        browser.fill("password", PASSWORD).await;
        browser
            .click(Locator::Css("main button[type=submit]"))
            .await;
        browser.wait_for_path("/").await;
        let heading = client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(heading, "Welcome, Robin");

        // Lock now, from the header.
        browser
            .click(Locator::XPath("//button[normalize-space()='Lock now']"))
            .await;
        browser.wait_for_path("/signin").await;
        client.goto(&app.url("/account")).await.unwrap();
        browser.wait_for_path("/signin").await;
    }
}

#[tokio::test]
async fn quick_exit_leaves_and_back_does_not_return() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let client = &browser.client;
    client.goto(NEUTRAL).await.unwrap();
    client.goto(&app.url("/support")).await.unwrap();
    // The first Tab from the top of the page reaches Quick exit.
    client.perform_actions(press(Key::Tab, 1)).await.unwrap();
    let focused = client.active_element().await.unwrap();
    assert_eq!(focused.text().await.unwrap(), "Quick exit");
    focused.click().await.unwrap();
    browser.wait_for_path("/exit").await;
    assert_eq!(client.title().await.unwrap(), "New tab");
    client.back().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let url = client.current_url().await.unwrap();
    assert_eq!(url.scheme(), "data", "Back returned to {url}");
}

#[tokio::test]
async fn pressing_shift_three_times_leaves_too() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let client = &browser.client;
    client.goto(NEUTRAL).await.unwrap();
    client.goto(&app.url("/privacy")).await.unwrap();
    // Two presses are not enough; they are announced to screen readers.
    let shift = |times| press(Key::Shift, times);
    client.perform_actions(shift(2)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(client.current_url().await.unwrap().path(), "/privacy");
    let status = client
        .find(Locator::Id("quick-exit-status"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(status.contains("1 more time"), "{status}");
    client.perform_actions(shift(1)).await.unwrap();
    browser.wait_for_path("/exit").await;
    client.back().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.current_url().await.unwrap().scheme(), "data");
}

#[tokio::test]
async fn the_theme_toggle_works_and_pages_fit_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let client = &browser.client;
    client.goto(&app.url("/support")).await.unwrap();
    browser
        .click(Locator::XPath("//button[normalize-space()='Dark theme']"))
        .await;
    browser.wait_for_path("/support").await;
    let theme = client
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("data-theme")
        .await
        .unwrap();
    assert_eq!(theme.as_deref(), Some("dark"));
    // The page fits a phone: nothing scrolls sideways.
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow.as_i64(), Some(0), "horizontal scrolling at 360 px");
}

/// Saves a screenshot when `TEND_SCREENSHOT_DIR` names a folder (for looking, not asserting).
async fn maybe_screenshot(browser: &Browser, name: &str) {
    if let Some(dir) = std::env::var_os("TEND_SCREENSHOT_DIR") {
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

async fn assert_fits_a_phone(browser: &Browser) {
    let overflow = browser
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "horizontal scrolling at 360 px on {url}"
    );
}

#[tokio::test]
async fn a_new_member_completes_the_guided_profile_on_a_phone_and_records_boundaries() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let client = &browser.client;
    browser.sign_up(&app, "robin").await;

    client.goto(&app.url("/profile")).await.unwrap();
    maybe_screenshot(&browser, "profile-overview").await;
    browser
        .click(Locator::Css(
            "a[href='/profile/answers/after-sex/closeness']",
        ))
        .await;
    browser
        .wait_for_path("/profile/answers/after-sex/closeness")
        .await;
    browser
        .click(Locator::Css("input[name='receive:cuddling'][value='love']"))
        .await;
    browser
        .click(Locator::Css("input[name='give:cuddling'][value='glad']"))
        .await;
    browser
        .click(Locator::Css(
            "input[name='shared:lying-together-quietly'][value='like']",
        ))
        .await;
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "profile-step").await;
    let steps = [
        "words",
        "comfort-and-care",
        "calm",
        "space",
        "follow-up",
        "your-own",
    ];
    for next in steps {
        browser.click(Locator::Css("button[value='next']")).await;
        browser
            .wait_for_path(&format!("/profile/answers/after-sex/{next}"))
            .await;
        assert_fits_a_phone(&browser).await;
    }
    browser.click(Locator::Css("button[value='next']")).await;
    browser.wait_for_path("/profile/language/after-sex").await;
    let lead = client
        .find(Locator::Css("p.lead"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(lead, "Closeness matters most to you after sex.");
    let chart = client.find(Locator::Css("svg.bar-chart")).await.unwrap();
    assert!(chart.is_displayed().await.unwrap());
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "profile-language").await;

    client.goto(&app.url("/profile/boundaries")).await.unwrap();
    browser
        .fill("new-hard-limit", "Surprises in the dark")
        .await;
    browser
        .click(Locator::XPath(
            "//section[@id='kind-hard-limit']//button[starts-with(normalize-space(), 'Add')]",
        ))
        .await;
    client
        .wait()
        .for_element(Locator::Css("#kind-hard-limit .entry textarea"))
        .await
        .unwrap();
    let saved = client
        .find(Locator::Css("#kind-hard-limit .entry textarea"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(saved.as_deref(), Some("Surprises in the dark"));
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "boundaries").await;
}

#[tokio::test]
async fn common_ground_reads_well_on_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    // Two partners set up over HTTP; the first one looks in the browser.
    let partner = TestApp::browser();
    app.sign_up_with(&partner, "partner-with-a-long-name").await;
    let client = &browser.client;
    browser.sign_up(&app, "robin").await;
    client.goto(&app.url("/circles")).await.unwrap();
    browser.fill("name", "Robin and partner").await;
    browser
        .click(Locator::Css("main button[type=submit]"))
        .await;
    client
        .wait()
        .for_element(Locator::Css("ul.members"))
        .await
        .unwrap();
    let circle_url = client.current_url().await.unwrap();
    browser
        .click(Locator::XPath(
            "//button[normalize-space()='Make an invite link']",
        ))
        .await;
    let link = client
        .wait()
        .for_element(Locator::Css("code.invite-link"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let path = &link[link.find("/invites/").unwrap()..];
    app.submit_with(&partner, path, path, &[]).await;
    for (browser_answers, fields) in [(
        &partner,
        vec![
            ("give:cuddling", "glad"),
            ("receive:massage", "love"),
            ("shared:kissing", "like"),
        ],
    )] {
        let step = "/profile/answers/after-sex/closeness";
        let mut fields = fields.clone();
        fields.push(("go", "stay"));
        app.submit_with(browser_answers, step, step, &fields).await;
    }
    let circle_path = circle_url.path().to_owned();
    app.submit_with(&partner, &circle_path, &format!("{circle_path}/lock"), &[])
        .await;

    client
        .goto(&app.url("/profile/answers/after-sex/closeness"))
        .await
        .unwrap();
    browser
        .click(Locator::Css("input[name='receive:cuddling'][value='love']"))
        .await;
    browser
        .click(Locator::Css("input[name='give:massage'][value='glad']"))
        .await;
    browser
        .click(Locator::Css("input[name='shared:kissing'][value='love']"))
        .await;
    browser.click(Locator::Css("button[value='stay']")).await;
    client
        .wait()
        .for_element(Locator::Css(".notice"))
        .await
        .unwrap();
    client.goto(circle_url.as_str()).await.unwrap();
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "circle").await;
    browser
        .click(Locator::XPath(
            "//button[normalize-space()='Lock my answers']",
        ))
        .await;
    client
        .wait()
        .for_element(Locator::Css(".notice"))
        .await
        .unwrap();
    browser.click(Locator::LinkText("See common ground")).await;
    browser
        .wait_for_path(&format!("{circle_path}/common-ground"))
        .await;
    let text = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("is glad to offer: Cuddling or spooning"),
        "{text}"
    );
    assert!(text.contains("would love Massage"), "{text}");
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "common-ground").await;
}
