//! Project VIC VICS JSON: a streaming reader of both shapes and the helpers of the writer.
//!
//! Recognised shapes (OData JSON, see `reference/anchors.md` D.1):
//! - 1.x (`"odata.metadata": "…/1.3.xml#Cases"`) and 2.0 case exports
//!   (`"@odata.context": "…/2.0.xml/US/$metadata#Cases"`): `value[]` of Case objects, each with
//!   `Media[]`;
//! - 2.0 hash sets (`"@odata.context": "…/2.0.xml/Default/$metadata#Media"`): `value[]` of Media
//!   records directly.
//!
//! The file is read as a stream (`serde_json` visitors over `value[]` and each `Media[]`): one
//! Media record is in memory at a time, so sets of millions of records import in flat memory.
//! Every record is kept verbatim (`known_hashes.raw`) and everything else (top-level keys, Case
//! fields) in the set's envelope, so exporting an unchanged import gives the same JSON back.
//! Hashes are read from `MD5`, `SHA1`, `SHA256`, `PhotoDNA` and `AlternativeHashes[]`
//! (`{HashName, HashValue}`: `MD5`, `SHA1`, `SHA256`, `PDQ`, `PhotoDNA`), key names compared
//! without regard to case.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{HashingReader, Item, ItemWriter, ReadOutcome, bad, norm_hex, shorten};
use crate::error::{Error, Result};

/// What the reader expects, for error messages.
pub const EXPECTED: &str = "a VICS JSON file (an object with 'odata.metadata' or '@odata.context' and a 'value' array of Cases or Media)";

/// The envelope kept for the round trip: everything except the Media records.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Envelope {
    /// `cases` (value[] of Case objects with Media[]) or `media` (value[] of Media records).
    pub shape: String,
    /// Top-level keys except `value`.
    pub top: Map<String, Value>,
    /// Case objects without their `Media` array, with their index in `value[]`.
    pub cases: Vec<(i64, Map<String, Value>)>,
}

/// Read a VICS file into `writer`; returns the file digest, version and envelope.
pub(crate) fn read(path: &Path, writer: &mut ItemWriter<'_>) -> Result<ReadOutcome> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("opening the hash set", path, e))?;
    let mut hashing = HashingReader::new(file);
    let envelope = {
        let mut reader = BufReader::with_capacity(1 << 16, &mut hashing);
        // Some producers write a UTF-8 byte-order mark.
        let starts_with_bom = reader.fill_buf().map_err(|e| Error::io("reading the hash set", path, e))?.starts_with(b"\xEF\xBB\xBF");
        if starts_with_bom {
            reader.consume(3);
        }
        parse(path, reader, writer)?
    };
    let (file_sha256, file_size) = hashing.finish().map_err(|e| Error::io("reading the hash set", path, e))?;
    let format_version = version_of(&envelope.top);
    let envelope_text = serde_json::to_string(&envelope).map_err(|e| Error::Internal(format!("serialising a VICS envelope: {e}")))?;
    Ok(ReadOutcome { file_sha256, file_size, format_version, envelope: Some(envelope_text) })
}

/// The data model version named by the context URL (`…/1.3.xml#Cases` → `1.3`).
pub fn version_of(top: &Map<String, Value>) -> Option<String> {
    let url = top.get("@odata.context").or_else(|| top.get("odata.metadata")).and_then(Value::as_str)?;
    let before = url.split(".xml").next()?;
    let v = before.rsplit('/').next()?;
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.') { Some(v.to_string()) } else { None }
}

/// Shared state of the visitors.
struct Ctx<'w, 't> {
    path: &'w Path,
    writer: &'w mut ItemWriter<'t>,
    /// The error that stopped the parse from inside a visitor (kept intact, not stringified).
    failure: Option<Error>,
    cases: Vec<(i64, Map<String, Value>)>,
    media_records: u64,
    records_seen: u64,
}

impl Ctx<'_, '_> {
    fn record<E: de::Error>(&mut self, grp: Option<i64>, map: Map<String, Value>) -> std::result::Result<(), E> {
        self.records_seen += 1;
        let n = self.records_seen;
        let item = match item_of(grp, &map) {
            Ok(item) => item,
            Err(reason) => {
                self.failure = Some(bad(self.path, EXPECTED, format!("Media record {n}: {reason}")));
                return Err(E::custom("stopped"));
            }
        };
        self.writer.push(item).map_err(|e| {
            self.failure = Some(e);
            E::custom("stopped")
        })
    }
}

fn parse<R: Read>(path: &Path, reader: R, writer: &mut ItemWriter<'_>) -> Result<Envelope> {
    let mut ctx = Ctx { path, writer, failure: None, cases: Vec::new(), media_records: 0, records_seen: 0 };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let top = TopSeed { ctx: &mut ctx }.deserialize(&mut de).and_then(|top| de.end().map(|()| top));
    match top {
        Ok(top) => {
            if ctx.media_records > 0 && !ctx.cases.is_empty() {
                return Err(bad(path, EXPECTED, "'value' mixes Case objects (with Media[]) and Media records"));
            }
            let shape = if ctx.cases.is_empty() && (ctx.media_records > 0 || is_media_context(&top)) { "media" } else { "cases" };
            Ok(Envelope { shape: shape.into(), top, cases: ctx.cases })
        }
        Err(e) => Err(ctx.failure.take().unwrap_or_else(|| bad(path, EXPECTED, e.to_string()))),
    }
}

fn is_media_context(top: &Map<String, Value>) -> bool {
    top.get("@odata.context").or_else(|| top.get("odata.metadata")).and_then(Value::as_str).is_some_and(|u| u.ends_with("#Media"))
}

/// The top-level object: keeps every key, streams `value`.
struct TopSeed<'c, 'w, 't> {
    ctx: &'c mut Ctx<'w, 't>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_, '_> {
    type Value = Map<String, Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_, '_> {
    type Value = Map<String, Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object with a 'value' array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let mut top = Map::new();
        let mut saw_value = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" {
                if saw_value {
                    return Err(de::Error::custom("two 'value' keys"));
                }
                saw_value = true;
                map.next_value_seed(ValueSeed { ctx: &mut *self.ctx })?;
            } else {
                let v: Value = map.next_value()?;
                top.insert(key, v);
            }
        }
        if !saw_value {
            return Err(de::Error::custom("no 'value' array"));
        }
        if !top.contains_key("odata.metadata") && !top.contains_key("@odata.context") {
            return Err(de::Error::custom("neither 'odata.metadata' (VICS 1.x) nor '@odata.context' (VICS 2.0)"));
        }
        Ok(top)
    }
}

/// `value[]`: Cases or Media records.
struct ValueSeed<'c, 'w, 't> {
    ctx: &'c mut Ctx<'w, 't>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("'value' to be an array of Case objects or Media records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut index = 0i64;
        while seq.next_element_seed(ElementSeed { ctx: &mut *self.ctx, index })?.is_some() {
            index += 1;
        }
        Ok(())
    }
}

/// One element of `value[]`: a Case (it has `Media`) or a Media record.
struct ElementSeed<'c, 'w, 't> {
    ctx: &'c mut Ctx<'w, 't>,
    index: i64,
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ElementSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("each element of 'value' to be an object (a Case or a Media record)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut fields = Map::new();
        let mut is_case = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "Media" {
                is_case = true;
                let streamed = map.next_value_seed(MediaSeed { ctx: &mut *self.ctx, grp: self.index })?;
                if !streamed {
                    // `"Media": null` (or absent items): keep it as written.
                    fields.insert(key, Value::Null);
                }
            } else {
                let v: Value = map.next_value()?;
                fields.insert(key, v);
            }
        }
        if is_case {
            self.ctx.cases.push((self.index, fields));
            Ok(())
        } else {
            self.ctx.media_records += 1;
            self.ctx.record(None, fields)
        }
    }
}

/// A Case's `Media[]`, streamed record by record. Yields whether it was an array.
struct MediaSeed<'c, 'w, 't> {
    ctx: &'c mut Ctx<'w, 't>,
    grp: i64,
}

impl<'de> DeserializeSeed<'de> for MediaSeed<'_, '_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MediaSeed<'_, '_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("'Media' to be an array of Media records")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        while let Some(record) = seq.next_element::<Value>()? {
            match record {
                Value::Object(map) => self.ctx.record(Some(self.grp), map)?,
                other => return Err(de::Error::custom(format!("a Media record is not an object: {}", shorten(&other.to_string())))),
            }
        }
        Ok(true)
    }
}

/// Case-insensitive lookup of a key.
pub(crate) fn get_ci<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    map.get(key).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// A hash name reduced for comparison: `SHA-256`, `sha_256`, `Sha256` → `sha256`.
fn hash_name(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The hashes, category and name of one Media record.
fn item_of(grp: Option<i64>, map: &Map<String, Value>) -> std::result::Result<Item, String> {
    let mut item = Item { grp, ..Item::default() };
    let mut set = |name: &str, value: &str| -> std::result::Result<(), String> {
        let slot_len = match name {
            "md5" => Some((&mut item.md5, 32)),
            "sha1" => Some((&mut item.sha1, 40)),
            "sha256" => Some((&mut item.sha256, 64)),
            "pdq" => Some((&mut item.pdq, 64)),
            _ => None,
        };
        if let Some((slot, len)) = slot_len {
            let v = norm_hex(value, len).map_err(|e| format!("{}: {e}", name.to_ascii_uppercase()))?;
            if slot.is_none() {
                *slot = v;
            }
        } else if name == "photodna" && item.photodna.is_none() && !value.trim().is_empty() {
            item.photodna = Some(value.trim().to_string());
        }
        Ok(())
    };
    for key in ["MD5", "SHA1", "SHA256", "PDQ", "PhotoDNA"] {
        if let Some(v) = get_ci(map, key).and_then(text) {
            set(&hash_name(key), &v)?;
        }
    }
    if let Some(Value::Array(alts)) = get_ci(map, "AlternativeHashes") {
        for alt in alts.iter().filter_map(Value::as_object) {
            let name = get_ci(alt, "HashName").and_then(text).map(|n| hash_name(&n));
            let value = get_ci(alt, "HashValue").and_then(text);
            if let (Some(name), Some(value)) = (name, value) {
                set(&name, &value)?;
            }
        }
    }
    item.category = get_ci(map, "Category").and_then(text);
    item.name = get_ci(map, "RelativeFilePath").and_then(text).or_else(|| match get_ci(map, "MediaFiles") {
        Some(Value::Array(files)) => files.iter().filter_map(Value::as_object).find_map(|f| get_ci(f, "FileName").and_then(text)),
        _ => None,
    });
    item.raw = Some(serde_json::to_string(map).map_err(|e| format!("cannot keep the record: {e}"))?);
    Ok(item)
}
