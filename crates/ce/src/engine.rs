//! The evaluation engine: pure, no I/O, integer arithmetic.
//!
//! For each credential: place periods in time, convert activities into credit pieces placed on
//! the right dates, then walk the periods in order applying caps, allocating credit to minimums
//! (optimal and exclusive, by max-flow), deciding the status, and computing carryover.

use time::Date;

use crate::amount::{Amount, Credit, MICRO, mul_micro};
use crate::dates::{add_months, add_months_eom, iso, last_of_month, months_inclusive, next_day, prev_day, ymd};
use crate::model::{Activity, Credential, LicensureMethod, Member, When};
use crate::report::*;
use crate::rules::*;

const MAX_PERIODS: usize = 400;
const INF: i64 = i64::MAX / 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

/// Why a piece of credit does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    None,
    NoConversion,
    Condition(u16, u8),
    BelowMinimum(u16),
    UnknownRate(u16),
    IncompleteYear,
    /// The body excludes the activity altogether (index in `Ruleset::exclusions`).
    Excluded(u16),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece {
    date: Date,
    act: u32,
    rank: u32,
    period: u32,
    /// Credit after conversion, before caps (hundredths).
    earned: i64,
    capped: i64,
    /// Credit whose counting depends on an unknown value (unknown cap).
    uncertain: i64,
    /// What only explanations read (why it does not count, disallowed credit, assumed
    /// conditions): index in `Scratch::infos`, 0 for nothing to say.
    info: u32,
    /// Its credit value is unknown in the rule file (`Why::UnknownRate`).
    unknown_rate: bool,
    carried_in: bool,
    ttl: u8,
    raw_mask: u16,
    mask: u16,
    carry_ok: bool,
    lock: i64,
    used: i64,
    carried: i64,
    toward: u16,
    rule: u16,
    /// Maxima (bits by index) and minimums (topic/kind/provider match) of the period's version
    /// this piece's activity matches, and whether its tags exclude it from carryover.
    cap_bits: u16,
    min_bits: u16,
    excl: bool,
}

/// The explanation-only facts of a piece (kept out of `Piece` to keep it small).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Info {
    /// Credit that is disallowed by a failed condition (hundredths).
    disallowed: i64,
    assumed: u64,
    why: Why,
}

const NO_INFO: Info = Info { disallowed: 0, assumed: 0, why: Why::None };

impl Piece {
    /// Credit left after caps. (Carried-in credit is never capped or made uncertain again: its
    /// `capped` and `uncertain` stay zero, so this is its `earned`.)
    #[inline]
    fn avail(&self) -> i64 {
        self.earned - self.capped - self.uncertain
    }
}

/// Reusable working memory; keep one per thread to evaluate many members without allocating.
#[derive(Default)]
pub struct Scratch {
    periods: Vec<Period>,
    pieces: Vec<Piece>,
    cur: Vec<Piece>,
    next_carry: Vec<Piece>,
    groups: Vec<(u16, i64)>,
    cap_groups: Vec<(u64, i64)>,
    cap_order: Vec<(i64, usize)>,
    rem: Vec<i64>,
    trims: Vec<(u32, u8, i64)>,
    keys: Vec<(u64, u32)>,
    sorted: Vec<Piece>,
    /// Per credential: the pieces' explanation-only facts (`Piece::info`; 0 is `NO_INFO`).
    infos: Vec<Info>,
    /// Per member: activities in date order (filled by the first credential evaluated).
    act_order: Vec<(u64, u32)>,
    packed: Vec<u64>,
    order: Vec<u64>,
    ranges: Vec<(usize, usize)>,
    flow: Flow,
    /// The joint allocation of overlapping caps (`joint_caps`): groups, membership (piece,
    /// group), per piece (index, flow edge, credit left, trimmed not yet attributed).
    jgroups: Vec<CapGroup>,
    jmemb: Vec<(u32, u32)>,
    jpieces: Vec<(u32, usize, i64, i64)>,
    cflow: CostFlow,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch::default()
    }
}

/// Per-credential figures of the period containing `as_of`, for callers that do not need the
/// explanation (bulk reports, benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub status: Status,
    pub credited: Credit,
    pub shortfall: Option<Credit>,
    pub periods: u32,
    /// The last period evaluated (the one containing `as_of`).
    pub period: Option<Period>,
    /// Shortfall of each minimum of the rule-set version in force for `period` (on its last
    /// day: `RulesetHistory::version_on(period.end)`), by its index
    /// in that version's minimums; `None` where the minimum does not apply or its requirement
    /// is not known.
    pub minimum_shortfalls: [Option<Credit>; 12],
}

/// Names needed to explain an evaluation (ids and tag names of the member's input).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub credential_ids: Vec<String>,
    pub activity_ids: Vec<String>,
    /// Tag names of member-local tag ids (ids at or above `RuleBook::tag_count()`).
    pub extra_tags: Vec<String>,
}

/// Evaluates every credential of `member`; writes one [`Summary`] per credential into `out`
/// (cleared first). Allocates nothing once `scratch` and `out` have grown.
pub fn evaluate_summary(book: &RuleBook, member: &Member, scratch: &mut Scratch, out: &mut Vec<Summary>) {
    out.clear();
    order_activities(member, &mut scratch.packed, &mut scratch.act_order);
    for ci in 0..member.credentials.len() {
        let mut s = Summary {
            status: Status::NotRequired,
            credited: Credit::ZERO,
            shortfall: None,
            periods: 0,
            period: None,
            minimum_shortfalls: [None; 12],
        };
        let placed = eval_credential(book, member, ci, scratch, false, &mut |o: &Outcome, _: &Ctx| {
            s.status = o.status;
            s.credited = o.credited_total;
            s.shortfall = o.total_shortfall;
            s.periods += 1;
            s.period = Some(o.period);
            for (short, &(on, required, credited)) in s.minimum_shortfalls.iter_mut().zip(&o.mins) {
                *short = if on { required.map(|r| r.sat_sub(credited)) } else { None };
            }
        });
        // As in the explained evaluation: periods that cannot be placed for want of an expiry
        // date leave the status undecidable.
        if placed == Err(PlaceError::MissingExpiry) {
            s.status = Status::Undecidable;
        }
        out.push(s);
    }
}

/// Evaluates every credential of `member` with the full explanation.
pub fn evaluate_member(book: &RuleBook, member: &Member, names: &Names) -> Evaluation {
    let mut scratch = Scratch::new();
    order_activities(member, &mut scratch.packed, &mut scratch.act_order);
    let as_of = member.as_of.unwrap_or(Date::MIN);
    let mut creds = Vec::new();
    for (ci, cred) in member.credentials.iter().enumerate() {
        let hist = book.history_at(cred.ruleset);
        let latest = hist.version_on(as_of);
        let mut res = CredentialResult {
            id: names.credential_ids.get(ci).cloned().unwrap_or_default(),
            ruleset: hist.id.clone(),
            ruleset_name: latest.name.clone(),
            credit_unit: latest.credit_unit.clone(),
            status: Status::NotRequired,
            periods: Vec::new(),
            not_counted: Vec::new(),
            notes: Vec::new(),
        };
        let mut periods = Vec::new();
        // A placement error is explained by `credential_notes`.
        let _ = eval_credential(book, member, ci, &mut scratch, true, &mut |o: &Outcome, cx: &Ctx| {
            periods.push(explain_period(book, member, names, o, cx));
        });
        res.status = periods.last().map(|p: &PeriodResult| p.status).unwrap_or(Status::NotRequired);
        res.periods = periods;
        credential_notes(book, member, ci, names, &scratch, &mut res);
        creds.push(res);
    }
    Evaluation { format: "guildhall-ce-evaluation/1", as_of: iso(as_of), credentials: creds }
}

// ---------------------------------------------------------------------------------------------
// Period placement
// ---------------------------------------------------------------------------------------------

#[inline]
fn fixed_end_in_year(c: &Cycle, y: i32) -> Date {
    match c.end_day {
        None => last_of_month(y, c.end_month),
        Some(d) => ymd(y, c.end_month, d.min(crate::dates::days_in_month(y, c.end_month))).unwrap_or(Date::MIN),
    }
}

#[inline]
fn parity_ok(p: Parity, y: i32) -> bool {
    match p {
        Parity::Any => true,
        Parity::Odd => y.rem_euclid(2) == 1,
        Parity::Even => y.rem_euclid(2) == 0,
    }
}

/// The first fixed end date on or after `d`.
fn fixed_end_on_or_after(c: &Cycle, d: Date) -> Date {
    let mut y = d.year();
    loop {
        let e = fixed_end_in_year(c, y);
        if e >= d && parity_ok(c.parity, y) {
            return e;
        }
        y += 1;
        if y > d.year() + 10 {
            return Date::MAX;
        }
    }
}

/// Why periods could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceError {
    NoCycle,
    MissingExpiry,
}

/// Places the periods of `cred` from the one containing its issue date to the one containing
/// `as_of`.
pub fn place_periods(
    hist: &RulesetHistory,
    cred: &Credential,
    as_of: Date,
    out: &mut Vec<Period>,
) -> Result<(), PlaceError> {
    out.clear();
    let v0 = hist.version_on(cred.issued);
    let Some(c) = v0.cycle.as_ref().or_else(|| hist.version_on(as_of).cycle.as_ref()) else {
        return Err(PlaceError::NoCycle);
    };
    let issued = cred.issued;
    let first = match c.anchor {
        Anchor::CalendarYear => {
            Period { start: ymd(issued.year(), 1, 1).unwrap_or(issued), end: last_of_month(issued.year(), 12) }
        }
        Anchor::Fixed => {
            let end = fixed_end_on_or_after(c, issued);
            Period { start: next_day(add_months_eom(end, -c.length_months)), end }
        }
        Anchor::CredentialExpiration | Anchor::MembershipRenewal => {
            let len = c.length_months;
            let mut end = match (cred.expires, cred.birth_date) {
                (Some(e), _) => e,
                (None, Some(b)) if c.birth_month_alignment => {
                    // Last day of the birth month, the latest one within `len` months of issue.
                    let limit = prev_day(add_months(issued, len));
                    let mut y = limit.year();
                    let mut e = last_of_month(y, b.month() as u8);
                    while e > limit {
                        y -= 1;
                        e = last_of_month(y, b.month() as u8);
                    }
                    e
                }
                _ => return Err(PlaceError::MissingExpiry),
            };
            // Jump close to the issue date in one step, then adjust.
            let months_apart = (end.year() - issued.year()) * 12 + (end.month() as i32 - issued.month() as i32);
            let k = (months_apart / len - 1).max(0);
            if k > 0 {
                end = add_months_eom(end, -k * len);
            }
            let mut guard = 0;
            while guard < MAX_PERIODS {
                let earlier = add_months_eom(end, -len);
                if earlier < issued {
                    break;
                }
                end = earlier;
                guard += 1;
            }
            while end < issued && guard < 2 * MAX_PERIODS {
                end = add_months_eom(end, len);
                guard += 1;
            }
            Period { start: next_day(add_months_eom(end, -len)), end }
        }
        Anchor::CredentialStart => {
            let end = match c.first_period_end {
                Some((n, m, d)) => {
                    let mut count = 0;
                    let mut y = issued.year();
                    let mut e = issued;
                    while count < n {
                        if let Some(x) = ymd(y, m, d)
                            && x > issued
                        {
                            count += 1;
                            e = x;
                        }
                        y += 1;
                    }
                    e
                }
                None => prev_day(add_months(issued, c.length_months)),
            };
            Period { start: issued, end }
        }
    };
    out.push(first);
    while out.len() < MAX_PERIODS {
        let prev = out[out.len() - 1];
        if prev.end >= as_of {
            break;
        }
        let start = next_day(prev.end);
        let v = hist.version_on(start);
        let c = v.cycle.as_ref().unwrap_or(c);
        let end = match c.anchor {
            Anchor::CalendarYear => last_of_month(start.year(), 12),
            Anchor::Fixed => fixed_end_on_or_after(c, start),
            Anchor::CredentialExpiration | Anchor::MembershipRenewal => add_months_eom(prev.end, c.length_months),
            Anchor::CredentialStart => prev_day(add_months(start, c.length_months)),
        };
        if end < start {
            break;
        }
        out.push(Period { start, end });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------------

#[inline]
fn rule_matches(rule: &CreditRule, a: &Activity) -> bool {
    match rule.method {
        Method::PerHour => matches!(a.unit, Unit::Hour | Unit::Minute),
        Method::PerUnit => {
            rule.unit.is_some_and(|u| a.unit.accepted_by_rule(u) || (u == Unit::Minute && a.unit == Unit::Hour))
        }
        Method::FixedPerItem => a.unit == Unit::Item,
        Method::PerMonth => a.unit == Unit::Month,
        Method::PerYear => a.unit == Unit::Year,
    }
}

impl Unit {
    fn accepted_by_rule(self, rule_unit: Unit) -> bool {
        self == rule_unit
            || (rule_unit == Unit::CollegeCredit
                && matches!(self, Unit::CollegeSemesterHour | Unit::CollegeQuarterHour))
    }
}

#[inline]
fn hours_micro(a: &Activity) -> i64 {
    match a.unit {
        Unit::Minute => a.quantity / 60,
        _ => a.quantity,
    }
}

#[inline]
fn check_conditions(rule: &CreditRule, a: &Activity) -> (Option<u8>, u64) {
    let mut assumed = 0u64;
    for (i, c) in rule.conditions.iter().enumerate() {
        match c {
            Condition::Tagged(t, _) => {
                if !a.tags.contains(*t) {
                    return (Some(i as u8), assumed);
                }
            }
            Condition::Attr(bit, _) => {
                let m = 1u64 << bit;
                if a.attrs_false & m != 0 {
                    return (Some(i as u8), assumed);
                }
                if a.attrs_true & m == 0 {
                    assumed |= m;
                }
            }
            Condition::NotAttr(bit, _) => {
                if a.attrs_true & (1u64 << bit) != 0 {
                    return (Some(i as u8), assumed);
                }
            }
        }
    }
    (None, assumed)
}

fn blank_piece() -> Piece {
    Piece {
        date: Date::MIN,
        act: 0,
        rank: 0,
        period: u32::MAX,
        earned: 0,
        capped: 0,
        uncertain: 0,
        info: 0,
        unknown_rate: false,
        carried_in: false,
        ttl: 0,
        raw_mask: 0,
        mask: 0,
        carry_ok: false,
        lock: 0,
        used: 0,
        carried: 0,
        toward: 0,
        rule: u16::MAX,
        cap_bits: 0,
        min_bits: 0,
        excl: false,
    }
}

/// Converts one activity under ruleset version `v` and pushes its pieces.
/// With `bits`, the pieces also get their matching bits under `v` (right when `v` is the only
/// version: otherwise they are set from the version of the period a piece falls in).
fn push_pieces(v: &Ruleset, member: &Member, ai: usize, bits: bool, out: &mut Vec<Piece>, infos: &mut Vec<Info>) {
    let a = &member.activities[ai];
    // A piece with explanation-only facts (the activity's assumed conditions are added).
    let mut noted = |p: Piece, why: Why, disallowed: i64, assumed: u64| -> Piece {
        infos.push(Info { disallowed, assumed, why });
        Piece { info: (infos.len() - 1) as u32, unknown_rate: matches!(why, Why::UnknownRate(_)), ..p }
    };
    let mut base = Piece { date: a.reference_date(&member.sessions), act: ai as u32, rank: a.rank, ..blank_piece() };
    // Activities the body excludes altogether earn nothing (the credit they would have earned is
    // shown as disallowed, with the body's reason).
    let excluded = v.exclusions.iter().position(|x| x.matches(a.kind, &a.tags, a.attrs_true)).map(|i| i as u16);
    if bits {
        set_bits(v, a, &mut base);
    }
    // A kind whose only rules convert other units (CEU, college credit) still earns the default
    // one credit per contact hour; kinds counted per hour/item/month/year need their own rule.
    let mut has_kind_rule = false;
    let mut chosen: Option<(usize, &CreditRule)> = None;
    let mut consider = |i: usize| {
        let r = &v.credit_rules[i];
        has_kind_rule |= r.method != Method::PerUnit || r.unit == Some(Unit::Minute);
        if chosen.is_none() && rule_matches(r, a) {
            chosen = Some((i, r));
        }
    };
    match v.matcher.rules_of(a.kind) {
        Some(list) => list.iter().for_each(|&i| consider(i as usize)),
        None => (0..v.credit_rules.len()).filter(|&i| v.credit_rules[i].kind == a.kind).for_each(consider),
    }
    let Some((ri, rule)) = chosen else {
        // Default: one credit per contact hour; or already in the rule set's own unit.
        let own = matches!(a.unit, Unit::Own(u) if Some(u) == v.credit_unit_id);
        let micro = if own {
            a.quantity
        } else if !has_kind_rule && matches!(a.unit, Unit::Hour | Unit::Minute) {
            let Some(per_hour) = v.contact_hour_credit.known() else {
                out.push(noted(base, Why::UnknownRate(u16::MAX), 0, 0));
                return;
            };
            let h = mul_micro(hours_micro(a), per_hour);
            v.contact_rounding.map(|r| r.apply(h)).unwrap_or(h)
        } else {
            out.push(noted(base, Why::NoConversion, 0, 0));
            return;
        };
        if micro == 0 && a.quantity > 0 {
            out.push(noted(base, Why::BelowMinimum(u16::MAX), 0, 0));
            return;
        }
        if let Some(xi) = excluded {
            out.push(noted(base, Why::Excluded(xi), Credit::from_micro(micro).0, 0));
            return;
        }
        push_split(a, member, base, Credit::from_micro(micro).0, out);
        return;
    };
    let ri = ri as u16;
    let (Some(rate), Some(mult)) = (rule.rate.known(), rule.multiplier.known()) else {
        out.push(noted(Piece { rule: ri, ..base }, Why::UnknownRate(ri), 0, 0));
        return;
    };
    let (failed, assumed) = check_conditions(rule, a);
    let base = Piece { rule: ri, ..base };
    let base = if assumed != 0 { noted(base, Why::None, 0, assumed) } else { base };
    let rounding = rule.rounding.or(if rule.method == Method::PerHour { v.contact_rounding } else { None });
    let finish = |micro: i64| -> i64 {
        let m = mul_micro(micro, mult);
        let m = rounding.map(|r| r.apply(m)).unwrap_or(m);
        Credit::from_micro(m).0
    };
    // Service credit earned per month / year of a span.
    if let (When::Span { start, end }, Method::PerYear | Method::PerMonth) = (a.when, rule.method) {
        let step = if rule.method == Method::PerYear { 12 } else { 1 };
        let each = finish(rate);
        let mut k = 1;
        let mut any = false;
        loop {
            let d = prev_day(add_months(start, k * step));
            if d > end || k > 1200 {
                break;
            }
            any = true;
            let mut p = Piece { date: d, earned: each, ..base };
            if let Some(ci) = failed {
                p.earned = 0;
                p = noted(p, Why::Condition(ri, ci), each, assumed);
            } else if let Some(xi) = excluded {
                p.earned = 0;
                p = noted(p, Why::Excluded(xi), each, assumed);
            }
            out.push(p);
            k += 1;
        }
        if !any {
            out.push(noted(Piece { date: end, ..base }, Why::IncompleteYear, 0, assumed));
        }
        return;
    }
    let micro = match rule.method {
        Method::PerHour => mul_micro(hours_micro(a), rate),
        Method::PerUnit if rule.unit == Some(Unit::Minute) && a.unit == Unit::Hour => mul_micro(a.quantity * 60, rate),
        Method::PerUnit | Method::FixedPerItem | Method::PerMonth | Method::PerYear => mul_micro(a.quantity, rate),
    };
    let credit = finish(micro);
    if let Some(ci) = failed {
        out.push(noted(base, Why::Condition(ri, ci), credit, assumed));
        return;
    }
    if credit == 0 && micro > 0 {
        out.push(noted(base, Why::BelowMinimum(ri), 0, assumed));
        return;
    }
    if let Some(xi) = excluded {
        out.push(noted(base, Why::Excluded(xi), credit, assumed));
        return;
    }
    push_split(a, member, base, credit, out);
}

/// Splits `credit` across an activity's session dates (straddle policy), or places it whole.
#[inline]
fn push_split(a: &Activity, member: &Member, base: Piece, credit: i64, out: &mut Vec<Piece>) {
    if let When::Sessions { start, len } = a.when
        && len > 1
    {
        let ss = member.sessions.get(start as usize..(start as usize).saturating_add(len as usize)).unwrap_or(&[]);
        let total_h: i64 = ss.iter().map(|s| s.hours).sum();
        if total_h > 0 {
            let mut given = 0i64;
            for (i, s) in ss.iter().enumerate() {
                let part = if i + 1 == ss.len() {
                    credit - given
                } else {
                    match credit.checked_mul(s.hours) {
                        Some(x) => x / total_h,
                        None => (credit as i128 * s.hours as i128 / total_h as i128) as i64,
                    }
                };
                given += part;
                out.push(Piece { date: s.date, earned: part, ..base });
            }
            return;
        }
    }
    out.push(Piece { earned: credit, ..base });
}

// ---------------------------------------------------------------------------------------------
// Max-flow (tiny graphs: groups of credit by eligibility → minimums)
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Flow {
    n: usize,
    cap: Vec<i64>,
    flow: Vec<i64>,
    prev: Vec<usize>,
    queue: Vec<usize>,
}

impl Flow {
    fn reset(&mut self, n: usize) {
        self.n = n;
        self.cap.clear();
        self.cap.resize(n * n, 0);
        self.flow.clear();
        self.flow.resize(n * n, 0);
    }
    fn set(&mut self, a: usize, b: usize, c: i64) {
        self.cap[a * self.n + b] = c;
    }
    fn f(&self, a: usize, b: usize) -> i64 {
        self.flow[a * self.n + b]
    }
    /// Edmonds–Karp from node 0 to node n-1; returns added flow.
    fn run(&mut self) -> i64 {
        let n = self.n;
        let (s, t) = (0, n - 1);
        let mut total = 0;
        loop {
            self.prev.clear();
            self.prev.resize(n, usize::MAX);
            self.queue.clear();
            self.queue.push(s);
            self.prev[s] = s;
            let mut qi = 0;
            while qi < self.queue.len() && self.prev[t] == usize::MAX {
                let u = self.queue[qi];
                qi += 1;
                for w in 0..n {
                    if self.prev[w] == usize::MAX && self.cap[u * n + w] - self.flow[u * n + w] > 0 {
                        self.prev[w] = u;
                        self.queue.push(w);
                    }
                }
            }
            if self.prev[t] == usize::MAX {
                return total;
            }
            let mut push = INF;
            let mut w = t;
            while w != s {
                let u = self.prev[w];
                push = push.min(self.cap[u * n + w] - self.flow[u * n + w]);
                w = u;
            }
            let mut w = t;
            while w != s {
                let u = self.prev[w];
                self.flow[u * n + w] += push;
                self.flow[w * n + u] -= push;
                w = u;
            }
            total += push;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Period evaluation
// ---------------------------------------------------------------------------------------------

/// What the engine decided for one period (numbers in hundredths).
pub(crate) struct Outcome {
    pub period: Period,
    pub status: Status,
    pub required_total: Option<Credit>,
    pub credited_total: Credit,
    pub carried_in: Credit,
    pub total_shortfall: Option<Credit>,
    pub carry_out: Option<Credit>,
    /// Per minimum of the version: (active, required, credited).
    pub mins: [(bool, Option<Credit>, Credit); 12],
    pub exempt_reason: Option<String>,
    pub undecidable: Vec<String>,
    pub notes: Vec<String>,
    pub diversity_short: Vec<(usize, u32, Period)>,
    pub caps: [(u8, Credit, Credit); 16],
    pub ncaps: usize,
}

/// Everything an explanation needs about the period just evaluated.
pub(crate) struct Ctx<'a> {
    pub version: &'a Ruleset,
    pub pieces: &'a [Piece],
    /// (index in `pieces`, maximum index, credit trimmed)
    pub trims: &'a [(u32, u8, i64)],
    /// Explanation-only facts of the pieces (`Piece::info`).
    pub infos: &'a [Info],
    pub as_of: Date,
    /// The credential's first period (the one containing its issue date).
    pub first: bool,
}

enum Treatment {
    Standard,
    Exempt(String),
    Reduced,
    Total(Option<Credit>, String),
    /// The full requirement applies unless a lower one (unknown) does.
    MaybeLower(String),
}

fn method_name(m: Option<LicensureMethod>) -> &'static str {
    m.map(|m| m.name()).unwrap_or("not recorded")
}

/// Words explaining a decision, written only when an explanation is being built.
#[inline]
fn words(explain: bool, f: impl FnOnce() -> String) -> String {
    if explain { f() } else { String::new() }
}

fn first_treatment(v: &Ruleset, cred: &Credential, p: Period, is_first: bool, explain: bool) -> Treatment {
    let prorate = |t: &mut Treatment| {
        if let Some(rate) = v.proration_per_month
            && let Some(c) = &v.cycle
        {
            let months = months_inclusive(cred.issued.max(p.start), p.end);
            if months < c.length_months {
                *t = match rate.known() {
                    Some(r) => Treatment::Total(
                        Some(Credit::from_micro(r * months as i64)),
                        words(explain, || {
                            format!(
                                "registration period of {months} months is shorter than {} months: prorated at {} per month",
                                c.length_months,
                                Credit::from_micro(r).text()
                            )
                        }),
                    ),
                    None => Treatment::MaybeLower(words(explain, || {
                        "the proration rate for a short registration period is unknown".into()
                    })),
                };
            }
        }
    };
    if !is_first {
        return Treatment::Standard;
    }
    let fp = &v.first_period;
    let mut std = Treatment::Standard;
    prorate(&mut std);
    let method = cred.licensure_method;
    let method_str = method.map(|m| m.name());
    let restricted = !fp.methods.is_empty() || !fp.excluded_methods.is_empty();
    if matches!(fp.policy, FirstPolicy::Standard) {
        return std;
    }
    if matches!(fp.policy, FirstPolicy::Unknown) {
        return Treatment::MaybeLower(words(explain, || {
            format!("{} does not say how a first period is treated", v.id)
        }));
    }
    if restricted {
        match method_str {
            None => {
                return Treatment::MaybeLower(words(explain, || {
                    format!(
                        "the first-period rule of {} depends on how the licence was obtained, and licensure_method is not recorded",
                        v.id
                    )
                }));
            }
            Some(m) => {
                if fp.excluded_methods.iter().any(|x| x == m) {
                    return std;
                }
                if !fp.methods.is_empty() && !fp.methods.iter().any(|x| x == m) {
                    return std;
                }
            }
        }
    }
    // How the licence was obtained, when the rule depends on it.
    let how = words(explain, || if restricted { format!(" by {}", method_name(method)) } else { String::new() });
    // The rule an exemption rests on: the rule set's first-period rule and the sources it cites.
    let by_rule = || {
        let mut r = format!("exempt by the first-period rule of {}", v.name);
        if !fp.sources.is_empty() {
            r.push_str(&format!(" (source: {})", fp.sources.join("; ")));
        }
        r
    };
    match fp.policy {
        FirstPolicy::Exempt => match fp.applies_to {
            FirstAppliesTo::RemainderOfIssueCalendarYear => {
                if p.end.year() == cred.issued.year() {
                    Treatment::Exempt(words(explain, || {
                        format!(
                            "first registered on {}{how}: the rest of that calendar year is {}",
                            iso(cred.issued),
                            by_rule()
                        )
                    }))
                } else {
                    Treatment::MaybeLower(words(explain, || {
                        format!(
                            "exempt for the rest of {}; the rules do not say whether the rest of this first period is prorated",
                            cred.issued.year()
                        )
                    }))
                }
            }
            FirstAppliesTo::FirstRenewal => Treatment::Exempt(words(explain, || {
                format!("first renewal after initial licensure on {}{how}: {}", iso(cred.issued), by_rule())
            })),
            FirstAppliesTo::PeriodContainingIssueDate => Treatment::Exempt(words(explain, || {
                format!("first registration period, licensed on {}{how}: {}", iso(cred.issued), by_rule())
            })),
        },
        FirstPolicy::Reduced => Treatment::Reduced,
        FirstPolicy::Prorated => match fp.prorate_per_month.known() {
            Some(r) => {
                let months = months_inclusive(cred.issued, p.end) as i64;
                Treatment::Total(
                    Some(Credit::from_micro(r * months)),
                    words(explain, || {
                        format!("first period prorated: {months} months at {} per month", Credit::from_micro(r).text())
                    }),
                )
            }
            None => Treatment::MaybeLower(words(explain, || "the first-period proration rate is unknown".into())),
        },
        FirstPolicy::Standard | FirstPolicy::Unknown => std,
    }
}

fn holds(book: &RuleBook, member: &Member, rid: &str) -> bool {
    member.credentials.iter().any(|c| book.history_at(c.ruleset).id == rid)
}

#[inline(always)]
fn set_bits(v: &Ruleset, a: &Activity, p: &mut Piece) {
    (p.cap_bits, p.min_bits, p.excl) = v.matcher.bits(a.kind, &a.tags, a.approvals);
}

#[cfg(test)]
fn cap_matches(m: &Maximum, a: &Activity) -> bool {
    (m.kinds.is_empty() || m.kinds.contains(&a.kind)) && (m.tags.is_empty() || m.tags.intersects(&a.tags))
}

#[cfg(test)]
fn min_matches(m: &Minimum, a: &Activity) -> bool {
    let topic = m.tags.intersects(&a.tags) || m.kinds.contains(&a.kind);
    let provider = match &m.provider_approved_by {
        Some((bit, _)) => a.approvals & (1u32 << bit) != 0,
        None => true,
    };
    topic && provider
}

/// A number that orders like the date (year and day of the year: no calendar arithmetic); below
/// 2^32 for every year `time` supports.
#[inline]
fn day_key(d: Date) -> u64 {
    (((d.year() as i64 + (1 << 22)) as u64) << 9) | d.ordinal() as u64
}

#[inline]
fn piece_key(p: &Piece) -> u64 {
    (day_key(p.date) << 32) | p.rank as u64
}

/// Sorts pieces by (date, activity rank), keeping the order of pieces that compare equal.
/// Pieces are made in activity date order, so usually only the earlier sessions of multi-day
/// activities are out of place: an insertion sort moves those few; if there is more to move
/// (e.g. monthly service credit spanning years) it sorts compact keys and permutes once.
fn sort_pieces(pieces: &mut Vec<Piece>, keys: &mut Vec<(u64, u32)>, sorted: &mut Vec<Piece>) {
    let n = pieces.len();
    let mut budget = 4 * n + 16;
    for i in 1..n {
        let k = piece_key(&pieces[i]);
        if piece_key(&pieces[i - 1]) <= k {
            continue;
        }
        let x = pieces[i];
        let mut j = i;
        while j > 0 && piece_key(&pieces[j - 1]) > k && budget > 0 {
            pieces[j] = pieces[j - 1];
            j -= 1;
            budget -= 1;
        }
        pieces[j] = x;
        if budget == 0 {
            break;
        }
    }
    if budget > 0 {
        return;
    }
    // Equal keys keep their relative order above, so sorting by (key, position) is stable.
    keys.clear();
    keys.extend(pieces.iter().enumerate().map(|(i, p)| (piece_key(p), i as u32)));
    keys.sort_unstable();
    sorted.clear();
    sorted.extend(keys.iter().map(|&(_, i)| pieces[i as usize]));
    std::mem::swap(pieces, sorted);
}

/// Activity indices in (reference date, rank) order, with their sort keys.
fn order_activities(member: &Member, packed: &mut Vec<u64>, out: &mut Vec<(u64, u32)>) {
    out.clear();
    let acts = &member.activities;
    if acts.len() <= 1 << 16 && acts.iter().all(|a| a.rank < 1 << 16) {
        // Date, rank and index in one word: one plain integer sort (ties cannot occur).
        packed.clear();
        packed.extend(
            acts.iter()
                .enumerate()
                .map(|(i, a)| (day_key(a.reference_date(&member.sessions)) << 32) | ((a.rank as u64) << 16) | i as u64),
        );
        packed.sort_unstable();
        out.extend(packed.iter().map(|&k| (k, (k & 0xFFFF) as u32)));
        return;
    }
    out.extend(
        acts.iter()
            .enumerate()
            .map(|(i, a)| ((day_key(a.reference_date(&member.sessions)) << 32) | a.rank as u64, i as u32)),
    );
    out.sort_unstable();
}

fn eval_credential(
    book: &RuleBook,
    member: &Member,
    ci: usize,
    s: &mut Scratch,
    explain: bool,
    sink: &mut dyn FnMut(&Outcome, &Ctx),
) -> Result<(), PlaceError> {
    let cred = &member.credentials[ci];
    let hist = book.history_at(cred.ruleset);
    let Some(as_of) = member.as_of else { return Ok(()) };
    let mut periods = std::mem::take(&mut s.periods);
    let placed = place_periods(hist, cred, as_of, &mut periods);
    if placed.is_err() || cred.issued > as_of {
        periods.clear();
        s.periods = periods;
        s.pieces.clear();
        return placed;
    }
    // Convert activities into dated pieces (version in force on the activity's reference date).
    s.pieces.clear();
    s.infos.clear();
    s.infos.push(NO_INFO);
    if s.act_order.len() != member.activities.len() {
        order_activities(member, &mut s.packed, &mut s.act_order);
    }
    let only = (hist.versions.len() == 1).then(|| &hist.versions[0]);
    let carry_free = hist.versions.iter().all(|v| v.carryover.allowed == Tri::No);
    // An activity's pieces are dated on or before its reference date, so without explanations
    // the activities dated before anything that is evaluated are not converted at all: before the
    // issue date or the first period, or, when nothing carries over, before the last period.
    let first_oi = if explain {
        0
    } else {
        let from = if carry_free { periods[periods.len() - 1].start } else { periods[0].start.max(cred.issued) };
        let k = day_key(from);
        s.act_order.partition_point(|&(key, _)| key >> 32 < k)
    };
    for oi in first_oi..s.act_order.len() {
        let ai = s.act_order[oi].1 as usize;
        let v = match only {
            Some(v) => v,
            None => hist.version_on(member.activities[ai].reference_date(&member.sessions)),
        };
        push_pieces(v, member, ai, only.is_some(), &mut s.pieces, &mut s.infos);
    }
    sort_pieces(&mut s.pieces, &mut s.keys, &mut s.sorted);
    // Pieces are in date order and periods are consecutive, so one walk assigns them; the
    // matching bits come from the version in force at the end of the piece's period.
    let mut vi = usize::MAX;
    let mut vref = hist.version_on(as_of);
    let mut i = 0;
    // Each period's pieces are contiguous: their index range, by period.
    s.ranges.clear();
    s.ranges.resize(periods.len(), (0, 0));
    for (j, p) in s.pieces.iter_mut().enumerate() {
        if p.date < cred.issued || p.date > as_of {
            continue;
        }
        while i < periods.len() && periods[i].end < p.date {
            i += 1;
        }
        if i < periods.len() && periods[i].start <= p.date {
            p.period = i as u32;
            let r = &mut s.ranges[i];
            if r.0 == r.1 {
                r.0 = j;
            }
            r.1 = j + 1;
            if only.is_none() {
                if i != vi {
                    vi = i;
                    vref = hist.version_on(periods[i].end);
                }
                set_bits(vref, &member.activities[p.act as usize], p);
            }
        }
    }
    // The first relevant period: the one containing the issue date or, if later, the first one
    // holding any of the member's activities (earlier periods have no recorded credit and carry
    // nothing forward); never later than the period containing as_of.
    let mut out = Outcome {
        period: Period { start: as_of, end: as_of },
        status: Status::NotRequired,
        required_total: None,
        credited_total: Credit::ZERO,
        carried_in: Credit::ZERO,
        total_shortfall: None,
        carry_out: Some(Credit::ZERO),
        mins: [(false, None, Credit::ZERO); 12],
        exempt_reason: None,
        undecidable: Vec::new(),
        notes: Vec::new(),
        diversity_short: Vec::new(),
        caps: [(0, Credit::ZERO, Credit::ZERO); 16],
        ncaps: 0,
    };
    // (Pieces are in date order and periods follow dates, so the first placed piece has the
    // earliest period.)
    // An explanation lists every period from the first one (a member or an auditor expects the
    // whole history back to the first registration, an exempt first period with its reason);
    // the summary needs only the periods that can carry credit into the last one.
    let first_relevant = if explain {
        0
    } else {
        s.pieces.iter().map(|p| p.period).find(|&q| q != u32::MAX).unwrap_or(u32::MAX).min(periods.len() as u32 - 1)
            as usize
    };
    s.next_carry.clear();
    let mut carry_unknown = false;
    // Without explanations the pieces are not needed once their period is evaluated, so a
    // period's pieces are evaluated where they lie, its carried-in credit written just before
    // them over pieces already done with (when there is room); otherwise they are copied.
    let mut pieces = std::mem::take(&mut s.pieces);
    let mut cur_buf = std::mem::take(&mut s.cur);
    for (pi, &period) in periods.iter().enumerate().skip(first_relevant) {
        // Without explanations only the last period's figures are reported: earlier periods are
        // evaluated just for what they carry forward, or skipped when nothing can carry.
        let last = pi + 1 == periods.len();
        if !explain && !last && carry_free {
            continue;
        }
        let v = hist.version_on(period.end);
        let (from, to) = s.ranges[pi];
        let nc = s.next_carry.len();
        let in_place = !explain && nc <= from;
        let start = if in_place { from - nc } else { 0 };
        if !in_place {
            cur_buf.clear();
        }
        for (ki, mut c) in s.next_carry.drain(..).rev().enumerate() {
            if only.is_none() {
                set_bits(v, &member.activities[c.act as usize], &mut c);
            }
            c.carried_in = true;
            c.lock = 0;
            c.used = 0;
            c.carried = 0;
            c.toward = 0;
            c.period = pi as u32;
            if in_place {
                pieces[start + ki] = c;
            } else {
                cur_buf.push(c);
            }
        }
        let cur: &mut [Piece] = if in_place {
            &mut pieces[start..to.max(from)]
        } else {
            cur_buf.extend_from_slice(&pieces[from..to]);
            &mut cur_buf
        };
        let is_first = pi == 0;
        let light = !explain && !last;
        eval_period(book, member, cred, v, period, is_first, carry_unknown, as_of, explain, light, cur, s, &mut out);
        carry_unknown = out.carry_out.is_none();
        let cx = Ctx { version: v, pieces: cur, trims: &s.trims, infos: &s.infos, as_of, first: is_first };
        sink(&out, &cx);
        // What carries forward is in `s.next_carry` (filled by `eval_period`).
    }
    s.pieces = pieces;
    s.cur = cur_buf;
    s.periods = periods;
    Ok(())
}

/// The group of a piece under a cap of the given scope.
#[inline]
fn cap_key(scope: CapScope, period: Period, p: &Piece, a: &Activity) -> u64 {
    match scope {
        CapScope::Period => 0,
        CapScope::CalendarYear => p.date.year() as u64,
        CapScope::PeriodYear => (months_inclusive(period.start, p.date).max(1) as u64 - 1) / 12,
        CapScope::PerItem => p.act as u64,
        CapScope::PerOrganization => a.org as u64,
        CapScope::PerOrganizationPerYear => ((a.org as u64) << 20) | p.date.year() as u64,
    }
}

/// One group of a cap (the credit one maximum limits together) in the joint allocation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CapGroup {
    mi: u8,
    family: u8,
    key: u64,
    max: i64,
    /// Pieces in it (with credit left).
    size: u32,
    /// Its node in the flow network, and whether the edge carrying its maximum is added.
    node: u32,
    linked: bool,
    /// Credit it holds after the allocation.
    held: i64,
}

const NO_EDGE: u32 = u32::MAX;

/// Minimum-cost maximum flow by successive shortest paths (Bellman–Ford with a queue), on an
/// adjacency list; edges come in pairs (edge `e`, its reverse `e ^ 1`).
#[derive(Default)]
pub(crate) struct CostFlow {
    head: Vec<u32>,
    next: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    dist: Vec<i64>,
    via: Vec<u32>,
    queued: Vec<bool>,
    queue: std::collections::VecDeque<u32>,
}

impl CostFlow {
    fn reset(&mut self, nodes: usize) {
        self.head.clear();
        self.head.resize(nodes, NO_EDGE);
        self.next.clear();
        self.to.clear();
        self.cap.clear();
        self.cost.clear();
    }
    fn add_node(&mut self) -> u32 {
        self.head.push(NO_EDGE);
        (self.head.len() - 1) as u32
    }
    /// Adds the edge `a → b`; returns its index.
    fn add(&mut self, a: u32, b: u32, cap: i64, cost: i64) -> usize {
        let e = self.to.len();
        for (x, y, c, w) in [(a, b, cap, cost), (b, a, 0, -cost)] {
            self.to.push(y);
            self.cap.push(c);
            self.cost.push(w);
            self.next.push(self.head[x as usize]);
            self.head[x as usize] = (self.to.len() - 1) as u32;
        }
        e
    }
    /// Flow on edge `e` (the residual capacity of its reverse).
    fn flow_on(&self, e: usize) -> i64 {
        self.cap[e ^ 1]
    }
    /// Pushes the most flow from `s` to `t`, along cheapest paths first. All edge costs given to
    /// `add` are ≥ 0, and augmenting along shortest paths never creates a negative cycle, so the
    /// result is a maximum flow of minimum cost.
    fn run(&mut self, s: u32, t: u32) {
        let n = self.head.len();
        loop {
            self.dist.clear();
            self.dist.resize(n, INF);
            self.via.clear();
            self.via.resize(n, NO_EDGE);
            self.queued.clear();
            self.queued.resize(n, false);
            self.dist[s as usize] = 0;
            self.queue.clear();
            self.queue.push_back(s);
            while let Some(u) = self.queue.pop_front() {
                let u = u as usize;
                self.queued[u] = false;
                let mut e = self.head[u];
                while e != NO_EDGE {
                    let ei = e as usize;
                    let w = self.to[ei] as usize;
                    let d = self.dist[u] + self.cost[ei];
                    if self.cap[ei] > 0 && d < self.dist[w] {
                        self.dist[w] = d;
                        self.via[w] = e;
                        if !self.queued[w] {
                            self.queued[w] = true;
                            self.queue.push_back(w as u32);
                        }
                    }
                    e = self.next[ei];
                }
            }
            if self.dist[t as usize] == INF {
                return;
            }
            let mut push = INF;
            let mut w = t as usize;
            while w != s as usize {
                let e = self.via[w] as usize;
                push = push.min(self.cap[e]);
                w = self.to[e ^ 1] as usize;
            }
            let mut w = t as usize;
            while w != s as usize {
                let e = self.via[w] as usize;
                self.cap[e] -= push;
                self.cap[e ^ 1] += push;
                w = self.to[e ^ 1] as usize;
            }
        }
    }
}

/// Applies the caps of known value (`known`, bits by maximum) together, crediting as much as
/// they allow; used when some credit lies under two or more of them.
///
/// The credit `x_p` of each piece `p` (at most its credit left, `avail_p`) must keep every group
/// `G` of every cap within its maximum: `Σ_{p∈G} x_p ≤ max_G`. The loader splits a rule set's
/// caps into two families in which groups never cross (two groups of one family are disjoint or
/// one contains the other: `Maximum::family`), so each family's groups form a forest, and the
/// allocation is a flow:
///
/// ```text
/// source → family-0 groups, outermost to innermost (the edge into G carries at most max_G)
///        → piece p (from its innermost family-0 group, or the source; at most avail_p)
///        → family-1 groups, innermost to outermost (the edge out of G carries at most max_G)
///        → sink
/// ```
///
/// A unit of flow through `p` crosses, for each group containing `p`, exactly the edge carrying
/// that group's maximum (a group's pieces are exactly the pieces below it in its tree), and no
/// other group's edge; so flows are exactly the allowed allocations, and a maximum flow credits
/// the most the caps allow together. Adding an activity only adds pieces (paths), so the
/// maximum never falls when an activity is added. Among maximum flows the cheapest is taken, a
/// piece's edge costing its position in date order: earlier credit is kept and the latest
/// trimmed, as with a single cap.
///
/// The trimmed credit is then attributed to caps for the explanation: caps in the usual order
/// (the one covering less credit first), each taking its group's excess over its maximum, latest
/// credit first, from credit the flow trimmed (there is always enough: the flow keeps the group
/// within its maximum); anything left (trimmed only because of a combination of caps) goes to the
/// first cap in that order whose group is full.
fn joint_caps(
    v: &Ruleset,
    acts: &[Activity],
    period: Period,
    known: u16,
    cur: &mut [Piece],
    s: &mut Scratch,
    out: &mut Outcome,
) {
    const SOURCE: u32 = 0;
    const SINK: u32 = 1;
    s.jgroups.clear();
    s.jmemb.clear();
    // Groups, cap by cap in the usual order (a cap's groups are contiguous), and membership
    // (piece index, group index).
    let mut cap_ranges = [(0u8, 0usize, 0usize); 16];
    let mut ncap = 0;
    for &(_, mi) in s.cap_order.iter() {
        let bit = 1u16 << mi;
        let m = &v.maxima[mi];
        let (true, Some(max)) = (known & bit != 0, m.max.credit()) else { continue };
        let first = s.jgroups.len();
        for (pi, p) in cur.iter().enumerate() {
            if p.carried_in || p.cap_bits & bit == 0 || p.avail() <= 0 {
                continue;
            }
            let k = cap_key(m.scope, period, p, &acts[p.act as usize]);
            let gi = match s.jgroups[first..].iter().position(|g| g.key == k) {
                Some(i) => first + i,
                None => {
                    s.jgroups.push(CapGroup {
                        mi: mi as u8,
                        family: m.family,
                        key: k,
                        max: max.0,
                        size: 0,
                        node: 0,
                        linked: false,
                        held: 0,
                    });
                    s.jgroups.len() - 1
                }
            };
            s.jgroups[gi].size += 1;
            s.jmemb.push((pi as u32, gi as u32));
        }
        if ncap < 16 {
            cap_ranges[ncap] = (mi as u8, first, s.jgroups.len());
            ncap += 1;
        }
    }
    // Each piece's groups by family, outermost first (groups of one family containing a piece
    // form a chain; equal groups are ordered by cap order, the same way for every piece).
    let groups = &s.jgroups;
    s.jmemb.sort_unstable_by_key(|&(pi, gi)| {
        let g = &groups[gi as usize];
        (pi, g.family, std::cmp::Reverse(g.size), gi)
    });
    let ng = s.jgroups.len();
    for (i, g) in s.jgroups.iter_mut().enumerate() {
        g.node = (2 + i) as u32;
    }
    s.cflow.reset(2 + ng);
    s.jpieces.clear();
    let mut i = 0;
    while i < s.jmemb.len() {
        let pi = s.jmemb[i].0;
        let mut j = i;
        while j < s.jmemb.len() && s.jmemb[j].0 == pi {
            j += 1;
        }
        let pnode = s.cflow.add_node();
        let mut prev = SOURCE;
        for k in i..j {
            let g = &mut s.jgroups[s.jmemb[k].1 as usize];
            if g.family != 0 {
                continue;
            }
            if !g.linked {
                s.cflow.add(prev, g.node, g.max, 0);
                g.linked = true;
            }
            prev = g.node;
        }
        let e = s.cflow.add(prev, pnode, cur[pi as usize].avail(), pi as i64);
        let mut inner: Option<usize> = None;
        for k in (i..j).rev() {
            let gi = s.jmemb[k].1 as usize;
            if s.jgroups[gi].family != 1 {
                continue;
            }
            match inner {
                None => {
                    s.cflow.add(pnode, s.jgroups[gi].node, INF, 0);
                }
                Some(h) if !s.jgroups[h].linked => {
                    s.cflow.add(s.jgroups[h].node, s.jgroups[gi].node, s.jgroups[h].max, 0);
                    s.jgroups[h].linked = true;
                }
                Some(_) => {}
            }
            inner = Some(gi);
        }
        match inner {
            None => {
                s.cflow.add(pnode, SINK, INF, 0);
            }
            Some(h) if !s.jgroups[h].linked => {
                s.cflow.add(s.jgroups[h].node, SINK, s.jgroups[h].max, 0);
                s.jgroups[h].linked = true;
            }
            Some(_) => {}
        }
        s.jpieces.push((pi, e, 0, 0));
        i = j;
    }
    s.cflow.run(SOURCE, SINK);
    // Per piece: (index, edge, credit left before each cap, trimmed not yet attributed).
    for jp in s.jpieces.iter_mut() {
        let avail = cur[jp.0 as usize].avail();
        let x = s.cflow.flow_on(jp.1);
        jp.2 = avail;
        jp.3 = avail - x;
    }
    for &(pi, gi) in s.jmemb.iter() {
        let x = s.jpieces.iter().find(|jp| jp.0 == pi).map(|jp| jp.2 - jp.3).unwrap_or(0);
        s.jgroups[gi as usize].held += x;
    }
    let mut entries = [(0u8, 0i64, 0i64); 16];
    for (ci, &(mi, a, b)) in cap_ranges[..ncap].iter().enumerate() {
        let mut matched = 0;
        let mut trimmed = 0;
        for gi in a..b {
            let mut sum = 0;
            for &(pi, g) in s.jmemb.iter() {
                if g as usize == gi {
                    sum += s.jpieces.iter().find(|jp| jp.0 == pi).map_or(0, |jp| jp.2);
                }
            }
            matched += sum;
            let mut excess = sum - s.jgroups[gi].max;
            // Latest first (membership is in piece order).
            for k in (0..s.jmemb.len()).rev() {
                if excess <= 0 {
                    break;
                }
                let (pi, g) = s.jmemb[k];
                if g as usize != gi {
                    continue;
                }
                let Some(jp) = s.jpieces.iter_mut().find(|jp| jp.0 == pi) else { continue };
                let t = excess.min(jp.3);
                if t > 0 {
                    jp.2 -= t;
                    jp.3 -= t;
                    excess -= t;
                    trimmed += t;
                    cur[pi as usize].capped += t;
                    s.trims.push((pi, mi, t));
                }
            }
            debug_assert!(excess <= 0, "the flow keeps every group within its maximum");
        }
        entries[ci] = (mi, matched, trimmed);
    }
    // Credit trimmed only by a combination of caps: to the first cap (in order) whose group
    // holding the piece is full.
    for jpi in 0..s.jpieces.len() {
        let (pi, _, _, left) = s.jpieces[jpi];
        if left <= 0 {
            continue;
        }
        let mut best: Option<(usize, bool)> = None;
        for &(p, gi) in s.jmemb.iter() {
            if p != pi {
                continue;
            }
            let g = &s.jgroups[gi as usize];
            let Some(ci) = cap_ranges[..ncap].iter().position(|r| r.0 == g.mi) else { continue };
            let full = g.held >= g.max;
            let better = match best {
                None => true,
                Some((bc, bf)) => (full && !bf) || (full == bf && ci < bc),
            };
            if better {
                best = Some((ci, full));
            }
        }
        if let Some((ci, _)) = best {
            entries[ci].2 += left;
            cur[pi as usize].capped += left;
            s.trims.push((pi, entries[ci].0, left));
            s.jpieces[jpi].3 = 0;
        }
    }
    for &(mi, matched, trimmed) in &entries[..ncap] {
        if out.ncaps < 16 {
            out.caps[out.ncaps] = (mi, Credit(matched), Credit(trimmed));
            out.ncaps += 1;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn eval_period(
    book: &RuleBook,
    member: &Member,
    cred: &Credential,
    v: &Ruleset,
    period: Period,
    is_first: bool,
    carry_in_unknown: bool,
    as_of: Date,
    explain: bool,
    light: bool,
    cur: &mut [Piece],
    s: &mut Scratch,
    out: &mut Outcome,
) {
    out.period = period;
    out.status = Status::NotRequired;
    out.required_total = None;
    out.credited_total = Credit::ZERO;
    out.carried_in = Credit::ZERO;
    out.total_shortfall = None;
    out.carry_out = Some(Credit::ZERO);
    out.mins = [(false, None, Credit::ZERO); 12];
    out.exempt_reason = None;
    out.undecidable.clear();
    out.notes.clear();
    out.diversity_short.clear();
    out.ncaps = 0;
    let acts = &member.activities;
    let closed = period.end <= as_of;
    // What the period carries out (and the locks deciding it) matters to explanations and to the
    // next period; the summary's last period needs only its status and totals.
    let carry_needed = explain || light;

    // ---- caps (innermost first: the cap covering less credit first; ties in file order) ----
    s.trims.clear();
    s.cap_order.clear();
    // Credit each cap covers, all caps in one pass.
    let mut any_cap = 0u16;
    let mut matched = [0i64; 16];
    if !v.maxima.is_empty() {
        for p in cur.iter() {
            if p.carried_in || p.cap_bits == 0 {
                continue;
            }
            any_cap |= p.cap_bits;
            let av = p.avail();
            let mut b = p.cap_bits;
            while b != 0 {
                matched[b.trailing_zeros() as usize] += av;
                b &= b - 1;
            }
        }
    }
    for (mi, &sum) in matched.iter().enumerate().take(v.maxima.len()) {
        if any_cap & (1u16 << mi) != 0 && sum > 0 {
            s.cap_order.push((sum, mi));
        }
    }
    s.cap_order.sort_unstable();
    // Caps applied one after another (each trimming its latest credit) credit the most the caps
    // allow only when no credit lies under two of them: with overlapping caps the first can trim
    // credit the second would have let through (and adding an activity could then lower the
    // total). Credit under two or more caps of known value is allocated jointly (`joint_caps`).
    let known: u16 =
        v.maxima.iter().enumerate().take(16).filter(|(_, m)| m.max.credit().is_some()).fold(0, |b, (i, _)| b | 1 << i);
    let joint = cur.iter().any(|p| !p.carried_in && p.avail() > 0 && (p.cap_bits & known).count_ones() > 1);
    // Whether an earlier cap has changed what is available (until then the sums above hold).
    let mut changed = false;
    for oi in 0..s.cap_order.len() {
        let mi = s.cap_order[oi].1;
        let m = &v.maxima[mi];
        let bit = 1u16 << mi;
        if joint && known & bit != 0 {
            // Allocated below, after the caps of unknown value.
            continue;
        }
        let matched_before: i64 = if changed {
            cur.iter().filter(|p| !p.carried_in && p.cap_bits & bit != 0).map(|p| p.avail()).sum()
        } else {
            s.cap_order[oi].0
        };
        let Some(max) = m.max.credit() else {
            changed = true;
            for p in cur.iter_mut() {
                if !p.carried_in && p.cap_bits & bit != 0 {
                    p.uncertain += p.avail();
                }
            }
            if explain {
                out.undecidable.push(format!(
                    "the value of the cap \"{}\" is unknown, so {} {} it covers may or may not count",
                    m.id,
                    Credit(matched_before).text(),
                    unit_words(&v.credit_unit)
                ));
            }
            if out.ncaps < 16 {
                out.caps[out.ncaps] = (mi as u8, Credit(matched_before), Credit::ZERO);
                out.ncaps += 1;
            }
            continue;
        };
        s.cap_groups.clear();
        if matches!(m.scope, CapScope::Period) && matched_before - max.0 <= 0 {
            // One group, within the cap: nothing to trim.
            if out.ncaps < 16 {
                out.caps[out.ncaps] = (mi as u8, Credit(matched_before), Credit::ZERO);
                out.ncaps += 1;
            }
            continue;
        }
        let key = |p: &Piece, a: &Activity| -> u64 { cap_key(m.scope, period, p, a) };
        for p in cur.iter() {
            if p.carried_in || p.cap_bits & bit == 0 {
                continue;
            }
            let a = &acts[p.act as usize];
            let k = key(p, a);
            match s.cap_groups.iter_mut().find(|g| g.0 == k) {
                Some(g) => g.1 += p.avail(),
                None => s.cap_groups.push((k, p.avail())),
            }
        }
        let mut trimmed_total = 0;
        for gi in 0..s.cap_groups.len() {
            let (k, sum) = s.cap_groups[gi];
            let mut excess = sum - max.0;
            if excess <= 0 {
                continue;
            }
            // Latest first.
            for (pi, p) in cur.iter_mut().enumerate().rev() {
                if excess == 0 {
                    break;
                }
                if p.carried_in || p.cap_bits & bit == 0 {
                    continue;
                }
                let a = &acts[p.act as usize];
                if key(p, a) != k {
                    continue;
                }
                let t = excess.min(p.avail());
                if t > 0 {
                    p.capped += t;
                    excess -= t;
                    trimmed_total += t;
                    s.trims.push((pi as u32, mi as u8, t));
                }
            }
        }
        changed |= trimmed_total > 0;
        if out.ncaps < 16 {
            out.caps[out.ncaps] = (mi as u8, Credit(matched_before), Credit(trimmed_total));
            out.ncaps += 1;
        }
    }
    if joint {
        joint_caps(v, acts, period, known, cur, s, out);
    }

    // ---- requirement ----
    let treatment = first_treatment(v, cred, period, is_first, explain);
    let mut maybe_lower: Option<String> = None;
    let mut exempt = false;
    let not_required = matches!(v.status, RulesetStatus::None) || matches!(v.requirement, Requirement::None);
    let mut required: Option<Credit> = match &v.requirement {
        Requirement::None => Some(Credit::ZERO),
        Requirement::Total(a) => a.credit(),
        Requirement::MemberField { field, max } => match cred.field(field) {
            Some(val) => {
                let mut c = Credit::from_micro(val);
                if let Some(mx) = max {
                    c = c.min(Credit::from_micro(*mx));
                }
                Some(c)
            }
            None => {
                if explain {
                    out.undecidable.push(format!(
                        "the total is personal to the member and the credential field \"{field}\" is not recorded"
                    ));
                }
                None
            }
        },
    };
    if matches!(v.requirement, Requirement::Total(Amount::Unknown)) && explain {
        out.undecidable.push("the total required is unknown in the rule file".into());
    }
    let mut reduced_mins: Option<&[(usize, Amount)]> = None;
    match treatment {
        Treatment::Standard => {}
        Treatment::Exempt(why) => {
            exempt = true;
            out.exempt_reason = Some(why);
        }
        Treatment::Reduced => {
            required = v.first_period.reduced_total.credit();
            reduced_mins = Some(&v.first_period.reduced_minimums);
            if explain {
                out.notes.push(format!("first period after licensure on {}: reduced requirement", iso(cred.issued)));
            }
        }
        Treatment::Total(t, why) => {
            required = t;
            if explain {
                out.notes.push(why);
            }
        }
        Treatment::MaybeLower(why) => maybe_lower = Some(why),
    }
    if not_required || exempt {
        required = Some(Credit::ZERO);
    }
    if matches!(v.status, RulesetStatus::NotApplicable) && explain {
        out.notes.push(format!("{} is a model or exam rule set, not a binding requirement", v.id));
    }

    // ---- active minimums ----
    let nm = v.minimums.len().min(12);
    let mut demand_full = [0i64; 12];
    let mut active = 0u16;
    let mut unknown_min = 0u16;
    for (i, m) in v.minimums.iter().enumerate().take(nm) {
        if not_required || exempt {
            continue;
        }
        if m.effective_from.is_some_and(|f| period.end < f) {
            continue;
        }
        if let Some(rid) = &m.applies_if_holds
            && !holds(book, member, rid)
        {
            continue;
        }
        let hours = match reduced_mins {
            Some(list) => match list.iter().find(|(j, _)| *j == i) {
                Some((_, h)) => *h,
                None => continue,
            },
            None => m.hours,
        };
        let mult = m.multiplier_field.as_ref().and_then(|f| cred.field(f)).unwrap_or(MICRO);
        match hours.known() {
            Some(h) => {
                let c = Credit::from_micro(mul_micro(h, mult));
                if c.0 > 0 {
                    active |= 1 << i;
                    demand_full[i] = c.0;
                    out.mins[i] = (true, Some(c), Credit::ZERO);
                }
            }
            None => {
                unknown_min |= 1 << i;
                out.mins[i] = (true, None, Credit::ZERO);
                if explain {
                    out.undecidable.push(format!("the hours required for the minimum \"{}\" are unknown", m.id));
                }
            }
        }
    }

    // ---- eligibility masks and carry eligibility ----
    let co = &v.carryover;
    let mut carry_may = 0u16;
    let mut parent_bit = [0u16; 12];
    for (i, m) in v.minimums.iter().enumerate().take(nm) {
        if co.retains_tags && m.carryover_may_satisfy {
            carry_may |= 1 << i;
        }
        if let Some(par) = m.parent {
            parent_bit[i] = 1 << par;
        }
    }
    let considered = active | unknown_min;
    let window_start = co.earned_within_months.map(|n| add_months_eom(period.end, -(n as i32)));
    // One pass: each piece's masks and carry eligibility, the groups of credit by eligibility
    // (for the allocation below) and the period's totals.
    s.groups.clear();
    let (mut carried_in, mut new_credit, mut uncertain, mut unknown_rate) = (0i64, 0i64, 0i64, false);
    let mut new_not_carry_ok = false;
    for p in cur.iter_mut() {
        let mut raw = p.min_bits & considered;
        if p.carried_in {
            raw &= carry_may;
        }
        let mut ext = raw;
        let mut r = raw;
        while r != 0 {
            let i = r.trailing_zeros() as usize;
            ext |= parent_bit[i];
            r &= r - 1;
        }
        p.raw_mask = raw & active;
        p.mask = ext & active;
        p.carry_ok = if !carry_needed {
            false
        } else if p.carried_in {
            p.ttl > 1
        } else {
            co.allowed == Tri::Yes
                && !p.excl
                && window_start.is_none_or(|w| p.date > w)
                && co.claim_window_months.is_none_or(|n| add_months(p.date, n as i32) > period.end)
        };
        let av = p.avail();
        if p.carried_in {
            carried_in += p.earned;
        } else {
            new_credit += av;
            new_not_carry_ok |= !p.carry_ok;
        }
        uncertain += p.uncertain;
        unknown_rate |= p.unknown_rate;
        if av <= 0 || p.mask == 0 {
            continue;
        }
        match s.groups.iter_mut().find(|g| g.0 == p.raw_mask) {
            Some(g) => g.1 += av,
            None => s.groups.push((p.raw_mask, av)),
        }
    }

    // ---- allocation to minimums: choose the set satisfying the most minimums ----
    s.groups.sort_unstable();
    let g = s.groups.len();
    let mut mins_buf = [0usize; 12];
    let mut k = 0;
    for i in 0..nm {
        if active & (1 << i) != 0 {
            mins_buf[k] = i;
            k += 1;
        }
    }
    let mins_idx = &mins_buf[..k];
    let ext_of = |raw: u16| -> u16 {
        let mut e = raw;
        for (i, m) in v.minimums.iter().enumerate().take(nm) {
            if raw & (1 << i) != 0
                && let Some(par) = m.parent
            {
                e |= 1 << par;
            }
        }
        e
    };
    let demand_for = |set: u16| -> [i64; 12] {
        let mut d = [0i64; 12];
        for &i in mins_idx {
            if set & (1 << i) == 0 {
                continue;
            }
            d[i] = demand_full[i];
        }
        for &i in mins_idx {
            if let Some(par) = v.minimums[i].parent
                && set & (1 << i) != 0
                && set & (1 << par) != 0
            {
                d[par] = (d[par] - demand_full[i]).max(0);
            }
        }
        d
    };
    let build = |f: &mut Flow, groups: &[(u16, i64)], d: &[i64; 12]| {
        let n = 2 + groups.len() + k;
        f.reset(n);
        for (gi, &(raw, amt)) in groups.iter().enumerate() {
            f.set(0, 1 + gi, amt);
            let e = ext_of(raw);
            for (mk, &mi) in mins_idx.iter().enumerate() {
                if e & (1 << mi) != 0 {
                    f.set(1 + gi, 1 + groups.len() + mk, INF);
                }
            }
        }
        for (mk, &mi) in mins_idx.iter().enumerate() {
            f.set(1 + groups.len() + mk, n - 1, d[mi]);
        }
    };
    if k > 0 && g > 0 {
        // Upper bound of credit each minimum can reach; a minimum that cannot be met alone is
        // left out of the search. When every group serves exactly one minimum there is nothing
        // to search: the allocation is direct.
        let mut reach = [0i64; 12];
        let mut child_mask = 0u16;
        let mut parent_mask = 0u16;
        for &mi in mins_idx {
            if let Some(par) = v.minimums[mi].parent {
                child_mask |= 1 << mi;
                parent_mask |= 1 << par;
            }
        }
        // The minimum a group's credit is reported under: its nested minimum if any, else its
        // only minimum (0 bits when it serves several unrelated minimums).
        let target_of = |raw: u16| -> u16 {
            let r = raw & active;
            let c = r & child_mask;
            if c != 0 { c } else { r }
        };
        let mut simple = s.groups.len() <= 64;
        for &(raw, amt) in s.groups.iter() {
            let e = ext_of(raw) & active;
            let t = target_of(raw);
            // One minimum, or one nested minimum plus its parent.
            simple &= t.count_ones() == 1 && (e == t || e == t | parent_bit[t.trailing_zeros() as usize]);
            for &mi in mins_idx {
                if e & (1 << mi) != 0 {
                    reach[mi] += amt;
                }
            }
        }
        let mut feasible = 0u16;
        for &mi in mins_idx {
            if reach[mi] >= demand_full[mi] {
                feasible |= 1 << mi;
            }
        }
        let n = 2 + g + k;
        if simple {
            // Direct allocation: every minimum that can be met alone can be met together.
            let mut pos = [usize::MAX; 12];
            for (mk, &mi) in mins_idx.iter().enumerate() {
                pos[mi] = mk;
            }
            let mut rem_d = [0i64; 12];
            for &mi in mins_idx {
                if feasible & (1 << mi) != 0 {
                    rem_d[mi] = demand_full[mi];
                }
            }
            // The allocation only decides which credit is locked (what may carry over); the
            // figures reported are below. It is written straight into per-(group, minimum) rows.
            if carry_needed {
                s.rem.clear();
                s.rem.resize(g * k, 0);
                let mut left: [i64; 64] = [0; 64];
                // Nested and plain minimums first (a nested minimum's credit also counts toward
                // its parent), then each parent's remaining demand: its own credit, then nested
                // leftovers.
                for (gi, &(raw, amt)) in s.groups.iter().enumerate() {
                    let t = target_of(raw);
                    let mi = t.trailing_zeros() as usize;
                    let mut amt_left = amt;
                    if parent_mask & t == 0 && pos[mi] != usize::MAX {
                        let x = amt_left.min(rem_d[mi]);
                        s.rem[gi * k + pos[mi]] += x;
                        rem_d[mi] -= x;
                        amt_left -= x;
                        if let Some(par) = v.minimums[mi].parent {
                            rem_d[par] = (rem_d[par] - x).max(0);
                        }
                    }
                    left[gi] = amt_left;
                }
                for direct_pass in [true, false] {
                    for (gi, &(raw, _)) in s.groups.iter().enumerate() {
                        let t = target_of(raw);
                        let e = ext_of(raw) & active;
                        let direct = parent_mask & t != 0;
                        let target = if direct { t } else { e & !t & parent_mask };
                        if direct != direct_pass || target == 0 {
                            continue;
                        }
                        let pi = target.trailing_zeros() as usize;
                        if pos[pi] == usize::MAX {
                            continue;
                        }
                        let x = left[gi].min(rem_d[pi]);
                        if x > 0 {
                            s.rem[gi * k + pos[pi]] += x;
                            rem_d[pi] -= x;
                            left[gi] -= x;
                        }
                    }
                }
                assign(cur, &s.groups, mins_idx, true, &mut s.rem, &mut s.order);
            }
            // Report: all of a group's credit under its (nested) minimum.
            if !light {
                s.flow.reset(n);
                for (gi, &(raw, amt)) in s.groups.iter().enumerate() {
                    let mi = target_of(raw).trailing_zeros() as usize;
                    if mi < 12 && pos[mi] != usize::MAX {
                        s.flow.flow[(1 + gi) * n + 1 + g + pos[mi]] = amt;
                    }
                }
            }
        } else {
            let full: u16 = active & feasible;
            let mut best_set: u16 = 0;
            let d = demand_for(full);
            build(&mut s.flow, &s.groups, &d);
            let need: i64 = d.iter().sum();
            if full != 0 && s.flow.run() == need {
                best_set = full;
            } else {
                let mut best_score = (0u32, 0u32);
                // Enumerate subsets of the minimums that can be met alone.
                let mut sub = full;
                loop {
                    sub = (sub.wrapping_sub(1)) & full;
                    if sub == 0 {
                        break;
                    }
                    let score = (sub.count_ones(), sub.reverse_bits() as u32);
                    if score <= best_score {
                        continue;
                    }
                    let d = demand_for(sub);
                    build(&mut s.flow, &s.groups, &d);
                    let need: i64 = d.iter().sum();
                    if s.flow.run() == need {
                        best_score = score;
                        best_set = sub;
                    }
                }
            }
            // Phase 1: the chosen set at its demands → locks.
            let d = demand_for(best_set);
            build(&mut s.flow, &s.groups, &d);
            s.flow.run();
            if carry_needed {
                flow_rows(&s.flow, g, k, &mut s.rem);
                assign(cur, &s.groups, mins_idx, true, &mut s.rem, &mut s.order);
            }
            // Phase 2: allocate remaining eligible credit (for reporting), keeping phase 1: first
            // toward each minimum's shortfall, then any surplus.
            if !light {
                let full_d = demand_for(active);
                for (mk, &mi) in mins_idx.iter().enumerate() {
                    s.flow.set(1 + g + mk, n - 1, full_d[mi].max(d[mi]));
                }
                s.flow.run();
                for mk in 0..k {
                    s.flow.set(1 + g + mk, n - 1, INF);
                }
                s.flow.run();
            }
        }
    }
    if k > 0 && g > 0 && !light {
        let n = 2 + g + k;
        let _ = n;
        let mut credited = [0i64; 12];
        for gi in 0..g {
            let raw = s.groups[gi].0;
            for (mk, &mi) in mins_idx.iter().enumerate() {
                let fl = s.flow.f(1 + gi, 1 + g + mk);
                if fl <= 0 {
                    continue;
                }
                // Report credit of a parent that is eligible for a child under the child.
                let target = mins_idx
                    .iter()
                    .copied()
                    .find(|&c| v.minimums[c].parent == Some(mi) && raw & (1 << c) != 0)
                    .unwrap_or(mi);
                credited[target] += fl;
            }
        }
        if explain {
            flow_rows(&s.flow, g, k, &mut s.rem);
            assign(cur, &s.groups, mins_idx, false, &mut s.rem, &mut s.order);
        }
        // Credit reported under a parent is shown under the nested minimum it is tagged for.
        for p in cur.iter_mut().filter(|_| explain) {
            for (i, m) in v.minimums.iter().enumerate().take(nm) {
                if let Some(par) = m.parent
                    && p.raw_mask & (1 << i) != 0
                    && p.toward & (1 << par) != 0
                {
                    p.toward |= 1 << i;
                }
            }
        }
        let mut with_children = credited;
        for &i in mins_idx {
            if let Some(par) = v.minimums[i].parent {
                with_children[par] += credited[i];
            }
        }
        for &i in mins_idx {
            out.mins[i].2 = Credit(with_children[i]);
        }
    }

    // ---- totals (summed above) ----
    out.carried_in = Credit(carried_in);
    out.credited_total = Credit(carried_in + new_credit);
    out.required_total = if not_required { None } else { required };
    if not_required {
        out.required_total = None;
    }
    out.total_shortfall = required.map(|r| r.sat_sub(out.credited_total));

    // ---- diversity (APEGA: distinct categories each reporting year) ----
    let mut diversity_unmet = false;
    if !exempt && !not_required {
        for (di, d) in v.diversity.iter().enumerate() {
            let mask = member.diversity_masks.get(d.prefix_id).copied().unwrap_or_default();
            let step = v.cycle.as_ref().and_then(|c| c.reporting_interval_months).unwrap_or(12) as i32;
            let mut start = period.start;
            while start <= period.end && start <= as_of {
                let end = prev_day(add_months(start, step)).min(period.end);
                let mut seen = TagSet::EMPTY;
                for p in cur.iter().filter(|p| !p.carried_in && p.avail() > 0 && p.date >= start && p.date <= end) {
                    let t = &acts[p.act as usize].tags;
                    for w in 0..4 {
                        seen.0[w] |= t.0[w] & mask.0[w];
                    }
                }
                let n: u32 = seen.0.iter().map(|w| w.count_ones()).sum();
                if n < d.min_distinct {
                    diversity_unmet = true;
                    out.diversity_short.push((di, n, Period { start, end }));
                }
                start = next_day(end);
            }
        }
    }

    // ---- status ----
    let mut known_unmet = diversity_unmet;
    if let Some(r) = required
        && out.credited_total < r
    {
        known_unmet = true;
    }
    for &i in mins_idx {
        if let (true, Some(req), got) = out.mins[i]
            && got < req
        {
            known_unmet = true;
        }
    }
    let unknown_requirement = required.is_none() || unknown_min != 0;
    let uncertain_credit = uncertain > 0 || unknown_rate || carry_in_unknown;
    out.status = if not_required {
        Status::NotRequired
    } else if exempt {
        Status::Exempt
    } else if !known_unmet {
        if unknown_requirement { Status::Undecidable } else { Status::Compliant }
    } else if uncertain_credit || maybe_lower.is_some() {
        Status::Undecidable
    } else if closed {
        Status::Deficient
    } else {
        Status::InProgress
    };
    if let Some(why) = maybe_lower {
        if known_unmet {
            if explain {
                out.undecidable.push(format!(
                    "the full requirement is not met and a lower first-period requirement may apply: {why}"
                ));
            }
        } else {
            if explain {
                out.notes.push(format!("the full requirement is met, so this does not matter: {why}"));
            }
        }
    }
    if carry_in_unknown && explain {
        out.undecidable.push("the carryover into this period cannot be decided".into());
    }
    if unknown_rate && explain {
        out.undecidable.push("the credit value of some activities is unknown in the rule file".into());
    }

    // ---- carryover ----
    let carry_policy_exempt = exempt && !matches!(v.first_period.carry_out, ExemptCarry::Normal);
    if !carry_needed {
        out.carry_out = None;
    } else if cur.is_empty() {
        // Nothing recorded in the period (not even carried-in credit): nothing can carry, whatever
        // the carryover rules say.
        out.carry_out = Some(Credit::ZERO);
    } else if not_required || co.allowed == Tri::No || carry_policy_exempt {
        out.carry_out = Some(Credit::ZERO);
        if exempt && matches!(v.first_period.carry_out, ExemptCarry::Unknown) && explain {
            out.notes
                .push("whether credit carries out of an exempt first period is not stated; none is carried".into());
        }
    } else if co.allowed == Tri::Unknown {
        out.carry_out = None;
        if explain {
            out.notes.push(format!("{} does not say whether credit carries over", v.id));
        }
    } else {
        match required {
            None => out.carry_out = None,
            Some(r) => {
                let mut need = r.0;
                // Carried-in credit is used first.
                let mut locked_new = 0i64;
                for p in cur.iter_mut() {
                    if p.carried_in {
                        let u = need.min(p.earned);
                        p.used = u.max(p.lock);
                        need -= u;
                    } else {
                        locked_new += p.lock;
                    }
                }
                let mut need_new = (need - locked_new).max(0);
                // Unlocked new credit: not eligible to carry first, then earliest first (new
                // pieces are already in date order).
                for eligible_pass in [false, true] {
                    if !eligible_pass && !new_not_carry_ok {
                        continue;
                    }
                    for p in cur.iter_mut() {
                        if need_new == 0 {
                            break;
                        }
                        if p.carried_in || p.carry_ok != eligible_pass {
                            continue;
                        }
                        let free = p.avail() - p.lock;
                        let u = need_new.min(free.max(0));
                        p.used += u;
                        need_new -= u;
                    }
                }
                // Eligible surplus, latest first, up to the cap.
                let mut room = match co.max {
                    None => INF,
                    Some(a) => match a.credit() {
                        Some(c) => c.0,
                        None => -1,
                    },
                };
                if room < 0 {
                    out.carry_out = None;
                    if explain {
                        out.undecidable.push("the carryover cap is unknown".into());
                    }
                } else {
                    let mut total = 0;
                    for p in cur.iter_mut().rev() {
                        if room == 0 {
                            break;
                        }
                        if !p.carry_ok {
                            continue;
                        }
                        let left = if p.carried_in { p.earned - p.used } else { p.avail() - p.lock - p.used };
                        let c = room.min(left.max(0));
                        p.carried = c;
                        room -= c;
                        total += c;
                        if c > 0 {
                            // What the next period receives (latest first: taken in reverse).
                            let ttl = if p.carried_in { p.ttl.saturating_sub(1) } else { co.periods_forward };
                            s.next_carry.push(Piece {
                                earned: c,
                                ttl,
                                capped: 0,
                                uncertain: 0,
                                info: 0,
                                unknown_rate: false,
                                ..*p
                            });
                        }
                    }
                    out.carry_out = Some(Credit(total));
                }
            }
        }
    }
}

/// The flow from each group to each minimum, as rows of `k` (negative flow as zero).
fn flow_rows(f: &Flow, g: usize, k: usize, rows: &mut Vec<i64>) {
    rows.clear();
    for gi in 0..g {
        for mk in 0..k {
            rows.push(f.f(1 + gi, 1 + g + mk).max(0));
        }
    }
}

/// Distributes per-(group, minimum) credit (`rem`, rows of `mins_idx.len()`, used up) onto
/// pieces: carried-in first, then credit not eligible to carry, then earliest first. With
/// `consume`, each piece's `lock` limits what is left of it; otherwise the minimums the piece's
/// credit reaches are recorded in `toward`.
fn assign(
    cur: &mut [Piece],
    groups: &[(u16, i64)],
    mins_idx: &[usize],
    consume: bool,
    rem: &mut [i64],
    order: &mut Vec<u64>,
) {
    let k = mins_idx.len();
    let mut left: i64 = rem.iter().sum();
    if left == 0 {
        return;
    }
    // The pieces that can take flow, in the order they take it: carried-in, then not eligible to
    // carry, then eligible (each in date order).
    order.clear();
    for (i, p) in cur.iter().enumerate() {
        if p.mask != 0 {
            let pass = if p.carried_in {
                0
            } else if !p.carry_ok {
                1
            } else {
                2
            };
            order.push((pass << 32) | i as u64);
        }
    }
    order.sort_unstable();
    for &o in order.iter() {
        if left == 0 {
            return;
        }
        let p = &mut cur[(o & u32::MAX as u64) as usize];
        let Ok(gi) = groups.binary_search_by_key(&p.raw_mask, |x| x.0) else { continue };
        for (mk, &mi) in mins_idx.iter().enumerate() {
            let fl = rem[gi * k + mk];
            if fl == 0 {
                continue;
            }
            let room = if consume { p.avail() - p.lock } else { p.avail() };
            let t = fl.min(room.max(0));
            if t > 0 {
                if consume {
                    p.lock += t;
                } else {
                    p.toward |= 1 << mi;
                }
                rem[gi * k + mk] -= t;
                left -= t;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------------------------

fn tag_name<'a>(book: &'a RuleBook, names: &'a Names, id: u16) -> &'a str {
    let i = id as usize;
    if i < book.tag_names.len() {
        &book.tag_names[i]
    } else {
        names.extra_tags.get(i - book.tag_names.len()).map(|s| s.as_str()).unwrap_or("?")
    }
}

fn kind_name(book: &RuleBook, k: KindId) -> &str {
    book.kind_names.get(k as usize).map(|s| s.as_str()).unwrap_or("(other)")
}

fn condition_words(c: &Condition) -> String {
    match c {
        Condition::Tagged(_, t) => format!("it is not tagged \"{t}\""),
        Condition::Attr(_, name) if name == "first_presentation_only" => {
            "teaching credit counts the first presentation only".into()
        }
        Condition::Attr(_, name) => format!("the condition \"{}\" is not met", name),
        Condition::NotAttr(_, name) => format!("the condition \"{}\" is not met", name),
    }
}

fn explain_period(book: &RuleBook, member: &Member, names: &Names, o: &Outcome, cx: &Ctx) -> PeriodResult {
    let v = cx.version;
    let unit = &unit_words(&v.credit_unit);
    let acts = &member.activities;
    let mut req_mins = Vec::new();
    let mut cred_mins = Vec::new();
    let mut short_mins = Vec::new();
    let mut top_level = Credit::ZERO;
    for (i, m) in v.minimums.iter().enumerate().take(12) {
        let (on, req, got) = o.mins[i];
        if !on {
            continue;
        }
        req_mins.push((m.id.clone(), req));
        cred_mins.push((m.id.clone(), got));
        short_mins.push((m.id.clone(), req.map(|r| r.sat_sub(got))));
        if m.parent.is_none() {
            top_level += got;
        }
    }
    // Per-activity lines (an activity may have several pieces in the period).
    let mut lines: Vec<ActivityResult> = Vec::new();
    let mut line_of: Vec<(u32, bool, usize)> = Vec::new();
    for (pidx, p) in cx.pieces.iter().enumerate() {
        let key = (p.act, p.carried_in);
        let li = match line_of.iter().find(|x| (x.0, x.1) == key) {
            Some(x) => x.2,
            None => {
                lines.push(ActivityResult {
                    id: names.activity_ids.get(p.act as usize).cloned().unwrap_or_default(),
                    earned: Credit::ZERO,
                    credited: Credit::ZERO,
                    capped: Credit::ZERO,
                    disallowed: Credit::ZERO,
                    carried_in: Credit::ZERO,
                    carried_out: Credit::ZERO,
                    counts_toward: Vec::new(),
                    reasons: Vec::new(),
                });
                line_of.push((p.act, p.carried_in, lines.len() - 1));
                lines.len() - 1
            }
        };
        let l = &mut lines[li];
        let a = &acts[p.act as usize];
        let mut reasons: Vec<String> = Vec::new();
        if p.carried_in {
            l.carried_in += Credit(p.earned);
            l.credited += Credit(p.earned);
            reasons.push(format!(
                "{} {unit} carried in from the previous period (earned {})",
                Credit(p.earned).text(),
                iso(p.date)
            ));
            let blocked: Vec<&str> = v
                .minimums
                .iter()
                .filter(|m| !m.carryover_may_satisfy || !v.carryover.retains_tags)
                .map(|m| m.id.as_str())
                .collect();
            if !blocked.is_empty() && o.mins.iter().any(|m| m.0) {
                reasons.push(format!("carried-over credit cannot count toward: {}", blocked.join(", ")));
            }
        } else {
            let info = cx.infos[p.info as usize];
            l.earned += Credit(p.earned + info.disallowed);
            l.credited += Credit(p.avail());
            l.capped += Credit(p.capped);
            l.disallowed += Credit(p.capped + info.disallowed);
            let rule = v.credit_rules.get(p.rule as usize);
            match info.why {
                Why::None => {
                    let how = match rule {
                        Some(r) => match r.method {
                            Method::PerHour => {
                                format!("{} per hour", Credit::from_micro(r.rate.known().unwrap_or(0)).text())
                            }
                            Method::PerUnit => format!(
                                "{} per {}",
                                Credit::from_micro(r.rate.known().unwrap_or(0)).text(),
                                r.unit.map(|u| u.name()).unwrap_or("unit")
                            ),
                            Method::FixedPerItem => {
                                format!("{} per item", Credit::from_micro(r.rate.known().unwrap_or(0)).text())
                            }
                            Method::PerMonth => format!(
                                "{} per month of service",
                                Credit::from_micro(r.rate.known().unwrap_or(0)).text()
                            ),
                            Method::PerYear => format!(
                                "{} per completed year of service, earned at the end of each year",
                                Credit::from_micro(r.rate.known().unwrap_or(0)).text()
                            ),
                        },
                        None => {
                            if matches!(a.unit, Unit::Own(_)) {
                                format!("recorded in {unit}")
                            } else {
                                format!(
                                    "{} per contact hour",
                                    Credit::from_micro(v.contact_hour_credit.known().unwrap_or(MICRO)).text()
                                )
                            }
                        }
                    };
                    let mut s = format!(
                        "{} {unit} on {} ({}: {how}",
                        Credit(p.earned).text(),
                        iso(p.date),
                        kind_name(book, a.kind)
                    );
                    if let Some(r) = rule
                        && r.multiplier.known().is_some_and(|m| m != MICRO)
                    {
                        s.push_str(&format!(", ×{}", Credit::from_micro(r.multiplier.known().unwrap_or(MICRO)).text()));
                    }
                    let rnd = rule.and_then(|r| r.rounding).or(if rule.is_none_or(|r| r.method == Method::PerHour) {
                        v.contact_rounding
                    } else {
                        None
                    });
                    if let Some(rn) = rnd
                        && !matches!(a.unit, Unit::Own(_))
                    {
                        let mode = match rn.mode {
                            RoundMode::Nearest => "nearest",
                            RoundMode::Down => "down",
                            RoundMode::Up => "up",
                        };
                        let inc = if rn.increment == 333_333 {
                            "⅓".to_string()
                        } else {
                            Credit::from_micro(rn.increment).text()
                        };
                        s.push_str(&format!(", rounded {mode} to {inc}"));
                    }
                    s.push(')');
                    reasons.push(s);
                }
                Why::NoConversion => reasons.push(format!(
                    "no credit: {} gives no conversion for {} recorded in {}",
                    v.id,
                    kind_name(book, a.kind),
                    a.unit.name()
                )),
                Why::Condition(_, ci) => {
                    let words =
                        rule.and_then(|r| r.conditions.get(ci as usize)).map(condition_words).unwrap_or_default();
                    reasons.push(format!("disallowed {} {unit}: {words}", Credit(info.disallowed).text()));
                }
                Why::BelowMinimum(_) => {
                    reasons.push("no credit: below the smallest creditable amount after rounding".into())
                }
                Why::UnknownRate(_) => reasons.push(format!(
                    "credit value for {} is unknown in the rule file; not counted",
                    kind_name(book, a.kind)
                )),
                Why::IncompleteYear => reasons.push(
                    "no credit yet: service credit is earned only at the end of each completed year of service".into(),
                ),
                Why::Excluded(xi) => {
                    let why = v.exclusions.get(xi as usize).map(|x| x.reason.as_str()).unwrap_or_default();
                    reasons.push(format!("disallowed {} {unit}: {why}", Credit(info.disallowed).text()));
                }
            }
            if info.assumed != 0
                && let Some(r) = rule
            {
                for c in &r.conditions {
                    if let Condition::Attr(bit, name) = c
                        && info.assumed & (1u64 << bit) != 0
                    {
                        reasons.push(format!("assumed: {} (not recorded on the activity)", name));
                    }
                }
            }
            for &(_, ci, t) in cx.trims.iter().filter(|t| t.0 as usize == pidx) {
                if let Some(m) = v.maxima.get(ci as usize) {
                    reasons.push(format!(
                        "capped {} {unit} by \"{}\" (at most {} {unit} {})",
                        Credit(t).text(),
                        m.id,
                        m.max.credit().map(|c| c.text()).unwrap_or_else(|| "unknown".into()),
                        m.scope.words()
                    ));
                }
            }
            if p.uncertain > 0 {
                reasons.push(format!(
                    "{} {unit} not counted: a cap on it has an unknown value",
                    Credit(p.uncertain).text()
                ));
            }
            // Another jurisdiction's laws-and-rules course: general credit here.
            for t in a.tags.iter() {
                let name = tag_name(book, names, t);
                if let Some(j) = name.strip_prefix("laws_rules:")
                    && !v.id.starts_with(j)
                    && p.avail() > 0
                {
                    reasons.push(format!("a course on {j} laws and rules counts as general credit for {}", v.id));
                }
            }
        }
        if p.toward != 0 {
            for (i, m) in v.minimums.iter().enumerate().take(12) {
                if p.toward & (1 << i) != 0 && !l.counts_toward.contains(&m.id) {
                    l.counts_toward.push(m.id.clone());
                }
            }
        } else if !p.carried_in && p.avail() > 0 {
            // Explain why topic-tagged credit does not reach a minimum (provider approval).
            for m in v.minimums.iter() {
                if let Some((bit, j)) = &m.provider_approved_by
                    && m.tags.intersects(&a.tags)
                    && a.approvals & (1u32 << bit) == 0
                {
                    reasons
                        .push(format!("cannot count toward {}: the provider is not recorded as approved by {j}", m.id));
                }
            }
        }
        if p.carried > 0 {
            l.carried_out += Credit(p.carried);
        }
        for r in reasons {
            if !l.reasons.contains(&r) {
                l.reasons.push(r);
            }
        }
    }
    for l in lines.iter_mut() {
        l.reasons = collapse(std::mem::take(&mut l.reasons));
        if l.carried_out.0 > 0 {
            l.reasons.push(format!(
                "{} {unit} carried out to the next period (latest-dated surplus first)",
                l.carried_out.text()
            ));
        }
    }
    let caps = o.caps[..o.ncaps]
        .iter()
        .map(|&(mi, matched, trimmed)| {
            let m = &v.maxima[mi as usize];
            CapResult { id: m.id.clone(), max: m.max.credit(), scope: m.scope.words(), matched, trimmed }
        })
        .collect();
    let mut undecidable = o.undecidable.clone();
    let mut notes = o.notes.clone();
    if let Some(why) = &o.exempt_reason {
        notes.push(format!("exempt: {why}"));
    }
    if cx.pieces.is_empty() {
        notes.push("no activities are recorded in this period".into());
    }
    if cx.pieces.iter().any(|p| !p.carried_in && cx.infos[p.info as usize].assumed != 0) {
        notes.push("some conditions were not recorded on the activities and were assumed to hold".into());
    }
    for item in &v.non_credit_items {
        notes.push(format!("also required (not tracked here): {item}"));
    }
    let end = iso(o.period.end);
    let mut still = Vec::new();
    let open = o.period.end >= cx.as_of;
    if open && matches!(o.status, Status::InProgress | Status::Deficient | Status::Undecidable) {
        for (i, m) in v.minimums.iter().enumerate().take(12) {
            let (on, req, got) = o.mins[i];
            if !on {
                continue;
            }
            if let Some(r) = req
                && got < r
            {
                let mut s = format!("{} {unit} of {} by {end}", (r - got).text(), m.label);
                if let Some((_, j)) = &m.provider_approved_by {
                    s.push_str(&format!(", from a provider approved by {j}"));
                }
                if !m.carryover_may_satisfy {
                    s.push_str("; carried-over hours cannot count for it");
                }
                still.push(s);
            }
        }
        if let Some(sh) = o.total_shortfall
            && sh.0 > 0
        {
            still.push(format!(
                "{} more {unit} in total by {end} (hours toward the minimums above also count)",
                sh.text()
            ));
        }
        for &(di, n, p) in &o.diversity_short {
            if let Some(d) = v.diversity.get(di) {
                still.push(format!(
                    "activities in at least {} different \"{}\" categories for {} to {} (so far {n})",
                    d.min_distinct,
                    d.prefix,
                    iso(p.start),
                    iso(p.end)
                ));
            }
        }
        for u in &o.undecidable {
            still.push(format!("cannot be decided: {u}"));
        }
    } else if !open {
        for &(di, n, p) in &o.diversity_short {
            if let Some(d) = v.diversity.get(di) {
                undecidable.retain(|_| true);
                notes.push(format!(
                    "only {n} \"{}\" categories in {} to {} (at least {} required)",
                    d.prefix,
                    iso(p.start),
                    iso(p.end),
                    d.min_distinct
                ));
            }
        }
    }
    let shortfall_total = if o.status == Status::Exempt || o.status == Status::NotRequired {
        Some(Credit::ZERO)
    } else {
        o.total_shortfall
    };
    PeriodResult {
        start: iso(o.period.start),
        end,
        ruleset_version: v.version.clone(),
        status: o.status,
        required: Required {
            total: if o.status == Status::NotRequired { Some(Credit::ZERO) } else { o.required_total },
            minimums: Ordered(req_mins),
        },
        credited: Credited {
            total: o.credited_total,
            carried_in: o.carried_in,
            general: o.credited_total.sat_sub(o.carried_in).sat_sub(top_level),
            minimums: Ordered(cred_mins),
        },
        shortfall: Shortfall { total: shortfall_total, minimums: Ordered(short_mins) },
        carry_in: o.carried_in,
        carry_out: o.carry_out,
        caps,
        activities: lines,
        still_needed: still,
        undecidable: {
            undecidable.dedup();
            undecidable
        },
        notes,
        first_period: cx.first,
        exempt_reason: o.exempt_reason.clone(),
    }
}

/// Collapses runs of identical per-piece lines ("0.3 RU on 2022-01-31 (…)" × 24) into one.
fn collapse(reasons: Vec<String>) -> Vec<String> {
    fn split(r: &str) -> Option<(&str, &str, &str)> {
        let (amt, rest) = r.split_once(" on ")?;
        let (date, tail) = rest.split_once(' ')?;
        if date.len() == 10 && tail.starts_with('(') { Some((amt, date, tail)) } else { None }
    }
    let mut out: Vec<String> = Vec::new();
    let mut used = vec![false; reasons.len()];
    for i in 0..reasons.len() {
        if used[i] {
            continue;
        }
        let Some((amt, date, tail)) = split(&reasons[i]) else {
            out.push(reasons[i].clone());
            continue;
        };
        let same: Vec<usize> = (i..reasons.len())
            .filter(|&j| !used[j] && split(&reasons[j]).is_some_and(|(a, _, t)| a == amt && t == tail))
            .collect();
        if same.len() >= 3 {
            let last = same.iter().filter_map(|&j| split(&reasons[j]).map(|x| x.1)).max().unwrap_or(date);
            out.push(format!("{} × {amt} from {date} to {last} {tail}", same.len()));
            for j in same {
                used[j] = true;
            }
        } else {
            used[i] = true;
            out.push(reasons[i].clone());
        }
    }
    out
}

fn credential_notes(
    book: &RuleBook,
    member: &Member,
    ci: usize,
    names: &Names,
    s: &Scratch,
    res: &mut CredentialResult,
) {
    let cred = &member.credentials[ci];
    let hist = book.history_at(cred.ruleset);
    let as_of = member.as_of.unwrap_or(Date::MIN);
    let v = hist.version_on(as_of);
    let mut periods = Vec::new();
    match place_periods(hist, cred, as_of, &mut periods) {
        Err(PlaceError::NoCycle) => {
            res.status = Status::NotRequired;
            res.notes.push(format!("{} has no continuing-education cycle: nothing is required", hist.id));
            return;
        }
        Err(PlaceError::MissingExpiry) => {
            res.status = Status::Undecidable;
            res.notes.push(format!(
                "{} places periods by the licence's expiry date; add \"expires\" to the credential (or a birth date where periods follow the birth month)",
                hist.id
            ));
            return;
        }
        Ok(()) => {}
    }
    if cred.issued > as_of {
        res.notes.push("the credential is issued after the as-of date".into());
        return;
    }
    if matches!(v.status, RulesetStatus::None) {
        res.notes.push(format!("{}: no continuing-education requirement", hist.id));
    }
    let mut seen: Vec<u32> = Vec::new();
    for p in &s.pieces {
        if p.period != u32::MAX || seen.contains(&p.act) {
            continue;
        }
        seen.push(p.act);
        let later: i64 = s.pieces.iter().filter(|q| q.act == p.act && q.date > as_of).map(|q| q.earned).sum();
        let reason = if p.date > as_of && later > 0 {
            format!(
                "earned on {}, after the as-of date: {} {} will count in the period containing that date (credit cannot be claimed in advance)",
                iso(p.date),
                Credit(later).text(),
                unit_words(&v.credit_unit)
            )
        } else if p.date > as_of {
            format!("dated {} after the as-of date: credit cannot be claimed in advance", iso(p.date))
        } else if p.date < cred.issued {
            format!("dated {} before the credential was issued ({})", iso(p.date), iso(cred.issued))
        } else {
            format!("dated {} outside every evaluated period", iso(p.date))
        };
        res.not_counted
            .push(NotCounted { id: names.activity_ids.get(p.act as usize).cloned().unwrap_or_default(), reason });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled matching tables agree with the rule definitions for every rule set, kind and
    /// a spread of tag combinations.
    #[test]
    fn matcher_agrees_with_definitions() {
        let book = RuleBook::embedded().expect("book");
        let tag_ids: Vec<u16> = (0..book.tag_count() as u16).collect();
        for h in &book.rulesets {
            for v in &h.versions {
                for kind in 0..book.kind_names.len() as KindId {
                    for (i, _) in tag_ids.iter().enumerate() {
                        let mut tags = TagSet::EMPTY;
                        tags.insert(tag_ids[i]);
                        tags.insert(tag_ids[(i * 7 + 3) % tag_ids.len()]);
                        for approvals in [0u32, u32::MAX] {
                            let a = Activity {
                                rank: 0,
                                kind,
                                tags,
                                when: When::Date(Date::MIN),
                                quantity: 0,
                                unit: Unit::Hour,
                                approvals,
                                attrs_true: 0,
                                attrs_false: 0,
                                org: 0,
                            };
                            let mut caps = 0u16;
                            for (ci, m) in v.maxima.iter().enumerate() {
                                if cap_matches(m, &a) {
                                    caps |= 1 << ci;
                                }
                            }
                            let mut mins = 0u16;
                            for (mi, m) in v.minimums.iter().enumerate() {
                                if min_matches(m, &a) {
                                    mins |= 1 << mi;
                                }
                            }
                            let (c, m, _) = v.matcher.bits(kind, &tags, approvals);
                            assert_eq!((c, m), (caps, mins), "{} {} kind {kind}", h.id, v.version);
                        }
                    }
                }
            }
        }
    }

    /// Pieces end up in (date, rank) order with ties in their original order, whether the
    /// insertion sort finishes or hands over to the key sort; activities are ordered the same
    /// way with one-word keys or without.
    #[test]
    fn pieces_and_activities_sort_stably() {
        let base = crate::dates::parse_iso("2020-01-01").expect("date");
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut keys, mut sorted) = (Vec::new(), Vec::new());
        for case in 0..300 {
            let n = next(80) as usize;
            let spread = [3, 40, 4000][case % 3];
            // Nearly ordered (few moves) or shuffled (falls back to the key sort).
            let mut pieces: Vec<Piece> = (0..n)
                .map(|i| {
                    let day = if case % 2 == 0 { i as u64 * spread / 8 + next(2) } else { next(spread) };
                    Piece {
                        date: base + time::Duration::days(day as i64),
                        rank: next(5) as u32,
                        act: i as u32,
                        ..blank_piece()
                    }
                })
                .collect();
            let mut want = pieces.clone();
            want.sort_by_key(|p| (p.date, p.rank));
            sort_pieces(&mut pieces, &mut keys, &mut sorted);
            let got: Vec<u32> = pieces.iter().map(|p| p.act).collect();
            let want: Vec<u32> = want.iter().map(|p| p.act).collect();
            assert_eq!(got, want, "case {case}");
        }
        for big_ranks in [false, true] {
            let mut m = Member::default();
            for i in 0..60u32 {
                m.activities.push(Activity {
                    rank: if big_ranks { 70_000 + next(7) as u32 } else { next(7) as u32 },
                    kind: 0,
                    tags: TagSet::EMPTY,
                    when: When::Date(base + time::Duration::days(next(20) as i64)),
                    quantity: i as i64,
                    unit: Unit::Hour,
                    approvals: 0,
                    attrs_true: 0,
                    attrs_false: 0,
                    org: 0,
                });
            }
            let (mut packed, mut order) = (Vec::new(), Vec::new());
            order_activities(&m, &mut packed, &mut order);
            let mut want: Vec<u32> = (0..m.activities.len() as u32).collect();
            want.sort_by_key(|&i| {
                let a = &m.activities[i as usize];
                (a.reference_date(&m.sessions), a.rank, i)
            });
            assert_eq!(order.iter().map(|x| x.1).collect::<Vec<_>>(), want, "big ranks: {big_ranks}");
        }
    }

    /// The per-kind credit rule lists list exactly each kind's rules, in file order.
    #[test]
    fn rules_by_kind_agree_with_definitions() {
        let book = RuleBook::embedded().expect("book");
        for h in &book.rulesets {
            for v in &h.versions {
                for kind in 0..book.kind_names.len() as KindId + 2 {
                    let want: Vec<u16> = (0..v.credit_rules.len())
                        .filter(|&i| v.credit_rules[i].kind == kind)
                        .map(|i| i as u16)
                        .collect();
                    assert_eq!(v.matcher.rules_of(kind), Some(&want[..]), "{} {} kind {kind}", h.id, v.version);
                }
            }
        }
    }

    #[test]
    fn fourth_january_first_and_fixed_bienniums() {
        let book = RuleBook::embedded().expect("book");
        let d = |s: &str| crate::dates::parse_iso(s).expect("date");
        let cred = |rs: &str, issued: &str| Credential {
            ruleset: book.ruleset_index(rs).expect("rs"),
            issued: d(issued),
            expires: None,
            licensure_method: None,
            birth_date: None,
            fields: Vec::new(),
        };
        let mut out = Vec::new();
        let c = cred("AEE-CEM", "2021-01-01");
        place_periods(book.history_at(c.ruleset), &c, d("2025-06-01"), &mut out).expect("placed");
        assert_eq!(out[0], Period { start: d("2021-01-01"), end: d("2025-01-01") });
        let c = cred("US-PA-PE", "2022-01-01");
        place_periods(book.history_at(c.ruleset), &c, d("2024-06-01"), &mut out).expect("placed");
        assert_eq!(out[0], Period { start: d("2021-10-01"), end: d("2023-09-30") });
        assert_eq!(out[1], Period { start: d("2023-10-01"), end: d("2025-09-30") });
        let c = cred("US-TX-PE", "2022-01-01");
        assert_eq!(
            place_periods(book.history_at(c.ruleset), &c, d("2024-06-01"), &mut out),
            Err(PlaceError::MissingExpiry)
        );
    }
}
