//! Server functions: 预警通知 — the warnings the periodic check raised, and marking them handled.

use crate::domain::page::{Page, PageReq};
use crate::domain::warnings::{Warning, WarningFilter};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Warnings of the enterprise, newest first, under a filter.
#[server(prefix = "/api", endpoint = "warnings/list", input = Json)]
pub async fn list_warnings(filter: WarningFilter, page: PageReq) -> Result<Page<Warning>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async {
        let ctx = guard(Function::Warnings, Level::View).await?;
        crate::server::repo::warnings::list(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

/// Marks a warning handled; handling one already handled changes nothing.
#[server(prefix = "/api", endpoint = "warnings/handle", input = Json)]
pub async fn handle_warning(id: i64) -> Result<(), AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    respond(async {
        let ctx = guard(Function::Warnings, Level::Manage).await?;
        let mut tx = ctx.tx().await?;
        if let Some(title) = crate::server::repo::warnings::mark_handled(&mut tx, ctx.enterprise_id(), id, ctx.user.user_id).await? {
            let change = Change { module: Module::Settings, action: "handle", entity: "warning", entity_id: Some(id), summary: title };
            audit::record(&mut tx, &ctx.actor(), change).await?;
        }
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(())
    })
    .await
}
