//! Server functions: the consumer's own profile and mobile binding (`/api/c/…`, no sign-in: the
//! consumer is the signed device cookie's in the given enterprise), and the console's member
//! list (会员列表), detail, CSV import and export, points adjustment and risk flags.

use crate::domain::consumers::*;
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    use crate::error::AppResult;
    use crate::server::auth::internal;
    use crate::server::db::Tx;
    use crate::server::repo::consumers::{self as repo, ConsumerRef};
    use crate::server::AppState;

    /// A consumer request: the app state, a tenant transaction of enterprise `e` (refused if
    /// there is no such enterprise), the device and its consumer (created on first contact).
    pub struct Consumer {
        pub state: AppState,
        pub tx: Tx,
        pub device_id: String,
        pub me: ConsumerRef,
    }

    pub async fn consumer(e: i64) -> AppResult<Consumer> {
        let device = crate::server::consumer_cookie::device_id()?;
        let state = crate::server::context::state()?;
        let mut tx = state.db.tenant(e).await.map_err(internal)?;
        repo::enterprise_name(&mut tx, e).await?;
        let me = repo::for_device(&mut tx, e, &device.id).await?;
        Ok(Consumer { state, tx, device_id: device.id, me })
    }
}

/// The consumer's profile in enterprise `enterprise_id`.
#[server(prefix = "/api", endpoint = "c/profile", input = Json)]
pub async fn my_profile(enterprise_id: i64) -> Result<ProfileView, AppError> {
    use crate::server::context::respond;
    respond(async move {
        let mut c = imp::consumer(enterprise_id).await?;
        let p = crate::server::repo::consumers::my_profile(&mut c.tx, enterprise_id, c.me.id).await?;
        c.tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(p)
    })
    .await
}

#[server(prefix = "/api", endpoint = "c/profile/save", input = Json)]
pub async fn save_profile(enterprise_id: i64, input: ProfileInput) -> Result<ProfileView, AppError> {
    use crate::server::context::respond;
    use crate::server::repo::consumers as repo;
    respond(async move {
        input.validate()?;
        let mut c = imp::consumer(enterprise_id).await?;
        repo::save_profile(&mut c.tx, enterprise_id, c.me.id, &input).await?;
        let p = repo::my_profile(&mut c.tx, enterprise_id, c.me.id).await?;
        c.tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(p)
    })
    .await
}

/// Sends a 6-digit code to `mobile` (recorded in the outbox as an SMS): at most one a minute
/// and ten a day per device; it lives ten minutes.
#[server(prefix = "/api", endpoint = "c/mobile/code", input = Json)]
pub async fn send_mobile_code(enterprise_id: i64, mobile: String) -> Result<CodeSent, AppError> {
    use crate::domain::messages::Channel;
    use crate::server::context::respond;
    use crate::server::outbox::Outgoing;
    use crate::server::repo::consumers as repo;
    respond(async move {
        let mobile = mobile.trim().to_string();
        check_mobile(&mobile)?;
        let mut c = imp::consumer(enterprise_id).await?;
        let brand = repo::enterprise_name(&mut c.tx, enterprise_id).await?;
        let code = repo::new_mobile_code(&mut c.tx, enterprise_id, &c.device_id, &mobile).await?;
        c.state
            .notifier
            .record(
                &mut c.tx,
                Outgoing {
                    enterprise_id,
                    recipient_user_id: None,
                    channel: Channel::Sms,
                    address: &mobile,
                    subject: format!("【{brand}】验证码"),
                    body: format!("【{brand}】您的验证码是 {code}，{CODE_MINUTES} 分钟内有效，请勿泄露给他人。"),
                },
            )
            .await?;
        c.tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(CodeSent { resend_after: CODE_RESEND_SECONDS })
    })
    .await
}

/// Binds `mobile` after checking `code` (five attempts per code). If another member of the
/// enterprise already has this mobile, this device's records are merged into theirs.
#[server(prefix = "/api", endpoint = "c/mobile/bind", input = Json)]
pub async fn bind_mobile(enterprise_id: i64, mobile: String, code: String) -> Result<Bound, AppError> {
    use crate::domain::validate::Msg;
    use crate::server::auth::internal;
    use crate::server::context::respond;
    use crate::server::repo::consumers as repo;
    respond(async move {
        let (mobile, code) = (mobile.trim().to_string(), code.trim().to_string());
        check_code(&mobile, &code)?;
        let mut c = imp::consumer(enterprise_id).await?;
        if let Err(m) = repo::check_mobile_code(&mut c.tx, enterprise_id, &c.device_id, &mobile, &code).await? {
            // The counted attempt must stay.
            c.tx.commit().await.map_err(internal)?;
            return Err(AppError::field("code", Msg::Consumer(m)));
        }
        let bound = repo::bind_mobile(&mut c.tx, enterprise_id, c.me.id, &mobile).await?;
        c.tx.commit().await.map_err(internal)?;
        Ok(bound)
    })
    .await
}

// ---------- the console ----------

#[server(prefix = "/api", endpoint = "members/list", input = Json)]
pub async fn list_members(filter: MemberFilter, page: PageReq) -> Result<Page<MemberRow>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Members, Level::View).await?;
        filter.validate()?;
        let unmask = ctx.user.grants.allows(Function::Members, Level::Manage);
        crate::server::repo::consumers::list_members(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page, unmask).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "members/detail", input = Json)]
pub async fn get_member(id: i64) -> Result<MemberDetail, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Members, Level::View).await?;
        let unmask = ctx.user.grants.allows(Function::Members, Level::Manage);
        crate::server::repo::consumers::member_detail(&mut ctx.tx().await?, ctx.enterprise_id(), id, unmask).await
    })
    .await
}

/// Imports members from CSV text (header [`IMPORT_HEADER`], at most [`IMPORT_MAX_ROWS`] rows):
/// creates or updates by mobile in one transaction; refused rows are reported with their line.
#[server(prefix = "/api", endpoint = "members/import", input = Json)]
pub async fn import_members(csv: String) -> Result<ConsumerImportReport, AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::domain::validate::Msg;
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    use crate::server::repo::consumers as repo;
    respond(async move {
        let ctx = guard(Function::Members, Level::Manage).await?;
        if csv.len() > IMPORT_MAX_KB * 1024 {
            return Err(AppError::field("file", Msg::FileTooLarge { max_kb: IMPORT_MAX_KB }));
        }
        if csv.trim().is_empty() {
            return Err(AppError::field("file", Msg::Required));
        }
        let (rows, failed) = repo::parse_import(&csv)?;
        let mut tx = ctx.tx().await?;
        let (created, updated) = repo::import_rows(&mut tx, ctx.enterprise_id(), &rows).await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Change {
                module: Module::Marketing,
                action: "import",
                entity: "consumer",
                entity_id: None,
                summary: format!("导入会员：新增 {created}，更新 {updated}，失败 {}", failed.len()),
            },
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(ConsumerImportReport { created, updated, failed })
    })
    .await
}

/// Queues the member list under `filter` as a CSV in the download centre; returns its id.
#[server(prefix = "/api", endpoint = "members/export", input = Json)]
pub async fn export_members(filter: MemberFilter) -> Result<i64, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::domain::warnings::ExportKind;
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Members, Level::View).await?;
        filter.validate()?;
        let unmask = ctx.user.grants.allows(Function::Members, Level::Manage);
        let mut tx = ctx.tx().await?;
        let title = ExportKind::Members.label(ctx.locale).to_string();
        let params = serde_json::json!({ "filter": filter, "unmask": unmask, "locale": ctx.locale });
        let id = crate::api::exports::queue_export(&mut tx, &ctx.actor(), ExportKind::Members, &title, params).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

/// Grants or deducts points by hand (reason required); never below zero. Returns the balance.
#[server(prefix = "/api", endpoint = "members/points", input = Json)]
pub async fn adjust_points(input: PointsAdjustInput) -> Result<i32, AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::domain::validate::Msg;
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    use crate::server::repo::consumers::{self as repo, PointsReason};
    respond(async move {
        let ctx = guard(Function::Members, Level::Manage).await?;
        input.validate()?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let before = repo::points_of(&mut tx, e, input.consumer_id).await?;
        let note = format!("{}（{}）", input.reason.trim(), ctx.user.name);
        let balance = repo::change_points(&mut tx, e, input.consumer_id, input.delta, PointsReason::Adjust, None, &note)
            .await?
            .ok_or_else(|| AppError::field("delta", Msg::Consumer(ConsumerMsg::PointsBelowZero { balance: before })))?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Change {
                module: Module::Marketing,
                action: "adjust_points",
                entity: "consumer",
                entity_id: Some(input.consumer_id),
                summary: format!("会员 #{} 积分 {:+}（余额 {balance}），原因：{}", input.consumer_id, input.delta, input.reason.trim()),
            },
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(balance)
    })
    .await
}

/// Sets a member's risk level and bonus-hunter flag; returns the new version.
#[server(prefix = "/api", endpoint = "members/risk", input = Json)]
pub async fn set_member_risk(input: RiskInput) -> Result<i32, AppError> {
    use crate::domain::access::{Function, Level, Module};
    use crate::server::audit::{self, Change};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::Members, Level::Manage).await?;
        let mut tx = ctx.tx().await?;
        let v = crate::server::repo::consumers::set_risk(&mut tx, ctx.enterprise_id(), &input).await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Change {
                module: Module::Marketing,
                action: "set_risk",
                entity: "consumer",
                entity_id: Some(input.consumer_id),
                summary: format!(
                    "会员 #{} 风险等级：{}，羊毛党：{}",
                    input.consumer_id,
                    risk_label(input.risk_level, crate::i18n::Locale::Zh),
                    if input.bonus_hunter { "是" } else { "否" }
                ),
            },
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(v)
    })
    .await
}
