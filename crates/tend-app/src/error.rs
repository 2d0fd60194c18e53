//! What can go wrong in a use case, said once for both front doors: each maps an [`Error`]
//! to its own answer (the form again with the message, or problem JSON naming the field).
//! Messages are Fluent ids; the words live with the front ends' translations.

use tend_core::Rule;
use tend_store::StoreError;

/// Marks a message id written in code, so the translation test finds it.
pub const fn msg(id: &'static str) -> &'static str {
    id
}

/// A mistake in one field of a use case's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field, named as the input type names it (`username`, `off-limits-today`).
    pub field: String,
    /// For an input that is a list (a profile's answers), the entry the mistake is in.
    pub entry: Option<usize>,
    /// The message id saying what to fix.
    pub message: &'static str,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: &'static str) -> Self {
        Self {
            field: field.into(),
            entry: None,
            message,
        }
    }

    /// A broken domain rule, said with its message.
    pub fn rule(field: impl Into<String>, rule: &dyn Rule) -> Self {
        Self::new(field, rule_message(rule))
    }

    /// The same mistake, in entry `index` of a list.
    pub fn in_entry(self, index: usize) -> Self {
        Self {
            entry: Some(index),
            ..self
        }
    }
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such thing for this member: another member's circle, session or item looks the
    /// same as one that does not exist.
    #[error("not found")]
    NotFound,
    /// The input broke rules; nothing was changed.
    #[error("the input breaks {} rule(s)", .0.len())]
    Invalid(Vec<Problem>),
    /// It cannot happen as things stand now (a button pressed twice, a partner moved the
    /// session on, a follow-up already answered): a message id.
    #[error("not now: {0}")]
    NotNow(&'static str),
    /// Used up, expired or withdrawn (an invite link): a message id.
    #[error("no longer usable: {0}")]
    Gone(&'static str),
    /// Something went wrong on the server's side; the member is told only that.
    #[error("store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Internal(&'static str),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: &'static str) -> Self {
        Self::Invalid(vec![Problem::new(field, message)])
    }

    /// Whether this is the server's fault (and worth a log line), not the member's.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Store(_) | Self::Internal(_))
    }
}

/// A store's `NotFound` means "not this member's": the same as absent.
impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
