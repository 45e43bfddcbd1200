//! Release benchmark (no criterion, `harness = false`): a survey of generated responses over
//! the plan's dimensions (19 disciplines, 4 licence classes, 7 experience bands, 11 regions,
//! 7 sectors), 2,000 employers of skewed sizes, built into a release (`build_release`), and
//! every cell's answer read back. The release is built once, when staff release a closed
//! survey; the benchmark page reads stored cells, so this times the release step, not a page.
//!
//! Run: `cargo bench -p guildhall-salary` (`SALARY_BENCH_RESPONSES=100000` by default).

use std::hint::black_box;
use std::time::Instant;

use guildhall_salary::{Answer, Response, Rules, build_release};
use time::macros::date;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let n: usize = std::env::var("SALARY_BENCH_RESPONSES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let sizes = [19u64, 4, 7, 11, 7];
    let mut rng = Rng(0x5EED_CAFE);
    let responses: Vec<Response> = (0..n)
        .map(|_| {
            let mut place = [0u16; 5];
            for (d, size) in sizes.iter().enumerate() {
                // Skewed: low values are commoner, as civil engineers and the big regions are.
                let a = rng.below(*size);
                let b = rng.below(*size);
                place[d] = a.min(b) as u16;
            }
            // Employers: a few large, many small.
            let employer = (rng.below(2000) * rng.below(2000) / 2000) as u32;
            let base_pay = 55_000 + rng.below(120_000) as i64;
            Response { place, employer, base_pay, total_pay: base_pay + rng.below(20_000) as i64 }
        })
        .collect();
    let started = Instant::now();
    let release =
        build_release(&responses, &Rules::default(), date!(2026 - 06 - 30), date!(2026 - 10 - 01)).expect("released");
    let built = started.elapsed();
    let (mut cells, mut published) = (0usize, 0usize);
    let started = Instant::now();
    for (cell, _) in release.cells() {
        cells += 1;
        if let Answer::Published(_) = black_box(release.answer(cell)) {
            published += 1;
        }
    }
    let read = started.elapsed();
    println!(
        "build_release: {n} responses -> {cells} cells ({published} published) in {:.2} s; \
         every cell answered in {:.1} ms ({:.2} µs each)",
        built.as_secs_f64(),
        read.as_secs_f64() * 1000.0,
        read.as_secs_f64() * 1e6 / cells.max(1) as f64
    );
}
