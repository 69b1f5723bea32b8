//! 设置 → 权限角色: positions and staff accounts.

use crate::domain::accounts::*;
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::domain::validate::Msg;
    pub use crate::server::audit::{self, Change};
    pub use crate::server::auth::internal;
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::accounts as repo;

    pub async fn log(tx: &mut Tx, ctx: &Ctx, action: &str, entity: &str, id: i64, summary: String) -> crate::error::AppResult<()> {
        audit::record(tx, &ctx.actor(), Change { module: Module::Settings, action, entity, entity_id: Some(id), summary }).await
    }
}

#[server(prefix = "/api", endpoint = "positions", input = Json)]
pub async fn list_positions() -> Result<Vec<Position>, AppError> {
    use imp::*;
    respond(async {
        // Account management picks positions too, so either permission may list them.
        let ctx = match guard(Function::Positions, Level::View).await {
            Ok(ctx) => ctx,
            Err(_) => guard(Function::Accounts, Level::View).await?,
        };
        repo::positions(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "positions/save", input = Json)]
pub async fn save_position(input: PositionInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async {
        let ctx = guard(Function::Positions, Level::Manage).await?;
        input.validate()?;
        // No one hands out more than they hold (else managing positions is everything).
        let beyond = ctx.user.grants.beyond(&input.grants);
        if !beyond.is_empty() {
            return Err(AppError::field("grants", Msg::BeyondOwnPermissions(beyond)));
        }
        let mut tx = ctx.tx().await?;
        let id = repo::save_position(&mut tx, ctx.enterprise_id(), &input).await?;
        let summary = format!("岗位「{}」 权限: {}", input.name.trim(), input.grants.summary(crate::i18n::Locale::Zh));
        log(&mut tx, &ctx, if input.id.is_some() { "update" } else { "create" }, "position", id, summary).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    })
    .await
}

#[server(prefix = "/api", endpoint = "positions/delete", input = Json)]
pub async fn delete_position(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async {
        let ctx = guard(Function::Positions, Level::Manage).await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete_position(&mut tx, ctx.enterprise_id(), id).await?;
        log(&mut tx, &ctx, "delete", "position", id, format!("删除岗位「{name}」")).await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "accounts", input = Json)]
pub async fn list_accounts(filter: AccountFilter, page: PageReq) -> Result<Page<Account>, AppError> {
    use imp::*;
    respond(async {
        let ctx = guard(Function::Accounts, Level::View).await?;
        repo::accounts(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

/// Creates an account (sending the initial password through the outbox) or updates one.
#[server(prefix = "/api", endpoint = "accounts/save", input = Json)]
pub async fn save_account(input: AccountInput) -> Result<i64, AppError> {
    use crate::domain::messages::Channel;
    use crate::server::{auth, outbox::Outgoing};
    use imp::*;
    respond(async {
        let ctx = guard(Function::Accounts, Level::Manage).await?;
        input.validate()?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        // The account being edited must be this enterprise's (404 before anything else).
        let before = match input.id {
            Some(id) => Some(repo::account(&mut tx, e, id).await?),
            None => None,
        };
        // An account may not be given a position with more than its creator holds.
        if let Some(position) = input.position_id {
            let grants = repo::position(&mut tx, e, position).await.map_err(|_| AppError::field("position_id", Msg::NotFound))?.grants;
            let beyond = ctx.user.grants.beyond(&grants);
            if !beyond.is_empty() {
                return Err(AppError::field("position_id", Msg::BeyondOwnPermissions(beyond)));
            }
        }
        if let Some(before) = before {
            let after = repo::update_account(&mut tx, e, &input).await?;
            let f = |a: &Account| {
                [
                    ("姓名", a.name.clone()),
                    ("手机", a.mobile.clone().unwrap_or_default()),
                    ("邮箱", a.email.clone().unwrap_or_default()),
                    ("岗位", a.position_name.clone()),
                    ("备注", a.remark.clone()),
                ]
            };
            let changes: Vec<_> = f(&before).into_iter().zip(f(&after)).map(|((k, o), (_, n))| (k, o, n)).collect();
            log(&mut tx, &ctx, "update", "account", after.id, crate::domain::audit::diff(&changes)).await?;
            tx.commit().await.map_err(internal)?;
            return Ok(after.id);
        }
        let password = auth::initial_password();
        let (id, user_id, is_new) = repo::create_account(&mut tx, e, ctx.user.user_id, &input, &auth::hash_password(&password)).await?;
        let enterprise: String =
            sqlx::query_scalar("SELECT name FROM enterprises WHERE id = $1").bind(e).fetch_one(&mut *tx).await.map_err(internal)?;
        let login = input.mobile.trim().to_string();
        let body = if is_new {
            format!("【Tessera】您已被添加为「{enterprise}」的员工账号。登录账号：{login}，初始密码：{password}。首次登录后请修改密码。")
        } else {
            format!("【Tessera】您已被添加为「{enterprise}」的员工账号，请使用原有账号 {login} 和密码登录。")
        };
        let mut addresses = vec![(Channel::Sms, login.clone())];
        if !input.email.trim().is_empty() {
            addresses.push((Channel::Email, input.email.trim().to_lowercase()));
        }
        for (channel, address) in &addresses {
            ctx.state
                .notifier
                .record(
                    &mut tx,
                    Outgoing {
                        enterprise_id: e,
                        recipient_user_id: Some(user_id),
                        channel: *channel,
                        address,
                        subject: format!("{enterprise} 员工账号"),
                        body: body.clone(),
                    },
                )
                .await?;
        }
        let summary = format!("新建账号「{}」 手机 {} 岗位 #{}", input.name.trim(), login, input.position_id.unwrap_or_default());
        log(&mut tx, &ctx, "create", "account", id, summary).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    })
    .await
}

/// Disabling ends the person's sessions in this enterprise at once.
#[server(prefix = "/api", endpoint = "accounts/status", input = Json)]
pub async fn set_account_status(id: i64, status: AccountStatus) -> Result<Account, AppError> {
    use imp::*;
    respond(async {
        let ctx = guard(Function::Accounts, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let target = repo::account(&mut tx, e, id).await?;
        if target.user_id == ctx.user.user_id && status == AccountStatus::Disabled {
            return Err(AppError::Refused(Msg::CannotDisableSelf));
        }
        let account = repo::set_status(&mut tx, e, id, status).await?;
        let action = if status == AccountStatus::Disabled { "disable" } else { "enable" };
        log(&mut tx, &ctx, action, "account", id, format!("{}账号「{}」", if action == "disable" { "停用" } else { "启用" }, account.name))
            .await?;
        tx.commit().await.map_err(internal)?;
        if status == AccountStatus::Disabled {
            crate::server::auth::end_sessions_in(&ctx.state.db.system, account.user_id, e).await?;
        }
        Ok(account)
    })
    .await
}
