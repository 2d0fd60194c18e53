//! The live bus: tells open streams that there is news — a session's (a signal, a tick, a new
//! state) or a member's (a notification) — and the streams then read what is new from the
//! store. Within an instance it is a broadcast channel per topic. Instances sharing one
//! PostgreSQL database also tell each other, with NOTIFY on the database and one LISTEN
//! connection per instance (`relay`); with SQLite there is only one instance.
//!
//! A nudge carries no data, only "look again": a nudge lost (a lagging stream, a dropped
//! LISTEN connection) costs nothing as long as someone looks again, which is what a stream
//! does after every nudge, after a reconnect of the LISTEN connection, and every 30 seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tend_store::{Backend, CareSessionId, Heard, MemberId, Store};
use tokio::sync::broadcast;
use uuid::Uuid;

/// How many unread nudges a stream may fall behind before it just rereads everything new.
const CAPACITY: usize = 16;
/// How long to wait before listening again when the database cannot be reached.
const RETRY: Duration = Duration::from_secs(1);

/// What a stream follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A care session, for its participants' pages.
    Session(CareSessionId),
    /// A member's notification centre, for the badge on their pages.
    Member(MemberId),
}

impl Topic {
    /// The topic as announced between instances: `s:<id>` or `m:<id>` (ids only).
    fn encode(self) -> String {
        match self {
            Self::Session(id) => format!("s:{id}"),
            Self::Member(id) => format!("m:{id}"),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        match text.split_once(':')? {
            ("s", id) => CareSessionId::parse(id).map(Self::Session),
            ("m", id) => MemberId::parse(id).map(Self::Member),
            _ => None,
        }
    }
}

impl From<CareSessionId> for Topic {
    fn from(id: CareSessionId) -> Self {
        Self::Session(id)
    }
}

impl From<MemberId> for Topic {
    fn from(id: MemberId) -> Self {
        Self::Member(id)
    }
}

pub struct Bus {
    channels: Mutex<HashMap<Topic, broadcast::Sender<()>>>,
    store: Arc<dyn Store>,
    /// This instance's name in announcements, so it can pass over its own.
    instance: Uuid,
}

impl Bus {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            channels: Mutex::default(),
            store,
            instance: Uuid::now_v7(),
        }
    }

    /// Nudges arriving after this call.
    pub fn subscribe(&self, topic: impl Into<Topic>) -> broadcast::Receiver<()> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels
            .entry(topic.into())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Tells the topic's open streams, here and on every other instance, to look again. Call
    /// it after the change is stored.
    pub fn publish(&self, topic: impl Into<Topic>) {
        let topic = topic.into();
        self.nudge(topic);
        if self.store.backend() == Backend::Postgres {
            let store = self.store.clone();
            let announcement = format!("{} {}", self.instance, topic.encode());
            tokio::spawn(async move {
                // Missed, the other instances' streams still look again within 30 seconds.
                if let Err(error) = store.announce(&announcement).await {
                    tracing::warn!(%error, "announcing to other instances failed");
                }
            });
        }
    }

    /// Tells this instance's open streams of the topic; forgets topics nobody watches.
    fn nudge(&self, topic: Topic) {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = channels.get(&topic)
            && sender.send(()).is_err()
        {
            channels.remove(&topic);
        }
    }

    /// Tells every open stream of this instance to look again (announcements were missed).
    fn nudge_all(&self) {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        for sender in channels.values() {
            let _ = sender.send(());
        }
    }

    /// Hands what other instances announce to this instance's streams, for as long as the
    /// server runs. Returns at once on SQLite. When the LISTEN connection is lost, every
    /// stream looks again once it is back, so nobody misses a signal.
    pub async fn relay(self: Arc<Self>) {
        loop {
            match self.store.announcements().await {
                Ok(None) => return,
                Ok(Some(mut announcements)) => {
                    tracing::debug!("listening to other instances");
                    loop {
                        match announcements.next().await {
                            Ok(Heard::Topic(text)) => self.heard(&text),
                            Ok(Heard::Reconnected) => self.nudge_all(),
                            Err(error) => {
                                tracing::warn!(%error, "listening to other instances stopped");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot listen to other instances yet"),
            }
            tokio::time::sleep(RETRY).await;
            self.nudge_all();
        }
    }

    fn heard(&self, announcement: &str) {
        let Some((instance, topic)) = announcement.split_once(' ') else {
            return;
        };
        if instance == self.instance.to_string() {
            return;
        }
        if let Some(topic) = Topic::decode(topic) {
            self.nudge(topic);
        }
    }
}
