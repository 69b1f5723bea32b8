//! Code throughput on one thread (`cargo bench --bench codes`): verifications per second (what a
//! scan costs before any database work) and encodings per second (what file generation costs
//! before writing). Each figure is the median of several runs. Target: ≥ 1,000,000
//! verifications/s on one core.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;
use tessera::domain::codes::{CodeCipher, PackageCodec, CODE_LEN, MAX_CODES_PER_PACKAGE};

const PACKAGES: i64 = 16;
const CODES_PER_PACKAGE: u32 = 65_536;
const RUNS: usize = 7;

/// Runs `work` (which handles `n` items) `RUNS` times and returns the median items per second.
fn median_rate(n: usize, mut work: impl FnMut()) -> f64 {
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            work();
            n as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[RUNS / 2]
}

fn main() {
    let cipher = CodeCipher::new(&[0x5e; 32], 1);
    // The server's package cache: package id → codec.
    let packages: HashMap<i64, PackageCodec> = (1..=PACKAGES)
        .map(|p| {
            let mut key = [0xa7; 32];
            key[0] = p as u8;
            (p, cipher.package(p, &key))
        })
        .collect();
    // Codes of all packages interleaved, serials spread over the package range.
    let step = MAX_CODES_PER_PACKAGE / CODES_PER_PACKAGE;
    let codes: Vec<String> =
        (0..CODES_PER_PACKAGE).flat_map(|i| (1..=PACKAGES).map(move |p| (p, 1 + i * step))).map(|(p, s)| packages[&p].code(s)).collect();

    let verifications = median_rate(codes.len(), || {
        let mut genuine = 0usize;
        for code in &codes {
            let Ok(code_ref) = cipher.decipher(black_box(code)) else { continue };
            let Some(codec) = packages.get(&code_ref.package_id) else { continue };
            genuine += usize::from(code_ref.serial <= MAX_CODES_PER_PACKAGE && codec.verify(&code_ref));
        }
        assert_eq!(genuine, codes.len());
    });
    println!("verify (decipher + package lookup + tag check): {:>12.0} codes/s", verifications);

    let codec = &packages[&1];
    let n = 1_000_000u32;
    let one_by_one = median_rate(n as usize, || {
        let mut out = [0u8; CODE_LEN];
        for serial in 1..=n {
            codec.code_into(black_box(serial), &mut out);
            black_box(&out);
        }
    });
    println!("encode one by one (code_into):                  {:>12.0} codes/s", one_by_one);

    let mut buffer = vec![[0u8; CODE_LEN]; 4096];
    let batched = median_rate(n as usize, || {
        for first in (1..=n).step_by(buffer.len()) {
            codec.codes_into(black_box(first), &mut buffer);
            black_box(&buffer);
        }
    });
    println!("encode in batches (codes_into):                 {:>12.0} codes/s", batched);

    let pins = median_rate(n as usize, || {
        for serial in 1..=n {
            black_box(codec.pin(black_box(serial), 6));
        }
    });
    println!("6-digit PIN (pin):                              {:>12.0} codes/s", pins);
}
