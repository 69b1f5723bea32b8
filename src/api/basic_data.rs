//! 设置 → 基础数据: brands, products (with image upload and CSV import), regions, factories,
//! workshops and production lines.

use crate::domain::basic_data::*;
use crate::domain::jobs::JobStatus;
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::domain::basic_data::Kind;

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::basic_data as repo;

    pub async fn viewer() -> crate::error::AppResult<Ctx> {
        guard(Function::BasicData, Level::View).await
    }
    pub async fn manager() -> crate::error::AppResult<Ctx> {
        guard(Function::BasicData, Level::Manage).await
    }
    pub async fn log(tx: &mut Tx, ctx: &Ctx, action: &str, kind: super::Kind, id: i64, summary: String) -> crate::error::AppResult<()> {
        audit::record(tx, &ctx.actor(), Change { module: Module::Settings, action, entity: kind.entity(), entity_id: Some(id), summary })
            .await
    }
    pub fn action(id: Option<i64>) -> &'static str {
        if id.is_some() {
            "update"
        } else {
            "create"
        }
    }
}

#[server(prefix = "/api", endpoint = "basic/brands", input = Json)]
pub async fn list_brands() -> Result<Vec<Brand>, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::brands(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/brands/save", input = Json)]
pub async fn save_brand(input: BrandInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = repo::save_brand(&mut tx, ctx.enterprise_id(), &input).await?;
        log(&mut tx, &ctx, action(input.id), Kind::Brand, id, format!("品牌「{}」 备注「{}」", input.name.trim(), input.remark.trim()))
            .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/products", input = Json)]
pub async fn list_products(filter: ProductFilter, page: PageReq) -> Result<Page<Product>, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::products(&mut ctx.tx().await?, ctx.enterprise_id(), &filter, page).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/products/get", input = Json)]
pub async fn get_product(id: i64) -> Result<Product, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::product(&mut ctx.tx().await?, ctx.enterprise_id(), id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/products/save", input = Json)]
pub async fn save_product(input: ProductInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let e = ctx.enterprise_id();
        let before = match input.id {
            Some(id) => Some(repo::product(&mut tx, e, id).await?),
            None => None,
        };
        let id = repo::save_product(&mut tx, e, &input).await?;
        let after = repo::product(&mut tx, e, id).await?;
        let fields = |p: &Product| {
            [
                ("名称", p.name.clone()),
                ("品牌", p.brand_name.clone()),
                ("条码", p.barcode.clone()),
                ("规格", p.specification.clone()),
                ("单价", crate::domain::validate::format_money(p.unit_price)),
            ]
        };
        let summary = match &before {
            Some(b) => {
                crate::domain::audit::diff(&fields(b).into_iter().zip(fields(&after)).map(|((f, o), (_, n))| (f, o, n)).collect::<Vec<_>>())
            }
            None => fields(&after).iter().map(|(f, v)| format!("{f}: {v}")).collect::<Vec<_>>().join("; "),
        };
        log(&mut tx, &ctx, action(input.id), Kind::Product, id, summary).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

/// Stores a product image (PNG, JPEG or WebP, ≤ IMAGE_MAX_KB) sent as base64; returns its path.
#[server(prefix = "/api", endpoint = "basic/products/image", input = Json)]
pub async fn upload_product_image(id: i64, base64_data: String) -> Result<String, AppError> {
    use crate::domain::validate::Msg;
    use base64::Engine;
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(base64_data.as_bytes())
            .map_err(|_| AppError::field("image", Msg::UnsupportedFileType))?;
        if bytes.len() > IMAGE_MAX_KB * 1024 {
            return Err(AppError::field("image", Msg::FileTooLarge { max_kb: IMAGE_MAX_KB }));
        }
        let ext = image_extension(&bytes).ok_or_else(|| AppError::field("image", Msg::UnsupportedFileType))?;
        let e = ctx.enterprise_id();
        let rel = crate::server::media::path_of(&format!("products/{e}"), &format!("{id}-"), ext, &bytes);
        let mut tx = ctx.tx().await?;
        // The product first (an unknown one writes no file).
        repo::set_product_image(&mut tx, e, id, &rel).await?;
        crate::server::media::write(&ctx.state, &rel, &bytes).await?;
        log(&mut tx, &ctx, "update", Kind::Product, id, format!("上传产品图片 {rel}")).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(rel)
    })
    .await
}

/// Queues a product CSV import; poll [`get_job_status`] for progress and the per-row report.
#[server(prefix = "/api", endpoint = "basic/products/import", input = Json)]
pub async fn import_products(csv: String) -> Result<i64, AppError> {
    use crate::domain::validate::Msg;
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        if csv.len() > CSV_MAX_KB * 1024 {
            return Err(AppError::field("file", Msg::FileTooLarge { max_kb: CSV_MAX_KB }));
        }
        if csv.trim().is_empty() {
            return Err(AppError::field("file", Msg::Required));
        }
        let mut tx = ctx.tx().await?;
        let id = crate::server::jobs::enqueue(&mut tx, &ctx.actor(), repo::IMPORT_PRODUCTS_JOB, serde_json::json!({ "csv": csv })).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

#[server(prefix = "/api", endpoint = "jobs/status", input = Json)]
pub async fn get_job_status(id: i64) -> Result<JobStatus, AppError> {
    use imp::*;
    respond(async {
        let ctx = crate::server::context::signed_in().await?;
        crate::server::jobs::status(&mut ctx.tx().await?, &ctx.actor(), id).await?.ok_or(AppError::NotFound)
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/regions", input = Json)]
pub async fn list_regions() -> Result<Vec<Region>, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::regions(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/regions/save", input = Json)]
pub async fn save_region(input: RegionInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = repo::save_region(&mut tx, ctx.enterprise_id(), &input).await?;
        log(&mut tx, &ctx, action(input.id), Kind::Region, id, format!("大区「{}」: {}", input.name.trim(), input.provinces.join("、")))
            .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/factories", input = Json)]
pub async fn list_factories() -> Result<Vec<Factory>, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::factories(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/factories/save", input = Json)]
pub async fn save_factory(input: FactoryInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = repo::save_factory(&mut tx, ctx.enterprise_id(), &input).await?;
        log(
            &mut tx,
            &ctx,
            action(input.id),
            Kind::Factory,
            id,
            format!("工厂「{}」 编号「{}」 地址「{}」", input.name.trim(), input.code.trim(), input.address.trim()),
        )
        .await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

/// Workshops (`Kind::Workshop`) or production lines (`Kind::Line`).
#[server(prefix = "/api", endpoint = "basic/units", input = Json)]
pub async fn list_units(kind: Kind) -> Result<Vec<Unit>, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::units(&mut ctx.tx().await?, ctx.enterprise_id(), kind).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "basic/units/save", input = Json)]
pub async fn save_unit(kind: Kind, input: UnitInput) -> Result<i64, AppError> {
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        if !matches!(kind, Kind::Workshop | Kind::Line) {
            return Err(AppError::NotFound);
        }
        input.validate()?;
        let mut tx = ctx.tx().await?;
        let id = repo::save_unit(&mut tx, ctx.enterprise_id(), kind, &input).await?;
        log(&mut tx, &ctx, action(input.id), kind, id, format!("「{}」 编号「{}」", input.name.trim(), input.code.trim())).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(id)
    })
    .await
}

/// Deletes any basic-data record, refused while something references it.
#[server(prefix = "/api", endpoint = "basic/delete", input = Json)]
pub async fn delete_basic(kind: Kind, id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async {
        let ctx = manager().await?;
        let mut tx = ctx.tx().await?;
        let name = repo::delete(&mut tx, ctx.enterprise_id(), kind, id).await?;
        log(&mut tx, &ctx, "delete", kind, id, format!("删除「{name}」")).await?;
        tx.commit().await.map_err(crate::server::auth::internal)?;
        Ok(())
    })
    .await
}

/// Id + name of every record of a kind, for select boxes.
#[server(prefix = "/api", endpoint = "basic/choices", input = Json)]
pub async fn choices(kind: Kind) -> Result<Vec<Choice>, AppError> {
    use imp::*;
    respond(async {
        let ctx = viewer().await?;
        repo::choices(&mut ctx.tx().await?, ctx.enterprise_id(), kind).await
    })
    .await
}
