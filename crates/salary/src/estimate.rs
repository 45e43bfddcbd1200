//! The salary estimate (issue 15; docs/design/careers-plan.md §4), as IEEE-USA's calculator
//! gives one: a typical pay for a profile, its 95 % confidence interval, a range for
//! individuals, and how many responses stand behind it.
//!
//! **Model** (Mincer's form): log(base pay) ~ 1 + years + years² + education + licence class +
//! discipline + region, the four factors treatment-coded. A level gets a coefficient of its own
//! only if it alone passes the release's primary rules ([`Rules::primary`]: ≥ 5 respondents,
//! ≥ 5 employers, none over 25 %); the others merge into the factor's **other**, the reference
//! level (intercept). If "other" does not pass the rules itself (it is empty when every level
//! passes), the smallest levels that do join it, one at a time (fewest respondents first, then
//! the lowest index), until it passes: so no coefficient, the reference included, rests on a
//! group the release would not publish. The caller gives the full-time responses (≥ 35 hours)
//! of one release's currency zone; nothing is refitted on a user's subset.
//!
//! **Fit** by ordinary least squares through the SVD X = UΣVᵀ (nalgebra): refused if
//! n ≤ p or some σ ≤ 1e-10·σmax (rank-deficient); β = VΣ⁻¹Uᵀy, (XᵀX)⁻¹ = VΣ⁻²Vᵀ,
//! s² = RSS / (n − p), df = n − p, R² = 1 − RSS / TSS.
//!
//! **Prediction** at x0: ŷ = x0ᵀβ, se = s·√(x0ᵀ(XᵀX)⁻¹x0); typical (median) pay exp(ŷ), its
//! 95 % confidence interval exp(ŷ ± t(0.975, df)·se), and an 80 % range for individuals
//! exp(ŷ ± t(0.90, df)·s·√(1 + x0ᵀ(XᵀX)⁻¹x0)), Student's t quantiles from statrs.

use std::collections::{BTreeMap, HashMap};

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::{Rules, Suppressed};

/// The model's factors, in the order of a respondent's levels and of the design's columns.
pub const FACTORS: usize = 4;
/// Their names, for messages and column names.
pub const FACTOR_NAMES: [&str; FACTORS] = ["education", "licence", "discipline", "region"];
/// A singular value at most this fraction of the largest makes the design rank-deficient.
pub const RANK_TOLERANCE: f64 = 1e-10;
/// The SVD's iteration budget (it converges in a few dozen sweeps on any finite design).
const MAX_ITERATIONS: usize = 100_000;

/// One full-time response as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Respondent {
    /// Years of professional experience.
    pub years: f64,
    /// The level of each factor (an index into that factor's values), in [`FACTOR_NAMES`] order.
    pub levels: [u16; FACTORS],
    /// The employer's key (only counted, for the rules).
    pub employer: u32,
    /// Yearly base pay in currency units; positive.
    pub base_pay: f64,
}

/// Whom an estimate is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub years: f64,
    pub levels: [u16; FACTORS],
}

/// Why a model cannot be fitted or used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("{n} responses cannot fit {p} coefficients: it takes more responses than coefficients")]
    TooFewResponses { n: usize, p: usize },
    #[error(
        "the design is rank-deficient: its smallest singular value {smallest:e} is at most 1e-10 of the largest {largest:e}"
    )]
    RankDeficient { smallest: f64, largest: f64 },
    #[error("the singular value decomposition did not converge")]
    NoConvergence,
    #[error("a row of the design has {found} values, not {expected}")]
    WrongLength { expected: usize, found: usize },
    #[error("the design has no columns")]
    NoColumns,
    #[error("response {row}: {what} is not a finite number")]
    NotFinite { row: usize, what: &'static str },
    #[error("years of experience {0} is not a finite number")]
    YearsNotFinite(f64),
    #[error("response {row}: base pay {pay} is not positive")]
    PayNotPositive { row: usize, pay: f64 },
    #[error("the responses as a whole are not publishable: {}", .0.code())]
    NotPublishable(Suppressed),
    #[error("no Student's t distribution with {df} degrees of freedom")]
    NoDegreesOfFreedom { df: usize },
}

/// An ordinary least-squares fit: what is kept of it (a release stores these numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct LeastSquares {
    /// β, one per column of the design.
    pub coefficients: Vec<f64>,
    /// (XᵀX)⁻¹, row by row (p × p): the coefficients' covariance is s² times it.
    pub unscaled_covariance: Vec<Vec<f64>>,
    /// s², the residuals' variance: RSS / df.
    pub s2: f64,
    /// Degrees of freedom of the residuals, n − p.
    pub df: usize,
    /// Rows fitted.
    pub n: usize,
    /// R² = 1 − RSS / TSS, about the mean (0 when every y is equal).
    pub r_squared: f64,
}

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// A prediction on the scale of y.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// ŷ = x0ᵀβ.
    pub fitted: f64,
    /// The standard error of ŷ as the mean: s·√(x0ᵀ(XᵀX)⁻¹x0).
    pub se: f64,
    /// ŷ ± t(0.975, df)·se: where the mean lies, 95 % confidence.
    pub mean_95: Interval,
    /// ŷ ± t(0.90, df)·s·√(1 + x0ᵀ(XᵀX)⁻¹x0): where 80 % of individuals lie.
    pub individuals_80: Interval,
}

/// Fits y ≈ Xβ by least squares, X given row by row (include a column of ones for an
/// intercept). Refused if there are no more rows than columns, or X is rank-deficient.
pub fn least_squares<R: AsRef<[f64]>>(rows: &[R], y: &[f64]) -> Result<LeastSquares, EstimateError> {
    let n = rows.len();
    let p = rows.first().map_or(0, |row| row.as_ref().len());
    if y.len() != n {
        return Err(EstimateError::WrongLength { expected: n, found: y.len() });
    }
    if n <= p {
        return Err(EstimateError::TooFewResponses { n, p });
    }
    if p == 0 {
        return Err(EstimateError::NoColumns);
    }
    for (i, row) in rows.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != p {
            return Err(EstimateError::WrongLength { expected: p, found: row.len() });
        }
        if !row.iter().all(|v| v.is_finite()) {
            return Err(EstimateError::NotFinite { row: i, what: "a value of its row" });
        }
        if !y[i].is_finite() {
            return Err(EstimateError::NotFinite { row: i, what: "y" });
        }
    }
    let x = DMatrix::from_fn(n, p, |i, j| rows[i].as_ref()[j]);
    let y = DVector::from_column_slice(y);
    let svd = x.clone().try_svd(true, true, f64::EPSILON, MAX_ITERATIONS).ok_or(EstimateError::NoConvergence)?;
    let (Some(u), Some(v_t)) = (svd.u, svd.v_t) else { return Err(EstimateError::NoConvergence) };
    let sigma = svd.singular_values;
    let largest = sigma.max();
    let smallest = sigma.min();
    if largest <= 0.0 || smallest <= RANK_TOLERANCE * largest {
        return Err(EstimateError::RankDeficient { smallest, largest });
    }
    // β = V Σ⁻¹ Uᵀ y; (XᵀX)⁻¹ = V Σ⁻² Vᵀ.
    let uty = u.transpose() * &y;
    let v = v_t.transpose();
    let beta = &v * uty.component_div(&sigma);
    let mut v_scaled = v.clone();
    for (j, s) in sigma.iter().enumerate() {
        v_scaled.column_mut(j).scale_mut(1.0 / (s * s));
    }
    let covariance = &v_scaled * &v_t;
    let residuals = &y - &x * &beta;
    let rss = residuals.norm_squared();
    let mean = y.mean();
    let tss: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let df = n - p;
    Ok(LeastSquares {
        coefficients: beta.iter().copied().collect(),
        // Symmetric in exact arithmetic: averaged with its transpose so it is in floating point too.
        unscaled_covariance: (0..p)
            .map(|i| (0..p).map(|j| 0.5 * (covariance[(i, j)] + covariance[(j, i)])).collect())
            .collect(),
        s2: rss / df as f64,
        df,
        n,
        r_squared: if tss > 0.0 { 1.0 - rss / tss } else { 0.0 },
    })
}

/// The `p`-quantile of Student's t distribution with `df` degrees of freedom.
pub fn student_t_quantile(p: f64, df: usize) -> Result<f64, EstimateError> {
    let t = StudentsT::new(0.0, 1.0, df as f64).map_err(|_| EstimateError::NoDegreesOfFreedom { df })?;
    Ok(t.inverse_cdf(p))
}

impl LeastSquares {
    /// The prediction at `x0` (a row of the design).
    pub fn predict(&self, x0: &[f64]) -> Result<Prediction, EstimateError> {
        let p = self.coefficients.len();
        if x0.len() != p || self.unscaled_covariance.len() != p {
            return Err(EstimateError::WrongLength { expected: p, found: x0.len() });
        }
        let fitted: f64 = x0.iter().zip(&self.coefficients).map(|(a, b)| a * b).sum();
        // x0ᵀ (XᵀX)⁻¹ x0: never negative in exact arithmetic.
        let leverage: f64 = self
            .unscaled_covariance
            .iter()
            .zip(x0)
            .map(|(row, a)| a * row.iter().zip(x0).map(|(c, b)| c * b).sum::<f64>())
            .sum::<f64>()
            .max(0.0);
        let s = self.s2.max(0.0).sqrt();
        let se = s * leverage.sqrt();
        let half_95 = student_t_quantile(0.975, self.df)? * se;
        let half_80 = student_t_quantile(0.90, self.df)? * s * (1.0 + leverage).sqrt();
        Ok(Prediction {
            fitted,
            se,
            mean_95: Interval { low: fitted - half_95, high: fitted + half_95 },
            individuals_80: Interval { low: fitted - half_80, high: fitted + half_80 },
        })
    }
}

/// How one factor's levels enter the model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FactorLevels {
    /// The levels with a coefficient of their own, in the order of their columns (ascending).
    pub own: Vec<u16>,
    /// Respondents at each level in the fit.
    pub respondents: BTreeMap<u16, usize>,
}

impl FactorLevels {
    /// Whether a level has a coefficient of its own (else it is "other", the reference).
    pub fn is_own(&self, level: u16) -> bool {
        self.own.binary_search(&level).is_ok()
    }

    /// The respondents of "other": every level without a coefficient of its own.
    pub fn other_respondents(&self) -> usize {
        self.respondents.iter().filter(|(level, _)| !self.is_own(**level)).map(|(_, n)| n).sum()
    }

    /// The respondents behind a level as the model sees it: its own, or all of "other".
    pub fn behind(&self, level: u16) -> LevelBehind {
        if self.is_own(level) {
            LevelBehind { level, own: true, respondents: self.respondents.get(&level).copied().unwrap_or(0) }
        } else {
            LevelBehind { level, own: false, respondents: self.other_respondents() }
        }
    }

    /// Chooses the levels with their own coefficient (see the module's description).
    fn choose(respondents: &[Respondent], factor: usize, rules: &Rules) -> FactorLevels {
        let mut per_level: BTreeMap<u16, HashMap<u32, usize>> = BTreeMap::new();
        for r in respondents {
            *per_level.entry(r.levels[factor]).or_default().entry(r.employer).or_default() += 1;
        }
        let count = |employers: &HashMap<u32, usize>| employers.values().sum::<usize>();
        let mut other: HashMap<u32, usize> = HashMap::new();
        let mut own: Vec<(usize, u16)> = Vec::new();
        for (level, employers) in &per_level {
            if rules.primary(employers).is_none() {
                own.push((count(employers), *level));
            } else {
                for (employer, n) in employers {
                    *other.entry(*employer).or_default() += n;
                }
            }
        }
        // Fewest respondents first, then the lowest index: the next to join "other".
        own.sort_unstable_by_key(|(n, level)| (*n, *level));
        let mut own = std::collections::VecDeque::from(own);
        while rules.primary(&other).is_some() {
            let Some((_, level)) = own.pop_front() else { break };
            for (employer, n) in &per_level[&level] {
                *other.entry(*employer).or_default() += n;
            }
        }
        let mut own: Vec<u16> = own.into_iter().map(|(_, level)| level).collect();
        own.sort_unstable();
        FactorLevels {
            own,
            respondents: per_level.iter().map(|(level, employers)| (*level, count(employers))).collect(),
        }
    }
}

/// The respondents behind one chosen level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelBehind {
    /// The level asked for.
    pub level: u16,
    /// Whether it has a coefficient of its own (else it is counted in "other").
    pub own: bool,
    /// Its respondents, or those of "other".
    pub respondents: usize,
}

/// The fitted model, as a release keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Each factor's levels, in [`FACTOR_NAMES`] order.
    pub factors: [FactorLevels; FACTORS],
    /// The fit; its columns are [`Model::columns`].
    pub fit: LeastSquares,
}

/// A profile's estimate, in currency units a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Typical (median) base pay: exp(ŷ).
    pub typical: f64,
    /// Its 95 % confidence interval.
    pub typical_95: Interval,
    /// Where 80 % of individuals with the profile lie.
    pub individuals_80: Interval,
    /// The responses the model was fitted on.
    pub respondents: usize,
    /// The respondents behind each of the profile's levels, in [`FACTOR_NAMES`] order.
    pub levels: [LevelBehind; FACTORS],
    /// The same on the log scale.
    pub log: Prediction,
}

/// Fits the model to full-time responses under `rules` (see the module's description).
pub fn fit(respondents: &[Respondent], rules: &Rules) -> Result<Model, EstimateError> {
    for (row, r) in respondents.iter().enumerate() {
        if !r.years.is_finite() {
            return Err(EstimateError::NotFinite { row, what: "years" });
        }
        if !r.base_pay.is_finite() {
            return Err(EstimateError::NotFinite { row, what: "base pay" });
        }
        if r.base_pay <= 0.0 {
            return Err(EstimateError::PayNotPositive { row, pay: r.base_pay });
        }
    }
    let mut everyone: HashMap<u32, usize> = HashMap::new();
    for r in respondents {
        *everyone.entry(r.employer).or_default() += 1;
    }
    if let Some(rule) = rules.primary(&everyone) {
        return Err(EstimateError::NotPublishable(rule));
    }
    let factors: [FactorLevels; FACTORS] = std::array::from_fn(|f| FactorLevels::choose(respondents, f, rules));
    let rows: Vec<Vec<f64>> = respondents.iter().map(|r| design_row(&factors, r.years, &r.levels)).collect();
    let y: Vec<f64> = respondents.iter().map(|r| r.base_pay.ln()).collect();
    Ok(Model { fit: least_squares(&rows, &y)?, factors })
}

fn design_row(factors: &[FactorLevels; FACTORS], years: f64, levels: &[u16; FACTORS]) -> Vec<f64> {
    let mut row = vec![1.0, years, years * years];
    for (factor, level) in factors.iter().zip(levels) {
        row.extend(factor.own.iter().map(|own| if own == level { 1.0 } else { 0.0 }));
    }
    row
}

impl Model {
    /// The design's columns by name: `intercept`, `years`, `years²`, then `factor[level]` for
    /// each level with a coefficient of its own.
    pub fn columns(&self) -> Vec<String> {
        let mut names = vec!["intercept".to_string(), "years".to_string(), "years²".to_string()];
        for (name, factor) in FACTOR_NAMES.iter().zip(&self.factors) {
            names.extend(factor.own.iter().map(|level| format!("{name}[{level}]")));
        }
        names
    }

    /// A row of the design: 1, years, years², and a 1 in the column of each level that has one.
    pub fn design_row(&self, years: f64, levels: &[u16; FACTORS]) -> Vec<f64> {
        design_row(&self.factors, years, levels)
    }

    /// The estimate for a profile (a level never seen, or without a coefficient, is "other").
    pub fn estimate(&self, profile: &Profile) -> Result<Estimate, EstimateError> {
        if !profile.years.is_finite() {
            return Err(EstimateError::YearsNotFinite(profile.years));
        }
        let log = self.fit.predict(&self.design_row(profile.years, &profile.levels))?;
        let exp = |i: Interval| Interval { low: i.low.exp(), high: i.high.exp() };
        Ok(Estimate {
            typical: log.fitted.exp(),
            typical_95: exp(log.mean_95),
            individuals_80: exp(log.individuals_80),
            respondents: self.fit.n,
            levels: std::array::from_fn(|f| self.factors[f].behind(profile.levels[f])),
            log,
        })
    }
}

#[cfg(test)]
mod tests;
