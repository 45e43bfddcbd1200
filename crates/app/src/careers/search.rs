//! The job search from memory (careers plan §5): [`LiveJobs`], a per-node snapshot of the
//! live jobs, their cards in the search's order (featured first, then the newest) with id
//! lists by discipline, career stage, jurisdiction, remote policy, licence kind, required
//! key and word of the title and employer's name. A search walks the smallest list its
//! filters name (every job when they name none), checks each job against every filter, its
//! pay and its words, and counts exactly; "jobs I qualify for" leaves out the jobs requiring
//! a key the member does not hold (all required keys ⊆ held keys, the matcher's rule).
//!
//! The snapshot is read by one statement ([`Store::live_jobs`]) and kept in the [`App`]
//! behind an `Arc` ([`KeptLiveJobs`]): when [`LIVE_JOBS_TTL`] old, one task reads it again
//! while requests keep the old one (the first request ever waits for it); every use case
//! that changes whether or how a job is listed forgets it on this node at once
//! ([`App::forget_live_jobs`]), so the next search reads it again. Other nodes follow within
//! the TTL. A job's own page, applying and ordering read the database. Times are checked per
//! job at the moment of the search, against the society's clock, so a run or closing date
//! that passes drops the job at once, however old the snapshot.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use guildhall_domain::careers::JobFilter;
use guildhall_domain::csv::members::career_stage_code;
use guildhall_store::{JobCardRecord, LiveJobRecord, Page, PageRequest, Store, StoreResult, UnixTime};
use time::Date;

use crate::App;
use crate::error::AppResult;

/// How long a node searches its snapshot before reading it again (in the background).
pub const LIVE_JOBS_TTL: Duration = Duration::from_secs(10);

/// The words of `q` a search reads, as the database's search reads them: the first eight,
/// without `%`, `_` and `\`, in lower case, empty ones left out.
pub fn search_words(words: &str) -> Vec<String> {
    words
        .split_whitespace()
        .take(8)
        .map(|w| w.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect::<String>().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// What the filters read of a job beyond its card.
#[derive(Debug)]
struct Facts {
    career_stage: String,
    annual_max_cents: i64,
    live_until: UnixTime,
    /// The title and the employer's name in lower case.
    title: String,
    employer: String,
    licence_kinds: Vec<&'static str>,
}

/// Positions (in the search's order) of the jobs having one value.
type Lists<K> = HashMap<K, Vec<u32>>;

/// The live jobs as one node holds them (see the module).
#[derive(Debug)]
pub struct LiveJobs {
    built_at: Instant,
    /// [`KeptLiveJobs`]'s generation when it was read: a change on this node since makes it
    /// out of date.
    generation: u64,
    cards: Vec<JobCardRecord>,
    facts: Vec<Facts>,
    by_discipline: Lists<String>,
    by_stage: Lists<String>,
    by_jurisdiction: Lists<String>,
    by_remote: Lists<&'static str>,
    by_licence: Lists<&'static str>,
    by_required_key: Lists<String>,
    by_word: Lists<String>,
    /// The latest start, earliest end and earliest closing date of all: while the search's
    /// time is inside them every job is live and none needs checking.
    latest_start: UnixTime,
    earliest_end: UnixTime,
    earliest_closing: Option<Date>,
}

/// A set of positions, one bit each.
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, at: u32) {
        self.0[at as usize / 64] |= 1 << (at % 64);
    }

    fn has(&self, at: u32) -> bool {
        self.0[at as usize / 64] & (1 << (at % 64)) != 0
    }

    /// The positions set, in order.
    fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros();
                word &= word - 1;
                Some(i as u32 * 64 + bit)
            })
        })
    }
}

impl LiveJobs {
    /// Reads the live jobs (those not over at `now` and `today`) and indexes them.
    pub async fn load(store: &Store, generation: u64, now: UnixTime, today: Date) -> StoreResult<LiveJobs> {
        let built_at = Instant::now();
        let jobs = store.live_jobs(now, today).await?;
        Ok(LiveJobs::from_records(jobs, generation, built_at))
    }

    fn from_records(mut jobs: Vec<LiveJobRecord>, generation: u64, built_at: Instant) -> LiveJobs {
        // The database's order: featured first, then the newest run, then the newest job.
        jobs.sort_unstable_by(|a, b| {
            (b.card.featured, b.card.live_from, b.card.id).cmp(&(a.card.featured, a.card.live_from, a.card.id))
        });
        let mut live = LiveJobs {
            built_at,
            generation,
            cards: Vec::with_capacity(jobs.len()),
            facts: Vec::with_capacity(jobs.len()),
            by_discipline: HashMap::new(),
            by_stage: HashMap::new(),
            by_jurisdiction: HashMap::new(),
            by_remote: HashMap::new(),
            by_licence: HashMap::new(),
            by_required_key: HashMap::new(),
            by_word: HashMap::new(),
            latest_start: UnixTime::MIN,
            earliest_end: UnixTime::MAX,
            earliest_closing: None,
        };
        for (at, job) in jobs.into_iter().enumerate() {
            let at = at as u32;
            let card = job.card;
            live.by_discipline.entry(card.discipline.clone()).or_default().push(at);
            live.by_stage.entry(job.career_stage.clone()).or_default().push(at);
            if let Some(j) = &card.jurisdiction {
                live.by_jurisdiction.entry(j.clone()).or_default().push(at);
            }
            live.by_remote.entry(card.remote.code()).or_default().push(at);
            let licence_kinds: Vec<&'static str> = job.licence_kinds.iter().map(|k| k.code()).collect();
            for &kind in &licence_kinds {
                live.by_licence.entry(kind).or_default().push(at);
            }
            for key in job.required_keys {
                let list = live.by_required_key.entry(key).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
            let title = card.title.to_lowercase();
            let employer = card.employer_name.to_lowercase();
            for word in title.split_whitespace().chain(employer.split_whitespace()) {
                let list = live.by_word.entry(word.to_string()).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
            live.latest_start = live.latest_start.max(card.live_from);
            live.earliest_end = live.earliest_end.min(job.live_until);
            if let Some(closes) = card.closes_on {
                live.earliest_closing = Some(live.earliest_closing.map_or(closes, |c| c.min(closes)));
            }
            live.facts.push(Facts {
                career_stage: job.career_stage,
                annual_max_cents: job.annual_max_cents,
                live_until: job.live_until,
                title,
                employer,
                licence_kinds,
            });
            live.cards.push(card);
        }
        live
    }

    /// How many jobs it holds (live or over since it was read).
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    /// A page of the jobs live at `now` (on the society's day `today`) matching the filter:
    /// the same jobs, order and total as the database's search.
    pub fn search(
        &self,
        filter: &JobFilter,
        held_keys: &BTreeSet<String>,
        comity_keys: &BTreeSet<String>,
        now: UnixTime,
        today: Date,
        page: PageRequest,
    ) -> Page<JobCardRecord> {
        let none = || Page::new(Vec::new(), 0, page);
        let words = search_words(&filter.words);
        let stage = filter.stage.map(career_stage_code);
        // The lists the filters name; one naming a value no job has finds nothing.
        let mut lists: Vec<&[u32]> = Vec::new();
        let wanted = [
            filter.discipline.map(|d| self.by_discipline.get(d.as_str())),
            stage.map(|s| self.by_stage.get(s)),
            filter.jurisdiction.as_ref().map(|j| self.by_jurisdiction.get(j.as_str())),
            filter.remote.map(|r| self.by_remote.get(r.code())),
            filter.licence.map(|k| self.by_licence.get(k.code())),
        ];
        for list in wanted.into_iter().flatten() {
            match list {
                Some(list) => lists.push(list),
                None => return none(),
            }
        }
        // Jobs requiring a key the member does not hold.
        let not_qualified = filter.qualified.then(|| {
            let mut bits = Bits::new(self.cards.len());
            for (key, list) in &self.by_required_key {
                if !held_keys.contains(key) {
                    list.iter().for_each(|&at| bits.set(at));
                }
            }
            bits
        });
        // "Could get by comity": jobs requiring a key neither held nor met by comity are out;
        // of the rest, those requiring at least one key met only by comity are in.
        let comity = filter.comity.then(|| {
            let (mut out, mut needs_comity) = (Bits::new(self.cards.len()), Bits::new(self.cards.len()));
            for (key, list) in &self.by_required_key {
                let (held, by_comity) = (held_keys.contains(key), comity_keys.contains(key));
                if !held && !by_comity {
                    list.iter().for_each(|&at| out.set(at));
                } else if !held {
                    list.iter().for_each(|&at| needs_comity.set(at));
                }
            }
            (out, needs_comity)
        });
        // The jobs to walk: the smallest list, else those having the first word, else all.
        let smallest = lists.iter().min_by_key(|l| l.len()).copied();
        let with_word = match (smallest, words.first()) {
            (None, Some(word)) => {
                let mut bits = Bits::new(self.cards.len());
                for (_, list) in self.by_word.iter().filter(|(w, _)| w.contains(word.as_str())) {
                    list.iter().for_each(|&at| bits.set(at));
                }
                Some(bits)
            }
            _ => None,
        };
        let walk: Box<dyn Iterator<Item = u32> + '_> = match (smallest, &with_word) {
            (Some(list), _) => Box::new(list.iter().copied()),
            (None, Some(bits)) => Box::new(bits.positions()),
            (None, None) => Box::new(0..self.cards.len() as u32),
        };
        let all_live = self.latest_start <= now
            && now < self.earliest_end
            && self.earliest_closing.is_none_or(|closing| closing >= today);
        let matches = |at: u32| {
            let (card, facts) = (&self.cards[at as usize], &self.facts[at as usize]);
            (all_live || (card.live_from <= now && now < facts.live_until && card.closes_on.is_none_or(|c| c >= today)))
                && filter.discipline.is_none_or(|d| card.discipline == d.as_str())
                && stage.is_none_or(|s| facts.career_stage == s)
                && filter.jurisdiction.as_ref().is_none_or(|j| card.jurisdiction.as_deref() == Some(j.as_str()))
                && filter.remote.is_none_or(|r| card.remote == r)
                && filter.licence.is_none_or(|k| facts.licence_kinds.contains(&k.code()))
                && filter.pays_at_least_cents.is_none_or(|cents| facts.annual_max_cents >= cents)
                && not_qualified.as_ref().is_none_or(|bits| !bits.has(at))
                && comity.as_ref().is_none_or(|(out, needs)| !out.has(at) && needs.has(at))
                && words.iter().all(|w| facts.title.contains(w.as_str()) || facts.employer.contains(w.as_str()))
        };
        let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let take = page.per_page as usize;
        let mut total = 0usize;
        let mut items = Vec::with_capacity(take);
        for at in walk.filter(|&at| matches(at)) {
            if total >= skip && items.len() < take {
                items.push(self.cards[at as usize].clone());
            }
            total += 1;
        }
        Page::new(items, i64::try_from(total).unwrap_or(i64::MAX), page)
    }
}

/// The snapshot a node keeps (in the [`App`]), with what it needs to read it again.
#[derive(Debug, Default)]
pub struct KeptLiveJobs {
    current: RwLock<Option<Arc<LiveJobs>>>,
    /// Moved on by every change on this node: a snapshot of an earlier generation is
    /// out of date.
    generation: AtomicU64,
    /// Whether a task is reading it again in the background.
    refreshing: AtomicBool,
    /// One request at a time reads it when there is none up to date; the others wait for it.
    reading: tokio::sync::Mutex<()>,
}

impl KeptLiveJobs {
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The snapshot, when it is up to date with this node's changes.
    fn current(&self) -> Option<Arc<LiveJobs>> {
        let current = self.current.read().ok()?.clone()?;
        (current.generation == self.generation()).then_some(current)
    }

    /// Keeps a snapshot read, unless a change came while it was being read.
    fn keep(&self, fresh: Arc<LiveJobs>) {
        if fresh.generation == self.generation()
            && let Ok(mut current) = self.current.write()
        {
            *current = Some(fresh);
        }
    }
}

/// Clears [`KeptLiveJobs::refreshing`] when the background read ends, however it ends.
struct Refreshing(Arc<KeptLiveJobs>);

impl Drop for Refreshing {
    fn drop(&mut self) {
        self.0.refreshing.store(false, Ordering::SeqCst);
    }
}

impl App {
    /// The live jobs as this node holds them: read at once when there is no snapshot up to
    /// date with this node's changes; else the snapshot, read again in the background when
    /// it is [`LIVE_JOBS_TTL`] old.
    pub(crate) async fn live_jobs(&self) -> AppResult<Arc<LiveJobs>> {
        let kept = &self.live_jobs;
        if let Some(snapshot) = kept.current() {
            if snapshot.built_at.elapsed() >= LIVE_JOBS_TTL && !kept.refreshing.swap(true, Ordering::SeqCst) {
                let refreshing = Refreshing(Arc::clone(kept));
                let store = self.store.clone();
                let (now, today) = (self.clock.unix(), self.clock.today());
                tokio::spawn(async move {
                    let kept = &refreshing.0;
                    match LiveJobs::load(&store, kept.generation(), now, today).await {
                        Ok(fresh) => kept.keep(Arc::new(fresh)),
                        Err(err) => {
                            tracing::warn!(error = %err, "could not read the live jobs again; keeping the last")
                        }
                    }
                });
            }
            return Ok(snapshot);
        }
        let _one_at_a_time = kept.reading.lock().await;
        if let Some(snapshot) = kept.current() {
            return Ok(snapshot);
        }
        let fresh =
            Arc::new(LiveJobs::load(&self.store, kept.generation(), self.clock.unix(), self.clock.today()).await?);
        kept.keep(Arc::clone(&fresh));
        Ok(fresh)
    }

    /// Forgets this node's snapshot of the live jobs (after a change to whether or how a
    /// job is listed): the next search reads them again.
    pub fn forget_live_jobs(&self) {
        self.live_jobs.generation.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_read_are_the_databases() {
        assert_eq!(search_words("  Bridge%  ENGINEER _ a\\b"), vec!["bridge", "engineer", "ab"]);
        assert_eq!(search_words("1 2 3 4 5 6 7 8 9").len(), 8);
    }

    #[test]
    fn a_set_of_positions_gives_them_back_in_order() {
        let mut bits = Bits::new(200);
        for at in [130, 0, 64, 63, 199, 64] {
            bits.set(at);
        }
        assert_eq!(bits.positions().collect::<Vec<_>>(), vec![0, 63, 64, 130, 199]);
        assert!(bits.has(130) && !bits.has(131));
    }
}
