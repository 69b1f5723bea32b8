//! Server functions: 码报废 — scrap by batch, range or one code; the scrap list.

use crate::domain::code_query::*;
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Scraps a batch, a range inside one batch, or one code; refused if it overlaps an earlier
/// scrap (named). Returns the scrap.
#[server(prefix = "/api", endpoint = "codes/scrap", input = Json)]
pub async fn scrap_codes(input: ScrapInput) -> Result<Scrap, AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CodeScrap, Level::Manage).await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let s = crate::server::repo::code_scraps::scrap(&ctx.state, &mut tx, ctx.enterprise_id(), ctx.user.user_id, &input).await?;
        let summary = format!(
            "{}报废 码包 {} 批次 {} {}（{} 个码），原因：{}",
            s.method.label(crate::i18n::Locale::Zh),
            s.package_id,
            s.batch_no,
            s.printable(),
            s.count(),
            s.reason
        );
        audit::record(
            &mut tx,
            &ctx.actor(),
            Change { module: Module::Codes, action: "scrap", entity: "code_scrap", entity_id: Some(s.id), summary },
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(s)
    })
    .await
}

#[server(prefix = "/api", endpoint = "codes/scraps", input = Json)]
pub async fn list_scraps(filter: ScrapFilter, page: PageReq) -> Result<Page<Scrap>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CodeScrap, Level::View).await?;
        crate::server::repo::code_scraps::list(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}
