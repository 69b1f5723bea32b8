//! Sign-in rules: what identifies a person, password strength, and the throttling policy.

use super::access::Grants;
use super::validate::{is_email, is_mobile, Check, FieldError, Msg};
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SignInInput {
    /// A mobile number or an email address.
    pub login: String,
    pub password: String,
}

impl SignInInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        let login = self.login.trim();
        c.rule("login", !login.is_empty(), Msg::MobileOrEmailRequired);
        c.rule("login", is_mobile(login) || is_email(login), Msg::MobileOrEmailRequired);
        c.rule("password", !self.password.is_empty(), Msg::Required);
        c.finish()
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChangePasswordInput {
    pub current: String,
    pub new: String,
    pub repeat: String,
}

impl ChangePasswordInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.rule("current", !self.current.is_empty(), Msg::Required);
        c.rule("new", is_strong_password(&self.new), Msg::PasswordTooWeak);
        c.rule("repeat", self.new == self.repeat, Msg::PasswordsDiffer);
        c.finish()
    }
}

/// At least 8 characters with at least one letter and one digit.
pub fn is_strong_password(p: &str) -> bool {
    p.chars().count() >= 8 && p.chars().any(|c| c.is_alphabetic()) && p.chars().any(|c| c.is_ascii_digit())
}

/// What the throttle says about one more sign-in attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttle {
    Allow,
    /// Too soon after the last failure: retry after this many seconds.
    Wait {
        seconds: i64,
    },
    /// Locked: no attempt is checked until this many seconds have passed.
    Locked {
        seconds: i64,
    },
}

/// Limits for one key (an account or an IP address).
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failures that are free before attempts slow down.
    pub free: i32,
    /// Failures that lock the key.
    pub lock_at: i32,
    /// How long a lock lasts.
    pub lock_seconds: i64,
    /// Failures older than this are forgotten.
    pub window_seconds: i64,
}

impl ThrottlePolicy {
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy { free: 2, lock_at: 5, lock_seconds: 15 * 60, window_seconds: 15 * 60 };
    pub const IP: ThrottlePolicy = ThrottlePolicy { free: 10, lock_at: 30, lock_seconds: 15 * 60, window_seconds: 15 * 60 };

    /// Given `failures` within the window and the seconds since the last failure.
    pub fn decide(&self, failures: i32, since_last: i64) -> Throttle {
        if failures >= self.lock_at {
            let left = self.lock_seconds - since_last;
            return if left > 0 { Throttle::Locked { seconds: left } } else { Throttle::Allow };
        }
        if failures > self.free {
            // 1 s after the first slowed failure, doubling: 1, 2, 4 … seconds.
            let wait = 1i64 << (failures - self.free - 1).min(10);
            let left = wait - since_last;
            if left > 0 {
                return Throttle::Wait { seconds: left };
            }
        }
        Throttle::Allow
    }
}

/// The signed-in person as the console sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub must_change_password: bool,
    pub enterprise: Option<EnterpriseRef>,
    pub enterprises: Vec<EnterpriseRef>,
    pub position: String,
    pub grants: Grants,
    pub locale: Locale,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseRef {
    pub id: i64,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_slows_then_locks() {
        let p = ThrottlePolicy::ACCOUNT;
        assert_eq!(p.decide(0, 0), Throttle::Allow);
        assert_eq!(p.decide(2, 0), Throttle::Allow);
        assert_eq!(p.decide(3, 0), Throttle::Wait { seconds: 1 });
        assert_eq!(p.decide(3, 1), Throttle::Allow);
        assert_eq!(p.decide(4, 0), Throttle::Wait { seconds: 2 });
        assert_eq!(p.decide(5, 10), Throttle::Locked { seconds: 890 });
        assert_eq!(p.decide(5, 900), Throttle::Allow);
    }

    #[test]
    fn passwords() {
        assert!(is_strong_password("abc12345"));
        assert!(!is_strong_password("abcdefgh"));
        assert!(!is_strong_password("1234567"));
        let bad = ChangePasswordInput { current: "x".into(), new: "abc12345".into(), repeat: "abc12346".into() };
        assert_eq!(bad.validate().unwrap_err()[0].field, "repeat");
    }

    #[test]
    fn sign_in_needs_mobile_or_email() {
        let i = SignInInput { login: "bob".into(), password: "x".into() };
        assert_eq!(i.validate().unwrap_err()[0].msg, Msg::MobileOrEmailRequired);
        let i = SignInInput { login: "13800138000".into(), password: "x".into() };
        assert!(i.validate().is_ok());
    }
}
