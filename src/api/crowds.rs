//! Server functions: 人群管理 and 人群分析 — the live count of a condition tree, crowds (save,
//! compute, refresh, copy, delete, upload, folders, snapshots) and insight (portrait, RFM).
//! Member, portrait and RFM CSVs are plain HTTP: `crate::server::crowds`.

use crate::domain::crowd::{
    CrowdChoice, CrowdDetail, CrowdFilter, CrowdInput, CrowdRow, Folder, LiveCount, LiveCountRequest, Portrait, PortraitQuery, RfmQuery,
    RfmReport, Snapshot, UploadIdType, UploadReport,
};
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::auth::internal;
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::crowds as engine;
    pub use crate::server::repo::crowds as repo;

    pub async fn viewer() -> crate::error::AppResult<Ctx> {
        guard(Function::Crowds, Level::View).await
    }
    pub async fn manager() -> crate::error::AppResult<Ctx> {
        guard(Function::Crowds, Level::Manage).await
    }
    pub async fn analyst() -> crate::error::AppResult<Ctx> {
        guard(Function::CrowdAnalysis, Level::View).await
    }

    pub fn change(action: &'static str, entity: &'static str, id: Option<i64>, summary: String) -> Change<'static> {
        Change { module: Module::Insight, action, entity, entity_id: id, summary }
    }
}

/// The size of a tree and of each of its nodes, while the admin edits it. A newer request of
/// the same editor cancels this one (answered with `CrowdMsg::Superseded`).
#[server(prefix = "/api", endpoint = "crowds/live-count", input = Json)]
pub async fn crowd_live_count(req: LiveCountRequest) -> Result<LiveCount, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        req.tree.validate(req.own_id)?;
        engine::live_count(&ctx.state, ctx.enterprise_id(), ctx.user.user_id, req).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "crowds/list", input = Json)]
pub async fn list_crowds(filter: CrowdFilter, page: PageReq) -> Result<Page<CrowdRow>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::list(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

/// Every crowd with its snapshots, for pickers (set operations, "member of", campaign plans).
#[server(prefix = "/api", endpoint = "crowds/choices", input = Json)]
pub async fn crowd_choices() -> Result<Vec<CrowdChoice>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard_any_crowd_user().await?;
        repo::choices(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

/// Pickers are used by crowd managers, analysts and campaign editors alike.
#[cfg(feature = "ssr")]
async fn guard_any_crowd_user() -> crate::error::AppResult<crate::server::context::Ctx> {
    use imp::*;
    for f in [Function::Crowds, Function::CrowdAnalysis, Function::Campaigns] {
        if let Ok(ctx) = guard(f, Level::View).await {
            return Ok(ctx);
        }
    }
    guard(Function::Crowds, Level::View).await
}

#[server(prefix = "/api", endpoint = "crowds/load", input = Json)]
pub async fn load_crowd(id: i64) -> Result<CrowdDetail, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::detail(&mut ctx.tx().await?, ctx.enterprise_id(), id).await
    })
    .await
}

/// Creates or changes a filter or set-operation crowd and queues its computation. Returns the id.
#[server(prefix = "/api", endpoint = "crowds/save", input = Json)]
pub async fn save_crowd(input: CrowdInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = repo::save(&mut tx, &ctx.actor(), &input).await?;
        engine::queue_compute(&mut tx, &ctx.actor(), id, false).await?;
        let action = if input.id.is_some() { "update" } else { "create" };
        audit::record(&mut tx, &ctx.actor(), change(action, "crowd", Some(id), format!("保存人群「{}」", input.name.trim()))).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    })
    .await
}

/// A copy named `<name>_副本` (refresh settings included), computed afresh. Returns its id.
#[server(prefix = "/api", endpoint = "crowds/copy", input = Json)]
pub async fn copy_crowd(id: i64) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let (new_id, name) = repo::copy(&mut tx, &ctx.actor(), id).await?;
        engine::queue_compute(&mut tx, &ctx.actor(), new_id, false).await?;
        audit::record(&mut tx, &ctx.actor(), change("copy", "crowd", Some(new_id), format!("复制人群为「{name}」"))).await?;
        tx.commit().await.map_err(internal)?;
        Ok(new_id)
    })
    .await
}

/// Refused while other crowds or campaign plans use it (the message names them).
#[server(prefix = "/api", endpoint = "crowds/delete", input = Json)]
pub async fn delete_crowd(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete(&mut tx, ctx.enterprise_id(), id).await?;
        audit::record(&mut tx, &ctx.actor(), change("delete", "crowd", Some(id), format!("删除人群「{name}」"))).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

/// A manual refresh; `archive`: keep the result as a snapshot `<name>_<timestamp>`.
#[server(prefix = "/api", endpoint = "crowds/refresh", input = Json)]
pub async fn refresh_crowd(id: i64, archive: bool) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::mark_queued(&mut tx, ctx.enterprise_id(), id).await?;
        engine::queue_compute(&mut tx, &ctx.actor(), id, archive).await?;
        let what = if archive { "手动更新人群「{}」并存档快照" } else { "手动更新人群「{}」" };
        audit::record(&mut tx, &ctx.actor(), change("refresh", "crowd", Some(id), what.replace("{}", &name))).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

/// A crowd of the consumers listed in a CSV/TXT file (ids or mobiles), with a report of the
/// rows that matched no consumer.
#[server(prefix = "/api", endpoint = "crowds/upload", input = Json)]
pub async fn upload_crowd(
    name: String,
    remark: String,
    folder_id: Option<i64>,
    id_type: UploadIdType,
    text: String,
) -> Result<UploadReport, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        if text.len() > crate::domain::crowd::UPLOAD_MAX_KB * 1024 {
            return Err(AppError::field(
                "file",
                crate::domain::validate::Msg::FileTooLarge { max_kb: crate::domain::crowd::UPLOAD_MAX_KB },
            ));
        }
        let mut tx = ctx.tx().await?;
        let report = engine::upload(&ctx.state, &mut tx, &ctx.actor(), &name, &remark, folder_id, id_type, &text).await?;
        let summary = format!("上传人群「{}」：{} 行，匹配 {}", name.trim(), report.rows, report.matched);
        audit::record(&mut tx, &ctx.actor(), change("upload", "crowd", Some(report.crowd_id), summary)).await?;
        tx.commit().await.map_err(internal)?;
        Ok(report)
    })
    .await
}

#[server(prefix = "/api", endpoint = "crowds/folders", input = Json)]
pub async fn crowd_folders() -> Result<Vec<Folder>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::folders(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

/// Creates (`id` None) or renames a folder. Returns its id.
#[server(prefix = "/api", endpoint = "crowds/folder-save", input = Json)]
pub async fn save_crowd_folder(id: Option<i64>, name: String) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let folder = repo::save_folder(&mut tx, ctx.enterprise_id(), id, &name).await?;
        audit::record(&mut tx, &ctx.actor(), change("save", "crowd_folder", Some(folder), format!("保存人群文件夹「{}」", name.trim())))
            .await?;
        tx.commit().await.map_err(internal)?;
        Ok(folder)
    })
    .await
}

/// Only an empty folder can be deleted.
#[server(prefix = "/api", endpoint = "crowds/folder-delete", input = Json)]
pub async fn delete_crowd_folder(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete_folder(&mut tx, ctx.enterprise_id(), id).await?;
        audit::record(&mut tx, &ctx.actor(), change("delete", "crowd_folder", Some(id), format!("删除人群文件夹「{name}」"))).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "crowds/move", input = Json)]
pub async fn move_crowd(id: i64, folder_id: Option<i64>) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        repo::move_to(&mut tx, ctx.enterprise_id(), id, folder_id).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "crowds/snapshots", input = Json)]
pub async fn crowd_snapshots(crowd_id: i64) -> Result<Vec<Snapshot>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = viewer().await?;
        repo::snapshots(&mut ctx.tx().await?, ctx.enterprise_id(), crowd_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "crowds/snapshot-delete", input = Json)]
pub async fn delete_crowd_snapshot(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete_snapshot(&mut tx, ctx.enterprise_id(), id).await?;
        audit::record(&mut tx, &ctx.actor(), change("delete", "crowd_snapshot", Some(id), format!("删除人群快照「{name}」"))).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

/// Portrait of a computed crowd (or one drill-down of it): basic dimensions and interest tags
/// with TGI against all consumers, and the most significant attributes.
#[server(prefix = "/api", endpoint = "crowds/portrait", input = Json)]
pub async fn crowd_portrait(query: PortraitQuery) -> Result<Portrait, AppError> {
    use imp::*;
    respond(async move {
        let ctx = analyst().await?;
        engine::portrait(&ctx.state, ctx.enterprise_id(), &query).await
    })
    .await
}

/// RFM segments of all consumers or of a computed crowd.
#[server(prefix = "/api", endpoint = "crowds/rfm", input = Json)]
pub async fn crowd_rfm(query: RfmQuery) -> Result<RfmReport, AppError> {
    use imp::*;
    respond(async move {
        let ctx = analyst().await?;
        query.params.check().map_err(|m| AppError::field("params", m))?;
        engine::rfm(&ctx.state, ctx.enterprise_id(), &query).await
    })
    .await
}
