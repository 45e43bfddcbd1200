//! Salary-survey figures that never reveal anyone (issue 15; docs/design/careers-plan.md §3).
//!
//! A survey's responses are placed in a fixed lattice of **cells**: each of five coarsened
//! dimensions (discipline, licence class, experience band, region, sector) either fixed to one
//! value or left open ("all"). A **release** is built once, from a closed survey, and answers
//! every later question: a cell's quartiles, or the rule that keeps it unpublished.
//!
//! A cell is published only if
//! - it rests on at least 5 respondents from at least 5 employers, and no employer holds more
//!   than 25 % of it (the primary rules);
//! - its data are at least 3 months old (the survey closed 3 months before the release);
//! - and no other published cell differs from it by 1 to 4 respondents (the secondary rule):
//!   otherwise subtracting one figure's group from the other's would single people out.
//!
//! **Guarantee.** For any two published cells A and B, S(A) = S(B) or |S(A) Δ S(B)| ≥ 5.
//! Cells with a conflicting fixed value are disjoint (Δ = n(A) + n(B) ≥ 10). Otherwise their
//! meet M (each fixed value of either kept) holds exactly S(A) ∩ S(B); if M is empty, again
//! Δ ≥ 10; if not, A and B are both ancestors of the non-empty cell M, every pair of
//! ancestors of every non-empty cell is examined with its exact Δ, and of a pair with
//! 1 ≤ Δ < 5 the finer cell is suppressed. Suppression only removes cells, so no offending pair
//! is left. The property test checks it on random surveys, pair by pair, against brute force.
//!
//! Limits: nothing here spans releases (the same people answer again next year); someone who
//! knows four of five pays bounds the fifth (exact statistics cannot prevent that; rounding
//! narrows it); a cell's median may be someone's rounded pay.
//!
//! Files:
//! - `lib.rs`: the release (cells, the primary and secondary rules, quartiles).
//! - `estimate.rs`: the salary estimate (§4): a regression of log base pay on experience,
//!   education, licence class, discipline and region, fitted by SVD, each level its own
//!   coefficient only if it passes the primary rules; a profile's typical pay with its 95 %
//!   confidence interval, an 80 % range for individuals, and the responses behind them.
//! - `tests.rs`: the release's table tests and property test; `estimate/tests.rs`: the
//!   estimate's.

use std::collections::{BTreeMap, HashMap};

use time::Date;

pub mod estimate;

/// The survey's dimensions, in the order of a cell's coordinates.
pub const DIMENSIONS: usize = 5;
/// Their names, for messages.
pub const DIMENSION_NAMES: [&str; DIMENSIONS] = ["discipline", "licence", "experience", "region", "sector"];

/// One survey response as the engine sees it: its value in each dimension (an index into
/// that dimension's values), its employer (a key; the name is never needed) and its pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    pub place: [u16; DIMENSIONS],
    pub employer: u32,
    /// Yearly base pay, in whole currency units.
    pub base_pay: i64,
    /// Base pay plus bonus.
    pub total_pay: i64,
}

/// A cell: each dimension fixed to one value (`Some`) or open (`None`: all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell(pub [Option<u16>; DIMENSIONS]);

impl Cell {
    /// The cell open in every dimension: the whole survey.
    pub const ALL: Cell = Cell([None; DIMENSIONS]);

    /// Whether a response falls in the cell.
    pub fn holds(&self, response: &Response) -> bool {
        self.0.iter().zip(response.place).all(|(fixed, value)| fixed.is_none_or(|f| f == value))
    }

    /// How many dimensions it fixes: the finer a cell, the more.
    pub fn fixed(&self) -> usize {
        self.0.iter().filter(|v| v.is_some()).count()
    }

    /// The cell of a place with the dimensions in `open` (a bit per dimension) left open.
    fn of(place: [u16; DIMENSIONS], open: u8) -> Cell {
        let mut cell = [None; DIMENSIONS];
        for (d, value) in place.iter().enumerate() {
            if open & (1 << d) == 0 {
                cell[d] = Some(*value);
            }
        }
        Cell(cell)
    }
}

/// The rules a release applies (the values by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub min_respondents: usize,
    pub min_employers: usize,
    /// The largest share of a cell one employer may hold, as a fraction `numerator / denominator`.
    pub max_employer_share: (usize, usize),
    /// Two published cells differ by none or at least this many respondents.
    pub min_difference: usize,
    /// Months between the survey's close and its release.
    pub min_age_months: i32,
    /// Figures are rounded to a multiple of this.
    pub round_to: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_respondents: 5,
            min_employers: 5,
            max_employer_share: (1, 4),
            min_difference: 5,
            min_age_months: 3,
            round_to: 1000,
        }
    }
}

/// Why a cell is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Suppressed {
    FewerThan5Respondents,
    FewerThan5Employers,
    OneEmployerOver25Percent,
    /// Another published figure differs from it by one to four respondents.
    TooCloseToAnotherFigure,
}

impl Suppressed {
    /// The rule's code, as the API names it.
    pub fn code(self) -> &'static str {
        match self {
            Suppressed::FewerThan5Respondents => "fewer_than_5_respondents",
            Suppressed::FewerThan5Employers => "fewer_than_5_employers",
            Suppressed::OneEmployerOver25Percent => "one_employer_over_25_percent",
            Suppressed::TooCloseToAnotherFigure => "too_close_to_another_figure",
        }
    }

    /// The rule in words, for a page.
    pub fn words(self) -> &'static str {
        match self {
            Suppressed::FewerThan5Respondents => "Not enough responses: fewer than 5 people.",
            Suppressed::FewerThan5Employers => "Not enough responses: fewer than 5 employers.",
            Suppressed::OneEmployerOver25Percent => "Not enough responses: one employer would be over a quarter of it.",
            Suppressed::TooCloseToAnotherFigure => {
                "Not published: it differs from another figure by so few people that they could be singled out."
            }
        }
    }
}

/// The 25th, 50th and 75th percentiles (linear interpolation between ranks, rounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quartiles {
    pub p25: i64,
    pub median: i64,
    pub p75: i64,
}

/// A published cell's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    pub respondents: usize,
    pub employers: usize,
    pub base_pay: Quartiles,
    pub total_pay: Quartiles,
}

/// What a release says of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Published(Figures),
    Suppressed(Suppressed),
}

/// Why a release cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    #[error("the survey closed on {closes_on}: its figures may be released from {earliest}, not {released_on}")]
    TooRecent { closes_on: Date, earliest: Date, released_on: Date },
}

/// The published figures of one survey: built once, read ever after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    cells: BTreeMap<Cell, Answer>,
}

impl Release {
    /// What the release says of a cell (a cell nobody is in has too few respondents).
    pub fn answer(&self, cell: &Cell) -> Answer {
        self.cells.get(cell).copied().unwrap_or(Answer::Suppressed(Suppressed::FewerThan5Respondents))
    }

    /// Every cell somebody is in, with its answer.
    pub fn cells(&self) -> impl Iterator<Item = (&Cell, &Answer)> {
        self.cells.iter()
    }

    /// The published cells and their figures.
    pub fn published(&self) -> impl Iterator<Item = (&Cell, &Figures)> {
        self.cells.iter().filter_map(|(cell, answer)| match answer {
            Answer::Published(figures) => Some((cell, figures)),
            Answer::Suppressed(_) => None,
        })
    }
}

/// What is gathered of each cell while building.
#[derive(Default)]
struct Gathered {
    employers: HashMap<u32, usize>,
    base: Vec<i64>,
    total: Vec<i64>,
}

impl Gathered {
    fn respondents(&self) -> usize {
        self.base.len()
    }

    /// The primary rules: enough people, enough employers, no employer too large.
    fn primary(&self, rules: &Rules) -> Option<Suppressed> {
        rules.primary(&self.employers)
    }
}

impl Rules {
    /// The primary rules for a group of people given as their count per employer: enough
    /// people, enough employers, no employer too large (`None` if it passes them).
    pub fn primary(&self, employers: &HashMap<u32, usize>) -> Option<Suppressed> {
        let n: usize = employers.values().sum();
        let largest = employers.values().copied().max().unwrap_or(0);
        let (num, den) = self.max_employer_share;
        if n < self.min_respondents {
            Some(Suppressed::FewerThan5Respondents)
        } else if employers.len() < self.min_employers {
            Some(Suppressed::FewerThan5Employers)
        } else if largest * den > n * num {
            Some(Suppressed::OneEmployerOver25Percent)
        } else {
            None
        }
    }
}

/// Builds a survey's release: refused unless `released_on` is at least `rules.min_age_months`
/// after `closes_on` (every response was in by the close).
pub fn build_release(
    responses: &[Response],
    rules: &Rules,
    closes_on: Date,
    released_on: Date,
) -> Result<Release, ReleaseError> {
    let earliest = guildhall_ce::dates::add_months(closes_on, rules.min_age_months);
    if released_on < earliest {
        return Err(ReleaseError::TooRecent { closes_on, earliest, released_on });
    }
    // Each response counts in each of the 2^5 cells above its place.
    let mut gathered: HashMap<Cell, Gathered> = HashMap::new();
    for response in responses {
        for open in 0..(1u8 << DIMENSIONS) {
            let cell = gathered.entry(Cell::of(response.place, open)).or_default();
            *cell.employers.entry(response.employer).or_default() += 1;
            cell.base.push(response.base_pay);
            cell.total.push(response.total_pay);
        }
    }
    let mut answers: BTreeMap<Cell, Option<Suppressed>> =
        gathered.iter().map(|(cell, g)| (*cell, g.primary(rules))).collect();

    // The secondary rule: every pair of published-so-far ancestors of every non-empty cell.
    let count = |cell: &Cell| gathered.get(cell).map_or(0, Gathered::respondents);
    let mut close_pairs: Vec<(Cell, Cell)> = Vec::new();
    for meet in gathered.keys() {
        let fixed: Vec<usize> = (0..DIMENSIONS).filter(|d| meet.0[*d].is_some()).collect();
        let ancestors: Vec<(u8, Cell)> = (0..(1u8 << fixed.len()))
            .map(|mask| {
                let mut cell = *meet;
                for (bit, d) in fixed.iter().enumerate() {
                    if mask & (1 << bit) != 0 {
                        cell.0[*d] = None;
                    }
                }
                (mask, cell)
            })
            .filter(|(_, cell)| answers.get(cell).is_some_and(Option::is_none))
            .collect();
        for (i, (mask_a, a)) in ancestors.iter().enumerate() {
            for (mask_b, b) in &ancestors[i + 1..] {
                // A ∧ B is the meet opened where both are open.
                let mut both = *meet;
                for (bit, d) in fixed.iter().enumerate() {
                    if mask_a & mask_b & (1 << bit) != 0 {
                        both.0[*d] = None;
                    }
                }
                let difference = count(a) + count(b) - 2 * count(&both);
                if difference > 0 && difference < rules.min_difference {
                    close_pairs.push((*a, *b));
                }
            }
        }
    }
    close_pairs.sort_unstable();
    close_pairs.dedup();
    for (a, b) in close_pairs {
        if answers[&a].is_some() || answers[&b].is_some() {
            continue;
        }
        // The finer of the two goes (more fixed dimensions; then the smaller; then the later).
        let finer = match (a.fixed().cmp(&b.fixed()), count(&a).cmp(&count(&b))) {
            (std::cmp::Ordering::Greater, _) => a,
            (std::cmp::Ordering::Less, _) => b,
            (_, std::cmp::Ordering::Less) => a,
            (_, std::cmp::Ordering::Greater) => b,
            _ => a.max(b),
        };
        answers.insert(finer, Some(Suppressed::TooCloseToAnotherFigure));
    }

    let cells = answers
        .into_iter()
        .map(|(cell, suppressed)| {
            let answer = match suppressed {
                Some(rule) => Answer::Suppressed(rule),
                None => {
                    let g = &gathered[&cell];
                    Answer::Published(Figures {
                        respondents: g.respondents(),
                        employers: g.employers.len(),
                        base_pay: quartiles(&g.base, rules.round_to),
                        total_pay: quartiles(&g.total, rules.round_to),
                    })
                }
            };
            (cell, answer)
        })
        .collect();
    Ok(Release { cells })
}

/// The quartiles of some pays (at least one), each rounded to a multiple of `round_to`.
pub fn quartiles(pays: &[i64], round_to: i64) -> Quartiles {
    let mut sorted = pays.to_vec();
    sorted.sort_unstable();
    let at = |p: f64| round(percentile(&sorted, p), round_to);
    Quartiles { p25: at(0.25), median: at(0.5), p75: at(0.75) }
}

/// The `p`-th quantile of sorted values, interpolating linearly between ranks (Hyndman and
/// Fan's type 7, as R and NumPy compute it by default).
fn percentile(sorted: &[i64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else { return 0.0 };
    let h = last as f64 * p;
    let below = h.floor() as usize;
    let above = (below + 1).min(last);
    let low = sorted[below] as f64;
    low + (h - below as f64) * (sorted[above] as f64 - low)
}

fn round(value: f64, to: i64) -> i64 {
    let to = to.max(1) as f64;
    ((value / to).round() * to) as i64
}

#[cfg(test)]
mod tests;
