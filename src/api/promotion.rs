//! Server functions: 推广码 — promotion codes (list, create, edit, delete), the area's settings
//! (brand logo, allowed external domains) and the acquisition analysis. The short link, the QR
//! images and the CSV export are plain HTTP: `crate::server::promotion`.

use crate::domain::page::{Page, PageReq};
use crate::domain::promotion::{Analysis, AnalysisQuery, CodeChoice, PromotionFilter, PromotionInput, PromotionRow, PromotionSettings};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::auth::internal;
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::repo::promotion as repo;

    pub async fn viewer() -> crate::error::AppResult<Ctx> {
        guard(Function::PromotionCodes, Level::View).await
    }
    pub async fn manager() -> crate::error::AppResult<Ctx> {
        guard(Function::PromotionCodes, Level::Manage).await
    }

    pub fn change(action: &'static str, id: Option<i64>, summary: String) -> Change<'static> {
        Change { module: Module::Marketing, action, entity: "promotion_code", entity_id: id, summary }
    }
}

#[server(prefix = "/api", endpoint = "promotion/list", input = Json)]
pub async fn list_promotion_codes(filter: PromotionFilter, page: PageReq) -> Result<Page<PromotionRow>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::list(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.state.codes.scan_base(), &filter, page).await
    })
    .await
}

/// Every code, deleted ones included (marked), for the analysis page's picker.
#[server(prefix = "/api", endpoint = "promotion/choices", input = Json)]
pub async fn promotion_code_choices() -> Result<Vec<CodeChoice>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::choices(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

/// Creates a code (`input.id` None) or changes an existing one's name, expiry and auto tag
/// (with the version the form loaded: a stale form is refused). Returns the id.
#[server(prefix = "/api", endpoint = "promotion/save", input = Json)]
pub async fn save_promotion_code(input: PromotionInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        // A new code needs the allowed domains (its target); an edit needs the stored expiry.
        let (allowed_domains, stored_expiry) = match input.id {
            None => (repo::settings(&mut tx, e).await?.allowed_domains, None),
            Some(id) => (vec![], repo::stored_expiry(&mut tx, e, id).await?),
        };
        input.validate(&allowed_domains, chrono::Utc::now(), stored_expiry)?;
        let (id, action, summary) = match input.id {
            None => {
                let id = repo::create(&mut tx, e, ctx.user.user_id, &input).await?;
                (id, "create", format!("新建推广码「{}」，参数 {}", input.name.trim(), input.params.trimmed().query_string()))
            }
            Some(id) => {
                repo::update(&mut tx, e, &input).await?;
                (id, "update", format!("修改推广码「{}」", input.name.trim()))
            }
        };
        audit::record(&mut tx, &ctx.actor(), change(action, Some(id), summary)).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    })
    .await
}

/// Deletes a code from the list and from download; its short link keeps working and counting.
#[server(prefix = "/api", endpoint = "promotion/delete", input = Json)]
pub async fn delete_promotion_code(id: i64, version: i32) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete(&mut tx, ctx.enterprise_id(), id, version).await?;
        audit::record(&mut tx, &ctx.actor(), change("delete", Some(id), format!("删除推广码「{name}」（已印刷的码仍可访问并计数）")))
            .await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "promotion/settings", input = Json)]
pub async fn load_promotion_settings() -> Result<PromotionSettings, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::settings(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

/// Sets the allowed external domains (one per line or comma-separated; replaces the list).
/// Codes already made keep their target.
#[server(prefix = "/api", endpoint = "promotion/domains", input = Json)]
pub async fn save_promotion_domains(domains: String) -> Result<PromotionSettings, AppError> {
    use crate::domain::promotion::parse_domains;
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let list = parse_domains(&domains).map_err(|m| AppError::field("domains", m))?;
        let mut tx = ctx.tx().await?;
        repo::set_domains(&mut tx, ctx.enterprise_id(), &list).await?;
        audit::record(&mut tx, &ctx.actor(), change("settings", None, format!("允许的外部域名：{}", list.join("、")))).await?;
        let settings = repo::settings(&mut tx, ctx.enterprise_id()).await?;
        tx.commit().await.map_err(internal)?;
        Ok(settings)
    })
    .await
}

/// Stores the brand logo for QR centres (PNG, ≤ LOGO_MAX_KB, sent as base64); None removes it.
#[server(prefix = "/api", endpoint = "promotion/logo", input = Json)]
pub async fn set_promotion_logo(base64_data: Option<String>) -> Result<PromotionSettings, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let e = ctx.enterprise_id();
        let rel = match base64_data {
            Some(data) => Some(crate::server::promotion::store_logo(&ctx.state, e, &data).await?),
            None => None,
        };
        let mut tx = ctx.tx().await?;
        repo::set_logo(&mut tx, e, rel.as_deref()).await?;
        let summary = match &rel {
            Some(r) => format!("上传推广码 Logo {r}"),
            None => "移除推广码 Logo".into(),
        };
        audit::record(&mut tx, &ctx.actor(), change("settings", None, summary)).await?;
        let settings = repo::settings(&mut tx, e).await?;
        tx.commit().await.map_err(internal)?;
        Ok(settings)
    })
    .await
}

/// Visits and credited consumers per day, split by code or by a parameter.
#[server(prefix = "/api", endpoint = "promotion/analysis", input = Json)]
pub async fn promotion_analysis(query: AnalysisQuery) -> Result<Analysis, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        query.validate()?;
        repo::analysis(&mut ctx.tx().await?, ctx.enterprise_id(), &query).await
    })
    .await
}
