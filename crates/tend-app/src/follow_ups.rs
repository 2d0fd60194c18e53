//! Follow-ups in the drop window: a check-in for every participant, tops included, at the
//! hours the routine sets (12, 24, 48 and 72 by default), counted from the start of
//! aftercare. 🟢 fine, 🟡 could use contact, 🔴 need support; with 🟡 or 🔴 the member may
//! let partners from that session know they could use some extra care (no details).

use std::collections::BTreeSet;

use tend_core::Timestamp;
use tend_core::insights::{Moment, Mood, Reflection, ReflectionNotes};
use tend_core::session::{FollowUpAnswer, follow_ups};
use tend_store::{
    Appreciation, FollowUp, FollowUpId, JobKind, MemberId, Notification, NotificationId,
    StoreError, StoredCareSession,
};

use crate::app::App;
use crate::boundaries;
use crate::error::{Error, Result, msg};
use crate::notifications;
use crate::routine;

/// Schedules the follow-ups of every participant whose aftercare has begun, counted from the
/// start of their aftercare (everyone's, or their own when they stepped out), at the hours
/// of the routine the session follows. Each is delivered to its member's notification
/// centre by a job when it comes due, once.
pub(crate) async fn owe(app: &App, me: MemberId, stored: &StoredCareSession) -> Result<()> {
    let session = &stored.record.session;
    if session
        .participants
        .iter()
        .all(|p| session.aftercare_began(p).is_none())
    {
        return Ok(());
    }
    let routine = routine::of_session(app, me, stored).await?;
    for participant in &session.participants {
        let Some(at) = session.aftercare_began(participant) else {
            continue;
        };
        for (hours, due_at) in follow_ups(at, &routine.settings.follow_up_hours) {
            let follow_up = FollowUp {
                session: stored.id,
                circle: stored.circle,
                hours,
                session_at: at,
                answer: None,
            };
            // The same id every time: owing follow-ups twice keeps one of each.
            let id = app
                .store
                .add_follow_up(*participant, &follow_up, due_at)
                .await?;
            app.store
                .schedule_job(JobKind::FollowUp, id.as_uuid(), due_at)
                .await?;
        }
    }
    Ok(())
}

/// One of the member's follow-ups, and the partners from that session who could be told
/// (only while it has come and is not answered; empty otherwise).
pub struct FollowUpView {
    pub id: FollowUpId,
    pub due_at: Timestamp,
    /// Whether it has come, by the server's clock.
    pub due: bool,
    pub follow_up: FollowUp,
    /// (id, name) of the others who took part, while the member is still in the circle.
    pub partners: Vec<(MemberId, String)>,
}

/// The member's follow-ups, due and scheduled, earliest first.
pub async fn list(app: &App, me: MemberId) -> Result<Vec<FollowUpView>> {
    let now = app.clock.now();
    Ok(app
        .store
        .follow_ups(me)
        .await?
        .into_iter()
        .map(|(id, due_at, follow_up)| FollowUpView {
            id,
            due_at,
            due: due_at <= now,
            follow_up,
            partners: Vec::new(),
        })
        .collect())
}

/// `list`, with the partners who could be told beside each follow-up waiting for an answer.
pub async fn list_with_partners(app: &App, me: MemberId) -> Result<Vec<FollowUpView>> {
    let mut all = list(app, me).await?;
    for view in all
        .iter_mut()
        .filter(|v| v.due && v.follow_up.answer.is_none())
    {
        for partner in partners(app, me, &view.follow_up).await? {
            let name = app.store.member(partner).await?.name().to_owned();
            view.partners.push((partner, name));
        }
    }
    Ok(all)
}

/// The others who took part in a follow-up's session, while `me` is still in its circle
/// (none once the session or the circle is gone).
async fn partners(app: &App, me: MemberId, follow_up: &FollowUp) -> Result<BTreeSet<MemberId>> {
    match app.store.care_session(me, follow_up.session).await {
        Ok(stored) => Ok(stored
            .record
            .session
            .participants
            .into_iter()
            .filter(|m| *m != me)
            .collect()),
        Err(StoreError::NotFound) => Ok(BTreeSet::new()),
        Err(error) => Err(error.into()),
    }
}

/// How the member is, answering a follow-up that has come.
pub struct AnswerInput {
    pub answer: FollowUpAnswer,
    /// Their mood, if they like: it shows in their insights.
    pub mood: Option<Mood>,
    /// With 🟡 or 🔴: partners from that session to tell that the member could use some
    /// extra care today (no details). Nobody is told unless listed.
    pub notify: BTreeSet<MemberId>,
}

/// A follow-up answered, and (after 🟡 or 🔴) what helps the member when they drop, in
/// their own words.
pub struct Answered {
    pub follow_up: FollowUpView,
    pub what_helps: Option<Vec<String>>,
}

/// Records `me`'s answer to a follow-up that has come (once: a second answer, from another
/// tab, is refused), and a reflection for insights.
pub async fn answer(
    app: &App,
    me: MemberId,
    id: FollowUpId,
    input: &AnswerInput,
) -> Result<Answered> {
    let now = app.clock.now();
    let (_, due_at, mut follow_up) = app
        .store
        .follow_ups(me)
        .await?
        .into_iter()
        .find(|(found, _, _)| *found == id)
        .ok_or(Error::NotFound)?;
    // Only partners who were in that session can be told, and only with 🟡 or 🔴.
    let partners = partners(app, me, &follow_up).await?;
    if !input.notify.is_subset(&partners) || (!input.notify.is_empty() && !input.answer.is_drop()) {
        return Err(Error::invalid("notify", msg("follow-up-notify")));
    }
    if due_at > now {
        return Err(Error::NotNow(msg("follow-up-not-yet")));
    }
    if follow_up.answer.is_some() {
        return Err(Error::NotNow(msg("follow-up-answered")));
    }
    follow_up.answer = Some(input.answer);
    match app.store.answer_follow_up(me, id, &follow_up).await {
        Ok(()) => {}
        // Answered from another tab meanwhile: the first answer stands.
        Err(StoreError::Conflict) => return Err(Error::NotNow(msg("follow-up-answered"))),
        Err(error) => return Err(error.into()),
    }
    let reflection = Reflection {
        session_at: follow_up.session_at,
        moment: Moment::FollowUp {
            hours: follow_up.hours,
        },
        mood: input.mood,
        drop: input.answer.is_drop(),
        steps_done: BTreeSet::new(),
        notes: ReflectionNotes::default(),
    };
    app.store.add_reflection(me, &reflection, now).await?;
    // Answered: its notification needs no more attention.
    app.store
        .see_notifications(me, &[NotificationId::from_uuid(id.as_uuid())])
        .await?;
    app.bus.publish(me);
    for partner in &input.notify {
        let note = Appreciation {
            from: me,
            session: follow_up.session,
            text: String::new(),
            care_wanted: true,
            reflection: None,
        };
        app.store.add_appreciation(*partner, &note, now).await?;
        notifications::notify_now(app, *partner, &Notification::ExtraCare { from: me }).await?;
    }
    let what_helps = if input.answer.is_drop() {
        Some(boundaries::what_helps(app, me).await?)
    } else {
        None
    };
    Ok(Answered {
        follow_up: FollowUpView {
            id,
            due_at,
            due: true,
            follow_up,
            partners: Vec::new(),
        },
        what_helps,
    })
}
