//! Versioned schema migrations of the case file.
//!
//! The schema version lives in `PRAGMA user_version`; `PRAGMA application_id` marks the file as a
//! Threadline case. Each migration moves the file from version `n - 1` to `n` inside one
//! transaction. Migrations are append-only: a released migration is never edited, so a case written
//! by any older Threadline can be upgraded (the `compat` tests open a case at every older version).

use rusqlite::Connection;

use crate::error::{Result, SqlContext};

/// `PRAGMA application_id` of a Threadline case ("TLC1").
pub const APPLICATION_ID: i64 = 0x544C_4331;

/// Newest schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // v1: case metadata, sources, files, runs, and the append-only, hash-chained audit log.
    r#"
    CREATE TABLE case_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE sources (
        id             INTEGER PRIMARY KEY,
        label          TEXT NOT NULL,
        container_kind TEXT NOT NULL,
        path           TEXT NOT NULL,
        rel_path       TEXT,
        size           INTEGER,
        mtime_utc      INTEGER,
        sha256         TEXT,
        md5            TEXT,
        added_utc      TEXT NOT NULL,
        added_by       TEXT NOT NULL,
        tool_version   TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('partial', 'complete', 'failed')),
        status_reason  TEXT,
        file_count     INTEGER NOT NULL DEFAULT 0,
        byte_count     INTEGER NOT NULL DEFAULT 0,
        finished_utc   TEXT
    );
    CREATE TABLE files (
        id          INTEGER PRIMARY KEY,
        source_id   INTEGER NOT NULL REFERENCES sources(id),
        parent_id   INTEGER NOT NULL DEFAULT 0,
        seq         INTEGER NOT NULL,
        path        TEXT NOT NULL,
        raw_path    TEXT NOT NULL,
        kind        TEXT NOT NULL,
        size        INTEGER,
        mtime_utc   INTEGER,
        atime_utc   INTEGER,
        ctime_utc   INTEGER,
        btime_utc   INTEGER,
        md5         TEXT,
        sha1        TEXT,
        sha256      TEXT,
        sniffed     TEXT,
        link_target TEXT,
        UNIQUE (source_id, parent_id, seq)
    );
    CREATE INDEX files_sha256 ON files(sha256);
    CREATE INDEX files_md5 ON files(md5);
    CREATE INDEX files_path ON files(source_id, path);
    CREATE TABLE runs (
        id           INTEGER PRIMARY KEY,
        source_id    INTEGER REFERENCES sources(id),
        kind         TEXT NOT NULL,
        name         TEXT NOT NULL,
        version      TEXT NOT NULL,
        started_utc  TEXT NOT NULL,
        finished_utc TEXT,
        status       TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
        item_count   INTEGER NOT NULL DEFAULT 0,
        error_count  INTEGER NOT NULL DEFAULT 0,
        message      TEXT
    );
    CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at_utc    TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        row_hash  TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    "#,
    // v2: per-entry problems found during ingest, entry flags and read errors, and the digest of a
    // finished source's file list (so that `verify` notices an edited hash even when the evidence
    // is no longer reachable).
    r#"
    ALTER TABLE files ADD COLUMN flags TEXT;
    ALTER TABLE files ADD COLUMN error TEXT;
    ALTER TABLE sources ADD COLUMN manifest_sha256 TEXT;
    CREATE TABLE ingest_issues (
        id        INTEGER PRIMARY KEY,
        run_id    INTEGER REFERENCES runs(id),
        source_id INTEGER REFERENCES sources(id),
        parent_id INTEGER NOT NULL DEFAULT 0,
        seq       INTEGER,
        path      TEXT,
        severity  TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
        code      TEXT NOT NULL,
        message   TEXT NOT NULL
    );
    CREATE INDEX ingest_issues_source ON ingest_issues(source_id);
    "#,
    // v3: the review layer the examiner builds: tags on items, people with their identifiers and
    // roles, exhibits. Items are referenced by provenance (source, virtual path, table, row id), the
    // same key every parsed artefact carries.
    r#"
    CREATE TABLE identifiers (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        normalised TEXT NOT NULL,
        UNIQUE (kind, normalised)
    );
    CREATE TABLE persons (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        note        TEXT,
        created_utc TEXT NOT NULL,
        created_by  TEXT NOT NULL
    );
    CREATE TABLE person_identifiers (
        person_id     INTEGER NOT NULL REFERENCES persons(id),
        identifier_id INTEGER NOT NULL REFERENCES identifiers(id),
        added_utc     TEXT NOT NULL,
        added_by      TEXT NOT NULL,
        PRIMARY KEY (person_id, identifier_id)
    );
    CREATE TABLE roles (
        id          INTEGER PRIMARY KEY,
        person_id   INTEGER NOT NULL REFERENCES persons(id),
        role        TEXT NOT NULL,
        note        TEXT,
        created_utc TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        UNIQUE (person_id, role)
    );
    CREATE TABLE tags (
        id          INTEGER PRIMARY KEY,
        source_id   INTEGER NOT NULL REFERENCES sources(id),
        path        TEXT NOT NULL,
        table_name  TEXT,
        row_id      INTEGER,
        tag         TEXT NOT NULL,
        note        TEXT,
        created_utc TEXT NOT NULL,
        created_by  TEXT NOT NULL
    );
    CREATE INDEX tags_item ON tags(source_id, path, table_name, row_id);
    CREATE TABLE exhibits (
        id          INTEGER PRIMARY KEY,
        title       TEXT NOT NULL,
        description TEXT,
        created_utc TEXT NOT NULL,
        created_by  TEXT NOT NULL
    );
    CREATE TABLE exhibit_items (
        id         INTEGER PRIMARY KEY,
        exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
        source_id  INTEGER NOT NULL REFERENCES sources(id),
        path       TEXT NOT NULL,
        table_name TEXT,
        row_id     INTEGER,
        note       TEXT,
        added_utc  TEXT NOT NULL,
        added_by   TEXT NOT NULL
    );
    "#,
    // v4: artefacts parsed from the evidence. Every row keeps its provenance (source, file, table,
    // row id, parser and version) and every instant its raw value and unit next to the UTC value.
    r#"
    ALTER TABLE runs ADD COLUMN file_id INTEGER;
    ALTER TABLE sources ADD COLUMN timezone TEXT;
    CREATE TABLE threads (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        service        TEXT NOT NULL,
        thread_key     TEXT NOT NULL,
        name           TEXT,
        is_group       INTEGER NOT NULL DEFAULT 0,
        participants   TEXT
    );
    CREATE TABLE messages (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        thread_id      INTEGER REFERENCES threads(id),
        service        TEXT NOT NULL,
        direction      TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'unknown')),
        sender         TEXT,
        recipients     TEXT,
        body           TEXT,
        body_source    TEXT,
        sent_utc       INTEGER,
        sent_raw       TEXT,
        sent_unit      TEXT,
        read_utc       INTEGER,
        read_raw       TEXT,
        read_unit      TEXT,
        received_utc   INTEGER,
        received_raw   TEXT,
        received_unit  TEXT,
        time_flag      TEXT,
        status         TEXT,
        deleted        INTEGER NOT NULL DEFAULT 0,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE INDEX messages_time ON messages(sent_utc);
    CREATE INDEX messages_thread ON messages(thread_id);
    CREATE INDEX messages_prov ON messages(source_id, file_id, src_table, src_row);
    CREATE TABLE attachments (
        id             INTEGER PRIMARY KEY,
        message_id     INTEGER REFERENCES messages(id),
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        filename       TEXT,
        mime           TEXT,
        size           INTEGER,
        evidence_path  TEXT,
        linked_file_id INTEGER REFERENCES files(id)
    );
    CREATE TABLE calls (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        service        TEXT NOT NULL,
        direction      TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'unknown')),
        peer           TEXT,
        peer_name      TEXT,
        start_utc      INTEGER,
        start_raw      TEXT,
        start_unit     TEXT,
        time_flag      TEXT,
        duration_s     REAL,
        answered       INTEGER,
        video          INTEGER NOT NULL DEFAULT 0,
        deleted        INTEGER NOT NULL DEFAULT 0,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE INDEX calls_time ON calls(start_utc);
    CREATE TABLE contacts (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        name           TEXT,
        account        TEXT,
        entries        TEXT NOT NULL,
        created_utc    INTEGER,
        created_raw    TEXT,
        created_unit   TEXT,
        deleted        INTEGER NOT NULL DEFAULT 0,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE TABLE web_visits (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        browser        TEXT NOT NULL,
        url            TEXT NOT NULL,
        title          TEXT,
        visit_utc      INTEGER,
        visit_raw      TEXT,
        visit_unit     TEXT,
        time_flag      TEXT,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE INDEX web_visits_time ON web_visits(visit_utc);
    CREATE TABLE media (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        make           TEXT,
        model          TEXT,
        software       TEXT,
        taken_local    TEXT,
        taken_offset   TEXT,
        taken_utc      INTEGER,
        taken_basis    TEXT,
        gps_lat        REAL,
        gps_lon        REAL,
        gps_alt        REAL,
        gps_utc        INTEGER,
        width          INTEGER,
        height         INTEGER,
        orientation    INTEGER,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE INDEX media_file ON media(file_id);
    CREATE INDEX media_time ON media(taken_utc);
    CREATE TABLE locations (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        kind           TEXT NOT NULL,
        lat            REAL NOT NULL,
        lon            REAL NOT NULL,
        alt            REAL,
        accuracy_m     REAL,
        at_utc         INTEGER,
        at_raw         TEXT,
        at_unit        TEXT,
        time_flag      TEXT,
        name           TEXT,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE INDEX locations_time ON locations(at_utc);
    CREATE TABLE accounts (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        service        TEXT NOT NULL,
        username       TEXT,
        display_name   TEXT,
        created_utc    INTEGER,
        created_raw    TEXT,
        created_unit   TEXT,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    CREATE TABLE apps (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        src_table      TEXT NOT NULL,
        src_row        INTEGER,
        identifier     TEXT NOT NULL,
        name           TEXT,
        version        TEXT,
        installed_utc  INTEGER,
        installed_raw  TEXT,
        installed_unit TEXT,
        deleted        INTEGER NOT NULL DEFAULT 0,
        parser         TEXT NOT NULL,
        parser_version TEXT NOT NULL
    );
    "#,
    // v5: the full-text index (FTS5, case- and diacritics-insensitive) over message bodies, contact
    // names and values, visited URLs and titles, and file names; `fts_state` remembers how far each
    // kind is indexed so the post-pass resumes.
    r#"
    CREATE VIRTUAL TABLE fts_text USING fts5(
        body,
        kind UNINDEXED,
        ref_id UNINDEXED,
        source_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE fts_state (
        kind    TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL
    );
    "#,
    // v6: where each identifier (phone, e-mail, WhatsApp id, IBAN, wallet, handle) was seen, so a
    // person can be followed across devices; `identifier_state` lets the post-pass resume.
    r#"
    CREATE TABLE identifier_sightings (
        identifier_id INTEGER NOT NULL REFERENCES identifiers(id),
        source_id     INTEGER NOT NULL REFERENCES sources(id),
        ref_table     TEXT NOT NULL,
        ref_id        INTEGER NOT NULL,
        field         TEXT NOT NULL,
        UNIQUE (identifier_id, ref_table, ref_id, field)
    );
    CREATE INDEX identifier_sightings_source ON identifier_sightings(source_id);
    CREATE TABLE identifier_state (
        ref_table TEXT PRIMARY KEY,
        last_id   INTEGER NOT NULL
    );
    "#,
    // v7: image pass (decoded-pixel hashes) and near-duplicate groups.
    r#"
    CREATE TABLE image_hashes (
        id             INTEGER PRIMARY KEY,
        source_id      INTEGER NOT NULL REFERENCES sources(id),
        file_id        INTEGER NOT NULL UNIQUE REFERENCES files(id),
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        width          INTEGER,
        height         INTEGER,
        decoded_w      INTEGER,
        decoded_h      INTEGER,
        dhash          INTEGER,
        phash          INTEGER,
        pdq            TEXT,
        pdq_quality    INTEGER,
        pdq_alt        TEXT,
        status         TEXT NOT NULL CHECK (status IN ('ok', 'unsupported', 'corrupt', 'timeout')),
        reason         TEXT
    );
    CREATE INDEX image_hashes_source ON image_hashes(source_id);
    CREATE TABLE similar_groups (
        id                     INTEGER PRIMARY KEY,
        kind                   TEXT NOT NULL,
        threshold              INTEGER NOT NULL,
        representative_file_id INTEGER NOT NULL REFERENCES files(id),
        created_run_id         INTEGER REFERENCES runs(id)
    );
    CREATE TABLE similar_members (
        group_id  INTEGER NOT NULL REFERENCES similar_groups(id),
        file_id   INTEGER NOT NULL REFERENCES files(id),
        distance  INTEGER,
        PRIMARY KEY (group_id, file_id)
    );
    CREATE INDEX similar_members_file ON similar_members(file_id);
    "#,
    // v8: imported hash sets (VICS JSON, CSV, NSRL RDS), their items (hex hashes lower-cased; the
    // VICS record kept verbatim in `raw` for a lossless export; PhotoDNA stored, never matched),
    // and the hits of the case's files against them.
    r#"
    CREATE TABLE hash_sets (
        id             INTEGER PRIMARY KEY,
        name           TEXT NOT NULL,
        kind           TEXT NOT NULL,
        format         TEXT NOT NULL,
        format_version TEXT,
        source_path    TEXT NOT NULL,
        file_sha256    TEXT NOT NULL,
        file_size      INTEGER NOT NULL,
        item_count     INTEGER NOT NULL DEFAULT 0,
        photodna_count INTEGER NOT NULL DEFAULT 0,
        envelope       TEXT,
        imported_utc   TEXT NOT NULL,
        imported_by    TEXT NOT NULL
    );
    CREATE TABLE known_hashes (
        id        INTEGER PRIMARY KEY,
        set_id    INTEGER NOT NULL REFERENCES hash_sets(id),
        seq       INTEGER NOT NULL,
        grp       INTEGER,
        md5       TEXT,
        sha1      TEXT,
        sha256    TEXT,
        pdq       TEXT,
        photodna  TEXT,
        category  TEXT,
        name      TEXT,
        raw       TEXT
    );
    CREATE INDEX known_hashes_set ON known_hashes(set_id, seq);
    CREATE INDEX known_hashes_md5 ON known_hashes(md5);
    CREATE INDEX known_hashes_sha1 ON known_hashes(sha1);
    CREATE INDEX known_hashes_sha256 ON known_hashes(sha256);
    CREATE INDEX known_hashes_pdq ON known_hashes(set_id) WHERE pdq IS NOT NULL;
    CREATE TABLE hash_hits (
        id        INTEGER PRIMARY KEY,
        set_id    INTEGER NOT NULL REFERENCES hash_sets(id),
        known_id  INTEGER NOT NULL REFERENCES known_hashes(id),
        file_id   INTEGER NOT NULL REFERENCES files(id),
        hash_kind TEXT NOT NULL CHECK (hash_kind IN ('md5', 'sha1', 'sha256', 'pdq')),
        distance  INTEGER,
        category  TEXT,
        run_id    INTEGER REFERENCES runs(id),
        UNIQUE (set_id, file_id, hash_kind, known_id)
    );
    CREATE INDEX hash_hits_file ON hash_hits(file_id);
    "#,
    // v9: what the parsers learned to read since v4: a call's status (missed, rejected, blocked,
    // voicemail …), a contact's modification time and the flag of its doubtful times, the search
    // term a web visit came from, and the provenance Cellebrite gives each decoded UFDR model (its
    // id, deleted state, decoding confidence, extraction and the files it was decoded from), one
    // row per artefact row made from a model.
    r#"
    ALTER TABLE calls ADD COLUMN status TEXT;
    ALTER TABLE contacts ADD COLUMN modified_utc INTEGER;
    ALTER TABLE contacts ADD COLUMN modified_raw TEXT;
    ALTER TABLE contacts ADD COLUMN modified_unit TEXT;
    ALTER TABLE contacts ADD COLUMN time_flag TEXT;
    ALTER TABLE web_visits ADD COLUMN search_term TEXT;
    CREATE TABLE ufdr_models (
        ref_table           TEXT NOT NULL,
        ref_id              INTEGER NOT NULL,
        source_id           INTEGER NOT NULL REFERENCES sources(id),
        run_id              INTEGER NOT NULL REFERENCES runs(id),
        model_type          TEXT NOT NULL,
        model_id            TEXT,
        deleted_state       TEXT,
        decoding_confidence TEXT,
        is_related          TEXT,
        is_carved           TEXT,
        source_index        TEXT,
        extraction_id       TEXT,
        extraction_name     TEXT,
        jump_targets        TEXT,
        PRIMARY KEY (ref_table, ref_id)
    );
    CREATE INDEX ufdr_models_model ON ufdr_models(model_id);
    "#,
    // v10: image thumbnails by content SHA-256 (identical files share one): a sharp JPEG and a
    // heavily blurred one shown by default; `version` names the rules that made them.
    r#"
    CREATE TABLE thumbnails (
        sha256      TEXT PRIMARY KEY,
        width       INTEGER NOT NULL,
        height      INTEGER NOT NULL,
        jpeg        BLOB NOT NULL,
        blurred     BLOB NOT NULL,
        version     INTEGER NOT NULL,
        created_utc TEXT NOT NULL
    );
    "#,
    // v11: keyword-list and indicator-pack runs and their hits. Each hit points at a text field of a row
    // (ref_table, ref_id, field) with a byte span into that text and the matched text; a run keeps
    // the SHA-256 of its list or packs, and every pack used is stored whole (`indicator_packs`), so
    // a result can be reproduced from the case alone. The full-text index gains prefix indexes
    // (2, 3 and 4 characters: `pas*` on 500,000 messages no longer merges thousands of terms); its
    // rows are copied over, so nothing needs re-indexing.
    r#"
    CREATE TABLE indicator_packs (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        language   TEXT NOT NULL,
        version    TEXT NOT NULL,
        sha256     TEXT NOT NULL UNIQUE,
        origin     TEXT NOT NULL,
        content    TEXT NOT NULL,
        added_utc  TEXT NOT NULL
    );
    CREATE TABLE match_runs (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs(id),
        kind        TEXT NOT NULL CHECK (kind IN ('keywords', 'indicators')),
        list_name   TEXT NOT NULL,
        list_sha256 TEXT NOT NULL,
        mode        TEXT,
        settings    TEXT,
        texts       INTEGER NOT NULL DEFAULT 0,
        hits        INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE match_hits (
        id           INTEGER PRIMARY KEY,
        match_run_id INTEGER NOT NULL REFERENCES match_runs(id),
        source_id    INTEGER REFERENCES sources(id),
        ref_table    TEXT NOT NULL,
        ref_id       INTEGER NOT NULL,
        field        TEXT NOT NULL,
        start        INTEGER NOT NULL,
        end          INTEGER NOT NULL,
        matched      TEXT NOT NULL,
        context      TEXT NOT NULL,
        term         TEXT NOT NULL,
        category     TEXT,
        weight       REAL,
        list_name    TEXT NOT NULL,
        list_sha256  TEXT NOT NULL,
        pack_id      INTEGER REFERENCES indicator_packs(id)
    );
    CREATE INDEX match_hits_run ON match_hits(match_run_id, term);
    CREATE INDEX match_hits_ref ON match_hits(ref_table, ref_id);
    CREATE VIRTUAL TABLE fts_text_prefixed USING fts5(
        body,
        kind UNINDEXED,
        ref_id UNINDEXED,
        source_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4'
    );
    INSERT INTO fts_text_prefixed (rowid, body, kind, ref_id, source_id) SELECT rowid, body, kind, ref_id, source_id FROM fts_text;
    DROP TABLE fts_text;
    ALTER TABLE fts_text_prefixed RENAME TO fts_text;
    "#,
];

/// Bring `conn` up to `target` (at most [`CURRENT_VERSION`]). Returns the version found before.
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).ctx("reading the schema version")?;
    for version in found..target.min(CURRENT_VERSION) {
        let tx = conn.transaction().ctx("starting a migration")?;
        let sql = MIGRATIONS[version as usize];
        tx.execute_batch(sql).ctx(&format!("migrating the case from schema version {version} to {}", version + 1))?;
        tx.pragma_update(None, "user_version", version + 1).ctx("recording the schema version")?;
        tx.commit().ctx("committing a migration")?;
    }
    Ok(found)
}

/// Build a case at an older schema version: used by the compatibility tests and nothing else.
#[doc(hidden)]
pub fn create_at_version(path: &std::path::Path, version: i64) -> Result<()> {
    let mut conn = Connection::open(path).ctx("creating a case at an old schema version")?;
    conn.pragma_update(None, "application_id", APPLICATION_ID).ctx("setting the application id")?;
    migrate_to(&mut conn, version)?;
    Ok(())
}
