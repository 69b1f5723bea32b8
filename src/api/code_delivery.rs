//! Server functions: sending packages to their receivers, the package's delivery history, the
//! receiver page and extraction (the downloads themselves are plain GETs: `server/delivery.rs`).

use crate::domain::code_delivery::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::domain::validate::Msg;
    pub use crate::server::audit::{self, Change};
    pub use crate::server::auth::internal;
    pub use crate::server::context::{client_ip, guard, request_parts, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::code_delivery as repo;
    pub use chrono::Utc;

    use super::*;
    use crate::domain::messages::Channel;
    use crate::server::outbox::Outgoing;
    use repo::{Extractable, Person};

    pub fn refused(m: DeliveryMsg) -> AppError {
        AppError::Refused(Msg::Delivery(m))
    }

    /// The client's address, for the delivery history.
    pub fn ip(ctx: &Ctx) -> crate::error::AppResult<String> {
        Ok(client_ip(&request_parts()?, ctx.state.config.trust_proxy))
    }

    /// Where the console is reached, for the absolute link in the message: the origin the
    /// sender's browser called from, else the configured public origin.
    pub fn console_origin(ctx: &Ctx) -> String {
        let from_request = request_parts().ok().and_then(|p| {
            let o = p.headers.get(http::header::ORIGIN)?.to_str().ok()?.trim_end_matches('/').to_string();
            let host = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"))?;
            (!host.is_empty() && !host.contains('/')).then_some(o)
        });
        from_request.unwrap_or_else(|| ctx.state.codes.scan_base().trim_end_matches('/').to_string())
    }

    /// Email if the person has one, else SMS.
    pub fn reach(p: &Person) -> Option<(Channel, &str)> {
        match (&p.email, &p.mobile) {
            (Some(email), _) if !email.is_empty() => Some((Channel::Email, email.as_str())),
            (_, Some(mobile)) if !mobile.is_empty() => Some((Channel::Sms, mobile.as_str())),
            _ => None,
        }
    }

    pub async fn notify(ctx: &Ctx, tx: &mut Tx, to: &[Person], subject: &str, body: &str) -> crate::error::AppResult<()> {
        for p in to {
            let Some((channel, address)) = reach(p) else { continue };
            let m = Outgoing {
                enterprise_id: ctx.enterprise_id(),
                recipient_user_id: Some(p.user_id),
                channel,
                address,
                subject: subject.to_string(),
                body: body.to_string(),
            };
            ctx.state.notifier.record(tx, m).await?;
        }
        Ok(())
    }

    /// The package a key names, if the signed-in person may extract it now: a file receiver of
    /// its spec, sent, and its link not expired (checked in this order, so no one else learns
    /// anything about it).
    pub async fn extractable(ctx: &Ctx, tx: &mut Tx, key: &str, lock: bool) -> crate::error::AppResult<Extractable> {
        let e = ctx.enterprise_id();
        let key = ExtractionKey::parse(key).ok_or(AppError::NotFound)?;
        let Some(p) = repo::extractable(tx, e, &key, lock).await? else {
            if let ExtractionKey::Link(token) = &key {
                if let Some(name) = repo::link_enterprise(&ctx.state.db.system, token, ctx.user.user_id).await? {
                    return Err(refused(DeliveryMsg::OtherEnterprise { name }));
                }
            }
            return Err(AppError::NotFound);
        };
        if !repo::is_file_receiver(tx, e, p.spec_id, ctx.user.user_id).await? {
            return Err(refused(DeliveryMsg::NotAReceiver { spec: p.spec_name }));
        }
        let expires_at = match p.expires_at {
            Some(at) if p.status == "sent" => at,
            _ => return Err(refused(DeliveryMsg::NotSent)),
        };
        if expires_at <= Utc::now() {
            return Err(refused(DeliveryMsg::LinkExpired { at: expires_at }));
        }
        Ok(p)
    }
}

/// Sends a generated package (or re-sends a sent one: a new link and code, the old ones stop
/// working): the file receivers get the extraction link and code, the password receivers the
/// unzip password of each batch, in separate messages. `version` is the package's as shown, so
/// a double click sends once.
#[server(prefix = "/api", endpoint = "codes/delivery/send", input = Json)]
pub async fn send_package(package_id: i64, version: i32) -> Result<SendOutcome, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodePackages, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let ip = ip(&ctx)?;
        let origin = console_origin(&ctx);
        let mut tx = ctx.tx().await?;
        let p = repo::send_target(&mut tx, e, package_id).await?;
        if !matches!(p.status.as_str(), "generated" | "sent") {
            return Err(refused(DeliveryMsg::NotSendable { status: p.status }));
        }
        if p.version != version {
            return Err(AppError::Refused(Msg::Stale));
        }
        let file_receivers = repo::people(&mut tx, e, p.spec_id, "file_receiver").await?;
        let password_receivers = repo::people(&mut tx, e, p.spec_id, "password_receiver").await?;
        for (people, role) in [(&file_receivers, "file_receiver"), (&password_receivers, "password_receiver")] {
            if people.is_empty() {
                return Err(refused(DeliveryMsg::NoReceivers { spec: p.spec_name.clone(), role: role.into() }));
            }
        }
        let batches = repo::batches(&mut tx, e, package_id).await?;
        let key_version = u8::try_from(p.key_version).map_err(internal)?;
        let codec = ctx.state.codes.codec(key_version, p.id, &p.key_salt).map_err(internal)?;

        let (token, token_hash) = repo::new_token();
        let code = repo::new_code();
        let expires_at = repo::mark_sent(&mut tx, e, package_id, version, ctx.user.user_id, &token_hash, &repo::code_hash(&token_hash, &code))
            .await?
            .ok_or(AppError::Refused(Msg::Stale))?;

        let zh = crate::i18n::Locale::Zh;
        let valid_until = zh.datetime(&expires_at);
        let body = format!(
            "【Tessera】码包已发送给您。\n码包 ID：{id}\n名称：{name}\n码数量：{count}（{files} 个文件）\n提取链接：{origin}/codes/receive/{token}\n\
             提取码：{code}\n有效期至：{valid_until}（北京时间）\n请登录 Tessera 后打开提取链接，输入提取码下载；每个文件最多下载 {MAX_DOWNLOADS} 次。\
             解压密码另行发送给密码接收人。",
            id = p.id,
            name = p.name,
            count = zh.int(i64::from(p.code_count)),
            files = p.file_count,
        );
        notify(&ctx, &mut tx, &file_receivers, &format!("码包 {}「{}」提取链接", p.id, p.name), &body).await?;
        let mut body = format!("【Tessera】码包解压密码\n码包 ID：{}\n名称：{}\n", p.id, p.name);
        for b in &batches {
            let password = codec.batch_password(b.batch_no as u32);
            body.push_str(&format!("批次 {}：文件 {}，解压密码：{password}\n", b.batch_no, b.file_name));
        }
        body.push_str("请妥善保管，勿与提取链接和提取码一同转发。");
        notify(&ctx, &mut tx, &password_receivers, &format!("码包 {}「{}」解压密码", p.id, p.name), &body).await?;

        repo::log_event(&mut tx, e, package_id, DeliveryEventKind::Send, None, ctx.user.user_id, &ip).await?;
        let names = |people: &[repo::Person]| people.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、");
        let summary = format!(
            "{}码包「{}」：文件接收人 {}；密码接收人 {}；提取链接有效期至 {valid_until}",
            if p.status == "sent" { "重新发送" } else { "发送" },
            p.name,
            names(&file_receivers),
            names(&password_receivers),
        );
        let change = Change { module: Module::Codes, action: "send", entity: "code_package", entity_id: Some(package_id), summary };
        audit::record(&mut tx, &ctx.actor(), change).await?;
        tx.commit().await.map_err(internal)?;
        Ok(SendOutcome { file_receivers: file_receivers.len(), password_receivers: password_receivers.len(), expires_at })
    })
    .await
}

/// A package's delivery: receivers, link validity, batches with their downloads, history.
#[server(prefix = "/api", endpoint = "codes/delivery/status", input = Json)]
pub async fn load_delivery(package_id: i64) -> Result<DeliveryStatus, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodePackages, Level::View).await?;
        repo::delivery_status(&mut ctx.tx().await?, ctx.enterprise_id(), package_id).await
    })
    .await
}

/// The receiver page: packages sent where I am a file receiver of the spec.
#[server(prefix = "/api", endpoint = "codes/receive/list", input = Json)]
pub async fn received_packages() -> Result<Vec<ReceivedPackage>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeReceive, Level::View).await?;
        repo::received(&mut ctx.tx().await?, ctx.enterprise_id(), ctx.user.user_id).await
    })
    .await
}

/// The package an extraction page (`key`: link token or package id) is about, before the code
/// is typed; refuses clearly when the link expired or the person is not a receiver.
#[server(prefix = "/api", endpoint = "codes/receive/open", input = Json)]
pub async fn open_extraction(key: String) -> Result<ExtractionInfo, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeReceive, Level::View).await?;
        let mut tx = ctx.tx().await?;
        let p = extractable(&ctx, &mut tx, &key, false).await?;
        Ok(ExtractionInfo {
            package_id: p.id,
            name: p.name,
            code_count: p.code_count,
            file_count: p.file_count,
            sent_at: p.sent_at,
            expires_at: p.expires_at.unwrap_or_else(Utc::now),
        })
    })
    .await
}

/// Checks the extraction code: a correct one is logged and opens a download grant; wrong ones
/// are logged and, after [`WRONG_CODE_LIMIT`] within [`WRONG_CODE_WINDOW_MINUTES`] minutes,
/// every attempt is locked until the oldest leaves the window.
#[server(prefix = "/api", endpoint = "codes/receive/extract", input = Json)]
pub async fn extract(input: ExtractInput) -> Result<Grant, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeReceive, Level::View).await?;
        input.validate()?;
        let e = ctx.enterprise_id();
        let ip = ip(&ctx)?;
        let mut tx = ctx.tx().await?;
        // Locks the package row: concurrent attempts are counted one after the other.
        let p = extractable(&ctx, &mut tx, &input.key, true).await?;
        let (wrong, unlocks_at) = repo::recent_wrong_codes(&mut tx, e, p.id, p.sent_at.unwrap_or_else(Utc::now)).await?;
        if wrong >= WRONG_CODE_LIMIT {
            let seconds = unlocks_at.map(|t| (t - Utc::now()).num_seconds()).unwrap_or(60).max(1);
            return Err(AppError::Locked { seconds });
        }
        let right = match (&p.token_hash, &p.code_hash) {
            (Some(token_hash), Some(stored)) => repo::code_hash(token_hash, &input.code) == *stored,
            _ => false,
        };
        if !right {
            repo::log_event(&mut tx, e, p.id, DeliveryEventKind::WrongCode, None, ctx.user.user_id, &ip).await?;
            tx.commit().await.map_err(internal)?;
            return Err(refused(DeliveryMsg::WrongCode { attempts_left: WRONG_CODE_LIMIT - wrong - 1 }));
        }
        let (token, hash) = repo::new_token();
        let expires_at = repo::open_grant(&mut tx, e, p.id, ctx.user.user_id, &hash).await?;
        repo::log_event(&mut tx, e, p.id, DeliveryEventKind::Extract, None, ctx.user.user_id, &ip).await?;
        let batches = repo::batches(&mut tx, e, p.id).await?;
        tx.commit().await.map_err(internal)?;
        Ok(Grant { token, package_id: p.id, expires_at, batches })
    })
    .await
}

/// The batches of an open grant again (their download counts change as files are fetched).
#[server(prefix = "/api", endpoint = "codes/receive/grant", input = Json)]
pub async fn refresh_grant(token: String) -> Result<Grant, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::CodeReceive, Level::View).await?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let g = repo::grant(&mut tx, e, &token).await?.ok_or(AppError::NotFound)?;
        if g.user_id != ctx.user.user_id {
            return Err(refused(DeliveryMsg::NotYourGrant));
        }
        if !g.live {
            return Err(refused(DeliveryMsg::GrantExpired));
        }
        let batches = repo::batches(&mut tx, e, g.package_id).await?;
        Ok(Grant { token, package_id: g.package_id, expires_at: g.expires_at, batches })
    })
    .await
}
