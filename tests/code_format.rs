//! Property tests of the code format (domain/codes.rs, docs/codes.md): round trips, rejection of
//! every small alteration and of random strings, the PIN, and the forms people type or paste.
//! No database: the package key of package p is a fixed function of p, so every package id a
//! mutated code could decipher to counts as an existing package (stricter than real life).

use proptest::prelude::*;
use tessera::domain::codes::*;

const CIPHER_KEY: [u8; 32] = [0x5e; 32];
const BASE: &str = "https://scan.example.com";

fn package_key(package_id: i64) -> [u8; 32] {
    let mut key = [0xa7; 32];
    key[..8].copy_from_slice(&package_id.to_le_bytes());
    key
}

fn codec(cipher: &CodeCipher, package_id: i64) -> PackageCodec {
    cipher.package(package_id, &package_key(package_id))
}

/// Whether a server holding every package (each of MAX_CODES_PER_PACKAGE codes) would accept
/// `code`: it deciphers, its tag verifies under its package's key, and its serial is inside.
fn accepted(cipher: &CodeCipher, code: &str) -> bool {
    match cipher.decipher(code) {
        Ok(r) => codec(cipher, r.package_id).verify(&r) && r.serial <= MAX_CODES_PER_PACKAGE,
        Err(_) => false,
    }
}

fn well_formed(code: &str) -> bool {
    code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))
}

fn package_id() -> impl Strategy<Value = i64> {
    1..=MAX_PACKAGE_ID
}

fn serial() -> impl Strategy<Value = u32> {
    1..=MAX_CODES_PER_PACKAGE
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn codes_round_trip(key in any::<[u8; 32]>(), version in 0..=MAX_KEY_VERSION, package_id in package_id(), serial in serial()) {
        let cipher = CodeCipher::new(&key, version);
        let codec = cipher.package(package_id, &package_key(package_id));
        let code = codec.code(serial);
        prop_assert!(well_formed(&code), "{code}");
        prop_assert_eq!(key_version_of(&code), Ok(version));
        let r = cipher.decipher(&code).unwrap();
        prop_assert_eq!((r.key_version, r.package_id, r.serial), (version, package_id, serial));
        prop_assert!(codec.verify(&r));
        let mut bytes = [0u8; CODE_LEN];
        codec.code_into(serial, &mut bytes);
        prop_assert_eq!(&bytes[..], code.as_bytes());
    }

    #[test]
    fn batched_encoding_matches_one_by_one(package_id in package_id(), first in 1..=MAX_CODES_PER_PACKAGE - 40, len in 0usize..40) {
        let codec = codec(&CodeCipher::new(&CIPHER_KEY, 1), package_id);
        let mut out = vec![[0u8; CODE_LEN]; len];
        codec.codes_into(first, &mut out);
        for (i, code) in out.iter().enumerate() {
            prop_assert_eq!(code.to_vec(), codec.code(first + i as u32).into_bytes());
        }
    }

    #[test]
    fn codes_of_two_packages_or_two_serials_differ(a in package_id(), b in package_id(), s in serial(), t in serial()) {
        prop_assume!(a != b && s != t);
        let cipher = CodeCipher::new(&CIPHER_KEY, 1);
        let (ca, cb) = (codec(&cipher, a), codec(&cipher, b));
        prop_assert_ne!(ca.code(s), cb.code(s));
        prop_assert_ne!(ca.code(s), ca.code(t));
        // A genuine code of one package never verifies as another's.
        prop_assert!(!cb.verify(&cipher.decipher(&ca.code(s)).unwrap()));
    }

    #[test]
    fn the_key_version_must_match(package_id in package_id(), serial in serial()) {
        let (v1, v2) = (CodeCipher::new(&CIPHER_KEY, 1), CodeCipher::new(&CIPHER_KEY, 2));
        let code = codec(&v1, package_id).code(serial);
        prop_assert_eq!(v2.decipher(&code), Err(CodeError::Forged));
        prop_assert_ne!(code, codec(&v2, package_id).code(serial));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every substitution of one character by another symbol of the alphabet (19 × 31 + 31
    /// variants), every swap of two different adjacent characters, every truncation, every
    /// extension by one symbol and every deletion is rejected.
    #[test]
    fn every_small_alteration_is_rejected(package_id in package_id(), serial in serial()) {
        let cipher = CodeCipher::new(&CIPHER_KEY, 1);
        let code = codec(&cipher, package_id).code(serial).into_bytes();
        let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
        prop_assert!(accepted(&cipher, &text(&code)));
        for i in 0..CODE_LEN {
            for &symbol in ALPHABET.iter().filter(|&&s| s != code[i]) {
                let mut changed = code.clone();
                changed[i] = symbol;
                prop_assert!(!accepted(&cipher, &text(&changed)), "substitution at {}: {}", i, text(&changed));
            }
            let mut deleted = code.clone();
            deleted.remove(i);
            prop_assert_eq!(cipher.decipher(&text(&deleted)), Err(CodeError::Format));
        }
        for i in 0..CODE_LEN - 1 {
            if code[i] != code[i + 1] {
                let mut swapped = code.clone();
                swapped.swap(i, i + 1);
                prop_assert!(!accepted(&cipher, &text(&swapped)), "swap at {}: {}", i, text(&swapped));
            }
        }
        for len in 0..CODE_LEN {
            prop_assert_eq!(cipher.decipher(&text(&code[..len])), Err(CodeError::Format));
        }
        for &symbol in ALPHABET {
            let mut longer = code.clone();
            longer.push(symbol);
            prop_assert_eq!(cipher.decipher(&text(&longer)), Err(CodeError::Format));
            longer.rotate_right(1);
            prop_assert_eq!(cipher.decipher(&text(&longer)), Err(CodeError::Format));
        }
        // Lower case is not the canonical form (people's input goes through parse_input).
        if code.iter().any(u8::is_ascii_alphabetic) {
            prop_assert_eq!(cipher.decipher(&text(&code).to_ascii_lowercase()), Err(CodeError::Format));
        }
    }

    #[test]
    fn random_well_formed_strings_are_rejected(symbols in proptest::collection::vec(0usize..32, CODE_LEN)) {
        let cipher = CodeCipher::new(&CIPHER_KEY, symbols[0] as u8);
        let code: String = symbols.iter().map(|&s| ALPHABET[s] as char).collect();
        prop_assert!(!accepted(&cipher, &code), "{code}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        let cipher = CodeCipher::new(&CIPHER_KEY, 1);
        let _ = key_version_of(&input);
        if let Ok(r) = cipher.decipher(&input) {
            let _ = codec(&cipher, r.package_id).verify(&r);
        }
        if let Some(code) = parse_input(&input) {
            prop_assert!(well_formed(&code));
        }
        if let Some((package_id, serial)) = parse_serial(&input) {
            prop_assert!((1..=MAX_PACKAGE_ID).contains(&package_id) && (1..=MAX_CODES_PER_PACKAGE).contains(&serial));
        }
    }

    #[test]
    fn near_codes_never_panic(input in "[0-9A-Za-z/:.?#-]{18,22}") {
        let cipher = CodeCipher::new(&CIPHER_KEY, 1);
        let _ = cipher.decipher(&input);
        let _ = parse_input(&input);
    }

    #[test]
    fn serials_print_and_parse_back(package_id in package_id(), serial in serial()) {
        let printed = format_serial(package_id, serial);
        prop_assert_eq!(printed.split_once('-').map(|(p, s)| (p.to_string(), s.len())), Some((package_id.to_string(), 8)));
        prop_assert_eq!(parse_serial(&printed), Some((package_id, serial)));
        prop_assert_eq!(parse_serial(&format!("  {printed}\n")), Some((package_id, serial)));
        // A serial is never taken for a code, whatever the separators.
        prop_assert_eq!(parse_input(&printed), None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn pins_have_the_requested_digits(package_id in package_id(), serial in serial(), digits in 4u8..=8) {
        let codec = codec(&CodeCipher::new(&CIPHER_KEY, 1), package_id);
        let pin = codec.pin(serial, digits);
        prop_assert_eq!(pin.len(), digits as usize);
        prop_assert!(pin.bytes().all(|b| b.is_ascii_digit()));
        prop_assert_eq!(&pin, &codec.pin(serial, digits));
    }

    #[test]
    fn pasted_and_typed_forms_are_read(package_id in package_id(), serial in serial()) {
        let code = codec(&CodeCipher::new(&CIPHER_KEY, 1), package_id).code(serial);
        let url = scan_url(BASE, &code);
        prop_assert_eq!(&url, &format!("{BASE}/s/{code}"));
        prop_assert_eq!(scan_url(&format!("{BASE}/"), &code), url.clone());
        let qr = qr_text(BASE, &code);
        prop_assert_eq!(&qr, &url.to_ascii_uppercase());
        // QR alphanumeric mode: digits, capitals and ` $%*+-./:` only.
        prop_assert!(qr.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)));
        let grouped: String = code.chars().enumerate().flat_map(|(i, c)| (i > 0 && i % 4 == 0).then_some('-').into_iter().chain([c])).collect();
        for input in [
            code.clone(),
            format!("  {code}\t"),
            code.to_ascii_lowercase(),
            grouped,
            url.clone(),
            qr,
            format!("{url}?from=wechat#top"),
            format!("{url}/"),
            format!(" {BASE}/s/{} ", code.to_ascii_lowercase()),
        ] {
            prop_assert_eq!(parse_input(&input), Some(code.clone()), "{}", input);
        }
        prop_assert_eq!(parse_input(&code[1..]), None);
        prop_assert_eq!(parse_input(&format!("{code}0")), None);
        prop_assert_eq!(parse_input(&format!("{BASE}/p/x/{code}")), None);
    }
}

#[test]
fn look_alike_letters_read_as_digits() {
    let code = codec(&CodeCipher::new(&CIPHER_KEY, 1), 77).code(5);
    let with_zero_and_one = code.replace('0', "o").replace('1', "l");
    assert_eq!(parse_input(&with_zero_and_one), Some(code.clone()));
    assert_eq!(parse_input(&code.replace('1', "I")), Some(code));
    assert_eq!(parse_input("U".repeat(CODE_LEN).as_str()), None);
}

#[test]
fn serial_parsing_refuses_what_is_not_a_serial() {
    for input in [
        "",
        "-",
        "1-",
        "-1",
        "0-00000001",
        "1-00000000",
        "1-20000001",
        "1073741824-1",
        "+1-1",
        "1-+1",
        "1--1",
        "1-1-1",
        "a-1",
        "1 - 1",
        "１-1",
    ] {
        assert_eq!(parse_serial(input), None, "{input}");
    }
    assert_eq!(parse_serial("1073741823-20000000"), Some((MAX_PACKAGE_ID, MAX_CODES_PER_PACKAGE)));
    assert_eq!(format_serial(12, 34), "12-00000034");
}

#[test]
fn batch_passwords_are_sixteen_symbols_and_differ_per_batch() {
    let codec = codec(&CodeCipher::new(&CIPHER_KEY, 1), 3);
    let passwords: Vec<String> = (1..=100).map(|b| codec.batch_password(b)).collect();
    for p in &passwords {
        assert!(p.len() == 16 && p.bytes().all(|b| ALPHABET.contains(&b)), "{p}");
    }
    let mut unique = passwords.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), passwords.len());
    assert_eq!(codec.batch_password(1), passwords[0]);
}

/// Consecutive serials give codes whose every position is spread evenly over the alphabet:
/// nothing in a code follows the serial (expected 100 per symbol; bounds ≈ 5 standard deviations).
#[test]
fn consecutive_codes_look_uniform() {
    let codec = codec(&CodeCipher::new(&CIPHER_KEY, 1), 1);
    let mut codes = vec![[0u8; CODE_LEN]; 3200];
    codec.codes_into(1, &mut codes);
    for position in 1..CODE_LEN {
        let mut counts = [0u32; 32];
        for code in &codes {
            counts[ALPHABET.iter().position(|&s| s == code[position]).unwrap()] += 1;
        }
        assert!(counts.iter().all(|&n| (50..=150).contains(&n)), "position {position}: {counts:?}");
    }
}
