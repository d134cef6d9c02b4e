//! A minimal Apple *typedstream* encoder for `sms.db` `message.attributedBody`, and the matching
//! heuristic decoder the parsers use.
//!
//! On iOS 16+ many `message` rows have `text` NULL and the text only in `attributedBody`, an
//! `NSAttributedString` archived with the legacy `NSArchiver` (typedstream) format. We write the
//! same byte layout as a plain single-run attributed string sent from Messages:
//!
//! ```text
//! 04 0B "streamtyped" 81 E8 03          header: version 4, system version 1000
//! 84 01 40 84 84 84 12 "NSAttributedString" 00 84 84 08 "NSObject" 00 85
//! 92 84 84 84 08 "NSString" 01 94 84 01 2B <len> <UTF-8 bytes>
//! 86 84 02 "iI" 01 <utf16-len> 92 84 84 84 0C "NSDictionary" 00 94 84 01 "i" 01
//! 92 84 96 96 1D "__kIMMessagePartAttributeName" 86 92 84 84 84 08 "NSNumber" 00
//! 84 84 07 "NSValue" 00 94 84 01 "*" 84 99 99 00 86 86 86
//! ```
//!
//! `<len>` and `<utf16-len>` are typedstream integers: one byte when < 0x80, otherwise `81` + i16
//! little-endian, or `82` + i32 little-endian. So the formats.md heuristic (find `NSString`, skip
//! `01 94 84 01 2B`, read the length, read that many UTF-8 bytes) recovers the text exactly.

/// Encode a typedstream integer.
fn put_int(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n <= i16::MAX as usize {
        out.push(0x81);
        out.extend_from_slice(&(n as i16).to_le_bytes());
    } else {
        out.push(0x82);
        out.extend_from_slice(&(n as i32).to_le_bytes());
    }
}

/// `attributedBody` bytes for a plain text message.
pub fn attributed_body(text: &str) -> Vec<u8> {
    let mut b = Vec::with_capacity(text.len() + 200);
    b.extend_from_slice(&[0x04, 0x0B]);
    b.extend_from_slice(b"streamtyped");
    b.extend_from_slice(&[0x81, 0xE8, 0x03, 0x84, 0x01, 0x40, 0x84, 0x84, 0x84, 0x12]);
    b.extend_from_slice(b"NSAttributedString");
    b.extend_from_slice(&[0x00, 0x84, 0x84, 0x08]);
    b.extend_from_slice(b"NSObject");
    b.extend_from_slice(&[0x00, 0x85, 0x92, 0x84, 0x84, 0x84, 0x08]);
    b.extend_from_slice(b"NSString");
    b.extend_from_slice(&[0x01, 0x94, 0x84, 0x01, 0x2B]);
    put_int(&mut b, text.len());
    b.extend_from_slice(text.as_bytes());
    b.extend_from_slice(&[0x86, 0x84, 0x02, b'i', b'I', 0x01]);
    put_int(&mut b, text.encode_utf16().count());
    b.extend_from_slice(&[0x92, 0x84, 0x84, 0x84, 0x0C]);
    b.extend_from_slice(b"NSDictionary");
    b.extend_from_slice(&[0x00, 0x94, 0x84, 0x01, b'i', 0x01, 0x92, 0x84, 0x96, 0x96, 0x1D]);
    b.extend_from_slice(b"__kIMMessagePartAttributeName");
    b.extend_from_slice(&[0x86, 0x92, 0x84, 0x84, 0x84, 0x08]);
    b.extend_from_slice(b"NSNumber");
    b.extend_from_slice(&[0x00, 0x84, 0x84, 0x07]);
    b.extend_from_slice(b"NSValue");
    b.extend_from_slice(&[0x00, 0x94, 0x84, 0x01, b'*', 0x84, 0x99, 0x99, 0x00, 0x86, 0x86, 0x86]);
    b
}

/// The formats.md §2.1 heuristic: the text of an `attributedBody`, if it can be found.
pub fn decode_text(blob: &[u8]) -> Option<String> {
    let at = blob.windows(8).position(|w| w == b"NSString")? + 8;
    let rest = blob.get(at..)?;
    // Expect 01 (94|95) 84 01 2B.
    if rest.len() < 6 || rest[0] != 0x01 || !(rest[1] == 0x94 || rest[1] == 0x95) || rest[2] != 0x84 || rest[3] != 0x01 || rest[4] != 0x2B {
        return None;
    }
    let rest = &rest[5..];
    let (len, skip) = match rest[0] {
        0x81 => (u16::from_le_bytes([*rest.get(1)?, *rest.get(2)?]) as usize, 3),
        0x82 => (u32::from_le_bytes([*rest.get(1)?, *rest.get(2)?, *rest.get(3)?, *rest.get(4)?]) as usize, 5),
        n => (n as usize, 1),
    };
    let bytes = rest.get(skip..skip + len)?;
    String::from_utf8(bytes.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_short_and_long_text() {
        for t in ["Noter test", "Bună ziua 👋", &"x".repeat(300), &"ă".repeat(20_000)] {
            let blob = attributed_body(t);
            assert!(blob.starts_with(b"\x04\x0bstreamtyped"));
            assert_eq!(decode_text(&blob).as_deref(), Some(t));
        }
    }

    #[test]
    fn matches_the_published_prefix_for_noter_test() {
        // Same NSString segment as imessage-exporter's AttributedBodyTextOnly sample.
        let blob = attributed_body("Noter test");
        let needle: &[u8] = b"NSString\x01\x94\x84\x01\x2b\x0aNoter test\x86";
        assert!(blob.windows(needle.len()).any(|w| w == needle));
    }
}
