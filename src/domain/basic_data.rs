//! Basic data (基础数据): brands, products, regions with provinces, factories, workshops and
//! production lines. Records carry a `version` so a stale form is refused instead of
//! overwriting someone else's change.

use super::validate::{is_ean13, parse_money, Check, FieldError, Msg};
use serde::{Deserialize, Serialize};

/// The 34 provincial-level divisions, in the order of the national standard (GB/T 2260).
pub const PROVINCES: [&str; 34] = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "台湾省",
    "香港特别行政区",
    "澳门特别行政区",
];

pub const NAME_MAX: usize = 50;
pub const TEXT_MAX: usize = 200;
pub const SPEC_MAX: usize = 50;
pub const CODE_MAX: usize = 20;

/// Which kind of basic-data record; used in messages, audit entries and routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Brand,
    Product,
    Region,
    Factory,
    Workshop,
    Line,
}

impl Kind {
    pub fn entity(self) -> &'static str {
        match self {
            Kind::Brand => "brand",
            Kind::Product => "product",
            Kind::Region => "region",
            Kind::Factory => "factory",
            Kind::Workshop => "workshop",
            Kind::Line => "production_line",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Brand {
    pub id: i64,
    pub name: String,
    pub remark: String,
    pub product_count: i64,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BrandInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub remark: String,
}

impl BrandInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.optional_text("remark", &self.remark, TEXT_MAX);
        c.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub brand_id: i64,
    pub brand_name: String,
    pub barcode: String,
    pub specification: String,
    /// In fen.
    pub unit_price: i64,
    /// Path under `/media/`, if an image was uploaded.
    pub image: Option<String>,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub brand_id: Option<i64>,
    pub barcode: String,
    pub specification: String,
    /// Yuan as typed, e.g. "59.90".
    pub unit_price: String,
}

impl ProductInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.rule("brand_id", self.brand_id.is_some(), Msg::Required);
        if self.barcode.trim().is_empty() {
            c.fail("barcode", Msg::Required);
        }
        c.rule("barcode", is_ean13(self.barcode.trim()), Msg::InvalidEan13);
        c.optional_text("specification", &self.specification, SPEC_MAX);
        if self.unit_price.trim().is_empty() {
            c.fail("unit_price", Msg::Required);
        }
        c.rule("unit_price", parse_money(&self.unit_price).is_some(), Msg::InvalidMoney);
        c.finish()
    }

    pub fn price_fen(&self) -> i64 {
        parse_money(&self.unit_price).unwrap_or(0)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductFilter {
    pub brand_id: Option<i64>,
    /// Name contains, or barcode starts with.
    pub search: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Region {
    pub id: i64,
    pub name: String,
    pub provinces: Vec<String>,
    pub factory_count: i64,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub provinces: Vec<String>,
}

impl RegionInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.rule("provinces", !self.provinces.is_empty(), Msg::Required);
        if let Some(bad) = self.provinces.iter().find(|p| !PROVINCES.contains(&p.as_str())) {
            c.fail("provinces", Msg::Other(format!("{bad}?")));
        }
        c.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Factory {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub region_id: Option<i64>,
    pub region_name: Option<String>,
    pub address: String,
    pub contact: String,
    pub phone: String,
    pub workshop_count: i64,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FactoryInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub code: String,
    pub region_id: Option<i64>,
    pub address: String,
    pub contact: String,
    pub phone: String,
}

impl FactoryInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.optional_text("code", &self.code, CODE_MAX);
        c.rule("region_id", self.region_id.is_some(), Msg::Required);
        c.optional_text("address", &self.address, TEXT_MAX);
        c.optional_text("contact", &self.contact, NAME_MAX);
        c.optional_text("phone", &self.phone, CODE_MAX);
        c.finish()
    }
}

/// A workshop (车间) of a factory, or a production line (产线) of a workshop: same shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub code: String,
    /// The factory (for a workshop) or the workshop (for a line).
    pub parent_id: i64,
    pub parent_name: String,
    pub child_count: i64,
    pub version: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub code: String,
    pub parent_id: Option<i64>,
}

impl UnitInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.optional_text("code", &self.code, CODE_MAX);
        c.rule("parent_id", self.parent_id.is_some(), Msg::Required);
        c.finish()
    }
}

/// A choice in a select box.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// One row of a product CSV import that was refused, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    pub errors: Vec<FieldError>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub imported: usize,
    pub failed: Vec<ImportRowError>,
}

/// Max size of an uploaded product image.
pub const IMAGE_MAX_KB: usize = 2048;
/// Max size of a product CSV.
pub const CSV_MAX_KB: usize = 4096;

/// Allowed image types, by magic number; returns the file extension.
pub fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_rules() {
        let ok = ProductInput {
            name: "特级生抽 500ml".into(),
            brand_id: Some(1),
            barcode: "6901234567892".into(),
            unit_price: "12.90".into(),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        assert_eq!(ok.price_fen(), 1290);
        let bad = ProductInput { barcode: "6901234567893".into(), unit_price: "1.999".into(), ..ok };
        let errs = bad.validate().unwrap_err();
        assert!(errs.iter().any(|e| e.field == "barcode" && e.msg == Msg::InvalidEan13));
        assert!(errs.iter().any(|e| e.field == "unit_price" && e.msg == Msg::InvalidMoney));
    }

    #[test]
    fn region_needs_known_provinces() {
        let r = RegionInput { name: "华东".into(), provinces: vec!["上海市".into(), "江苏省".into()], ..Default::default() };
        assert!(r.validate().is_ok());
        let r = RegionInput { name: "华东".into(), provinces: vec!["Atlantis".into()], ..Default::default() };
        assert!(r.validate().is_err());
    }

    #[test]
    fn image_magic() {
        assert_eq!(image_extension(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(image_extension(b"\xFF\xD8\xFF\xE0"), Some("jpg"));
        assert_eq!(image_extension(b"GIF89a"), None);
    }
}
