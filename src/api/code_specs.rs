//! Server functions: 码规格管理 — list, create, edit and delete code specs, and the accounts a
//! review flow may name.

use crate::domain::code_specs::{CodeSpec, CodeSpecInput, SpecFilter, SpecPerson};
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    use crate::domain::code_specs::{CodeSpec, SpecRole};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::code_specs as repo;

    pub async fn log(tx: &mut Tx, ctx: &Ctx, action: &str, id: i64, summary: String) -> crate::error::AppResult<()> {
        audit::record(tx, &ctx.actor(), Change { module: Module::Codes, action, entity: "code_spec", entity_id: Some(id), summary }).await
    }

    /// The fields of a spec the audit log compares, as (label, value).
    pub fn fields(s: &CodeSpec) -> Vec<(&'static str, String)> {
        let people = |role| s.people(role).iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、");
        let hours = |h: Option<i64>| h.map(|h| format!("{h} 小时")).unwrap_or_else(|| "—".into());
        vec![
            ("名称", s.name.clone()),
            ("文件字段", s.file_fields.iter().map(|f| f.key()).collect::<Vec<_>>().join(",")),
            ("文件格式", format!("{} 分隔符「{}」 表头 {}", s.file_format.key(), s.separator.escape_default(), s.with_header)),
            ("防伪码位数", s.pin_digits.to_string()),
            ("落地页", if s.landing_url.is_empty() { "Tessera".into() } else { s.landing_url.clone() }),
            ("审核流程", s.flow_name.clone()),
            ("申请人", people(SpecRole::Applicant)),
            ("审核人", people(SpecRole::Reviewer)),
            ("文件接收人", people(SpecRole::FileReceiver)),
            ("密码接收人", people(SpecRole::PasswordReceiver)),
            ("生成后未激活预警", hours(s.warn_generated_hours)),
            ("录入后未激活预警", hours(s.warn_entered_hours)),
            ("发送后未下载预警", hours(s.warn_sent_hours)),
        ]
    }
}

#[server(prefix = "/api", endpoint = "codes/specs", input = Json)]
pub async fn list_code_specs(filter: SpecFilter, page: PageReq) -> Result<Page<CodeSpec>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeSpecs, Level::View).await?;
        repo::list(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "codes/specs/get", input = Json)]
pub async fn get_code_spec(id: i64) -> Result<CodeSpec, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeSpecs, Level::View).await?;
        repo::get(&mut ctx.tx().await?, ctx.enterprise_id(), id).await
    })
    .await
}

/// The enterprise's enabled accounts, for the review flow's people pickers.
#[server(prefix = "/api", endpoint = "codes/specs/people", input = Json)]
pub async fn spec_people_choices() -> Result<Vec<SpecPerson>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeSpecs, Level::Manage).await?;
        repo::people_choices(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

/// Creates (no id) or updates (id + the version the form loaded) a spec; returns its id.
#[server(prefix = "/api", endpoint = "codes/specs/save", input = Json)]
pub async fn save_code_spec(input: CodeSpecInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeSpecs, Level::Manage).await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let e = ctx.enterprise_id();
        let before = match input.id {
            Some(id) => Some(repo::get(&mut tx, e, id).await?),
            None => None,
        };
        let id = repo::save(&mut tx, e, ctx.user.user_id, &input).await?;
        let after = repo::get(&mut tx, e, id).await?;
        let summary = match &before {
            Some(b) => crate::domain::audit::diff(
                &fields(b).into_iter().zip(fields(&after)).map(|((f, old), (_, new))| (f, old, new)).collect::<Vec<_>>(),
            ),
            None => fields(&after).iter().map(|(f, v)| format!("{f}: {v}")).collect::<Vec<_>>().join("; "),
        };
        log(&mut tx, &ctx, if before.is_some() { "update" } else { "create" }, id, summary).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

/// Deletes a spec, refused (naming them) once packages were applied for with it.
#[server(prefix = "/api", endpoint = "codes/specs/delete", input = Json)]
pub async fn delete_code_spec(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeSpecs, Level::Manage).await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete(&mut tx, ctx.enterprise_id(), id).await?;
        log(&mut tx, &ctx, "delete", id, format!("删除码规格「{name}」")).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(())
    })
    .await
}
