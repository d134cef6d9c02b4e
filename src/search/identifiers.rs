//! Identifiers found in text, validated where their format has a check: phone numbers (normalised
//! to E.164 with the `phonenumber` crate and a default region), e-mail addresses, URLs, IBANs
//! (ISO 13616 mod-97), payment cards (Luhn; kept masked), Bitcoin (Base58Check and Bech32/Bech32m),
//! Ethereum (EIP-55 mixed-case checksum), TRON (Base58Check, prefix 0x41) and Monero (Monero
//! Base58 with its Keccak checksum) addresses, and messenger handles.
//!
//! Every identifier goes to the `identifiers` layer for linking people across devices; only those
//! that pass their check are reported as valid, so a mistyped IBAN is never presented as one.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sha3::Keccak256;

/// Kinds of identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdKind {
    /// Phone number (value in E.164).
    Phone,
    /// E-mail address (lower-cased).
    Email,
    /// URL.
    Url,
    /// IBAN (upper-case, no spaces).
    Iban,
    /// Payment card (value masked: first 6 and last 4 digits).
    Card,
    /// Bitcoin address.
    Btc,
    /// Ethereum address.
    Eth,
    /// TRON address.
    Tron,
    /// Monero address.
    Xmr,
    /// Messenger handle (`@name`).
    Handle,
}

/// One identifier found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Kind.
    pub kind: IdKind,
    /// Normalised value (cards masked).
    pub value: String,
    /// Byte span in the text.
    pub span: (usize, usize),
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| panic!("built-in pattern {pattern}: {e}")))
}

/// ISO 13616: country code, check digits, then mod 97 of the rearranged number equals 1.
pub fn iban_valid(iban: &str) -> bool {
    let s: String = iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if !(15..=34).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let b = s.as_bytes();
    if !b[0].is_ascii_alphabetic() || !b[1].is_ascii_alphabetic() || !b[2].is_ascii_digit() || !b[3].is_ascii_digit() {
        return false;
    }
    let rearranged = s[4..].chars().chain(s[..4].chars());
    let mut rem: u32 = 0;
    for c in rearranged {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// Luhn check of a card number (13 to 19 digits).
pub fn luhn_valid(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter(|c| c.is_ascii_digit()).filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || number.chars().any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-')) {
        return false;
    }
    let sum: u32 = digits.iter().rev().enumerate().map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }).sum();
    sum.is_multiple_of(10)
}

/// A card number as stored: first six and last four digits.
pub fn mask_card(number: &str) -> String {
    let d: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    if d.len() < 12 {
        return "*".repeat(d.len());
    }
    format!("{}{}{}", &d[..6], "*".repeat(d.len() - 10), &d[d.len() - 4..])
}

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn b58_decode(s: &str) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    for c in s.bytes() {
        let mut carry = B58.iter().position(|&x| x == c)? as u32;
        for b in out.iter_mut().rev() {
            carry += (*b as u32) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut v = vec![0u8; zeros];
    v.extend(out);
    Some(v)
}

fn base58check(s: &str) -> Option<Vec<u8>> {
    let raw = b58_decode(s)?;
    if raw.len() < 5 {
        return None;
    }
    let (payload, check) = raw.split_at(raw.len() - 4);
    let h = Sha256::digest(Sha256::digest(payload));
    (h[..4] == *check).then(|| payload.to_vec())
}

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v as u32;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn bech32_valid(addr: &str) -> bool {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let lower = addr.to_lowercase();
    if addr != lower && addr != addr.to_uppercase() {
        return false;
    }
    let Some(pos) = lower.rfind('1') else { return false };
    let (hrp, data) = (&lower[..pos], &lower[pos + 1..]);
    if hrp != "bc" || data.len() < 6 {
        return false;
    }
    let Some(values) = data.bytes().map(|c| CHARSET.iter().position(|&x| x == c).map(|p| p as u8)).collect::<Option<Vec<u8>>>() else { return false };
    let mut v: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    v.push(0);
    v.extend(hrp.bytes().map(|c| c & 31));
    v.extend(&values);
    let pm = bech32_polymod(&v);
    // Bech32 (witness v0) or Bech32m (v1+).
    let witness = values.first().copied().unwrap_or(99);
    (witness == 0 && pm == 1) || (witness > 0 && witness <= 16 && pm == 0x2bc830a3)
}

/// Bitcoin: legacy (`1…`, `3…`) Base58Check or SegWit (`bc1…`) Bech32/Bech32m.
pub fn btc_valid(addr: &str) -> bool {
    if addr.to_lowercase().starts_with("bc1") {
        return bech32_valid(addr);
    }
    matches!(base58check(addr), Some(p) if p.len() == 21 && (p[0] == 0x00 || p[0] == 0x05))
}

/// Ethereum: 40 hex digits; mixed case must match the EIP-55 checksum.
pub fn eth_valid(addr: &str) -> bool {
    let Some(hex) = addr.strip_prefix("0x").or_else(|| addr.strip_prefix("0X")) else { return false };
    if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    if hex == hex.to_lowercase() || hex == hex.to_uppercase() {
        return true;
    }
    let h = Keccak256::digest(hex.to_lowercase().as_bytes());
    hex.chars().enumerate().all(|(i, c)| {
        let nibble = (h[i / 2] >> if i.is_multiple_of(2) { 4 } else { 0 }) & 0xf;
        if c.is_ascii_alphabetic() { c.is_ascii_uppercase() == (nibble >= 8) } else { true }
    })
}

/// TRON: Base58Check of 21 bytes starting with 0x41.
pub fn tron_valid(addr: &str) -> bool {
    matches!(base58check(addr), Some(p) if p.len() == 21 && p[0] == 0x41)
}

/// Monero: Monero Base58 (blocks of 11 characters for 8 bytes), network byte 18/19/24/42/53/63,
/// checksum = the first 4 bytes of Keccak-256 of the rest.
pub fn xmr_valid(addr: &str) -> bool {
    const FULL: usize = 11;
    const SIZES: [usize; 9] = [0, 2, 3, 5, 6, 7, 9, 10, 11];
    if addr.len() != 95 && addr.len() != 106 {
        return false;
    }
    let mut bytes = Vec::new();
    for chunk in addr.as_bytes().chunks(FULL) {
        let Some(n) = SIZES.iter().position(|&s| s == chunk.len()) else { return false };
        let nbytes = if chunk.len() == FULL { 8 } else { n };
        let mut v: u128 = 0;
        for &c in chunk {
            let Some(d) = B58.iter().position(|&x| x == c) else { return false };
            v = v * 58 + d as u128;
        }
        if nbytes < 16 && v >> (8 * nbytes) != 0 {
            return false;
        }
        bytes.extend_from_slice(&v.to_be_bytes()[16 - nbytes..]);
    }
    if bytes.len() < 5 || !matches!(bytes[0], 18 | 19 | 24 | 42 | 53 | 63) {
        return false;
    }
    let (payload, check) = bytes.split_at(bytes.len() - 4);
    Keccak256::digest(payload)[..4] == *check
}

/// A phone number in E.164, when it parses and is valid for its region.
pub fn phone_e164(raw: &str, default_region: Option<&str>) -> Option<String> {
    let region = default_region.and_then(|r| r.parse::<phonenumber::country::Id>().ok());
    let n = phonenumber::parse(region, raw).ok()?;
    phonenumber::is_valid(&n).then(|| n.format().mode(phonenumber::Mode::E164).to_string())
}

/// A phone number in E.164 when it parses, valid or not for its numbering plan: for fields that
/// hold a number by construction (a sender, a call peer, a contact's phone entry), where a number
/// in an unallocated or reserved range still identifies its user.
pub fn phone_e164_lenient(raw: &str, default_region: Option<&str>) -> Option<String> {
    let region = default_region.and_then(|r| r.parse::<phonenumber::country::Id>().ok());
    let n = phonenumber::parse(region, raw).ok()?;
    let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
    (e164.len() >= 8).then_some(e164)
}

/// Every identifier in `text`. `default_region` (ISO 3166 alpha-2, e.g. `FR`) reads national phone
/// numbers; without it only international (`+…`/`00…`) numbers are recognised.
pub fn extract(text: &str, default_region: Option<&str>) -> Vec<Found> {
    static EMAIL: OnceLock<Regex> = OnceLock::new();
    static URL: OnceLock<Regex> = OnceLock::new();
    static IBAN: OnceLock<Regex> = OnceLock::new();
    static CARD: OnceLock<Regex> = OnceLock::new();
    static BTC: OnceLock<Regex> = OnceLock::new();
    static ETH: OnceLock<Regex> = OnceLock::new();
    static TRON: OnceLock<Regex> = OnceLock::new();
    static XMR: OnceLock<Regex> = OnceLock::new();
    static PHONE: OnceLock<Regex> = OnceLock::new();
    static HANDLE: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut push = |kind: IdKind, value: String, s: usize, e: usize, out: &mut Vec<Found>| {
        if taken.iter().any(|&(a, b)| s < b && a < e) {
            return;
        }
        taken.push((s, e));
        out.push(Found { kind, value, span: (s, e) });
    };
    for m in re(&URL, r"(?i)\bhttps?://[^\s<>()\x22']+").find_iter(text) {
        push(IdKind::Url, m.as_str().trim_end_matches(['.', ',', ';', ')', '!', '?']).to_string(), m.start(), m.end(), &mut out);
    }
    for m in re(&EMAIL, r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").find_iter(text) {
        push(IdKind::Email, m.as_str().to_lowercase(), m.start(), m.end(), &mut out);
    }
    for m in re(&IBAN, r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b").find_iter(text) {
        if iban_valid(m.as_str()) {
            push(IdKind::Iban, m.as_str().replace(' ', ""), m.start(), m.end(), &mut out);
        }
    }
    for m in re(&ETH, r"\b0x[0-9a-fA-F]{40}\b").find_iter(text) {
        if eth_valid(m.as_str()) {
            push(IdKind::Eth, m.as_str().to_string(), m.start(), m.end(), &mut out);
        }
    }
    for m in re(&BTC, r"\b(?:bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34})\b").find_iter(text) {
        if btc_valid(m.as_str()) {
            push(IdKind::Btc, m.as_str().to_string(), m.start(), m.end(), &mut out);
        }
    }
    for m in re(&TRON, r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b").find_iter(text) {
        if tron_valid(m.as_str()) {
            push(IdKind::Tron, m.as_str().to_string(), m.start(), m.end(), &mut out);
        }
    }
    for m in re(&XMR, r"\b[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?\b").find_iter(text) {
        if xmr_valid(m.as_str()) {
            push(IdKind::Xmr, m.as_str().to_string(), m.start(), m.end(), &mut out);
        }
    }
    for m in re(&CARD, r"\b(?:\d[ -]?){12,18}\d\b").find_iter(text) {
        if luhn_valid(m.as_str()) {
            push(IdKind::Card, mask_card(m.as_str()), m.start(), m.end(), &mut out);
        }
    }
    for m in re(&PHONE, r"(?:\+|00)?\d[\d .()/-]{6,18}\d").find_iter(text) {
        let raw = m.as_str();
        let international = raw.starts_with('+') || raw.starts_with("00");
        let candidate = if let Some(rest) = raw.strip_prefix("00") { format!("+{rest}") } else { raw.to_string() };
        let region = if international { None } else { default_region };
        if !international && region.is_none() {
            continue;
        }
        if let Some(e164) = phone_e164(&candidate, region) {
            push(IdKind::Phone, e164, m.start(), m.end(), &mut out);
        }
    }
    for m in re(&HANDLE, r"(?:^|[\s(])@([A-Za-z0-9_.]{3,32})\b").captures_iter(text) {
        if let Some(g) = m.get(1) {
            push(IdKind::Handle, format!("@{}", g.as_str().to_lowercase()), g.start() - 1, g.end(), &mut out);
        }
    }
    out.sort_by_key(|f| f.span);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_accept_good_and_refuse_bad() {
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(iban_valid("FR1420041010050500013M02606"));
        assert!(!iban_valid("GB82 WEST 1234 5698 7654 33"));
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
        assert_eq!(mask_card("4111 1111 1111 1111"), "411111******1111");
        assert!(btc_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
        assert!(!btc_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"));
        assert!(btc_valid("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(!btc_valid("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr"));
        assert!(eth_valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        assert!(!eth_valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        assert!(eth_valid("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"));
        assert!(tron_valid("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"));
        assert!(!tron_valid("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"));
        let xmr = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        assert!(xmr_valid(xmr));
        assert!(!xmr_valid(&xmr.replace("P3A", "P3B")));
        assert_eq!(phone_e164("06 99 00 12 34", Some("FR")).as_deref(), Some("+33699001234"));
        assert_eq!(phone_e164("06 99 00 12", Some("FR")), None, "too short");
        assert_eq!(phone_e164("06 12 34 56 78", Some("FR")).as_deref(), Some("+33612345678"));
        assert_eq!(phone_e164("+44 20 7946 0958", None).as_deref(), Some("+442079460958"));
    }

    #[test]
    fn extraction_finds_each_kind_once_and_only_valid_ones() {
        let text = "Vire sur FR14 2004 1010 0505 0001 3M02 606 (pas FR14 2004 1010 0505 0001 3M02 607), \
                    carte 4111 1111 1111 1111, btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa, \
                    eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, usdt TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t. \
                    Appelle le 06 12 34 56 78 ou +44 20 7946 0958, mail Nelu.R@Example.com, voir https://annonces.example/x?id=3 et @cristi_lux";
        let found = extract(text, Some("FR"));
        let kinds: Vec<(IdKind, &str)> = found.iter().map(|f| (f.kind, f.value.as_str())).collect();
        assert!(kinds.contains(&(IdKind::Iban, "FR1420041010050500013M02606")));
        assert_eq!(kinds.iter().filter(|(k, _)| *k == IdKind::Iban).count(), 1, "{kinds:?}");
        assert!(kinds.contains(&(IdKind::Card, "411111******1111")));
        assert!(kinds.contains(&(IdKind::Btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")));
        assert!(kinds.contains(&(IdKind::Eth, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")));
        assert!(kinds.contains(&(IdKind::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")));
        assert!(kinds.contains(&(IdKind::Phone, "+33612345678")));
        assert!(kinds.contains(&(IdKind::Phone, "+442079460958")));
        assert!(kinds.contains(&(IdKind::Email, "nelu.r@example.com")));
        assert!(kinds.contains(&(IdKind::Url, "https://annonces.example/x?id=3")));
        assert!(kinds.contains(&(IdKind::Handle, "@cristi_lux")));
        // The card number is not also read as a phone number.
        assert!(!found.iter().any(|f| f.kind == IdKind::Phone && f.value.contains("4111")));
        for f in &found {
            assert!(f.span.0 < f.span.1 && f.span.1 <= text.len());
        }
    }
}
