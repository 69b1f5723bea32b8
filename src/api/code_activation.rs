//! Server functions: 码信息录入 — info entry by batch or serial range, activation now or at a
//! set time, revocation, splitting, and the enterprise's extra info fields.

use crate::domain::code_activation::*;
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::auth::internal;
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::code_activation as repo;

    pub async fn viewer() -> crate::error::AppResult<Ctx> {
        guard(Function::CodeActivation, Level::View).await
    }
    pub async fn manager() -> crate::error::AppResult<Ctx> {
        guard(Function::CodeActivation, Level::Manage).await
    }
    pub async fn log(tx: &mut Tx, ctx: &Ctx, action: &str, entity: &str, id: i64, summary: String) -> crate::error::AppResult<()> {
        audit::record(tx, &ctx.actor(), Change { module: Module::Codes, action, entity, entity_id: Some(id), summary }).await
    }
}

/// Packages whose codes exist (for the package pickers of info entry, query and scrapping, so
/// any of those permissions may list them); `search` matches the name or the id.
#[server(prefix = "/api", endpoint = "codes/activation/packages", input = Json)]
pub async fn code_package_choices(search: String) -> Result<Vec<PackageChoice>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = match viewer().await {
            Ok(ctx) => ctx,
            Err(_) => match guard(Function::CodeQuery, Level::View).await {
                Ok(ctx) => ctx,
                Err(_) => guard(Function::CodeScrap, Level::View).await?,
            },
        };
        repo::package_choices(&mut ctx.tx().await?, ctx.enterprise_id(), &search).await
    })
    .await
}

/// A package's batches with their info state (the batch view).
#[server(prefix = "/api", endpoint = "codes/activation/batches", input = Json)]
pub async fn get_package_batches(package_id: i64) -> Result<PackageBatches, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::batches(&mut ctx.tx().await?, ctx.enterprise_id(), package_id).await
    })
    .await
}

/// A package's activated ranges, or its not-activated (entered or scheduled) ones.
#[server(prefix = "/api", endpoint = "codes/activation/ranges", input = Json)]
pub async fn list_ranges(package_id: i64, activated: bool, page: PageReq) -> Result<Page<Range>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::ranges(&mut ctx.tx().await?, ctx.enterprise_id(), package_id, activated, page).await
    })
    .await
}

/// Adds a range (a whole batch is a range too) or edits one that is not active.
#[server(prefix = "/api", endpoint = "codes/activation/ranges/save", input = Json)]
pub async fn save_range(input: RangeInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let fields = repo::info_fields(&mut tx, ctx.enterprise_id()).await?;
        input.validate(&fields)?;
        let saved = repo::save_range(&mut tx, &ctx.actor(), &input, &fields).await?;
        let action = if input.id.is_some() { "update" } else { "create" };
        let summary = format!("码包 {} 批次 {} 号段 {} 录入信息", saved.package_id, saved.batch_no, saved.printable);
        log(&mut tx, &ctx, action, "code_range", saved.id, summary).await?;
        tx.commit().await.map_err(internal)?;
        Ok(saved.id)
    })
    .await
}

/// Activates a range now (`at` empty) or schedules its activation for `at` (in the future).
#[server(prefix = "/api", endpoint = "codes/activation/ranges/activate", input = Json)]
pub async fn activate_range(id: i64, version: i32, at: Option<DateTime<Utc>>) -> Result<Range, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        if at.is_some_and(|t| t <= Utc::now()) {
            return Err(AppError::field("at", ActivationMsg::NotInFuture.into()));
        }
        let mut tx = ctx.tx().await?;
        let r = repo::activate(&mut tx, &ctx.actor(), id, version, at).await?;
        let summary = match at {
            None => format!("激活号段 {}", r.printable()),
            Some(t) => format!("定时激活号段 {}，时间 {}", r.printable(), crate::i18n::Locale::Zh.datetime(&t)),
        };
        log(&mut tx, &ctx, if at.is_some() { "schedule" } else { "activate" }, "code_range", id, summary).await?;
        tx.commit().await.map_err(internal)?;
        Ok(r)
    })
    .await
}

/// Revokes an activation or a scheduled activation.
#[server(prefix = "/api", endpoint = "codes/activation/ranges/revoke", input = Json)]
pub async fn revoke_range(id: i64, version: i32) -> Result<Range, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let r = repo::revoke(&mut tx, ctx.enterprise_id(), id, version).await?;
        log(&mut tx, &ctx, "revoke", "code_range", id, format!("撤销激活号段 {}", r.printable())).await?;
        tx.commit().await.map_err(internal)?;
        Ok(r)
    })
    .await
}

/// Deletes a range that is not active.
#[server(prefix = "/api", endpoint = "codes/activation/ranges/delete", input = Json)]
pub async fn delete_range(id: i64, version: i32) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let r = repo::delete(&mut tx, ctx.enterprise_id(), id, version).await?;
        log(&mut tx, &ctx, "delete", "code_range", id, format!("删除号段 {}", r.printable())).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

/// Splits an entered range before each of `splits` (serials); returns the new ranges' ids.
#[server(prefix = "/api", endpoint = "codes/activation/ranges/split", input = Json)]
pub async fn split_range(id: i64, version: i32, splits: Vec<String>) -> Result<Vec<i64>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let (old, ids) = repo::split(&mut tx, &ctx.actor(), id, version, &splits).await?;
        log(&mut tx, &ctx, "split", "code_range", id, format!("拆分号段 {} 为 {} 段", old.printable(), ids.len())).await?;
        tx.commit().await.map_err(internal)?;
        Ok(ids)
    })
    .await
}

/// What the info form picks from: products, brands, factories, workshops, lines, extra fields.
#[server(prefix = "/api", endpoint = "codes/activation/choices", input = Json)]
pub async fn get_info_choices() -> Result<InfoChoices, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::info_choices(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "codes/activation/fields", input = Json)]
pub async fn list_info_fields() -> Result<Vec<InfoField>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::info_fields(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "codes/activation/fields/save", input = Json)]
pub async fn save_info_field(input: InfoFieldInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = repo::save_info_field(&mut tx, ctx.enterprise_id(), &input).await?;
        let summary = format!("录入字段「{}」{}", input.name.trim(), if input.required { "（必填）" } else { "" });
        log(&mut tx, &ctx, if input.id.is_some() { "update" } else { "create" }, "code_info_field", id, summary).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    })
    .await
}

/// Deletes an extra field, refused while a range holds a value for it.
#[server(prefix = "/api", endpoint = "codes/activation/fields/delete", input = Json)]
pub async fn delete_info_field(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete_info_field(&mut tx, ctx.enterprise_id(), id).await?;
        log(&mut tx, &ctx, "delete", "code_info_field", id, format!("删除录入字段「{name}」")).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}
