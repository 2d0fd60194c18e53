//! Circles: 2–8 members who share aftercare with each other. Joining is by a single-use,
//! expiring invite; leaving is instant; nobody owns a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::boundaries::BoundaryKind;
use crate::profile::{TextError, parse_text};
use crate::reveal::{Share, Sharing};
use crate::rule::Rule;

/// Most members a circle may have.
pub const MAX_MEMBERS: usize = 8;

/// How long an invite link works unless revoked or used.
pub const INVITE_LIFETIME: Duration = Duration::from_secs(72 * 60 * 60);

/// A circle's name, seen by its members only: 1–60 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CircleName(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CircleNameError {
    #[error("a circle needs a name")]
    Empty,
    #[error("a circle's name has at most 60 characters")]
    TooLong,
    #[error("this name contains characters that cannot be shown")]
    Control,
}

impl Rule for CircleNameError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "circle-name-empty",
            Self::TooLong => "circle-name-too-long",
            Self::Control => "text-control-characters",
        }
    }
}

impl CircleName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, CircleNameError> {
        match parse_text(raw, Self::MAX_CHARS) {
            Ok(Some(text)) if !text.contains('\n') => Ok(Self(text)),
            Ok(Some(_)) | Err(TextError::Control) => Err(CircleNameError::Control),
            Ok(None) | Err(TextError::Empty) => Err(CircleNameError::Empty),
            Err(TextError::TooLong) => Err(CircleNameError::TooLong),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A section a member can share with a circle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Answers,
    CustomItems,
    Boundary(BoundaryKind),
}

impl Section {
    pub fn all() -> impl Iterator<Item = Section> {
        [Self::Answers, Self::CustomItems]
            .into_iter()
            .chain(BoundaryKind::ALL.into_iter().map(Self::Boundary))
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "answers" => Some(Self::Answers),
            "custom-items" => Some(Self::CustomItems),
            other => BoundaryKind::parse(other).map(Self::Boundary),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answers => "answers",
            Self::CustomItems => "custom-items",
            Self::Boundary(kind) => kind.as_str(),
        }
    }

    /// Answers are matched under the reveal rules by default; boundaries and custom items
    /// stay private until the member chooses to share them.
    pub fn default_share(self) -> Share {
        match self {
            Self::Answers => Share::Matches,
            Self::CustomItems | Self::Boundary(_) => Share::Nothing,
        }
    }
}

/// What one member shares with one circle, section by section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleSharing {
    /// Section name → share; a section not named has its default.
    #[serde(default)]
    sections: BTreeMap<String, String>,
}

impl CircleSharing {
    pub fn get(&self, section: Section) -> Share {
        self.sections
            .get(section.as_str())
            .and_then(|value| Share::parse(value))
            .unwrap_or(section.default_share())
    }

    pub fn set(&mut self, section: Section, share: Share) {
        self.sections
            .insert(section.as_str().to_owned(), share.as_str().to_owned());
    }

    /// Whether a boundary entry of `kind` reaches `circle`. An entry says which circles it is
    /// shared with; one from before entries were shared one by one (`None`) follows its
    /// kind's choice here.
    pub fn shares_entry<C: Ord>(
        &self,
        kind: BoundaryKind,
        shared_with: Option<&BTreeSet<C>>,
        circle: &C,
    ) -> bool {
        match shared_with {
            Some(circles) => circles.contains(circle),
            None => self.get(Section::Boundary(kind)) == Share::Everything,
        }
    }

    /// How a kind of boundary is shared with a circle, from whether each of its entries is
    /// (`ticks`): `Everything` when all are, `Nothing` when none are (or there are none), and
    /// `Matches` (here: "some, entry by entry") in between.
    pub fn kind_share(ticks: impl IntoIterator<Item = bool>) -> Share {
        let (mut shared, mut private) = (false, false);
        for tick in ticks {
            if tick {
                shared = true;
            } else {
                private = true;
            }
        }
        match (shared, private) {
            (true, false) => Share::Everything,
            (true, true) => Share::Matches,
            (false, _) => Share::Nothing,
        }
    }

    /// The choices the reveal rules take.
    pub fn for_reveal(&self) -> Sharing {
        Sharing {
            answers: self.get(Section::Answers),
            custom_items: self.get(Section::CustomItems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_lasts_three_days_and_each_name_rule_has_its_own_code() {
        assert_eq!(INVITE_LIFETIME, Duration::from_secs(3 * 24 * 3600));
        let codes: Vec<&str> = [
            CircleNameError::Empty,
            CircleNameError::TooLong,
            CircleNameError::Control,
        ]
        .iter()
        .map(Rule::code)
        .collect();
        assert_eq!(
            codes,
            [
                "circle-name-empty",
                "circle-name-too-long",
                "text-control-characters"
            ]
        );
    }

    #[test]
    fn a_boundary_entry_reaches_only_the_circles_it_names() {
        let mut sharing = CircleSharing::default();
        let kind = BoundaryKind::HardLimit;
        let us = BTreeSet::from([1]);
        assert!(sharing.shares_entry(kind, Some(&us), &1));
        assert!(!sharing.shares_entry(kind, Some(&us), &2));
        assert!(!sharing.shares_entry(kind, Some(&BTreeSet::new()), &1));
        // Sharing the kind does not share an entry that names its circles.
        sharing.set(Section::Boundary(kind), Share::Everything);
        assert!(!sharing.shares_entry(kind, Some(&us), &2));
        // An entry from before follows its kind's choice.
        assert!(sharing.shares_entry(kind, None::<&BTreeSet<i32>>, &2));
        sharing.set(Section::Boundary(kind), Share::Nothing);
        assert!(!sharing.shares_entry(kind, None::<&BTreeSet<i32>>, &2));
    }

    #[test]
    fn a_kind_is_shared_as_its_entries_are() {
        assert_eq!(CircleSharing::kind_share([]), Share::Nothing);
        assert_eq!(CircleSharing::kind_share([false, false]), Share::Nothing);
        assert_eq!(CircleSharing::kind_share([true, false]), Share::Matches);
        assert_eq!(CircleSharing::kind_share([false, true]), Share::Matches);
        assert_eq!(CircleSharing::kind_share([true, true]), Share::Everything);
    }

    #[test]
    fn the_reveal_rules_take_the_answers_and_own_items_choices() {
        let mut sharing = CircleSharing::default();
        sharing.set(Section::Answers, Share::Everything);
        sharing.set(Section::CustomItems, Share::Nothing);
        assert_eq!(
            sharing.for_reveal(),
            Sharing {
                answers: Share::Everything,
                custom_items: Share::Nothing
            }
        );
    }

    #[test]
    fn circle_names_are_short_single_lines() {
        assert_eq!(
            CircleName::parse("  Us three ").unwrap().as_str(),
            "Us three"
        );
        assert_eq!(CircleName::parse(" "), Err(CircleNameError::Empty));
        assert_eq!(
            CircleName::parse(&"x".repeat(61)),
            Err(CircleNameError::TooLong)
        );
        assert_eq!(CircleName::parse("a\nb"), Err(CircleNameError::Control));
    }

    #[test]
    fn sharing_defaults_to_matches_for_answers_and_private_for_the_rest() {
        let mut sharing = CircleSharing::default();
        assert_eq!(sharing.get(Section::Answers), Share::Matches);
        assert_eq!(sharing.get(Section::CustomItems), Share::Nothing);
        assert_eq!(
            sharing.get(Section::Boundary(BoundaryKind::HardLimit)),
            Share::Nothing
        );
        sharing.set(
            Section::Boundary(BoundaryKind::HardLimit),
            Share::Everything,
        );
        assert_eq!(
            sharing.get(Section::Boundary(BoundaryKind::HardLimit)),
            Share::Everything
        );
        for section in Section::all() {
            assert_eq!(Section::parse(section.as_str()), Some(section));
        }
        assert_eq!(Section::parse("secrets"), None);
    }
}
