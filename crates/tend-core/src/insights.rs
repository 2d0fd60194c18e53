//! Insights: a member's own trends, drawn from their reflections after sessions and at
//! follow-ups — mood over time, mood through the drop window, which steps were done when they
//! felt best, and how often drop came. Private to the member; a reflection's entries are
//! shared only one by one, as the member ticks them (`Reflection::share`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// How a member felt, from 1 (very low) to 5 (very good).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Mood(u8);

impl Mood {
    pub const LOWEST: u8 = 1;
    pub const HIGHEST: u8 = 5;
    /// From this mood on, a session counts as one where the member felt at their best.
    const GOOD: u8 = 4;

    pub fn new(value: u8) -> Option<Self> {
        (Self::LOWEST..=Self::HIGHEST)
            .contains(&value)
            .then_some(Self(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Mood {
    type Error = String;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value).ok_or_else(|| format!("a mood is 1 to 5, not {value}"))
    }
}

impl From<Mood> for u8 {
    fn from(mood: Mood) -> Self {
        mood.0
    }
}

/// When a reflection was written: right after the session, or at a follow-up some hours on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Moment {
    AfterSession,
    FollowUp { hours: u16 },
}

impl Moment {
    /// Hours after the session (0 right after it).
    pub fn hours(self) -> u16 {
        match self {
            Self::AfterSession => 0,
            Self::FollowUp { hours } => hours,
        }
    }
}

/// A feeling a member can pick after a session (chips: words can be hard).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feeling {
    Calm,
    Close,
    Happy,
    Tender,
    Tired,
    Numb,
    Anxious,
    Sad,
    Irritable,
    Ashamed,
}

impl Feeling {
    pub const ALL: [Feeling; 10] = [
        Self::Calm,
        Self::Close,
        Self::Happy,
        Self::Tender,
        Self::Tired,
        Self::Numb,
        Self::Anxious,
        Self::Sad,
        Self::Irritable,
        Self::Ashamed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calm => "calm",
            Self::Close => "close",
            Self::Happy => "happy",
            Self::Tender => "tender",
            Self::Tired => "tired",
            Self::Numb => "numb",
            Self::Anxious => "anxious",
            Self::Sad => "sad",
            Self::Irritable => "irritable",
            Self::Ashamed => "ashamed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// Feelings of post-sex blues (post-coital dysphoria): gentle information is offered.
    pub fn is_blue(self) -> bool {
        matches!(
            self,
            Self::Sad | Self::Irritable | Self::Ashamed | Self::Anxious
        )
    }
}

/// One reflection, as its member wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reflection {
    /// When the session it is about ended; reflections of one session share it.
    pub session_at: Timestamp,
    pub moment: Moment,
    /// How they felt; `None` when they answered a follow-up with a tap and left the mood out.
    pub mood: Option<Mood>,
    /// Whether the member felt drop.
    pub drop: bool,
    /// The steps of the routine that were done (their words), noted after the session.
    pub steps_done: BTreeSet<String>,
    /// Everything else the member noted; insights draw only on the fields above.
    #[serde(default)]
    pub notes: ReflectionNotes,
}

/// The rest of a reflection: energy, feelings, and the member's own words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReflectionNotes {
    pub energy: Option<Mood>,
    pub feelings: BTreeSet<Feeling>,
    /// What felt good, what to change, and a safeword used and why.
    pub felt_good: String,
    pub to_change: String,
    pub safeword_used: String,
}

impl Reflection {
    /// Whether to offer gentle information about post-sex blues: a low mood, or a feeling
    /// such as sad, irritable or ashamed.
    pub fn suggests_blues(&self) -> bool {
        self.mood.is_some_and(|m| m.value() <= 2) || self.notes.feelings.iter().any(|f| f.is_blue())
    }
}

/// One entry of a reflection, which its member may share with the partners who were there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entry {
    Mood,
    Energy,
    Feelings,
    FeltGood,
    ToChange,
    SafewordUsed,
}

impl Entry {
    pub const ALL: [Entry; 6] = [
        Self::Mood,
        Self::Energy,
        Self::Feelings,
        Self::FeltGood,
        Self::ToChange,
        Self::SafewordUsed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mood => "mood",
            Self::Energy => "energy",
            Self::Feelings => "feelings",
            Self::FeltGood => "felt-good",
            Self::ToChange => "to-change",
            Self::SafewordUsed => "safeword-used",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }
}

/// The entries of a reflection its member chose to share; every other entry is left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedReflection {
    pub mood: Option<Mood>,
    pub energy: Option<Mood>,
    pub feelings: BTreeSet<Feeling>,
    pub felt_good: String,
    pub to_change: String,
    pub safeword_used: String,
}

impl SharedReflection {
    /// Nothing to pass on: no entry ticked, or only empty ones.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Reflection {
    /// The entries named in `entries`, and nothing else.
    pub fn share(&self, entries: &BTreeSet<Entry>) -> SharedReflection {
        let has = |entry| entries.contains(&entry);
        let text = |entry, text: &String| {
            if has(entry) {
                text.clone()
            } else {
                String::new()
            }
        };
        SharedReflection {
            mood: self.mood.filter(|_| has(Entry::Mood)),
            energy: self.notes.energy.filter(|_| has(Entry::Energy)),
            feelings: if has(Entry::Feelings) {
                self.notes.feelings.clone()
            } else {
                BTreeSet::new()
            },
            felt_good: text(Entry::FeltGood, &self.notes.felt_good),
            to_change: text(Entry::ToChange, &self.notes.to_change),
            safeword_used: text(Entry::SafewordUsed, &self.notes.safeword_used),
        }
    }
}

/// The longest text a reflection field takes, in characters.
pub const REFLECTION_TEXT_MAX: usize = 2000;

/// Average mood at one point of the drop window.
#[derive(Clone, Debug, PartialEq)]
pub struct MoodAt {
    pub hours: u16,
    pub average: f64,
    pub reflections: u32,
}

/// How often a step was done, overall and in the sessions where the member felt best.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepWhenBest {
    pub step: String,
    pub in_best_sessions: u32,
    pub in_sessions: u32,
}

/// A member's trends.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Insights {
    /// Mood right after each session, oldest first.
    pub mood_after: Vec<(Timestamp, Mood)>,
    /// Average mood right after sessions (0 hours) and at each follow-up hour.
    pub mood_through_window: Vec<MoodAt>,
    /// Steps done in sessions where the member felt good (mood 4 or 5 right after), most
    /// often first.
    pub steps_when_best: Vec<StepWhenBest>,
    /// Sessions the member reflected on, how many of them felt good, how many had drop.
    pub sessions: u32,
    pub best_sessions: u32,
    pub sessions_with_drop: u32,
}

/// The member's trends from their reflections (in any order).
pub fn insights(reflections: &[Reflection]) -> Insights {
    let mut by_session: BTreeMap<Timestamp, Vec<&Reflection>> = BTreeMap::new();
    for reflection in reflections {
        by_session
            .entry(reflection.session_at)
            .or_default()
            .push(reflection);
    }
    let mut result = Insights {
        sessions: count(by_session.len()),
        ..Insights::default()
    };
    let mut steps: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for (at, session) in &by_session {
        if session.iter().any(|r| r.drop) {
            result.sessions_with_drop += 1;
        }
        let after = session
            .iter()
            .filter(|r| r.moment == Moment::AfterSession)
            .filter_map(|r| r.mood)
            .max();
        let Some(after) = after else { continue };
        result.mood_after.push((*at, after));
        let best = after.value() >= Mood::GOOD;
        result.best_sessions += u32::from(best);
        let done: BTreeSet<&str> = session
            .iter()
            .flat_map(|r| r.steps_done.iter().map(String::as_str))
            .collect();
        for step in done {
            let entry = steps.entry(step).or_default();
            entry.1 += 1;
            entry.0 += u32::from(best);
        }
    }
    let mut window: BTreeMap<u16, (u32, u32)> = BTreeMap::new();
    for reflection in reflections {
        let Some(mood) = reflection.mood else {
            continue;
        };
        let entry = window.entry(reflection.moment.hours()).or_default();
        entry.0 += u32::from(mood.value());
        entry.1 += 1;
    }
    result.mood_through_window = window
        .into_iter()
        .map(|(hours, (sum, n))| MoodAt {
            hours,
            average: f64::from(sum) / f64::from(n),
            reflections: n,
        })
        .collect();
    let mut steps: Vec<StepWhenBest> = steps
        .into_iter()
        .filter(|(_, (best, _))| *best > 0)
        .map(|(step, (in_best_sessions, in_sessions))| StepWhenBest {
            step: step.to_owned(),
            in_best_sessions,
            in_sessions,
        })
        .collect();
    steps.sort_by(|a, b| {
        b.in_best_sessions
            .cmp(&a.in_best_sessions)
            .then_with(|| a.step.cmp(&b.step))
    });
    result.steps_when_best = steps;
    result
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reflection(day: i64, moment: Moment, mood: u8, drop: bool, steps: &[&str]) -> Reflection {
        Reflection {
            session_at: Timestamp::from_unix_seconds(day * 86_400),
            moment,
            mood: Mood::new(mood),
            drop,
            steps_done: steps.iter().map(|s| (*s).to_owned()).collect(),
            notes: Default::default(),
        }
    }

    #[test]
    fn trends_follow_the_reflections() {
        let follow = |hours| Moment::FollowUp { hours };
        let all = [
            reflection(1, Moment::AfterSession, 5, false, &["water", "blanket"]),
            reflection(1, follow(24), 4, false, &[]),
            reflection(2, Moment::AfterSession, 2, false, &["water"]),
            reflection(2, follow(24), 1, true, &[]),
            reflection(3, Moment::AfterSession, 4, false, &["blanket", "holding"]),
        ];
        let found = insights(&all);
        assert_eq!(found.sessions, 3);
        assert_eq!(found.best_sessions, 2);
        assert_eq!(found.sessions_with_drop, 1);
        let moods: Vec<u8> = found.mood_after.iter().map(|(_, m)| m.value()).collect();
        assert_eq!(moods, [5, 2, 4]);
        assert_eq!(
            found.mood_through_window,
            [
                MoodAt {
                    hours: 0,
                    average: 11.0 / 3.0,
                    reflections: 3
                },
                MoodAt {
                    hours: 24,
                    average: 2.5,
                    reflections: 2
                },
            ]
        );
        let steps: Vec<(&str, u32, u32)> = found
            .steps_when_best
            .iter()
            .map(|s| (s.step.as_str(), s.in_best_sessions, s.in_sessions))
            .collect();
        assert_eq!(
            steps,
            [("blanket", 2, 2), ("holding", 1, 1), ("water", 1, 2)]
        );
    }

    #[test]
    fn moods_outside_one_to_five_are_refused() {
        assert!(Mood::new(0).is_none());
        assert!(Mood::new(6).is_none());
        assert!(serde_json::from_str::<Mood>("9").is_err());
        assert_eq!(serde_json::from_str::<Mood>("3").unwrap().value(), 3);
    }

    fn any_reflection() -> impl Strategy<Value = Reflection> {
        (
            0i64..12,
            prop_oneof![Just(0u16), Just(12), Just(24), Just(48), Just(72)],
            0u8..=5,
            any::<bool>(),
            proptest::collection::btree_set("[a-d]", 0..3),
        )
            .prop_map(|(day, hours, mood, drop, steps_done)| Reflection {
                session_at: Timestamp::from_unix_seconds(day * 86_400),
                moment: if hours == 0 {
                    Moment::AfterSession
                } else {
                    Moment::FollowUp { hours }
                },
                mood: Mood::new(mood),
                drop,
                steps_done,
                notes: Default::default(),
            })
    }

    proptest! {
        #[test]
        fn sharing_passes_on_exactly_the_ticked_entries(
            mood in 1u8..=5,
            energy in proptest::option::of(1u8..=5),
            feelings in proptest::collection::btree_set(proptest::sample::select(Feeling::ALL.to_vec()), 0..4),
            words in proptest::collection::vec("[a-z ]{0,6}", 3),
            entries in proptest::collection::btree_set(proptest::sample::select(Entry::ALL.to_vec()), 0..7),
        ) {
            let reflection = Reflection {
                session_at: Timestamp::from_unix_seconds(0),
                moment: Moment::AfterSession,
                mood: Mood::new(mood),
                drop: true,
                steps_done: BTreeSet::from(["water".to_owned()]),
                notes: ReflectionNotes {
                    energy: energy.and_then(Mood::new),
                    feelings,
                    felt_good: words[0].clone(),
                    to_change: words[1].clone(),
                    safeword_used: words[2].clone(),
                },
            };
            let shared = reflection.share(&entries);
            // Each entry, looked at on its own: as written when ticked, empty when not.
            let pairs: [(Entry, bool, bool); 6] = [
                (Entry::Mood, shared.mood.is_none(), shared.mood == reflection.mood),
                (Entry::Energy, shared.energy.is_none(), shared.energy == reflection.notes.energy),
                (Entry::Feelings, shared.feelings.is_empty(), shared.feelings == reflection.notes.feelings),
                (Entry::FeltGood, shared.felt_good.is_empty(), shared.felt_good == reflection.notes.felt_good),
                (Entry::ToChange, shared.to_change.is_empty(), shared.to_change == reflection.notes.to_change),
                (Entry::SafewordUsed, shared.safeword_used.is_empty(), shared.safeword_used == reflection.notes.safeword_used),
            ];
            for (entry, empty, as_written) in pairs {
                if entries.contains(&entry) {
                    prop_assert!(as_written, "{:?} not passed on as written", entry);
                } else {
                    prop_assert!(empty, "{:?} passed on unticked", entry);
                }
            }
            prop_assert_eq!(reflection.share(&BTreeSet::new()).is_empty(), true);
        }

        #[test]
        fn every_reflection_counts_once_and_averages_stay_in_range(
            all in proptest::collection::vec(any_reflection(), 0..40)
        ) {
            let found = insights(&all);
            let sessions: BTreeSet<Timestamp> = all.iter().map(|r| r.session_at).collect();
            prop_assert_eq!(found.sessions as usize, sessions.len());
            prop_assert!(found.sessions_with_drop <= found.sessions);
            prop_assert!(found.best_sessions as usize <= found.mood_after.len());
            let counted: u32 = found.mood_through_window.iter().map(|m| m.reflections).sum();
            prop_assert_eq!(counted as usize, all.iter().filter(|r| r.mood.is_some()).count());
            for point in &found.mood_through_window {
                prop_assert!((1.0..=5.0).contains(&point.average));
            }
            for step in &found.steps_when_best {
                prop_assert!(step.in_best_sessions >= 1);
                prop_assert!(step.in_best_sessions <= step.in_sessions);
                prop_assert!(step.in_best_sessions <= found.best_sessions);
            }
            // Reflections in another order give the same trends.
            let mut reversed = all.clone();
            reversed.reverse();
            prop_assert_eq!(insights(&reversed), found);
        }
    }
}
