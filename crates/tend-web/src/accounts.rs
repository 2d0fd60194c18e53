//! What members do with their accounts, written once for pages and API alike: sign up, sign
//! in, change password, recover with a code. Each front end only renders the outcome.

use std::net::IpAddr;

use tend_core::{DisplayName, NewPassword, Pronouns, RecoveryCode, Rule, Username};
use tend_store::{Member, MemberId, NewMember, StoreError};

use crate::auth::{self, recovery_code_hash};
use crate::clock;
use crate::error::AppError;
use crate::i18n::msg;
use crate::state::AppState;

/// Why an account action did not happen.
#[derive(Debug)]
pub enum AccountError {
    /// The input broke rules: (form field, message id) pairs.
    Invalid(Vec<(&'static str, &'static str)>),
    /// Too many attempts from this client; try again in a minute.
    RateLimited,
    Internal(AppError),
}

impl<E: Into<AppError>> From<E> for AccountError {
    fn from(error: E) -> Self {
        Self::Internal(error.into())
    }
}

fn invalid(field: &'static str, id: &'static str) -> AccountError {
    AccountError::Invalid(vec![(field, id)])
}

/// The message id for a broken rule: `rule-<code>`.
pub fn rule_message(rule: &dyn Rule) -> &'static str {
    match rule.code() {
        "username-too-short" => msg("rule-username-too-short"),
        "username-too-long" => msg("rule-username-too-long"),
        "username-characters" => msg("rule-username-characters"),
        "password-too-short" => msg("rule-password-too-short"),
        "password-too-long" => msg("rule-password-too-long"),
        "password-common" => msg("rule-password-common"),
        "password-same-as-username" => msg("rule-password-same-as-username"),
        "text-too-long" => msg("rule-text-too-long"),
        "text-control-characters" => msg("rule-text-control-characters"),
        "recovery-code-format" => msg("rule-recovery-code-format"),
        "text-empty" => msg("rule-text-empty"),
        "answer-given-rating-on-shared" => msg("rule-answer-given-rating-on-shared"),
        "answer-shared-rating-on-given" => msg("rule-answer-shared-rating-on-given"),
        "custom-label-empty" => msg("rule-custom-label-empty"),
        "custom-label-too-long" => msg("rule-custom-label-too-long"),
        "custom-label-duplicate" => msg("rule-custom-label-duplicate"),
        "custom-items-too-many" => msg("rule-custom-items-too-many"),
        "boundary-condition-not-allowed" => msg("rule-boundary-condition-not-allowed"),
        "boundary-stress-response" => msg("rule-boundary-stress-response"),
        "boundary-yes-or-no" => msg("rule-boundary-yes-or-no"),
        "circle-name-empty" => msg("rule-circle-name-empty"),
        "circle-name-too-long" => msg("rule-circle-name-too-long"),
        _ => msg("rule-unknown"),
    }
}

pub struct SignUp<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub adult: bool,
    pub display_name: &'a str,
    pub pronouns: &'a str,
}

pub struct NewAccount {
    pub member: Member,
    pub recovery_codes: Vec<RecoveryCode>,
}

pub async fn sign_up(state: &AppState, input: SignUp<'_>) -> Result<NewAccount, AccountError> {
    let mut problems = Vec::new();
    let username = Username::parse(input.username)
        .map_err(|e| problems.push(("username", rule_message(&e))))
        .ok();
    let password = NewPassword::parse(input.password, input.username)
        .map_err(|e| problems.push(("password", rule_message(&e))))
        .ok();
    if !input.adult {
        problems.push(("adult", msg("signup-adult-required")));
    }
    let display_name = DisplayName::parse(input.display_name)
        .map_err(|e| problems.push(("display_name", rule_message(&e))))
        .ok()
        .flatten();
    let pronouns = Pronouns::parse(input.pronouns)
        .map_err(|e| problems.push(("pronouns", rule_message(&e))))
        .ok()
        .flatten();
    let (Some(username), Some(password), true) = (username, password, problems.is_empty()) else {
        return Err(AccountError::Invalid(problems));
    };
    let canonical = username.canonical();
    // Checked before the slow hash so a taken name answers at once; the insert below still
    // decides races.
    if state.store.credentials(&canonical).await?.is_some() {
        return Err(invalid("username", msg("signup-username-taken")));
    }
    let password_hash = state.passwords.hash(password.expose()).await?;
    let (recovery_codes, recovery_code_hashes) = auth::new_recovery_codes()?;
    let new = NewMember {
        username,
        password_hash,
        display_name,
        pronouns,
        recovery_code_hashes,
    };
    match state.store.create_member(new, clock::now()).await {
        Ok(member) => Ok(NewAccount {
            member,
            recovery_codes,
        }),
        Err(StoreError::Conflict) => Err(invalid("username", msg("signup-username-taken"))),
        Err(error) => Err(error.into()),
    }
}

/// Counts an attempt from `client`; false once the client has used up this minute's attempts.
fn allow_attempt(state: &AppState, client: IpAddr) -> bool {
    state.sign_in_limiter.check_key(&client).is_ok()
}

/// The member whose username and password these are. Unknown usernames and wrong passwords
/// get the same answer after the same work.
pub async fn sign_in(
    state: &AppState,
    client: IpAddr,
    username: &str,
    password: &str,
) -> Result<MemberId, AccountError> {
    if !allow_attempt(state, client) {
        return Err(AccountError::RateLimited);
    }
    let canonical = username.trim().to_ascii_lowercase();
    let credentials = state.store.credentials(&canonical).await?;
    // Without a member, `verify` checks a dummy hash: the answer takes as long either way.
    let hash = credentials.as_ref().map(|c| c.password_hash.as_str());
    let matches = state.passwords.verify(password, hash).await;
    match credentials {
        Some(found) if matches => Ok(found.member_id),
        _ => Err(invalid("username", msg("signin-mismatch"))),
    }
}

pub async fn change_password(
    state: &AppState,
    member: &Member,
    current: &str,
    new: &str,
) -> Result<(), AccountError> {
    let credentials = state
        .store
        .credentials(&member.username.to_ascii_lowercase())
        .await?;
    let hash = credentials.as_ref().map(|c| c.password_hash.as_str());
    if !state.passwords.verify(current, hash).await {
        return Err(invalid("current_password", msg("password-current-wrong")));
    }
    let new = NewPassword::parse(new, &member.username)
        .map_err(|e| invalid("new_password", rule_message(&e)))?;
    let hash = state.passwords.hash(new.expose()).await?;
    state.store.set_password_hash(member.id, &hash).await?;
    Ok(())
}

/// Sets a new password with a recovery code, which is then used up. Every session and token
/// of the member ends: whoever had the old password is out.
pub async fn recover(
    state: &AppState,
    client: IpAddr,
    username: &str,
    code: &str,
    new_password: &str,
) -> Result<MemberId, AccountError> {
    if !allow_attempt(state, client) {
        return Err(AccountError::RateLimited);
    }
    let password = NewPassword::parse(new_password, username)
        .map_err(|e| invalid("new_password", rule_message(&e)))?;
    let mismatch = || invalid("code", msg("recover-mismatch"));
    let code = RecoveryCode::parse(code).map_err(|_| mismatch())?;
    let canonical = username.trim().to_ascii_lowercase();
    let Some(credentials) = state.store.credentials(&canonical).await? else {
        return Err(mismatch());
    };
    let used = state
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
    let hash = state.passwords.hash(password.expose()).await?;
    state
        .store
        .set_password_hash(credentials.member_id, &hash)
        .await?;
    state
        .store
        .sign_out_everywhere(credentials.member_id)
        .await?;
    Ok(credentials.member_id)
}
