//! Consumers: identity (a device's consumer, created on first use), the points ledger, mobile
//! binding with merge, profiles, the CSV import and the console's member list and detail.

use crate::domain::risk::RiskLevel;
use crate::error::AppResult;
use crate::server::auth::internal;
use crate::server::db::Tx;

/// The consumer behind a device, as a scan or draw needs it.
#[derive(Clone, Debug)]
pub struct ConsumerRef {
    pub id: i64,
    /// Created by this call (their first contact with the enterprise).
    pub created: bool,
    /// No scan of the enterprise's codes before.
    pub new: bool,
    pub risk_level: RiskLevel,
    pub bonus_hunter: bool,
    pub province: Option<String>,
    pub city: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    risk_level: i16,
    bonus_hunter: bool,
    province: Option<String>,
    city: Option<String>,
    last_scan_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Row {
    fn into_ref(self, created: bool) -> ConsumerRef {
        ConsumerRef {
            id: self.id,
            created,
            new: self.last_scan_at.is_none(),
            risk_level: RiskLevel::from_number(self.risk_level),
            bonus_hunter: self.bonus_hunter,
            province: self.province,
            city: self.city,
        }
    }
}

const SELECT_BY_DEVICE: &str = "SELECT c.id, c.risk_level, c.bonus_hunter, c.province, c.city, c.last_scan_at
       FROM consumer_devices d JOIN consumers c ON c.enterprise_id = d.enterprise_id AND c.id = d.consumer_id
      WHERE d.enterprise_id = $1 AND d.device_id = $2";

/// The consumer of `device_id` in enterprise `e`, created with the device on first contact.
/// Two first requests of one device at once create one consumer: the loser's insert of the
/// device row waits for the winner, conflicts, and its consumer row is removed again.
pub async fn for_device(tx: &mut Tx, e: i64, device_id: &str) -> AppResult<ConsumerRef> {
    if let Some(row) =
        sqlx::query_as::<_, Row>(SELECT_BY_DEVICE).bind(e).bind(device_id).fetch_optional(&mut **tx).await.map_err(internal)?
    {
        return Ok(row.into_ref(false));
    }
    let id: i64 = sqlx::query_scalar("INSERT INTO consumers (enterprise_id) VALUES ($1) RETURNING id")
        .bind(e)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let bound: Option<i64> = sqlx::query_scalar(
        "INSERT INTO consumer_devices (enterprise_id, device_id, consumer_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING consumer_id",
    )
    .bind(e)
    .bind(device_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    if bound.is_some() {
        return Ok(ConsumerRef {
            id,
            created: true,
            new: true,
            risk_level: RiskLevel::Normal,
            bonus_hunter: false,
            province: None,
            city: None,
        });
    }
    sqlx::query("DELETE FROM consumers WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    let row = sqlx::query_as::<_, Row>(SELECT_BY_DEVICE).bind(e).bind(device_id).fetch_one(&mut **tx).await.map_err(internal)?;
    Ok(row.into_ref(false))
}

/// Records where a consumer created just now came from (created as 'scan' by [`for_device`]).
pub async fn set_source(tx: &mut Tx, e: i64, id: i64, source: Source) -> AppResult<()> {
    sqlx::query("UPDATE consumers SET source = $3 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(source.key())
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Why points change (points_ledger.reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointsReason {
    Prize,
    Redeem,
    Adjust,
    Merge,
}

impl PointsReason {
    pub fn key(self) -> &'static str {
        match self {
            PointsReason::Prize => "prize",
            PointsReason::Redeem => "redeem",
            PointsReason::Adjust => "adjust",
            PointsReason::Merge => "merge",
        }
    }
}

/// Adds `delta` (negative: spends) to a consumer's points and writes the ledger row, in the
/// caller's transaction. A spend beyond the balance matches no row and returns `None` (the
/// balance never goes below zero: a conditional UPDATE, and a CHECK behind it).
pub async fn change_points(
    tx: &mut Tx,
    e: i64,
    consumer_id: i64,
    delta: i32,
    reason: PointsReason,
    win_id: Option<i64>,
    note: &str,
) -> AppResult<Option<i32>> {
    let balance: Option<i32> = sqlx::query_scalar(
        "WITH c AS (UPDATE consumers SET points = points + $3
                     WHERE enterprise_id = $1 AND id = $2 AND points + $3 >= 0 RETURNING points)
         INSERT INTO points_ledger (enterprise_id, consumer_id, delta, balance, reason, win_id, note)
         SELECT $1, $2, $3, c.points, $4, $5, $6 FROM c RETURNING balance",
    )
    .bind(e)
    .bind(consumer_id)
    .bind(delta)
    .bind(reason.key())
    .bind(win_id)
    .bind(note)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(balance)
}

// ---------- the consumer's own profile and mobile binding ----------

use crate::domain::consumers::*;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::AppError;
use sha2::{Digest, Sha256};

/// The enterprise's name, or NoSuchEnterprise (a consumer page names the brand by id).
pub async fn enterprise_name(tx: &mut Tx, e: i64) -> AppResult<String> {
    sqlx::query_scalar("SELECT name FROM enterprises WHERE id = $1")
        .bind(e)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::Refused(Msg::Consumer(ConsumerMsg::NoSuchEnterprise)))
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    name: String,
    gender: Option<String>,
    birth_year: Option<i16>,
    province: Option<String>,
    city: Option<String>,
    marital: Option<String>,
    education: Option<String>,
    interests: Vec<String>,
    mobile: Option<String>,
    points: i32,
}

pub async fn my_profile(tx: &mut Tx, e: i64, consumer_id: i64) -> AppResult<ProfileView> {
    let enterprise_name = enterprise_name(tx, e).await?;
    let r: ProfileRow = sqlx::query_as(
        "SELECT name, gender, birth_year, province, city, marital, education, interests, mobile, points
           FROM consumers WHERE enterprise_id = $1 AND id = $2",
    )
    .bind(e)
    .bind(consumer_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(ProfileView {
        enterprise_name,
        profile: ProfileInput {
            name: r.name,
            gender: r.gender.as_deref().and_then(Gender::parse),
            birth_year: r.birth_year.map(i32::from),
            province: r.province,
            city: r.city.unwrap_or_default(),
            marital: r.marital.as_deref().and_then(Marital::parse),
            education: r.education.as_deref().and_then(Education::parse),
            interests: r.interests,
        },
        mobile: r.mobile,
        points: r.points,
    })
}

/// Saves the validated profile of a consumer.
pub async fn save_profile(tx: &mut Tx, e: i64, consumer_id: i64, p: &ProfileInput) -> AppResult<()> {
    let interests: Vec<&str> = p.interests().into_iter().map(Interest::key).collect();
    let city = Some(p.city.trim()).filter(|c| !c.is_empty());
    sqlx::query(
        "UPDATE consumers SET name = $3, gender = $4, birth_year = $5, province = $6, city = $7, marital = $8,
                education = $9, interests = $10, version = version + 1
          WHERE enterprise_id = $1 AND id = $2",
    )
    .bind(e)
    .bind(consumer_id)
    .bind(p.name.trim())
    .bind(p.gender.map(Gender::key))
    .bind(p.birth_year.map(|y| y as i16))
    .bind(p.province.as_deref())
    .bind(city)
    .bind(p.marital.map(Marital::key))
    .bind(p.education.map(Education::key))
    .bind(&interests)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(())
}

fn code_hash(e: i64, device_id: &str, mobile: &str, code: &str) -> Vec<u8> {
    // Salted with who asked, so one hash says nothing about another device's code.
    Sha256::digest(format!("{e}:{device_id}:{mobile}:{code}").as_bytes()).to_vec()
}

/// Serialises the code requests and bindings of one device (its row exists: `for_device`
/// created it), so two requests at once cannot both pass the limits.
async fn lock_device(tx: &mut Tx, e: i64, device_id: &str) -> AppResult<()> {
    sqlx::query("SELECT 1 FROM consumer_devices WHERE enterprise_id = $1 AND device_id = $2 FOR UPDATE")
        .bind(e)
        .bind(device_id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Stores a new one-time code for (device, mobile) within the limits (one a minute, ten a day
/// per device) and returns it, for the caller to send through the outbox.
pub async fn new_mobile_code(tx: &mut Tx, e: i64, device_id: &str, mobile: &str) -> AppResult<String> {
    lock_device(tx, e, device_id).await?;
    let (last_seconds, today): (Option<f64>, i64) = sqlx::query_as(
        "SELECT extract(epoch FROM now() - max(created_at))::float8, count(*) FILTER (WHERE created_at > now() - interval '1 day')
           FROM consumer_mobile_codes WHERE enterprise_id = $1 AND device_id = $2 AND created_at > now() - interval '1 day'",
    )
    .bind(e)
    .bind(device_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    if let Some(s) = last_seconds.filter(|s| *s < CODE_RESEND_SECONDS as f64) {
        return Err(AppError::Refused(Msg::Consumer(ConsumerMsg::CodeTooSoon { seconds: (CODE_RESEND_SECONDS as f64 - s).ceil() as i64 })));
    }
    if today >= CODES_PER_DAY {
        return Err(AppError::Refused(Msg::Consumer(ConsumerMsg::TooManyCodesToday { max: CODES_PER_DAY })));
    }
    let code = {
        use rand::Rng;
        format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
    };
    sqlx::query(
        "INSERT INTO consumer_mobile_codes (enterprise_id, device_id, mobile, code_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))",
    )
    .bind(e)
    .bind(device_id)
    .bind(mobile)
    .bind(code_hash(e, device_id, mobile, code.as_str()))
    .bind(CODE_MINUTES as i32)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(code)
}

/// Checks a code against the latest pending one of (device, mobile). A wrong code counts an
/// attempt: the caller commits even on `Err(WrongCode)`, so the count holds.
pub async fn check_mobile_code(tx: &mut Tx, e: i64, device_id: &str, mobile: &str, code: &str) -> AppResult<Result<(), ConsumerMsg>> {
    lock_device(tx, e, device_id).await?;
    let pending: Option<(i64, Vec<u8>, i16)> = sqlx::query_as(
        "SELECT id, code_hash, attempts FROM consumer_mobile_codes
          WHERE enterprise_id = $1 AND device_id = $2 AND mobile = $3 AND used_at IS NULL AND expires_at > now()
          ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(e)
    .bind(device_id)
    .bind(mobile)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let Some((id, hash, attempts)) = pending else { return Ok(Err(ConsumerMsg::NoCodePending)) };
    if attempts >= CODE_ATTEMPTS {
        return Ok(Err(ConsumerMsg::CodeLocked));
    }
    if code_hash(e, device_id, mobile, code) != hash {
        sqlx::query("UPDATE consumer_mobile_codes SET attempts = attempts + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
        let left = CODE_ATTEMPTS - attempts - 1;
        return Ok(Err(if left == 0 { ConsumerMsg::CodeLocked } else { ConsumerMsg::WrongCode { left } }));
    }
    sqlx::query("UPDATE consumer_mobile_codes SET used_at = now() WHERE id = $1").bind(id).execute(&mut **tx).await.map_err(internal)?;
    Ok(Ok(()))
}

/// Binds a verified mobile to consumer `mine`. If another (unmerged) consumer of the
/// enterprise already has it, `mine` is merged into that one: scans, draws, wins, devices and
/// the points balance (a 'merge' ledger row on both sides) move over, missing profile
/// attributes are taken along, and `mine.merged_into` points at it.
///
/// Cap counters (`campaign_counters`) are left as they are: they are per-subject rows keyed by
/// consumer id, summing them into the target could retroactively exceed caps and collide on
/// their keys, and each cap held for each record when those draws happened.
pub async fn bind_mobile(tx: &mut Tx, e: i64, mine: i64, mobile: &str) -> AppResult<Bound> {
    // One binding of a mobile at a time, so two devices binding it at once merge, not collide.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('consumer-mobile:' || $1::text || ':' || $2, 0))")
        .bind(e)
        .bind(mobile)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    let target: Option<i64> =
        sqlx::query_scalar("SELECT id FROM consumers WHERE enterprise_id = $1 AND mobile = $2 AND merged_into IS NULL AND id <> $3")
            .bind(e)
            .bind(mobile)
            .bind(mine)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
    let Some(target) = target else {
        let points: i32 = sqlx::query_scalar(
            "UPDATE consumers SET mobile = $3, version = version + 1 WHERE enterprise_id = $1 AND id = $2 RETURNING points",
        )
        .bind(e)
        .bind(mine)
        .bind(mobile)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
        return Ok(Bound { mobile: mobile.to_string(), merged: false, points });
    };
    // Both rows locked in id order (no deadlock with a merge the other way round).
    let rows: Vec<(i64, Option<String>, i32)> =
        sqlx::query_as("SELECT id, mobile, points FROM consumers WHERE enterprise_id = $1 AND id IN ($2, $3) ORDER BY id FOR UPDATE")
            .bind(e)
            .bind(mine)
            .bind(target)
            .fetch_all(&mut **tx)
            .await
            .map_err(internal)?;
    let (own_mobile, own_points) =
        rows.iter().find(|r| r.0 == mine).map(|r| (r.1.clone(), r.2)).ok_or_else(|| internal("consumer vanished"))?;
    if own_mobile.is_some_and(|m| m != mobile) {
        return Err(AppError::Refused(Msg::Consumer(ConsumerMsg::HasOtherMobile)));
    }
    super::promotion::merge_consumer(tx, e, mine, target).await?;
    for table in ["scans", "draws", "draw_wins", "consumer_devices"] {
        sqlx::query(&format!("UPDATE {table} SET consumer_id = $3 WHERE enterprise_id = $1 AND consumer_id = $2"))
            .bind(e)
            .bind(mine)
            .bind(target)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
    }
    if own_points > 0 {
        change_points(tx, e, mine, -own_points, PointsReason::Merge, None, &format!("→ #{target}")).await?;
        change_points(tx, e, target, own_points, PointsReason::Merge, None, &format!("← #{mine}")).await?;
    }
    let points: i32 = sqlx::query_scalar(
        "UPDATE consumers t SET
                name = CASE WHEN t.name = '' THEN m.name ELSE t.name END,
                gender = coalesce(t.gender, m.gender), birth_year = coalesce(t.birth_year, m.birth_year),
                province = coalesce(t.province, m.province), city = coalesce(t.city, m.city),
                marital = coalesce(t.marital, m.marital), education = coalesce(t.education, m.education),
                interests = CASE WHEN cardinality(t.interests) = 0 THEN m.interests ELSE t.interests END,
                tags = t.tags || ARRAY(SELECT x FROM unnest(m.tags) x WHERE NOT x = ANY(t.tags)),
                risk_level = greatest(t.risk_level, m.risk_level), bonus_hunter = t.bonus_hunter OR m.bonus_hunter,
                first_seen_at = least(t.first_seen_at, m.first_seen_at),
                last_scan_at = greatest(t.last_scan_at, m.last_scan_at), version = t.version + 1
           FROM consumers m
          WHERE t.enterprise_id = $1 AND t.id = $3 AND m.enterprise_id = $1 AND m.id = $2
         RETURNING t.points",
    )
    .bind(e)
    .bind(mine)
    .bind(target)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE consumers SET merged_into = $3, mobile = NULL, version = version + 1 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(mine)
        .bind(target)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(Bound { mobile: mobile.to_string(), merged: true, points })
}

// ---------- the CSV import ----------

/// Parses a member CSV (header [`IMPORT_HEADER`]) into valid rows and a report of refused
/// ones (1-based line numbers, the header being line 1). A wrong header or too many rows
/// refuses the whole file.
pub fn parse_import(csv_text: &str) -> AppResult<(Vec<ImportRow>, Vec<crate::domain::basic_data::ImportRowError>)> {
    use crate::domain::basic_data::ImportRowError;
    use crate::domain::validate::FieldError;
    let text = csv_text.strip_prefix('\u{FEFF}').unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header_ok = reader
        .headers()
        .map(|h| h.iter().map(|c| c.trim().to_ascii_lowercase()).collect::<Vec<_>>().join(",") == IMPORT_HEADER)
        .unwrap_or(false);
    if !header_ok {
        return Err(AppError::field("file", Msg::Consumer(ConsumerMsg::ImportHeader { expected: IMPORT_HEADER.into() })));
    }
    let (mut rows, mut failed) = (Vec::new(), Vec::new());
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, record) in reader.records().enumerate() {
        if rows.len() + failed.len() >= IMPORT_MAX_ROWS {
            return Err(AppError::field("file", Msg::Consumer(ConsumerMsg::ImportTooManyRows { max: IMPORT_MAX_ROWS })));
        }
        let line = record.as_ref().ok().and_then(|r| r.position()).map(|p| p.line() as usize).unwrap_or(i + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                failed.push(ImportRowError { line, errors: vec![FieldError { field: "row".into(), msg: Msg::Other(e.to_string()) }] });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<&str> = record.iter().collect();
        match import_row(line, &cells) {
            Ok(row) => match seen.get(&row.mobile) {
                Some(&first) => failed.push(ImportRowError {
                    line,
                    errors: vec![FieldError { field: "mobile".into(), msg: Msg::Consumer(ConsumerMsg::DuplicateInFile { line: first }) }],
                }),
                None => {
                    seen.insert(row.mobile.clone(), line);
                    rows.push(row);
                }
            },
            Err(e) => failed.push(e),
        }
    }
    Ok((rows, failed))
}

/// Creates or updates members by mobile (new ones with source 'import'); an empty cell keeps
/// the stored value. Returns (created, updated).
pub async fn import_rows(tx: &mut Tx, e: i64, rows: &[ImportRow]) -> AppResult<(usize, usize)> {
    let (mut created, mut updated) = (0, 0);
    for chunk in rows.chunks(2000) {
        let col = |f: &dyn Fn(&ImportRow) -> Option<String>| chunk.iter().map(f).collect::<Vec<Option<String>>>();
        let mobiles: Vec<String> = chunk.iter().map(|r| r.mobile.clone()).collect();
        let names = col(&|r| r.name.clone());
        let genders = col(&|r| r.gender.map(|g| g.key().to_string()));
        let years: Vec<Option<i16>> = chunk.iter().map(|r| r.birth_year.map(|y| y as i16)).collect();
        let provinces = col(&|r| r.province.clone());
        let cities = col(&|r| r.city.clone());
        let maritals = col(&|r| r.marital.map(|m| m.key().to_string()));
        let educations = col(&|r| r.education.map(|m| m.key().to_string()));
        let interests = col(&|r| r.interests.as_ref().map(|v| v.iter().map(|i| i.key()).collect::<Vec<_>>().join(",")));
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO consumers AS c (enterprise_id, mobile, name, gender, birth_year, province, city, marital, education, interests, source)
             SELECT $1, t.mobile, coalesce(t.name, ''), t.gender, t.birth_year, t.province, t.city, t.marital, t.education,
                    coalesce(string_to_array(t.interests, ','), '{}'), 'import'
               FROM unnest($2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                    AS t(mobile, name, gender, birth_year, province, city, marital, education, interests)
             ON CONFLICT ON CONSTRAINT consumers_mobile_unique DO UPDATE SET
                name = CASE WHEN EXCLUDED.name = '' THEN c.name ELSE EXCLUDED.name END,
                gender = coalesce(EXCLUDED.gender, c.gender), birth_year = coalesce(EXCLUDED.birth_year, c.birth_year),
                province = coalesce(EXCLUDED.province, c.province), city = coalesce(EXCLUDED.city, c.city),
                marital = coalesce(EXCLUDED.marital, c.marital), education = coalesce(EXCLUDED.education, c.education),
                interests = CASE WHEN cardinality(EXCLUDED.interests) = 0 THEN c.interests ELSE EXCLUDED.interests END,
                version = c.version + 1
             RETURNING (xmax = 0)",
        )
        .bind(e)
        .bind(&mobiles)
        .bind(&names)
        .bind(&genders)
        .bind(&years)
        .bind(&provinces)
        .bind(&cities)
        .bind(&maritals)
        .bind(&educations)
        .bind(&interests)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
        let n = inserted.iter().filter(|b| **b).count();
        created += n;
        updated += inserted.len() - n;
    }
    Ok((created, updated))
}

// ---------- the member list and detail ----------

const MEMBER_COLUMNS: &str = "c.id, c.mobile, c.name, c.gender, c.province, c.city, c.points,
        (SELECT count(*) FROM scans s WHERE s.enterprise_id = c.enterprise_id AND s.consumer_id = c.id) AS scans,
        (SELECT count(*) FROM draws d WHERE d.enterprise_id = c.enterprise_id AND d.consumer_id = c.id) AS draws,
        (SELECT count(*) FROM draw_wins w WHERE w.enterprise_id = c.enterprise_id AND w.consumer_id = c.id) AS wins,
        c.source, c.first_seen_at, c.last_scan_at, c.risk_level, c.bonus_hunter, c.version";

/// The filter as SQL conditions on `c` ($1 enterprise, $2.. the filter's values).
const MEMBER_WHERE: &str = "c.enterprise_id = $1 AND c.merged_into IS NULL
        AND ($2 = '' OR c.id::text = $2 OR c.mobile LIKE $2 || '%' OR c.name ILIKE '%' || $2 || '%')
        AND ($3::text IS NULL OR c.gender = $3)
        AND ($4::text IS NULL OR c.province = $4)
        AND ($5::text IS NULL OR c.source = $5)
        AND ($6::smallint IS NULL OR c.risk_level = $6)
        AND ($7::bool IS NULL OR c.bonus_hunter = $7)
        AND ($8::bool IS NULL OR (c.mobile IS NOT NULL) = $8)
        AND ($9::date IS NULL OR c.last_scan_at >= ($9::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
        AND ($10::date IS NULL OR c.last_scan_at < (($10::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))";

fn bind_filter<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    e: i64,
    f: &'q MemberFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    q.bind(e)
        .bind(f.q.trim())
        .bind(f.gender.map(Gender::key))
        .bind(f.province.as_deref())
        .bind(f.source.map(Source::key))
        .bind(f.risk_level.map(RiskLevel::number))
        .bind(f.bonus_hunter)
        .bind(f.has_mobile)
        .bind(f.scan_from)
        .bind(f.scan_to)
}

fn masked(mut r: MemberRow, unmask: bool) -> MemberRow {
    if !unmask {
        r.mobile = r.mobile.as_deref().map(mask_mobile);
    }
    r
}

pub async fn list_members(tx: &mut Tx, e: i64, f: &MemberFilter, page: PageReq, unmask: bool) -> AppResult<Page<MemberRow>> {
    let (total,): (i64,) = bind_filter(sqlx::query_as(&format!("SELECT count(*) FROM consumers c WHERE {MEMBER_WHERE}")), e, f)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM consumers c WHERE {MEMBER_WHERE}
          ORDER BY c.last_scan_at DESC NULLS LAST, c.id DESC LIMIT $11 OFFSET $12"
    );
    let rows: Vec<MemberRow> =
        bind_filter(sqlx::query_as(&sql), e, f).bind(page.limit()).bind(page.offset()).fetch_all(&mut **tx).await.map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items: rows.into_iter().map(|r| masked(r, unmask)).collect(), total, page: p.page, size: p.size })
}

/// Every member under a filter, in keyset pages (for the CSV export).
pub async fn members_after(tx: &mut Tx, e: i64, f: &MemberFilter, after_id: i64, limit: i64) -> AppResult<Vec<MemberRow>> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM consumers c WHERE {MEMBER_WHERE} AND c.id > $11 ORDER BY c.id LIMIT $12");
    bind_filter(sqlx::query_as(&sql), e, f).bind(after_id).bind(limit).fetch_all(&mut **tx).await.map_err(internal)
}

#[derive(sqlx::FromRow)]
struct DetailExtra {
    birth_year: Option<i16>,
    marital: Option<String>,
    education: Option<String>,
    interests: Vec<String>,
    tags: Vec<String>,
    acquired_by: Option<String>,
    devices: i64,
    merged_from: Vec<i64>,
}

pub async fn member_detail(tx: &mut Tx, e: i64, id: i64, unmask: bool) -> AppResult<MemberDetail> {
    let member: MemberRow = sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM consumers c WHERE c.enterprise_id = $1 AND c.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let x: DetailExtra = sqlx::query_as(
        "SELECT c.birth_year, c.marital, c.education, c.interests, c.tags,
                (SELECT pc.name FROM promotion_acquisitions a
                   JOIN promotion_codes pc ON pc.enterprise_id = a.enterprise_id AND pc.id = a.promotion_code_id
                  WHERE a.enterprise_id = c.enterprise_id AND a.consumer_id = c.id) AS acquired_by,
                (SELECT count(*) FROM consumer_devices d WHERE d.enterprise_id = c.enterprise_id AND d.consumer_id = c.id) AS devices,
                ARRAY(SELECT m.id FROM consumers m WHERE m.enterprise_id = c.enterprise_id AND m.merged_into = c.id ORDER BY m.id) AS merged_from
           FROM consumers c WHERE c.enterprise_id = $1 AND c.id = $2",
    )
    .bind(e)
    .bind(id)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    let ledger: Vec<LedgerRow> = sqlx::query_as(
        "SELECT id, delta, balance, reason, note, created_at FROM points_ledger
          WHERE enterprise_id = $1 AND consumer_id = $2 ORDER BY id DESC LIMIT 100",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let scans: Vec<MemberScan> = sqlx::query_as(
        "SELECT s.id, s.scanned_at, s.package_id, p.name AS package_name, s.serial, pr.name AS product_name,
                s.province, s.city, cp.name AS campaign_name, s.verdict
           FROM scans s
           LEFT JOIN code_packages p ON p.enterprise_id = s.enterprise_id AND p.id = s.package_id
           LEFT JOIN products pr ON pr.enterprise_id = s.enterprise_id AND pr.id = s.product_id
           LEFT JOIN campaigns cp ON cp.enterprise_id = s.enterprise_id AND cp.id = s.campaign_id
          WHERE s.enterprise_id = $1 AND s.consumer_id = $2
          ORDER BY s.scanned_at DESC, s.id DESC LIMIT 100",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let draws: Vec<MemberDraw> = sqlx::query_as(
        "SELECT d.id, d.drawn_at, cp.name AS campaign_name, d.package_id, d.serial,
                ARRAY(SELECT pz.name FROM draw_wins w JOIN campaign_prizes pz ON pz.enterprise_id = w.enterprise_id AND pz.id = w.prize_id
                       WHERE w.enterprise_id = d.enterprise_id AND w.draw_id = d.id AND pz.kind <> 'thanks' ORDER BY w.group_index) AS prizes
           FROM draws d JOIN campaigns cp ON cp.enterprise_id = d.enterprise_id AND cp.id = d.campaign_id
          WHERE d.enterprise_id = $1 AND d.consumer_id = $2
          ORDER BY d.drawn_at DESC, d.id DESC LIMIT 100",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let wins: Vec<MemberWin> = sqlx::query_as(
        "SELECT w.id, w.won_at, cp.name AS campaign_name, pz.name AS prize_name, pz.kind AS prize_kind,
                CASE WHEN w.status = 'unclaimed' AND w.claim_deadline <= now() THEN 'expired' ELSE w.status END AS status,
                w.claimed_at, w.claim_deadline, w.coupon_code,
                CASE WHEN w.address IS NULL THEN NULL ELSE concat_ws(' ', w.address->>'name', w.address->>'mobile',
                     w.address->>'province', w.address->>'city', w.address->>'detail') END AS address
           FROM draw_wins w
           JOIN campaign_prizes pz ON pz.enterprise_id = w.enterprise_id AND pz.id = w.prize_id
           JOIN campaigns cp ON cp.enterprise_id = w.enterprise_id AND cp.id = w.campaign_id
          WHERE w.enterprise_id = $1 AND w.consumer_id = $2 AND pz.kind <> 'thanks'
          ORDER BY w.won_at DESC, w.id DESC LIMIT 100",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(MemberDetail {
        member: masked(member, unmask),
        birth_year: x.birth_year,
        marital: x.marital,
        education: x.education,
        interests: x.interests,
        tags: x.tags,
        acquired_by: x.acquired_by,
        devices: x.devices,
        merged_from: x.merged_from,
        ledger,
        scans,
        draws,
        wins,
    })
}

/// Sets a member's risk level and bonus-hunter flag (refused as stale on an old version);
/// returns the new version.
pub async fn set_risk(tx: &mut Tx, e: i64, input: &RiskInput) -> AppResult<i32> {
    let v: Option<i32> = sqlx::query_scalar(
        "UPDATE consumers SET risk_level = $4, bonus_hunter = $5, version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND merged_into IS NULL RETURNING version",
    )
    .bind(e)
    .bind(input.consumer_id)
    .bind(input.version)
    .bind(input.risk_level.number())
    .bind(input.bonus_hunter)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    match v {
        Some(v) => Ok(v),
        None => {
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM consumers WHERE enterprise_id = $1 AND id = $2)")
                .bind(e)
                .bind(input.consumer_id)
                .fetch_one(&mut **tx)
                .await
                .map_err(internal)?;
            Err(if exists { AppError::Refused(Msg::Stale) } else { AppError::NotFound })
        }
    }
}

/// The current balance of a member (NotFound if not this enterprise's).
pub async fn points_of(tx: &mut Tx, e: i64, id: i64) -> AppResult<i32> {
    sqlx::query_scalar("SELECT points FROM consumers WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// The member export (download centre): params `filter` (a [`MemberFilter`]) and `unmask`
/// (whether the person who queued it may see full mobiles).
pub async fn write_members(
    tx: &mut Tx,
    e: i64,
    params: &serde_json::Value,
    l: crate::i18n::Locale,
    path: &std::path::Path,
) -> anyhow::Result<(i64, i64)> {
    use crate::i18n::Locale;
    let filter: MemberFilter = serde_json::from_value(params["filter"].clone()).unwrap_or_default();
    let unmask = params["unmask"].as_bool().unwrap_or(false);
    let header = match l {
        Locale::Zh => [
            "会员ID",
            "手机号",
            "姓名",
            "性别",
            "省份",
            "城市",
            "积分",
            "扫码次数",
            "抽奖次数",
            "中奖次数",
            "来源",
            "首次访问",
            "最近扫码",
            "风险等级",
            "羊毛党",
        ],
        Locale::En => [
            "Member ID",
            "Mobile",
            "Name",
            "Gender",
            "Province",
            "City",
            "Points",
            "Scans",
            "Draws",
            "Wins",
            "Source",
            "First seen",
            "Last scan",
            "Risk level",
            "Bonus hunter",
        ],
    };
    let mut out = crate::server::exports::CsvOut::create(path, &header).await?;
    let mut after = 0i64;
    loop {
        let page = members_after(tx, e, &filter, after, 2000).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for r in page {
            let r = masked(r, unmask);
            out.row([
                r.id.to_string(),
                r.mobile.clone().unwrap_or_default(),
                r.name.clone(),
                r.gender.as_deref().and_then(Gender::parse).map(|g| g.label(l)).unwrap_or("").to_string(),
                r.province.clone().unwrap_or_default(),
                r.city.clone().unwrap_or_default(),
                r.points.to_string(),
                r.scans.to_string(),
                r.draws.to_string(),
                r.wins.to_string(),
                Source::parse(&r.source).map(|s| s.label(l)).unwrap_or("").to_string(),
                l.datetime(&r.first_seen_at),
                r.last_scan_at.map(|t| l.datetime(&t)).unwrap_or_default(),
                risk_label(r.risk(), l).to_string(),
                if r.bonus_hunter { "Y" } else { "" }.to_string(),
            ])
            .await?;
        }
    }
    out.finish().await
}
