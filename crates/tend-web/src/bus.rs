//! The live bus: tells open streams that there is news — a session's (a signal, a tick, a new
//! state) or a member's (a notification) — and the streams then read what is new from the
//! store. In-process for one instance; PostgreSQL LISTEN/NOTIFY across instances comes next
//! (issue 7).

use std::collections::HashMap;
use std::sync::Mutex;

use tend_store::{CareSessionId, MemberId};
use tokio::sync::broadcast;

/// How many unread nudges a stream may fall behind before it just rereads everything new.
const CAPACITY: usize = 16;

/// What a stream follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A care session, for its participants' pages.
    Session(CareSessionId),
    /// A member's notification centre, for the badge on their pages.
    Member(MemberId),
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

#[derive(Default)]
pub struct Bus {
    channels: Mutex<HashMap<Topic, broadcast::Sender<()>>>,
}

impl Bus {
    /// Nudges arriving after this call.
    pub fn subscribe(&self, topic: impl Into<Topic>) -> broadcast::Receiver<()> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels
            .entry(topic.into())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Tells the topic's open streams to look again; forgets topics nobody watches.
    pub fn publish(&self, topic: impl Into<Topic>) {
        let topic = topic.into();
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = channels.get(&topic)
            && sender.send(()).is_err()
        {
            channels.remove(&topic);
        }
    }
}
