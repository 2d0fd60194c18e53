//! The notification centre: what came for a member — a follow-up when it comes due, a note
//! from a partner, a routine change or review waiting for their answer. A notification names
//! what it is about and holds nobody's words; the front doors say it in the reader's
//! language, in neutral words when discreet mode is on. Nothing is pushed outside Tend.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tend_core::Timestamp;
use tend_store::{
    CircleId, FollowUpId, Member, MemberId, Notification, NotificationId, StoreError,
};

use crate::accounts::{self, SignedIn};
use crate::app::App;
use crate::error::Result;

/// How many notifications the centre shows: older ones stay seen and out of the way.
pub const SHOWN: u32 = 50;

/// Puts `notification` in `member`'s centre under `id` (once, however often this runs) and
/// tells their open pages, so the badge changes without a reload.
pub(crate) async fn notify(
    app: &App,
    member: MemberId,
    id: NotificationId,
    notification: &Notification,
) -> Result<()> {
    let new = app
        .store
        .add_notification(member, id, notification, app.clock.now())
        .await?;
    if new {
        app.bus.publish(member);
    }
    Ok(())
}

/// `notify` with a fresh id, for things that happen once (a note sent, a proposal made).
pub(crate) async fn notify_now(
    app: &App,
    member: MemberId,
    notification: &Notification,
) -> Result<()> {
    notify(app, member, NotificationId::new(), notification).await
}

/// The follow-up job: the follow-up has come due, so it goes to its member's centre. Its
/// notification has the follow-up's id, so a job run twice (an instance that died after
/// delivering, before finishing the job) still delivers it once.
pub(crate) async fn deliver_follow_up(app: &App, id: FollowUpId) -> Result<()> {
    let (member, follow_up) = match app.store.follow_up_by_id(id).await {
        Ok(found) => found,
        // The member has gone: nothing to deliver.
        Err(StoreError::NotFound) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    // Answered already (the page showed it as due before the worker came by): nothing to say.
    if follow_up.answer.is_some() {
        return Ok(());
    }
    let notification = Notification::FollowUp {
        follow_up: id,
        session_at: follow_up.session_at,
    };
    notify(
        app,
        member,
        NotificationId::from_uuid(id.as_uuid()),
        &notification,
    )
    .await
}

/// One notification, with the names it mentions (none in discreet mode).
pub struct Shown {
    pub id: NotificationId,
    pub at: Timestamp,
    pub seen: bool,
    pub notification: Notification,
    /// The partner it is from, by name; `None` once they have left Tend, or in discreet mode.
    pub from: Option<String>,
    /// The circle it is about, by name; `None` once the reader has left it, or in discreet
    /// mode.
    pub circle: Option<String>,
}

/// The member's newest notifications, newest first. Discreet mode looks up no names.
pub async fn list(app: &App, me: &Member) -> Result<Vec<Shown>> {
    let stored = app.store.notifications(me.id, SHOWN).await?;
    let mut names = Names::default();
    let mut all = Vec::with_capacity(stored.len());
    for n in stored {
        let (from, circle) = if me.discreet {
            (None, None)
        } else {
            let (from, circle) = about(&n.notification);
            let from = match from {
                Some(id) => names.member(app, id).await?,
                None => None,
            };
            let circle = match circle {
                Some(id) => names.circle(app, me.id, id).await?,
                None => None,
            };
            (from, circle)
        };
        all.push(Shown {
            id: n.id,
            at: n.at,
            seen: n.seen,
            notification: n.notification,
            from,
            circle,
        });
    }
    Ok(all)
}

/// The partner and the circle a notification names.
fn about(notification: &Notification) -> (Option<MemberId>, Option<CircleId>) {
    match notification {
        Notification::FollowUp { .. } => (None, None),
        Notification::Appreciation { from }
        | Notification::ExtraCare { from }
        | Notification::SharedReflection { from } => (Some(*from), None),
        Notification::Proposal { circle, from }
        | Notification::Joined { circle, from }
        | Notification::SessionPlanned { circle, from, .. }
        | Notification::AftercareStarted { circle, from, .. } => (Some(*from), Some(*circle)),
        Notification::Review { circle } => (None, Some(*circle)),
    }
}

/// Names of partners and circles, each looked up once per list.
#[derive(Default)]
struct Names {
    members: HashMap<MemberId, Option<String>>,
    circles: HashMap<CircleId, Option<String>>,
}

impl Names {
    async fn member(&mut self, app: &App, id: MemberId) -> Result<Option<String>> {
        if let Some(name) = self.members.get(&id) {
            return Ok(name.clone());
        }
        let name = match app.store.member(id).await {
            Ok(member) => Some(member.name().to_owned()),
            // They have left Tend since.
            Err(StoreError::NotFound) => None,
            Err(error) => return Err(error.into()),
        };
        self.members.insert(id, name.clone());
        Ok(name)
    }

    async fn circle(&mut self, app: &App, me: MemberId, id: CircleId) -> Result<Option<String>> {
        if let Some(name) = self.circles.get(&id) {
            return Ok(name.clone());
        }
        let name = match app.store.circle(me, id).await {
            Ok(circle) => Some(circle.name.as_str().to_owned()),
            // The member has left the circle since.
            Err(StoreError::NotFound) => None,
            Err(error) => return Err(error.into()),
        };
        self.circles.insert(id, name.clone());
        Ok(name)
    }
}

/// Marks the member's notifications `ids` seen (others' ids are ignored) and tells their
/// other pages.
pub async fn see(app: &App, me: MemberId, ids: &[NotificationId]) -> Result<()> {
    if !ids.is_empty() {
        app.store.see_notifications(me, ids).await?;
        app.bus.publish(me);
    }
    Ok(())
}

/// How many of the member's notifications are not seen yet.
pub async fn unseen(app: &App, me: MemberId) -> Result<u32> {
    Ok(app.store.unseen_notifications(me).await?)
}

/// Follows the member's unseen count for the badge: the count now and after every change
/// (looked at again every 30 seconds, in case a nudge was missed). Ends when the count
/// cannot be read. For the API, whose token is checked once when the stream opens.
pub fn badge(app: App, me: MemberId) -> impl Stream<Item = u32> + Send + 'static {
    follow_badge(app, me, None).filter_map(|badge| async move {
        match badge {
            Badge::Unseen(unseen) => Some(unseen),
            Badge::SignedOut => None,
        }
    })
}

/// What a page's badge stream says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Badge {
    /// The member's unseen count, now or after a change.
    Unseen(u32),
    /// The sign-in of the page has ended (sign out, lock now, quick exit elsewhere, or it
    /// expired): the last thing the stream says.
    SignedOut,
}

/// `badge` for a page of one sign-in: at every look it first checks that the sign-in is
/// still alive, and ends with `SignedOut` when it is not. Ending a sign-in nudges the
/// member's streams, so an open page learns at once.
pub fn badge_while_signed_in(
    app: App,
    signed_in: &SignedIn,
) -> impl Stream<Item = Badge> + Send + 'static + use<> {
    follow_badge(app, signed_in.member.id, Some(signed_in.session_hash))
}

fn follow_badge(
    app: App,
    me: MemberId,
    sign_in: Option<[u8; 32]>,
) -> impl Stream<Item = Badge> + Send + 'static {
    // Subscribe before the first count, so nothing that comes in between is missed.
    let nudges = app.bus.subscribe(me);
    futures_util::stream::unfold(
        Some((app, nudges, None::<u32>)),
        move |following| async move {
            let (app, mut nudges, last) = following?;
            loop {
                if let Some(session_hash) = &sign_in
                    && !accounts::still_signed_in(&app, session_hash).await.ok()?
                {
                    return Some((Badge::SignedOut, None));
                }
                let unseen = app.store.unseen_notifications(me).await.ok()?;
                if last != Some(unseen) {
                    return Some((Badge::Unseen(unseen), Some((app, nudges, Some(unseen)))));
                }
                let waited = tokio::time::timeout(Duration::from_secs(30), nudges.recv()).await;
                if let Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) = waited {
                    nudges = app.bus.subscribe(me);
                }
            }
        },
    )
}
