//! Server functions: 下载中心 — my exports, and queueing the two exports of code management
//! (the scrap list from 码报废, code query results from 二维码查询). Other areas queue their
//! own exports with [`queue_export`].

use crate::domain::page::{Page, PageReq};
use crate::domain::warnings::{CodeExportInput, ExportItem, ScrapExportFilter};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
pub use imp::queue_export;

#[cfg(feature = "ssr")]
mod imp {
    use crate::domain::access::Module;
    use crate::domain::warnings::ExportKind;
    use crate::error::AppResult;
    use crate::server::audit::{self, Actor, Change};
    use crate::server::db::Tx;

    /// Queues an export of `kind` for `actor` (who alone may download it) in the caller's
    /// transaction; `params` is what the job reads back (include `"locale"` for the file's
    /// language). An identical export of the same person still being prepared is returned
    /// instead of a second one. Returns the export's id.
    pub async fn queue_export(tx: &mut Tx, actor: &Actor, kind: ExportKind, title: &str, params: serde_json::Value) -> AppResult<i64> {
        if let Some(id) = crate::server::exports::pending_duplicate(tx, actor.enterprise_id, actor.user_id, kind, &params).await? {
            return Ok(id);
        }
        let id = crate::server::exports::insert(tx, actor, kind, title, &params).await?;
        audit::record(
            tx,
            actor,
            Change { module: Module::Codes, action: "export", entity: "export", entity_id: Some(id), summary: title.into() },
        )
        .await?;
        Ok(id)
    }
}

/// My exports (every signed-in person sees their own), newest first.
#[server(prefix = "/api", endpoint = "exports/mine", input = Json)]
pub async fn my_exports(page: PageReq) -> Result<Page<ExportItem>, AppError> {
    use crate::server::context::{respond, signed_in};
    respond(async {
        let ctx = signed_in().await?;
        crate::server::exports::mine(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.user.user_id, page).await
    })
    .await
}

/// Queues the scrap list under the scrap page's filter; returns the export's id (its file
/// appears in 下载中心).
#[server(prefix = "/api", endpoint = "exports/scraps", input = Json)]
pub async fn export_scraps(filter: ScrapExportFilter) -> Result<i64, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::domain::warnings::ExportKind;
    use crate::server::context::{guard, respond};
    respond(async {
        let ctx = guard(Function::CodeScrap, Level::View).await?;
        filter.validate()?;
        let l = ctx.locale;
        let mut tx = ctx.tx().await?;
        let package = match filter.package_id {
            Some(id) => Some(
                package_name(&mut tx, ctx.enterprise_id(), id)
                    .await?
                    .ok_or_else(|| AppError::field("package_id", crate::domain::validate::Msg::NotFound))?,
            ),
            None => None,
        };
        let mut title = ExportKind::Scraps.label(l).to_string();
        if let Some(p) = &package {
            title.push_str(&format!(" {p}"));
        }
        match (filter.from, filter.to) {
            (None, None) => {}
            (from, to) => {
                title.push_str(&format!(" {}–{}", from.map(|d| l.date(&d)).unwrap_or_default(), to.map(|d| l.date(&d)).unwrap_or_default()))
            }
        }
        let params = serde_json::json!({ "filter": filter, "locale": l });
        let id = queue_export(&mut tx, &ctx.actor(), ExportKind::Scraps, &title, params).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

/// Queues the codes `from..=to` (at most 100,000) of a package with their URL, batch,
/// activation state and scrapped mark; returns the export's id.
#[server(prefix = "/api", endpoint = "exports/codes", input = Json)]
pub async fn export_codes(input: CodeExportInput) -> Result<i64, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::domain::codes::format_serial;
    use crate::domain::validate::Msg;
    use crate::domain::warnings::{ExportKind, ExportMsg};
    use crate::server::context::{guard, respond};
    respond(async {
        let ctx = guard(Function::CodeQuery, Level::View).await?;
        input.validate()?;
        let l = ctx.locale;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let row: Option<(String, i32, String)> =
            sqlx::query_as("SELECT name, code_count, status FROM code_packages WHERE enterprise_id = $1 AND id = $2")
                .bind(e)
                .bind(input.package_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(crate::server::auth::internal)?;
        let (name, count, status) = row.ok_or_else(|| AppError::field("package_id", Msg::NotFound))?;
        if status == "pending" || status == "rejected" {
            return Err(AppError::field("package_id", Msg::Export(ExportMsg::PackageHasNoCodes)));
        }
        if input.to > count as u32 {
            return Err(AppError::field("to", Msg::Export(ExportMsg::BeyondPackage { count: count as u32 })));
        }
        let title = format!(
            "{} {name} {}–{}",
            ExportKind::Codes.label(l),
            format_serial(input.package_id, input.from),
            format_serial(input.package_id, input.to)
        );
        let params = serde_json::json!({ "input": input, "locale": l });
        let id = queue_export(&mut tx, &ctx.actor(), ExportKind::Codes, &title, params).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

#[cfg(feature = "ssr")]
async fn package_name(tx: &mut crate::server::db::Tx, e: i64, id: i64) -> Result<Option<String>, AppError> {
    sqlx::query_scalar("SELECT name FROM code_packages WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(crate::server::auth::internal)
}
