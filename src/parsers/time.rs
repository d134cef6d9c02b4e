//! Timestamps: every epoch and unit found in phone artefacts, converted to UTC microseconds, with
//! the raw value and its unit kept beside it.
//!
//! A parser declares the unit of each column. A value that makes no sense in that unit (before
//! 1995, or years after the extraction) is *flagged*, never silently reinterpreted: the flag says
//! which other unit would give a plausible date, and the UTC value stays the declared unit's. Zero
//! and negative sentinels mean "not set".

use serde::Serialize;

/// Units and epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// Seconds since 1970-01-01 UTC.
    UnixS,
    /// Milliseconds since 1970 (Android).
    UnixMs,
    /// Microseconds since 1970.
    UnixUs,
    /// Nanoseconds since 1970.
    UnixNs,
    /// Seconds since 2001-01-01 UTC (Cocoa / Core Data; may be fractional).
    CocoaS,
    /// Nanoseconds since 2001-01-01 UTC (iOS `sms.db`).
    CocoaNs,
    /// Microseconds since 1601-01-01 UTC (WebKit / Chrome).
    WebKitUs,
    /// 100-ns ticks since 0001-01-01 UTC (.NET).
    DotNetTicks,
}

const COCOA_OFFSET_S: i64 = 978_307_200;
const WEBKIT_OFFSET_S: i64 = 11_644_473_600;
const DOTNET_OFFSET_S: i64 = 62_135_596_800;
/// 1995-01-01 and 2045-01-01, in µs: the plausible window for phone evidence.
const MIN_PLAUSIBLE_US: i64 = 788_918_400_000_000;
const MAX_PLAUSIBLE_US: i64 = 2_366_841_600_000_000;

impl Unit {
    /// Stable name stored in the case (`unix-ms`, `cocoa-ns` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::UnixS => "unix-s",
            Unit::UnixMs => "unix-ms",
            Unit::UnixUs => "unix-us",
            Unit::UnixNs => "unix-ns",
            Unit::CocoaS => "cocoa-s",
            Unit::CocoaNs => "cocoa-ns",
            Unit::WebKitUs => "webkit-us",
            Unit::DotNetTicks => "dotnet-ticks",
        }
    }

    /// All units, for plausibility checks.
    pub const ALL: [Unit; 8] = [Unit::UnixS, Unit::UnixMs, Unit::UnixUs, Unit::UnixNs, Unit::CocoaS, Unit::CocoaNs, Unit::WebKitUs, Unit::DotNetTicks];

    /// Convert a value in this unit to µs since 1970 UTC (`None` on overflow).
    pub fn to_unix_us(self, v: f64) -> Option<i64> {
        let us = match self {
            Unit::UnixS => v * 1e6,
            Unit::UnixMs => v * 1e3,
            Unit::UnixUs => v,
            Unit::UnixNs => v / 1e3,
            Unit::CocoaS => (v + COCOA_OFFSET_S as f64) * 1e6,
            Unit::CocoaNs => v / 1e3 + COCOA_OFFSET_S as f64 * 1e6,
            Unit::WebKitUs => v - WEBKIT_OFFSET_S as f64 * 1e6,
            Unit::DotNetTicks => v / 10.0 - DOTNET_OFFSET_S as f64 * 1e6,
        };
        (us.is_finite() && us.abs() < 9.0e18).then_some(us.round() as i64)
    }
}

/// A converted instant with its source value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stamp {
    /// µs since 1970 UTC in the declared unit.
    pub utc_us: Option<i64>,
    /// The raw value as stored.
    pub raw: String,
    /// The declared unit.
    pub unit: Unit,
    /// Why the value is doubtful, when it is (e.g. `implausible as unix-ms; plausible as unix-s`).
    pub flag: Option<String>,
}

/// Convert a raw value stored in `unit`. Zero and negative values are "not set" (`None`).
pub fn stamp(raw: f64, unit: Unit) -> Option<Stamp> {
    if raw == 0.0 || raw.is_nan() || raw < 0.0 && !matches!(unit, Unit::CocoaS | Unit::CocoaNs) {
        return None;
    }
    if raw == -1.0 {
        return None;
    }
    let raw_text = if raw.fract() == 0.0 && raw.abs() < 9.0e15 { format!("{}", raw as i64) } else { format!("{raw}") };
    let utc_us = unit.to_unix_us(raw);
    let plausible = |us: Option<i64>| us.is_some_and(|u| (MIN_PLAUSIBLE_US..MAX_PLAUSIBLE_US).contains(&u));
    let flag = if plausible(utc_us) {
        None
    } else {
        let alternatives: Vec<&str> = Unit::ALL.iter().filter(|u| **u != unit && plausible(u.to_unix_us(raw))).map(|u| u.as_str()).collect();
        Some(if alternatives.is_empty() {
            format!("implausible as {}; no unit gives a date between 1995 and 2045", unit.as_str())
        } else {
            format!("implausible as {}; plausible as {}", unit.as_str(), alternatives.join(" or "))
        })
    };
    Some(Stamp { utc_us, raw: raw_text, unit, flag })
}

/// Convert an integer raw value.
pub fn stamp_i(raw: i64, unit: Unit) -> Option<Stamp> {
    let mut s = stamp(raw as f64, unit)?;
    s.raw = raw.to_string();
    if matches!(unit, Unit::UnixNs | Unit::CocoaNs | Unit::DotNetTicks | Unit::WebKitUs | Unit::UnixUs) {
        // Exact integer arithmetic for the fine units (f64 loses nanoseconds).
        s.utc_us = match unit {
            Unit::UnixUs => Some(raw),
            Unit::UnixNs => Some(raw.div_euclid(1000)),
            Unit::CocoaNs => raw.div_euclid(1000).checked_add(COCOA_OFFSET_S * 1_000_000),
            Unit::WebKitUs => raw.checked_sub(WEBKIT_OFFSET_S * 1_000_000),
            Unit::DotNetTicks => raw.div_euclid(10).checked_sub(DOTNET_OFFSET_S * 1_000_000),
            _ => s.utc_us,
        };
    }
    Some(s)
}

/// Flag a stamp whose value only makes sense in `other`, although its declared unit happens to give
/// a date in the plausible window (Cocoa seconds read as Cocoa nanoseconds land in the first
/// seconds of 2001). The UTC value stays the declared unit's; an existing flag is kept.
pub fn flag_other_unit(s: &mut Stamp, raw: f64, other: Unit) {
    if s.flag.is_some() {
        return;
    }
    let plausible = other.to_unix_us(raw).is_some_and(|u| (MIN_PLAUSIBLE_US..MAX_PLAUSIBLE_US).contains(&u));
    s.flag = Some(if plausible {
        format!("implausible as {}; plausible as {}", s.unit.as_str(), other.as_str())
    } else {
        format!("implausible as {} for this database; no unit gives a date between 1995 and 2045", s.unit.as_str())
    });
}

/// RFC 3339 text of a UTC µs instant.
pub fn rfc3339(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_else(|| format!("{us} µs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_710_000_000; // 2024-03-09T16:00:00Z

    #[test]
    fn every_unit_reaches_the_same_instant() {
        let us = T * 1_000_000;
        assert_eq!(stamp_i(T, Unit::UnixS).unwrap().utc_us, Some(us));
        assert_eq!(stamp_i(T * 1000, Unit::UnixMs).unwrap().utc_us, Some(us));
        assert_eq!(stamp_i(T * 1_000_000, Unit::UnixUs).unwrap().utc_us, Some(us));
        assert_eq!(stamp_i(T * 1_000_000_000, Unit::UnixNs).unwrap().utc_us, Some(us));
        assert_eq!(stamp(((T - COCOA_OFFSET_S) as f64) + 0.5, Unit::CocoaS).unwrap().utc_us, Some(us + 500_000));
        assert_eq!(stamp_i((T - COCOA_OFFSET_S) * 1_000_000_000 + 1234, Unit::CocoaNs).unwrap().utc_us, Some(us + 1));
        assert_eq!(stamp_i((T + WEBKIT_OFFSET_S) * 1_000_000, Unit::WebKitUs).unwrap().utc_us, Some(us));
        assert_eq!(stamp_i((T + DOTNET_OFFSET_S) * 10_000_000, Unit::DotNetTicks).unwrap().utc_us, Some(us));
        assert_eq!(rfc3339(us), "2024-03-09T16:00:00Z");
    }

    #[test]
    fn epochs_themselves_and_boundaries() {
        // Cocoa zero is "not set", but one second after the Cocoa epoch converts (and is flagged: 2001 is plausible).
        assert!(stamp_i(0, Unit::CocoaS).is_none());
        assert_eq!(stamp_i(1, Unit::CocoaS).unwrap().utc_us, Some((COCOA_OFFSET_S + 1) * 1_000_000));
        assert_eq!(rfc3339(stamp_i(1, Unit::CocoaS).unwrap().utc_us.unwrap()), "2001-01-01T00:00:01Z");
        // WebKit epoch + exactly the 1970 offset is the Unix epoch.
        assert_eq!(stamp_i(WEBKIT_OFFSET_S * 1_000_000 + 1, Unit::WebKitUs).unwrap().utc_us, Some(1));
        // Before 1970 in Cocoa terms is negative: still converted.
        assert!(stamp(-1.5, Unit::CocoaS).unwrap().utc_us.unwrap() < COCOA_OFFSET_S * 1_000_000);
        // Huge values do not overflow.
        assert!(stamp_i(i64::MAX, Unit::UnixMs).unwrap().utc_us.is_none() || stamp_i(i64::MAX, Unit::UnixMs).unwrap().flag.is_some());
        assert!(stamp_i(i64::MAX, Unit::CocoaNs).unwrap().flag.is_some());
    }

    #[test]
    fn a_value_in_the_wrong_unit_is_flagged_not_guessed() {
        // Seconds stored where milliseconds are declared: 1970-01-20, flagged, not moved.
        let s = stamp_i(T, Unit::UnixMs).unwrap();
        assert_eq!(s.utc_us, Some(T * 1000));
        let flag = s.flag.unwrap();
        assert!(flag.contains("implausible as unix-ms") && flag.contains("unix-s"), "{flag}");
        // Cocoa seconds declared but the value is Cocoa nanoseconds.
        let s = stamp_i((T - COCOA_OFFSET_S) * 1_000_000_000, Unit::CocoaS).unwrap();
        assert!(s.flag.unwrap().contains("cocoa-ns"));
        // A plausible value carries no flag.
        assert!(stamp_i(T * 1000, Unit::UnixMs).unwrap().flag.is_none());
        assert_eq!(stamp_i(T * 1000, Unit::UnixMs).unwrap().raw, (T * 1000).to_string());
    }
}
