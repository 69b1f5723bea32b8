//! Server functions: 发码管理 — apply for a package, edit or withdraw it while pending, review
//! it (approval queues its generation), retry a failed generation, and the lists, detail and
//! progress the console polls while packages generate.

use crate::domain::code_packages::{Package, PackageChoices, PackageFilter, PackageInput, PackageProgress, PackageRow, ReviewInput};
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// At most this many packages per progress poll (a page of the list holds at most 100).
pub const POLL_MAX: usize = 100;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::code_generation::GENERATE_JOB;
    pub use crate::server::repo::code_packages as repo;

    pub async fn log(tx: &mut Tx, ctx: &Ctx, action: &str, id: i64, summary: String) -> crate::error::AppResult<()> {
        audit::record(tx, &ctx.actor(), Change { module: Module::Codes, action, entity: "code_package", entity_id: Some(id), summary })
            .await
    }

    pub async fn viewer() -> crate::error::AppResult<(Ctx, bool)> {
        let ctx = guard(Function::CodePackages, Level::View).await?;
        let manage = ctx.user.grants.allows(Function::CodePackages, Level::Manage);
        Ok((ctx, manage))
    }

    pub async fn manager() -> crate::error::AppResult<Ctx> {
        guard(Function::CodePackages, Level::Manage).await
    }

    pub fn commit_error(e: sqlx::Error) -> crate::error::AppError {
        crate::server::auth::internal(e)
    }

    /// The fields of an application the audit log records, as (label, value).
    pub fn fields(p: &crate::domain::code_packages::Package) -> Vec<(&'static str, String)> {
        let r = &p.row;
        let or_dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
        vec![
            ("名称", r.name.clone()),
            ("码规格", r.spec_name.clone()),
            ("用途", r.purpose.label(crate::i18n::Locale::Zh).into()),
            ("码数量", r.code_count.to_string()),
            ("文件数", r.file_count.to_string()),
            ("包材厂", r.factory_name.clone()),
            ("预录产品", or_dash(&p.product_name)),
            ("预录灌装厂", or_dash(&p.filling_factory_name)),
            ("备注", p.remark.clone()),
        ]
    }
}

#[server(prefix = "/api", endpoint = "codes/packages", input = Json)]
pub async fn list_packages(filter: PackageFilter, page: PageReq) -> Result<Page<PackageRow>, AppError> {
    use crate::domain::code_packages::PackageTab;
    use imp::*;
    respond(async move {
        let (ctx, manage) = viewer().await?;
        if filter.tab == PackageTab::All && !manage {
            return Err(AppError::Forbidden { function: Function::CodePackages, level: Level::Manage });
        }
        repo::list(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.user.user_id, manage, &filter, page).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "codes/packages/get", input = Json)]
pub async fn get_package(id: i64) -> Result<Package, AppError> {
    use imp::*;
    respond(async move {
        let (ctx, manage) = viewer().await?;
        repo::get(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.user.user_id, manage, id).await
    })
    .await
}

/// The state and generation progress of packages (those the person may see), polled by the
/// list and the detail page while any of them generates.
#[server(prefix = "/api", endpoint = "codes/packages/progress", input = Json)]
pub async fn poll_packages(ids: Vec<i64>) -> Result<Vec<PackageProgress>, AppError> {
    use imp::*;
    respond(async move {
        let (ctx, manage) = viewer().await?;
        let ids: Vec<i64> = ids.into_iter().take(POLL_MAX).collect();
        repo::progress(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.user.user_id, manage, &ids).await
    })
    .await
}

/// What the application form offers: the specs the person may apply with, factories, products.
#[server(prefix = "/api", endpoint = "codes/packages/choices", input = Json)]
pub async fn application_choices() -> Result<PackageChoices, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        repo::choices(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.user.user_id).await
    })
    .await
}

/// Applies for a package (no id), or edits one's own pending application (id + version).
#[server(prefix = "/api", endpoint = "codes/packages/save", input = Json)]
pub async fn save_package(input: PackageInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let (e, me) = (ctx.enterprise_id(), ctx.user.user_id);
        let (id, before) = match input.id {
            None => {
                let salt = crate::server::code_keys::CodeKeys::new_salt();
                (repo::apply(&mut tx, e, me, &input, ctx.state.codes.current_version(), &salt).await?, None)
            }
            Some(id) => {
                let before = repo::get(&mut tx, e, me, true, id).await?;
                (repo::edit(&mut tx, e, me, &input).await?, Some(before))
            }
        };
        let after = repo::get(&mut tx, e, me, true, id).await?;
        let summary = match &before {
            Some(b) => crate::domain::audit::diff(
                &fields(b).into_iter().zip(fields(&after)).map(|((f, old), (_, new))| (f, old, new)).collect::<Vec<_>>(),
            ),
            None => fields(&after).iter().map(|(f, v)| format!("{f}: {v}")).collect::<Vec<_>>().join("; "),
        };
        log(&mut tx, &ctx, if before.is_some() { "update" } else { "create" }, id, summary).await?;
        tx.commit().await.map_err(commit_error)?;
        Ok(id)
    })
    .await
}

/// The applicant withdraws (deletes) a pending application.
#[server(prefix = "/api", endpoint = "codes/packages/withdraw", input = Json)]
pub async fn withdraw_package(id: i64, version: i32) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::withdraw(&mut tx, ctx.enterprise_id(), ctx.user.user_id, id, version).await?;
        log(&mut tx, &ctx, "withdraw", id, format!("撤回码包申请「{name}」")).await?;
        tx.commit().await.map_err(commit_error)?;
        Ok(())
    })
    .await
}

/// A reviewer of the package's spec (never its applicant) approves or rejects it; approval
/// creates its batches and queues the generation in the same transaction.
#[server(prefix = "/api", endpoint = "codes/packages/review", input = Json)]
pub async fn review_package(input: ReviewInput) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let r = repo::review(&mut tx, &ctx.actor(), &input, GENERATE_JOB).await?;
        let (action, summary) = match r.job_id {
            Some(job) => ("approve", format!("审核通过码包「{}」，生成任务 #{job}", r.name)),
            None => ("reject", format!("驳回码包「{}」：{}", r.name, input.reason.trim())),
        };
        log(&mut tx, &ctx, action, input.id, summary).await?;
        tx.commit().await.map_err(commit_error)?;
        Ok(())
    })
    .await
}

/// A reviewer of the spec generates a package again after its generation failed.
#[server(prefix = "/api", endpoint = "codes/packages/retry", input = Json)]
pub async fn retry_package(id: i64, version: i32) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let r = repo::retry(&mut tx, &ctx.actor(), id, version, GENERATE_JOB).await?;
        log(&mut tx, &ctx, "retry", id, format!("重新生成码包「{}」，生成任务 #{}", r.name, r.job_id.unwrap_or_default())).await?;
        tx.commit().await.map_err(commit_error)?;
        Ok(())
    })
    .await
}
