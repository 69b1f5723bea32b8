//! 设置 → 操作日志.

use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::domain::basic_data::Choice;
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "audit", input = Json)]
pub async fn list_audit(filter: AuditFilter, page: PageReq) -> Result<Page<AuditEntry>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async {
        let ctx = guard(Function::AuditLog, Level::View).await?;
        crate::server::audit::list(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

/// The enterprise's people, for the audit log's user filter.
#[server(prefix = "/api", endpoint = "audit/people", input = Json)]
pub async fn audit_people() -> Result<Vec<Choice>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async {
        let ctx = guard(Function::AuditLog, Level::View).await?;
        crate::server::repo::accounts::people(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}
