use super::*;

fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!((actual - expected).abs() <= tolerance, "{what}: {actual} is not {expected} (± {tolerance:e})");
}

#[test]
fn student_t_quantiles_are_the_tables() {
    // Printed tables (and scipy.stats.t.ppf) to six decimals.
    let cases = [
        (0.975, 4, 2.776445),
        (0.90, 4, 1.533206),
        (0.975, 1, 12.706205),
        (0.975, 30, 2.042272),
        (0.90, 10, 1.372184),
        (0.975, 1000, 1.962339),
    ];
    for (p, df, expected) in cases {
        close(student_t_quantile(p, df).unwrap(), expected, 1e-6, &format!("t({p}, {df})"));
    }
    assert_eq!(student_t_quantile(0.975, 0), Err(EstimateError::NoDegreesOfFreedom { df: 0 }));
}

/// The plan's case worked by hand: x = 0…5, y = 2 + 0.5x + 0.1·(1, −1, −1, 1, 0, 0). The
/// residuals are orthogonal to 1 and to x, so β = (2, 0.5) exactly, RSS = 0.04, s = 0.1;
/// XᵀX = [[6, 15], [15, 55]] (det 105), and at x0 = (1, 2.5), x0ᵀ(XᵀX)⁻¹x0 = 17.5/105 = 1/6.
#[test]
fn the_case_worked_by_hand() {
    let wiggle = [1.0, -1.0, -1.0, 1.0, 0.0, 0.0];
    let rows: Vec<[f64; 2]> = (0..6).map(|x| [1.0, f64::from(x)]).collect();
    let y: Vec<f64> = (0..6).map(|x| 2.0 + 0.5 * f64::from(x) + 0.1 * wiggle[x as usize]).collect();
    let fit = least_squares(&rows, &y).unwrap();

    let exact = 1e-12;
    close(fit.coefficients[0], 2.0, exact, "intercept");
    close(fit.coefficients[1], 0.5, exact, "slope");
    close(fit.s2.sqrt(), 0.1, exact, "s");
    assert_eq!((fit.n, fit.df), (6, 4));
    let inverse = [[55.0 / 105.0, -15.0 / 105.0], [-15.0 / 105.0, 6.0 / 105.0]];
    for (i, row) in inverse.iter().enumerate() {
        for (j, expected) in row.iter().enumerate() {
            close(fit.unscaled_covariance[i][j], *expected, exact, &format!("(XᵀX)⁻¹[{i}][{j}]"));
        }
    }
    // TSS = Σ (y − 3.25)² = 4.415.
    close(fit.r_squared, 1.0 - 0.04 / 4.415, exact, "R²");

    let at = fit.predict(&[1.0, 2.5]).unwrap();
    close(at.fitted, 3.25, exact, "ŷ");
    close(at.se, 0.1 / 6f64.sqrt(), exact, "se");
    close(at.se, 0.040825, 1e-6, "se, printed");
    close(at.mean_95.low, 3.25 - 0.113348, 1e-6, "95 % low");
    close(at.mean_95.high, 3.25 + 0.113348, 1e-6, "95 % high");
    // t(0.90, 4)·s·√(1 + 1/6).
    let half_80 = 1.533206 * 0.1 * (7.0f64 / 6.0).sqrt();
    close(at.individuals_80.low, 3.25 - half_80, 1e-6, "80 % low");
    close(at.individuals_80.high, 3.25 + half_80, 1e-6, "80 % high");
}

/// Known effects; level 0 of each factor is 0 (every level passes the rules, all equally
/// large, so the lowest joins "other" and is the reference).
struct Truth {
    name: &'static str,
    intercept: f64,
    years: f64,
    years2: f64,
    effects: [&'static [f64]; FACTORS],
}

const SIZES: [u16; FACTORS] = [3, 4, 5, 4];

/// Every combination of levels once (3·4·5·4 = 240), each from an employer of its own, with
/// assorted experience, paid exactly exp(x·β).
fn noise_free(truth: &Truth) -> Vec<Respondent> {
    let combinations: usize = SIZES.iter().map(|s| usize::from(*s)).product();
    (0..combinations)
        .map(|i| {
            let mut rest = i;
            let levels: [u16; FACTORS] = std::array::from_fn(|f| {
                let size = usize::from(SIZES[f]);
                let level = rest % size;
                rest /= size;
                level as u16
            });
            let years = ((i * 7) % 41) as f64 + 0.25 * (i % 4) as f64;
            let log_pay = truth.intercept
                + truth.years * years
                + truth.years2 * years * years
                + levels.iter().zip(truth.effects).map(|(level, effects)| effects[usize::from(*level)]).sum::<f64>();
            Respondent { years, levels, employer: i as u32, base_pay: log_pay.exp() }
        })
        .collect()
}

#[test]
fn noise_free_data_give_back_their_coefficients_in_any_order() {
    let truths = [
        Truth {
            name: "typical",
            intercept: 11.0,
            years: 0.04,
            years2: -0.0007,
            effects: [
                &[0.0, 0.08, 0.15],
                &[0.0, 0.1, 0.12, 0.05],
                &[0.0, -0.05, 0.1, 0.02, 0.2],
                &[0.0, 0.1, -0.1, 0.3],
            ],
        },
        Truth {
            name: "large and negative",
            intercept: 10.2,
            years: 0.11,
            years2: -0.002,
            effects: [
                &[0.0, -0.4, 0.9],
                &[0.0, -0.7, 0.33, 1.2],
                &[0.0, 0.5, -0.5, 0.25, -0.25],
                &[0.0, -1.0, 1.0, 0.01],
            ],
        },
        Truth {
            name: "experience only",
            intercept: 11.3,
            years: 0.02,
            years2: 0.0001,
            effects: [&[0.0; 3], &[0.0; 4], &[0.0; 5], &[0.0; 4]],
        },
    ];
    for truth in &truths {
        let respondents = noise_free(truth);
        let model = fit(&respondents, &Rules::default()).unwrap();
        let mut expected = vec![truth.intercept, truth.years, truth.years2];
        for effects in truth.effects {
            expected.extend(&effects[1..]);
        }
        for (f, factor) in model.factors.iter().enumerate() {
            assert_eq!(factor.own, (1..SIZES[f]).collect::<Vec<_>>(), "{}: {}", truth.name, FACTOR_NAMES[f]);
        }
        assert_eq!(model.columns().len(), expected.len(), "{}", truth.name);
        for (name, (actual, expected)) in model.columns().iter().zip(model.fit.coefficients.iter().zip(&expected)) {
            close(*actual, *expected, 1e-9, &format!("{}: {name}", truth.name));
        }
        assert!(model.fit.s2 < 1e-20, "{}: s² {}", truth.name, model.fit.s2);

        let profile = Profile { years: 12.5, levels: [2, 1, 3, 0] };
        let estimate = model.estimate(&profile).unwrap();
        let reversed: Vec<Respondent> = respondents.iter().rev().copied().collect();
        // 97 and 240 are coprime: i ↦ 97·i mod 240 shuffles the rows.
        let shuffled: Vec<Respondent> = (0..respondents.len()).map(|i| respondents[(97 * i) % 240]).collect();
        for (order, rows) in [("reversed", reversed), ("shuffled", shuffled)] {
            let other = fit(&rows, &Rules::default()).unwrap();
            assert_eq!(other.factors, model.factors, "{}, {order}", truth.name);
            assert_eq!((other.fit.n, other.fit.df), (model.fit.n, model.fit.df));
            for (a, b) in other.fit.coefficients.iter().zip(&model.fit.coefficients) {
                close(*a, *b, 1e-9, &format!("{}, {order}", truth.name));
            }
            let again = other.estimate(&profile).unwrap();
            close(again.log.fitted, estimate.log.fitted, 1e-9, &format!("{}, {order}: ŷ", truth.name));
        }
    }
}

/// Two large education levels (0 and 1, 20 respondents each from employers of their own), and
/// the respondents added at other levels as (level, employer).
fn with_extra(extra: &[(u16, u32)]) -> Vec<Respondent> {
    let base = (0..40u32).map(|i| ((i % 2) as u16, 1000 + i));
    base.chain(extra.iter().copied())
        .enumerate()
        .map(|(i, (education, employer))| {
            let years = ((i * 13) % 30) as f64;
            let noise = ((i * 37) % 11) as f64 / 100.0 - 0.05;
            let log_pay = 50_000f64.ln() + 0.03 * years + 0.1 * f64::from(education) + noise;
            Respondent { years, levels: [education, 0, 0, 0], employer, base_pay: log_pay.exp() }
        })
        .collect()
}

/// A case of merging: its name, the respondents added, the education levels with their own
/// coefficient, and the respondents of "other".
type MergeCase = (&'static str, Vec<(u16, u32)>, &'static [u16], usize);

#[test]
fn a_level_has_its_own_coefficient_only_if_it_passes_the_rules_else_it_is_other() {
    let cases: [MergeCase; 6] = [
        (
            "two levels of 4 respondents: too few each, together enough",
            vec![(2, 100), (2, 101), (2, 102), (2, 103), (3, 200), (3, 201), (3, 202), (3, 203)],
            &[0, 1],
            8,
        ),
        (
            "6 respondents from 4 employers",
            vec![(2, 100), (2, 100), (2, 101), (2, 101), (2, 102), (2, 103), (3, 200), (3, 201), (3, 202), (3, 203)],
            &[0, 1],
            10,
        ),
        (
            "8 respondents, one employer has 3 (37.5 %)",
            vec![
                (2, 100),
                (2, 100),
                (2, 100),
                (2, 101),
                (2, 102),
                (2, 103),
                (2, 104),
                (2, 105),
                (3, 200),
                (3, 201),
                (3, 202),
                (3, 203),
            ],
            &[0, 1],
            12,
        ),
        (
            "a passing level of 5 joins a failing other of 4: the smallest passing level goes first",
            vec![(2, 100), (2, 101), (2, 102), (2, 103), (2, 104), (3, 200), (3, 201), (3, 202), (3, 203)],
            &[0, 1],
            9,
        ),
        (
            "every level passes: the smallest is the reference",
            vec![(2, 100), (2, 101), (2, 102), (2, 103), (2, 104), (2, 105), (2, 106), (2, 107)],
            &[0, 1],
            8,
        ),
        (
            "one level of 4 alone: it takes the lowest of two equal passing levels with it",
            vec![(2, 100), (2, 101), (2, 102), (2, 103)],
            &[1],
            24,
        ),
    ];
    for (name, extra, own, other) in cases {
        let respondents = with_extra(&extra);
        let model = fit(&respondents, &Rules::default()).unwrap();
        let education = &model.factors[0];
        assert_eq!(education.own, own, "{name}");
        assert_eq!(education.other_respondents(), other, "{name}");
        // One level in licence, discipline and region: each is its factor's reference.
        for factor in &model.factors[1..] {
            assert!(factor.own.is_empty(), "{name}: {factor:?}");
            assert_eq!(factor.other_respondents(), respondents.len(), "{name}");
        }
        assert_eq!(model.fit.coefficients.len(), 3 + own.len(), "{name}");

        // What an estimate says stands behind each level: its own respondents, or other's.
        for level in [0u16, 1, 2, 3, 9] {
            let estimate = model.estimate(&Profile { years: 10.0, levels: [level, 0, 0, 0] }).unwrap();
            let behind = estimate.levels[0];
            if own.contains(&level) {
                assert_eq!(behind, LevelBehind { level, own: true, respondents: 20 }, "{name}");
            } else {
                assert_eq!(behind, LevelBehind { level, own: false, respondents: other }, "{name}");
            }
            assert_eq!(estimate.levels[3], LevelBehind { level: 0, own: false, respondents: respondents.len() });
            assert_eq!(estimate.respondents, respondents.len(), "{name}");
            let (typical, within, individuals) = (estimate.typical, estimate.typical_95, estimate.individuals_80);
            assert!(within.low < typical && typical < within.high, "{name}: {estimate:?}");
            assert!(individuals.low < within.low && within.high < individuals.high, "{name}: {estimate:?}");
            close(typical, estimate.log.fitted.exp(), 1e-9 * typical, name);
            close(within.high, estimate.log.mean_95.high.exp(), 1e-9 * typical, name);
        }
    }
}

/// A design refused: its name, its rows, and whether the error is the one expected.
type Refusal = (&'static str, Vec<Vec<f64>>, fn(&EstimateError) -> bool);

#[test]
fn a_design_that_cannot_be_fitted_is_refused() {
    let xs = [0.0, 1.0, 2.0, 3.5, 4.0, 7.0];
    let design = |row: fn(f64) -> Vec<f64>| xs.iter().map(|x| row(*x)).collect::<Vec<_>>();
    let y: Vec<f64> = xs.iter().map(|x| 1.0 + x + (x * 3.0).sin() / 10.0).collect();
    let cases: [Refusal; 7] = [
        ("a column twice another", design(|x| vec![1.0, x, 2.0 * x]), |e| {
            matches!(e, EstimateError::RankDeficient { .. })
        }),
        ("a column the difference of two", design(|x| vec![1.0, x, 1.0 - x]), |e| {
            matches!(e, EstimateError::RankDeficient { .. })
        }),
        ("a column of zeros", design(|x| vec![1.0, x, 0.0]), |e| matches!(e, EstimateError::RankDeficient { .. })),
        ("collinear within 1e-13", design(|x| vec![1.0, x, x + 1e-13 * (x * 5.0).cos()]), |e| {
            matches!(e, EstimateError::RankDeficient { .. })
        }),
        ("as many coefficients as rows", design(|x| vec![1.0, x, x * x, x.powi(3), x.powi(4), x.sqrt()]), |e| {
            *e == EstimateError::TooFewResponses { n: 6, p: 6 }
        }),
        ("more coefficients than rows", vec![vec![1.0, 2.0, 3.0], vec![1.0, 5.0, 1.0]], |e| {
            *e == EstimateError::TooFewResponses { n: 2, p: 3 }
        }),
        ("rows of different lengths", vec![vec![1.0, 2.0], vec![1.0], vec![1.0, 3.0]], |e| {
            *e == EstimateError::WrongLength { expected: 2, found: 1 }
        }),
    ];
    for (name, rows, expected) in cases {
        match least_squares(&rows, &y[..rows.len()]) {
            Err(error) => assert!(expected(&error), "{name}: {error:?}"),
            Ok(fit) => panic!("{name}: fitted {fit:?}"),
        }
    }
    // Nearly but not quite collinear is fitted.
    assert!(least_squares(&design(|x| vec![1.0, x, x + 1e-6 * (x * 5.0).cos()]), &y).is_ok());

    // Through the model: everyone with the same experience makes years and years² multiples
    // of the intercept; too few people overall are not publishable at all.
    let same_years: Vec<Respondent> = with_extra(&[]).into_iter().map(|r| Respondent { years: 10.0, ..r }).collect();
    assert!(matches!(fit(&same_years, &Rules::default()), Err(EstimateError::RankDeficient { .. })));
    let few: Vec<Respondent> = with_extra(&[]).into_iter().take(4).collect();
    assert_eq!(fit(&few, &Rules::default()), Err(EstimateError::NotPublishable(Suppressed::FewerThan5Respondents)));
    let unpaid = [Respondent { base_pay: 0.0, ..with_extra(&[])[0] }];
    assert_eq!(fit(&unpaid, &Rules::default()), Err(EstimateError::PayNotPositive { row: 0, pay: 0.0 }));
}

/// The independent reference: statsmodels 0.15.0's OLS on a synthetic survey of 500, with the
/// levels chosen by the same rule written again in Python (scripts/salary-reference.py).
#[test]
fn the_fit_matches_statsmodels_on_a_survey_of_500() {
    let survey = include_str!("../../tests/fixtures/regression-500.csv");
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/regression-500.statsmodels.json")).unwrap();
    let respondents: Vec<Respondent> = survey
        .lines()
        .skip(1)
        .map(|line| {
            let values: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
            Respondent {
                years: values[0],
                levels: std::array::from_fn(|f| values[1 + f] as u16),
                employer: values[5] as u32,
                base_pay: values[6],
            }
        })
        .collect();
    let numbers =
        |key: &str| -> Vec<f64> { reference[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect() };
    let number = |value: &serde_json::Value| value.as_f64().unwrap();

    let model = fit(&respondents, &Rules::default()).unwrap();
    for (name, factor) in FACTOR_NAMES.iter().zip(&model.factors) {
        let own: Vec<u16> =
            reference["own_levels"][name].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u16).collect();
        assert_eq!(factor.own, own, "{name}");
    }
    let columns: Vec<&str> = reference["columns"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(model.columns(), columns);
    let fit = &model.fit;
    assert_eq!(fit.n as u64, reference["nobs"].as_u64().unwrap());
    assert_eq!(fit.df as u64, reference["df_resid"].as_u64().unwrap());
    close(fit.s2, number(&reference["scale"]), 1e-12, "s²");
    close(fit.r_squared, number(&reference["rsquared"]), 1e-10, "R²");
    for (i, ((beta, expected), se)) in fit.coefficients.iter().zip(numbers("params")).zip(numbers("bse")).enumerate() {
        close(*beta, expected, 1e-9, columns[i]);
        close((fit.s2 * fit.unscaled_covariance[i][i]).sqrt(), se, 1e-9, &format!("se of {}", columns[i]));
        for (j, c) in reference["normalized_cov_params"][i].as_array().unwrap().iter().enumerate() {
            close(fit.unscaled_covariance[i][j], number(c), 1e-9, &format!("(XᵀX)⁻¹[{i}][{j}]"));
        }
    }
    for expected in reference["predictions"].as_array().unwrap() {
        let levels: Vec<u16> =
            expected["levels"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u16).collect();
        let profile = Profile { years: number(&expected["years"]), levels: std::array::from_fn(|f| levels[f]) };
        let log = model.estimate(&profile).unwrap().log;
        let at = format!("{profile:?}");
        close(log.fitted, number(&expected["mean"]), 1e-9, &at);
        close(log.se, number(&expected["mean_se"]), 1e-9, &at);
        close(log.mean_95.low, number(&expected["mean_ci_lower"]), 1e-7, &at);
        close(log.mean_95.high, number(&expected["mean_ci_upper"]), 1e-7, &at);
        close(log.individuals_80.low, number(&expected["obs_ci_lower"]), 1e-7, &at);
        close(log.individuals_80.high, number(&expected["obs_ci_upper"]), 1e-7, &at);
    }
}
