//! Circles and common ground, without HTTP: outsiders get `NotFound` for everything, invites
//! are single-use, and partners see only what the reveal rules allow.

use tend_app::profile::{self, AnswerChange, Part};
use tend_app::{Error, circles, msg};
use tend_core::profile::{Rating, Variant};
use tend_core::reveal::Fact;

use crate::helpers::{TestTend, fields};

fn rate(item: &str, receive: Option<&str>, give: Option<&str>) -> AnswerChange {
    AnswerChange {
        item: item.to_owned(),
        receive: Part::Set(receive.map(str::to_owned)),
        give: Part::Set(give.map(str::to_owned)),
        ..AnswerChange::default()
    }
}

#[tokio::test]
async fn partners_see_a_need_met_only_after_both_have_locked_and_outsiders_see_nothing() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let (ash, sam, kit) = (
            tend.member("ash").await,
            tend.member("sam").await,
            tend.member("kit").await,
        );
        let circle = circles::create(app, ash.id, "Us").await.unwrap().id;
        let (token, _) = circles::create_invite(app, ash.id, circle).await.unwrap();
        assert_eq!(circles::join(app, sam.id, &token).await.unwrap(), circle);

        let used = circles::join(app, kit.id, &token).await.unwrap_err();
        assert!(matches!(used, Error::Gone(id) if id == msg("invite-unusable")));
        let (second, _) = circles::create_invite(app, ash.id, circle).await.unwrap();
        let again = circles::join(app, sam.id, &second).await.unwrap_err();
        assert!(matches!(again, Error::NotNow(id) if id == msg("invite-already-member")));

        let variant = Variant::AfterSex;
        profile::save_answers(
            app,
            ash.id,
            variant,
            &[rate("cuddling", Some("love"), None)],
        )
        .await
        .unwrap();
        profile::save_answers(
            app,
            sam.id,
            variant,
            &[rate("cuddling", None, Some("glad"))],
        )
        .await
        .unwrap();

        circles::lock(app, ash.id, circle).await.unwrap();
        let waiting = circles::common_ground(app, ash.id, circle, variant)
            .await
            .unwrap();
        assert!(!waiting.ground.revealed);
        assert_eq!(waiting.ground.waiting_for, 1);
        assert!(
            !waiting
                .ground
                .facts
                .iter()
                .any(|f| matches!(f, Fact::Offers { .. } | Fact::Needs { .. }))
        );

        circles::lock(app, sam.id, circle).await.unwrap();
        let for_ash = circles::common_ground(app, ash.id, circle, variant)
            .await
            .unwrap();
        assert!(for_ash.ground.facts.contains(&Fact::Offers {
            partner: sam.id,
            item: "cuddling".to_owned()
        }));
        let for_sam = circles::common_ground(app, sam.id, circle, variant)
            .await
            .unwrap();
        assert!(for_sam.ground.facts.contains(&Fact::Needs {
            partner: ash.id,
            item: "cuddling".to_owned(),
            rating: Rating::Love
        }));

        // Kit is not in the circle: every door is the same "not found".
        for error in [
            circles::circle(app, kit.id, circle).await.err(),
            circles::common_ground(app, kit.id, circle, variant)
                .await
                .err(),
            circles::overview(app, kit.id, circle).await.err(),
            circles::lock(app, kit.id, circle).await.err(),
            circles::create_invite(app, kit.id, circle).await.err(),
            circles::set_sharing(app, kit.id, circle, &[]).await.err(),
        ] {
            assert!(matches!(error, Some(Error::NotFound)), "{error:?}");
        }

        circles::leave(app, sam.id, circle).await.unwrap();
        assert!(matches!(
            circles::common_ground(app, sam.id, circle, variant).await,
            Err(Error::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_sharing_choice_that_does_not_exist_changes_nothing_and_names_the_section() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let ash = tend.member("ash").await;
        let circle = circles::create(app, ash.id, "Us").await.unwrap().id;
        let choices = [
            ("answers".to_owned(), "everything".to_owned()),
            ("moonbeams".to_owned(), "everything".to_owned()),
        ];
        let error = circles::set_sharing(app, ash.id, circle, &choices)
            .await
            .unwrap_err();
        assert_eq!(fields(&error), ["moonbeams"]);
        let record = circles::circle(app, ash.id, circle).await.unwrap();
        let mine = &record.members[0].sharing;
        assert_eq!(mine, &tend_core::circle::CircleSharing::default());

        let nameless = circles::create(app, ash.id, "   ").await.unwrap_err();
        assert_eq!(fields(&nameless), ["name"]);
    }
}
