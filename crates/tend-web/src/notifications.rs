//! The notification centre: what came for a member — a follow-up when it comes due, a note
//! from a partner, a routine change or review waiting for their answer. A notification names
//! what it is about and holds nobody's words; the centre says it in the reader's language,
//! in neutral words when discreet mode is on. Nothing is pushed outside Tend.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tend_store::{CircleId, FollowUpId, MemberId, Notification, NotificationId, StoreError};

use crate::error::AppError;
use crate::i18n::I18n;
use crate::state::AppState;

/// How many notifications the centre shows: older ones stay seen and out of the way.
pub const SHOWN: u32 = 50;

/// Puts `notification` in `member`'s centre under `id` (once, however often this runs) and
/// tells their open pages, so the badge changes without a reload.
pub async fn notify(
    state: &AppState,
    member: MemberId,
    id: NotificationId,
    notification: &Notification,
) -> Result<(), AppError> {
    let new = state
        .store
        .add_notification(member, id, notification, state.clock.now())
        .await?;
    if new {
        state.bus.publish(member);
    }
    Ok(())
}

/// `notify` with a fresh id, for things that happen once (a note sent, a proposal made).
pub async fn notify_now(
    state: &AppState,
    member: MemberId,
    notification: &Notification,
) -> Result<(), AppError> {
    notify(state, member, NotificationId::new(), notification).await
}

/// The follow-up job: the follow-up has come due, so it goes to its member's centre. Its
/// notification has the follow-up's id, so a job run twice (an instance that died after
/// delivering, before finishing the job) still delivers it once.
pub async fn deliver_follow_up(state: &AppState, id: FollowUpId) -> Result<(), AppError> {
    let (member, follow_up) = match state.store.follow_up_by_id(id).await {
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
        state,
        member,
        NotificationId::from_uuid(id.as_uuid()),
        &notification,
    )
    .await
}

/// One notification as a page or the API shows it.
pub struct Shown {
    pub id: NotificationId,
    pub kind: &'static str,
    pub text: String,
    pub link: String,
    pub at: tend_core::Timestamp,
    pub seen: bool,
}

/// The member's newest notifications in words, neutral ones in discreet mode.
pub async fn shown(
    state: &AppState,
    i18n: &I18n,
    me: &tend_store::Member,
) -> Result<Vec<Shown>, AppError> {
    let stored = state.store.notifications(me.id, SHOWN).await?;
    let mut names = Names::default();
    let mut all = Vec::with_capacity(stored.len());
    for n in stored {
        let text = if me.discreet {
            i18n.t(discreet_words(&n.notification))
        } else {
            words(state, i18n, me.id, &n.notification, &mut names).await?
        };
        all.push(Shown {
            id: n.id,
            kind: kind(&n.notification),
            text,
            link: link(&n.notification),
            at: n.at,
            seen: n.seen,
        });
    }
    Ok(all)
}

/// Marks what the member has just been shown as seen, and tells their other pages.
pub async fn see(state: &AppState, me: MemberId, shown: &[Shown]) -> Result<(), AppError> {
    let unseen: Vec<NotificationId> = shown.iter().filter(|s| !s.seen).map(|s| s.id).collect();
    if !unseen.is_empty() {
        state.store.see_notifications(me, &unseen).await?;
        state.bus.publish(me);
    }
    Ok(())
}

pub fn kind(notification: &Notification) -> &'static str {
    match notification {
        Notification::FollowUp { .. } => "follow-up",
        Notification::Appreciation { .. } => "appreciation",
        Notification::ExtraCare { .. } => "extra-care",
        Notification::SharedReflection { .. } => "shared-reflection",
        Notification::Proposal { .. } => "proposal",
        Notification::Review { .. } => "review",
    }
}

/// Where the notification leads.
pub fn link(notification: &Notification) -> String {
    match notification {
        Notification::FollowUp { .. } => "/follow-ups".to_owned(),
        Notification::Appreciation { .. }
        | Notification::ExtraCare { .. }
        | Notification::SharedReflection { .. } => "/follow-ups#notes".to_owned(),
        Notification::Proposal { circle, .. } | Notification::Review { circle } => {
            format!("/circles/{circle}/routine")
        }
    }
}

/// Discreet mode's words: what kind of thing is waiting, and nothing about it.
fn discreet_words(notification: &Notification) -> &'static str {
    match notification {
        Notification::FollowUp { .. } => "notification-discreet-reminder",
        Notification::Appreciation { .. }
        | Notification::ExtraCare { .. }
        | Notification::SharedReflection { .. } => "notification-discreet-message",
        Notification::Proposal { .. } | Notification::Review { .. } => {
            "notification-discreet-reply"
        }
    }
}

/// Names of partners and circles, each looked up once per list.
#[derive(Default)]
struct Names {
    members: HashMap<MemberId, String>,
    circles: HashMap<CircleId, String>,
}

async fn words(
    state: &AppState,
    i18n: &I18n,
    me: MemberId,
    notification: &Notification,
    names: &mut Names,
) -> Result<String, AppError> {
    Ok(match notification {
        Notification::FollowUp { session_at, .. } => i18n.t_with(
            "follow-up-question",
            &[("day", &crate::sessions::weekday(i18n, *session_at))],
        ),
        Notification::Appreciation { from } => {
            let name = member_name(state, i18n, *from, names).await?;
            i18n.t_with("notification-appreciation", &[("name", &name)])
        }
        Notification::ExtraCare { from } => {
            let name = member_name(state, i18n, *from, names).await?;
            i18n.t_with("care-wanted", &[("name", &name)])
        }
        Notification::SharedReflection { from } => {
            let name = member_name(state, i18n, *from, names).await?;
            i18n.t_with("notification-shared-reflection", &[("name", &name)])
        }
        Notification::Proposal { circle, from } => {
            let name = member_name(state, i18n, *from, names).await?;
            let circle = circle_name(state, i18n, me, *circle, names).await?;
            i18n.t_with(
                "notification-proposal",
                &[("name", &name), ("circle", &circle)],
            )
        }
        Notification::Review { circle } => {
            let circle = circle_name(state, i18n, me, *circle, names).await?;
            i18n.t_with("notification-review", &[("circle", &circle)])
        }
    })
}

async fn member_name(
    state: &AppState,
    i18n: &I18n,
    id: MemberId,
    names: &mut Names,
) -> Result<String, AppError> {
    if let Some(name) = names.members.get(&id) {
        return Ok(name.clone());
    }
    let name = match state.store.member(id).await {
        Ok(member) => member.name().to_owned(),
        // They have left Tend since.
        Err(StoreError::NotFound) => i18n.t("notification-someone"),
        Err(error) => return Err(error.into()),
    };
    names.members.insert(id, name.clone());
    Ok(name)
}

async fn circle_name(
    state: &AppState,
    i18n: &I18n,
    me: MemberId,
    id: CircleId,
    names: &mut Names,
) -> Result<String, AppError> {
    if let Some(name) = names.circles.get(&id) {
        return Ok(name.clone());
    }
    let name = match state.store.circle(me, id).await {
        Ok(circle) => circle.name.as_str().to_owned(),
        // The member has left the circle since.
        Err(StoreError::NotFound) => i18n.t("notification-a-circle"),
        Err(error) => return Err(error.into()),
    };
    names.circles.insert(id, name.clone());
    Ok(name)
}

/// Follows the member's unseen count for the badge: one `{"unseen": n}` now and after every
/// change (and every 30 seconds, in case a nudge was missed).
pub fn badge_stream(
    state: AppState,
    me: MemberId,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    // Subscribe before the first count, so nothing that comes in between is missed.
    let nudges = state.bus.subscribe(me);
    let events = futures_util::stream::unfold(
        (state, nudges, None::<u32>),
        move |(state, mut nudges, last)| async move {
            loop {
                let unseen = state.store.unseen_notifications(me).await.ok()?;
                if last != Some(unseen) {
                    let event = SseEvent::default()
                        .json_data(serde_json::json!({ "unseen": unseen }))
                        .ok()?;
                    return Some((Ok(event), (state, nudges, Some(unseen))));
                }
                let waited = tokio::time::timeout(Duration::from_secs(30), nudges.recv()).await;
                if let Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) = waited {
                    nudges = state.bus.subscribe(me);
                }
            }
        },
    );
    Sse::new(events).keep_alive(KeepAlive::default())
}
