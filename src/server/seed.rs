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
