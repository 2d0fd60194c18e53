//! What every backend must do alike.

use tend_core::{DisplayName, Pronouns, Timestamp, Username};
use tend_store::testing::TestDatabase;
use tend_store::{MasterKey, NewMember, Store, StoreError};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(seconds)
}

fn new_member(username: &str) -> NewMember {
    NewMember {
        username: Username::parse(username).unwrap(),
        password_hash: "$argon2id$stand-in".to_owned(),
        display_name: DisplayName::parse("Sam Quillfeather").unwrap(),
        pronouns: Pronouns::parse("they/them").unwrap(),
        recovery_code_hashes: vec![[1; 32], [2; 32]],
    }
}

/// Runs `story` once per available backend, each with its own fresh database and master key.
async fn on_each_backend<F, Fut>(story: F)
where
    F: Fn(std::sync::Arc<dyn Store>, tend_store::Location) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for database in TestDatabase::each_backend().await {
        let store = tend_store::open(&database.location, MasterKey::generate().unwrap())
            .await
            .unwrap();
        // The database outlives the story: dropping it removes it.
        story(store, database.location.clone()).await;
        drop(database);
    }
}

#[tokio::test]
async fn a_member_is_created_and_read_back_with_sealed_fields_opened() {
    on_each_backend(|store, _| async move {
        let created = store
            .create_member(new_member("Sam"), at(100))
            .await
            .unwrap();
        let read = store.member(created.id).await.unwrap();
        assert_eq!(read, created);
        assert_eq!(read.username, "Sam");
        assert_eq!(read.display_name.as_deref(), Some("Sam Quillfeather"));
        assert_eq!(read.pronouns.as_deref(), Some("they/them"));
        assert_eq!(read.created_at, at(100));
    })
    .await;
}

#[tokio::test]
async fn usernames_are_unique_without_regard_to_case() {
    on_each_backend(|store, _| async move {
        store.create_member(new_member("Sam"), at(1)).await.unwrap();
        let again = store.create_member(new_member("sAM"), at(2)).await;
        assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
        let found = store.credentials("sam").await.unwrap().unwrap();
        assert_eq!(found.password_hash, "$argon2id$stand-in");
        assert!(store.credentials("nobody").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn an_unknown_member_is_not_found() {
    on_each_backend(|store, _| async move {
        let missing = store.member(tend_store::MemberId::new()).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
        let update = store
            .set_password_hash(tend_store::MemberId::new(), "x")
            .await;
        assert!(matches!(update, Err(StoreError::NotFound)), "{update:?}");
    })
    .await;
}

#[tokio::test]
async fn a_recovery_code_works_once_and_replacing_codes_retires_the_old_ones() {
    on_each_backend(|store, _| async move {
        let member = store.create_member(new_member("sam"), at(1)).await.unwrap();
        assert_eq!(store.unused_recovery_codes(member.id).await.unwrap(), 2);
        assert!(
            store
                .use_recovery_code(member.id, &[1; 32], at(2))
                .await
                .unwrap()
        );
        assert!(
            !store
                .use_recovery_code(member.id, &[1; 32], at(3))
                .await
                .unwrap()
        );
        assert!(
            !store
                .use_recovery_code(member.id, &[9; 32], at(3))
                .await
                .unwrap()
        );
        assert_eq!(store.unused_recovery_codes(member.id).await.unwrap(), 1);

        let mut alex = new_member("alex");
        alex.recovery_code_hashes = vec![[3; 32]];
        let other = store.create_member(alex, at(1)).await.unwrap();
        assert!(
            !store
                .use_recovery_code(other.id, &[1; 32], at(4))
                .await
                .unwrap(),
            "a code belongs to one member"
        );

        store
            .replace_recovery_codes(member.id, &[[7; 32]])
            .await
            .unwrap();
        assert!(
            !store
                .use_recovery_code(member.id, &[2; 32], at(5))
                .await
                .unwrap()
        );
        assert!(
            store
                .use_recovery_code(member.id, &[7; 32], at(5))
                .await
                .unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_are_created_touched_and_ended() {
    on_each_backend(|store, _| async move {
        let member = store.create_member(new_member("sam"), at(1)).await.unwrap();
        store
            .create_session(&[1; 32], member.id, at(10))
            .await
            .unwrap();
        store
            .create_session(&[2; 32], member.id, at(10))
            .await
            .unwrap();
        store.touch_session(&[1; 32], at(20)).await.unwrap();
        let session = store.session(&[1; 32]).await.unwrap().unwrap();
        assert_eq!(session.member_id, member.id);
        assert_eq!((session.created_at, session.last_seen_at), (at(10), at(20)));

        store
            .delete_other_sessions(member.id, &[1; 32])
            .await
            .unwrap();
        assert!(store.session(&[2; 32]).await.unwrap().is_none());
        store.delete_session(&[1; 32]).await.unwrap();
        assert!(store.session(&[1; 32]).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn expired_sessions_are_purged_and_live_ones_kept() {
    on_each_backend(|store, _| async move {
        let member = store.create_member(new_member("sam"), at(1)).await.unwrap();
        store
            .create_session(&[1; 32], member.id, at(10))
            .await
            .unwrap();
        store
            .create_session(&[2; 32], member.id, at(50))
            .await
            .unwrap();
        store
            .create_session(&[3; 32], member.id, at(100))
            .await
            .unwrap();
        store.touch_session(&[2; 32], at(10)).await.unwrap();
        // [1] is too old; [2] idled too long; [3] is alive.
        let deleted = store.delete_expired_sessions(at(40), at(20)).await.unwrap();
        assert_eq!(deleted, 2);
        assert!(store.session(&[3; 32]).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_sessions_and_tokens_of_that_member_only() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        store.create_session(&[1; 32], sam.id, at(2)).await.unwrap();
        store
            .create_api_token(&[2; 32], sam.id, at(2))
            .await
            .unwrap();
        store
            .create_session(&[3; 32], alex.id, at(2))
            .await
            .unwrap();
        assert_eq!(
            store.api_token_member(&[2; 32]).await.unwrap(),
            Some(sam.id)
        );

        store.sign_out_everywhere(sam.id).await.unwrap();
        assert!(store.session(&[1; 32]).await.unwrap().is_none());
        assert!(store.api_token_member(&[2; 32]).await.unwrap().is_none());
        assert!(store.session(&[3; 32]).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn an_api_token_can_be_revoked() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        store
            .create_api_token(&[5; 32], sam.id, at(2))
            .await
            .unwrap();
        store.delete_api_token(&[5; 32]).await.unwrap();
        assert!(store.api_token_member(&[5; 32]).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn the_store_refuses_to_open_with_another_master_key() {
    on_each_backend(|_store, location| async move {
        let other = tend_store::open(&location, MasterKey::generate().unwrap()).await;
        assert!(
            matches!(other, Err(StoreError::WrongMasterKey)),
            "{:?}",
            other.err()
        );
    })
    .await;
}

#[tokio::test]
async fn opening_twice_with_the_same_key_keeps_the_data() {
    for db in TestDatabase::each_backend().await {
        let key = MasterKey::generate().unwrap();
        let same = MasterKey::from_bytes(key.to_bytes().as_ref()).unwrap();
        let store = tend_store::open(&db.location, key).await.unwrap();
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        drop(store);
        let reopened = tend_store::open(&db.location, same).await.unwrap();
        assert_eq!(reopened.member(sam.id).await.unwrap(), sam);
    }
}

#[tokio::test]
async fn a_database_from_a_newer_tend_is_refused_untouched() {
    use sqlx::Connection;
    for db in TestDatabase::each_backend().await {
        let key = MasterKey::generate().unwrap();
        let same = MasterKey::from_bytes(key.to_bytes().as_ref()).unwrap();
        drop(tend_store::open(&db.location, key).await.unwrap());
        // A newer Tend applied a migration this one does not know.
        let insert = "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                      execution_time) VALUES ($1, 'from a newer Tend', TRUE, $2, 0)";
        let url = &db.location.database_url;
        if db.is_postgres() {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(insert)
                .bind(9999i64)
                .bind(vec![0u8])
                .execute(&mut connection)
                .await
                .unwrap();
        } else {
            let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query(insert)
                .bind(9999i64)
                .bind(vec![0u8])
                .execute(&mut connection)
                .await
                .unwrap();
        }
        let refused = tend_store::open(&db.location, same).await;
        match refused {
            Err(error @ StoreError::SchemaTooNew { found: 9999, .. }) => {
                assert!(
                    error.to_string().contains("newer version of Tend"),
                    "{error}"
                );
            }
            other => panic!("{:?}", other.err()),
        }
    }
}

#[tokio::test]
async fn sealed_text_never_reaches_the_database_files_in_plaintext() {
    let db = TestDatabase::sqlite();
    let store = tend_store::open(&db.location, MasterKey::generate().unwrap())
        .await
        .unwrap();
    let mut member = new_member("sam");
    member.display_name = DisplayName::parse("Zephyrine Marmalade").unwrap();
    member.pronouns = Pronouns::parse("xe/xyr-quokka").unwrap();
    let sam = store.create_member(member, at(1)).await.unwrap();
    let mut answer = loved();
    answer.note = tend_core::profile::Note::parse("Periwinkle thunderstorm").unwrap();
    store
        .update_profile(
            sam.id,
            &|p| {
                p.set(
                    tend_core::Variant::AfterHardScene,
                    "cuddling",
                    answer.clone(),
                )
            },
            at(2),
        )
        .await
        .unwrap();
    let label = tend_core::CustomLabel::parse("Xylophone serenade", []).unwrap();
    store
        .create_custom_item(sam.id, &label, tend_core::ItemKind::Shared, at(2))
        .await
        .unwrap();
    let trigger =
        tend_core::Boundary::parse(tend_core::BoundaryKind::Trigger, "Quokka whistles", "")
            .unwrap();
    store
        .create_boundary(sam.id, &trigger, &Default::default(), at(2))
        .await
        .unwrap();
    store
        .add_reflection(
            sam.id,
            &tend_core::insights::Reflection {
                session_at: at(3),
                moment: tend_core::insights::Moment::FollowUp { hours: 48 },
                mood: tend_core::insights::Mood::new(2),
                drop: true,
                steps_done: ["Marzipan lullaby".to_owned()].into(),
                notes: Default::default(),
            },
            at(4),
        )
        .await
        .unwrap();
    // A session with a readiness check, and an answered follow-up.
    let circle = store
        .create_circle(sam.id, &circle_name("Us"), at(5))
        .await
        .unwrap();
    let readiness = tend_core::session::Readiness {
        energy: tend_core::insights::Mood::new(3).unwrap(),
        mood: tend_core::insights::Mood::new(4).unwrap(),
        sober: true,
        off_limits_today: "Tangerine clause".to_owned(),
    };
    let session = store
        .create_care_session(
            sam.id,
            circle.id,
            &tend_store::CareSession {
                session: tend_core::session::Session::aftercare_now([sam.id].into(), sam.id, at(6)),
                variant: tend_core::Variant::AfterHardScene,
                routine_version: 0,
                readiness: [(sam.id, readiness)].into(),
                steps_done: Default::default(),
                started_at: 6,
                started_by: None,
            },
            at(6),
        )
        .await
        .unwrap();
    let stored = store.care_session(sam.id, session).await.unwrap();
    let mut live = stored.clone();
    live.record.session.state = tend_core::session::State::Live;
    store.update_care_session(sam.id, &live).await.unwrap();
    store
        .add_signal(
            sam.id,
            &stored,
            &tend_store::SignalRecord {
                signal: tend_core::session::Signal::Yellow,
                from: Some(sam.id),
                at: 5,
                practice: false,
            },
        )
        .await
        .unwrap();
    store
        .add_follow_up(
            sam.id,
            &tend_store::FollowUp {
                session,
                circle: circle.id,
                hours: 12,
                session_at: at(6),
                answer: Some(tend_core::session::FollowUpAnswer::Support),
            },
            at(7),
        )
        .await
        .unwrap();
    store
        .add_appreciation(
            sam.id,
            &tend_store::Appreciation {
                from: sam.id,
                session,
                text: "Juniper lantern".to_owned(),
                care_wanted: false,
                reflection: None,
            },
            at(8),
        )
        .await
        .unwrap();
    store
        .add_appreciation(
            sam.id,
            &tend_store::Appreciation {
                from: sam.id,
                session,
                text: String::new(),
                care_wanted: false,
                reflection: Some(tend_core::insights::SharedReflection {
                    felt_good: "Quince harbour".to_owned(),
                    ..Default::default()
                }),
            },
            at(8),
        )
        .await
        .unwrap();
    store
        .add_notification(
            sam.id,
            tend_store::NotificationId::new(),
            &tend_store::Notification::ExtraCare { from: sam.id },
            at(9),
        )
        .await
        .unwrap();
    // What is shared with the circle, a no with a note, and a review's answers: rows of their
    // own, sealed too.
    store
        .set_sharing(
            sam.id,
            circle.id,
            &[(
                tend_core::circle::Section::Boundary(tend_core::BoundaryKind::HealthNote),
                tend_core::reveal::Share::Everything,
            )],
        )
        .await
        .unwrap();
    let proposal = store
        .create_proposal(sam.id, circle.id, &proposal_of(sam.id, "Tea"), at(9))
        .await
        .unwrap();
    store
        .answer_proposal(
            sam.id,
            circle.id,
            proposal,
            &tend_core::routine::ProposalAnswer::No("Gooseberry evening".to_owned()),
            at(9),
        )
        .await
        .unwrap();
    let review = store
        .create_review(
            sam.id,
            circle.id,
            &tend_store::ReviewRecord {
                version: 1,
                started_at: 9,
                answers: Default::default(),
                proposal: None,
            },
            at(9),
        )
        .await
        .unwrap();
    store
        .answer_review(
            sam.id,
            circle.id,
            review,
            &tend_core::routine::ReviewAnswer {
                verdicts: Default::default(),
                suggestions: vec!["Tamarind walk".to_owned()],
                named: true,
            },
            at(9),
        )
        .await
        .unwrap();
    store.ping().await.unwrap();

    // Read while the store is open, so the write-ahead logs are searched too.
    let mut found = Vec::new();
    let mut searched = 0;
    for entry in std::fs::read_dir(db.dir()).unwrap() {
        let path = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        searched += bytes.len();
        // Free text, and the words that would give away ratings, variants or kinds.
        for needle in [
            "Zephyrine",
            "Marmalade",
            "xyr-quokka",
            "Periwinkle",
            "Xylophone",
            "Quokka whistles",
            "Marzipan",
            "follow-up",
            "mood",
            "drop",
            "cuddling",
            "love",
            "glad",
            "after-hard-scene",
            "trigger",
            "shared",
            "Tangerine",
            "sober",
            "support",
            "participants",
            "aftercare",
            "yellow",
            "Juniper",
            "Quince",
            "extra-care",
            "felt_good",
            "health-note",
            "everything",
            "Gooseberry",
            "Tamarind",
            "suggestions",
        ] {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("{needle} in {}", path.display()));
            }
        }
    }
    assert!(searched > 0);
    assert!(found.is_empty(), "plaintext at rest: {found:?}");
}

fn loved() -> tend_core::Answer {
    tend_core::Answer {
        receive: Some(tend_core::Rating::Love),
        give: Some(tend_core::GiveRating::Glad),
        note: tend_core::profile::Note::parse("Marigold lanterns, please").unwrap(),
        ..tend_core::Answer::default()
    }
}

#[tokio::test]
async fn a_profile_is_saved_and_read_back_per_variant() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        assert_eq!(
            store.profile(sam.id).await.unwrap(),
            tend_core::ProfileAnswers::default()
        );
        let saved = store
            .update_profile(
                sam.id,
                &|p| p.set(tend_core::Variant::AfterSex, "cuddling", loved()),
                at(2),
            )
            .await
            .unwrap();
        store
            .update_profile(
                sam.id,
                &|p| p.set(tend_core::Variant::AfterHardScene, "kissing", loved()),
                at(3),
            )
            .await
            .unwrap();
        let read = store.profile(sam.id).await.unwrap();
        assert_eq!(
            read.effective(tend_core::Variant::AfterSex),
            saved.effective(tend_core::Variant::AfterSex)
        );
        let hard = read.effective(tend_core::Variant::AfterHardScene);
        assert_eq!(hard.len(), 2);
        // Another member's profile is their own.
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        assert!(
            store
                .profile(alex.id)
                .await
                .unwrap()
                .effective(tend_core::Variant::AfterSex)
                .is_empty()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_profile_saves_all_land() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let items: Vec<String> = (0..4).map(|i| format!("item-{i}")).collect();
        let saves: Vec<_> = items
            .iter()
            .cloned()
            .map(|item| {
                let store = store.clone();
                tokio::spawn(async move {
                    let save = move |p: &mut tend_core::ProfileAnswers| {
                        p.set(tend_core::Variant::AfterSex, &item, loved());
                    };
                    store.update_profile(sam.id, &save, at(2)).await
                })
            })
            .collect();
        for save in saves {
            save.await.unwrap().unwrap();
        }
        let answers = store
            .profile(sam.id)
            .await
            .unwrap()
            .effective(tend_core::Variant::AfterSex);
        assert_eq!(answers.len(), items.len(), "a save was lost: {answers:?}");
    })
    .await;
}

#[tokio::test]
async fn custom_items_belong_to_their_member() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let label = tend_core::CustomLabel::parse("Reading aloud", []).unwrap();
        let item = store
            .create_custom_item(sam.id, &label, tend_core::ItemKind::Shared, at(2))
            .await
            .unwrap();
        assert_eq!(
            store.custom_items(sam.id).await.unwrap(),
            vec![item.clone()]
        );
        assert!(store.custom_items(alex.id).await.unwrap().is_empty());

        let renamed = tend_store::CustomItem {
            label: tend_core::CustomLabel::parse("Reading poems aloud", []).unwrap(),
            ..item.clone()
        };
        assert!(matches!(
            store.update_custom_item(alex.id, &renamed).await,
            Err(StoreError::NotFound)
        ));
        store.update_custom_item(sam.id, &renamed).await.unwrap();
        assert_eq!(
            store.custom_items(sam.id).await.unwrap()[0].label,
            renamed.label
        );
        assert!(matches!(
            store.delete_custom_item(alex.id, item.id).await,
            Err(StoreError::NotFound)
        ));
        store.delete_custom_item(sam.id, item.id).await.unwrap();
        assert!(store.custom_items(sam.id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn boundaries_belong_to_their_member() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let soft = tend_core::Boundary::parse(
            tend_core::BoundaryKind::SoftLimit,
            "Tickling",
            "only if I ask",
        )
        .unwrap();
        let us = tend_store::CircleId::new();
        let record = store
            .create_boundary(sam.id, &soft, &[us].into(), at(2))
            .await
            .unwrap();
        assert_eq!(record.shared_with, Some([us].into()));
        assert_eq!(
            store.boundaries(sam.id).await.unwrap(),
            vec![record.clone()]
        );
        assert!(store.boundaries(alex.id).await.unwrap().is_empty());
        let hard =
            tend_core::Boundary::parse(tend_core::BoundaryKind::HardLimit, "Tickling", "").unwrap();
        assert!(matches!(
            store
                .update_boundary(alex.id, record.id, &hard, None, at(3))
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .update_boundary(sam.id, record.id, &hard, Some(&Default::default()), at(3))
            .await
            .unwrap();
        let kept = &store.boundaries(sam.id).await.unwrap()[0];
        assert_eq!(kept.boundary, hard);
        assert_eq!(kept.shared_with, Some(Default::default()), "private again");
        assert!(matches!(
            store.delete_boundary(alex.id, record.id).await,
            Err(StoreError::NotFound)
        ));
        store.delete_boundary(sam.id, record.id).await.unwrap();
        assert!(store.boundaries(sam.id).await.unwrap().is_empty());
    })
    .await;
}

fn circle_name(name: &str) -> tend_core::circle::CircleName {
    tend_core::circle::CircleName::parse(name).unwrap()
}

#[tokio::test]
async fn a_circle_is_seen_by_its_members_only() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        assert_eq!(store.circles(sam.id).await.unwrap(), vec![circle.clone()]);
        assert!(store.circles(alex.id).await.unwrap().is_empty());
        let record = store.circle(sam.id, circle.id).await.unwrap();
        assert_eq!(record.name.as_str(), "Us");
        assert_eq!(record.members.len(), 1);
        assert!(!record.members[0].locked);
        for result in [
            store.circle(alex.id, circle.id).await.map(|_| ()),
            store.set_sharing(alex.id, circle.id, &[]).await,
            store.lock(alex.id, circle.id, at(3)).await.map(|_| ()),
            store.unlock(alex.id, circle.id).await,
            store.leave(alex.id, circle.id, at(3)).await,
            store.invites(alex.id, circle.id).await.map(|_| ()),
            store
                .create_invite(alex.id, circle.id, &[1; 32], at(3), at(9))
                .await
                .map(|_| ()),
        ] {
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_invite_works_once_until_it_expires_or_is_revoked() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let kim = store.create_member(new_member("kim"), at(1)).await.unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        store
            .create_invite(sam.id, circle.id, &[1; 32], at(2), at(100))
            .await
            .unwrap();
        let invite = store.usable_invite(&[1; 32], at(3)).await.unwrap().unwrap();
        assert_eq!((invite.circle.as_str(), invite.members), ("Us", 1));
        assert_eq!(invite.invited_by.as_deref(), Some("Sam Quillfeather"));
        assert!(
            store
                .usable_invite(&[1; 32], at(100))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        assert_eq!(
            store.accept_invite(sam.id, &[1; 32], at(3)).await.unwrap(),
            Err(tend_store::JoinRefusal::AlreadyMember)
        );
        assert_eq!(
            store.accept_invite(alex.id, &[1; 32], at(3)).await.unwrap(),
            Ok(circle.id)
        );
        assert_eq!(
            store.accept_invite(kim.id, &[1; 32], at(4)).await.unwrap(),
            Err(tend_store::JoinRefusal::Unusable),
            "single use"
        );
        let revoked = store
            .create_invite(alex.id, circle.id, &[2; 32], at(4), at(100))
            .await
            .unwrap();
        store
            .revoke_invite(sam.id, circle.id, revoked.id, at(5))
            .await
            .unwrap();
        assert_eq!(
            store.accept_invite(kim.id, &[2; 32], at(6)).await.unwrap(),
            Err(tend_store::JoinRefusal::Unusable)
        );
        store
            .create_invite(alex.id, circle.id, &[3; 32], at(4), at(10))
            .await
            .unwrap();
        assert_eq!(
            store.accept_invite(kim.id, &[3; 32], at(10)).await.unwrap(),
            Err(tend_store::JoinRefusal::Unusable),
            "expired"
        );
        let invites = store.invites(sam.id, circle.id).await.unwrap();
        assert_eq!(
            invites
                .iter()
                .map(|i| (i.used, i.revoked))
                .collect::<Vec<_>>(),
            [(true, false), (false, true), (false, false)]
        );
        assert_eq!(
            store
                .circle(alex.id, circle.id)
                .await
                .unwrap()
                .members
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn a_circle_holds_at_most_eight() {
    on_each_backend(|store, _| async move {
        let first = store
            .create_member(new_member("member0"), at(1))
            .await
            .unwrap();
        let circle = store
            .create_circle(first.id, &circle_name("Many"), at(1))
            .await
            .unwrap();
        for i in 1..=8u8 {
            let member = store
                .create_member(new_member(&format!("member{i}")), at(1))
                .await
                .unwrap();
            store
                .create_invite(first.id, circle.id, &[i; 32], at(1), at(100))
                .await
                .unwrap();
            let joined = store
                .accept_invite(member.id, &[i; 32], at(2))
                .await
                .unwrap();
            if i < 8 {
                assert_eq!(joined, Ok(circle.id));
            } else {
                assert_eq!(joined, Err(tend_store::JoinRefusal::Full));
            }
        }
    })
    .await;
}

#[tokio::test]
async fn locking_reveals_when_everyone_has_locked_and_leaving_closes_a_circle_of_one() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        store
            .create_invite(sam.id, circle.id, &[1; 32], at(2), at(100))
            .await
            .unwrap();
        store
            .accept_invite(alex.id, &[1; 32], at(3))
            .await
            .unwrap()
            .unwrap();

        let mut sharing = tend_core::circle::CircleSharing::default();
        sharing.set(
            tend_core::circle::Section::Answers,
            tend_core::reveal::Share::Everything,
        );
        store
            .set_sharing(
                alex.id,
                circle.id,
                &[(
                    tend_core::circle::Section::Answers,
                    tend_core::reveal::Share::Everything,
                )],
            )
            .await
            .unwrap();

        assert!(!store.lock(sam.id, circle.id, at(4)).await.unwrap());
        assert!(
            !store.lock(sam.id, circle.id, at(4)).await.unwrap(),
            "locking twice changes nothing"
        );
        assert!(
            store.lock(alex.id, circle.id, at(5)).await.unwrap(),
            "the last lock reveals"
        );
        let record = store.circle(sam.id, circle.id).await.unwrap();
        assert!(record.members.iter().all(|m| m.locked));
        assert_eq!(record.members[1].sharing, sharing);
        assert_eq!(record.revealed_epoch, Some(record.epoch));
        let kept = record.members[0].reveal_digests.clone();
        assert!(kept.contains_key("after-sex/answers"), "{kept:?}");
        store
            .update_profile(
                sam.id,
                &|p| p.set(tend_core::Variant::AfterSex, "cuddling", loved()),
                at(6),
            )
            .await
            .unwrap();
        // Unlocking and locking again keeps what was kept at the reveal: the change stays
        // marked.
        store.unlock(sam.id, circle.id).await.unwrap();
        assert!(store.lock(sam.id, circle.id, at(7)).await.unwrap());
        let record = store.circle(sam.id, circle.id).await.unwrap();
        assert_eq!(record.members[0].reveal_digests, kept);
        let now = tend_core::reveal::release_digests(
            &store.profile(sam.id).await.unwrap(),
            &[],
            record.members[0].sharing.for_reveal(),
        );
        assert!(
            tend_core::reveal::changed_since(&kept, &now, tend_core::Variant::AfterSex).answers,
            "a change shows"
        );

        store.unlock(alex.id, circle.id).await.unwrap();
        assert!(!store.circle(sam.id, circle.id).await.unwrap().members[1].locked);

        store.leave(alex.id, circle.id, at(8)).await.unwrap();
        assert!(matches!(
            store.circle(alex.id, circle.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store.circles(sam.id).await.unwrap().is_empty(),
            "a circle left with one member is closed"
        );
    })
    .await;
}

fn routine_with(
    text: &str,
    member: tend_store::MemberId,
) -> tend_core::routine::Routine<tend_store::MemberId> {
    let mut routine = tend_core::routine::Routine::default();
    routine.steps.push(tend_core::routine::Step {
        id: tend_core::routine::StepId(1),
        what: tend_core::routine::StepWhat::Text(text.to_owned()),
        minutes: Some(10),
        for_members: [member].into(),
        from_members: Default::default(),
    });
    routine
}

fn proposal_of(
    author: tend_store::MemberId,
    text: &str,
) -> tend_core::routine::Proposal<tend_store::MemberId> {
    tend_core::routine::Proposal {
        author,
        base_version: 0,
        routine: routine_with(text, author),
        accepted_by: [author].into(),
        declined: Vec::new(),
    }
}

#[tokio::test]
async fn a_proposal_becomes_one_version_once_and_a_number_is_taken_once() {
    use tend_store::Settled;
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        assert!(
            store
                .routine_versions(sam.id, circle.id)
                .await
                .unwrap()
                .is_empty()
        );
        let first = store
            .create_proposal(sam.id, circle.id, &proposal_of(sam.id, "Tea"), at(3))
            .await
            .unwrap();
        let second = store
            .create_proposal(sam.id, circle.id, &proposal_of(sam.id, "Water"), at(3))
            .await
            .unwrap();
        let v1 = tend_store::RoutineVersion {
            version: 1,
            author: sam.id,
            created_at: 3,
            routine: routine_with("Tea", sam.id),
        };
        assert_eq!(
            store
                .settle_proposal(sam.id, circle.id, first, &v1)
                .await
                .unwrap(),
            Settled::Became(1)
        );
        // Two acceptances of the same proposal at once: the second learns what it became.
        assert_eq!(
            store
                .settle_proposal(sam.id, circle.id, first, &v1)
                .await
                .unwrap(),
            Settled::AlreadyBecame(1)
        );
        assert_eq!(
            store
                .settled_version(sam.id, circle.id, first)
                .await
                .unwrap(),
            Some(1)
        );
        // Another change made for the same number is outdated, and stays listed.
        let other = tend_store::RoutineVersion {
            routine: routine_with("Water", sam.id),
            ..v1.clone()
        };
        assert_eq!(
            store
                .settle_proposal(sam.id, circle.id, second, &other)
                .await
                .unwrap(),
            Settled::Outdated
        );
        let listed = store.proposals(sam.id, circle.id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, second);
        assert_eq!(
            store.routine_versions(sam.id, circle.id).await.unwrap(),
            vec![v1.clone()]
        );
        for result in [
            store.routine_versions(alex.id, circle.id).await.map(|_| ()),
            store
                .settle_proposal(alex.id, circle.id, second, &v1)
                .await
                .map(|_| ()),
            store
                .settled_version(alex.id, circle.id, first)
                .await
                .map(|_| ()),
        ] {
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn each_members_answer_to_a_proposal_is_kept_even_at_the_same_moment() {
    use tend_core::routine::ProposalAnswer;
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let kim = store.create_member(new_member("kim"), at(1)).await.unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        store
            .create_invite(sam.id, circle.id, &[2; 32], at(2), at(100))
            .await
            .unwrap();
        store
            .accept_invite(alex.id, &[2; 32], at(2))
            .await
            .unwrap()
            .unwrap();
        let mut proposal = proposal_of(sam.id, "Tea and a blanket");
        let id = store
            .create_proposal(sam.id, circle.id, &proposal, at(3))
            .await
            .unwrap();
        let no = ProposalAnswer::No("not yet".to_owned());
        let (a, b) = tokio::join!(
            store.answer_proposal(sam.id, circle.id, id, &no, at(4)),
            store.answer_proposal(alex.id, circle.id, id, &ProposalAnswer::Yes, at(4)),
        );
        a.unwrap();
        b.unwrap();
        proposal.answer(sam.id, ProposalAnswer::No("not yet".to_owned()));
        proposal.answer(alex.id, ProposalAnswer::Yes);
        assert_eq!(
            store.proposals(alex.id, circle.id).await.unwrap(),
            vec![(id, proposal.clone())]
        );
        for result in [
            store.proposals(kim.id, circle.id).await.map(|_| ()),
            store
                .answer_proposal(kim.id, circle.id, id, &ProposalAnswer::Yes, at(5))
                .await,
            store
                .answer_proposal(
                    sam.id,
                    circle.id,
                    tend_store::ProposalId::new(),
                    &ProposalAnswer::Yes,
                    at(5),
                )
                .await,
        ] {
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_review_opens_once_per_version_keeps_each_answer_and_closes_once() {
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        let mut review = tend_store::ReviewRecord {
            version: 1,
            started_at: 3,
            answers: Default::default(),
            proposal: None,
        };
        let id = store
            .create_review(sam.id, circle.id, &review, at(3))
            .await
            .unwrap();
        let twice = store.create_review(sam.id, circle.id, &review, at(3)).await;
        assert!(matches!(twice, Err(StoreError::Conflict)), "{twice:?}");
        let answer = tend_core::routine::ReviewAnswer {
            verdicts: [(
                tend_core::routine::StepId(1),
                tend_core::routine::StepVerdict::Drop,
            )]
            .into(),
            suggestions: vec!["A walk".to_owned()],
            named: false,
        };
        store
            .answer_review(sam.id, circle.id, id, &answer, at(4))
            .await
            .unwrap();
        review.answers.insert(sam.id, answer.clone());
        assert_eq!(
            store.reviews(sam.id, circle.id).await.unwrap(),
            vec![(id, review.clone())]
        );
        for result in [
            store.reviews(alex.id, circle.id).await.map(|_| ()),
            store
                .answer_review(alex.id, circle.id, id, &answer, at(5))
                .await,
        ] {
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
        let outcome = proposal_of(sam.id, "A walk");
        let proposal = store
            .close_review(sam.id, circle.id, id, &outcome, at(6))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .close_review(sam.id, circle.id, id, &outcome, at(6))
                .await
                .unwrap(),
            None,
            "a review closes once"
        );
        let reviews = store.reviews(sam.id, circle.id).await.unwrap();
        assert_eq!(reviews[0].1.proposal, Some(proposal));
        assert_eq!(store.proposals(sam.id, circle.id).await.unwrap().len(), 1);
        // Closed, the version can be reviewed again.
        store
            .create_review(sam.id, circle.id, &review, at(7))
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_due_job_is_claimed_once_and_released_when_its_lease_runs_out() {
    use tend_store::JobKind;
    on_each_backend(|store, _| async move {
        let subject = uuid::Uuid::now_v7();
        let later = uuid::Uuid::now_v7();
        store
            .schedule_job(JobKind::RoutineReview, subject, at(100))
            .await
            .unwrap();
        store
            .schedule_job(JobKind::RoutineReview, later, at(500))
            .await
            .unwrap();
        assert!(
            store
                .claim_jobs(at(99), at(160), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let claimed = store.claim_jobs(at(100), at(160), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].subject, subject);
        assert_eq!(claimed[0].kind, Some(JobKind::RoutineReview));
        // Held by its lease: nobody else gets it, until the lease runs out.
        assert!(
            store
                .claim_jobs(at(120), at(180), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let again = store.claim_jobs(at(160), at(220), 10).await.unwrap();
        assert_eq!(again.len(), 1);
        // The first holder's finish no longer counts; the second's does.
        store.finish_job(&claimed[0]).await.unwrap();
        assert!(
            store
                .claim_jobs(at(200), at(280), 10)
                .await
                .unwrap()
                .is_empty()
        );
        store.finish_job(&again[0]).await.unwrap();
        assert!(
            store
                .claim_jobs(at(400), at(460), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let last = store.claim_jobs(at(500), at(560), 10).await.unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].subject, later);
    })
    .await;
}

#[tokio::test]
async fn scheduling_again_moves_a_job_even_while_it_is_worked_on() {
    use tend_store::JobKind;
    on_each_backend(|store, _| async move {
        let subject = uuid::Uuid::now_v7();
        store
            .schedule_job(JobKind::RoutineReview, subject, at(100))
            .await
            .unwrap();
        let claimed = store.claim_jobs(at(100), at(160), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        // The work schedules its next run, then finishes: the next run stays.
        store
            .schedule_job(JobKind::RoutineReview, subject, at(1000))
            .await
            .unwrap();
        store.finish_job(&claimed[0]).await.unwrap();
        assert!(
            store
                .claim_jobs(at(999), at(1060), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let next = store.claim_jobs(at(1000), at(1060), 10).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].subject, subject);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_claims_share_the_jobs_without_overlap() {
    use tend_store::JobKind;
    on_each_backend(|store, _| async move {
        for _ in 0..40 {
            store
                .schedule_job(JobKind::RoutineReview, uuid::Uuid::now_v7(), at(10))
                .await
                .unwrap();
        }
        let claimers = (0..4).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store.claim_jobs(at(20), at(80), 3).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|j| j.id));
                }
            })
        });
        let mut all = Vec::new();
        for claimer in claimers {
            all.extend(claimer.await.unwrap());
        }
        let distinct: std::collections::BTreeSet<_> = all.iter().map(|j| j.as_uuid()).collect();
        assert_eq!(all.len(), 40);
        assert_eq!(distinct.len(), 40);
    })
    .await;
}

#[tokio::test]
async fn reflections_belong_to_their_member() {
    use tend_core::insights::{Moment, Mood, Reflection};
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let reflection = Reflection {
            session_at: at(50),
            moment: Moment::FollowUp { hours: 24 },
            mood: Mood::new(2),
            drop: true,
            steps_done: ["Warm blanket".to_owned()].into(),
            notes: Default::default(),
        };
        store
            .add_reflection(sam.id, &reflection, at(60))
            .await
            .unwrap();
        assert_eq!(store.reflections(sam.id).await.unwrap(), vec![reflection]);
        assert!(store.reflections(alex.id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn notifications_are_kept_once_per_id_and_seen_by_their_member_only() {
    use tend_store::{Notification, NotificationId};
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let alex = store
            .create_member(new_member("alex"), at(1))
            .await
            .unwrap();
        let care = Notification::ExtraCare { from: alex.id };
        let once = NotificationId::new();
        assert!(
            store
                .add_notification(sam.id, once, &care, at(10))
                .await
                .unwrap()
        );
        // The same id again (a job run twice) keeps the first.
        assert!(
            !store
                .add_notification(sam.id, once, &care, at(11))
                .await
                .unwrap()
        );
        let later = NotificationId::new();
        let note = Notification::Appreciation { from: alex.id };
        store
            .add_notification(sam.id, later, &note, at(20))
            .await
            .unwrap();
        assert_eq!(store.unseen_notifications(sam.id).await.unwrap(), 2);
        assert_eq!(store.unseen_notifications(alex.id).await.unwrap(), 0);
        let listed = store.notifications(sam.id, 50).await.unwrap();
        let order: Vec<_> = listed.iter().map(|n| (n.id, n.at, n.seen)).collect();
        assert_eq!(order, [(later, at(20), false), (once, at(10), false)]);
        assert_eq!(listed[0].notification, note);
        assert_eq!(store.notifications(sam.id, 1).await.unwrap().len(), 1);
        // Someone else cannot mark them seen.
        store
            .see_notifications(alex.id, &[once, later])
            .await
            .unwrap();
        assert_eq!(store.unseen_notifications(sam.id).await.unwrap(), 2);
        store.see_notifications(sam.id, &[once]).await.unwrap();
        assert_eq!(store.unseen_notifications(sam.id).await.unwrap(), 1);
        let seen: Vec<bool> = store
            .notifications(sam.id, 50)
            .await
            .unwrap()
            .iter()
            .map(|n| n.seen)
            .collect();
        assert_eq!(seen, [false, true]);
        assert!(store.notifications(alex.id, 50).await.unwrap().is_empty());

        assert!(!store.member(sam.id).await.unwrap().discreet);
        store.set_discreet(sam.id, true).await.unwrap();
        assert!(store.member(sam.id).await.unwrap().discreet);
        assert!(!store.member(alex.id).await.unwrap().discreet);
    })
    .await;
}

#[tokio::test]
async fn sessions_are_for_their_participants_and_changes_at_once_do_not_overwrite() {
    use tend_core::session::{Event, Session, State};
    use tend_store::{CareSession, FollowUp};
    on_each_backend(|store, _| async move {
        let member = |name: &'static str| {
            let store = store.clone();
            async move { store.create_member(new_member(name), at(1)).await.unwrap() }
        };
        let (sam, alex, kim) = (
            member("sam").await,
            member("alex").await,
            member("kim").await,
        );
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        for (i, joiner) in [&alex, &kim].into_iter().enumerate() {
            let token = [u8::try_from(i).unwrap() + 1; 32];
            store
                .create_invite(sam.id, circle.id, &token, at(2), at(100))
                .await
                .unwrap();
            store
                .accept_invite(joiner.id, &token, at(3))
                .await
                .unwrap()
                .unwrap();
        }
        // Sam and alex take part; kim is in the circle but not in this session.
        let record = CareSession {
            session: Session::plan([sam.id, alex.id].into()),
            variant: tend_core::Variant::AfterSex,
            routine_version: 0,
            readiness: Default::default(),
            steps_done: Default::default(),
            started_at: 4,
            started_by: None,
        };
        let id = store
            .create_care_session(sam.id, circle.id, &record, at(4))
            .await
            .unwrap();
        let seen = store.care_session(alex.id, id).await.unwrap();
        assert_eq!(
            (seen.circle, seen.revision, &seen.record),
            (circle.id, 0, &record)
        );
        assert!(matches!(
            store.care_session(kim.id, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .open_care_sessions(kim.id, circle.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .open_care_sessions(sam.id, circle.id)
                .await
                .unwrap()
                .len(),
            1
        );

        // Two changes from the same revision: the second is told, not silently lost.
        let mut by_sam = seen.clone();
        by_sam.record.session = by_sam
            .record
            .session
            .apply(&Event::Ready(sam.id), at(5))
            .unwrap();
        let mut by_alex = seen.clone();
        by_alex.record.session = by_alex
            .record
            .session
            .apply(&Event::Ready(alex.id), at(5))
            .unwrap();
        store.update_care_session(sam.id, &by_sam).await.unwrap();
        assert!(matches!(
            store.update_care_session(alex.id, &by_alex).await,
            Err(StoreError::Conflict)
        ));
        let fresh = store.care_session(alex.id, id).await.unwrap();
        assert_eq!(fresh.revision, 1);
        assert!(fresh.record.session.ready.contains(&sam.id));
        let mut kims = fresh.clone();
        kims.record.steps_done.insert(1);
        assert!(matches!(
            store.update_care_session(kim.id, &kims).await,
            Err(StoreError::NotFound)
        ));

        // A closed session is no longer listed as open.
        let mut closed = fresh;
        closed.record.session.state = State::Closed;
        store.update_care_session(alex.id, &closed).await.unwrap();
        assert!(
            store
                .open_care_sessions(sam.id, circle.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .care_session(sam.id, id)
                .await
                .unwrap()
                .record
                .session
                .state,
            State::Closed
        );

        // Follow-ups are each participant's own, earliest first.
        let follow_up = |hours| FollowUp {
            session: id,
            circle: circle.id,
            hours,
            session_at: at(10),
            answer: None,
        };
        let later = store
            .add_follow_up(sam.id, &follow_up(24), at(10 + 24 * 3600))
            .await
            .unwrap();
        let sooner = store
            .add_follow_up(sam.id, &follow_up(12), at(10 + 12 * 3600))
            .await
            .unwrap();
        // Owing it again (a retry) adds nothing, under the same id.
        assert_eq!(
            store
                .add_follow_up(sam.id, &follow_up(12), at(10 + 12 * 3600))
                .await
                .unwrap(),
            sooner
        );
        assert_ne!(later, sooner);
        let mine: Vec<_> = store
            .follow_ups(sam.id)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, due, f)| (id, due.unix_seconds(), f.hours))
            .collect();
        assert_eq!(
            mine,
            [(sooner, 10 + 12 * 3600, 12), (later, 10 + 24 * 3600, 24)]
        );
        let mut answered = follow_up(12);
        answered.answer = Some(tend_core::session::FollowUpAnswer::Contact);
        assert!(matches!(
            store.answer_follow_up(alex.id, sooner, &answered).await,
            Err(StoreError::NotFound)
        ));
        store
            .answer_follow_up(sam.id, sooner, &answered)
            .await
            .unwrap();
        let mut again = answered.clone();
        again.answer = Some(tend_core::session::FollowUpAnswer::Fine);
        assert!(
            matches!(
                store.answer_follow_up(sam.id, sooner, &again).await,
                Err(StoreError::Conflict)
            ),
            "answered once"
        );
        assert_eq!(store.follow_ups(sam.id).await.unwrap()[0].2, answered);
        assert!(store.follow_ups(alex.id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn signals_come_in_order_to_participants_only_and_go_when_deleted() {
    use tend_core::session::{Session, Signal};
    use tend_store::{CareSession, SignalRecord};
    on_each_backend(|store, _| async move {
        let sam = store.create_member(new_member("sam"), at(1)).await.unwrap();
        let kim = store.create_member(new_member("kim"), at(1)).await.unwrap();
        let circle = store
            .create_circle(sam.id, &circle_name("Us"), at(2))
            .await
            .unwrap();
        store
            .create_invite(sam.id, circle.id, &[7; 32], at(2), at(100))
            .await
            .unwrap();
        store
            .accept_invite(kim.id, &[7; 32], at(3))
            .await
            .unwrap()
            .unwrap();
        let record = CareSession {
            session: Session::plan([sam.id].into()),
            variant: tend_core::Variant::AfterSex,
            routine_version: 0,
            readiness: Default::default(),
            steps_done: Default::default(),
            started_at: 4,
            started_by: None,
        };
        let id = store
            .create_care_session(sam.id, circle.id, &record, at(4))
            .await
            .unwrap();
        let session = store.care_session(sam.id, id).await.unwrap();
        let signal = |signal| SignalRecord {
            signal,
            from: Some(sam.id),
            at: 4,
            practice: signal == Signal::Yellow,
        };
        let yellow = store
            .add_signal(sam.id, &session, &signal(Signal::Yellow))
            .await
            .unwrap();
        let red = store
            .add_signal(sam.id, &session, &signal(Signal::Red))
            .await
            .unwrap();
        assert!(red > yellow);
        assert_eq!(
            store.signals_after(sam.id, &session, 0).await.unwrap(),
            vec![(yellow, signal(Signal::Yellow)), (red, signal(Signal::Red))]
        );
        assert_eq!(
            store.signals_after(sam.id, &session, yellow).await.unwrap(),
            vec![(red, signal(Signal::Red))]
        );
        assert!(matches!(
            store
                .add_signal(kim.id, &session, &signal(Signal::Green))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.signals_after(kim.id, &session, 0).await,
            Err(StoreError::NotFound)
        ));
        // Who saw what: kept sealed, each sighting once however often it is said.
        for _ in 0..2 {
            store.add_sighting(sam.id, &session, red).await.unwrap();
        }
        assert_eq!(
            store.sightings(sam.id, &session).await.unwrap(),
            [(red, sam.id)].into_iter().collect()
        );
        assert!(matches!(
            store.add_sighting(kim.id, &session, red).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.sightings(kim.id, &session).await,
            Err(StoreError::NotFound)
        ));
        store.delete_signals(id).await.unwrap();
        assert!(
            store
                .signals_after(sam.id, &session, 0)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.sightings(sam.id, &session).await.unwrap().is_empty());
    })
    .await;
}
