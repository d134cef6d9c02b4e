//! An Android Binary XML (ABX) writer, the counterpart of `parsers::abx`, written from the format
//! of frameworks/base `BinaryXmlSerializer` + `FastDataOutput`: the magic `ABX\0`, one token byte
//! per event (event in the low nibble, data type in the high nibble), big-endian numbers, strings
//! as a u16 length and modified UTF-8, tag and attribute names interned (u16 index, or `0xFFFF`
//! and the new string). The generator writes Android 12+ `packages.xml` with it; tests build ABX
//! fixtures with it.

use std::collections::HashMap;

/// Builds one ABX document.
#[derive(Debug)]
pub struct AbxWriter {
    out: Vec<u8>,
    interned: HashMap<String, u16>,
}

impl Default for AbxWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Modified UTF-8 (NUL as `C0 80`, characters outside the BMP as two 3-byte surrogates).
fn modified_utf8(s: &str) -> Vec<u8> {
    let mut b = Vec::with_capacity(s.len());
    for u in s.encode_utf16() {
        match u {
            0x01..=0x7F => b.push(u as u8),
            0x00 | 0x80..=0x7FF => b.extend_from_slice(&[0xC0 | (u >> 6) as u8, 0x80 | (u & 0x3F) as u8]),
            _ => b.extend_from_slice(&[0xE0 | (u >> 12) as u8, 0x80 | ((u >> 6) & 0x3F) as u8, 0x80 | (u & 0x3F) as u8]),
        }
    }
    b
}

impl AbxWriter {
    /// A new document: the magic and the start-document token.
    pub fn new() -> Self {
        let mut out = b"ABX\0".to_vec();
        out.push(0x10);
        AbxWriter { out, interned: HashMap::new() }
    }

    fn utf(&mut self, s: &str) {
        let b = modified_utf8(s);
        let n = u16::try_from(b.len()).unwrap_or(u16::MAX);
        self.out.extend_from_slice(&n.to_be_bytes());
        self.out.extend_from_slice(&b[..usize::from(n)]);
    }

    fn interned(&mut self, s: &str) {
        if let Some(i) = self.interned.get(s) {
            let i = *i;
            self.out.extend_from_slice(&i.to_be_bytes());
            return;
        }
        self.out.extend_from_slice(&[0xFF, 0xFF]);
        self.utf(s);
        let next = self.interned.len();
        if let Ok(i) = u16::try_from(next)
            && i < u16::MAX
        {
            self.interned.insert(s.to_string(), i);
        }
    }

    fn attr_head(&mut self, token: u8, name: &str) {
        self.out.push(token);
        self.interned(name);
    }

    /// `<name`.
    pub fn start(&mut self, name: &str) -> &mut Self {
        self.out.push(0x32);
        self.interned(name);
        self
    }

    /// `</name>`.
    pub fn end(&mut self, name: &str) -> &mut Self {
        self.out.push(0x33);
        self.interned(name);
        self
    }

    /// A string attribute.
    pub fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        self.attr_head(0x2F, name);
        self.utf(value);
        self
    }

    /// A string attribute whose value is interned.
    pub fn attr_interned(&mut self, name: &str, value: &str) -> &mut Self {
        self.attr_head(0x3F, name);
        self.interned(value);
        self
    }

    /// An int attribute.
    pub fn attr_int(&mut self, name: &str, v: i32) -> &mut Self {
        self.attr_head(0x6F, name);
        self.out.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A long attribute (decimal in the text form).
    pub fn attr_long(&mut self, name: &str, v: i64) -> &mut Self {
        self.attr_head(0x8F, name);
        self.out.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A long attribute shown as hex in the text form (`ft`, `it`, `ut` of `packages.xml`).
    pub fn attr_long_hex(&mut self, name: &str, v: i64) -> &mut Self {
        self.attr_head(0x9F, name);
        self.out.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A boolean attribute.
    pub fn attr_bool(&mut self, name: &str, v: bool) -> &mut Self {
        self.attr_head(if v { 0xCF } else { 0xDF }, name);
        self
    }

    /// Bytes shown as hex in the text form (signing-key digests).
    pub fn attr_bytes_hex(&mut self, name: &str, v: &[u8]) -> &mut Self {
        self.attr_head(0x4F, name);
        let n = u16::try_from(v.len()).unwrap_or(u16::MAX);
        self.out.extend_from_slice(&n.to_be_bytes());
        self.out.extend_from_slice(&v[..usize::from(n)]);
        self
    }

    /// Text content.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.out.push(0x24);
        self.utf(s);
        self
    }

    /// The end-document token, and the bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(0x11);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::abx::{Event, Value, decode};

    #[test]
    fn what_is_written_decodes_back() {
        let mut w = AbxWriter::new();
        w.start("packages").start("package").attr("name", "com.whatsapp").attr_long_hex("it", 0x18e0a1b2c00).attr_long("version", 231013).attr_bool("isOrphaned", true);
        w.attr_interned("installer", "com.android.vending").attr_int("userId", 10123).attr_bytes_hex("key", &[0xAB, 0xCD]);
        w.start("perms").text("a\u{0}😀").end("perms").end("package");
        w.start("package").attr("name", "org.telegram.messenger").attr_interned("installer", "com.android.vending").end("package").end("packages");
        let ev = decode(&w.finish()).unwrap();
        let pkgs: Vec<&Event> = ev.iter().filter(|e| matches!(e, Event::Start { name, .. } if name == "package")).collect();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[0].attr("it").and_then(Value::to_xml_text).as_deref(), Some("18e0a1b2c00"));
        assert_eq!(pkgs[0].attr("version").and_then(Value::to_xml_text).as_deref(), Some("231013"));
        assert_eq!(pkgs[0].attr("key").and_then(Value::to_xml_text).as_deref(), Some("ABCD"));
        assert_eq!(pkgs[1].attr("installer").and_then(Value::to_xml_text).as_deref(), Some("com.android.vending"));
        assert!(ev.contains(&Event::Text("a\u{0}😀".into())));
    }
}
