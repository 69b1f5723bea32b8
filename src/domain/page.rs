//! Pagination shared by every list.

use serde::{Deserialize, Serialize};

pub const PAGE_SIZES: [i64; 4] = [10, 20, 50, 100];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageReq {
    /// 1-based.
    pub page: i64,
    pub size: i64,
}

impl Default for PageReq {
    fn default() -> Self {
        PageReq { page: 1, size: 10 }
    }
}

impl PageReq {
    /// Clamped to a page ≥ 1 and one of the offered sizes (10 if another was asked).
    pub fn clamped(self) -> PageReq {
        PageReq { page: self.page.max(1), size: if PAGE_SIZES.contains(&self.size) { self.size } else { 10 } }
    }
    pub fn offset(self) -> i64 {
        let p = self.clamped();
        (p.page - 1) * p.size
    }
    pub fn limit(self) -> i64 {
        self.clamped().size
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub size: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.size - 1) / self.size.max(1)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps() {
        let p = PageReq { page: 0, size: 7 }.clamped();
        assert_eq!(p, PageReq { page: 1, size: 10 });
        assert_eq!(PageReq { page: 3, size: 20 }.offset(), 40);
        let page: Page<()> = Page { items: vec![], total: 21, page: 1, size: 10 };
        assert_eq!(page.pages(), 3);
    }
}
