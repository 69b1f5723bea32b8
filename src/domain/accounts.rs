//! Positions (岗位) and staff accounts (账号): the reference's field limits.

use super::access::Grants;
use super::validate::{is_email, is_mobile, Check, FieldError, Msg};
use serde::{Deserialize, Serialize};

pub const POSITION_NAME_MAX: usize = 10;
pub const POSITION_DESC_MAX: usize = 50;
pub const ACCOUNT_NAME_MAX: usize = 20;
pub const ACCOUNT_REMARK_MAX: usize = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub grants: Grants,
    /// 超级管理员: all permissions, not editable, not deletable.
    pub builtin: bool,
    pub account_count: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PositionInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub grants: Grants,
}

impl PositionInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, POSITION_NAME_MAX);
        c.optional_text("description", &self.description, POSITION_DESC_MAX);
        c.rule("grants", !self.grants.0.is_empty(), Msg::Required);
        c.finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum AccountStatus {
    Enabled,
    Disabled,
}

/// A person's membership of the enterprise, as the account list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Account {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub position_id: i64,
    pub position_name: String,
    pub creator_name: Option<String>,
    pub status: AccountStatus,
    pub remark: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub mobile: String,
    pub email: String,
    pub position_id: Option<i64>,
    pub remark: String,
}

impl AccountInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, ACCOUNT_NAME_MAX);
        let mobile = self.mobile.trim();
        let email = self.email.trim();
        if mobile.is_empty() {
            c.fail("mobile", Msg::Required);
        }
        c.rule("mobile", is_mobile(mobile), Msg::InvalidMobile);
        c.rule("email", email.is_empty() || is_email(email), Msg::InvalidEmail);
        c.rule("position_id", self.position_id.is_some(), Msg::Required);
        c.optional_text("remark", &self.remark, ACCOUNT_REMARK_MAX);
        c.finish()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountFilter {
    pub position_id: Option<i64>,
    pub status: Option<AccountStatus>,
    /// Matches name or mobile.
    pub search: String,
}

/// Initial passwords: 10 characters of an alphabet without look-alikes, with a letter and a digit.
pub const INITIAL_PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{Function, Level};

    #[test]
    fn position_name_limit_is_ten_characters() {
        let p = PositionInput {
            name: "区域营销运营经理助理岗".into(),
            grants: Grants::of(&[(Function::Campaigns, Level::View)]),
            ..Default::default()
        };
        let e = p.validate().unwrap_err();
        assert_eq!(e[0].field, "name");
        assert_eq!(e[0].msg, Msg::TooLong { max: 10 });
    }

    #[test]
    fn account_needs_valid_mobile_and_optional_email() {
        let a = AccountInput { name: "王芳".into(), mobile: "13912345678".into(), position_id: Some(1), ..Default::default() };
        assert!(a.validate().is_ok());
        let b = AccountInput { mobile: "123".into(), email: "nope".into(), ..a };
        let e = b.validate().unwrap_err();
        assert!(e.iter().any(|e| e.field == "mobile" && e.msg == Msg::InvalidMobile));
        assert!(e.iter().any(|e| e.field == "email" && e.msg == Msg::InvalidEmail));
    }
}
