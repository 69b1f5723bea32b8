//! The one error type every server function returns. It crosses the wire as JSON, so the
//! browser gets the same typed value the server produced and shows it next to the right field.

use crate::domain::access::{Function, Level};
use crate::domain::validate::{FieldError, Msg};
use crate::i18n::Locale;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AppError {
    /// Not signed in, or the session expired.
    Unauthenticated,
    /// Signed in with an initial password that must be replaced first.
    PasswordChangeRequired,
    /// The position lacks this function at this level.
    Forbidden {
        function: Function,
        level: Level,
    },
    /// Wrong login or password (deliberately not saying which).
    BadCredentials,
    /// Too many failures: retry after this many seconds.
    Throttled {
        seconds: i64,
    },
    /// Too many failures: locked for this many seconds.
    Locked {
        seconds: i64,
    },
    /// The account is disabled in every enterprise it belongs to.
    AccountDisabled,
    NotFound,
    /// Field-level refusals of a form.
    Invalid(Vec<FieldError>),
    /// A refusal of the whole request (stale form, still referenced …).
    Refused(Msg),
    /// Anything else; details are in the server log under the request id.
    Internal(String),
}

impl AppError {
    pub fn field(field: &str, msg: Msg) -> AppError {
        AppError::Invalid(vec![FieldError { field: field.into(), msg }])
    }

    /// The message for a field, if this error names it.
    pub fn for_field(&self, field: &str) -> Option<&Msg> {
        match self {
            AppError::Invalid(errs) => errs.iter().find(|e| e.field == field).map(|e| &e.msg),
            _ => None,
        }
    }

    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (AppError::Unauthenticated, Zh) => "请先登录（或登录已过期）".into(),
            (AppError::Unauthenticated, En) => "Please sign in (your session may have expired)".into(),
            (AppError::PasswordChangeRequired, Zh) => "请先修改初始密码".into(),
            (AppError::PasswordChangeRequired, En) => "Replace your initial password first".into(),
            (AppError::Forbidden { function, level }, Zh) => {
                format!("没有权限：需要「{}」的{}权限", function.label(l), if *level == Level::Manage { "管理" } else { "查看" })
            }
            (AppError::Forbidden { function, level }, En) => format!(
                "Forbidden: this needs the {} permission on “{}”",
                if *level == Level::Manage { "manage" } else { "view" },
                function.label(l)
            ),
            (AppError::BadCredentials, Zh) => "账号或密码错误".into(),
            (AppError::BadCredentials, En) => "Wrong login or password".into(),
            (AppError::Throttled { seconds }, Zh) => format!("尝试过于频繁，请 {seconds} 秒后再试"),
            (AppError::Throttled { seconds }, En) => format!("Too many attempts; try again in {seconds} s"),
            (AppError::Locked { seconds }, Zh) => {
                format!("连续失败次数过多，已锁定，请 {} 分钟后再试", (seconds + 59) / 60)
            }
            (AppError::Locked { seconds }, En) => {
                format!("Too many failures: locked, try again in {} min", (seconds + 59) / 60)
            }
            (AppError::AccountDisabled, Zh) => "账号已停用，请联系管理员".into(),
            (AppError::AccountDisabled, En) => "This account is disabled; contact your administrator".into(),
            (AppError::NotFound, _) => Msg::NotFound.render(l),
            (AppError::Invalid(errs), Zh) => format!("请检查 {} 处输入", errs.len()),
            (AppError::Invalid(errs), En) => format!("Check {} field(s)", errs.len()),
            (AppError::Refused(m), _) => m.render(l),
            (AppError::Internal(id), Zh) => format!("服务器内部错误（{id}）"),
            (AppError::Internal(id), En) => format!("Internal server error ({id})"),
        }
    }

    /// The HTTP status a server function answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::PasswordChangeRequired | AppError::Forbidden { .. } | AppError::AccountDisabled => 403,
            AppError::NotFound => 404,
            AppError::Refused(Msg::Stale) | AppError::Refused(Msg::InUse { .. }) => 409,
            AppError::Invalid(_) | AppError::Refused(_) => 422,
            AppError::Throttled { .. } | AppError::Locked { .. } => 429,
            AppError::Internal(_) => 500,
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errs: Vec<FieldError>) -> Self {
        AppError::Invalid(errs)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Internal(value.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
