//! In Debian's Chromium, driven through chromedriver: what only a real browser can show —
//! Quick exit leaving for good and signing out (with and without JavaScript), Shift pressed
//! three times, a newcomer's first visit.
//! Runs when `TEND_TEST_BROWSER` is set (`.ci/run` sets it).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

/// A headless Chromium with a fresh profile, closed when dropped.
pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Killing chromedriver leaves its Chromium running; this one's processes are the
        // ones started with this test's own profile folder.
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            .arg(self._profile.path())
            .status();
    }
}

impl Browser {
    /// A phone: 360 × 740.
    pub(crate) async fn start() -> Option<Browser> {
        Self::start_sized(360, 740).await
    }

    /// A screen of `width` × `height`; below 500 px wide (which a headless window cannot
    /// be) as an emulated phone.
    pub(crate) async fn start_sized(width: u32, height: u32) -> Option<Browser> {
        Self::start_with(width, height, &[]).await
    }

    /// `start_sized`, with more Chromium switches.
    pub(crate) async fn start_with(width: u32, height: u32, switches: &[&str]) -> Option<Browser> {
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
        let mut capabilities = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        if let Some(args) = capabilities["goog:chromeOptions"]["args"].as_array_mut() {
            args.extend(switches.iter().map(|s| json!(s)));
        }
        if width < 500 {
            // A phone-sized screen: headless windows cannot be narrower than 500 px.
            capabilities["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1, "touch": false }
            });
        }
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
    pub(crate) async fn wait_for_path(&self, path: &str) -> String {
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
    pub(crate) async fn sign_up(&self, app: &TestApp, username: &str) {
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

    /// Signs `username` in through the form.
    pub(crate) async fn sign_in(&self, app: &TestApp, username: &str) {
        self.client.goto(&app.url("/signin")).await.unwrap();
        self.fill("username", username).await;
        self.fill("password", PASSWORD).await;
        self.click(Locator::Css("main button[type=submit]")).await;
        self.wait_for_path("/").await;
    }

    /// Waits (up to 5 s) until the JavaScript expression `condition` is true on the page.
    pub(crate) async fn until(&self, condition: &str) {
        let script = format!("return Boolean({condition});");
        for _ in 0..50 {
            let holds = self.client.execute(&script, vec![]).await;
            if holds.is_ok_and(|value| value.as_bool() == Some(true)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "still not {condition} at {}:\n{}",
            self.client.current_url().await.unwrap(),
            self.client.source().await.unwrap_or_default()
        );
    }

    /// Clicks what submits a form and waits for the next page to load.
    pub(crate) async fn submit(&self, locator: Locator<'_>) {
        self.client
            .execute("window.tendPageBefore = true;", vec![])
            .await
            .unwrap();
        self.click(locator).await;
        self.until("window.tendPageBefore === undefined && document.readyState === 'complete'")
            .await;
    }

    /// The texts of the elements `selector` matches, trimmed.
    pub(crate) async fn texts(&self, selector: &str) -> Vec<String> {
        let script = format!(
            "return Array.from(document.querySelectorAll({selector:?})).map(e => e.textContent.trim());"
        );
        let found = self.client.execute(&script, vec![]).await.unwrap();
        serde_json::from_value(found).unwrap()
    }

    /// Clicks the element, first scrolled to the middle of the screen (the Quick exit
    /// button stays at the top and would take a click meant for what is under it).
    pub(crate) async fn click(&self, locator: Locator<'_>) {
        let element = self.client.find(locator).await.unwrap();
        let argument = serde_json::to_value(&element).unwrap();
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![argument],
            )
            .await
            .unwrap();
        element.click().await.unwrap();
    }

    pub(crate) async fn fill(&self, name: &str, value: &str) {
        let field = self.client.find(Locator::Id(name)).await.unwrap();
        field.send_keys(value).await.unwrap();
    }
}

/// `key` pressed and released `times` times.
pub(crate) fn press(key: Key, times: usize) -> KeyActions {
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

/// The names of the cookies the browser holds for Tend.
async fn cookie_names(browser: &Browser) -> Vec<String> {
    let mut names: Vec<String> = browser
        .client
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    names.sort();
    names
}

/// Whether the sign-in whose session cookie was `session` still opens a member page.
async fn still_opens(app: &TestApp, session: &str) -> bool {
    let response = TestApp::browser()
        .get(app.url("/account"))
        .header("cookie", format!("tend_session={session}"))
        .send()
        .await
        .unwrap();
    response.status() == reqwest::StatusCode::OK
}

#[tokio::test]
async fn a_member_who_quick_exits_is_signed_out_and_back_shows_the_sign_in_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    for app in TestApp::each_backend().await {
        app.sign_up("sam").await;
        let client = &browser.client;
        client.goto(NEUTRAL).await.unwrap();
        browser.sign_in(&app, "sam").await;
        client.goto(&app.url("/account")).await.unwrap();
        client.goto(&app.url("/follow-ups")).await.unwrap();
        browser
            .until("document.querySelector(\"form[action='/lock']\")")
            .await;
        let session = client
            .get_named_cookie("tend_session")
            .await
            .unwrap()
            .value()
            .to_owned();
        assert!(still_opens(&app, &session).await);

        browser.click(Locator::Css("[data-quick-exit]")).await;
        browser.wait_for_path("/exit").await;
        assert_eq!(client.title().await.unwrap(), "New tab");
        // Back: the page before was a member's (/account); it shows the sign-in page.
        client.back().await.unwrap();
        browser.wait_for_path("/signin").await;
        assert!(
            browser.texts("form[action='/lock']").await.is_empty(),
            "not a member page"
        );
        for _ in 0..50 {
            if !still_opens(&app, &session).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            !still_opens(&app, &session).await,
            "signed out on the server"
        );
        let left = cookie_names(&browser).await;
        assert!(!left.contains(&"tend_session".to_owned()), "{left:?}");
        // On the sign-in page tend.js says the browser's time zone again.
        browser
            .until("document.cookie.indexOf('tend_tz=') >= 0")
            .await;
    }
}

#[tokio::test]
async fn without_javascript_quick_exit_signs_out_too_and_back_shows_the_sign_in_page() {
    let Some(browser) =
        Browser::start_with(360, 740, &["--blink-settings=scriptEnabled=false"]).await
    else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    app.sign_up("sam").await;
    let client = &browser.client;
    client.goto(NEUTRAL).await.unwrap();
    client.goto(&app.url("/signin")).await.unwrap();
    browser.fill("username", "sam").await;
    // Enter in the password field sends the form (no script needed to click for us).
    browser
        .fill("password", &format!("{PASSWORD}\u{E007}"))
        .await;
    browser.wait_for_path("/").await;
    client.goto(&app.url("/follow-ups")).await.unwrap();
    let session = client
        .get_named_cookie("tend_session")
        .await
        .unwrap()
        .value()
        .to_owned();
    assert!(still_opens(&app, &session).await);
    assert!(
        !cookie_names(&browser).await.contains(&"tend_tz".to_owned()),
        "no script ran"
    );
    client
        .find(Locator::Css("[data-quick-exit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_path("/exit").await;
    assert!(
        !still_opens(&app, &session).await,
        "signed out on the server"
    );
    client.back().await.unwrap();
    browser.wait_for_path("/signin").await;
    assert!(
        !cookie_names(&browser)
            .await
            .contains(&"tend_session".to_owned())
    );
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

pub(crate) async fn assert_fits_a_phone(browser: &Browser) {
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
    assert!(text.contains("offers: Cuddling or spooning"), "{text}");
    assert!(text.contains("would love Massage"), "{text}");
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "common-ground").await;
}

#[tokio::test]
async fn two_partners_shape_their_routine_in_chromium_dragging_steps_into_order() {
    let (Some(ash), Some(bo)) = (Browser::start().await, Browser::start().await) else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    // A couple whose common ground holds cuddling, set up over HTTP; then each partner
    // signs in to their own Chromium.
    let (_, _, id) = crate::routine_pages::couple(&app).await;
    ash.sign_in(&app, "ashley").await;
    bo.sign_in(&app, "bowie").await;
    let routine = app.url(&format!("/circles/{id}/routine"));

    // Ash builds the routine from common ground and drags the free step to the top.
    ash.client.goto(&format!("{routine}/edit")).await.unwrap();
    ash.submit(Locator::Css("button[value='add-item-cuddling']"))
        .await;
    ash.fill("new-text", "Tea in bed").await;
    ash.submit(Locator::Css("button[value='add-text']")).await;
    assert_eq!(ash.texts("fieldset[data-step]").await.len(), 2);
    ash.until("!document.querySelector('[data-drag-handle]').hidden")
        .await;
    assert_fits_a_phone(&ash).await;
    drag_second_step_onto_first(&ash).await;
    ash.until("document.querySelector('[name=step-0-text]')?.value === 'Tea in bed'")
        .await;
    assert_eq!(ash.texts("[data-step-number]").await, ["1", "2"]);
    assert_eq!(
        ash.texts("#steps-status").await,
        ["Moved to place 1."],
        "the move is announced"
    );
    maybe_screenshot(&ash, "routine-edit").await;
    ash.submit(Locator::Css("button[value='propose']")).await;

    // Bo accepts; version 1 is in the dragged order.
    bo.client.goto(&routine).await.unwrap();
    bo.submit(Locator::Css("form[action$='/accept'] button"))
        .await;
    assert_eq!(
        bo.texts("ol.steps li").await,
        ["Tea in bed", "Cuddling or spooning"]
    );

    // Bo proposes a change with the up and down buttons and a duration; Ash accepts.
    bo.client.goto(&format!("{routine}/edit")).await.unwrap();
    bo.submit(Locator::Css("button[value='down-0']")).await;
    bo.fill("step-0-minutes", "20").await;
    let stop = bo.client.find(Locator::Id("stop")).await.unwrap();
    stop.clear().await.unwrap();
    stop.send_keys("pineapple").await.unwrap();
    bo.submit(Locator::Css("button[value='propose']")).await;
    // Before saying yes, Ash reads the whole routine it would make, the changes in words.
    ash.client.goto(&routine).await.unwrap();
    assert_eq!(
        ash.texts("section.proposal .change").await,
        [
            "Changed (was: Cuddling or spooning)",
            "Moved (was step 1)",
            "Changed: red → pineapple"
        ]
    );
    assert_fits_a_phone(&ash).await;
    ash.client
        .execute(
            "document.querySelector('section.proposal').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    maybe_screenshot(&ash, "routine-proposal").await;
    ash.submit(Locator::Css("form[action$='/accept'] button"))
        .await;
    assert_eq!(
        ash.texts("ol.steps li").await,
        ["Cuddling or spooning · 20 minutes", "Tea in bed"]
    );

    // Both compare version 1 with version 2 from the list of versions.
    for partner in [&ash, &bo] {
        partner.client.goto(&routine).await.unwrap();
        partner
            .submit(Locator::Css("a[href$='compare?from=1&to=2']"))
            .await;
        assert_eq!(
            partner.texts("main > ul > li").await,
            [
                "Cuddling or spooning → Cuddling or spooning · 20 minutes",
                "Word to stop: red → pineapple"
            ]
        );
        assert!(
            partner
                .texts("main > p")
                .await
                .contains(&"Some steps now come in a different order.".to_owned())
        );
        assert_eq!(
            partner.texts(".side-by-side li").await,
            [
                "Tea in bed",
                "Cuddling or spooning",
                "Cuddling or spooning · 20 minutes",
                "Tea in bed"
            ]
        );
        assert_fits_a_phone(partner).await;
    }

    // A review round: each rates the steps in their own browser; the outcome is a proposal.
    ash.client.goto(&routine).await.unwrap();
    ash.submit(Locator::Css("form[action$='/reviews'] button"))
        .await;
    let review = ash.client.current_url().await.unwrap().to_string();
    for partner in [&ash, &bo] {
        partner.client.goto(&review).await.unwrap();
        let radios = partner
            .client
            .find_all(Locator::Css("fieldset.rating"))
            .await
            .unwrap();
        assert_eq!(radios.len(), 2);
        partner
            .click(Locator::Css(
                "fieldset.rating:nth-of-type(1) input[value='keep']",
            ))
            .await;
        partner
            .click(Locator::Css(
                "fieldset.rating:nth-of-type(2) input[value='drop']",
            ))
            .await;
        partner
            .submit(Locator::Css("main form button[type=submit]"))
            .await;
    }
    assert_eq!(
        bo.texts(".notice").await,
        ["Everyone has answered. The outcome is now a proposal on the routine page."]
    );
    ash.client.goto(&routine).await.unwrap();
    assert_eq!(
        ash.texts("section.card ol li").await,
        ["Cuddling or spooning · 20 minutes"],
        "both would drop the tea: the proposal leaves it out"
    );

    // Ash's insights, from generated reflections, read well on a phone.
    let ash_id = app
        .store
        .credentials("ashley")
        .await
        .unwrap()
        .unwrap()
        .member_id;
    for (day, mood, drop) in [(1, 5, false), (2, 2, true), (4, 4, false)] {
        let reflection = tend_core::insights::Reflection {
            session_at: tend_core::Timestamp::from_unix_seconds(1_790_000_000 + day * 86_400),
            moment: tend_core::insights::Moment::AfterSession,
            mood: tend_core::insights::Mood::new(mood),
            drop,
            steps_done: ["cuddling".to_owned()].into(),
            notes: Default::default(),
        };
        app.store
            .add_reflection(ash_id, &reflection, tend_web::now())
            .await
            .unwrap();
    }
    ash.client.goto(&app.url("/insights")).await.unwrap();
    assert_eq!(ash.texts("svg[role=img] > title").await.len(), 2);
    assert_fits_a_phone(&ash).await;
    ash.client
        .execute(
            "document.querySelector('svg.line-chart').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    maybe_screenshot(&ash, "insights").await;
}

/// Drags the second step of the routine editor by its handle onto the first, the way a
/// mouse or a finger would (SortableJS listens to pointer events).
async fn drag_second_step_onto_first(browser: &Browser) {
    let point = |value: &serde_json::Value| {
        (
            value[0].as_f64().unwrap().round(),
            value[1].as_f64().unwrap().round(),
        )
    };
    // The handle near the bottom of the screen, so the first step shows above it.
    let start = browser
        .client
        .execute(
            "const h = document.querySelectorAll('[data-drag-handle]')[1];
             h.scrollIntoView({block: 'end'}); window.scrollBy(0, 40);
             const r = h.getBoundingClientRect();
             return [r.left + r.width / 2, r.top + r.height / 2];",
            vec![],
        )
        .await
        .unwrap();
    let target = browser
        .client
        .execute(
            "const r = document.querySelector('fieldset[data-step]').getBoundingClientRect();
             const top = Math.max(r.top, 0);
             return [r.left + r.width / 2, top + (r.bottom - top) / 4];",
            vec![],
        )
        .await
        .unwrap();
    let (start, target) = (point(&start), point(&target));
    let step = Duration::from_millis(50);
    let mut mouse = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveTo {
            duration: None,
            x: start.0,
            y: start.1,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause { duration: step });
    for i in 1..=10 {
        let f = f64::from(i) / 10.0;
        mouse = mouse.then(PointerAction::MoveTo {
            duration: Some(step),
            x: (start.0 + (target.0 - start.0) * f).round(),
            y: (start.1 + (target.1 - start.1) * f).round(),
        });
    }
    mouse = mouse
        .then(PointerAction::Pause { duration: step })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(mouse).await.unwrap();
}

#[tokio::test]
async fn aftercare_now_reads_well_on_a_phone_from_circle_to_reflection() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let (_, _, id) = crate::routine_pages::couple(&app).await;
    browser.sign_in(&app, "ashley").await;
    let client = &browser.client;
    client
        .goto(&app.url(&format!("/circles/{id}")))
        .await
        .unwrap();
    assert_fits_a_phone(&browser).await;
    browser
        .submit(Locator::Css("button[name='start'][value='aftercare']"))
        .await;
    assert_eq!(browser.texts(".session-state").await, ["Aftercare."]);
    assert_fits_a_phone(&browser).await;
    maybe_screenshot(&browser, "aftercare").await;
    browser.submit(Locator::LinkText("Breathe together")).await;
    assert_fits_a_phone(&browser).await;
    client.back().await.unwrap();
    browser
        .submit(Locator::XPath(
            "//button[normalize-space()='My aftercare is done']",
        ))
        .await;
    browser
        .click(Locator::Css("input[name='mood'][value='4']"))
        .await;
    browser
        .click(Locator::Css("input[name='feeling'][value='close']"))
        .await;
    browser.fill("felt-good", "Tea and quiet").await;
    assert_fits_a_phone(&browser).await;
    browser
        .submit(Locator::Css("main form button[type=submit]"))
        .await;
    assert_eq!(
        browser.texts(".notice").await,
        ["Thank you. Your reflection is saved, just for you."]
    );
    browser.submit(Locator::LinkText("Insights")).await;
    let summary = browser.texts("ul.summary li").await;
    assert_eq!(summary[0], "You have reflected on one session.");
}

/// Waits until the text of the first element matching `selector` contains `wanted`; returns
/// how long that took.
pub(crate) async fn text_within(browser: &Browser, selector: &str, wanted: &str) -> Duration {
    let started = std::time::Instant::now();
    browser
        .until(&format!(
            "(document.querySelector({selector:?})?.textContent || '').includes({wanted:?})"
        ))
        .await;
    started.elapsed()
}

#[tokio::test]
async fn two_phones_plan_signal_care_reflect_and_answer_the_next_days_follow_up() {
    let (Some(ash), Some(bo)) = (Browser::start().await, Browser::start().await) else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let (_, _, id) = crate::routine_pages::couple(&app).await;
    let ash_token = crate::api::token(&app, "ashley", PASSWORD).await;
    let bo_token = crate::api::token(&app, "bowie", PASSWORD).await;
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
    let pid = proposal["id"].as_str().unwrap();
    app.client
        .post(app.url(&format!(
            "/api/v1/circles/{id}/routine/proposals/{pid}/accept"
        )))
        .bearer_auth(&bo_token)
        .send()
        .await
        .unwrap();
    ash.sign_in(&app, "ashley").await;
    bo.sign_in(&app, "bowie").await;

    // Ash plans; each checks in on their own phone; the session goes live for both.
    ash.client
        .goto(&app.url(&format!("/circles/{id}")))
        .await
        .unwrap();
    ash.submit(Locator::Css("button[name='start'][value='plan']"))
        .await;
    let session = ash.client.current_url().await.unwrap().to_string();
    for (phone, energy) in [(&ash, "4"), (&bo, "5")] {
        phone.client.goto(&session).await.unwrap();
        phone
            .click(Locator::Css(&format!(
                "input[name='energy'][value='{energy}']"
            )))
            .await;
        phone
            .click(Locator::Css("input[name='mood'][value='4']"))
            .await;
        phone
            .click(Locator::Css("input[name='sober'][value='yes']"))
            .await;
        phone
            .submit(Locator::Css("button[name='go'][value='ready']"))
            .await;
    }
    // Ash's page was waiting in the plan; the stream brings it live by itself.
    text_within(&ash, ".session-state", "The session is on.").await;
    text_within(&bo, ".session-state", "The session is on.").await;
    assert_fits_a_phone(&ash).await;
    maybe_screenshot(&bo, "live").await;

    // Yellow, then red: Bo's open page says each within a second, without a reload.
    ash.submit(Locator::Css("button[value='yellow']")).await;
    let took = text_within(&bo, "#signal-rows", "Ash: Yellow").await;
    assert!(took < Duration::from_secs(1), "yellow took {took:?}");
    ash.submit(Locator::Css("button[value='red']")).await;
    let took = text_within(&bo, ".session-state", "Aftercare.").await;
    assert!(took < Duration::from_secs(1), "red took {took:?}");

    // Aftercare: a tick on one phone shows on the other; breathing together.
    bo.submit(Locator::Css("form[action$='/steps/1/done'] button"))
        .await;
    text_within(&ash, "#step-1", "✔").await;
    assert_fits_a_phone(&ash).await;
    maybe_screenshot(&ash, "aftercare-live").await;
    bo.submit(Locator::LinkText("Breathe together")).await;
    bo.client.back().await.unwrap();
    bo.submit(Locator::XPath(
        "//button[normalize-space()='My aftercare is done']",
    ))
    .await;
    // Bo's aftercare is Bo's: Ash's goes on until Ash says it is done too.
    text_within(&ash, "ul.people", "Bo — aftercare done").await;
    ash.submit(Locator::XPath(
        "//button[normalize-space()='My aftercare is done']",
    ))
    .await;
    for (phone, mood, share) in [(&bo, "2", true), (&ash, "5", false)] {
        // Each came to the reflection by saying their aftercare is done.
        let path = phone.client.current_url().await.unwrap().path().to_owned();
        if !path.ends_with("/reflection") {
            phone.submit(Locator::LinkText("Your reflection")).await;
        }
        phone
            .click(Locator::Css(&format!("input[name='mood'][value='{mood}']")))
            .await;
        if share {
            // Bo shares one entry, how they feel, with Ash.
            phone
                .click(Locator::Css("input[name='share'][value='mood']"))
                .await;
        }
        phone
            .submit(Locator::Css("main form button[type=submit]"))
            .await;
        text_within(phone, ".notice", "Your reflection is saved").await;
        if share {
            // Ash's open page counts it in the header badge, without a reload (beside the
            // word that Bo joined the circle).
            let took = text_within(&ash, "[data-unseen-count]", "2").await;
            assert!(took < Duration::from_secs(1), "the badge took {took:?}");
            assert!(
                ash.client
                    .find(Locator::Css("[data-unseen-badge]"))
                    .await
                    .unwrap()
                    .is_displayed()
                    .await
                    .unwrap()
            );
        }
    }
    assert_eq!(
        bo.texts("#blues-heading").await,
        ["Feeling low after intimacy is common"]
    );

    // The next day, Ash's follow-up has come to the notification centre.
    app.state
        .app
        .clock
        .advance(Duration::from_secs(13 * 60 * 60));
    tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
    ash.client.goto(&app.url("/notifications")).await.unwrap();
    let centre = ash.texts("li.notification > p:first-child").await;
    assert!(
        centre[0].starts_with("New How are you feeling after"),
        "{centre:?}"
    );
    assert_eq!(
        centre[1],
        "New Bo shared part of their reflection with you."
    );
    assert_fits_a_phone(&ash).await;
    maybe_screenshot(&ash, "notifications").await;
    ash.submit(Locator::Css("li[data-kind='follow-up'] a"))
        .await;
    let question = ash.texts("section.follow-up h2").await;
    assert!(
        question[0].starts_with("How are you feeling after"),
        "{question:?}"
    );
    assert_fits_a_phone(&ash).await;
    ash.submit(Locator::Css("button[value='fine']")).await;
    text_within(&ash, "section.follow-up", "You said you are fine.").await;
}

/// A couple has shared and revealed; a third joins on a phone and sees the members, and
/// nothing the couple shared, until both have confirmed what they share for them (one on
/// a phone of their own, one over HTTP).
#[tokio::test]
async fn a_newcomer_on_a_phone_sees_what_a_couple_shared_only_once_both_confirmed() {
    let Some(newcomer) = Browser::start().await else {
        return;
    };
    let Some(first) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let ash = crate::routine_pages::signed_up(&app, "ashley", "Ash").await;
    let bo = crate::routine_pages::signed_up(&app, "bowie", "Bo").await;
    let made = app
        .submit_with(&ash, "/circles", "/circles", &[("name", "Us")])
        .await;
    let circle = crate::helpers::location(&made);
    let id = circle.trim_start_matches("/circles/").to_owned();
    let link_of = |html: &str| {
        let link = crate::helpers::texts(html, "code.invite-link")[0].clone();
        link[link.find("/invites/").unwrap()..].to_owned()
    };
    let created = app
        .submit_with(&ash, &circle, &format!("{circle}/invites"), &[])
        .await;
    let path = link_of(&created.text().await.unwrap());
    app.submit_with(&bo, &path, &path, &[]).await;
    app.submit_with(
        &ash,
        "/profile/boundaries",
        "/profile/boundaries",
        &[
            ("kind", "hard-limit"),
            ("text", "No surprises from behind"),
            ("circles", "listed"),
            ("circle", &id),
        ],
    )
    .await;
    for partner in [&ash, &bo] {
        app.submit_with(partner, &circle, &format!("{circle}/lock"), &[])
            .await;
    }
    let created = app
        .submit_with(&ash, &circle, &format!("{circle}/invites"), &[])
        .await;
    let path = link_of(&created.text().await.unwrap());

    // The newcomer opens the link: who invited, how many; nobody else's name.
    newcomer.sign_up(&app, "cass").await;
    newcomer.client.goto(&app.url(&path)).await.unwrap();
    let invite = newcomer.texts("main").await.join(" ");
    assert!(
        invite.contains("Ash invited you. The circle has 2 members."),
        "{invite}"
    );
    assert!(!invite.contains("Bo"), "{invite}");
    assert_fits_a_phone(&newcomer).await;
    maybe_screenshot(&newcomer, "invite").await;
    newcomer
        .submit(Locator::XPath(
            "//button[normalize-space()='Join this circle']",
        ))
        .await;
    newcomer
        .submit(Locator::XPath(
            "//button[normalize-space()='Lock my answers']",
        ))
        .await;
    newcomer
        .client
        .goto(&app.url(&format!("{circle}/common-ground")))
        .await
        .unwrap();
    let waiting = newcomer.texts("main").await.join(" ");
    assert!(
        waiting.contains("Waiting for 2 members to confirm what they share"),
        "{waiting}"
    );
    assert!(!waiting.contains("No surprises"), "{waiting}");
    assert_fits_a_phone(&newcomer).await;
    maybe_screenshot(&newcomer, "newcomer-waiting").await;

    // Ash is asked on the circle's page, on a phone: the question is the first thing there.
    first.sign_in(&app, "ashley").await;
    first.client.goto(&app.url(&circle)).await.unwrap();
    assert_eq!(
        first.texts("#confirm-heading").await,
        ["cass joined. Look at what you share with this circle"]
    );
    let on_screen = first
        .client
        .execute(
            "return document.querySelector('#confirm button').getBoundingClientRect().bottom <= window.innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        on_screen.as_bool(),
        Some(true),
        "the button is above the fold"
    );
    assert_fits_a_phone(&first).await;
    maybe_screenshot(&first, "confirm").await;
    first
        .submit(Locator::XPath(
            "//button[normalize-space()='Keep what I share']",
        ))
        .await;
    assert_eq!(
        first.texts(".notice").await,
        ["Thank you. What you share stays as it is."]
    );
    newcomer.client.refresh().await.unwrap();
    let still = newcomer.texts("main").await.join(" ");
    assert!(still.contains("Waiting for 1 member to confirm"), "{still}");
    assert!(!still.contains("No surprises"), "{still}");

    app.submit_with(&bo, &circle, &format!("{circle}/confirm"), &[])
        .await;
    newcomer.client.refresh().await.unwrap();
    let shared = newcomer.texts("main").await.join(" ");
    assert!(shared.contains("No surprises from behind"), "{shared}");
    maybe_screenshot(&newcomer, "newcomer-revealed").await;
}

/// Fills the readiness check on `phone`'s session page and says "I'm in".
pub(crate) async fn check_in(phone: &Browser) {
    for choice in [
        "input[name='energy'][value='4']",
        "input[name='mood'][value='4']",
        "input[name='sober'][value='yes']",
    ] {
        phone.click(Locator::Css(choice)).await;
    }
    phone
        .submit(Locator::Css("button[name='go'][value='ready']"))
        .await;
}

#[tokio::test]
async fn three_phones_a_stop_reaches_everyone_and_each_aftercare_is_their_own() {
    let (Some(a), Some(b), Some(c)) = (
        Browser::start().await,
        Browser::start().await,
        Browser::start().await,
    ) else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    let ash = crate::routines::member(&app, "ash").await;
    let bea = crate::routines::member(&app, "bea").await;
    let cass = crate::routines::member(&app, "cass").await;
    let id = crate::routines::circle(&app, &[&ash, &bea, &cass]).await;
    for (phone, name) in [(&a, "ash"), (&b, "bea"), (&c, "cass")] {
        phone.sign_in(&app, name).await;
    }

    // Ash plans; Bea and Cass are told on their home page, one tap from checking in.
    a.client
        .goto(&app.url(&format!("/circles/{id}")))
        .await
        .unwrap();
    a.submit(Locator::Css("button[name='start'][value='plan']"))
        .await;
    let session = a.client.current_url().await.unwrap().to_string();
    for phone in [&b, &c] {
        phone.client.goto(&app.url("/")).await.unwrap();
        let notice = phone.texts(".planned p").await.join(" ");
        assert!(
            notice.contains("ash would like to plan a session in Us"),
            "{notice}"
        );
        phone.submit(Locator::LinkText("Check in")).await;
    }
    maybe_screenshot(&b, "planned-check-in").await;

    // Ash practises yellow: the others see it as practice, and never as live.
    a.submit(Locator::Css("button[value='yellow']")).await;
    text_within(
        &b,
        "#signal-rows",
        "ash: Yellow — slow down, check on me (practice)",
    )
    .await;
    for phone in [&a, &b, &c] {
        check_in(phone).await;
    }
    for phone in [&a, &b, &c] {
        text_within(phone, ".session-state", "The session is on.").await;
    }
    for phone in [&b, &c] {
        let rows = phone.texts("#signal-rows li").await;
        assert!(rows.is_empty(), "practice is over: {rows:?}");
    }

    // Ash says stop: within a second Bea's and Cass's pages say who and when, and Ash's
    // says both have seen it.
    a.submit(Locator::Css("button[value='red']")).await;
    for phone in [&b, &c] {
        let took = text_within(phone, ".stop-banner", "ash said stop (“red”) at ").await;
        assert!(took < Duration::from_secs(1), "the stop took {took:?}");
    }
    let took = text_within(&a, "#signal-rows", "seen by bea and cass").await;
    assert!(took < Duration::from_secs(2), "seen took {took:?}");
    assert_fits_a_phone(&b).await;
    maybe_screenshot(&b, "stop-banner").await;
    maybe_screenshot(&a, "stop-seen").await;

    // Bea's aftercare is done; Ash's goes on.
    b.submit(Locator::XPath(
        "//button[normalize-space()='My aftercare is done']",
    ))
    .await;
    text_within(&a, "ul.people", "bea — aftercare done").await;
    assert_eq!(
        a.texts(".session-state").await,
        ["Aftercare."],
        "Ash's aftercare goes on"
    );
    assert_eq!(
        a.texts("form[action$='/close'] button").await,
        ["My aftercare is done"]
    );
    for phone in [&a, &c] {
        phone
            .submit(Locator::XPath(
                "//button[normalize-space()='My aftercare is done']",
            ))
            .await;
    }

    // A second session: Cass steps out, for Cass; the others carry on and are told at once.
    a.client
        .goto(&app.url(&format!("/circles/{id}")))
        .await
        .unwrap();
    a.submit(Locator::Css("button[name='start'][value='plan']"))
        .await;
    let second = a.client.current_url().await.unwrap().to_string();
    for phone in [&a, &b, &c] {
        phone.client.goto(&second).await.unwrap();
        check_in(phone).await;
    }
    for phone in [&a, &b, &c] {
        text_within(phone, ".session-state", "The session is on.").await;
    }
    c.submit(Locator::XPath(
        "//button[normalize-space()='I need to stop, for me']",
    ))
    .await;
    for phone in [&a, &b] {
        let took = text_within(phone, ".stepped-out", "Check in with cass when you can.").await;
        assert!(took < Duration::from_secs(1), "stepping out took {took:?}");
        assert_eq!(phone.texts(".session-state").await, ["The session is on."]);
    }
    assert_eq!(c.texts("#own-heading").await, ["Your own aftercare"]);
    assert_fits_a_phone(&c).await;
    maybe_screenshot(&c, "own-aftercare").await;
    maybe_screenshot(&a, "stepped-out").await;

    // Quick exit from the live session, then Back: the sign-in page, not the session.
    a.click(Locator::Css("[data-quick-exit]")).await;
    a.wait_for_path("/exit").await;
    a.client.back().await.unwrap();
    a.wait_for_path("/signin").await;
    assert!(
        a.texts("#session-state").await.is_empty(),
        "not the session page"
    );
    a.client.goto(&session).await.unwrap();
    a.wait_for_path("/signin").await;
}
