//! Server functions: 营销风控 — the blacklist (add, remove, list) and what risk control noticed.

use crate::domain::consumers::{BlacklistEntry, BlacklistFilter, BlacklistInput, RiskEventFilter, RiskEventRow};
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "risk/blacklist", input = Json)]
pub async fn list_blacklist(filter: BlacklistFilter, page: PageReq) -> Result<Page<BlacklistEntry>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::View).await?;
        crate::server::repo::risk::list_blacklist(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

/// Adds a consumer id, device, IP or mobile to the blacklist (a reason is required).
#[server(prefix = "/api", endpoint = "risk/blacklist/add", input = Json)]
pub async fn add_blacklist(input: BlacklistInput) -> Result<i64, AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = crate::server::repo::risk::add_blacklist(&mut tx, ctx.enterprise_id(), ctx.user.user_id, &input).await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Change {
                module: Module::Marketing,
                action: "blacklist_add",
                entity: "blacklist",
                entity_id: Some(id),
                summary: format!(
                    "加入黑名单：{} {}，原因：{}",
                    input.kind.label(crate::i18n::Locale::Zh),
                    input.normalized(),
                    input.reason.trim()
                ),
            },
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

#[server(prefix = "/api", endpoint = "risk/blacklist/remove", input = Json)]
pub async fn remove_blacklist(id: i64) -> Result<(), AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let mut tx = ctx.tx().await?;
        let (kind, value) = crate::server::repo::risk::remove_blacklist(&mut tx, ctx.enterprise_id(), id).await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Change {
                module: Module::Marketing,
                action: "blacklist_remove",
                entity: "blacklist",
                entity_id: Some(id),
                summary: format!("移出黑名单：{kind} {value}"),
            },
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "risk/events", input = Json)]
pub async fn list_risk_events(filter: RiskEventFilter, page: PageReq) -> Result<Page<RiskEventRow>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::View).await?;
        crate::server::repo::risk::list_events(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

/// The rules that have noticed something (the events filter's choices).
#[server(prefix = "/api", endpoint = "risk/rules", input = Json)]
pub async fn risk_rules() -> Result<Vec<String>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::View).await?;
        crate::server::repo::risk::event_rules(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}
