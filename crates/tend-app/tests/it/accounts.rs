//! Accounts: sign up, sign in, recovery, sign-ins and tokens, without HTTP.

use tend_app::accounts::{self, SignUp};
use tend_app::{Error, msg};

use crate::helpers::{PASSWORD, TestTend, fields};

#[tokio::test]
async fn a_member_signs_up_and_signs_in_and_strangers_get_the_same_answer_as_wrong_passwords() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let sam = tend.member("sam").await;
        assert_eq!(
            accounts::sign_in(app, " SAM ", PASSWORD).await.unwrap(),
            sam.id
        );

        let wrong = accounts::sign_in(app, "sam", "not the password")
            .await
            .unwrap_err();
        let unknown = accounts::sign_in(app, "nobody", PASSWORD)
            .await
            .unwrap_err();
        for error in [wrong, unknown] {
            match error {
                Error::Invalid(problems) => {
                    assert_eq!(problems[0].field, "username");
                    assert_eq!(problems[0].message, msg("signin-mismatch"));
                }
                other => panic!("{other:?}"),
            }
        }

        let taken = SignUp {
            username: "Sam",
            password: PASSWORD,
            adult: true,
            display_name: "",
            pronouns: "",
        };
        let error = accounts::sign_up(app, taken).await.err().unwrap();
        assert_eq!(fields(&error), ["username"]);

        let everything_wrong = SignUp {
            username: "x",
            password: "short",
            adult: false,
            display_name: "",
            pronouns: "",
        };
        let error = accounts::sign_up(app, everything_wrong)
            .await
            .err()
            .unwrap();
        assert_eq!(fields(&error), ["username", "password", "adult"]);
    }
}

#[tokio::test]
async fn a_recovery_code_sets_a_new_password_once_and_ends_every_sign_in() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let input = SignUp {
            username: "ash",
            password: PASSWORD,
            adult: true,
            display_name: "",
            pronouns: "",
        };
        let account = accounts::sign_up(app, input).await.unwrap();
        let ash = account.member.id;
        let browser = accounts::begin_sign_in(app, ash, None).await.unwrap();
        let token = accounts::create_token(app, ash).await.unwrap();
        assert!(accounts::signed_in(app, &browser).await.unwrap().is_some());

        let code = account.recovery_codes[0].to_string();
        let new_password = "a brand new evening walk";
        assert_eq!(
            accounts::recover(app, "ash", &code, new_password)
                .await
                .unwrap(),
            ash
        );
        assert!(accounts::signed_in(app, &browser).await.unwrap().is_none());
        assert!(accounts::token_holder(app, &token).await.unwrap().is_none());
        assert_eq!(
            accounts::sign_in(app, "ash", new_password).await.unwrap(),
            ash
        );
        assert_eq!(accounts::recovery_codes_left(app, ash).await.unwrap(), 9);

        let again = accounts::recover(app, "ash", &code, "yet another long passphrase")
            .await
            .unwrap_err();
        assert_eq!(fields(&again), ["code"]);
    }
}

#[tokio::test]
async fn a_new_password_ends_the_other_sign_ins_and_keeps_this_one() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let sam = tend.member("sam").await;
        let phone = accounts::begin_sign_in(app, sam.id, None).await.unwrap();
        let laptop = accounts::begin_sign_in(app, sam.id, None).await.unwrap();
        let me = accounts::signed_in(app, &phone).await.unwrap().unwrap();

        let wrong = accounts::change_password(app, &me, "not it", "a long new passphrase")
            .await
            .unwrap_err();
        assert_eq!(fields(&wrong), ["current_password"]);
        accounts::change_password(app, &me, PASSWORD, "a long new passphrase")
            .await
            .unwrap();

        assert!(accounts::signed_in(app, &phone).await.unwrap().is_some());
        assert!(accounts::signed_in(app, &laptop).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_token_names_its_member_until_it_is_revoked() {
    for tend in TestTend::each_backend().await {
        let app = &tend.app;
        let sam = tend.member("sam").await;
        let token = accounts::create_token(app, sam.id).await.unwrap();
        let holder = accounts::token_holder(app, &token).await.unwrap().unwrap();
        assert_eq!(holder.member.id, sam.id);
        assert!(
            accounts::token_holder(app, "tend_made_up")
                .await
                .unwrap()
                .is_none()
        );
        accounts::revoke_token(app, &holder).await.unwrap();
        assert!(accounts::token_holder(app, &token).await.unwrap().is_none());
    }
}
