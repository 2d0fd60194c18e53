//! What a session's pages show of its signals: practice ones only while it is planned, live
//! ones while it is live or in aftercare, and each sender's latest with who has seen it.

use std::collections::{BTreeMap, BTreeSet};

use tend_core::Timestamp;
use tend_core::session::{Signal, State};
use tend_store::{MemberId, SignalRecord, StoredCareSession};

use crate::app::App;
use crate::error::Result;

/// A participant's latest signal, as every page shows it while the session is live or in
/// aftercare (and as practice while it is planned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestSignal {
    pub seq: i64,
    pub from: MemberId,
    pub signal: Signal,
    pub at: Timestamp,
    pub practice: bool,
    /// The others whose page has shown it.
    pub seen_by: BTreeSet<MemberId>,
}

/// Whether a signal belongs on a page of a session in `state`: practice only while planned,
/// live ones while live or in aftercare (a practice one that raced the start is left out).
pub(crate) fn shown_in(state: State, record: &SignalRecord) -> bool {
    match state {
        State::Plan => true,
        State::Live | State::Aftercare => !record.practice,
        State::Closed => false,
    }
}

/// The session's signals as its pages show them, oldest first, and each sender's latest
/// with who has seen it.
pub async fn signals(
    app: &App,
    me: MemberId,
    stored: &StoredCareSession,
) -> Result<(Vec<(i64, SignalRecord)>, Vec<LatestSignal>)> {
    let state = stored.record.session.state;
    if state == State::Closed {
        return Ok((Vec::new(), Vec::new()));
    }
    let signals: Vec<(i64, SignalRecord)> = app
        .store
        .signals_after(me, stored, 0)
        .await?
        .into_iter()
        .filter(|(_, record)| shown_in(state, record))
        .collect();
    let mut latest: BTreeMap<MemberId, LatestSignal> = BTreeMap::new();
    for (seq, record) in &signals {
        if let Some(from) = record.from {
            latest.insert(
                from,
                LatestSignal {
                    seq: *seq,
                    from,
                    signal: record.signal,
                    at: Timestamp::from_unix_seconds(record.at),
                    practice: record.practice,
                    seen_by: BTreeSet::new(),
                },
            );
        }
    }
    if !latest.is_empty() {
        for (seq, by) in app.store.sightings(me, stored).await? {
            if let Some(l) = latest.values_mut().find(|l| l.seq == seq && l.from != by) {
                l.seen_by.insert(by);
            }
        }
    }
    // In the order they were sent, the latest last.
    let mut latest: Vec<LatestSignal> = latest.into_values().collect();
    latest.sort_by_key(|l| l.seq);
    Ok((signals, latest))
}
