//! The engine's input built from the ledger: one member's credentials and activities handed
//! to `guildhall_ce::MemberBuilder`, for a member's own pages (explained evaluation) and for
//! bulk evaluation of every member (the staff report, reminders), which reads rows in place
//! and judges them with the engine's allocation-free summary.

use guildhall_ce::{Activity, Credential, LicensureMethod, MemberBuilder, Session, Unit, When};
use guildhall_store::ce::{CeActivityRecord, CeBulkActivity, CeCredentialRow, CeSessionRecord};

use crate::{AppError, AppResult};

/// The engine's view of an activity, borrowed from either a ledger record or a bulk row.
pub(crate) fn activity_view(a: &CeActivityRecord) -> CeBulkActivity<'_> {
    CeBulkActivity {
        member_id: a.member_id,
        id: a.id,
        kind: &a.kind,
        tags: &a.tags,
        occurred_on: a.occurred_on,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        quantity_micro: a.quantity_micro,
        unit: &a.unit,
        provider: &a.provider,
        provider_approvals: &a.provider_approvals,
        organisation: &a.organisation,
        attributes: &a.attributes,
    }
}

/// Adds a tracked credential (its rule set already chosen and its issue date known).
pub(crate) fn add_credential(builder: &mut MemberBuilder<'_>, row: &CeCredentialRow, ruleset: &str) -> AppResult<()> {
    let (Some(ruleset), Some(issued)) = (builder.book().ruleset_index(ruleset), row.issued_on) else {
        return Err(AppError::Internal(format!("credential {} is not tracked by rule set {ruleset}", row.key())));
    };
    builder.credential(Credential {
        ruleset,
        issued,
        expires: row.expires_on,
        licensure_method: row.licensure_method.as_deref().map(LicensureMethod::parse),
        birth_date: None,
        fields: recorded_fields(&row.ce_fields).into_iter().map(|(name, v)| (name.to_string(), v)).collect(),
    });
    Ok(())
}

/// Adds an activity. `rank` is its position among the member's activities in id order (ties in
/// dates are broken by it); `sessions` are its own sessions, if it ran over several days.
pub(crate) fn add_activity(
    builder: &mut MemberBuilder<'_>,
    a: &CeBulkActivity<'_>,
    rank: u32,
    sessions: &[CeSessionRecord],
) -> AppResult<()> {
    let refused = |why: &str| AppError::Internal(format!("CE activity {} cannot be evaluated: {why}", a.id));
    let mut unit = Unit::parse(a.unit).ok_or_else(|| refused("its unit is not known"))?;
    let mut quantity = a.quantity_micro;
    let when = if !sessions.is_empty() {
        let (when, hours) =
            builder.sessions(sessions.iter().map(|s| Session { date: s.session_on, hours: s.hours_micro }));
        // Sessions given in hours (or minutes) count their total hours.
        if matches!(unit, Unit::Hour | Unit::Minute) {
            unit = Unit::Hour;
            quantity = hours;
        }
        when
    } else if let Some(date) = a.occurred_on {
        When::Date(date)
    } else if let (Some(start), Some(end)) = (a.starts_on, a.ends_on) {
        if end < start {
            return Err(refused("it ends before it starts"));
        }
        When::Span { start, end }
    } else {
        return Err(refused("it has no date"));
    };
    let tags = builder
        .tags(a.tags.split_whitespace())
        .map_err(|e| refused(&format!("more than {} topics the rule book does not know", e.limit)))?;
    let approvals = builder.approvals(a.provider_approvals.split_whitespace());
    let organisation = [a.organisation, a.provider].into_iter().find(|name| !name.is_empty());
    let org = builder.organisation(organisation);
    let (attrs_true, attrs_false) = builder.attributes(
        a.attributes
            .split_whitespace()
            .filter_map(|attr| attr.split_once('='))
            .map(|(name, value)| (name, value == "yes")),
    );
    let kind = builder.kind(a.kind);
    builder.activity(Activity { rank, kind, tags, when, quantity, unit, approvals, attrs_true, attrs_false, org });
    Ok(())
}

/// The sessions of `activity_id` in `sessions` (ordered by activity id).
pub(crate) fn sessions_of(sessions: &[CeSessionRecord], activity_id: i64) -> &[CeSessionRecord] {
    let start = sessions.partition_point(|s| s.activity_id < activity_id);
    let end = start + sessions[start..].partition_point(|s| s.activity_id == activity_id);
    &sessions[start..end]
}

/// The figures recorded on a credential (`name=value` pairs, values in decimal) in millionths;
/// anything unreadable is left out (the engine then reports what it cannot decide).
pub(crate) fn recorded_fields(text: &str) -> Vec<(&str, i64)> {
    text.split_whitespace()
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((name, crate::ce::micro_of(name, name, value).ok()?))
        })
        .collect()
}
