//! Laptop folder: documents, planted files (pictures, saved pages, caches) and Chrome history.

use std::path::Path;

use super::Tree;
use super::images::Bases;
use super::plan::*;
use crate::error::Result;

/// Chrome history path of a laptop owned by `user` (Windows profile layout).
pub fn chrome_path(plan: &Plan, di: usize) -> String {
    let owner = &plan.persons[plan.devices[di].owner];
    let user = owner.given.to_lowercase().replace(' ', "");
    format!("Users/{user}/AppData/Local/Google/Chrome/User Data/Default/History")
}

/// The laptop tree of device `di`.
pub fn build_tree(plan: &Plan, di: usize, scratch: &Path, bases: &Bases) -> Result<Tree> {
    let mut tree = Tree::new();
    for (path, bytes) in super::media::device_files(plan, di, bases)? {
        tree.insert(path, bytes);
    }
    tree.insert(chrome_path(plan, di), super::android::chrome_history(plan, di, scratch, "History-laptop")?);
    Ok(tree)
}
