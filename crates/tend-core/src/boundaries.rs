//! Boundaries: limits, triggers, how a member responds to stress, what helps when they drop,
//! their signals. Each entry is private until the member shares it with a circle.

use serde::{Deserialize, Serialize};

use crate::profile::{TextError, parse_text};
use crate::rule::Rule;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundaryKind {
    HardLimit,
    SoftLimit,
    Trigger,
    StressResponse,
    DissociationSign,
    IfIFreezeDo,
    IfIFreezeDont,
    HealthNote,
    DropSign,
    DropHelp,
    OverrideImFine,
    Safeword,
    NonverbalSignal,
}

/// Boundaries shown together (and, later, shared with a circle together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoundaryGroup {
    Limits,
    Triggers,
    Responses,
    Health,
    Drop,
    Signals,
}

impl BoundaryGroup {
    pub const ALL: [BoundaryGroup; 6] = [
        Self::Limits,
        Self::Triggers,
        Self::Responses,
        Self::Health,
        Self::Drop,
        Self::Signals,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Limits => "limits",
            Self::Triggers => "triggers",
            Self::Responses => "responses",
            Self::Health => "health",
            Self::Drop => "drop",
            Self::Signals => "signals",
        }
    }

    pub fn kinds(self) -> impl Iterator<Item = BoundaryKind> {
        BoundaryKind::ALL
            .into_iter()
            .filter(move |k| k.group() == self)
    }
}

/// The four common stress responses; a member may name any number.
pub const STRESS_RESPONSES: [&str; 4] = ["fight", "flight", "freeze", "fawn"];

impl BoundaryKind {
    pub const ALL: [BoundaryKind; 13] = [
        Self::HardLimit,
        Self::SoftLimit,
        Self::Trigger,
        Self::StressResponse,
        Self::DissociationSign,
        Self::IfIFreezeDo,
        Self::IfIFreezeDont,
        Self::HealthNote,
        Self::DropSign,
        Self::DropHelp,
        Self::OverrideImFine,
        Self::Safeword,
        Self::NonverbalSignal,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HardLimit => "hard-limit",
            Self::SoftLimit => "soft-limit",
            Self::Trigger => "trigger",
            Self::StressResponse => "stress-response",
            Self::DissociationSign => "dissociation-sign",
            Self::IfIFreezeDo => "if-i-freeze-do",
            Self::IfIFreezeDont => "if-i-freeze-dont",
            Self::HealthNote => "health-note",
            Self::DropSign => "drop-sign",
            Self::DropHelp => "drop-help",
            Self::OverrideImFine => "override-im-fine",
            Self::Safeword => "safeword",
            Self::NonverbalSignal => "nonverbal-signal",
        }
    }

    pub fn group(self) -> BoundaryGroup {
        match self {
            Self::HardLimit | Self::SoftLimit => BoundaryGroup::Limits,
            Self::Trigger => BoundaryGroup::Triggers,
            Self::StressResponse
            | Self::DissociationSign
            | Self::IfIFreezeDo
            | Self::IfIFreezeDont => BoundaryGroup::Responses,
            Self::HealthNote => BoundaryGroup::Health,
            Self::DropSign | Self::DropHelp => BoundaryGroup::Drop,
            Self::OverrideImFine | Self::Safeword | Self::NonverbalSignal => BoundaryGroup::Signals,
        }
    }
}

/// One boundary entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Boundary {
    pub kind: BoundaryKind,
    /// What the member wrote; for a stress response one of [`STRESS_RESPONSES`]; for
    /// "may partners gently override my I'm fine", `yes` or `no`.
    pub text: String,
    /// A soft limit's "only if…".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BoundaryError {
    #[error("please write something")]
    Empty,
    #[error("this is longer than allowed")]
    TooLong,
    #[error("this contains characters that cannot be shown")]
    Control,
    #[error("only a soft limit has a condition")]
    ConditionNotAllowed,
    #[error("a stress response is fight, flight, freeze or fawn")]
    UnknownStressResponse,
    #[error("the answer is yes or no")]
    YesOrNo,
}

impl Rule for BoundaryError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "text-empty",
            Self::TooLong => "text-too-long",
            Self::Control => "text-control-characters",
            Self::ConditionNotAllowed => "boundary-condition-not-allowed",
            Self::UnknownStressResponse => "boundary-stress-response",
            Self::YesOrNo => "boundary-yes-or-no",
        }
    }
}

impl From<TextError> for BoundaryError {
    fn from(error: TextError) -> Self {
        match error {
            TextError::TooLong => Self::TooLong,
            TextError::Control => Self::Control,
            TextError::Empty => Self::Empty,
        }
    }
}

impl Boundary {
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(kind: BoundaryKind, text: &str, condition: &str) -> Result<Self, BoundaryError> {
        let text = parse_text(text, Self::MAX_CHARS)?.ok_or(BoundaryError::Empty)?;
        let condition = parse_text(condition, Self::MAX_CHARS)?;
        if condition.is_some() && kind != BoundaryKind::SoftLimit {
            return Err(BoundaryError::ConditionNotAllowed);
        }
        let text = match kind {
            BoundaryKind::StressResponse => {
                let lowered = text.to_lowercase();
                if !STRESS_RESPONSES.contains(&lowered.as_str()) {
                    return Err(BoundaryError::UnknownStressResponse);
                }
                lowered
            }
            BoundaryKind::OverrideImFine => {
                let lowered = text.to_lowercase();
                if lowered != "yes" && lowered != "no" {
                    return Err(BoundaryError::YesOrNo);
                }
                lowered
            }
            _ => text,
        };
        Ok(Self {
            kind,
            text,
            condition,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_every_kind_has_a_group() {
        for kind in BoundaryKind::ALL {
            assert_eq!(BoundaryKind::parse(kind.as_str()), Some(kind));
        }
        let grouped: usize = BoundaryGroup::ALL.iter().map(|g| g.kinds().count()).sum();
        assert_eq!(grouped, BoundaryKind::ALL.len());
        assert_eq!(BoundaryKind::parse("limit"), None);
    }

    #[test]
    fn only_a_soft_limit_takes_a_condition() {
        let soft = Boundary::parse(BoundaryKind::SoftLimit, "Tickling", "only if I ask").unwrap();
        assert_eq!(soft.condition.as_deref(), Some("only if I ask"));
        assert_eq!(
            Boundary::parse(BoundaryKind::HardLimit, "Tickling", "only if I ask"),
            Err(BoundaryError::ConditionNotAllowed)
        );
    }

    #[test]
    fn fixed_answers_are_checked_and_free_text_is_limited() {
        assert_eq!(
            Boundary::parse(BoundaryKind::StressResponse, "Freeze", "")
                .unwrap()
                .text,
            "freeze"
        );
        assert_eq!(
            Boundary::parse(BoundaryKind::StressResponse, "panic", ""),
            Err(BoundaryError::UnknownStressResponse)
        );
        assert_eq!(
            Boundary::parse(BoundaryKind::OverrideImFine, "maybe", ""),
            Err(BoundaryError::YesOrNo)
        );
        assert_eq!(
            Boundary::parse(BoundaryKind::Trigger, " ", ""),
            Err(BoundaryError::Empty)
        );
        assert_eq!(
            Boundary::parse(BoundaryKind::Trigger, &"x".repeat(1001), ""),
            Err(BoundaryError::TooLong)
        );
    }
}
