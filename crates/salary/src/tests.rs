use proptest::prelude::*;
use time::macros::date;

use super::*;

const CLOSED: Date = date!(2026 - 06 - 30);
const LATER: Date = date!(2026 - 10 - 01);

fn response(place: [u16; DIMENSIONS], employer: u32, base_pay: i64) -> Response {
    Response { place, employer, base_pay, total_pay: base_pay + base_pay / 10 }
}

fn release(responses: &[Response]) -> Release {
    build_release(responses, &Rules::default(), CLOSED, LATER).unwrap()
}

/// `n` respondents at one place, from the employers given in turn.
fn at(place: [u16; DIMENSIONS], employers: &[u32], n: usize, pay: i64) -> Vec<Response> {
    (0..n).map(|i| response(place, employers[i % employers.len()], pay + 1000 * i as i64)).collect()
}

#[test]
fn quartiles_interpolate_between_ranks_and_round_to_a_thousand() {
    let cases: [(&[i64], Quartiles); 4] = [
        (&[50_000, 60_000, 70_000, 80_000, 90_000], Quartiles { p25: 60_000, median: 70_000, p75: 80_000 }),
        // NumPy: percentile([61000, 72000, 90000, 100000], [25, 50, 75]) = 69250, 81000, 92500.
        (&[100_000, 61_000, 90_000, 72_000], Quartiles { p25: 69_000, median: 81_000, p75: 93_000 }),
        (&[75_400], Quartiles { p25: 75_000, median: 75_000, p75: 75_000 }),
        (&[80_000, 80_000, 120_000], Quartiles { p25: 80_000, median: 80_000, p75: 100_000 }),
    ];
    for (pays, expected) in cases {
        assert_eq!(quartiles(pays, 1000), expected, "{pays:?}");
    }
}

#[test]
fn a_cell_is_published_only_with_five_people_five_employers_and_nobody_over_a_quarter() {
    let place = [0, 0, 0, 0, 0];
    let cases: [(Vec<Response>, Option<Suppressed>); 5] = [
        (at(place, &[1, 2, 3, 4], 4, 70_000), Some(Suppressed::FewerThan5Respondents)),
        (at(place, &[1, 2, 3, 4], 5, 70_000), Some(Suppressed::FewerThan5Employers)),
        // Eight people, five employers, one of them three (37.5 %).
        (at(place, &[1, 1, 1, 2, 3, 4, 5, 6], 8, 70_000), Some(Suppressed::OneEmployerOver25Percent)),
        // Eight people, the largest employer two: exactly a quarter is allowed.
        (at(place, &[1, 1, 2, 2, 3, 4, 5, 6], 8, 70_000), None),
        (at(place, &[1, 2, 3, 4, 5], 5, 70_000), None),
    ];
    for (responses, expected) in cases {
        let answer = release(&responses).answer(&Cell::ALL);
        match expected {
            Some(rule) => assert_eq!(answer, Answer::Suppressed(rule), "{} responses", responses.len()),
            None => {
                let Answer::Published(figures) = answer else { panic!("published: {answer:?}") };
                assert_eq!(figures.respondents, responses.len());
                assert_eq!(
                    figures.base_pay,
                    quartiles(&responses.iter().map(|r| r.base_pay).collect::<Vec<_>>(), 1000)
                );
            }
        }
    }
    assert_eq!(
        release(&[]).answer(&Cell::ALL),
        Answer::Suppressed(Suppressed::FewerThan5Respondents),
        "an empty survey publishes nothing"
    );
}

#[test]
fn figures_are_released_only_three_months_after_the_survey_closed() {
    let responses = at([0; DIMENSIONS], &[1, 2, 3, 4, 5], 5, 70_000);
    let rules = Rules::default();
    assert_eq!(
        build_release(&responses, &rules, CLOSED, date!(2026 - 09 - 29)),
        Err(ReleaseError::TooRecent {
            closes_on: CLOSED,
            earliest: date!(2026 - 09 - 30),
            released_on: date!(2026 - 09 - 29)
        })
    );
    assert!(build_release(&responses, &rules, CLOSED, date!(2026 - 09 - 30)).is_ok());
}

#[test]
fn two_figures_that_differ_by_one_person_are_never_both_published() {
    // Every PE holder is a civil engineer, and every civil engineer but one holds a PE: "civil"
    // and "PE" would differ by that one person, though each passes the primary rules and
    // neither is the other's parent.
    let (civil, other, pe, none) = (0, 1, 0, 1);
    let employers: Vec<u32> = (1..=10).collect();
    let mut responses = at([civil, pe, 0, 0, 0], &employers, 10, 90_000);
    responses.push(response([civil, none, 0, 0, 0], 11, 61_000));
    responses.extend(at([other, none, 0, 0, 0], &employers, 10, 70_000));
    let release = release(&responses);
    let civil_cell = Cell([Some(civil), None, None, None, None]);
    let pe_cell = Cell([None, Some(pe), None, None, None]);
    let both = Cell([Some(civil), Some(pe), None, None, None]);
    let published = |cell: &Cell| matches!(release.answer(cell), Answer::Published(_));
    assert!(
        !(published(&civil_cell) && published(&pe_cell)),
        "civil ({:?}) and PE ({:?}) differ by one person",
        release.answer(&civil_cell),
        release.answer(&pe_cell)
    );
    assert!(!(published(&civil_cell) && published(&both)));
    let suppressed: Vec<Cell> = [civil_cell, pe_cell, both]
        .into_iter()
        .filter(|c| release.answer(c) == Answer::Suppressed(Suppressed::TooCloseToAnotherFigure))
        .collect();
    assert!(!suppressed.is_empty(), "the secondary rule says why");
    assert!(published(&Cell::ALL), "the whole survey (21 people, 11 employers) is published");
}

/// The respondents of a cell as a bitset over the responses.
fn members(cell: &Cell, responses: &[Response]) -> Vec<u64> {
    let mut bits = vec![0u64; responses.len().div_ceil(64)];
    for (i, r) in responses.iter().enumerate() {
        if cell.holds(r) {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
}

fn any_response() -> impl Strategy<Value = Response> {
    (
        proptest::array::uniform5(0u16..3),
        // Skewed: employer 0 is often dominant.
        prop_oneof![3 => Just(0u32), 7 => 0u32..25],
        40_000i64..200_000,
        0i64..30_000,
    )
        .prop_map(|(place, employer, base_pay, bonus)| Response {
            place,
            employer,
            base_pay,
            total_pay: base_pay + bonus,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// For random surveys: every published figure passes the primary rules and is what the
    /// responses give, no two published figures differ by 1 to 4 people, and every cell
    /// nobody published says why.
    #[test]
    fn no_published_figure_singles_anyone_out(responses in proptest::collection::vec(any_response(), 0..300)) {
        let release = release(&responses);
        let published: Vec<(Cell, Figures, Vec<u64>)> =
            release.published().map(|(c, f)| (*c, *f, members(c, &responses))).collect();
        for (cell, figures, bits) in &published {
            let mine: Vec<&Response> = responses.iter().filter(|r| cell.holds(r)).collect();
            let mut employers: HashMap<u32, usize> = HashMap::new();
            for r in &mine {
                *employers.entry(r.employer).or_default() += 1;
            }
            prop_assert!(mine.len() >= 5, "{cell:?}: {} respondents", mine.len());
            prop_assert!(employers.len() >= 5, "{cell:?}: {} employers", employers.len());
            prop_assert!(employers.values().all(|n| n * 4 <= mine.len()), "{cell:?}: an employer over 25 %");
            prop_assert_eq!(figures.respondents, mine.len());
            prop_assert_eq!(figures.employers, employers.len());
            prop_assert_eq!(figures.base_pay, quartiles(&mine.iter().map(|r| r.base_pay).collect::<Vec<_>>(), 1000));
            prop_assert_eq!(bits.iter().map(|w| w.count_ones() as usize).sum::<usize>(), mine.len());
        }
        for (i, (a, _, bits_a)) in published.iter().enumerate() {
            for (b, _, bits_b) in &published[i + 1..] {
                let differ: u32 = bits_a.iter().zip(bits_b).map(|(x, y)| (x ^ y).count_ones()).sum();
                prop_assert!(differ == 0 || differ >= 5, "{a:?} and {b:?} differ by {differ}");
            }
        }
        // Any question has an answer: published figures, or a rule.
        for (cell, answer) in release.cells() {
            if let Answer::Suppressed(Suppressed::TooCloseToAnotherFigure) = answer {
                prop_assert!(responses.iter().filter(|r| cell.holds(r)).count() >= 5);
            }
        }
    }
}
