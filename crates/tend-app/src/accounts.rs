//! What members do with their accounts: sign up, sign in (a browser's sign-in or an API
//! token), change the password, recover with a code, sign out everywhere, discreet mode.
//! Rate limits are the front door's: they count requests, which only it sees.

use tend_core::{DisplayName, NewPassword, Pronouns, RecoveryCode, Username};
use tend_store::{Member, MemberId, NewMember, StoreError};

use crate::app::App;
use crate::clock;
use crate::error::{Error, Problem, Result, msg};
use crate::secrets::{self, recovery_code_hash, secret_hash};

pub struct SignUp<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub adult: bool,
    pub display_name: &'a str,
    pub pronouns: &'a str,
}

pub struct NewAccount {
    pub member: Member,
    /// Shown once; only their hashes are kept.
    pub recovery_codes: Vec<RecoveryCode>,
}

pub async fn sign_up(app: &App, input: SignUp<'_>) -> Result<NewAccount> {
    let mut problems = Vec::new();
    let username = Username::parse(input.username)
        .map_err(|e| problems.push(Problem::rule("username", &e)))
        .ok();
    let password = NewPassword::parse(input.password, input.username)
        .map_err(|e| problems.push(Problem::rule("password", &e)))
        .ok();
    if !input.adult {
        problems.push(Problem::new("adult", msg("signup-adult-required")));
    }
    let display_name = DisplayName::parse(input.display_name)
        .map_err(|e| problems.push(Problem::rule("display_name", &e)))
        .ok()
        .flatten();
    let pronouns = Pronouns::parse(input.pronouns)
        .map_err(|e| problems.push(Problem::rule("pronouns", &e)))
        .ok()
        .flatten();
    let (Some(username), Some(password), true) = (username, password, problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let canonical = username.canonical();
    // Checked before the slow hash so a taken name answers at once; the insert below still
    // decides races.
    if app.store.credentials(&canonical).await?.is_some() {
        return Err(Error::invalid("username", msg("signup-username-taken")));
    }
    let password_hash = app.passwords.hash(password.expose()).await?;
    let (recovery_codes, recovery_code_hashes) = secrets::new_recovery_codes()?;
    let new = NewMember {
        username,
        password_hash,
        display_name,
        pronouns,
        recovery_code_hashes,
    };
    match app.store.create_member(new, clock::now()).await {
        Ok(member) => Ok(NewAccount {
            member,
            recovery_codes,
        }),
        Err(StoreError::Conflict) => Err(Error::invalid("username", msg("signup-username-taken"))),
        Err(error) => Err(error.into()),
    }
}

/// The member whose username and password these are. Unknown usernames and wrong passwords
/// get the same answer after the same work.
pub async fn sign_in(app: &App, username: &str, password: &str) -> Result<MemberId> {
    let canonical = username.trim().to_ascii_lowercase();
    let credentials = app.store.credentials(&canonical).await?;
    // Without a member, `verify` checks a dummy hash: the answer takes as long either way.
    let hash = credentials.as_ref().map(|c| c.password_hash.as_str());
    let matches = app.passwords.verify(password, hash).await;
    match credentials {
        Some(found) if matches => Ok(found.member_id),
        _ => Err(Error::invalid("username", msg("signin-mismatch"))),
    }
}

/// A browser's sign-in: the member, and the hash of the secret its cookie holds.
#[derive(Clone)]
pub struct SignedIn {
    pub member: Member,
    pub session_hash: [u8; 32],
}

/// Starts a sign-in for `member` and returns the secret for the browser's cookie; the
/// browser's `previous` sign-in, if any, ends. A new secret at every sign-in, so one planted
/// before is never promoted.
pub async fn begin_sign_in(
    app: &App,
    member: MemberId,
    previous: Option<&SignedIn>,
) -> Result<String> {
    if let Some(previous) = previous {
        app.store.delete_session(&previous.session_hash).await?;
    }
    let secret = secrets::random_secret()?;
    app.store
        .create_session(&secret_hash(&secret), member, clock::now())
        .await?;
    Ok(secret)
}

/// The member of the sign-in whose secret is `secret`, if it is alive. An expired sign-in is
/// deleted on sight.
pub async fn signed_in(app: &App, secret: &str) -> Result<Option<SignedIn>> {
    let session_hash = secret_hash(secret);
    let Some(session) = app.store.session(&session_hash).await? else {
        return Ok(None);
    };
    let now = clock::now();
    let policy = app.settings.session;
    if !policy.is_alive(session.created_at, session.last_seen_at, now) {
        app.store.delete_session(&session_hash).await?;
        return Ok(None);
    }
    if policy.should_touch(session.last_seen_at, now) {
        app.store.touch_session(&session_hash, now).await?;
    }
    match app.store.member(session.member_id).await {
        Ok(member) => Ok(Some(SignedIn {
            member,
            session_hash,
        })),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Ends one browser's sign-in (sign out, lock now). The member's open pages are nudged, so
/// the ones of this sign-in find it gone and go to the sign-in page.
pub async fn end_sign_in(app: &App, signed_in: &SignedIn) -> Result<()> {
    app.store.delete_session(&signed_in.session_hash).await?;
    app.bus.publish(signed_in.member.id);
    Ok(())
}

/// Quick exit: ends the sign-in whose cookie holds `secret` at once, alive or expired, and
/// nudges the member's open pages as `end_sign_in` does. Nothing else is read or touched; a
/// secret that names no sign-in changes nothing.
pub async fn end_sign_in_now(app: &App, secret: &str) -> Result<()> {
    let session_hash = secret_hash(secret);
    let Some(session) = app.store.session(&session_hash).await? else {
        return Ok(());
    };
    app.store.delete_session(&session_hash).await?;
    app.bus.publish(session.member_id);
    Ok(())
}

/// Whether the sign-in with this hash is still alive (not ended, not expired), without
/// counting as use: open live streams ask this to end when their sign-in has.
pub(crate) async fn still_signed_in(app: &App, session_hash: &[u8; 32]) -> Result<bool> {
    let Some(session) = app.store.session(session_hash).await? else {
        return Ok(false);
    };
    let policy = app.settings.session;
    Ok(policy.is_alive(session.created_at, session.last_seen_at, clock::now()))
}

/// Ends every sign-in and API token of the member. Nobody is told; their open pages are
/// nudged, and go to the sign-in page.
pub async fn sign_out_everywhere(app: &App, me: MemberId) -> Result<()> {
    app.store.sign_out_everywhere(me).await?;
    app.bus.publish(me);
    Ok(())
}

/// Forgets sign-ins that have expired; how many.
pub async fn forget_expired_sign_ins(app: &App) -> Result<u64> {
    let now = clock::now();
    let policy = app.settings.session;
    Ok(app
        .store
        .delete_expired_sessions(now.before(policy.idle), now.before(policy.absolute))
        .await?)
}

/// A new password; every other sign-in of the member ends, this one stays.
pub async fn change_password(app: &App, me: &SignedIn, current: &str, new: &str) -> Result<()> {
    let member = &me.member;
    let credentials = app
        .store
        .credentials(&member.username.to_ascii_lowercase())
        .await?;
    let hash = credentials.as_ref().map(|c| c.password_hash.as_str());
    if !app.passwords.verify(current, hash).await {
        return Err(Error::invalid(
            "current_password",
            msg("password-current-wrong"),
        ));
    }
    let new = NewPassword::parse(new, &member.username)
        .map_err(|e| Error::Invalid(vec![Problem::rule("new_password", &e)]))?;
    let hash = app.passwords.hash(new.expose()).await?;
    app.store.set_password_hash(member.id, &hash).await?;
    app.store
        .delete_other_sessions(member.id, &me.session_hash)
        .await?;
    // The other sign-ins' open pages find theirs gone.
    app.bus.publish(member.id);
    Ok(())
}

/// Sets a new password with a recovery code, which is then used up. Every sign-in and token
/// of the member ends: whoever had the old password is out.
pub async fn recover(
    app: &App,
    username: &str,
    code: &str,
    new_password: &str,
) -> Result<MemberId> {
    let password = NewPassword::parse(new_password, username)
        .map_err(|e| Error::Invalid(vec![Problem::rule("new_password", &e)]))?;
    let mismatch = || Error::invalid("code", msg("recover-mismatch"));
    let code = RecoveryCode::parse(code).map_err(|_| mismatch())?;
    let canonical = username.trim().to_ascii_lowercase();
    let Some(credentials) = app.store.credentials(&canonical).await? else {
        return Err(mismatch());
    };
    let used = app
        .store
        .use_recovery_code(
            credentials.member_id,
            &recovery_code_hash(&code),
            clock::now(),
        )
        .await?;
    if !used {
        return Err(mismatch());
    }
    let hash = app.passwords.hash(password.expose()).await?;
    app.store
        .set_password_hash(credentials.member_id, &hash)
        .await?;
    app.store.sign_out_everywhere(credentials.member_id).await?;
    app.bus.publish(credentials.member_id);
    Ok(credentials.member_id)
}

/// How many of the member's recovery codes are still unused.
pub async fn recovery_codes_left(app: &App, me: MemberId) -> Result<u32> {
    Ok(app.store.unused_recovery_codes(me).await?)
}

/// A fresh set of recovery codes, shown once; the old ones stop working.
pub async fn replace_recovery_codes(app: &App, me: MemberId) -> Result<Vec<RecoveryCode>> {
    let (codes, hashes) = secrets::new_recovery_codes()?;
    app.store.replace_recovery_codes(me, &hashes).await?;
    Ok(codes)
}

/// Discreet mode: a neutral name, and notifications that say nothing of what they are about.
pub async fn set_discreet(app: &App, me: MemberId, on: bool) -> Result<()> {
    Ok(app.store.set_discreet(me, on).await?)
}

/// The member behind an API token, and the hash of the token (to revoke it).
pub struct TokenHolder {
    pub member: Member,
    pub token_hash: [u8; 32],
}

/// A new API token for `member` (shown once; only its hash is kept).
pub async fn create_token(app: &App, member: MemberId) -> Result<String> {
    let token = format!("tend_{}", secrets::random_secret()?);
    app.store
        .create_api_token(&secret_hash(&token), member, clock::now())
        .await?;
    Ok(token)
}

/// Whose token this is, if it is a live one.
pub async fn token_holder(app: &App, token: &str) -> Result<Option<TokenHolder>> {
    let token_hash = secret_hash(token);
    let Some(member_id) = app.store.api_token_member(&token_hash).await? else {
        return Ok(None);
    };
    match app.store.member(member_id).await {
        Ok(member) => Ok(Some(TokenHolder { member, token_hash })),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Revokes the token a request carried.
pub async fn revoke_token(app: &App, holder: &TokenHolder) -> Result<()> {
    Ok(app.store.delete_api_token(&holder.token_hash).await?)
}
