//! What one instance hears of the others sharing its database: a topic with news, or that
//! its connection was lost and is back.

use async_trait::async_trait;

use crate::error::StoreResult;

/// What the other instances on a shared database announced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Something about this topic changed; read it again from the store.
    Topic(String),
    /// The connection was lost and is back: anything announced meanwhile was missed, so
    /// everything followed should be read again.
    Reconnected,
}

/// A running subscription to what other instances announce.
#[async_trait]
pub trait Announcements: Send {
    /// The next announcement; an error when the database cannot be reached right now.
    async fn next(&mut self) -> StoreResult<Heard>;
}
