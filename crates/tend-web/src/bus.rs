//! The live bus: tells a session's open streams that it has news (a signal, a tick, a new
//! state); the streams then read what is new from the store. In-process for one instance;
//! PostgreSQL LISTEN/NOTIFY across instances comes next (issue 7).

use std::collections::HashMap;
use std::sync::Mutex;

use tend_store::CareSessionId;
use tokio::sync::broadcast;

/// How many unread nudges a stream may fall behind before it just rereads everything new.
const CAPACITY: usize = 16;

#[derive(Default)]
pub struct Bus {
    channels: Mutex<HashMap<CareSessionId, broadcast::Sender<()>>>,
}

impl Bus {
    /// Nudges arriving after this call.
    pub fn subscribe(&self, session: CareSessionId) -> broadcast::Receiver<()> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels
            .entry(session)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Tells the session's open streams to look again; forgets sessions nobody watches.
    pub fn publish(&self, session: CareSessionId) {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = channels.get(&session)
            && sender.send(()).is_err()
        {
            channels.remove(&session);
        }
    }
}
