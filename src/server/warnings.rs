//! The periodic check: raises each spec's warnings into 预警通知 and the outbox, and deletes
//! the files of expired exports (下载中心).
//!
//! Every check runs on the system pool over all enterprises (each query filters by enterprise
//! itself). A warning is raised once per (enterprise, kind, subject): the unique constraint
//! `warnings_once` makes a second run, or a second Tessera process, a no-op.

use super::outbox::Outgoing;
use super::repo::warnings::{self as repo, Due};
use super::AppState;
use crate::domain::codes::format_serial;
use crate::domain::messages::Channel;
use crate::domain::warnings::WarningKind;
use std::time::Duration;

/// How often the check runs.
const PERIOD: Duration = Duration::from_secs(5 * 60);

/// Checks every five minutes until the process ends.
pub async fn raise_forever(state: AppState) {
    loop {
        match raise_warnings(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(raised = n, "warnings raised"),
            Err(e) => tracing::warn!(error = %e, "warning check failed"),
        }
        match super::exports::purge_expired(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "expired exports deleted"),
            Err(e) => tracing::warn!(error = %e, "purging expired exports failed"),
        }
        tokio::time::sleep(PERIOD).await;
    }
}

/// One check of every spec's warning parameters; returns how many warnings it raised.
pub async fn raise_warnings(state: &AppState) -> anyhow::Result<usize> {
    let pool = &state.db.system;
    let mut raised = 0;
    for (kind, due) in [
        (PackageCheck::GeneratedNotActivated, repo::due_generated(pool).await?),
        (PackageCheck::EnteredNotActivated, repo::due_entered(pool).await?),
        (PackageCheck::SentNotDownloaded, repo::due_sent(pool).await?),
    ] {
        for d in due {
            // One transaction per warning: its row and its messages exist together or not at all.
            match raise(state, kind, &d).await {
                Ok(true) => raised += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(package = d.package_id, kind = kind.kind().key(), error = %e, "could not raise a warning"),
            }
        }
    }
    Ok(raised)
}

/// The warnings this check raises: the spec's package parameters. (Prize-stock warnings are
/// raised by the draw that crosses the warning value, in `server::draw`.)
#[derive(Clone, Copy)]
enum PackageCheck {
    GeneratedNotActivated,
    EnteredNotActivated,
    SentNotDownloaded,
}

impl PackageCheck {
    fn kind(self) -> WarningKind {
        match self {
            PackageCheck::GeneratedNotActivated => WarningKind::GeneratedNotActivated,
            PackageCheck::EnteredNotActivated => WarningKind::EnteredNotActivated,
            PackageCheck::SentNotDownloaded => WarningKind::SentNotDownloaded,
        }
    }
}

/// What a warning says: subject (its identity), title, body and the console page to act on.
struct Text {
    subject: String,
    title: String,
    body: String,
    link: String,
}

fn batch_list(batches: &[i32]) -> String {
    batches.iter().map(|b| format!("第 {b} 批")).collect::<Vec<_>>().join("、")
}

fn text(kind: PackageCheck, d: &Due) -> Text {
    let (package, id, hours) = (&d.package_name, d.package_id, d.hours);
    match kind {
        PackageCheck::GeneratedNotActivated => Text {
            subject: format!("package:{id}"),
            title: format!("码包「{package}」生成已超过 {hours} 小时，仍有批次未激活"),
            body: format!(
                "码包「{package}」（ID {id}）生成已超过 {hours} 小时，以下批次仍有未激活的码：{}。请尽快录入信息并激活。",
                batch_list(&d.batches)
            ),
            link: "/codes/activation".into(),
        },
        PackageCheck::EnteredNotActivated => {
            let serials = match (d.serial_start, d.serial_end) {
                (Some(a), Some(b)) => format!("{} 至 {}", format_serial(id, a as u32), format_serial(id, b as u32)),
                _ => String::new(),
            };
            Text {
                subject: format!("range:{}", d.range_id.unwrap_or_default()),
                title: format!("码包「{package}」有号段录入已超过 {hours} 小时仍未激活"),
                body: format!(
                    "码包「{package}」（ID {id}）{} 的号段 {serials} 已录入信息超过 {hours} 小时，仍未激活。",
                    batch_list(&d.batches)
                ),
                link: "/codes/activation".into(),
            }
        }
        PackageCheck::SentNotDownloaded => Text {
            subject: format!("package:{id}"),
            title: format!("码包「{package}」发送已超过 {hours} 小时，仍有批次未下载"),
            body: format!(
                "码包「{package}」（ID {id}）发送给包材厂已超过 {hours} 小时，以下批次尚未下载：{}。请联系接收人。",
                batch_list(&d.batches)
            ),
            link: format!("/codes/packages/{id}"),
        },
    }
}

/// Records one warning and, if it is new, messages the spec's applicants and reviewers.
async fn raise(state: &AppState, check: PackageCheck, d: &Due) -> anyhow::Result<bool> {
    let (kind, t) = (check.kind(), text(check, d));
    let mut tx = state.db.system.begin().await?;
    let Some(_id) = repo::insert(&mut tx, d.enterprise_id, kind, &t.subject, &t.title, &t.body, &t.link).await? else {
        return Ok(false);
    };
    let link = format!("{}{}", state.codes.scan_base(), t.link);
    for r in repo::recipients(&mut tx, d.enterprise_id, d.spec_id).await? {
        let (channel, address) = match (&r.email, &r.mobile) {
            (Some(email), _) => (Channel::Email, email.as_str()),
            (None, Some(mobile)) => (Channel::Sms, mobile.as_str()),
            (None, None) => continue,
        };
        let outgoing = Outgoing {
            enterprise_id: d.enterprise_id,
            recipient_user_id: Some(r.user_id),
            channel,
            address,
            subject: format!("【预警】{}", t.title),
            body: format!("{}\n处理：{link}", t.body),
        };
        state.notifier.record(&mut tx, outgoing).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(range: Option<i64>) -> Due {
        Due {
            enterprise_id: 1,
            spec_id: 2,
            package_id: 7,
            package_name: "春季码包".into(),
            hours: 24,
            range_id: range,
            batches: vec![1, 3],
            serial_start: range.map(|_| 5),
            serial_end: range.map(|_| 9),
        }
    }

    #[test]
    fn texts_name_the_package_batches_and_hours() {
        let t = text(PackageCheck::GeneratedNotActivated, &due(None));
        assert_eq!(t.subject, "package:7");
        assert!(t.title.contains("春季码包") && t.title.contains("24"));
        assert!(t.body.contains("第 1 批、第 3 批"));
        let t = text(PackageCheck::EnteredNotActivated, &due(Some(42)));
        assert_eq!(t.subject, "range:42");
        assert!(t.body.contains("7-00000005 至 7-00000009"));
        let t = text(PackageCheck::SentNotDownloaded, &due(None));
        assert_eq!(t.link, "/codes/packages/7");
    }
}
