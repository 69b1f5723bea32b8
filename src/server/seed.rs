//! First administrator (`tessera admin create`) and the demo data (`tessera seed --demo`).
//! Runs on the system pool; idempotent: running it twice changes nothing the second time.

use super::auth::hash_password;
use super::db::Db;
use crate::domain::access::{Function as F, Grants, Level};
use crate::domain::validate::ean13_check_digit;
use anyhow::Context;
use sqlx::types::Json;
use sqlx::{Postgres, Transaction};

pub const SUPER_ADMIN: &str = "超级管理员";

/// Creates the enterprise (if new) with its built-in 超级管理员 position, and the person (if
/// new) as its administrator. Returns (enterprise id, user id).
pub async fn create_admin(
    db: &Db,
    enterprise: &str,
    name: &str,
    mobile: Option<&str>,
    email: Option<&str>,
    password: &str,
) -> anyhow::Result<(i64, i64)> {
    let mut tx = db.system.begin().await?;
    let e = ensure_enterprise(&mut tx, enterprise).await?;
    let admin_position: i64 =
        sqlx::query_scalar("SELECT id FROM positions WHERE enterprise_id = $1 AND builtin").bind(e).fetch_one(&mut *tx).await?;
    let u = ensure_user(&mut tx, name, mobile, email, password, false).await?;
    ensure_membership(&mut tx, e, u, admin_position, None, "").await?;
    tx.commit().await?;
    Ok((e, u))
}

async fn ensure_enterprise(tx: &mut Transaction<'_, Postgres>, name: &str) -> anyhow::Result<i64> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO enterprises (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO positions (enterprise_id, name, description, grants, builtin)
         VALUES ($1, $2, '全部权限，不可编辑', $3, true) ON CONFLICT (enterprise_id, name) DO NOTHING",
    )
    .bind(id)
    .bind(SUPER_ADMIN)
    .bind(Json(Grants::everything()))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

async fn ensure_user(
    tx: &mut Transaction<'_, Postgres>,
    name: &str,
    mobile: Option<&str>,
    email: Option<&str>,
    password: &str,
    must_change: bool,
) -> anyhow::Result<i64> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE mobile = $1 OR email = $2")
        .bind(mobile)
        .bind(email.map(str::to_lowercase))
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO users (name, mobile, email, password_hash, must_change_password) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(mobile)
    .bind(email.map(str::to_lowercase))
    .bind(hash_password(password))
    .bind(must_change)
    .fetch_one(&mut **tx)
    .await?)
}

async fn ensure_membership(
    tx: &mut Transaction<'_, Postgres>,
    e: i64,
    user: i64,
    position: i64,
    creator: Option<i64>,
    remark: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO memberships (enterprise_id, user_id, position_id, created_by, remark) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (enterprise_id, user_id) DO NOTHING",
    )
    .bind(e)
    .bind(user)
    .bind(position)
    .bind(creator)
    .bind(remark)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn ensure_position(tx: &mut Transaction<'_, Postgres>, e: i64, name: &str, desc: &str, grants: Grants) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO positions (enterprise_id, name, description, grants) VALUES ($1, $2, $3, $4)
         ON CONFLICT (enterprise_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
    )
    .bind(e)
    .bind(name)
    .bind(desc)
    .bind(Json(grants))
    .fetch_one(&mut **tx)
    .await?)
}

/// A product whose barcode is `first12` plus its EAN-13 check digit (demo data).
async fn ensure_product(
    tx: &mut Transaction<'_, Postgres>,
    e: i64,
    brand: i64,
    name: &str,
    spec: &str,
    price: i64,
    first12: &str,
) -> anyhow::Result<()> {
    let barcode = format!("{first12}{}", ean13_check_digit(first12).context("12 digits")?);
    sqlx::query(
        "INSERT INTO products (enterprise_id, brand_id, name, barcode, specification, unit_price)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (enterprise_id, barcode) DO NOTHING",
    )
    .bind(e)
    .bind(brand)
    .bind(name)
    .bind(barcode)
    .bind(spec)
    .bind(price)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn upsert_named(tx: &mut Transaction<'_, Postgres>, sql: &str, e: i64, name: &str) -> anyhow::Result<i64> {
    sqlx::query_scalar(sql).bind(e).bind(name).fetch_one(&mut **tx).await.with_context(|| format!("seeding {name}"))
}

/// The demo logins, printed by `tessera seed --demo`.
pub struct DemoLogin {
    pub who: &'static str,
    pub login: &'static str,
    pub password: &'static str,
}

pub const DEMO_PASSWORD: &str = "Tessera2026";
pub const DEMO_LOGINS: [DemoLogin; 4] = [
    DemoLogin { who: "超级管理员 (两家企业)", login: "13800000000", password: DEMO_PASSWORD },
    DemoLogin { who: "码管理员", login: "13800000001", password: DEMO_PASSWORD },
    DemoLogin { who: "营销运营", login: "13800000002", password: DEMO_PASSWORD },
    DemoLogin { who: "包材厂接收人", login: "receiver@huaxin-pack.cn", password: DEMO_PASSWORD },
];

pub const DEMO_ENTERPRISE: &str = "鲜享食品集团";
pub const DEMO_ENTERPRISE_2: &str = "山岚茶业";

/// A realistic Chinese food brand's basic data, its positions and staff; plus a second
/// enterprise the administrator also belongs to, so the switcher has somewhere to go.
/// `key_version`: the code key version new packages use (see `server::code_keys`).
pub async fn demo(db: &Db, key_version: u8) -> anyhow::Result<()> {
    let (e, admin) = create_admin(db, DEMO_ENTERPRISE, "周明", Some("13800000000"), Some("admin@xianxiang.com.cn"), DEMO_PASSWORD).await?;
    let (e2, _) = create_admin(db, DEMO_ENTERPRISE_2, "周明", Some("13800000000"), None, DEMO_PASSWORD).await?;
    let mut tx = db.system.begin().await?;

    let code_admin = ensure_position(
        &mut tx,
        e,
        "码管理员",
        "负责码规格、发码、激活与报废",
        Grants::of(&[
            (F::CodeSpecs, Level::Manage),
            (F::CodePackages, Level::Manage),
            (F::CodeActivation, Level::Manage),
            (F::CodeQuery, Level::Manage),
            (F::CodeScrap, Level::Manage),
            (F::BasicData, Level::View),
            (F::Warnings, Level::Manage),
        ]),
    )
    .await?;
    let marketing = ensure_position(
        &mut tx,
        e,
        "营销运营",
        "策划扫码活动，分析人群",
        Grants::of(&[
            (F::Campaigns, Level::Manage),
            (F::CampaignData, Level::View),
            (F::Members, Level::View),
            (F::PromotionCodes, Level::Manage),
            (F::Crowds, Level::Manage),
            (F::CrowdAnalysis, Level::View),
            (F::BasicData, Level::View),
        ]),
    )
    .await?;
    let receiver =
        ensure_position(&mut tx, e, "包材厂接收人", "下载发送给本厂的码包", Grants::of(&[(F::CodeReceive, Level::View)])).await?;
    ensure_position(
        &mut tx,
        e,
        "导购",
        "门店导购，使用移动端",
        Grants::of(&[(F::GuideCustomers, Level::Manage), (F::GuideTasks, Level::View)]),
    )
    .await?;
    let mut staff = vec![];
    for (name, mobile, email, position, remark) in [
        ("李娜", Some("13800000001"), Some("lina@xianxiang.com.cn"), code_admin, "总部码管理"),
        ("陈晓东", Some("13800000002"), None, marketing, "华东营销"),
        ("王建国", None, Some("receiver@huaxin-pack.cn"), receiver, "华新包装厂"),
    ] {
        let u = ensure_user(&mut tx, name, mobile, email, DEMO_PASSWORD, false).await?;
        ensure_membership(&mut tx, e, u, position, Some(admin), remark).await?;
        staff.push(u);
    }
    let (code_admin_user, receiver_user) = (staff[0], staff[2]);

    let brands = [("鲜享", "主品牌：调味品"), ("老坛", "酱菜与腌制品"), ("山泉", "饮用水")];
    let mut brand_ids = vec![];
    for (name, remark) in brands {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO brands (enterprise_id, name, remark) VALUES ($1, $2, $3)
             ON CONFLICT (enterprise_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        )
        .bind(e)
        .bind(name)
        .bind(remark)
        .fetch_one(&mut *tx)
        .await?;
        brand_ids.push(id);
    }
    // (brand index, name, specification, price in fen); barcodes use the 690-prefix range.
    let products = [
        (0, "鲜享特级生抽", "500ml/瓶", 1290),
        (0, "鲜享金标老抽", "500ml/瓶", 1350),
        (0, "鲜享零添加酱油", "1L/瓶", 2990),
        (0, "鲜享蚝油", "700g/瓶", 1580),
        (0, "鲜享香醋", "420ml/瓶", 890),
        (1, "老坛酸菜", "400g/袋", 650),
        (1, "老坛榨菜丝", "80g×10袋", 1200),
        (1, "老坛剁辣椒", "260g/瓶", 990),
        (2, "山泉天然饮用水", "550ml×24瓶", 3600),
        (2, "山泉饮用天然水", "4L×4桶", 3200),
        (2, "山泉苏打水", "350ml×15瓶", 4500),
        (0, "鲜享鸡精", "454g/袋", 1890),
    ];
    for (i, (brand, name, spec, price)) in products.iter().enumerate() {
        ensure_product(&mut tx, e, brand_ids[*brand], name, spec, *price, &format!("69212345{:04}", 1001 + i)).await?;
    }
    let regions: [(&str, &[&str]); 4] = [
        ("华东大区", &["上海市", "江苏省", "浙江省", "安徽省", "山东省"]),
        ("华南大区", &["广东省", "广西壮族自治区", "海南省", "福建省"]),
        ("华北大区", &["北京市", "天津市", "河北省", "山西省", "内蒙古自治区"]),
        ("西南大区", &["重庆市", "四川省", "贵州省", "云南省"]),
    ];
    let mut region_ids = vec![];
    for (name, provinces) in regions {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO regions (enterprise_id, name, provinces) VALUES ($1, $2, $3)
             ON CONFLICT (enterprise_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        )
        .bind(e)
        .bind(name)
        .bind(provinces)
        .fetch_one(&mut *tx)
        .await?;
        region_ids.push(id);
    }
    let factories = [
        (0, "鲜享佛山酿造厂", "FS01", "广东省佛山市高明区沧江工业园", "黄志强", "0757-88812345"),
        (0, "鲜享嘉兴生产基地", "JX02", "浙江省嘉兴市秀洲区洪合镇", "沈丽", "0573-83345678"),
        (3, "老坛眉山工厂", "MS03", "四川省眉山市东坡区经济开发区", "刘川", "028-38123456"),
        (1, "华新包装厂", "HX-PK", "广东省东莞市虎门镇", "王建国", "0769-85567890"),
    ];
    for (region, name, code, address, contact, phone) in factories {
        let f: i64 = sqlx::query_scalar(
            "INSERT INTO factories (enterprise_id, region_id, name, code, address, contact, phone)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (enterprise_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        )
        .bind(e)
        .bind(region_ids[region])
        .bind(name)
        .bind(code)
        .bind(address)
        .bind(contact)
        .bind(phone)
        .fetch_one(&mut *tx)
        .await?;
        if code == "HX-PK" {
            continue; // a packaging factory has no production lines of ours
        }
        for (wi, workshop) in ["灌装车间", "包装车间"].iter().enumerate() {
            let w: i64 = sqlx::query_scalar(
                "INSERT INTO workshops (enterprise_id, factory_id, name, code) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (enterprise_id, factory_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            )
            .bind(e)
            .bind(f)
            .bind(workshop)
            .bind(format!("{code}-W{}", wi + 1))
            .fetch_one(&mut *tx)
            .await?;
            for li in 1..=2 {
                sqlx::query(
                    "INSERT INTO production_lines (enterprise_id, workshop_id, name, code) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (enterprise_id, workshop_id, name) DO NOTHING",
                )
                .bind(e)
                .bind(w)
                .bind(format!("{li}号线"))
                .bind(format!("{code}-W{}-L{li}", wi + 1))
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    demo_codes(&mut tx, e, admin, code_admin_user, receiver_user, key_version).await?;
    demo_campaign(&mut tx, e, admin, key_version).await?;
    demo_promotion(&mut tx, e, admin).await?;
    demo_crowds(&mut tx, e, admin).await?;
    // The second enterprise: a tea brand with a little data of its own.
    let tea = upsert_named(
        &mut tx,
        "INSERT INTO brands (enterprise_id, name) VALUES ($1, $2)
         ON CONFLICT (enterprise_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        e2,
        "山岚",
    )
    .await?;
    for (i, (name, spec, price)) in [("山岚明前龙井", "250g/罐", 39800), ("山岚安吉白茶", "100g/盒", 26800)].iter().enumerate()
    {
        ensure_product(&mut tx, e2, tea, name, spec, *price, &format!("69398765{:04}", 2001 + i)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A code spec with its review flow, and one package waiting for review (applied for by the code
/// administrator, to be reviewed by the super administrator). Only the first time: a spec that
/// already has packages is left alone.
async fn demo_codes(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    e: i64,
    admin: i64,
    code_admin: i64,
    receiver: i64,
    key_version: u8,
) -> anyhow::Result<()> {
    let spec: i64 = sqlx::query_scalar(
        "INSERT INTO code_specs (enterprise_id, name, file_fields, file_format, separator, with_header, pin_digits, flow_name,
                                 warn_generated_hours, warn_entered_hours, warn_sent_hours, created_by)
         VALUES ($1, '标准瓶盖码', ARRAY['serial','code','url','pin'], 'csv', ',', true, 6, '瓶盖码标准审核', 72, 24, 48, $2)
         ON CONFLICT (enterprise_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
    )
    .bind(e)
    .bind(admin)
    .fetch_one(&mut **tx)
    .await?;
    for (role, user) in [
        ("applicant", code_admin),
        ("applicant", admin),
        ("reviewer", admin),
        ("file_receiver", receiver),
        ("password_receiver", code_admin),
    ] {
        sqlx::query("INSERT INTO code_spec_people (enterprise_id, spec_id, role, user_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(e)
            .bind(spec)
            .bind(role)
            .bind(user)
            .execute(&mut **tx)
            .await?;
    }
    let has_packages: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM code_packages WHERE spec_id = $1)").bind(spec).fetch_one(&mut **tx).await?;
    if !has_packages {
        sqlx::query(
            "INSERT INTO code_packages (enterprise_id, spec_id, name, purpose, code_count, file_count, factory_id, product_id,
                                        remark, applied_by, key_version, key_salt)
             SELECT $1, $2, '2026-12 鲜享特级生抽瓶盖', 'production', 200000, 4,
                    (SELECT id FROM factories WHERE enterprise_id = $1 AND name = '华新包装厂'),
                    (SELECT id FROM products WHERE enterprise_id = $1 AND name = '鲜享特级生抽'),
                    '十二月生产计划', $3, $4, $5",
        )
        .bind(e)
        .bind(spec)
        .bind(code_admin)
        .bind(i16::from(key_version))
        .bind(super::code_keys::CodeKeys::new_salt())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The demo's campaign name (a running nine-grid campaign over an activated package).
pub const DEMO_CAMPAIGN: &str = "扫码赢好礼";
const DEMO_PACKAGE: &str = "2026-10 扫码活动演示码";
const DEMO_CODES: u32 = 20_000;
const DEMO_CONSUMERS: i32 = 3_000;
const DEMO_SCANS: i32 = 12_000;
/// Scans whose code was already scanned (re-scans: no draw).
const DEMO_RESCANS: i32 = 1_200;

/// A deterministic pseudo-random number ≥ 0 of `expr` and a salt (PostgreSQL's own hash, so
/// the demo is the same on every run and needs no random seed).
fn h(expr: &str, salt: i64) -> String {
    format!("abs(hashint8extended(({expr})::bigint, {salt}))")
}

/// Provinces and cities of the demo's consumers with weights (how often they appear).
const DEMO_GEO: [(&str, &str, u32); 18] = [
    ("广东省", "广州市", 14),
    ("广东省", "深圳市", 10),
    ("浙江省", "杭州市", 9),
    ("江苏省", "南京市", 7),
    ("江苏省", "苏州市", 6),
    ("上海市", "上海市", 9),
    ("北京市", "北京市", 8),
    ("山东省", "济南市", 6),
    ("四川省", "成都市", 7),
    ("重庆市", "重庆市", 5),
    ("湖北省", "武汉市", 5),
    ("河南省", "郑州市", 5),
    ("福建省", "厦门市", 4),
    ("湖南省", "长沙市", 4),
    ("安徽省", "合肥市", 3),
    ("陕西省", "西安市", 3),
    ("云南省", "昆明市", 2),
    ("广西壮族自治区", "南宁市", 2),
];

/// Scans per hour of the day (China time), relative: quiet nights, busy meal times.
const DEMO_HOURS: [u32; 24] = [1, 1, 1, 1, 1, 1, 2, 4, 5, 6, 7, 9, 8, 6, 5, 5, 6, 7, 10, 11, 10, 7, 4, 2];

/// The demo campaign: a small package (generated by the worker once `tessera serve` runs; its
/// codes resolve and scan meanwhile) activated for two products, the running nine-grid campaign
/// 扫码赢好礼 over it, ≈3,000 consumers and ≈12,000 scans with their draws, wins, claims and
/// points over the last 60 days. Set-based SQL throughout, so it takes a second or two. Only
/// the first time: an existing campaign of that name leaves everything alone.
///
/// Counters (campaign_counters) are not filled: the demo's limits are per day (user draws and
/// wins) or per code (one draw, no re-scan draws, which the code's scan history already
/// decides), so past days' counters never decide a future draw.
async fn demo_campaign(tx: &mut super::db::Tx, e: i64, admin: i64, key_version: u8) -> anyhow::Result<()> {
    use crate::domain::campaign::*;
    use crate::domain::code_packages::batch_file_name;
    use crate::domain::codes::batch_ranges;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaigns WHERE enterprise_id = $1 AND name = $2)")
        .bind(e)
        .bind(DEMO_CAMPAIGN)
        .fetch_one(&mut **tx)
        .await?;
    if exists {
        return Ok(());
    }
    let named = |table: &'static str, name: &'static str| format!("(SELECT id FROM {table} WHERE enterprise_id = {e} AND name = '{name}')");
    let spec: i64 = sqlx::query_scalar(&format!("SELECT {}", named("code_specs", "标准瓶盖码"))).fetch_one(&mut **tx).await?;
    let products: Vec<i64> =
        sqlx::query_scalar(&format!("SELECT unnest(ARRAY[{}, {}])", named("products", "鲜享特级生抽"), named("products", "鲜享蚝油")))
            .fetch_all(&mut **tx)
            .await?;
    // The package: reviewed two months ago, its batches created as a review creates them, and
    // its generation queued (the files appear once a worker runs).
    let package: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO code_packages (enterprise_id, spec_id, name, purpose, code_count, file_count, factory_id, product_id, remark,
                                    status, applied_by, applied_at, reviewed_by, reviewed_at, key_version, key_salt)
         VALUES ($1, $2, $3, 'production', $4, 2, {}, $5, '扫码营销演示', 'generating', $6, now() - interval '63 days', $6,
                 now() - interval '62 days', $7, $8)
         RETURNING id",
        named("factories", "华新包装厂")
    ))
    .bind(e)
    .bind(spec)
    .bind(DEMO_PACKAGE)
    .bind(DEMO_CODES as i32)
    .bind(products[0])
    .bind(admin)
    .bind(i16::from(key_version))
    .bind(super::code_keys::CodeKeys::new_salt())
    .fetch_one(&mut **tx)
    .await?;
    let batches = batch_ranges(DEMO_CODES, 2);
    for (i, (first, last)) in batches.iter().enumerate() {
        let batch = i as i32 + 1;
        sqlx::query(
            "INSERT INTO code_batches (enterprise_id, package_id, batch_no, serial_start, serial_end, file_name)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e)
        .bind(package)
        .bind(batch)
        .bind(*first as i32)
        .bind(*last as i32)
        .bind(batch_file_name(package, batch as u32))
        .execute(&mut **tx)
        .await?;
        // Activation: each batch a range of its own product, produced and activated 61 days ago.
        sqlx::query(&format!(
            "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, brand_id,
                                      factory_id, produced_at, status, activated_at, activated_by, entered_at, entered_by)
             SELECT $1, $2, $3, $4, $5, p.id, p.brand_id, {}, now() - interval '61 days', 'active',
                    now() - interval '61 days', $7, now() - interval '61 days', $7
               FROM products p WHERE p.enterprise_id = $1 AND p.id = $6",
            named("factories", "鲜享佛山酿造厂")
        ))
        .bind(e)
        .bind(package)
        .bind(batch)
        .bind(*first as i32)
        .bind(*last as i32)
        .bind(products[i.min(products.len() - 1)])
        .bind(admin)
        .execute(&mut **tx)
        .await?;
    }
    let actor = super::audit::Actor { enterprise_id: e, user_id: admin, name: "周明".into() };
    let job = super::jobs::enqueue(tx, &actor, super::repo::code_generation::GENERATE_JOB, serde_json::json!({ "package_id": package }))
        .await
        .map_err(|err| anyhow::anyhow!("queueing the demo package's generation: {err:?}"))?;
    sqlx::query("UPDATE code_packages SET job_id = $2 WHERE id = $1").bind(package).bind(job).execute(&mut **tx).await?;

    // The campaign, through the campaigns repository like the wizard's launch.
    let day_start: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT (date_trunc('day', now() AT TIME ZONE 'UTC' + interval '8 hours') - interval '8 hours') AT TIME ZONE 'UTC'",
    )
    .fetch_one(&mut **tx)
    .await?;
    let entry = |prize: u16, probability_ppm: u32| GroupEntry { prize, probability_ppm, ..Default::default() };
    let input = CampaignInput {
        basic: Basic {
            kind: CampaignKind::NineGrid,
            name: DEMO_CAMPAIGN.into(),
            starts_at: Some(day_start - chrono::Duration::days(60)),
            ends_at: Some(day_start + chrono::Duration::days(120)),
            cycle: Cycle::Unlimited,
            description: "购买鲜享特级生抽、鲜享蚝油，扫瓶盖内二维码即可参与九宫格抽奖，100% 有机会赢取积分、优惠券、保温杯和现金红包。\n每人每天最多抽奖 20 次；每个码只能抽奖一次。".into(),
        },
        settings: Settings {
            spec_ids: vec![spec],
            code_draws: CodeDrawLimits { per_campaign: Some(1), rescans: Some(0), ..Default::default() },
            user_draws: UserDrawLimits { per_day: Some(20), seconds_between_draws: Some(3), ..Default::default() },
            user_wins: UserWinLimits { per_day: Some(5), ..Default::default() },
            ..Default::default()
        },
        prizes: vec![
            Prize {
                key: 1,
                name: "10 积分".into(),
                kind: PrizeKind::Points,
                points: 10,
                value_fen: 10,
                quantity: Some(100_000),
                warning_value: Some(1_000),
                claim_expiry: ClaimExpiry::Days(30),
                ..Default::default()
            },
            Prize {
                key: 2,
                name: "满50减10优惠券".into(),
                kind: PrizeKind::Coupon,
                value_fen: 1_000,
                quantity: Some(5_000),
                warning_value: Some(200),
                claim_expiry: ClaimExpiry::Days(7),
                over_limit: Some(1),
                coupon: Some(CouponSetup { source: CouponSource::Generate, validity: CouponValidity::Days(30) }),
                ..Default::default()
            },
            Prize {
                key: 3,
                name: "鲜享保温杯".into(),
                kind: PrizeKind::Goods,
                value_fen: 3_900,
                quantity: Some(200),
                warning_value: Some(20),
                claim_expiry: ClaimExpiry::Days(7),
                per_person_cap: Some(1),
                over_limit: Some(1),
                ..Default::default()
            },
            Prize {
                key: 4,
                name: "现金红包 ¥5".into(),
                kind: PrizeKind::Cash,
                value_fen: 500,
                quantity: Some(1_000),
                warning_value: Some(100),
                per_person_daily_cap: Some(1),
                over_limit: Some(1),
                ..Default::default()
            },
            Prize { key: 5, name: "谢谢参与".into(), kind: PrizeKind::Thanks, ..Default::default() },
        ],
        delivery: Delivery {
            default_plan: Plan {
                key: 0,
                name: "默认方案".into(),
                groups: vec![PrizeGroup { entries: vec![entry(1, 400_000), entry(2, 50_000), entry(3, 17_000), entry(4, 20_000)] }],
                ..Default::default()
            },
            precision: vec![Plan {
                key: 1,
                name: "新客专享".into(),
                conditions: PlanConditions { audience: Some(Audience::New), ..Default::default() },
                groups: vec![PrizeGroup { entries: vec![entry(2, 200_000), entry(1, 500_000), entry(4, 50_000)] }],
            }],
        },
        page: Page {
            title: "扫码赢好礼".into(),
            rules: "1. 活动期间扫描瓶盖内二维码参与抽奖；\n2. 实物奖品请在 7 天内填写收货地址；\n3. 积分可在积分商城兑换。".into(),
            ..Default::default()
        },
    };
    let campaign = super::repo::campaigns::insert(tx, e, Some(admin), &input, CampaignStatus::Running, 5)
        .await
        .map_err(|err| anyhow::anyhow!("creating the demo campaign: {err:?}"))?;

    // Consumers with profile attributes (some without: unknown region, no gender …).
    let geo: Vec<(&str, &str)> = DEMO_GEO.iter().flat_map(|(p, c, w)| std::iter::repeat_n((*p, *c), *w as usize)).collect();
    let provinces: Vec<&str> = geo.iter().map(|g| g.0).collect();
    let cities: Vec<&str> = geo.iter().map(|g| g.1).collect();
    let first_consumer: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM consumers WHERE enterprise_id = $1").bind(e).fetch_one(&mut **tx).await?;
    sqlx::query(&format!(
        "INSERT INTO consumers (enterprise_id, mobile, gender, birth_year, province, city, marital, education, interests)
         SELECT $1,
                CASE WHEN {m} % 10 < 4 THEN '1390' || lpad(i::text, 7, '0') END,
                CASE WHEN {g} % 10 < 5 THEN 'male' WHEN {g} % 10 < 9 THEN 'female' END,
                CASE WHEN {b} % 10 < 9 THEN 1958 + ({b} / 10) % 48 END,
                CASE WHEN {u} % 100 >= 12 THEN ($2::text[])[1 + {r} % cardinality($2::text[])] END,
                CASE WHEN {u} % 100 >= 12 THEN ($3::text[])[1 + {r} % cardinality($3::text[])] END,
                (ARRAY['single', 'married', NULL])[1 + {ma} % 3],
                (ARRAY['secondary', 'college', 'college', 'bachelor', 'bachelor', 'bachelor', 'master', 'doctorate', NULL])[1 + {ed} % 9],
                ARRAY(SELECT t FROM unnest(ARRAY['烹饪', '美食', '健身', '旅行', '母婴', '数码', '户外', '茶饮']) WITH ORDINALITY x(t, k)
                       WHERE {it} % 4 = 0)
           FROM generate_series(1, $4) i",
        m = h("i", 1),
        g = h("i", 2),
        b = h("i", 3),
        u = h("i", 4),
        r = h("i", 5),
        ma = h("i", 6),
        ed = h("i", 7),
        it = h("i * 16 + k", 8),
    ))
    .bind(e)
    .bind(&provinces)
    .bind(&cities)
    .bind(DEMO_CONSUMERS)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO consumer_devices (enterprise_id, device_id, consumer_id)
         SELECT $1, md5('tessera-demo-device-' || id), id FROM consumers WHERE enterprise_id = $1 AND id >= $2",
    )
    .bind(e)
    .bind(first_consumer)
    .execute(&mut **tx)
    .await?;

    // Scans over the last 60 days, more on recent days and in daytime; a few consumers scan a
    // lot, most a little. Codes are distinct except the last DEMO_RESCANS (re-scans).
    let hours: Vec<i32> = DEMO_HOURS.iter().enumerate().flat_map(|(hr, w)| std::iter::repeat_n(hr as i32, *w as usize)).collect();
    let (b1_last, b2_product) = (batches[0].1 as i32, products[products.len() - 1]);
    sqlx::query(&format!(
        "WITH c AS (SELECT id, province, city, row_number() OVER (ORDER BY id) AS n FROM consumers WHERE enterprise_id = $1 AND id >= $2),
              j AS (SELECT j, 1 + ((j - 1) % ($4 - $5)) * 7919 % $6 AS serial,
                           1 + floor($7 * power(({cu} % 1000000)::float8 / 1e6, 1.6))::bigint AS who,
                           floor(60 * power(({du} % 1000000)::float8 / 1e6, 1.5))::int AS days_ago,
                           ($8::int[])[1 + {hu} % cardinality($8::int[])] AS hour, {mu} % 3600 AS second, {ru} % 10 AS geo
                      FROM generate_series(1, $4) j),
              t AS (SELECT j.*, $9::timestamptz - make_interval(days => j.days_ago) + make_interval(hours => j.hour, secs => j.second) AS at
                      FROM j)
         INSERT INTO scans (enterprise_id, consumer_id, device_id, package_id, serial, product_id, campaign_id, verdict, province, city,
                            region_source, scanned_at)
         SELECT $1, c.id, md5('tessera-demo-device-' || c.id), $3, t.serial,
                CASE WHEN t.serial <= $10 THEN $11 ELSE $12 END, $13, 'genuine', c.province, c.city,
                CASE WHEN c.province IS NULL THEN 'unknown' WHEN t.geo < 6 THEN 'geo' ELSE 'profile' END,
                CASE WHEN t.at > now() THEN t.at - interval '1 day' ELSE t.at END
           FROM t JOIN c ON c.n = t.who
          ORDER BY 12",
        cu = h("j", 11),
        du = h("j", 12),
        hu = h("j", 13),
        mu = h("j", 14),
        ru = h("j", 15),
    ))
    .bind(e)
    .bind(first_consumer)
    .bind(package)
    .bind(DEMO_SCANS)
    .bind(DEMO_RESCANS)
    .bind(DEMO_CODES as i32)
    .bind(f64::from(DEMO_CONSUMERS) - 1.0)
    .bind(&hours)
    .bind(day_start)
    .bind(b1_last)
    .bind(products[0])
    .bind(b2_product)
    .bind(campaign)
    .execute(&mut **tx)
    .await?;

    // A draw on each code's first scan; a consumer's very first scan goes through the
    // new-consumer plan (1), the others through the default plan (0).
    sqlx::query(&format!(
        "INSERT INTO draws (enterprise_id, campaign_id, consumer_id, scan_id, idempotency_key, plan_key, randoms, package_id, serial,
                            product_id, province, city, drawn_at)
         SELECT $1, $2, s.consumer_id, s.id, 'demo-' || s.id,
                CASE WHEN s.consumer_nth = 1 THEN 1 ELSE 0 END, ARRAY[({r} % 1000000)::int], s.package_id, s.serial,
                s.product_id, s.province, s.city, least(s.scanned_at + make_interval(secs => 5 + {d} % 40), now())
           FROM (SELECT s.*, row_number() OVER (PARTITION BY s.serial ORDER BY s.scanned_at, s.id) AS code_nth,
                        row_number() OVER (PARTITION BY s.consumer_id ORDER BY s.scanned_at, s.id) AS consumer_nth
                   FROM scans s WHERE s.enterprise_id = $1 AND s.campaign_id = $2) s
          WHERE s.code_nth = 1",
        r = h("s.id", 21),
        d = h("s.id", 22),
    ))
    .bind(e)
    .bind(campaign)
    .execute(&mut **tx)
    .await?;

    // Wins from each draw's random value and its plan's probabilities, within each prize's stock
    // and one cup per person; claims, coupon codes, addresses, shipments and redemptions.
    sqlx::query(&format!(
        "WITH pick AS (
             SELECT d.*, CASE WHEN d.plan_key = 1 THEN
                               CASE WHEN d.randoms[1] < 200000 THEN 2 WHEN d.randoms[1] < 700000 THEN 1 WHEN d.randoms[1] < 750000 THEN 4 END
                             ELSE CASE WHEN d.randoms[1] < 400000 THEN 1 WHEN d.randoms[1] < 450000 THEN 2
                                       WHEN d.randoms[1] < 467000 THEN 3 WHEN d.randoms[1] < 487000 THEN 4 END
                        END AS key
               FROM draws d WHERE d.enterprise_id = $1 AND d.campaign_id = $2),
         ranked AS (
             SELECT pick.*, p.id AS prize_id, p.kind, p.quantity, p.claim_hours, p.coupon_valid_days,
                    row_number() OVER (PARTITION BY pick.key ORDER BY pick.drawn_at, pick.id) AS nth,
                    row_number() OVER (PARTITION BY pick.key, pick.consumer_id ORDER BY pick.drawn_at, pick.id) AS mine,
                    {u} % 100 AS u, {v} % 100 AS v
               FROM pick JOIN campaign_prizes p ON p.enterprise_id = $1 AND p.campaign_id = $2 AND p.key = pick.key),
         won AS (
             SELECT r.*, r.drawn_at + make_interval(mins => (1 + r.u * 3)::int) AS claim_at,
                    r.drawn_at + make_interval(hours => r.claim_hours) AS deadline,
                    (CASE r.kind WHEN 'points' THEN r.u < 85 WHEN 'coupon' THEN r.u < 70 WHEN 'goods' THEN r.u < 75 ELSE true END) AS wants
               FROM ranked r WHERE r.nth <= r.quantity AND (r.kind <> 'goods' OR r.mine = 1)),
         fin AS (
             SELECT w.*, w.wants AND w.claim_at <= now() AND (w.deadline IS NULL OR w.claim_at <= w.deadline) AS claimed FROM won w)
         INSERT INTO draw_wins (enterprise_id, campaign_id, draw_id, consumer_id, group_index, prize_id, drawn_key, status,
                                claim_deadline, claimed_at, coupon_code, coupon_valid_to, redeemed_at, address, shipped_at,
                                payout_exported_at, won_at)
         SELECT $1, $2, f.id, f.consumer_id, 0, f.prize_id, f.key,
                CASE WHEN f.claimed THEN 'claimed' WHEN f.deadline < now() THEN 'expired' ELSE 'unclaimed' END,
                f.deadline, CASE WHEN f.claimed THEN f.claim_at END,
                CASE WHEN f.kind = 'coupon' THEN upper(substr(md5('tessera-demo-coupon-' || f.id), 1, 12)) END,
                CASE WHEN f.kind = 'coupon' THEN f.drawn_at + make_interval(days => f.coupon_valid_days) END,
                CASE WHEN f.kind = 'coupon' AND f.claimed AND f.v < 40 AND f.claim_at + make_interval(days => (1 + f.v % 9)::int) < now()
                     THEN f.claim_at + make_interval(days => (1 + f.v % 9)::int) END,
                CASE WHEN f.kind = 'goods' AND f.claimed THEN jsonb_build_object(
                     'name', (ARRAY['张伟', '王芳', '李娜', '刘洋', '陈静', '杨帆', '赵磊', '黄丽'])[1 + f.v % 8],
                     'mobile', '1391' || lpad(f.consumer_id::text, 7, '0'),
                     'province', coalesce(f.province, '广东省'), 'city', coalesce(f.city, '广州市'),
                     'detail', (ARRAY['人民路', '解放路', '中山路', '建设路', '和平路'])[1 + f.u % 5] || (1 + f.v) || '号') END,
                CASE WHEN f.kind = 'goods' AND f.claimed AND f.claim_at + interval '2 days' < now() THEN f.claim_at + interval '2 days' END,
                CASE WHEN f.kind = 'cash' AND f.drawn_at + interval '7 days' < now() THEN f.drawn_at + interval '7 days' END,
                f.drawn_at
           FROM fin f",
        u = h("pick.id", 31),
        v = h("pick.id", 32),
    ))
    .bind(e)
    .bind(campaign)
    .execute(&mut **tx)
    .await?;

    // Points of claimed points prizes: a ledger row each with the running balance, and the
    // balance on the consumer.
    sqlx::query(
        "INSERT INTO points_ledger (enterprise_id, consumer_id, delta, balance, reason, win_id, note, created_at)
         SELECT $1, w.consumer_id, p.points,
                sum(p.points) OVER (PARTITION BY w.consumer_id ORDER BY w.claimed_at, w.id), 'prize', w.id, $3, w.claimed_at
           FROM draw_wins w JOIN campaign_prizes p ON p.enterprise_id = w.enterprise_id AND p.id = w.prize_id
          WHERE w.enterprise_id = $1 AND w.campaign_id = $2 AND p.kind = 'points' AND w.status = 'claimed'",
    )
    .bind(e)
    .bind(campaign)
    .bind(DEMO_CAMPAIGN)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE consumers c SET points = c.points + l.total
           FROM (SELECT consumer_id, sum(delta) AS total FROM points_ledger
                  WHERE enterprise_id = $1 AND win_id IN (SELECT id FROM draw_wins WHERE enterprise_id = $1 AND campaign_id = $2)
                  GROUP BY consumer_id) l
          WHERE c.enterprise_id = $1 AND c.id = l.consumer_id",
    )
    .bind(e)
    .bind(campaign)
    .execute(&mut **tx)
    .await?;
    // Counters that must agree with the rows: prizes awarded, each code's scan statistics, each
    // consumer's first and last scan.
    sqlx::query(
        "UPDATE campaign_prizes p SET awarded = (SELECT count(*) FROM draw_wins w WHERE w.enterprise_id = $1 AND w.prize_id = p.id)
          WHERE p.enterprise_id = $1 AND p.campaign_id = $2",
    )
    .bind(e)
    .bind(campaign)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO code_scan_stats (package_id, serial, enterprise_id, scans, consumers, first_at, first_province, first_city,
                                      first_consumer_id, last_at)
         SELECT package_id, serial, $1, count(*), count(DISTINCT consumer_id), min(scanned_at),
                (array_agg(province ORDER BY scanned_at, id))[1], (array_agg(city ORDER BY scanned_at, id))[1],
                (array_agg(consumer_id ORDER BY scanned_at, id))[1], max(scanned_at)
           FROM scans WHERE enterprise_id = $1 AND package_id = $2 GROUP BY package_id, serial",
    )
    .bind(e)
    .bind(package)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE consumers c SET first_seen_at = s.first_at, last_scan_at = s.last_at
           FROM (SELECT consumer_id, min(scanned_at) AS first_at, max(scanned_at) AS last_at FROM scans
                  WHERE enterprise_id = $1 AND package_id = $2 GROUP BY consumer_id) s
          WHERE c.enterprise_id = $1 AND c.id = s.consumer_id",
    )
    .bind(e)
    .bind(package)
    .execute(&mut **tx)
    .await?;
    // Consumers who never scanned (the skew leaves a few) were "seen" when they first came.
    sqlx::query(
        "UPDATE consumers SET first_seen_at = now() - make_interval(days => (id % 50)::int) WHERE enterprise_id = $1 AND id >= $2
            AND last_scan_at IS NULL",
    )
    .bind(e)
    .bind(first_consumer)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Promotion codes (推广码) of the demo: three channels and one deleted code, an allowed
/// external domain, and ≈500 visits of the demo's consumers over the last 14 days (a few bots
/// and repeats among them) with their first-touch acquisitions. Only the first time.
/// Two crowds of the demo's consumers, queued: the server's job worker computes them on start.
async fn demo_crowds(tx: &mut super::db::Tx, e: i64, admin: i64) -> anyhow::Result<()> {
    use crate::domain::campaign::CountRange;
    use crate::domain::crowd::{Attribute, Behaviour, Combine, Condition, CrowdInput, Definition, Group, Node, TimeWindow};
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM crowds WHERE enterprise_id = $1)").bind(e).fetch_one(&mut **tx).await?;
    if exists {
        return Ok(());
    }
    let actor = super::audit::Actor { enterprise_id: e, user_id: admin, name: "周明".into() };
    let active = Behaviour { window: TimeWindow::LastDays(30), count: CountRange { min: Some(2), max: None }, ..Behaviour::default() };
    let crowds = [
        (
            "近30天活跃女性",
            "近 30 天扫码 2 次及以上的女性会员",
            vec![
                Node::Condition(Condition::Behaviour(active.clone())),
                Node::Condition(Condition::Attribute(Attribute::Gender(vec![crate::domain::consumers::Gender::Female]))),
            ],
            Combine::Intersection,
        ),
        (
            "华东扫码会员",
            "近 30 天在上海、江苏、浙江扫过码",
            vec![Node::Condition(Condition::Behaviour(Behaviour {
                provinces: vec!["上海市".into(), "江苏省".into(), "浙江省".into()],
                ..active
            }))],
            Combine::Union,
        ),
    ];
    for (name, remark, items, combine) in crowds {
        let input = CrowdInput {
            name: name.into(),
            remark: remark.into(),
            exclude_hunters: true,
            definition: Definition::Filter(Group { combine, items }),
            ..CrowdInput::default()
        };
        let id = super::repo::crowds::save(tx, &actor, &input).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        super::crowds::queue_compute(tx, &actor, id, false).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    Ok(())
}

async fn demo_promotion(tx: &mut super::db::Tx, e: i64, admin: i64) -> anyhow::Result<()> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM promotion_codes WHERE token = 'wxart234')").fetch_one(&mut **tx).await?;
    if exists {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO promotion_settings (enterprise_id, allowed_domains) VALUES ($1, ARRAY['xianxiang.example.com'])
         ON CONFLICT (enterprise_id) DO NOTHING",
    )
    .bind(e)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO promotion_codes (enterprise_id, token, name, target, source, medium, campaign, auto_tag, created_by, created_at, deleted_at)
         VALUES ($1, 'wxart234', '公众号推文·新品生抽', 'member', 'wechat', 'article', '2026新品', '公众号拉新', $2, now() - interval '20 days', NULL),
                ($1, 'dyvdm234', '抖音短视频·厨房达人', 'member', 'douyin', 'video', '2026新品', '', $2, now() - interval '18 days', NULL),
                ($1, 'stpst234', '门店海报·华东商超', 'prizes', 'store', 'poster', '门店引流', '', $2, now() - interval '15 days', NULL),
                ($1, 'xpred234', '旧版包装码（已停用）', 'points', 'package', 'label', '', '', $2, now() - interval '40 days', now() - interval '10 days')",
    )
    .bind(e)
    .bind(admin)
    .execute(&mut **tx)
    .await?;
    // Two chances per consumer of the first 400, through a code picked by arithmetic.
    sqlx::query(
        "INSERT INTO promotion_visits (enterprise_id, promotion_code_id, consumer_id, device_id, source, medium, campaign, content, term,
                                       excluded, visited_at, user_agent)
         SELECT $1, pc.id, c.id, md5('tessera-demo-device-' || c.id), pc.source, pc.medium, pc.campaign, pc.content, pc.term,
                CASE WHEN (c.id + k) % 17 = 0 THEN 'repeat' END,
                now() - make_interval(days => ((c.id * 7 + k) % 14)::int, hours => ((c.id * 13 + k) % 24)::int),
                'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0'
           FROM (SELECT id FROM consumers WHERE enterprise_id = $1 ORDER BY id LIMIT 400) c
          CROSS JOIN generate_series(1, 2) k
           JOIN promotion_codes pc ON pc.enterprise_id = $1
                AND pc.token = (ARRAY['wxart234', 'dyvdm234', 'stpst234', 'xpred234'])[1 + ((c.id * 31 + k * 7) % 4)::int]
          WHERE (c.id + k) % 3 <> 0",
    )
    .bind(e)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO promotion_visits (enterprise_id, promotion_code_id, excluded, visited_at, user_agent, source, medium, campaign, content, term)
         SELECT $1, pc.id, 'bot', now() - make_interval(hours => g), 'Mozilla/5.0 (compatible; Baiduspider/2.0)', pc.source, pc.medium,
                pc.campaign, pc.content, pc.term
           FROM promotion_codes pc CROSS JOIN generate_series(1, 6) g WHERE pc.enterprise_id = $1 AND pc.deleted_at IS NULL",
    )
    .bind(e)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO promotion_acquisitions (enterprise_id, consumer_id, promotion_code_id, visit_id, acquired_at)
         SELECT DISTINCT ON (consumer_id) enterprise_id, consumer_id, promotion_code_id, id, visited_at FROM promotion_visits
          WHERE enterprise_id = $1 AND excluded IS NULL AND consumer_id IS NOT NULL ORDER BY consumer_id, visited_at, id",
    )
    .bind(e)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE consumers c SET tags = array_append(c.tags, pc.auto_tag)
           FROM promotion_acquisitions a JOIN promotion_codes pc ON pc.enterprise_id = a.enterprise_id AND pc.id = a.promotion_code_id
          WHERE a.enterprise_id = $1 AND c.enterprise_id = $1 AND c.id = a.consumer_id AND pc.auto_tag <> ''",
    )
    .bind(e)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
