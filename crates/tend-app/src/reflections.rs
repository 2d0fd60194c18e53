//! Reflections: a member's private entry after a session (mood, energy, feelings, their own
//! words), sealed with their key. Entries can be shared, one by one, with the partners who
//! were there; the rest stays the member's, read only by them (insights).

use std::collections::BTreeSet;

use tend_core::insights::{
    Entry, Feeling, Insights, Moment, Mood, REFLECTION_TEXT_MAX, Reflection, ReflectionNotes,
    insights,
};
use tend_core::routine::{Routine, StepId, StepWhat};
use tend_store::{
    Appreciation, CareSessionId, MemberId, Notification, ReflectionId, StoredCareSession,
};

use crate::app::App;
use crate::error::{Error, Problem, Result, msg};
use crate::notifications;
use crate::routine;

/// A reflection as sent.
#[derive(Clone, Debug, Default)]
pub struct ReflectionInput {
    /// 1 (very low) to 5 (very good).
    pub mood: u8,
    /// 1 to 5, if the member likes.
    pub energy: Option<u8>,
    /// Any of calm, close, happy, tender, tired, numb, anxious, sad, irritable, ashamed.
    pub feelings: Vec<String>,
    pub felt_good: String,
    pub to_change: String,
    /// A safeword used, and why, if they want to note it.
    pub safeword_used: String,
    /// Whether drop came.
    pub drop: bool,
    /// Entries to share with the partners who were there: any of mood, energy, feelings,
    /// felt-good, to-change, safeword-used. Nothing is shared unless named.
    pub shared: Vec<String>,
}

/// A checked reflection, before it is tied to a session.
struct Checked {
    mood: Mood,
    entries: BTreeSet<Entry>,
    notes: ReflectionNotes,
}

impl ReflectionInput {
    fn check(&self) -> Result<Checked> {
        let mut problems = Vec::new();
        let mood = Mood::new(self.mood);
        if mood.is_none() {
            problems.push(Problem::new("mood", msg("reflection-mood")));
        }
        let energy = self.energy.map(Mood::new);
        if energy.is_some_and(|e| e.is_none()) {
            problems.push(Problem::new("energy", msg("reflection-energy")));
        }
        let feelings: Option<BTreeSet<Feeling>> =
            self.feelings.iter().map(|f| Feeling::parse(f)).collect();
        if feelings.is_none() {
            problems.push(Problem::new("feelings", msg("reflection-feelings")));
        }
        let entries: Option<BTreeSet<Entry>> =
            self.shared.iter().map(|e| Entry::parse(e)).collect();
        if entries.is_none() {
            problems.push(Problem::new("shared", msg("reflection-shared")));
        }
        for (field, text) in [
            ("felt-good", &self.felt_good),
            ("to-change", &self.to_change),
            ("safeword-used", &self.safeword_used),
        ] {
            if text.chars().count() > REFLECTION_TEXT_MAX {
                problems.push(Problem::new(field, msg("reflection-too-long")));
            }
        }
        match (mood, feelings, entries) {
            (Some(mood), Some(feelings), Some(entries)) if problems.is_empty() => Ok(Checked {
                mood,
                entries,
                notes: ReflectionNotes {
                    energy: energy.flatten(),
                    feelings,
                    felt_good: self.felt_good.trim().to_owned(),
                    to_change: self.to_change.trim().to_owned(),
                    safeword_used: self.safeword_used.trim().to_owned(),
                },
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }
}

/// A reflection, kept.
pub struct Saved {
    pub id: ReflectionId,
    /// Whether gentle information about post-sex blues may help (a low mood, or feelings
    /// such as sad, irritable or ashamed).
    pub blues: bool,
    /// How many partners the shared entries went to (0 when nothing was shared).
    pub shared_with: usize,
}

/// Keeps `me`'s reflection on a session that has reached aftercare, and passes the entries
/// they ticked (and only those) to the others who took part.
pub async fn reflect(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    input: &ReflectionInput,
) -> Result<Saved> {
    let stored = app.store.care_session(me, id).await?;
    let checked = input.check()?;
    // From the start of the member's own aftercare (stepping out of a live session counts).
    let Some(session_at) = stored.record.session.aftercare_began(&me) else {
        return Err(Error::NotNow(msg("session-not-now")));
    };
    let routine = routine::of_session(app, me, &stored).await?;
    let reflection = Reflection {
        session_at,
        moment: Moment::AfterSession,
        mood: Some(checked.mood),
        drop: input.drop,
        steps_done: steps_done_words(&routine, &stored),
        notes: checked.notes,
    };
    let blues = reflection.suggests_blues();
    let now = app.clock.now();
    let id = app.store.add_reflection(me, &reflection, now).await?;
    let shared = reflection.share(&checked.entries);
    let mut shared_with = 0;
    if !shared.is_empty() {
        let partners = stored
            .record
            .session
            .participants
            .iter()
            .filter(|p| **p != me);
        for partner in partners {
            let note = Appreciation {
                from: me,
                session: stored.id,
                text: String::new(),
                care_wanted: false,
                reflection: Some(shared.clone()),
            };
            app.store.add_appreciation(*partner, &note, now).await?;
            notifications::notify_now(app, *partner, &Notification::SharedReflection { from: me })
                .await?;
            shared_with += 1;
        }
    }
    Ok(Saved {
        id,
        blues,
        shared_with,
    })
}

/// The routine's steps ticked in the session, as insights name them: a catalog item's id or
/// a free step's words.
fn steps_done_words(routine: &Routine<MemberId>, stored: &StoredCareSession) -> BTreeSet<String> {
    stored
        .record
        .steps_done
        .iter()
        .filter_map(|n| routine.step(StepId(*n)))
        .map(|step| match &step.what {
            StepWhat::Item(item) => item.clone(),
            StepWhat::Text(text) => text.clone(),
        })
        .collect()
}

/// The member's own trends from their reflections and follow-up answers. Private to them.
pub async fn insights_of(app: &App, me: MemberId) -> Result<Insights> {
    let reflections = app.store.reflections(me).await?;
    Ok(insights(&reflections))
}
