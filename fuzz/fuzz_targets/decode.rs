//! Arbitrary input to everything that reads a code or a serial: none of it may panic, and what
//! is accepted must be consistent (a verified code re-encodes to itself, a parsed serial prints
//! back to a parsable serial).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera::domain::codes::{format_serial, key_version_of, parse_input, parse_serial, CodeCipher, CodeError, CODE_LEN, MAX_PACKAGE_ID};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let version = key_version_of(&text);
    // A cipher of the code's own version, so well-formed input reaches the Feistel network.
    let cipher = CodeCipher::new(&[0x5e; 32], version.unwrap_or(1));
    match cipher.decipher(&text) {
        Ok(code_ref) => {
            assert!(text.len() == CODE_LEN && version == Ok(code_ref.key_version));
            assert!((1..=MAX_PACKAGE_ID).contains(&code_ref.package_id));
            let mut key = [0xa7; 32];
            key[..8].copy_from_slice(&code_ref.package_id.to_le_bytes());
            let codec = cipher.package(code_ref.package_id, &key);
            if codec.verify(&code_ref) {
                assert_eq!(codec.code(code_ref.serial), text);
            }
        }
        Err(CodeError::Format) => assert!(version.is_err()),
        Err(CodeError::Forged) => assert!(version.is_ok()),
    }
    if let Some(code) = parse_input(&text) {
        assert!(key_version_of(&code).is_ok());
    }
    if let Some((package_id, serial)) = parse_serial(&text) {
        assert_eq!(parse_serial(&format_serial(package_id, serial)), Some((package_id, serial)));
    }
});
