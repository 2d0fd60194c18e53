//! Waiting before trying a write again that met another write at the same moment (a
//! compare-and-swap that lost): a short pause that grows with each try and is never the same
//! twice, so the writers that met spread out instead of meeting again. There is no limit on
//! the tries: each lost try means another writer's change landed, so everyone gets through.

use std::time::Duration;

/// The longest pause between two tries.
const MOST: Duration = Duration::from_millis(64);

/// How long to wait before try number `tried + 1`: between half and all of 1, 2, 4 … 64 ms.
pub fn pause(tried: u32) -> Duration {
    let ceiling = Duration::from_millis(1u64 << tried.min(6)).min(MOST);
    let mut random = [0u8; 2];
    // Without randomness the pause is still a pause: only the spreading is lost.
    let _ = getrandom::fill(&mut random);
    let fraction = f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX);
    ceiling.mul_f64(0.5 + fraction / 2.0)
}

/// Waits before try number `tried + 1`.
pub async fn wait(tried: u32) {
    tokio::time::sleep(pause(tried)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_and_stay_short() {
        for tried in 0..20 {
            let pause = pause(tried);
            let ceiling = Duration::from_millis(1u64 << tried.min(6));
            assert!(
                pause <= ceiling && pause >= ceiling / 2,
                "{tried}: {pause:?}"
            );
            assert!(pause <= MOST);
        }
    }
}
