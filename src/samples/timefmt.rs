//! Epoch conversions and civil-date formatting, without the wall clock.

/// Seconds between 1970-01-01 and 2001-01-01 (Cocoa epoch).
pub const COCOA_OFFSET: i64 = 978_307_200;
/// Seconds between 1601-01-01 and 1970-01-01 (WebKit/Chrome epoch).
pub const WEBKIT_OFFSET: i64 = 11_644_473_600;

/// Unix seconds → Cocoa seconds.
pub fn cocoa_s(unix: i64) -> f64 {
    (unix - COCOA_OFFSET) as f64
}

/// Unix seconds → Cocoa nanoseconds (iOS ≥ 11 `sms.db`).
pub fn cocoa_ns(unix: i64) -> i64 {
    (unix - COCOA_OFFSET) * 1_000_000_000
}

/// Unix seconds → WebKit microseconds (Chrome `History`).
pub fn webkit_us(unix: i64) -> i64 {
    (unix + WEBKIT_OFFSET) * 1_000_000
}

/// Unix seconds → Unix milliseconds.
pub fn unix_ms(unix: i64) -> i64 {
    unix * 1000
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Broken-down time of `unix + offset_s`: (year, month, day, hour, minute, second).
pub fn parts(unix: i64, offset_s: i64) -> (i64, u32, u32, u32, u32, u32) {
    let t = unix + offset_s;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (y, m, d, (secs / 3600) as u32, ((secs % 3600) / 60) as u32, (secs % 60) as u32)
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_utc(unix: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(unix, 0);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `YYYY-MM-DD` in local time at `offset_s`.
pub fn date_local(unix: i64, offset_s: i64) -> String {
    let (y, mo, d, ..) = parts(unix, offset_s);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// Central European offset for a date (CET +1 h, CEST +2 h between the last Sundays of March and
/// October at 01:00 UTC), good enough for placing synthetic local times.
pub fn paris_offset(unix: i64) -> i64 {
    let (y, ..) = parts(unix, 0);
    let last_sunday = |month: u32| -> i64 {
        // Days of the 31st of the month, then back to Sunday (1970-01-01 was a Thursday).
        let days = days_from_civil(y, month, 31);
        let weekday = (days + 4).rem_euclid(7); // 0 = Sunday
        (days - weekday) * 86_400 + 3600
    };
    if unix >= last_sunday(3) && unix < last_sunday(10) { 7200 } else { 3600 }
}

/// (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RFC 2822 date in local time at `offset_s` (for e-mail headers).
pub fn rfc2822(unix: i64, offset_s: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(unix, offset_s);
    let days = (unix + offset_s).div_euclid(86_400);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][(mo - 1) as usize];
    let sign = if offset_s < 0 { '-' } else { '+' };
    let o = offset_s.abs();
    format!("{wd}, {d:02} {mon} {y} {h:02}:{mi:02}:{s:02} {sign}{:02}{:02}", o / 3600, (o % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(iso_utc(1_709_510_400), "2024-03-04T00:00:00Z");
        assert_eq!(days_from_civil(2024, 3, 4), 1_709_510_400 / 86_400);
        assert_eq!(paris_offset(1_709_510_400), 3600);
        assert_eq!(paris_offset(1_712_000_000), 7200); // 2024-04-01
        assert_eq!(rfc2822(1_709_510_400, 3600), "Mon, 04 Mar 2024 01:00:00 +0100");
    }
}
