//! Brands, products, regions, factories, workshops, production lines.

use super::saved;
use crate::domain::access::Module;
use crate::domain::basic_data::*;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::{FieldError, Msg};
use crate::error::{AppError, AppResult};
use crate::server::audit::{self, Actor, Change};
use crate::server::auth::internal;
use crate::server::db::Tx;
use crate::server::jobs::Job;

// ---- brands ----

pub async fn brands(tx: &mut Tx, e: i64) -> AppResult<Vec<Brand>> {
    sqlx::query_as(
        "SELECT b.id, b.name, b.remark, b.version,
                (SELECT count(*) FROM products p WHERE p.brand_id = b.id) AS product_count
           FROM brands b WHERE b.enterprise_id = $1 ORDER BY b.name",
    )
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

pub async fn save_brand(tx: &mut Tx, e: i64, i: &BrandInput) -> AppResult<i64> {
    let r = match i.id {
        None => {
            sqlx::query_scalar("INSERT INTO brands (enterprise_id, name, remark) VALUES ($1, $2, $3) RETURNING id")
                .bind(e)
                .bind(i.name.trim())
                .bind(i.remark.trim())
                .fetch_optional(&mut **tx)
                .await
        }
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE brands SET name = $4, remark = $5, version = version + 1
              WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.name.trim())
            .bind(i.remark.trim())
            .fetch_optional(&mut **tx)
            .await
        }
    };
    saved(tx, r, "brands", e, i.id, &[("brands_name_unique", "name")]).await
}

// ---- products ----

const PRODUCT_SELECT: &str = "SELECT p.id, p.name, p.brand_id, b.name AS brand_name, p.barcode, p.specification,
        p.unit_price, p.image, p.version FROM products p JOIN brands b ON b.id = p.brand_id";

pub async fn products(tx: &mut Tx, e: i64, f: &ProductFilter, page: PageReq) -> AppResult<Page<Product>> {
    let filter = "p.enterprise_id = $1 AND ($2::bigint IS NULL OR p.brand_id = $2)
                  AND ($3 = '' OR p.name ILIKE '%' || $3 || '%' OR p.barcode LIKE $3 || '%')";
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM products p WHERE {filter}"))
        .bind(e)
        .bind(f.brand_id)
        .bind(f.search.trim())
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let items = sqlx::query_as(&format!("{PRODUCT_SELECT} WHERE {filter} ORDER BY p.id DESC LIMIT $4 OFFSET $5"))
        .bind(e)
        .bind(f.brand_id)
        .bind(f.search.trim())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

pub async fn product(tx: &mut Tx, e: i64, id: i64) -> AppResult<Product> {
    sqlx::query_as(&format!("{PRODUCT_SELECT} WHERE p.enterprise_id = $1 AND p.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// The brand must be this enterprise's: checked here for a clear message, and by the
/// composite foreign key regardless.
async fn require_own(tx: &mut Tx, table: &str, e: i64, id: Option<i64>, field: &str) -> AppResult<()> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE enterprise_id = $1 AND id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    found.map(|_| ()).ok_or_else(|| AppError::field(field, Msg::NotFound))
}

pub async fn save_product(tx: &mut Tx, e: i64, i: &ProductInput) -> AppResult<i64> {
    require_own(tx, "brands", e, i.brand_id, "brand_id").await?;
    let r = match i.id {
        None => {
            sqlx::query_scalar(
                "INSERT INTO products (enterprise_id, brand_id, name, barcode, specification, unit_price)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(e)
            .bind(i.brand_id)
            .bind(i.name.trim())
            .bind(i.barcode.trim())
            .bind(i.specification.trim())
            .bind(i.price_fen())
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE products SET brand_id = $4, name = $5, barcode = $6, specification = $7, unit_price = $8,
                    version = version + 1
              WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.brand_id)
            .bind(i.name.trim())
            .bind(i.barcode.trim())
            .bind(i.specification.trim())
            .bind(i.price_fen())
            .fetch_optional(&mut **tx)
            .await
        }
    };
    saved(tx, r, "products", e, i.id, &[("products_barcode_unique", "barcode")]).await
}

pub async fn set_product_image(tx: &mut Tx, e: i64, id: i64, image: &str) -> AppResult<Option<String>> {
    let old: Option<Option<String>> = sqlx::query_scalar("SELECT image FROM products WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    let old = old.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE products SET image = $3, version = version + 1 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(image)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(old)
}

// ---- regions ----

pub async fn regions(tx: &mut Tx, e: i64) -> AppResult<Vec<Region>> {
    sqlx::query_as(
        "SELECT r.id, r.name, r.provinces, r.version,
                (SELECT count(*) FROM factories f WHERE f.region_id = r.id) AS factory_count
           FROM regions r WHERE r.enterprise_id = $1 ORDER BY r.name",
    )
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

pub async fn save_region(tx: &mut Tx, e: i64, i: &RegionInput) -> AppResult<i64> {
    let mut provinces = i.provinces.clone();
    provinces.sort_by_key(|p| PROVINCES.iter().position(|x| x == p));
    provinces.dedup();
    let r = match i.id {
        None => {
            sqlx::query_scalar("INSERT INTO regions (enterprise_id, name, provinces) VALUES ($1, $2, $3) RETURNING id")
                .bind(e)
                .bind(i.name.trim())
                .bind(&provinces)
                .fetch_optional(&mut **tx)
                .await
        }
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE regions SET name = $4, provinces = $5, version = version + 1
              WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.name.trim())
            .bind(&provinces)
            .fetch_optional(&mut **tx)
            .await
        }
    };
    saved(tx, r, "regions", e, i.id, &[("regions_name_unique", "name")]).await
}

// ---- factories ----

pub async fn factories(tx: &mut Tx, e: i64) -> AppResult<Vec<Factory>> {
    sqlx::query_as(
        "SELECT f.id, f.name, f.code, f.region_id, r.name AS region_name, f.address, f.contact, f.phone, f.version,
                (SELECT count(*) FROM workshops w WHERE w.factory_id = f.id) AS workshop_count
           FROM factories f LEFT JOIN regions r ON r.id = f.region_id
          WHERE f.enterprise_id = $1 ORDER BY f.name",
    )
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

pub async fn save_factory(tx: &mut Tx, e: i64, i: &FactoryInput) -> AppResult<i64> {
    require_own(tx, "regions", e, i.region_id, "region_id").await?;
    let r = match i.id {
        None => {
            sqlx::query_scalar(
                "INSERT INTO factories (enterprise_id, region_id, name, code, address, contact, phone)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(e)
            .bind(i.region_id)
            .bind(i.name.trim())
            .bind(i.code.trim())
            .bind(i.address.trim())
            .bind(i.contact.trim())
            .bind(i.phone.trim())
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE factories SET region_id = $4, name = $5, code = $6, address = $7, contact = $8, phone = $9,
                    version = version + 1
              WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.region_id)
            .bind(i.name.trim())
            .bind(i.code.trim())
            .bind(i.address.trim())
            .bind(i.contact.trim())
            .bind(i.phone.trim())
            .fetch_optional(&mut **tx)
            .await
        }
    };
    saved(tx, r, "factories", e, i.id, &[("factories_name_unique", "name")]).await
}

// ---- workshops and production lines (same shape, parent differs) ----

/// (table, parent column, parent table, unique constraint) of a unit kind.
fn unit_tables(kind: Kind) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        Kind::Workshop => ("workshops", "factory_id", "factories", "workshops_name_unique"),
        _ => ("production_lines", "workshop_id", "workshops", "production_lines_name_unique"),
    }
}

pub async fn units(tx: &mut Tx, e: i64, kind: Kind) -> AppResult<Vec<Unit>> {
    let (table, parent_col, parent_table, _) = unit_tables(kind);
    let child_count = match kind {
        Kind::Workshop => "(SELECT count(*) FROM production_lines l WHERE l.workshop_id = u.id)",
        _ => "0::bigint",
    };
    sqlx::query_as(&format!(
        "SELECT u.id, u.name, u.code, u.{parent_col} AS parent_id, p.name AS parent_name, u.version,
                {child_count} AS child_count
           FROM {table} u JOIN {parent_table} p ON p.id = u.{parent_col}
          WHERE u.enterprise_id = $1 ORDER BY p.name, u.name"
    ))
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

pub async fn save_unit(tx: &mut Tx, e: i64, kind: Kind, i: &UnitInput) -> AppResult<i64> {
    let (table, parent_col, parent_table, unique) = unit_tables(kind);
    require_own(tx, parent_table, e, i.parent_id, "parent_id").await?;
    let r = match i.id {
        None => {
            sqlx::query_scalar(&format!(
                "INSERT INTO {table} (enterprise_id, {parent_col}, name, code) VALUES ($1, $2, $3, $4) RETURNING id"
            ))
            .bind(e)
            .bind(i.parent_id)
            .bind(i.name.trim())
            .bind(i.code.trim())
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_scalar(&format!(
                "UPDATE {table} SET {parent_col} = $4, name = $5, code = $6, version = version + 1
              WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id"
            ))
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.parent_id)
            .bind(i.name.trim())
            .bind(i.code.trim())
            .fetch_optional(&mut **tx)
            .await
        }
    };
    saved(tx, r, table, e, i.id, &[(unique, "name")]).await
}

// ---- deletion, refused while referenced ----

fn table_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Brand => "brands",
        Kind::Product => "products",
        Kind::Region => "regions",
        Kind::Factory => "factories",
        Kind::Workshop => "workshops",
        Kind::Line => "production_lines",
    }
}

/// Names of what still references a record (up to 10, for the message).
async fn referenced_by(tx: &mut Tx, e: i64, kind: Kind, id: i64) -> AppResult<Vec<String>> {
    let (label, table, column) = match kind {
        Kind::Brand => ("产品", "products", "brand_id"),
        Kind::Region => ("工厂", "factories", "region_id"),
        Kind::Factory => ("车间", "workshops", "factory_id"),
        Kind::Workshop => ("产线", "production_lines", "workshop_id"),
        Kind::Product | Kind::Line => return Ok(vec![]),
    };
    sqlx::query_scalar(&format!("SELECT '{label} ' || name FROM {table} WHERE enterprise_id = $1 AND {column} = $2 ORDER BY name LIMIT 10"))
        .bind(e)
        .bind(id)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)
}

/// Deletes a record unless something references it; returns its name for the audit log.
pub async fn delete(tx: &mut Tx, e: i64, kind: Kind, id: i64) -> AppResult<String> {
    let by = referenced_by(tx, e, kind, id).await?;
    if !by.is_empty() {
        return Err(AppError::Refused(Msg::InUse { by }));
    }
    let name: Option<String> =
        sqlx::query_scalar(&format!("DELETE FROM {} WHERE enterprise_id = $1 AND id = $2 RETURNING name", table_of(kind)))
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(|err| match crate::server::db::violated_constraint(&err) {
                // Referenced by something later modules added (a code package …).
                Some(c) => AppError::Refused(Msg::InUse { by: vec![c.to_string()] }),
                None => internal(err),
            })?;
    name.ok_or(AppError::NotFound)
}

pub async fn choices(tx: &mut Tx, e: i64, kind: Kind) -> AppResult<Vec<Choice>> {
    sqlx::query_as(&format!("SELECT id, name FROM {} WHERE enterprise_id = $1 ORDER BY name", table_of(kind)))
        .bind(e)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)
}

// ---- CSV import, as a job ----

pub const IMPORT_PRODUCTS_JOB: &str = "import_products";

/// Parses a product CSV (header row, then name,brand,barcode,specification,unit price) and
/// inserts each valid row; brands are matched by name. Refused rows are reported with their
/// line and reasons; accepted rows are kept.
pub async fn import_products(job: &Job) -> anyhow::Result<serde_json::Value> {
    let csv_text = job.payload["csv"].as_str().unwrap_or_default().to_string();
    let actor: &Actor = &job.actor;
    let e = actor.enterprise_id;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(csv_text.as_bytes());
    // Each record's own first line in the file, so the report points at the line the user sees:
    // quoted line breaks count, and so do blank lines, which the reader skips after noting the
    // position where it started reading.
    let line_of = |p: &csv::Position| {
        let rest = csv_text.as_bytes().get(p.byte() as usize..).unwrap_or_default();
        let blank = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
        p.line() as usize + blank
    };
    let records: Vec<(usize, Result<csv::StringRecord, csv::Error>)> = reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            let position = match &r {
                Ok(rec) => rec.position(),
                Err(err) => err.position(),
            };
            (position.map_or(i + 2, line_of), r)
        })
        .collect();
    let total = records.len() as i64;
    let mut report = ImportReport { imported: 0, failed: vec![] };
    let mut tx = job.state.db.tenant(e).await?;
    let brand_ids: std::collections::HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT name, id FROM brands WHERE enterprise_id = $1")
            .bind(e)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    for (n, (line, record)) in records.into_iter().enumerate() {
        let field = |r: &csv::StringRecord, i: usize| r.get(i).unwrap_or("").trim().to_string();
        let errors: Vec<FieldError> = match record {
            Err(err) => vec![FieldError { field: "row".into(), msg: Msg::Other(err.to_string()) }],
            Ok(r) => {
                let brand = field(&r, 1);
                let input = ProductInput {
                    name: field(&r, 0),
                    brand_id: brand_ids.get(&brand).copied(),
                    barcode: field(&r, 2),
                    specification: field(&r, 3),
                    unit_price: field(&r, 4),
                    ..Default::default()
                };
                let mut errors = input.validate().err().unwrap_or_default();
                if input.brand_id.is_none() && !brand.is_empty() {
                    errors.retain(|e| e.field != "brand_id");
                    errors.push(FieldError { field: "brand_id".into(), msg: Msg::Other(format!("{brand}?")) });
                }
                if errors.is_empty() {
                    sqlx::query("SAVEPOINT row").execute(&mut *tx).await?;
                    match save_product(&mut tx, e, &input).await {
                        Ok(_) => {
                            sqlx::query("RELEASE SAVEPOINT row").execute(&mut *tx).await?;
                            vec![]
                        }
                        Err(AppError::Invalid(errs)) => {
                            sqlx::query("ROLLBACK TO SAVEPOINT row").execute(&mut *tx).await?;
                            errs
                        }
                        Err(other) => anyhow::bail!("{other}"),
                    }
                } else {
                    errors
                }
            }
        };
        if errors.is_empty() {
            report.imported += 1;
        } else {
            report.failed.push(ImportRowError { line, errors });
        }
        if n % 50 == 0 {
            job.progress(n as i64, total).await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            module: Module::Settings,
            action: "import",
            entity: "product",
            entity_id: None,
            summary: format!("导入产品 {} 条，失败 {} 条", report.imported, report.failed.len()),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(serde_json::to_value(report)?)
}
