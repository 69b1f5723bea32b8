//! The console's navigation: top-level areas following the reference (码管理 · 消费者营销 ·
//! 消费者洞察 · 导购 · 积分商城 · 设置), each with its side menu. A menu item shows only if the
//! position grants its function (or it needs none).

use crate::domain::access::{Function, Grants, Module};
use crate::i18n::{Locale, T};

pub struct Item {
    pub path: &'static str,
    /// The label: a text, or the function's own label.
    pub label: Label,
    /// None: every signed-in person (e.g. 消息中心).
    pub function: Option<Function>,
    /// Side-menu group heading this item sits under, if any.
    pub group: Option<T>,
}

pub enum Label {
    Text(T),
    Function,
}

pub struct Area {
    pub module: Module,
    pub base: &'static str,
    pub items: Vec<Item>,
}

fn f(path: &'static str, function: Function) -> Item {
    Item { path, label: Label::Function, function: Some(function), group: None }
}

fn g(path: &'static str, label: T, function: Option<Function>, group: T) -> Item {
    Item { path, label: Label::Text(label), function, group: Some(group) }
}

pub fn areas() -> Vec<Area> {
    use Function as F;
    vec![
        Area {
            module: Module::Codes,
            base: "/codes",
            items: vec![
                f("/codes/specs", F::CodeSpecs),
                f("/codes/packages", F::CodePackages),
                f("/codes/activation", F::CodeActivation),
                f("/codes/query", F::CodeQuery),
                f("/codes/scrap", F::CodeScrap),
                f("/codes/receive", F::CodeReceive),
            ],
        },
        Area {
            module: Module::Marketing,
            base: "/marketing",
            items: vec![
                g("/marketing/campaigns", T::MarketingCentre, Some(F::Campaigns), T::MarketingCentre),
                g("/marketing/risk", T::RiskControl, Some(F::Campaigns), T::MarketingCentre),
                f("/marketing/promotion-codes", F::PromotionCodes),
                g("/marketing/data", T::CampaignDataNav, Some(F::CampaignData), T::DataAnalysis),
                g("/marketing/data/products", T::ProductDataNav, Some(F::CampaignData), T::DataAnalysis),
                g("/marketing/data/codes", T::BrandCodeDataNav, Some(F::CampaignData), T::DataAnalysis),
                g("/marketing/members", T::MemberList, Some(F::Members), T::ConsumerInsightNav),
            ],
        },
        Area {
            module: Module::Insight,
            base: "/insight",
            items: vec![f("/insight/crowds", F::Crowds), f("/insight/analysis", F::CrowdAnalysis)],
        },
        Area {
            module: Module::Guides,
            base: "/guides",
            items: vec![
                f("/guides/organisation", F::GuideOrganisation),
                f("/guides/customers", F::GuideCustomers),
                f("/guides/tasks", F::GuideTasks),
                f("/guides/dashboards", F::GuideDashboards),
            ],
        },
        Area {
            module: Module::Mall,
            base: "/mall",
            items: vec![f("/mall/goods", F::MallGoods), f("/mall/redemptions", F::MallRedemptions)],
        },
        Area {
            module: Module::Settings,
            base: "/settings",
            items: vec![
                g("/settings/brands", T::Brands, Some(F::BasicData), T::BasicData),
                g("/settings/products", T::Products, Some(F::BasicData), T::BasicData),
                g("/settings/regions", T::Regions, Some(F::BasicData), T::BasicData),
                g("/settings/factories", T::Factories, Some(F::BasicData), T::BasicData),
                g("/settings/workshops", T::Workshops, Some(F::BasicData), T::BasicData),
                g("/settings/lines", T::ProductionLines, Some(F::BasicData), T::BasicData),
                g("/settings/positions", T::Positions, Some(F::Positions), T::PermissionsRoles),
                g("/settings/accounts", T::Accounts, Some(F::Accounts), T::PermissionsRoles),
                g("/settings/warnings", T::WarningNotices, Some(F::Warnings), T::SettingsManagement),
                g("/settings/downloads", T::DownloadCentre, None, T::SettingsManagement),
                g("/settings/audit", T::AuditLog, Some(F::AuditLog), T::SettingsManagement),
                g("/settings/messages", T::MessageCentre, None, T::SettingsManagement),
            ],
        },
    ]
}

impl Item {
    pub fn label(&self, l: Locale) -> &'static str {
        match (&self.label, self.function) {
            (Label::Text(t), _) => t.in_(l),
            (Label::Function, Some(f)) => f.label(l),
            (Label::Function, None) => "",
        }
    }
    pub fn visible(&self, grants: &Grants) -> bool {
        self.function.is_none_or(|f| grants.0.contains_key(&f))
    }
}

impl Area {
    /// Where the area's top-level link goes: its first visible item.
    pub fn entry(&self, grants: &Grants) -> Option<&'static str> {
        self.items.iter().find(|i| i.visible(grants)).map(|i| i.path)
    }
    pub fn visible(&self, grants: &Grants) -> bool {
        self.items.iter().any(|i| i.visible(grants))
    }
}

/// The area and item a path belongs to.
pub fn locate(path: &str) -> Option<(Area, Option<usize>)> {
    areas().into_iter().find(|a| path.starts_with(a.base)).map(|a| {
        // The longest matching item: /marketing/data/products is not /marketing/data.
        let i = a
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| path == i.path || path.starts_with(&format!("{}/", i.path)))
            .max_by_key(|(_, i)| i.path.len())
            .map(|(n, _)| n);
        (a, i)
    })
}
