//! A member's boundaries: limits, triggers, stress responses, health notes, drop signs and
//! signals, each entry their own and private until they share it with a circle.

use std::collections::BTreeSet;

use tend_core::boundaries::{Boundary, BoundaryError, BoundaryKind, STRESS_RESPONSES};
use tend_store::{BoundaryId, BoundaryRecord, CircleId, MemberId};

use crate::app::App;
use crate::error::{Error, Problem, Result, msg};

/// The member's boundaries, oldest first.
pub async fn boundaries(app: &App, me: MemberId) -> Result<Vec<BoundaryRecord>> {
    Ok(app.store.boundaries(me).await?)
}

/// A boundary as sent: its kind, what the member wrote, a soft limit's "only if…", and the
/// circles (ids, as sent) it is shared with; `None` keeps whom it is shared with as it was
/// (nobody, for a new entry).
pub struct BoundaryInput<'a> {
    pub kind: &'a str,
    pub text: &'a str,
    pub condition: &'a str,
    pub circles: Option<&'a [String]>,
}

/// The circles an entry is to be shared with: each must be one of the member's circles.
async fn shared_with(
    app: &App,
    me: MemberId,
    circles: Option<&[String]>,
) -> Result<Option<BTreeSet<CircleId>>> {
    let Some(circles) = circles else {
        return Ok(None);
    };
    let mine: BTreeSet<CircleId> = app.store.circles(me).await?.iter().map(|c| c.id).collect();
    let mut chosen = BTreeSet::new();
    for circle in circles {
        match CircleId::parse(circle).filter(|id| mine.contains(id)) {
            Some(id) => chosen.insert(id),
            None => return Err(Error::invalid("circles", msg("boundary-circle-invalid"))),
        };
    }
    Ok(Some(chosen))
}

fn parse(input: &BoundaryInput<'_>) -> Result<Boundary> {
    let kind = BoundaryKind::parse(input.kind)
        .ok_or_else(|| Error::invalid("kind", msg("boundary-kind-invalid")))?;
    parse_as(kind, input.text, input.condition)
}

fn parse_as(kind: BoundaryKind, text: &str, condition: &str) -> Result<Boundary> {
    Boundary::parse(kind, text, condition).map_err(|e| {
        let field = if e == BoundaryError::ConditionNotAllowed {
            "condition"
        } else {
            "text"
        };
        Error::Invalid(vec![Problem::rule(field, &e)])
    })
}

/// Adds a boundary, shared with the circles ticked on the same form (none: private).
pub async fn add(app: &App, me: MemberId, input: &BoundaryInput<'_>) -> Result<BoundaryRecord> {
    let boundary = parse(input)?;
    let circles = shared_with(app, me, input.circles)
        .await?
        .unwrap_or_default();
    Ok(app
        .store
        .create_boundary(me, &boundary, &circles, app.clock.now())
        .await?)
}

/// Changes a boundary: all of it, kind included.
pub async fn change(
    app: &App,
    me: MemberId,
    id: BoundaryId,
    input: &BoundaryInput<'_>,
) -> Result<BoundaryRecord> {
    let boundary = parse(input)?;
    save(app, me, id, boundary, input.circles).await
}

/// Changes a boundary's words and whom it is shared with; its kind stays.
pub async fn change_words(
    app: &App,
    me: MemberId,
    id: BoundaryId,
    text: &str,
    condition: &str,
    circles: Option<&[String]>,
) -> Result<BoundaryRecord> {
    let record = own(app, me, id).await?;
    let boundary = parse_as(record.boundary.kind, text, condition)?;
    save(app, me, id, boundary, circles).await
}

async fn own(app: &App, me: MemberId, id: BoundaryId) -> Result<BoundaryRecord> {
    app.store
        .boundaries(me)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound)
}

/// Keeps a changed entry; whom it is shared with stays as it was unless `circles` says.
async fn save(
    app: &App,
    me: MemberId,
    id: BoundaryId,
    boundary: Boundary,
    circles: Option<&[String]>,
) -> Result<BoundaryRecord> {
    let shared_with = match shared_with(app, me, circles).await? {
        Some(chosen) => Some(chosen),
        None => own(app, me, id).await?.shared_with,
    };
    let now = app.clock.now();
    app.store
        .update_boundary(me, id, &boundary, shared_with.as_ref(), now)
        .await?;
    Ok(BoundaryRecord {
        id,
        boundary,
        updated_at: now,
        shared_with,
    })
}

pub async fn delete(app: &App, me: MemberId, id: BoundaryId) -> Result<()> {
    Ok(app.store.delete_boundary(me, id).await?)
}

/// The stress responses chosen (any of fight, flight, freeze, fawn) and whether partners
/// may gently override "I'm fine" (`yes`, `no`, or "" for not said), saved as a whole:
/// what is no longer chosen goes, what is new is added; `circles`, when sent, is whom all of
/// them are shared with (a new one is private otherwise).
pub async fn set_responses(
    app: &App,
    me: MemberId,
    stress: &[&str],
    override_im_fine: &str,
    circles: Option<&[String]>,
) -> Result<()> {
    let mut problems = Vec::new();
    if stress.iter().any(|c| !STRESS_RESPONSES.contains(c)) {
        problems.push(Problem::new("stress", msg("rule-boundary-stress-response")));
    }
    if !matches!(override_im_fine, "" | "yes" | "no") {
        problems.push(Problem::new("override", msg("rule-boundary-yes-or-no")));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let circles = shared_with(app, me, circles).await?;
    let records = app.store.boundaries(me).await?;
    let now = app.clock.now();
    for record in &records {
        let keep = match record.boundary.kind {
            BoundaryKind::StressResponse => stress.contains(&record.boundary.text.as_str()),
            BoundaryKind::OverrideImFine => record.boundary.text == override_im_fine,
            _ => continue,
        };
        if !keep {
            app.store.delete_boundary(me, record.id).await?;
        } else if circles.is_some() && record.shared_with != circles {
            app.store
                .update_boundary(me, record.id, &record.boundary, circles.as_ref(), now)
                .await?;
        }
    }
    let had = |kind: BoundaryKind, text: &str| {
        records
            .iter()
            .any(|r| r.boundary.kind == kind && r.boundary.text == text)
    };
    let mut wanted: Vec<(BoundaryKind, &str)> = stress
        .iter()
        .map(|c| (BoundaryKind::StressResponse, *c))
        .collect();
    if !override_im_fine.is_empty() {
        wanted.push((BoundaryKind::OverrideImFine, override_im_fine));
    }
    let new_circles = circles.unwrap_or_default();
    for (kind, text) in wanted {
        if !had(kind, text) {
            let boundary = parse_as(kind, text, "")?;
            app.store
                .create_boundary(me, &boundary, &new_circles, now)
                .await?;
        }
    }
    Ok(())
}

/// What helps the member when they drop, in their own words (their `drop-help` entries).
pub async fn what_helps(app: &App, me: MemberId) -> Result<Vec<String>> {
    Ok(app
        .store
        .boundaries(me)
        .await?
        .into_iter()
        .filter(|b| b.boundary.kind == BoundaryKind::DropHelp)
        .map(|b| b.boundary.text)
        .collect())
}
