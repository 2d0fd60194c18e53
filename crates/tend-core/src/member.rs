//! What a member's username, password, display name and pronouns may be.
//!
//! Parse, don't validate: each type can only be built through `parse`, so a value that exists
//! is valid everywhere it travels.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use crate::rule::Rule;

/// A member's sign-in name: 3–32 ASCII letters, digits, `-` or `_`. Unique without regard to
/// case, so `Sam` and `sam` cannot both exist. ASCII only, so that look-alike letters from
/// other scripts cannot imitate a partner's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("a username needs at least 3 characters")]
    TooShort,
    #[error("a username has at most 32 characters")]
    TooLong,
    #[error("a username uses only letters, digits, - and _")]
    Characters,
}

impl Rule for UsernameError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "username-too-short",
            Self::TooLong => "username-too-long",
            Self::Characters => "username-characters",
        }
    }
}

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let raw = raw.trim();
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(UsernameError::Characters);
        }
        match raw.len() {
            n if n < Self::MIN_CHARS => Err(UsernameError::TooShort),
            n if n > Self::MAX_CHARS => Err(UsernameError::TooLong),
            _ => Ok(Self(raw.to_owned())),
        }
    }

    /// The name as the member typed it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that decides uniqueness and sign-in: lower case.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password a member chooses: at least 10 characters, not one of the passwords that lists of
/// leaked passwords show people choose most, and not the username itself.
pub struct NewPassword(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least 10 characters")]
    TooShort,
    #[error("a password has at most 256 characters")]
    TooLong,
    #[error("this password is too common")]
    Common,
    #[error("a password must differ from the username")]
    SameAsUsername,
}

impl Rule for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password-too-short",
            Self::TooLong => "password-too-long",
            Self::Common => "password-common",
            Self::SameAsUsername => "password-same-as-username",
        }
    }
}

/// Common passwords shipped inside the binary (see `data/README.md` for their source).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty())
        .collect()
});

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    /// Long enough for any passphrase, short enough that hashing cannot be used to tire the server.
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str, username: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        let lowered = raw.to_lowercase();
        if lowered == username.trim().to_lowercase() {
            return Err(PasswordError::SameAsUsername);
        }
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            return Err(PasswordError::Common);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// The name partners see, as the member likes to be called. Optional; up to 64 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

/// How a member would like to be referred to, e.g. "they/them". Optional; up to 32 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pronouns(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FreeTextError {
    #[error("this is too long")]
    TooLong,
    #[error("this contains characters that cannot be shown")]
    Control,
}

impl Rule for FreeTextError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLong => "text-too-long",
            Self::Control => "text-control-characters",
        }
    }
}

/// Trims `raw`; an empty result means "not given".
fn parse_short_text(raw: &str, max_chars: usize) -> Result<Option<String>, FreeTextError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().any(char::is_control) {
        return Err(FreeTextError::Control);
    }
    if text.chars().count() > max_chars {
        return Err(FreeTextError::TooLong);
    }
    Ok(Some(text.to_owned()))
}

impl DisplayName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Option<Self>, FreeTextError> {
        Ok(parse_short_text(raw, Self::MAX_CHARS)?.map(Self))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Pronouns {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Option<Self>, FreeTextError> {
        Ok(parse_short_text(raw, Self::MAX_CHARS)?.map(Self))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn usernames_keep_their_case_but_compare_without_it() {
        let name = Username::parse("  Sam_R-2 ").unwrap();
        assert_eq!(name.as_str(), "Sam_R-2");
        assert_eq!(name.canonical(), "sam_r-2");
    }

    #[test]
    fn usernames_outside_the_rules_are_refused_with_the_rule_broken() {
        assert_eq!(Username::parse("ab"), Err(UsernameError::TooShort));
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(UsernameError::TooLong)
        );
        assert_eq!(Username::parse("sam r"), Err(UsernameError::Characters));
        assert_eq!(
            Username::parse("sаm"),
            Err(UsernameError::Characters),
            "Cyrillic а"
        );
        assert!(Username::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn passwords_must_be_long_uncommon_and_not_the_username() {
        assert_eq!(
            NewPassword::parse("short", "sam").unwrap_err(),
            PasswordError::TooShort
        );
        assert_eq!(
            NewPassword::parse("Password123", "sam").unwrap_err(),
            PasswordError::Common
        );
        assert_eq!(
            NewPassword::parse("Samantha-99", "samantha-99").unwrap_err(),
            PasswordError::SameAsUsername
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(257), "sam").unwrap_err(),
            PasswordError::TooLong
        );
        assert!(NewPassword::parse("quiet tea after rain", "sam").is_ok());
    }

    #[test]
    fn the_common_password_list_is_shipped_and_sizeable() {
        assert!(COMMON_PASSWORDS.len() > 1000, "{}", COMMON_PASSWORDS.len());
        for common in ["1234567890", "qwertyuiop"] {
            assert_eq!(
                NewPassword::parse(common, "sam").unwrap_err(),
                PasswordError::Common,
                "{common}"
            );
        }
    }

    #[test]
    fn optional_text_is_trimmed_and_empty_means_not_given() {
        assert_eq!(DisplayName::parse("   ").unwrap(), None);
        assert_eq!(
            Pronouns::parse(" they/them ").unwrap().unwrap().as_str(),
            "they/them"
        );
        assert_eq!(
            DisplayName::parse(&"é".repeat(65)).unwrap_err(),
            FreeTextError::TooLong
        );
        assert_eq!(
            DisplayName::parse("a\u{7}b").unwrap_err(),
            FreeTextError::Control
        );
    }

    proptest! {
        #[test]
        fn every_parsed_username_round_trips(raw in "[A-Za-z0-9_-]{3,32}") {
            let name = Username::parse(&raw).unwrap();
            prop_assert_eq!(Username::parse(name.as_str()).unwrap(), name.clone());
            prop_assert_eq!(name.canonical(), raw.to_ascii_lowercase());
        }

        #[test]
        fn parsing_any_text_never_panics(raw in any::<String>()) {
            let _ = Username::parse(&raw);
            let _ = NewPassword::parse(&raw, "sam");
            let _ = DisplayName::parse(&raw);
            let _ = RecoveryCodeProbe::parse(&raw);
        }
    }

    use crate::RecoveryCode as RecoveryCodeProbe;
}
