//! Android call log: `calllog.db` (Android 7+) and the `calls` table of `contacts2.db` (before
//! Android 7), formats.md §2.7. A `contacts2.db` without `calls` is a newer device: the run ends
//! with "ran, found nothing".
//!
//! - `date` Unix ms; `duration` seconds; `features & 1` video; `deleted` = 1 (pending sync
//!   deletion, newer schemas) → deleted.
//! - `type`: 1 incoming (answered), 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked,
//!   7 answered elsewhere; kept as the call's status under those names. Answered: 1 → yes;
//!   3–6 → no; 7 → not recorded (answered on another device); outgoing → yes when the duration is
//!   above 0, else not recorded. Other values → direction unknown, status `type N`.
//! - Service `phone`, unless `subscription_component_name` names a self-managed calling app
//!   (anything other than the telephony / Telecom services): then that app's package.
//! - Not read: Samsung `logs.db` (`logs` table), `presentation` (withheld numbers show no peer).

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Call, CallStatus, Direction, Sink};
use super::super::sqlite::{as_i64, col_or_null, has_table, require, what};
use super::super::time::{Unit, stamp_i};
use super::super::{ParseCtx, ParseError, Parser};
use super::text;

/// The parser.
pub struct AndroidCallLog;

/// Direction and "answered" of a call `type`.
fn call_type(t: Option<i64>, duration: Option<i64>) -> (Direction, Option<bool>) {
    match t {
        Some(1) => (Direction::Incoming, Some(true)),
        Some(2) => (Direction::Outgoing, duration.filter(|d| *d > 0).map(|_| true)),
        Some(3..=6) => (Direction::Incoming, Some(false)),
        Some(7) => (Direction::Incoming, None),
        _ => (Direction::Unknown, None),
    }
}

/// Status of a call `type` (`None` when the column is NULL or missing).
fn call_status(t: Option<i64>) -> Option<CallStatus> {
    Some(match t? {
        1 => CallStatus::Incoming,
        2 => CallStatus::Outgoing,
        3 => CallStatus::Missed,
        4 => CallStatus::Voicemail,
        5 => CallStatus::Rejected,
        6 => CallStatus::Blocked,
        7 => CallStatus::AnsweredElsewhere,
        other => CallStatus::Other(format!("type {other}")),
    })
}

/// `phone`, or the package of a self-managed calling app.
fn service(component: Option<&str>) -> String {
    match component {
        Some(c) => {
            let pkg = c.split('/').next().unwrap_or(c);
            let telephony = c.to_ascii_lowercase().contains("telephony")
                || matches!(pkg, "com.android.phone" | "com.android.server.telecom" | "com.samsung.android.incallui" | "com.google.android.dialer" | "");
            if telephony { "phone".into() } else { pkg.to_string() }
        }
        None => "phone".into(),
    }
}

impl Parser for AndroidCallLog {
    fn name(&self) -> &'static str {
        "android-calllog"
    }
    fn version(&self) -> &'static str {
        "2"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &[
            "*/com.android.providers.contacts/databases/calllog.db",
            "*/com.samsung.android.providers.contacts/databases/calllog.db",
            "*/com.android.providers.contacts/databases/contacts2.db",
            "*/com.samsung.android.providers.contacts/databases/contacts2.db",
        ]
    }

    fn parse(&self, db: &Connection, ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        if !has_table(db, "calls") {
            if ctx.path.to_ascii_lowercase().ends_with("/contacts2.db") {
                // Android 7+: the call log lives in calllog.db.
                return Ok(());
            }
            return Err(ParseError::Schema("no `calls` table: not an Android call log".into()));
        }
        let c = require(db, "calls", &["_id", "number", "date", "type"]).map_err(|e| what(e, "unexpected Android call log schema"))?;
        let sql = format!(
            "SELECT _id, {}, {}, {}, {}, {}, {}, {}, {} FROM calls ORDER BY _id",
            col_or_null(&c, "number"),
            col_or_null(&c, "date"),
            col_or_null(&c, "duration"),
            col_or_null(&c, "type"),
            col_or_null(&c, "name"),
            col_or_null(&c, "features"),
            col_or_null(&c, "subscription_component_name"),
            col_or_null(&c, "deleted"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let duration = as_i64(r.get_ref(3)?);
            let ty = as_i64(r.get_ref(4)?);
            let (direction, answered) = call_type(ty, duration);
            out.put(Artefact::Call(Call {
                src: ("calls", as_i64(r.get_ref(0)?)),
                service: service(text(r.get_ref(7)?).as_deref()),
                direction,
                peer: text(r.get_ref(1)?),
                peer_name: text(r.get_ref(5)?),
                start: as_i64(r.get_ref(2)?).and_then(|v| stamp_i(v, Unit::UnixMs)),
                duration_s: duration.map(|d| d as f64),
                answered,
                status: call_status(ty),
                video: as_i64(r.get_ref(6)?).is_some_and(|f| f & 1 == 1),
                deleted: as_i64(r.get_ref(8)?) == Some(1),
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_services() {
        assert_eq!(call_type(Some(3), Some(0)), (Direction::Incoming, Some(false)));
        assert_eq!(call_type(Some(2), Some(0)), (Direction::Outgoing, None));
        assert_eq!(call_type(Some(2), Some(12)), (Direction::Outgoing, Some(true)));
        assert_eq!(call_type(Some(99), None), (Direction::Unknown, None));
        let names: Vec<Option<String>> = [None, Some(1), Some(2), Some(3), Some(4), Some(5), Some(6), Some(7), Some(99)].into_iter().map(|t| call_status(t).map(|s| s.as_str().to_string())).collect();
        assert_eq!(
            names,
            [None, Some("incoming"), Some("outgoing"), Some("missed"), Some("voicemail"), Some("rejected"), Some("blocked"), Some("answered elsewhere"), Some("type 99")]
                .map(|s| s.map(String::from))
        );
        assert_eq!(service(Some("com.android.phone/com.android.services.telephony.TelephonyConnectionService")), "phone");
        assert_eq!(service(Some("com.whatsapp/com.whatsapp.voipcalling.SelfManagedConnectionService")), "com.whatsapp");
        assert_eq!(service(None), "phone");
    }
}
