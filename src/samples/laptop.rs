//! Laptop folder: the money handler's documents, an e-mail, and Chrome history.

use std::path::Path;

use super::Tree;
use super::plan::*;
use crate::error::Result;

/// The laptop tree of device `di`.
pub fn build_tree(plan: &Plan, di: usize, scratch: &Path) -> Result<Tree> {
    let mut tree = Tree::new();
    for d in plan.documents.iter().filter(|d| d.device == di) {
        tree.insert(d.path.clone(), d.content.as_bytes().to_vec());
    }
    tree.insert(LAPTOP_CHROME.to_string(), super::android::chrome_history(plan, di, scratch, "History-laptop")?);
    Ok(tree)
}
