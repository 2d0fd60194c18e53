//! Recovery codes: the way back in for a member who forgot their password, with no e-mail.
//!
//! Each code carries 80 random bits, written as 16 characters of Crockford's base32 in four
//! groups (`7kq2-m9xd-…`), easy to copy by hand. Letters that look alike are read leniently.

use std::fmt;

use crate::rule::Rule;

/// Crockford's base32 alphabet in lower case: no i, l, o or u.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const CHARS: usize = 16;

/// One recovery code. How it is stored (hashed) is the store's business.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("this is not a recovery code")]
pub struct RecoveryCodeError;

impl Rule for RecoveryCodeError {
    fn code(&self) -> &'static str {
        "recovery-code-format"
    }
}

impl RecoveryCode {
    /// How many codes a member gets at sign-up.
    pub const PER_MEMBER: usize = 10;

    /// A code from 10 random bytes supplied by the caller.
    pub fn from_random(bytes: [u8; 10]) -> Self {
        let mut bits: u128 = 0;
        for byte in bytes {
            bits = (bits << 8) | u128::from(byte);
        }
        let code = (0..CHARS)
            .rev()
            .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]))
            .collect();
        Self(code)
    }

    /// Reads a code as a person may type it: any case, with or without dashes and spaces,
    /// `i`/`l` for `1` and `o` for `0`.
    pub fn parse(raw: &str) -> Result<Self, RecoveryCodeError> {
        let code: String = raw
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t'))
            .map(|c| match c.to_ascii_lowercase() {
                'i' | 'l' => '1',
                'o' => '0',
                other => other,
            })
            .collect();
        let valid = code.len() == CHARS && code.bytes().all(|b| ALPHABET.contains(&b));
        if valid {
            Ok(Self(code))
        } else {
            Err(RecoveryCodeError)
        }
    }

    /// The canonical 16 characters, without dashes: what gets hashed.
    pub fn canonical(&self) -> &str {
        &self.0
    }
}

/// Shown in groups of four for reading aloud or copying by hand.
impl fmt::Display for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_shown_in_four_groups_of_four() {
        let code = RecoveryCode::from_random([0xff; 10]);
        assert_eq!(code.to_string(), "zzzz-zzzz-zzzz-zzzz");
        let zero = RecoveryCode::from_random([0; 10]);
        assert_eq!(zero.to_string(), "0000-0000-0000-0000");
    }

    #[test]
    fn typed_codes_are_read_leniently() {
        let code = RecoveryCode::parse(" 7KQ2 m9xd-OIL0-abcd ").unwrap();
        assert_eq!(code.canonical(), "7kq2m9xd0110abcd");
        assert_eq!(RecoveryCode::parse("too-short"), Err(RecoveryCodeError));
        assert_eq!(
            RecoveryCode::parse("uuuu-uuuu-uuuu-uuuu"),
            Err(RecoveryCodeError)
        );
    }

    proptest! {
        #[test]
        fn a_shown_code_parses_back_to_itself(bytes in any::<[u8; 10]>()) {
            let code = RecoveryCode::from_random(bytes);
            prop_assert!(RecoveryCode::parse(&code.to_string()).unwrap() == code);
        }

        #[test]
        fn different_random_bytes_give_different_codes(a in any::<[u8; 10]>(), b in any::<[u8; 10]>()) {
            prop_assume!(a != b);
            prop_assert!(RecoveryCode::from_random(a) != RecoveryCode::from_random(b));
        }
    }
}
