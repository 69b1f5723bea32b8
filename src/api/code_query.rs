//! Server functions: 二维码查询 — one code by code string, scan URL or printable serial.

use crate::domain::code_query::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// What `text` (a code string, a pasted scan URL or a printable serial such as
/// `123-00000001`) names. A forged code, someone else's code and a typo all answer `Invalid`.
#[server(prefix = "/api", endpoint = "codes/query", input = Json)]
pub async fn query_code(text: String) -> Result<CodeQueryResult, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::domain::validate::Msg;
    use crate::server::context::{guard, respond};
    use crate::server::repo::code_query as repo;
    respond(async move {
        let ctx = guard(Function::CodeQuery, Level::View).await?;
        if text.trim().is_empty() {
            return Err(AppError::field("text", Msg::Required));
        }
        if text.chars().count() > QUERY_MAX {
            return Ok(CodeQueryResult::Invalid);
        }
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let Some((package, serial)) = repo::locate(&ctx.state, &mut tx, e, &text).await? else {
            return Ok(CodeQueryResult::Invalid);
        };
        let with_pin = ctx.user.grants.allows(Function::CodeQuery, Level::Manage);
        let details = repo::details(&ctx.state, &mut tx, e, package, serial, with_pin).await?;
        Ok(CodeQueryResult::Found(Box::new(details)))
    })
    .await
}
