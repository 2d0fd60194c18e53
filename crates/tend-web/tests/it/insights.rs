//! Insights: a member's own trends from their reflections, drawn from generated reflections
//! until sessions write them (issue 6).

use tend_core::Timestamp;
use tend_core::insights::{Moment, Mood, Reflection};
use tend_store::MemberId;

use crate::helpers::{TestApp, texts};

async fn member_id(app: &TestApp, username: &str) -> MemberId {
    app.store
        .credentials(username)
        .await
        .unwrap()
        .expect("signed up")
        .member_id
}

fn reflection(day: i64, moment: Moment, mood: u8, drop: bool, steps: &[&str]) -> Reflection {
    Reflection {
        session_at: Timestamp::from_unix_seconds(1_790_000_000 + day * 86_400),
        moment,
        mood: Mood::new(mood),
        drop,
        steps_done: steps.iter().map(|s| (*s).to_owned()).collect(),
        notes: Default::default(),
    }
}

#[tokio::test]
async fn insights_show_a_members_own_trends_as_charts_with_tables() {
    for app in TestApp::each_backend().await {
        let sam = TestApp::browser();
        app.sign_up_with(&sam, "sam").await;
        let empty = app.get_with(&sam, "/insights").await.text().await.unwrap();
        assert!(empty.contains("Nothing here yet"), "{empty}");
        assert!(
            texts(&empty, "svg").is_empty(),
            "no charts without reflections"
        );
        assert!(texts(&empty, "nav a").contains(&"Insights".to_owned()));

        let sam_id = member_id(&app, "sam").await;
        let follow = |hours| Moment::FollowUp { hours };
        let now = tend_web::now();
        for written in [
            reflection(
                1,
                Moment::AfterSession,
                5,
                false,
                &["cuddling", "A walk together"],
            ),
            reflection(1, follow(24), 4, false, &[]),
            reflection(2, Moment::AfterSession, 2, false, &["cuddling"]),
            reflection(2, follow(24), 1, true, &[]),
            reflection(3, Moment::AfterSession, 4, false, &["A walk together"]),
        ] {
            app.store
                .add_reflection(sam_id, &written, now)
                .await
                .unwrap();
        }
        let page = app.get_with(&sam, "/insights").await.text().await.unwrap();
        let summary = texts(&page, "ul.summary li");
        assert_eq!(
            summary,
            [
                "You have reflected on 3 sessions.",
                "Right after 2 of them, you felt good or very good.",
                "Drop came after 1 of them.",
            ]
        );
        // Three charts, each an image with a title and a table that says the same.
        assert_eq!(texts(&page, "svg[role=img] > title").len(), 3, "{page}");
        assert_eq!(texts(&page, "svg.line-chart circle.chart-point").len(), 3);
        assert_eq!(texts(&page, "table.data").len(), 3);
        let moods = texts(&page, "figure:nth-of-type(1) tbody td");
        assert_eq!(moods, ["5 · very good", "2 · low", "4 · good"]);
        let window = texts(&page, "figure:nth-of-type(2) tbody tr");
        assert_eq!(window.len(), 2);
        assert!(
            window[0].starts_with("Right after") && window[0].contains("3.7"),
            "{window:?}"
        );
        assert!(
            window[1].starts_with("24 hours after") && window[1].contains("2.5"),
            "{window:?}"
        );
        let steps = texts(&page, "figure:nth-of-type(3) tbody th");
        assert_eq!(
            steps,
            ["A walk together", "Cuddling or spooning"],
            "catalog items by name, free steps as written"
        );

        // Another member sees only their own (none), never sam's.
        let kim = TestApp::browser();
        app.sign_up_with(&kim, "kim").await;
        let theirs = app.get_with(&kim, "/insights").await.text().await.unwrap();
        assert!(theirs.contains("Nothing here yet"));
        assert!(!theirs.contains("A walk together"));

        // Visitors are sent to sign in.
        let visitor = app.get("/insights").await;
        assert_eq!(visitor.status(), reqwest::StatusCode::SEE_OTHER);
    }
}
