//! The one way Tessera sends messages. Every message is recorded in the `outbox` table in the
//! caller's transaction (so it exists exactly when the change that caused it commits); emails
//! are then delivered by SMTP when a relay is configured. SMS has no transport yet: messages
//! stay `recorded`, readable in 设置 → 消息中心, which is also what tests read.

use super::auth::internal;
use super::db::Tx;
use crate::domain::messages::{Channel, OutboxMessage};
use crate::error::AppResult;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Notifier {
    smtp: Option<Arc<AsyncSmtpTransport<Tokio1Executor>>>,
    from: String,
}

/// One message to record.
pub struct Outgoing<'a> {
    pub enterprise_id: i64,
    pub recipient_user_id: Option<i64>,
    pub channel: Channel,
    pub address: &'a str,
    pub subject: String,
    pub body: String,
}

impl Notifier {
    pub fn new(smtp: Option<&str>, from: &str) -> anyhow::Result<Notifier> {
        let smtp = match smtp {
            Some(relay) => {
                let (host, port) = relay.rsplit_once(':').unwrap_or((relay, "25"));
                Some(Arc::new(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port.parse()?).build()))
            }
            None => None,
        };
        Ok(Notifier { smtp, from: from.to_string() })
    }

    pub async fn record(&self, tx: &mut Tx, m: Outgoing<'_>) -> AppResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO outbox (enterprise_id, recipient_user_id, channel, address, subject, body)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(m.enterprise_id)
        .bind(m.recipient_user_id)
        .bind(m.channel)
        .bind(m.address)
        .bind(m.subject)
        .bind(m.body)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)
    }

    /// Delivers recorded emails forever (only when SMTP is configured); runs on the system pool.
    pub async fn deliver_forever(self, pool: PgPool) {
        let Some(smtp) = self.smtp.clone() else { return };
        loop {
            if let Err(e) = self.deliver_batch(&pool, &smtp).await {
                tracing::warn!(error = %e, "outbox delivery failed");
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    }

    async fn deliver_batch(&self, pool: &PgPool, smtp: &AsyncSmtpTransport<Tokio1Executor>) -> anyhow::Result<()> {
        let mut tx = pool.begin().await?;
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, address, subject, body FROM outbox
              WHERE channel = 'email' AND delivery = 'recorded'
              ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (id, address, subject, body) in rows {
            let sent = async {
                let msg = Message::builder().from(self.from.parse()?).to(address.parse()?).subject(subject).body(body)?;
                smtp.send(msg).await?;
                anyhow::Ok(())
            }
            .await;
            let (delivery, error) = match sent {
                Ok(()) => ("sent", None),
                Err(e) => ("failed", Some(e.to_string())),
            };
            sqlx::query("UPDATE outbox SET delivery = $2, error = $3, sent_at = now() WHERE id = $1")
                .bind(id)
                .bind(delivery)
                .bind(error)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A person's own messages in the current enterprise, newest first.
pub async fn mine(tx: &mut Tx, user_id: i64, limit: i64) -> AppResult<Vec<OutboxMessage>> {
    sqlx::query_as(
        "SELECT id, created_at, channel, address, subject, body, delivery, error
           FROM outbox WHERE recipient_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}
