//! The audit log's entries and filters.

use crate::domain::access::Module;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub module: Module,
    /// create, update, delete, enable, disable, import, sign_in …
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub module: Option<Module>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// "field: old → new" lines for the fields that changed, for an audit summary.
pub fn diff(fields: &[(&str, String, String)]) -> String {
    fields.iter().filter(|(_, old, new)| old != new).map(|(f, old, new)| format!("{f}: {old} → {new}")).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn diff_lists_changed_fields_only() {
        let d = super::diff(&[("name", "a".into(), "b".into()), ("remark", "x".into(), "x".into())]);
        assert_eq!(d, "name: a → b");
    }
}
