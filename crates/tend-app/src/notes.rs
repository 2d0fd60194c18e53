//! Notes for a partner after a session: specific appreciation in the sender's words, sealed
//! for that partner alone. The notes a member received also carry the reflection entries
//! partners chose to share and "could use some extra care today" from a follow-up.

use tend_core::Timestamp;
use tend_core::insights::SharedReflection;
use tend_store::{Appreciation, AppreciationId, CareSessionId, MemberId, Notification, StoreError};

use crate::app::App;
use crate::error::{Error, Problem, Result, msg};
use crate::notifications;

/// The longest note of appreciation, in characters.
pub const APPRECIATION_MAX: usize = 500;

/// Sends `to` (a partner who took part) a short note of what `me` appreciated, once
/// aftercare has begun.
pub async fn appreciate(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    to: &str,
    text: &str,
) -> Result<AppreciationId> {
    let stored = app.store.care_session(me, id).await?;
    let mut problems = Vec::new();
    let to = MemberId::parse(to)
        .filter(|to| *to != me && stored.record.session.participants.contains(to));
    if to.is_none() {
        problems.push(Problem::new("to", msg("appreciation-to")));
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > APPRECIATION_MAX {
        problems.push(Problem::new("text", msg("appreciation-text")));
    }
    let Some(to) = to.filter(|_| problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    if stored.record.session.aftercare_at.is_none() {
        return Err(Error::NotNow(msg("session-not-now")));
    }
    let note = Appreciation {
        from: me,
        session: stored.id,
        text: text.to_owned(),
        care_wanted: false,
        reflection: None,
    };
    let id = app
        .store
        .add_appreciation(to, &note, app.clock.now())
        .await?;
    notifications::notify_now(app, to, &Notification::Appreciation { from: me }).await?;
    Ok(id)
}

/// What a received note holds.
pub enum NoteKind {
    /// Appreciation in the partner's words.
    Appreciation(String),
    /// Entries of their reflection the partner chose to share.
    SharedReflection(SharedReflection),
    /// They could use some extra care today: no words, no details.
    CareWanted,
}

/// A note the member received.
pub struct Received {
    pub id: AppreciationId,
    pub from: MemberId,
    /// The sender's name; empty once they have left Tend.
    pub name: String,
    pub session: CareSessionId,
    pub at: Timestamp,
    pub kind: NoteKind,
}

/// The notes the member received, newest first.
pub async fn received(app: &App, me: MemberId) -> Result<Vec<Received>> {
    let mut received = Vec::new();
    for (id, at, note) in app.store.appreciations(me).await? {
        let name = match app.store.member(note.from).await {
            Ok(member) => member.name().to_owned(),
            Err(StoreError::NotFound) => String::new(),
            Err(error) => return Err(error.into()),
        };
        let kind = match (note.reflection, note.care_wanted) {
            (Some(shared), _) => NoteKind::SharedReflection(shared),
            (None, true) => NoteKind::CareWanted,
            (None, false) => NoteKind::Appreciation(note.text),
        };
        received.push(Received {
            id,
            from: note.from,
            name,
            session: note.session,
            at,
            kind,
        });
    }
    Ok(received)
}
