//! Seeding for code-management tests: a spec and a package written straight to the database
//! (owner pool), so tests of activation, delivery or query do not depend on the review flow.

use super::TestApp;
use tessera::domain::codes::batch_ranges;

/// A spec named `name` with the usual fields (serial, code, url), CSV.
pub async fn spec(app: &TestApp, enterprise_id: i64, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO code_specs (enterprise_id, name, file_fields, file_format, pin_digits)
         VALUES ($1, $2, ARRAY['serial','code','url','pin'], 'csv', 6) RETURNING id",
    )
    .bind(enterprise_id)
    .bind(name)
    .fetch_one(app.sys())
    .await
    .expect("seed spec")
}

/// Adds `user_id` to the spec's review flow in `role` (applicant, reviewer, file_receiver,
/// password_receiver).
pub async fn spec_person(app: &TestApp, enterprise_id: i64, spec_id: i64, role: &str, user_id: i64) {
    sqlx::query("INSERT INTO code_spec_people (enterprise_id, spec_id, role, user_id) VALUES ($1, $2, $3, $4)")
        .bind(enterprise_id)
        .bind(spec_id)
        .bind(role)
        .bind(user_id)
        .execute(app.sys())
        .await
        .expect("seed spec person");
}

/// A factory (with its region) to receive packages.
pub async fn factory(app: &TestApp, enterprise_id: i64, name: &str) -> i64 {
    let region: i64 = sqlx::query_scalar("INSERT INTO regions (enterprise_id, name) VALUES ($1, $2) RETURNING id")
        .bind(enterprise_id)
        .bind(format!("{name} 大区"))
        .fetch_one(app.sys())
        .await
        .expect("seed region");
    sqlx::query_scalar("INSERT INTO factories (enterprise_id, region_id, name) VALUES ($1, $2, $3) RETURNING id")
        .bind(enterprise_id)
        .bind(region)
        .bind(name)
        .fetch_one(app.sys())
        .await
        .expect("seed factory")
}

/// A package in `status` ('pending', 'generated', 'sent' …) with its batches, keyed with the
/// current key version, applied for by `applicant`.
pub async fn package(app: &TestApp, enterprise_id: i64, spec_id: i64, applicant: i64, count: u32, files: u32, status: &str) -> i64 {
    let factory = factory(app, enterprise_id, &format!("包材厂 {count}-{files}-{status}-{spec_id}")).await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO code_packages (enterprise_id, spec_id, name, purpose, code_count, file_count, factory_id, status,
                                    applied_by, key_version, key_salt)
         VALUES ($1, $2, $3, 'production', $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(enterprise_id)
    .bind(spec_id)
    .bind(format!("码包 {spec_id}-{count}-{files}-{status}-{}", rand::random::<u32>()))
    .bind(count as i32)
    .bind(files as i32)
    .bind(factory)
    .bind(status)
    .bind(applicant)
    .bind(app.state.codes.current_version() as i16)
    .bind(rand::random::<[u8; 32]>().to_vec())
    .fetch_one(app.sys())
    .await
    .expect("seed package");
    if status != "pending" && status != "rejected" {
        for (i, (start, end)) in batch_ranges(count, files).into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO code_batches (enterprise_id, package_id, batch_no, serial_start, serial_end, file_name)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(enterprise_id)
            .bind(id)
            .bind(i as i32 + 1)
            .bind(start as i32)
            .bind(end as i32)
            .bind(format!("{id}-{}.zip", i + 1))
            .execute(app.sys())
            .await
            .expect("seed batch");
        }
    }
    id
}

/// Scraps one code (`serial` of `batch`) with a fixed reason.
pub async fn scrap(app: &TestApp, enterprise_id: i64, package_id: i64, batch: i32, serial: i32) {
    sqlx::query(
        "INSERT INTO code_scraps (enterprise_id, package_id, batch_no, method, serial_start, serial_end, reason)
         VALUES ($1, $2, $3, 'code', $4, $4, '标签印刷错误')",
    )
    .bind(enterprise_id)
    .bind(package_id)
    .bind(batch)
    .bind(serial)
    .execute(app.sys())
    .await
    .expect("seed scrap");
}
