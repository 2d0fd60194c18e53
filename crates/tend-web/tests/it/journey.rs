//! The whole journey of two partners, each in their own phone-sized Chromium, everything
//! through the pages: sign up → guided profile → create a circle → invite → join → lock →
//! common ground → routine → plan a session → live signals → aftercare with the breathing
//! exercise → reflection → the next day's follow-up. Run twice: with JavaScript, where the
//! partner's page follows by itself, and with JavaScript off in the page, where a reload
//! shows the same.

use std::time::Duration;

use fantoccini::Locator;

use crate::browser::{Browser, assert_fits_a_phone, text_within};
use crate::helpers::TestApp;

/// Shows what the partner did: by itself where JavaScript runs, after a reload where not.
async fn sees(browser: &Browser, javascript: bool, selector: &str, wanted: &str) {
    if javascript {
        let took = text_within(browser, selector, wanted).await;
        assert!(took < Duration::from_secs(1), "{wanted:?} took {took:?}");
    } else {
        browser.client.refresh().await.unwrap();
        let found = browser.texts(selector).await.join(" ");
        assert!(
            found.contains(wanted),
            "{selector}: {found:?}, not {wanted:?}"
        );
    }
}

async fn journey(javascript: bool) {
    let switches: &[&str] = if javascript {
        &[]
    } else {
        &["--blink-settings=scriptEnabled=false"]
    };
    let (Some(ash), Some(bo)) = (
        Browser::start_with(360, 740, switches).await,
        Browser::start_with(360, 740, switches).await,
    ) else {
        return;
    };
    let app = TestApp::spawn(
        tend_store::testing::TestDatabase::sqlite(),
        crate::helpers::config(),
    )
    .await;
    if !javascript {
        // The page's own scripts really are off (WebDriver's are not).
        ash.client.goto(&app.url("/signin")).await.unwrap();
        let ran = ash
            .client
            .execute("return Boolean(window.htmx);", vec![])
            .await
            .unwrap();
        assert_eq!(ran, false);
    }

    // Each signs up and says what they like after sex.
    ash.sign_up(&app, "ashley").await;
    bo.sign_up(&app, "bowie").await;
    for (phone, choice) in [
        (&ash, "input[name='receive:cuddling'][value='love']"),
        (&bo, "input[name='give:cuddling'][value='glad']"),
    ] {
        phone
            .client
            .goto(&app.url("/profile/answers/after-sex/closeness"))
            .await
            .unwrap();
        phone.click(Locator::Css(choice)).await;
        phone
            .submit(Locator::Css("button[name='go'][value='next']"))
            .await;
        phone
            .wait_for_path("/profile/answers/after-sex/words")
            .await;
    }

    // Ash makes a circle and an invite link; Bo joins with it; both lock their answers.
    ash.client.goto(&app.url("/circles")).await.unwrap();
    ash.fill("name", "Us").await;
    ash.submit(Locator::Css("form[action='/circles'] button"))
        .await;
    let circle = ash.client.current_url().await.unwrap().to_string();
    ash.submit(Locator::Css("form[action$='/invites'] button"))
        .await;
    let link = ash.texts("code.invite-link").await.remove(0);
    bo.client.goto(&link).await.unwrap();
    bo.submit(Locator::Css("form[action^='/invites/'] button"))
        .await;
    for phone in [&ash, &bo] {
        phone.client.goto(&circle).await.unwrap();
        phone
            .submit(Locator::Css("main form[action$='/lock'] button"))
            .await;
    }
    ash.client
        .goto(&format!("{circle}/common-ground"))
        .await
        .unwrap();
    let ground = ash.texts("main").await.join(" ");
    assert!(ground.contains("Cuddling or spooning"), "{ground}");
    assert_fits_a_phone(&ash).await;

    // Ash builds the routine from common ground; Bo agrees.
    ash.client
        .goto(&format!("{circle}/routine/edit"))
        .await
        .unwrap();
    ash.submit(Locator::Css("button[value='add-item-cuddling']"))
        .await;
    ash.fill("new-text", "Tea in bed").await;
    ash.submit(Locator::Css("button[value='add-text']")).await;
    ash.submit(Locator::Css("button[value='propose']")).await;
    bo.client.goto(&format!("{circle}/routine")).await.unwrap();
    bo.submit(Locator::Css("form[action$='/accept'] button"))
        .await;
    assert_eq!(
        bo.texts("ol.steps li").await,
        ["Cuddling or spooning", "Tea in bed"]
    );

    // Ash plans a session; each checks in; it goes on for both.
    ash.client.goto(&circle).await.unwrap();
    ash.submit(Locator::Css("button[name='start'][value='plan']"))
        .await;
    let session = ash.client.current_url().await.unwrap().to_string();
    for phone in [&ash, &bo] {
        phone.client.goto(&session).await.unwrap();
        crate::browser::check_in(phone).await;
    }
    sees(&ash, javascript, ".session-state", "The session is on.").await;

    // Ash presses yellow, then red: Bo sees both; red moves everyone to aftercare.
    ash.submit(Locator::Css("button[value='yellow']")).await;
    sees(&bo, javascript, "#signal-rows", "ashley: Yellow").await;
    ash.submit(Locator::Css("button[value='red']")).await;
    sees(&bo, javascript, ".session-state", "Aftercare.").await;

    // Aftercare: Bo ticks the first step, Ash sees it; Bo breathes and comes back.
    bo.submit(Locator::Css("form[action$='/steps/1/done'] button"))
        .await;
    sees(&ash, javascript, "#step-1", "✔").await;
    bo.submit(Locator::LinkText("Breathe together")).await;
    assert!(!bo.texts("ol.breathe-steps li").await.is_empty());
    bo.client.back().await.unwrap();
    for phone in [&bo, &ash] {
        phone
            .submit(Locator::XPath(
                "//button[normalize-space()='My aftercare is done']",
            ))
            .await;
    }

    // Each writes a private reflection.
    for (phone, mood) in [(&bo, "4"), (&ash, "5")] {
        phone
            .client
            .goto(&format!("{session}/reflection"))
            .await
            .unwrap();
        phone
            .click(Locator::Css(&format!("input[name='mood'][value='{mood}']")))
            .await;
        phone
            .submit(Locator::Css("main form button[type=submit]"))
            .await;
        assert_eq!(
            phone.texts(".notice").await,
            ["Thank you. Your reflection is saved, just for you."]
        );
    }

    // The next day the follow-up comes to the notification centre, and Ash answers it.
    app.state
        .app
        .clock
        .advance(Duration::from_secs(13 * 60 * 60));
    tend_web::run_due_jobs(&app.state, app.state.app.clock.now()).await;
    ash.client.goto(&app.url("/notifications")).await.unwrap();
    ash.submit(Locator::Css("li[data-kind='follow-up'] a"))
        .await;
    ash.wait_for_path("/follow-ups").await;
    ash.submit(Locator::Css("button[value='fine']")).await;
    assert!(
        ash.texts("section.follow-up")
            .await
            .join(" ")
            .contains("You said you are fine.")
    );
    assert_fits_a_phone(&ash).await;
}

#[tokio::test]
async fn two_partners_go_the_whole_way_with_javascript() {
    journey(true).await;
}

#[tokio::test]
async fn two_partners_go_the_whole_way_without_javascript() {
    journey(false).await;
}
