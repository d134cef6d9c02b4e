//! iOS call history (formats.md §2.3): `CallHistory.storedata` (Core Data, iOS 8+) and the legacy
//! `call_history.db` (iOS ≤ 7).
//!
//! Core Data `ZCALLRECORD`:
//! - `ZDATE` Cocoa seconds (float), `ZDURATION` seconds (float);
//! - `ZORIGINATED` 1 = outgoing, 0 = incoming; `ZANSWERED` kept as recorded (`None` when NULL);
//! - status: `outgoing` (originated), `incoming` (answered), `missed` (incoming, `ZANSWERED` 0:
//!   iOS records a declined call the same way, so "rejected" is never claimed), none when the
//!   columns are NULL;
//! - `ZCALLTYPE` 1 phone, 8 FaceTime video, 16 FaceTime audio, 0 third-party (CallKit): the service
//!   is then named from `ZSERVICE_PROVIDER` (`net.whatsapp.WhatsApp` → `whatsapp` …; an unknown
//!   bundle id is kept as the service name);
//! - `ZADDRESS` may be a BLOB: decoded as UTF-8 (NUL padding trimmed).
//!
//! Legacy `call`: `date` Unix seconds, `duration`, direction `flags & 1` (1 = outgoing); status
//! `outgoing` for those, none for incoming ones (whether they were answered is not recorded).
//!
//! Not decoded: `ZDISCONNECTED_CAUSE`, `ZLOCATION`/`ZISO_COUNTRY_CODE`, group FaceTime participants
//! (`ZHANDLE` via `Z_2REMOTEPARTICIPANTHANDLES`), `ZFACE_TIME_DATA`; whether a third-party call
//! was video (not recorded in `ZCALLTYPE`); the other bits of the legacy `flags`.

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Call, CallStatus, Direction, Sink};
use super::super::sqlite::{as_f64, as_i64, as_text, columns, qcol};
use super::super::time::{Unit, stamp, stamp_i};
use super::super::{ParseCtx, ParseError, Parser};
use super::{cocoa_s, nonempty};

/// The parser.
pub struct IosCallHistory;

/// Service name of a CallKit provider bundle id.
pub(super) fn provider_service(bundle: &str) -> String {
    let b = bundle.to_ascii_lowercase();
    let known = [
        ("net.whatsapp.whatsappsmb", "whatsapp-business"),
        ("net.whatsapp.whatsapp", "whatsapp"),
        ("org.whispersystems.signal", "signal"),
        ("ph.telegra.telegraph", "telegram"),
        ("com.viber", "viber"),
        ("com.skype", "skype"),
        ("com.facebook.messenger", "messenger"),
        ("com.burbn.instagram", "instagram"),
        ("com.apple.telephony", "phone"),
        ("com.apple.facetime", "facetime"),
    ];
    known.iter().find(|(prefix, _)| b.starts_with(prefix)).map(|(_, s)| s.to_string()).unwrap_or_else(|| bundle.to_string())
}

/// (service, video) of a `ZCALLTYPE` and `ZSERVICE_PROVIDER`.
fn service_of(calltype: Option<i64>, provider: Option<&str>) -> (String, bool) {
    match calltype {
        Some(1) => ("phone".into(), false),
        Some(8) => ("facetime".into(), true),
        Some(16) => ("facetime".into(), false),
        other => match provider {
            Some(p) => (provider_service(p), false),
            None => (other.map(|t| format!("call type {t}")).unwrap_or_else(|| "callkit".into()), false),
        },
    }
}

/// Status of a `ZORIGINATED` / `ZANSWERED` pair.
fn status(originated: Option<i64>, answered: Option<i64>) -> Option<CallStatus> {
    match (originated?, answered) {
        (1, _) => Some(CallStatus::Outgoing),
        (0, Some(0)) => Some(CallStatus::Missed),
        (0, Some(_)) => Some(CallStatus::Incoming),
        _ => None,
    }
}

fn direction(v: Option<i64>) -> Direction {
    match v {
        Some(1) => Direction::Outgoing,
        Some(0) => Direction::Incoming,
        _ => Direction::Unknown,
    }
}

impl IosCallHistory {
    fn core_data(db: &Connection, out: &mut dyn Sink) -> Result<(), ParseError> {
        let c = columns(db, "ZCALLRECORD");
        if !c.iter().any(|x| x.eq_ignore_ascii_case("ZDATE")) {
            return Err(ParseError::Schema("`ZCALLRECORD` has no `ZDATE` column: not an iOS CallHistory.storedata".into()));
        }
        let sql = format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM ZCALLRECORD r ORDER BY r.Z_PK",
            qcol(&c, "r", "Z_PK"),
            qcol(&c, "r", "ZDATE"),
            qcol(&c, "r", "ZDURATION"),
            qcol(&c, "r", "ZORIGINATED"),
            qcol(&c, "r", "ZANSWERED"),
            qcol(&c, "r", "ZCALLTYPE"),
            qcol(&c, "r", "ZADDRESS"),
            qcol(&c, "r", "ZNAME"),
            qcol(&c, "r", "ZSERVICE_PROVIDER"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let provider = nonempty(as_text(r.get_ref(8)?));
            let (service, video) = service_of(as_i64(r.get_ref(5)?), provider.as_deref());
            out.put(Artefact::Call(Call {
                src: ("ZCALLRECORD", as_i64(r.get_ref(0)?)),
                service,
                direction: direction(as_i64(r.get_ref(3)?)),
                peer: nonempty(as_text(r.get_ref(6)?)),
                peer_name: nonempty(as_text(r.get_ref(7)?)),
                start: cocoa_s(as_f64(r.get_ref(1)?)),
                duration_s: as_f64(r.get_ref(2)?),
                answered: as_i64(r.get_ref(4)?).map(|a| a != 0),
                status: status(as_i64(r.get_ref(3)?), as_i64(r.get_ref(4)?)),
                video,
                deleted: false,
            }))?;
        }
        Ok(())
    }

    fn legacy(db: &Connection, out: &mut dyn Sink) -> Result<(), ParseError> {
        let c = columns(db, "call");
        if !c.iter().any(|x| x.eq_ignore_ascii_case("date")) || !c.iter().any(|x| x.eq_ignore_ascii_case("address")) {
            return Err(ParseError::Schema("`call` has no `date`/`address` columns: not an iOS call_history.db".into()));
        }
        let sql = format!(
            "SELECT c.ROWID, {}, {}, {}, {}, {} FROM call c ORDER BY c.ROWID",
            qcol(&c, "c", "address"),
            qcol(&c, "c", "date"),
            qcol(&c, "c", "duration"),
            qcol(&c, "c", "flags"),
            qcol(&c, "c", "name"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let date = r.get_ref(2)?;
            let start = match date {
                rusqlite::types::ValueRef::Integer(i) => stamp_i(i, Unit::UnixS),
                v => as_f64(v).and_then(|f| stamp(f, Unit::UnixS)),
            };
            let direction = as_i64(r.get_ref(4)?).map(|f| if f & 1 == 1 { Direction::Outgoing } else { Direction::Incoming }).unwrap_or(Direction::Unknown);
            out.put(Artefact::Call(Call {
                src: ("call", as_i64(r.get_ref(0)?)),
                service: "phone".into(),
                direction,
                peer: nonempty(as_text(r.get_ref(1)?)),
                peer_name: nonempty(as_text(r.get_ref(5)?)),
                start,
                duration_s: as_f64(r.get_ref(3)?),
                answered: None,
                status: (direction == Direction::Outgoing).then_some(CallStatus::Outgoing),
                video: false,
                deleted: false,
            }))?;
        }
        Ok(())
    }
}

impl Parser for IosCallHistory {
    fn name(&self) -> &'static str {
        "ios-callhistory"
    }
    fn version(&self) -> &'static str {
        "2"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/Library/CallHistoryDB/CallHistory.storedata", "*/Library/CallHistory/call_history.db"]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        if !columns(db, "ZCALLRECORD").is_empty() {
            Self::core_data(db, out)
        } else if !columns(db, "call").is_empty() {
            Self::legacy(db, out)
        } else {
            Err(ParseError::Schema("neither `ZCALLRECORD` nor `call` table: not an iOS CallHistory.storedata or call_history.db".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_from_call_type_and_provider() {
        assert_eq!(service_of(Some(1), Some("com.apple.Telephony")), ("phone".to_string(), false));
        assert_eq!(service_of(Some(8), None), ("facetime".to_string(), true));
        assert_eq!(service_of(Some(16), Some("com.apple.FaceTime")), ("facetime".to_string(), false));
        assert_eq!(service_of(Some(0), Some("net.whatsapp.WhatsApp")), ("whatsapp".to_string(), false));
        assert_eq!(service_of(Some(0), Some("net.whatsapp.WhatsAppSMB")), ("whatsapp-business".to_string(), false));
        assert_eq!(service_of(Some(0), Some("org.whispersystems.signal")), ("signal".to_string(), false));
        assert_eq!(service_of(Some(0), Some("com.example.Unknown")), ("com.example.Unknown".to_string(), false));
        assert_eq!(service_of(Some(0), None), ("call type 0".to_string(), false));
        assert_eq!(service_of(None, None), ("callkit".to_string(), false));
    }

    #[test]
    fn statuses_from_originated_and_answered() {
        assert_eq!(status(Some(1), Some(0)), Some(CallStatus::Outgoing));
        assert_eq!(status(Some(0), Some(1)), Some(CallStatus::Incoming));
        assert_eq!(status(Some(0), Some(0)), Some(CallStatus::Missed));
        assert_eq!(status(Some(0), None), None);
        assert_eq!(status(None, Some(1)), None);
    }
}
