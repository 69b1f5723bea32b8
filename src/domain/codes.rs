//! The codes themselves: format, derivation and verification (docs/codes.md).
//!
//! A code is 20 characters of Crockford base32: one character of key version, in clear, then
//! 95 enciphered bits. The plaintext is package id (30 bits) ‖ serial (25 bits) ‖ tag (40 bits):
//! the tag is a truncated AES-256 MAC under the package key, and the 95 bits are enciphered with
//! a keyed pseudorandom permutation (an FF1-style Feistel network whose round function is
//! AES-256 under the key version's cipher key). Codes are computed, never stored; a scanned
//! string is deciphered and checked by computation plus one (cached) lookup of its package.
//!
//! This module only takes raw 32-byte keys; deriving them from the master secrets is the
//! server's business (`server/code_keys.rs`). It stays pure so the browser can compile it.

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use aes::Aes256Enc;
use std::sync::Arc;

/// Crockford base32: digits and capitals without I, L, O and U.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code: key version + 19 characters of ciphertext.
pub const CODE_LEN: usize = 20;
/// The largest package (the serial field holds 25 bits, so this leaves room).
pub const MAX_CODES_PER_PACKAGE: u32 = 20_000_000;
/// Package ids are enciphered in 30 bits.
pub const MAX_PACKAGE_ID: i64 = (1 << 30) - 1;
/// Key versions are one character of the alphabet.
pub const MAX_KEY_VERSION: u8 = 31;

const SERIAL_BITS: u32 = 25;
const TAG_BITS: u32 = 40;
/// The largest serial the format can carry (the package limit is lower).
const MAX_SERIAL: u32 = (1 << SERIAL_BITS) - 1;
/// The 95 enciphered bits split into halves of 47 (left) and 48 (right) bits, as FF1 splits
/// an odd length: u = ⌊n/2⌋, v = n − u.
const LEFT_BITS: u32 = 47;
const RIGHT_BITS: u32 = 48;
/// Rounds of the Feistel network (FF1 uses 10).
const ROUNDS: u8 = 10;
/// Codes enciphered side by side by [`PackageCodec::codes_into`]: AES-NI pipelines this many
/// independent blocks about as fast as one.
const LANES: usize = 8;

/// Domain labels: every AES block starts with one, so no two uses of a key ever encrypt the same
/// block (Feistel rounds under the cipher key; tag, PIN and ZIP password under a package key).
const LABEL_ROUND: u8 = b'F';
const LABEL_TAG: u8 = b'T';
const LABEL_PIN: u8 = b'P';
const LABEL_ZIP: u8 = b'Z';

/// Why a string is not a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Not 20 characters of the alphabet.
    Format,
    /// Well formed, but no code this key version ever issued (other version, impossible
    /// package or serial). A wrong tag is caught later by [`PackageCodec::verify`].
    Forged,
}

/// What a code deciphers to. Only [`PackageCodec::verify`] says whether it is genuine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeRef {
    pub key_version: u8,
    pub package_id: i64,
    pub serial: u32,
    tag: u64,
}

/// Character → 5-bit value, 0xFF for anything outside the alphabet (lower case included: the
/// canonical form is upper case; [`parse_input`] normalises what people type).
const DECODE: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 32 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The 95-bit body of a well-formed code and its key version, or `Format`.
fn decode(code: &[u8]) -> Result<(u8, u128), CodeError> {
    if code.len() != CODE_LEN {
        return Err(CodeError::Format);
    }
    let version = DECODE[code[0] as usize];
    // OR of all values: any 0xFF marks a character outside the alphabet.
    let mut bad = version;
    let mut body = 0u128;
    for &c in &code[1..] {
        let v = DECODE[c as usize];
        bad |= v;
        body = body << 5 | (v & 31) as u128;
    }
    if bad & 0xE0 != 0 {
        return Err(CodeError::Format);
    }
    Ok((version, body))
}

fn encode(version: u8, body: u128, out: &mut [u8; CODE_LEN]) {
    out[0] = ALPHABET[version as usize & 31];
    for (k, c) in out[1..].iter_mut().enumerate() {
        *c = ALPHABET[(body >> (5 * (18 - k))) as usize & 31];
    }
}

/// The key version of a well-formed code (its first character), or `Format`.
pub fn key_version_of(code: &str) -> Result<u8, CodeError> {
    decode(code.as_bytes()).map(|(version, _)| version)
}

const fn mask(bits: u32) -> u64 {
    (1 << bits) - 1
}

/// A block of the given label holding two numbers.
fn block(label: u8, a: u64, b: u64) -> [u8; 16] {
    let mut block = [0u8; 16];
    block[..8].copy_from_slice(&(a << 8 | label as u64).to_le_bytes());
    block[8..].copy_from_slice(&b.to_le_bytes());
    block
}

fn aes(key: &Aes256Enc, block: [u8; 16]) -> u64 {
    let mut block = GenericArray::from(block);
    key.encrypt_block(&mut block);
    u64::from_le_bytes(block[..8].try_into().expect("8 bytes"))
}

/// One key version's outer permutation of the 95-bit code body.
#[derive(Clone)]
pub struct CodeCipher {
    /// Shared by every [`PackageCodec`] of this version (a key schedule is ~1 KB).
    key: Arc<Aes256Enc>,
    version: u8,
}

impl CodeCipher {
    /// The cipher of key version `version` (0..=31) with its 32-byte cipher key.
    pub fn new(key: &[u8; 32], version: u8) -> CodeCipher {
        assert!(version <= MAX_KEY_VERSION, "key version {version} does not fit one character");
        CodeCipher { key: Arc::new(Aes256Enc::new(key.into())), version }
    }

    pub fn version(&self) -> u8 {
        self.version
    }

    /// The Feistel round function: AES of (label, round, half), truncated by the caller.
    fn round(&self, round: u8, half: u64) -> u64 {
        aes(&self.key, block(LABEL_ROUND, round as u64, half))
    }

    fn encipher(&self, plain: u128) -> u128 {
        let (mut a, mut b) = ((plain >> RIGHT_BITS) as u64, plain as u64 & mask(RIGHT_BITS));
        for i in 0..ROUNDS {
            let m = if i % 2 == 0 { LEFT_BITS } else { RIGHT_BITS };
            let c = a ^ (self.round(i, b) & mask(m));
            (a, b) = (b, c);
        }
        (a as u128) << RIGHT_BITS | b as u128
    }

    fn decipher_body(&self, body: u128) -> u128 {
        let (mut a, mut b) = ((body >> RIGHT_BITS) as u64, body as u64 & mask(RIGHT_BITS));
        for i in (0..ROUNDS).rev() {
            let m = if i % 2 == 0 { LEFT_BITS } else { RIGHT_BITS };
            let c = b ^ (self.round(i, a) & mask(m));
            (a, b) = (c, a);
        }
        (a as u128) << RIGHT_BITS | b as u128
    }

    /// Package and serial of a code of this key version. Strict: exactly 20 characters of the
    /// upper-case alphabet. `Forged` for another key version or a plaintext no package can have;
    /// the tag is checked by [`PackageCodec::verify`] once the package is known.
    pub fn decipher(&self, code: &str) -> Result<CodeRef, CodeError> {
        let (version, body) = decode(code.as_bytes())?;
        if version != self.version {
            return Err(CodeError::Forged);
        }
        let plain = self.decipher_body(body);
        let package_id = (plain >> (SERIAL_BITS + TAG_BITS)) as i64;
        let serial = (plain >> TAG_BITS) as u32 & MAX_SERIAL;
        if package_id == 0 || serial == 0 || serial > MAX_CODES_PER_PACKAGE {
            return Err(CodeError::Forged);
        }
        Ok(CodeRef { key_version: version, package_id, serial, tag: plain as u64 & mask(TAG_BITS) })
    }

    /// Everything to encode and check the codes of one package, given its package key.
    /// Panics if `package_id` is outside 1..=[`MAX_PACKAGE_ID`].
    pub fn package(&self, package_id: i64, package_key: &[u8; 32]) -> PackageCodec {
        assert!((1..=MAX_PACKAGE_ID).contains(&package_id), "package id {package_id} does not fit a code");
        PackageCodec { cipher: self.clone(), key: Aes256Enc::new(package_key.into()), package_id }
    }
}

/// One package's codes: encoding, tag check, PINs and batch passwords.
#[derive(Clone)]
pub struct PackageCodec {
    cipher: CodeCipher,
    key: Aes256Enc,
    package_id: i64,
}

/// Names the key, never shows it.
impl core::fmt::Debug for CodeCipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CodeCipher").field("version", &self.version).finish_non_exhaustive()
    }
}

impl core::fmt::Debug for PackageCodec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PackageCodec").field("version", &self.cipher.version).field("package_id", &self.package_id).finish_non_exhaustive()
    }
}

impl PackageCodec {
    pub fn package_id(&self) -> i64 {
        self.package_id
    }

    fn tag(&self, serial: u32) -> u64 {
        aes(&self.key, block(LABEL_TAG, self.package_id as u64, serial as u64)) & mask(TAG_BITS)
    }

    fn plaintext(&self, serial: u32, tag: u64) -> u128 {
        assert!((1..=MAX_SERIAL).contains(&serial), "serial {serial} does not fit a code");
        (self.package_id as u128) << (SERIAL_BITS + TAG_BITS) | (serial as u128) << TAG_BITS | tag as u128
    }

    /// The code string of `serial` (1..=2^25−1; callers keep it within the package).
    pub fn code(&self, serial: u32) -> String {
        let mut out = [0u8; CODE_LEN];
        self.code_into(serial, &mut out);
        String::from_utf8(out.to_vec()).expect("the alphabet is ASCII")
    }

    /// [`Self::code`] without allocating.
    pub fn code_into(&self, serial: u32, out: &mut [u8; CODE_LEN]) {
        let body = self.cipher.encipher(self.plaintext(serial, self.tag(serial)));
        encode(self.cipher.version, body, out);
    }

    /// The codes of `first_serial`, `first_serial + 1`, … into `out`, as [`Self::code_into`]
    /// would write them, several at a time (AES-NI pipelines independent blocks): the hot path of
    /// file generation.
    pub fn codes_into(&self, first_serial: u32, out: &mut [[u8; CODE_LEN]]) {
        for (n, chunk) in out.chunks_mut(LANES).enumerate() {
            let first = first_serial + (n * LANES) as u32;
            let lanes = chunk.len();
            let mut blocks = [GenericArray::from([0u8; 16]); LANES];
            let blocks = &mut blocks[..lanes];
            for (i, b) in blocks.iter_mut().enumerate() {
                *b = GenericArray::from(block(LABEL_TAG, self.package_id as u64, (first + i as u32) as u64));
            }
            self.key.encrypt_blocks(blocks);
            let (mut a, mut b) = ([0u64; LANES], [0u64; LANES]);
            for i in 0..lanes {
                let tag = u64::from_le_bytes(blocks[i][..8].try_into().expect("8 bytes")) & mask(TAG_BITS);
                let plain = self.plaintext(first + i as u32, tag);
                (a[i], b[i]) = ((plain >> RIGHT_BITS) as u64, plain as u64 & mask(RIGHT_BITS));
            }
            for round in 0..ROUNDS {
                let m = if round % 2 == 0 { LEFT_BITS } else { RIGHT_BITS };
                for i in 0..lanes {
                    blocks[i] = GenericArray::from(block(LABEL_ROUND, round as u64, b[i]));
                }
                self.cipher.key.encrypt_blocks(blocks);
                for i in 0..lanes {
                    let f = u64::from_le_bytes(blocks[i][..8].try_into().expect("8 bytes"));
                    (a[i], b[i]) = (b[i], a[i] ^ (f & mask(m)));
                }
            }
            for i in 0..lanes {
                encode(self.cipher.version, (a[i] as u128) << RIGHT_BITS | b[i] as u128, &mut chunk[i]);
            }
        }
    }

    /// Whether a deciphered code is one of this package's: same key version and package, and
    /// the tag matches (compared without early exit). The caller checks the serial against
    /// the package's code count.
    pub fn verify(&self, code_ref: &CodeRef) -> bool {
        let same = code_ref.key_version == self.cipher.version && code_ref.package_id == self.package_id;
        let diff = self.tag(code_ref.serial) ^ code_ref.tag;
        same & (core::hint::black_box(diff) == 0)
    }

    /// The anti-counterfeit PIN of `serial`: `digits` decimal digits (zero-padded; at most 18,
    /// none for 0), derived from the package key.
    pub fn pin(&self, serial: u32, digits: u8) -> String {
        let digits = digits.min(18);
        if digits == 0 {
            return String::new();
        }
        let value = aes(&self.key, block(LABEL_PIN, self.package_id as u64, serial as u64)) % 10u64.pow(digits as u32);
        format!("{value:0width$}", width = digits as usize)
    }

    /// The password of batch `batch_no`'s ZIP file: 16 characters of the alphabet (80 bits).
    pub fn batch_password(&self, batch_no: u32) -> String {
        let mut block = GenericArray::from(block(LABEL_ZIP, self.package_id as u64, batch_no as u64));
        self.key.encrypt_block(&mut block);
        let bits = u128::from_le_bytes(block.into());
        (0..16).map(|k| ALPHABET[(bits >> (5 * k)) as usize & 31] as char).collect()
    }
}

/// A code typed or pasted by a person: trims, accepts a full scan URL (`…/s/<code>` or
/// `…/S/<code>`, query and fragment ignored), drops spaces and hyphens, upper-cases and reads
/// Crockford's look-alikes (O as 0, I and L as 1). Some only if the result has the code format.
pub fn parse_input(input: &str) -> Option<String> {
    let mut text = input.trim();
    if let Some(at) = [text.rfind("/s/"), text.rfind("/S/")].into_iter().flatten().max() {
        text = &text[at + 3..];
        text = text.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    }
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    decode(code.as_bytes()).is_ok().then_some(code)
}

/// The printable serial of a code for factory operations: `"{package_id}-{serial:08}"`.
pub fn format_serial(package_id: i64, serial: u32) -> String {
    format!("{package_id}-{serial:08}")
}

/// Reads [`format_serial`]'s form back (surrounding spaces allowed): a package id in
/// 1..=[`MAX_PACKAGE_ID`] and a serial in 1..=[`MAX_CODES_PER_PACKAGE`].
pub fn parse_serial(input: &str) -> Option<(i64, u32)> {
    let (package, serial) = input.trim().split_once('-')?;
    let number =
        |s: &str| (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<i64>().ok()).flatten();
    let (package, serial) = (number(package)?, number(serial)?);
    ((1..=MAX_PACKAGE_ID).contains(&package) && (1..=MAX_CODES_PER_PACKAGE as i64).contains(&serial)).then_some((package, serial as u32))
}

/// The scan URL of a code: `{base}/s/{code}` (a trailing slash of `base` is ignored).
pub fn scan_url(base: &str, code: &str) -> String {
    format!("{}/s/{code}", base.trim_end_matches('/'))
}

/// The scan URL in capitals, for a QR code's alphanumeric mode (smaller than byte mode).
pub fn qr_text(base: &str, code: &str) -> String {
    scan_url(base, code).to_ascii_uppercase()
}

/// The serial ranges of a package's batches (files): `files` contiguous ranges covering
/// 1..=count, as even as possible (the first `count % files` batches hold one more code).
/// Pure, so the batch of any serial is computed rather than looked up.
pub fn batch_ranges(count: u32, files: u32) -> Vec<(u32, u32)> {
    let files = files.clamp(1, count.max(1));
    let (size, extra) = (count / files, count % files);
    let mut start = 1;
    (0..files)
        .map(|i| {
            let len = size + u32::from(i < extra);
            let range = (start, start + len - 1);
            start += len;
            range
        })
        .collect()
}

/// The 1-based batch holding `serial`, if the serial is in the package.
pub fn batch_of(count: u32, files: u32, serial: u32) -> Option<u32> {
    if serial == 0 || serial > count {
        return None;
    }
    let files = files.clamp(1, count);
    let (size, extra) = (count / files, count % files);
    let big = extra * (size + 1);
    Some(if serial <= big { (serial - 1) / (size + 1) + 1 } else { extra + (serial - big - 1) / size + 1 })
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    #[test]
    fn batches_cover_the_package_evenly_and_batch_of_agrees() {
        for (count, files) in [(1, 1), (10, 3), (10, 10), (20_000_000, 7), (99, 100)] {
            let ranges = batch_ranges(count, files);
            assert_eq!(ranges.first().unwrap().0, 1);
            assert_eq!(ranges.last().unwrap().1, count);
            for w in ranges.windows(2) {
                assert_eq!(w[0].1 + 1, w[1].0);
            }
            for (i, (a, b)) in ranges.iter().enumerate() {
                assert_eq!(batch_of(count, files, *a), Some(i as u32 + 1));
                assert_eq!(batch_of(count, files, *b), Some(i as u32 + 1));
            }
        }
        assert_eq!(batch_of(10, 3, 0), None);
        assert_eq!(batch_of(10, 3, 11), None);
    }
}
