//! Android Binary XML (ABX): the format Android 12+ writes `/data/system/packages.xml` and other
//! system XML in (frameworks/base `BinaryXmlSerializer` / `BinaryXmlPullParser`, `FastDataOutput`).
//!
//! Layout: the magic `ABX\0`, then tokens. Each token is one byte: the low nibble is the XML pull
//! event (0 start document, 1 end document, 2 start tag, 3 end tag, 4 text, 5 CDATA, 6 entity
//! reference, 7 ignorable whitespace, 8 processing instruction, 9 comment, 10 doctype, 15
//! attribute), the high nibble the type of the data that follows (1 none, 2 string, 3 interned
//! string, 4 bytes shown as hex, 5 bytes shown as Base64, 6 int, 7 int shown as hex, 8 long,
//! 9 long shown as hex, 10 float, 11 double, 12 true, 13 false). All numbers are big-endian.
//! A string is a u16 byte length and that many bytes of Java "modified UTF-8"; an interned string
//! is a u16 index into the strings interned so far, or `0xFFFF` followed by a new string that is
//! interned. Bytes are a u16 length and the bytes. Tag names are always interned; an attribute is
//! its interned name then its typed value, following the start tag it belongs to.
//!
//! [`decode`] turns a file into a flat list of [`Event`]s; [`Value::to_xml_text`] gives each
//! attribute the text the text serializer would have written (`it="18e0a1b2c00"` for a long shown
//! as hex), so a parser reads text and binary `packages.xml` alike. Damage (truncation, an unknown
//! token, an interned index never defined, tags that do not nest) is an [`AbxError`] naming the
//! byte offset; nothing panics on any input.

/// Magic bytes at the start of every ABX file.
pub const MAGIC: &[u8; 4] = b"ABX\0";

/// Most events decoded from one file (a guard against absurd inputs; real `packages.xml` files
/// hold tens of thousands).
const MAX_EVENTS: usize = 5_000_000;

/// Why an ABX file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed ABX at byte {offset}: {what}")]
pub struct AbxError {
    /// Byte offset in the file where decoding stopped.
    pub offset: usize,
    /// What was wrong there.
    pub what: String,
}

/// A typed attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` (written by `attribute(…, null)` in some serializer versions).
    Null,
    /// A string (plain or interned).
    Str(String),
    /// Bytes the text form shows as hex.
    BytesHex(Vec<u8>),
    /// Bytes the text form shows as Base64.
    BytesBase64(Vec<u8>),
    /// A 32-bit integer shown in decimal.
    Int(i32),
    /// A 32-bit integer shown in hex.
    IntHex(i32),
    /// A 64-bit integer shown in decimal.
    Long(i64),
    /// A 64-bit integer shown in hex.
    LongHex(i64),
    /// A float.
    Float(f32),
    /// A double.
    Double(f64),
    /// A boolean.
    Bool(bool),
}

impl Value {
    /// The text the text XML serializer writes for this value (Java `Integer.toString(v, 16)` for
    /// hex numbers, upper-case hex for hex bytes, standard Base64).
    pub fn to_xml_text(&self) -> Option<String> {
        fn java_hex(v: i128) -> String {
            if v < 0 { format!("-{:x}", -v) } else { format!("{v:x}") }
        }
        Some(match self {
            Value::Null => return None,
            Value::Str(s) => s.clone(),
            Value::BytesHex(b) => hex::encode_upper(b),
            Value::BytesBase64(b) => base64(b),
            Value::Int(v) => v.to_string(),
            Value::IntHex(v) => java_hex(i128::from(*v)),
            Value::Long(v) => v.to_string(),
            Value::LongHex(v) => java_hex(i128::from(*v)),
            Value::Float(v) => v.to_string(),
            Value::Double(v) => v.to_string(),
            Value::Bool(v) => v.to_string(),
        })
    }

    /// The value as an integer, when it is one (or a string of decimal digits).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) | Value::IntHex(v) => Some(i64::from(*v)),
            Value::Long(v) | Value::LongHex(v) => Some(*v),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Standard Base64 with padding.
fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One decoded event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A start tag with its attributes, at `depth` (the root element is at depth 1).
    Start {
        /// Tag name.
        name: String,
        /// Attributes in file order.
        attrs: Vec<(String, Value)>,
        /// Nesting depth.
        depth: usize,
    },
    /// An end tag.
    End {
        /// Tag name.
        name: String,
    },
    /// Text or CDATA content.
    Text(String),
}

impl Event {
    /// An attribute of a start tag, by name.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Event::Start { attrs, .. } => attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Token kinds (low nibble).
const START_DOCUMENT: u8 = 0;
const END_DOCUMENT: u8 = 1;
const START_TAG: u8 = 2;
const END_TAG: u8 = 3;
const TEXT: u8 = 4;
const CDSECT: u8 = 5;
const DOCDECL: u8 = 10;
const ATTRIBUTE: u8 = 15;

/// Data types (high nibble, shifted down).
const T_NULL: u8 = 1;
const T_STRING: u8 = 2;
const T_INTERNED: u8 = 3;
const T_BYTES_HEX: u8 = 4;
const T_BYTES_BASE64: u8 = 5;
const T_INT: u8 = 6;
const T_INT_HEX: u8 = 7;
const T_LONG: u8 = 8;
const T_LONG_HEX: u8 = 9;
const T_FLOAT: u8 = 10;
const T_DOUBLE: u8 = 11;
const T_TRUE: u8 = 12;
const T_FALSE: u8 = 13;

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
    interned: Vec<String>,
}

impl<'a> Cursor<'a> {
    fn err<T>(&self, at: usize, what: impl Into<String>) -> Result<T, AbxError> {
        Err(AbxError { offset: at, what: what.into() })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], AbxError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.b.len());
        match end {
            Some(end) => {
                let s = &self.b[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => self.err(self.pos, format!("truncated: {n} more bytes expected, {} left", self.b.len() - self.pos)),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], AbxError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u16(&mut self) -> Result<u16, AbxError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn utf(&mut self) -> Result<String, AbxError> {
        let at = self.pos;
        let n = self.u16()? as usize;
        let bytes = self.take(n)?;
        modified_utf8(bytes).ok_or_else(|| AbxError { offset: at, what: "a string is not valid modified UTF-8".into() })
    }

    fn interned(&mut self) -> Result<String, AbxError> {
        let at = self.pos;
        let i = self.u16()?;
        if i == u16::MAX {
            let s = self.utf()?;
            if self.interned.len() < usize::from(u16::MAX) {
                self.interned.push(s.clone());
            }
            return Ok(s);
        }
        match self.interned.get(usize::from(i)) {
            Some(s) => Ok(s.clone()),
            None => self.err(at, format!("interned string #{i} used before it is defined ({} defined)", self.interned.len())),
        }
    }

    fn bytes(&mut self) -> Result<Vec<u8>, AbxError> {
        let n = self.u16()? as usize;
        Ok(self.take(n)?.to_vec())
    }
}

/// Java "modified UTF-8" (NUL as `C0 80`, characters outside the BMP as two 3-byte surrogates) to
/// a string; `None` when it is not well formed.
fn modified_utf8(b: &[u8]) -> Option<String> {
    if let Ok(s) = std::str::from_utf8(b) {
        return Some(s.to_string());
    }
    let mut units: Vec<u16> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let cont = |j: usize| b.get(j).copied().filter(|x| x & 0xC0 == 0x80).map(|x| u16::from(x & 0x3F));
        if c < 0x80 {
            units.push(u16::from(c));
            i += 1;
        } else if c & 0xE0 == 0xC0 {
            units.push((u16::from(c & 0x1F) << 6) | cont(i + 1)?);
            i += 2;
        } else if c & 0xF0 == 0xE0 {
            units.push((u16::from(c & 0x0F) << 12) | (cont(i + 1)? << 6) | cont(i + 2)?);
            i += 3;
        } else {
            return None;
        }
    }
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

/// Decode an ABX file into its events.
pub fn decode(bytes: &[u8]) -> Result<Vec<Event>, AbxError> {
    if !bytes.starts_with(MAGIC) {
        return Err(AbxError { offset: 0, what: "no ABX\\0 magic: not Android Binary XML".into() });
    }
    let mut c = Cursor { b: bytes, pos: MAGIC.len(), interned: Vec::new() };
    let mut events = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut ended = false;
    while c.pos < bytes.len() {
        let at = c.pos;
        if events.len() >= MAX_EVENTS {
            return c.err(at, format!("more than {MAX_EVENTS} events"));
        }
        let token = c.array::<1>()?[0];
        let (kind, ty) = (token & 0x0F, token >> 4);
        match kind {
            START_DOCUMENT | END_DOCUMENT => {
                if ty != T_NULL {
                    return c.err(at, format!("document token 0x{token:02x} carries data"));
                }
                if kind == END_DOCUMENT {
                    ended = true;
                }
            }
            START_TAG | END_TAG => {
                let name = match ty {
                    T_INTERNED => c.interned()?,
                    T_STRING => c.utf()?,
                    _ => return c.err(at, format!("tag token 0x{token:02x} has no name")),
                };
                if kind == START_TAG {
                    open.push(name.clone());
                    events.push(Event::Start { name, attrs: Vec::new(), depth: open.len() });
                } else {
                    match open.pop() {
                        Some(o) if o == name => events.push(Event::End { name }),
                        Some(o) => return c.err(at, format!("</{name}> closes <{o}>")),
                        None => return c.err(at, format!("</{name}> closes no open tag")),
                    }
                }
            }
            ATTRIBUTE => {
                let name = c.interned()?;
                let value = match ty {
                    T_NULL => Value::Null,
                    T_STRING => Value::Str(c.utf()?),
                    T_INTERNED => Value::Str(c.interned()?),
                    T_BYTES_HEX => Value::BytesHex(c.bytes()?),
                    T_BYTES_BASE64 => Value::BytesBase64(c.bytes()?),
                    T_INT => Value::Int(i32::from_be_bytes(c.array()?)),
                    T_INT_HEX => Value::IntHex(i32::from_be_bytes(c.array()?)),
                    T_LONG => Value::Long(i64::from_be_bytes(c.array()?)),
                    T_LONG_HEX => Value::LongHex(i64::from_be_bytes(c.array()?)),
                    T_FLOAT => Value::Float(f32::from_be_bytes(c.array()?)),
                    T_DOUBLE => Value::Double(f64::from_be_bytes(c.array()?)),
                    T_TRUE => Value::Bool(true),
                    T_FALSE => Value::Bool(false),
                    other => return c.err(at, format!("attribute '{name}' has unknown type {other}")),
                };
                match events.last_mut() {
                    Some(Event::Start { attrs, .. }) => attrs.push((name, value)),
                    _ => return c.err(at, format!("attribute '{name}' does not follow a start tag")),
                }
            }
            TEXT..=DOCDECL => {
                let text = match ty {
                    T_NULL => None,
                    T_STRING => Some(c.utf()?),
                    T_INTERNED => Some(c.interned()?),
                    _ => return c.err(at, format!("text token 0x{token:02x} has an unexpected type")),
                };
                if matches!(kind, TEXT | CDSECT)
                    && let Some(t) = text
                {
                    events.push(Event::Text(t));
                }
            }
            _ => return c.err(at, format!("unknown token 0x{token:02x}")),
        }
        if ended {
            break;
        }
    }
    if let Some(o) = open.last() {
        return c.err(c.pos, format!("the file ends inside <{o}> (truncated?)"));
    }
    if events.is_empty() {
        return c.err(c.pos, "no element (truncated?)");
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-assembled file: `<packages><package name="a.b" it=(long hex) version=(long)/></packages>`.
    fn sample() -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.push(0x10); // start document
        let new = |b: &mut Vec<u8>, s: &str| {
            b.extend_from_slice(&[0xFF, 0xFF]);
            b.extend_from_slice(&(s.len() as u16).to_be_bytes());
            b.extend_from_slice(s.as_bytes());
        };
        b.push(0x32);
        new(&mut b, "packages");
        b.push(0x32);
        new(&mut b, "package");
        b.push(0x2F);
        new(&mut b, "name");
        b.extend_from_slice(&3u16.to_be_bytes());
        b.extend_from_slice(b"a.b");
        b.push(0x9F);
        new(&mut b, "it");
        b.extend_from_slice(&0x18e0a1b2c00i64.to_be_bytes());
        b.push(0x8F);
        new(&mut b, "version");
        b.extend_from_slice(&231013i64.to_be_bytes());
        b.push(0xCF);
        b.extend_from_slice(&2u16.to_be_bytes()); // interned #2: "name"
        b.push(0x33);
        b.extend_from_slice(&1u16.to_be_bytes());
        b.push(0x33);
        b.extend_from_slice(&0u16.to_be_bytes());
        b.push(0x11);
        b
    }

    #[test]
    fn a_hand_made_file_decodes() {
        let ev = decode(&sample()).unwrap();
        assert_eq!(ev.len(), 4);
        let p = &ev[1];
        assert_eq!(p.attr("name"), Some(&Value::Str("a.b".into())));
        assert_eq!(p.attr("it").and_then(Value::to_xml_text).as_deref(), Some("18e0a1b2c00"));
        assert_eq!(p.attr("version").and_then(Value::as_i64), Some(231013));
        // The boolean attribute reused interned name #2 ("name").
        assert!(matches!(p, Event::Start { attrs, depth: 2, .. } if attrs.len() == 4 && attrs[3] == ("name".to_string(), Value::Bool(true))));
    }

    #[test]
    fn every_truncation_and_damage_is_an_error_not_a_panic() {
        let b = sample();
        for cut in 0..b.len() - 1 {
            assert!(decode(&b[..cut]).is_err(), "cut at {cut}");
        }
        let mut seed: u64 = 7;
        for _ in 0..5000 {
            let mut d = b.clone();
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let at = 4 + (seed >> 33) as usize % (d.len() - 4);
            d[at] = (seed >> 17) as u8;
            let _ = decode(&d);
        }
        let e = decode(b"ABX\0\x32\x00\x05").unwrap_err();
        assert!(e.to_string().contains("interned string #5"), "{e}");
        assert!(decode(b"<?xml").unwrap_err().to_string().contains("magic"));
    }

    #[test]
    fn values_read_as_their_text_form() {
        assert_eq!(Value::LongHex(-1).to_xml_text().as_deref(), Some("-1"));
        assert_eq!(Value::IntHex(255).to_xml_text().as_deref(), Some("ff"));
        assert_eq!(Value::BytesHex(vec![0xAB, 1]).to_xml_text().as_deref(), Some("AB01"));
        assert_eq!(Value::BytesBase64(b"Man".to_vec()).to_xml_text().as_deref(), Some("TWFu"));
        assert_eq!(Value::BytesBase64(b"Ma".to_vec()).to_xml_text().as_deref(), Some("TWE="));
        assert_eq!(Value::Bool(false).to_xml_text().as_deref(), Some("false"));
        assert_eq!(Value::Null.to_xml_text(), None);
        // Modified UTF-8: NUL as C0 80, an emoji as two surrogates.
        assert_eq!(modified_utf8(&[0x61, 0xC0, 0x80]).as_deref(), Some("a\u{0}"));
        assert_eq!(modified_utf8(&[0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]).as_deref(), Some("😀"));
        assert_eq!(modified_utf8(&[0xFF]), None);
    }
}
