//! Sessions, without HTTP: readiness, going live, a red stop, aftercare, follow-ups and a
//! reflection, on both databases; only participants can see or touch a session.

use std::collections::BTreeSet;

use tend_app::sessions::{self, Action, NewSession, ReadinessInput};
use tend_app::{CircleId, Error, Member, circles, follow_ups, live, notes, reflections};
use tend_core::profile::Variant;
use tend_core::session::{Signal, State};

use crate::helpers::{TestTend, fields};

async fn couple(tend: &TestTend) -> (Member, Member, CircleId) {
    let app = &tend.app;
    let ash = tend.member("ash").await;
    let sam = tend.member("sam").await;
    let circle = circles::create(app, ash.id, "Us").await.unwrap().id;
    let (token, _) = circles::create_invite(app, ash.id, circle).await.unwrap();
    circles::join(app, sam.id, &token).await.unwrap();
    (ash, sam, circle)
}

fn ready() -> ReadinessInput {
    ReadinessInput {
        energy: 4,
        mood: 4,
        sober: Some(true),
        off_limits_today: String::new(),
        ready: true,
    }
}

#[tokio::test]
async fn a_plan_goes_live_when_both_are_in_at_the_same_moment_and_red_stops_it_for_both() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let (ash, sam, circle) = couple(&tend).await;
        let new = NewSession {
            participants: BTreeSet::new(),
            variant: Variant::AfterSex,
            aftercare_now: false,
        };
        let session = sessions::start(app, ash.id, circle, new).await.unwrap().id;

        let nothing = ReadinessInput::default();
        let error = sessions::set_readiness(app, ash.id, session, &nothing)
            .await
            .unwrap_err();
        assert_eq!(fields(&error), ["energy", "mood", "sober"]);

        // Both tap "I'm in" at once: neither is lost, and the session goes live.
        let ready = ready();
        let (a, b) = tokio::join!(
            sessions::set_readiness(app, ash.id, session, &ready),
            sessions::set_readiness(app, sam.id, session, &ready),
        );
        a.unwrap();
        b.unwrap();
        let live = sessions::session(app, sam.id, session).await.unwrap();
        assert_eq!(live.record.session.state, State::Live);
        assert_eq!(live.record.readiness.len(), 2);

        let (_, stopped) = live::send(app, sam.id, session, Signal::Red).await.unwrap();
        assert_eq!(stopped.record.session.state, State::Aftercare);
        let view = sessions::view(app, ash.id, session).await.unwrap();
        assert_eq!(view.stored.record.session.state, State::Aftercare);

        // Both are owed their follow-ups, at the routine's default hours.
        for member in [&ash, &sam] {
            let owed = follow_ups::list(app, member.id).await.unwrap();
            let hours: Vec<u16> = owed.iter().map(|f| f.follow_up.hours).collect();
            assert_eq!(hours, [12, 24, 48, 72]);
        }

        let nobody = notes::appreciate(app, ash.id, session, &ash.id.to_string(), "thank you")
            .await
            .unwrap_err();
        assert_eq!(fields(&nobody), ["to"]);
        notes::appreciate(
            app,
            ash.id,
            session,
            &sam.id.to_string(),
            "thank you for the tea",
        )
        .await
        .unwrap();
        let received = notes::received(app, sam.id).await.unwrap();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].from, ash.id);

        // Each one's aftercare is their own: the session closes when both are done.
        for (who, state) in [(ash.id, State::Aftercare), (sam.id, State::Closed)] {
            let after = sessions::act(app, who, session, Action::Close)
                .await
                .unwrap();
            assert_eq!(after.record.session.state, state);
        }
        let twice = sessions::act(app, sam.id, session, Action::Close)
            .await
            .unwrap_err();
        assert!(matches!(twice, Error::NotNow(_)), "{twice:?}");

        let low = reflections::ReflectionInput {
            mood: 2,
            feelings: vec!["sad".to_owned()],
            ..Default::default()
        };
        let saved = reflections::reflect(app, sam.id, session, &low)
            .await
            .unwrap();
        assert!(saved.blues);
        assert_eq!(saved.shared_with, 0);
    }
}

#[tokio::test]
async fn only_participants_can_see_or_touch_a_session() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let (ash, sam, circle) = couple(&tend).await;
        let kit = tend.member("kit").await;
        let alone = NewSession {
            participants: [ash.id].into(),
            variant: Variant::AfterSex,
            aftercare_now: true,
        };
        let session = sessions::start(app, ash.id, circle, alone)
            .await
            .unwrap()
            .id;
        // Sam is in the circle but not in this session; Kit is in neither.
        for outsider in [&sam, &kit] {
            let attempts = [
                sessions::session(app, outsider.id, session).await.err(),
                sessions::view(app, outsider.id, session).await.err(),
                sessions::act(app, outsider.id, session, Action::Close)
                    .await
                    .err(),
                live::send(app, outsider.id, session, Signal::Yellow)
                    .await
                    .err(),
                sessions::tick(app, outsider.id, session, 1).await.err(),
            ];
            for error in attempts {
                assert!(matches!(error, Some(Error::NotFound)), "{error:?}");
            }
        }
        let not_theirs = NewSession {
            participants: [sam.id].into(),
            variant: Variant::AfterSex,
            aftercare_now: false,
        };
        let error = sessions::start(app, ash.id, circle, not_theirs)
            .await
            .unwrap_err();
        assert_eq!(fields(&error), ["participants"]);
        let error = sessions::start(
            app,
            kit.id,
            circle,
            NewSession {
                participants: BTreeSet::new(),
                variant: Variant::AfterSex,
                aftercare_now: true,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(error, Error::NotFound), "{error:?}");
    }
}
