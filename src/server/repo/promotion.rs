//! Promotion codes (推广码): the codes, the area's settings, visits with first-touch
//! acquisition, and the analysis. Rules and DTOs: `domain::promotion`.

use crate::domain::page::{Page, PageReq};
use crate::domain::promotion::*;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::{violated_constraint, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

fn refused(m: PromotionMsg) -> AppError {
    AppError::Refused(Msg::Promotion(m))
}

pub async fn settings(tx: &mut Tx, e: i64) -> AppResult<PromotionSettings> {
    let row: Option<(Option<String>, Vec<String>)> =
        sqlx::query_as("SELECT logo, allowed_domains FROM promotion_settings WHERE enterprise_id = $1")
            .bind(e)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
    Ok(row.map(|(logo, allowed_domains)| PromotionSettings { logo, allowed_domains }).unwrap_or_default())
}

pub async fn set_domains(tx: &mut Tx, e: i64, domains: &[String]) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO promotion_settings (enterprise_id, allowed_domains) VALUES ($1, $2)
         ON CONFLICT (enterprise_id) DO UPDATE SET allowed_domains = EXCLUDED.allowed_domains",
    )
    .bind(e)
    .bind(domains)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(())
}

pub async fn set_logo(tx: &mut Tx, e: i64, logo: Option<&str>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO promotion_settings (enterprise_id, logo) VALUES ($1, $2)
         ON CONFLICT (enterprise_id) DO UPDATE SET logo = EXCLUDED.logo",
    )
    .bind(e)
    .bind(logo)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(())
}

/// The stored expiry of a code that may still be edited (NotFound; Deleted refused).
pub async fn stored_expiry(tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>, bool)> =
        sqlx::query_as("SELECT expires_at, deleted_at IS NOT NULL FROM promotion_codes WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
    match row {
        None => Err(AppError::NotFound),
        Some((_, true)) => Err(refused(PromotionMsg::Deleted)),
        Some((expiry, false)) => Ok(expiry),
    }
}

/// A random short-link token (CSPRNG, 31⁸ ≈ 8.5 × 10¹¹ possibilities).
fn new_token() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..TOKEN_LEN).map(|_| TOKEN_ALPHABET[rng.gen_range(0..TOKEN_ALPHABET.len())] as char).collect()
}

/// Inserts a validated new code with a fresh token (drawn again in the unlikely event of a
/// collision with any enterprise's token).
pub async fn create(tx: &mut Tx, e: i64, user_id: i64, input: &PromotionInput) -> AppResult<i64> {
    let p = input.params.trimmed();
    let external = if input.target == Target::External { input.external_url.trim() } else { "" };
    for _ in 0..5 {
        sqlx::query("SAVEPOINT token").execute(&mut **tx).await.map_err(internal)?;
        let inserted = sqlx::query_scalar(
            "INSERT INTO promotion_codes (enterprise_id, token, name, target, external_url, source, medium, campaign, content, term,
                                          expires_at, auto_tag, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(e)
        .bind(new_token())
        .bind(input.name.trim())
        .bind(input.target.key())
        .bind(external)
        .bind(&p.source)
        .bind(&p.medium)
        .bind(&p.campaign)
        .bind(&p.content)
        .bind(&p.term)
        .bind(input.expires_at)
        .bind(input.auto_tag.trim())
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await;
        match inserted {
            Ok(id) => return Ok(id),
            Err(err) if violated_constraint(&err) == Some("promotion_codes_token_key") => {
                sqlx::query("ROLLBACK TO SAVEPOINT token").execute(&mut **tx).await.map_err(internal)?;
            }
            Err(err) => return Err(internal(err)),
        }
    }
    Err(internal("no free promotion token after 5 draws"))
}

/// What a failed conditional change of a code means: gone, deleted, or changed meanwhile.
async fn why_unchanged(tx: &mut Tx, e: i64, id: i64) -> AppResult<AppError> {
    let deleted: Option<bool> =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM promotion_codes WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
    Ok(match deleted {
        None => AppError::NotFound,
        Some(true) => refused(PromotionMsg::Deleted),
        Some(false) => AppError::Refused(Msg::Stale),
    })
}

/// Name, expiry and auto tag of a code not deleted, at the version the form loaded.
pub async fn update(tx: &mut Tx, e: i64, input: &PromotionInput) -> AppResult<()> {
    let id = input.id.ok_or_else(|| internal("update without id"))?;
    let done = sqlx::query(
        "UPDATE promotion_codes SET name = $4, expires_at = $5, auto_tag = $6, version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL",
    )
    .bind(e)
    .bind(id)
    .bind(input.version)
    .bind(input.name.trim())
    .bind(input.expires_at)
    .bind(input.auto_tag.trim())
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(why_unchanged(tx, e, id).await?)
    }
}

/// Marks a code deleted (its visits and acquisitions stay); returns its name.
pub async fn delete(tx: &mut Tx, e: i64, id: i64, version: i32) -> AppResult<String> {
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE promotion_codes SET deleted_at = now(), version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL RETURNING name",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    match name {
        Some(n) => Ok(n),
        None => Err(why_unchanged(tx, e, id).await?),
    }
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    version: i32,
    name: String,
    token: String,
    target: String,
    external_url: String,
    source: String,
    medium: String,
    campaign: String,
    content: String,
    term: String,
    expires_at: Option<DateTime<Utc>>,
    auto_tag: String,
    created_at: DateTime<Utc>,
    created_by: Option<String>,
    deleted_at: Option<DateTime<Utc>>,
    visits_7d: i64,
    visits: i64,
    acquired_7d: i64,
    acquired: i64,
}

/// The short link of a token under the public origin.
pub fn short_link(base: &str, token: &str) -> String {
    format!("{}/p/{token}", base.trim_end_matches('/'))
}

pub async fn list(tx: &mut Tx, e: i64, base: &str, f: &PromotionFilter, page: PageReq) -> AppResult<Page<PromotionRow>> {
    const WHERE: &str = "c.enterprise_id = $1 AND ($2 OR c.deleted_at IS NULL)
        AND ($3 = '' OR c.name ILIKE '%' || $3 || '%' OR c.token = lower($3))";
    let q = f.q.trim();
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM promotion_codes c WHERE {WHERE}"))
        .bind(e)
        .bind(f.include_deleted)
        .bind(q)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    // Counts over the page's codes only, through the (enterprise, code, time) indexes.
    let rows: Vec<ListRow> = sqlx::query_as(&format!(
        "SELECT c.id, c.version, c.name, c.token, c.target, c.external_url, c.source, c.medium, c.campaign, c.content, c.term,
                c.expires_at, c.auto_tag, c.created_at, u.name AS created_by, c.deleted_at,
                (SELECT count(*) FROM promotion_visits v WHERE v.enterprise_id = $1 AND v.promotion_code_id = c.id
                    AND v.excluded IS NULL AND v.visited_at >= now() - interval '7 days') AS visits_7d,
                (SELECT count(*) FROM promotion_visits v WHERE v.enterprise_id = $1 AND v.promotion_code_id = c.id
                    AND v.excluded IS NULL) AS visits,
                (SELECT count(*) FROM promotion_acquisitions a WHERE a.enterprise_id = $1 AND a.promotion_code_id = c.id
                    AND a.acquired_at >= now() - interval '7 days') AS acquired_7d,
                (SELECT count(*) FROM promotion_acquisitions a WHERE a.enterprise_id = $1 AND a.promotion_code_id = c.id) AS acquired
           FROM promotion_codes c LEFT JOIN users u ON u.id = c.created_by
          WHERE {WHERE} ORDER BY c.created_at DESC, c.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(e)
    .bind(f.include_deleted)
    .bind(q)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let items = rows
        .into_iter()
        .map(|r| PromotionRow {
            short_link: short_link(base, &r.token),
            id: r.id,
            version: r.version,
            name: r.name,
            token: r.token,
            target: Target::from_key(&r.target).unwrap_or_default(),
            external_url: r.external_url,
            params: Params { source: r.source, medium: r.medium, campaign: r.campaign, content: r.content, term: r.term },
            expires_at: r.expires_at,
            auto_tag: r.auto_tag,
            created_at: r.created_at,
            created_by: r.created_by.unwrap_or_default(),
            deleted_at: r.deleted_at,
            visits_7d: r.visits_7d,
            visits: r.visits,
            acquired_7d: r.acquired_7d,
            acquired: r.acquired,
        })
        .collect();
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

pub async fn choices(tx: &mut Tx, e: i64) -> AppResult<Vec<CodeChoice>> {
    let rows: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT id, name, deleted_at IS NOT NULL FROM promotion_codes WHERE enterprise_id = $1 ORDER BY deleted_at IS NOT NULL, created_at DESC, id DESC",
    )
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(rows.into_iter().map(|(id, name, deleted)| CodeChoice { id, name, deleted }).collect())
}

/// A code as the short link needs it (deleted ones included: printed codes keep working).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct LinkCode {
    pub id: i64,
    pub token: String,
    pub enterprise_id: i64,
    pub name: String,
    pub target: String,
    pub external_url: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub content: String,
    pub term: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub auto_tag: String,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl LinkCode {
    pub fn params(&self) -> Params {
        Params {
            source: self.source.clone(),
            medium: self.medium.clone(),
            campaign: self.campaign.clone(),
            content: self.content.clone(),
            term: self.term.clone(),
        }
    }

    /// Where the visit goes: the Tessera page of the enterprise, or the external page, with the
    /// code's parameters appended (before any fragment).
    pub fn destination(&self) -> String {
        let query = self.params().encoded_query();
        match Target::from_key(&self.target).and_then(Target::path) {
            Some(path) if query.is_empty() => format!("{path}?e={}", self.enterprise_id),
            Some(path) => format!("{path}?e={}&{query}", self.enterprise_id),
            None if query.is_empty() => self.external_url.clone(),
            None => {
                let (url, fragment) = match self.external_url.split_once('#') {
                    Some((u, f)) => (u, format!("#{f}")),
                    None => (self.external_url.as_str(), String::new()),
                };
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}{query}{fragment}")
            }
        }
    }
}

const LINK_SELECT: &str = "SELECT id, token, enterprise_id, name, target, external_url, source, medium, campaign, content, term,
        expires_at, auto_tag, deleted_at FROM promotion_codes";

/// The code of a short-link token, in the tenant transaction opened for it.
pub async fn by_token(tx: &mut Tx, token: &str) -> AppResult<Option<LinkCode>> {
    sqlx::query_as(&format!("{LINK_SELECT} WHERE token = $1")).bind(token).fetch_optional(&mut **tx).await.map_err(internal)
}

/// A code of the enterprise by id (QR downloads).
pub async fn by_id(tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<LinkCode>> {
    sqlx::query_as(&format!("{LINK_SELECT} WHERE enterprise_id = $1 AND id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)
}

/// One request of a short link, as the handler saw it.
pub struct Visit<'a> {
    /// The consumer, when the request carried the device cookie and is no bot.
    pub consumer: Option<(i64, &'a str)>,
    /// The consumer was created by this visit.
    pub new_consumer: bool,
    /// Why it cannot count whatever happened before (bot, no cookie, expired code).
    pub excluded: Option<Excluded>,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// What recording a visit did.
#[derive(Debug, PartialEq, Eq)]
pub struct Recorded {
    pub visit_id: i64,
    pub counted: bool,
    /// This visit acquired the consumer (their first counted promotion visit).
    pub acquired: bool,
}

/// Records a visit: a consumer's visit counts unless they had a counted visit through the same
/// code within [`VISIT_WINDOW_MINUTES`] (one at a time per consumer and code, so a double load
/// counts once); a counted visit acquires the consumer if no code did before, and then puts the
/// code's auto tag on them.
pub async fn record_visit(tx: &mut Tx, code: &LinkCode, v: &Visit<'_>) -> AppResult<Recorded> {
    let e = code.enterprise_id;
    let mut excluded = v.excluded;
    if let (None, Some((consumer, _))) = (excluded, v.consumer) {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('promotion-visit:' || $1::text || ':' || $2::text, 0))")
            .bind(code.id)
            .bind(consumer)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
        let repeat: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM promotion_visits WHERE enterprise_id = $1 AND consumer_id = $2 AND promotion_code_id = $3
                 AND excluded IS NULL AND visited_at > now() - make_interval(mins => $4))",
        )
        .bind(e)
        .bind(consumer)
        .bind(code.id)
        .bind(VISIT_WINDOW_MINUTES as i32)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
        if repeat {
            excluded = Some(Excluded::Repeat);
        }
    }
    let visit_id: i64 = sqlx::query_scalar(
        "INSERT INTO promotion_visits (enterprise_id, promotion_code_id, consumer_id, device_id, source, medium, campaign, content, term,
                                       excluded, new_consumer, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::inet, $13) RETURNING id",
    )
    .bind(e)
    .bind(code.id)
    .bind(v.consumer.map(|c| c.0))
    .bind(v.consumer.map(|c| c.1))
    .bind(&code.source)
    .bind(&code.medium)
    .bind(&code.campaign)
    .bind(&code.content)
    .bind(&code.term)
    .bind(excluded.map(Excluded::key))
    .bind(v.new_consumer)
    .bind(v.ip.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string()))
    .bind(v.user_agent.chars().take(300).collect::<String>())
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    let (counted, consumer) = match (excluded, v.consumer) {
        (None, Some((consumer, _))) => (true, consumer),
        _ => return Ok(Recorded { visit_id, counted: false, acquired: false }),
    };
    let acquired = sqlx::query(
        "INSERT INTO promotion_acquisitions (enterprise_id, consumer_id, promotion_code_id, visit_id, acquired_at)
         VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING",
    )
    .bind(e)
    .bind(consumer)
    .bind(code.id)
    .bind(visit_id)
    .execute(&mut **tx)
    .await
    .map_err(internal)?
    .rows_affected()
        == 1;
    if acquired && !code.auto_tag.is_empty() {
        sqlx::query(
            "UPDATE consumers SET tags = array_append(tags, $3), version = version + 1
              WHERE enterprise_id = $1 AND id = $2 AND NOT ($3 = ANY(tags))",
        )
        .bind(e)
        .bind(consumer)
        .bind(&code.auto_tag)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    }
    Ok(Recorded { visit_id, counted, acquired })
}

/// Moves a merged consumer's promotion history to the record it was merged into: visits move,
/// and of the two first touches the earlier stays (called by the mobile binding's merge).
pub async fn merge_consumer(tx: &mut Tx, e: i64, from: i64, into: i64) -> AppResult<()> {
    sqlx::query("UPDATE promotion_visits SET consumer_id = $3 WHERE enterprise_id = $1 AND consumer_id = $2")
        .bind(e)
        .bind(from)
        .bind(into)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    sqlx::query(
        "DELETE FROM promotion_acquisitions a
          WHERE a.enterprise_id = $1 AND a.consumer_id IN ($2, $3)
            AND EXISTS (SELECT 1 FROM promotion_acquisitions b
                         WHERE b.enterprise_id = $1 AND b.consumer_id IN ($2, $3) AND b.consumer_id <> a.consumer_id
                           AND (b.acquired_at, b.visit_id) < (a.acquired_at, a.visit_id))",
    )
    .bind(e)
    .bind(from)
    .bind(into)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE promotion_acquisitions SET consumer_id = $3 WHERE enterprise_id = $1 AND consumer_id = $2")
        .bind(e)
        .bind(from)
        .bind(into)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(())
}

// ---------- analysis ----------

/// The grouping expression over a visit `v` (the code, or the parameter recorded on the visit).
fn key_sql(split: Dimension) -> &'static str {
    match split {
        Dimension::Code => "v.promotion_code_id::text",
        Dimension::Source => "v.source",
        Dimension::Medium => "v.medium",
        Dimension::Campaign => "v.campaign",
        Dimension::Content => "v.content",
        Dimension::Term => "v.term",
    }
}

/// The day of a timestamp in China Standard Time (the console's days).
const DAY_SQL: &str = "((v.visited_at AT TIME ZONE 'UTC') + interval '8 hours')::date";

/// Instants bounding CST days `from..=to`.
fn bounds(q: &AnalysisQuery) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - chrono::Duration::hours(8);
    (at(q.from), at(q.to + chrono::Duration::days(1)))
}

pub async fn analysis(tx: &mut Tx, e: i64, q: &AnalysisQuery) -> AppResult<Analysis> {
    let (start, end) = bounds(q);
    let days = q.days();
    let key = key_sql(q.split);
    // $1 enterprise, $2 start, $3 end, $4 codes (empty: all).
    let in_scope = "v.enterprise_id = $1 AND v.visited_at >= $2 AND v.visited_at < $3
                    AND (cardinality($4::bigint[]) = 0 OR v.promotion_code_id = ANY($4))";
    let visits: Vec<(String, NaiveDate, i64)> = sqlx::query_as(&format!(
        "SELECT {key}, {DAY_SQL}, count(*) FROM promotion_visits v WHERE {in_scope} AND v.excluded IS NULL GROUP BY 1, 2"
    ))
    .bind(e)
    .bind(start)
    .bind(end)
    .bind(&q.codes)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    // Per group, and (the NULL key: groups are never NULL) over all of them.
    let visitors: Vec<(Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT {key}, count(DISTINCT v.consumer_id) FROM promotion_visits v WHERE {in_scope} AND v.excluded IS NULL
          GROUP BY GROUPING SETS ((1), ())"
    ))
    .bind(e)
    .bind(start)
    .bind(end)
    .bind(&q.codes)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    // First touch: the acquisitions in the range, grouped by their visit. Last touch: each
    // consumer's last counted visit in the range (through any code), then the codes asked.
    let credited_sql = match q.attribution {
        Attribution::FirstTouch => format!(
            "SELECT {key}, {DAY_SQL}, count(*) FROM promotion_acquisitions a
               JOIN promotion_visits v ON v.enterprise_id = a.enterprise_id AND v.id = a.visit_id
              WHERE a.enterprise_id = $1 AND {in_scope} GROUP BY 1, 2"
        ),
        Attribution::LastTouch => format!(
            "SELECT {key}, {DAY_SQL}, count(*) FROM (
                 SELECT DISTINCT ON (consumer_id) * FROM promotion_visits
                  WHERE enterprise_id = $1 AND visited_at >= $2 AND visited_at < $3 AND excluded IS NULL AND consumer_id IS NOT NULL
                  ORDER BY consumer_id, visited_at DESC, id DESC) v
              WHERE {in_scope} GROUP BY 1, 2"
        ),
    };
    let credited: Vec<(String, NaiveDate, i64)> =
        sqlx::query_as(&credited_sql).bind(e).bind(start).bind(end).bind(&q.codes).fetch_all(&mut **tx).await.map_err(internal)?;
    let excluded: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT v.excluded, count(*) FROM promotion_visits v WHERE {in_scope} AND v.excluded IS NOT NULL GROUP BY 1"
    ))
    .bind(e)
    .bind(start)
    .bind(end)
    .bind(&q.codes)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;

    // The groups: every code asked for (zeros included, so a comparison shows them), plus
    // whatever has data.
    let mut keys: Vec<String> = if q.split == Dimension::Code { q.codes.iter().map(i64::to_string).collect() } else { vec![] };
    for k in visits.iter().map(|r| &r.0).chain(credited.iter().map(|r| &r.0)) {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let names: HashMap<String, String> = if q.split == Dimension::Code {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM promotion_codes WHERE enterprise_id = $1")
            .bind(e)
            .fetch_all(&mut **tx)
            .await
            .map_err(internal)?;
        rows.into_iter().map(|(id, n)| (id.to_string(), n)).collect()
    } else {
        HashMap::new()
    };
    let index = |d: NaiveDate| days.iter().position(|x| *x == d);
    let mut series: Vec<Series> = keys
        .into_iter()
        .map(|k| {
            let mut s = Series {
                label: names.get(&k).cloned().unwrap_or_else(|| k.clone()),
                visits: vec![0; days.len()],
                consumers: vec![0; days.len()],
                visits_total: 0,
                visitors_total: visitors.iter().find(|r| r.0.as_ref() == Some(&k)).map_or(0, |r| r.1),
                consumers_total: 0,
            };
            for (_, d, n) in visits.iter().filter(|r| r.0 == k) {
                if let Some(i) = index(*d) {
                    s.visits[i] += n;
                }
            }
            for (_, d, n) in credited.iter().filter(|r| r.0 == k) {
                if let Some(i) = index(*d) {
                    s.consumers[i] += n;
                }
            }
            s.visits_total = s.visits.iter().sum();
            s.consumers_total = s.consumers.iter().sum();
            s
        })
        .collect();
    series.sort_by_key(|s| std::cmp::Reverse((s.visits_total, s.consumers_total)));
    let count = |kind: Excluded| excluded.iter().find(|r| r.0 == kind.key()).map_or(0, |r| r.1);
    Ok(Analysis {
        days,
        series,
        visitors: visitors.iter().find(|r| r.0.is_none()).map_or(0, |r| r.1),
        excluded_bots: count(Excluded::Bot),
        excluded_no_cookie: count(Excluded::NoCookie),
        excluded_repeats: count(Excluded::Repeat),
        excluded_expired: count(Excluded::Expired),
    })
}
