//! Accounts configured on the device: iOS `Accounts3.sqlite` and Android `accounts_ce.db` /
//! `accounts.db`. Accounts tie a phone to e-mail addresses, Apple IDs and Google accounts, the
//! identifiers that link one person across devices. Passwords are never read.

use rusqlite::Connection;

use super::artefacts::{Account, Artefact, Sink};
use super::sqlite::{as_f64, as_i64, as_text, columns, has_table, qcol, require, what};
use super::time::{Unit, stamp};
use super::{ParseCtx, ParseError, Parser};

/// iOS `Accounts3.sqlite` (`ZACCOUNT` joined to `ZACCOUNTTYPE`; `ZDATE` Cocoa seconds).
pub struct IosAccounts;

impl Parser for IosAccounts {
    fn name(&self) -> &'static str {
        "ios-accounts"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/Library/Accounts/Accounts3.sqlite"]
    }
    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let cols = columns(db, "ZACCOUNT");
        if cols.is_empty() {
            return Err(ParseError::Schema("no ZACCOUNT table: not an iOS Accounts3.sqlite".into()));
        }
        require(db, "ZACCOUNT", &["Z_PK"]).map_err(|e| what(e, "unexpected iOS Accounts3.sqlite schema"))?;
        let tcols = columns(db, "ZACCOUNTTYPE");
        if !tcols.is_empty() {
            require(db, "ZACCOUNT", &["ZACCOUNTTYPE"]).map_err(|e| what(e, "unexpected iOS Accounts3.sqlite schema"))?;
            require(db, "ZACCOUNTTYPE", &["Z_PK"]).map_err(|e| what(e, "unexpected iOS Accounts3.sqlite schema"))?;
        }
        let type_join = if tcols.is_empty() { "" } else { "LEFT JOIN ZACCOUNTTYPE t ON t.Z_PK = a.ZACCOUNTTYPE" };
        let sql = format!(
            "SELECT a.Z_PK, {user}, {desc}, {date}, {tdesc}, {tident} FROM ZACCOUNT a {type_join} ORDER BY a.Z_PK",
            user = qcol(&cols, "a", "ZUSERNAME"),
            desc = qcol(&cols, "a", "ZACCOUNTDESCRIPTION"),
            date = qcol(&cols, "a", "ZDATE"),
            tdesc = if tcols.is_empty() { "NULL".into() } else { qcol(&tcols, "t", "ZACCOUNTTYPEDESCRIPTION") },
            tident = if tcols.is_empty() { "NULL".into() } else { qcol(&tcols, "t", "ZIDENTIFIER") },
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let type_desc = as_text(r.get_ref(4)?);
            let service = as_text(r.get_ref(5)?).or(type_desc).unwrap_or_else(|| "unknown".into());
            out.put(Artefact::Account(Account {
                src: ("ZACCOUNT", as_i64(r.get_ref(0)?)),
                service,
                username: as_text(r.get_ref(1)?).filter(|s| !s.is_empty()),
                display_name: as_text(r.get_ref(2)?).filter(|s| !s.is_empty()),
                created: as_f64(r.get_ref(3)?).and_then(|v| stamp(v, Unit::CocoaS)),
            }))?;
        }
        Ok(())
    }
}

/// Android `accounts_ce.db` (Android 7+) and `accounts.db` (older): the `accounts` table.
pub struct AndroidAccounts;

impl Parser for AndroidAccounts {
    fn name(&self) -> &'static str {
        "android-accounts"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/system_ce/*/accounts_ce.db", "*/system/users/*/accounts.db", "*/system/accounts.db"]
    }
    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        if !has_table(db, "accounts") {
            return Err(ParseError::Schema("no `accounts` table: not an Android accounts database".into()));
        }
        require(db, "accounts", &["_id", "name", "type"]).map_err(|e| what(e, "unexpected Android accounts database schema"))?;
        let mut st = db.prepare("SELECT a._id, a.name, a.type FROM accounts a ORDER BY a._id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            out.put(Artefact::Account(Account {
                src: ("accounts", as_i64(r.get_ref(0)?)),
                service: as_text(r.get_ref(2)?).unwrap_or_else(|| "unknown".into()),
                username: as_text(r.get_ref(1)?),
                display_name: None,
                created: None,
            }))?;
        }
        Ok(())
    }
}
