//! The parts of a generator's answer key (`answer_key.json`, format `threadline-answer-key/1`)
//! that training mode scores against. Unknown fields are ignored, so the key can grow.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The answer key.
#[derive(Debug, Clone, Deserialize)]
pub struct AnswerKey {
    /// Format tag.
    pub format: String,
    /// Scenario name, seed, scale.
    pub scenario: KeyScenario,
    /// Devices and their containers.
    pub devices: Vec<KeyDevice>,
    /// Persons with identifiers and roles.
    pub persons: Vec<KeyPerson>,
    /// Messages with their copies in the evidence.
    pub messages: Vec<KeyMessage>,
    /// Documents with indicators.
    #[serde(default)]
    pub documents: Vec<KeyDocument>,
    /// Key timeline events with their evidence.
    #[serde(default)]
    pub key_events: Vec<KeyEvent>,
}

/// Scenario header.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyScenario {
    /// Name.
    pub name: String,
    /// Seed.
    pub seed: u64,
}

/// A device.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyDevice {
    /// Id (folder name).
    pub id: String,
    /// Containers, paths relative to the evidence folder.
    pub containers: Vec<KeyContainer>,
}

/// A container of a device.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyContainer {
    /// Path relative to the evidence folder.
    pub path: String,
}

/// A person.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyPerson {
    /// `P1`…
    pub key: String,
    /// Name.
    pub name: String,
    /// Role tags.
    pub roles: Vec<String>,
    /// Identifiers per device.
    pub identifiers: Vec<KeyIdentifier>,
}

/// One identifier of a person as seen on one device.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyIdentifier {
    /// Device id.
    pub device: String,
    /// Kind (`phone`, `email`, `whatsapp-jid`, `iban`, `contact-name` …).
    pub kind: String,
    /// Value as stored.
    pub value: String,
}

/// A message.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyMessage {
    /// `M0001`…
    pub key: String,
    /// Text.
    #[serde(default)]
    pub text: Option<String>,
    /// Indicator ids.
    #[serde(default)]
    pub indicators: Vec<String>,
    /// Where it is stored.
    pub copies: Vec<KeyCopy>,
}

/// One stored copy of a message.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyCopy {
    /// Device id.
    pub device: String,
    /// File path inside the device.
    pub file: String,
    /// Table.
    pub table: String,
    /// Row id.
    pub row_id: i64,
}

/// A document.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyDocument {
    /// Device id.
    pub device: String,
    /// Path inside the device.
    pub path: String,
    /// Indicator ids.
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// A key event.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyEvent {
    /// `E01`…
    pub id: String,
    /// Title.
    pub title: String,
    /// Evidence: message keys, call keys, or `device:path`.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl AnswerKey {
    /// Read a key.
    pub fn load(path: &Path) -> Result<(AnswerKey, String)> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("reading the answer key", path, e))?;
        let key: AnswerKey = serde_json::from_slice(&bytes)
            .map_err(|e| Error::InvalidArgument(format!("'{}' is not a Threadline answer key: {e}", path.display())))?;
        if !key.format.starts_with("threadline-answer-key/") {
            return Err(Error::InvalidArgument(format!("'{}' has format '{}', expected threadline-answer-key/1", path.display(), key.format)));
        }
        use sha2::Digest;
        Ok((key, hex::encode(sha2::Sha256::digest(&bytes))))
    }
}
