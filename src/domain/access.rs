//! The permission tree: modules, their functions, and a view-only or manage level per function.
//! A position (岗位) holds a [`Grants`]; every server function asks [`Grants::allows`] first.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Module {
    Codes,
    Marketing,
    Insight,
    Guides,
    Mall,
    Settings,
}

impl Module {
    pub const ALL: [Module; 6] = [Module::Codes, Module::Marketing, Module::Insight, Module::Guides, Module::Mall, Module::Settings];

    /// The stored name (audit_log.module).
    pub fn key(self) -> &'static str {
        match self {
            Module::Codes => "Codes",
            Module::Marketing => "Marketing",
            Module::Insight => "Insight",
            Module::Guides => "Guides",
            Module::Mall => "Mall",
            Module::Settings => "Settings",
        }
    }

    pub fn from_key(key: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        use crate::i18n::T;
        match self {
            Module::Codes => T::NavCodes,
            Module::Marketing => T::NavMarketing,
            Module::Insight => T::NavInsight,
            Module::Guides => T::NavGuides,
            Module::Mall => T::NavMall,
            Module::Settings => T::NavSettings,
        }
        .in_(l)
    }

    pub fn functions(self) -> impl Iterator<Item = Function> {
        Function::ALL.into_iter().filter(move |f| f.module() == self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Function {
    // 码管理
    CodeSpecs,
    CodePackages,
    CodeActivation,
    CodeQuery,
    CodeScrap,
    CodeReceive,
    // 消费者营销
    Campaigns,
    CampaignData,
    Members,
    PromotionCodes,
    // 消费者洞察
    Crowds,
    CrowdAnalysis,
    // 导购
    GuideOrganisation,
    GuideCustomers,
    GuideTasks,
    GuideDashboards,
    // 积分商城
    MallGoods,
    MallRedemptions,
    // 设置
    BasicData,
    Positions,
    Accounts,
    AuditLog,
    Warnings,
}

impl Function {
    pub const ALL: [Function; 23] = [
        Function::CodeSpecs,
        Function::CodePackages,
        Function::CodeActivation,
        Function::CodeQuery,
        Function::CodeScrap,
        Function::CodeReceive,
        Function::Campaigns,
        Function::CampaignData,
        Function::Members,
        Function::PromotionCodes,
        Function::Crowds,
        Function::CrowdAnalysis,
        Function::GuideOrganisation,
        Function::GuideCustomers,
        Function::GuideTasks,
        Function::GuideDashboards,
        Function::MallGoods,
        Function::MallRedemptions,
        Function::BasicData,
        Function::Positions,
        Function::Accounts,
        Function::AuditLog,
        Function::Warnings,
    ];

    pub fn module(self) -> Module {
        use Function::*;
        match self {
            CodeSpecs | CodePackages | CodeActivation | CodeQuery | CodeScrap | CodeReceive => Module::Codes,
            Campaigns | CampaignData | Members | PromotionCodes => Module::Marketing,
            Crowds | CrowdAnalysis => Module::Insight,
            GuideOrganisation | GuideCustomers | GuideTasks | GuideDashboards => Module::Guides,
            MallGoods | MallRedemptions => Module::Mall,
            BasicData | Positions | Accounts | AuditLog | Warnings => Module::Settings,
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        use Function::*;
        let (zh, en) = match self {
            CodeSpecs => ("码规格管理", "Code specs"),
            CodePackages => ("发码管理", "Code packages"),
            CodeActivation => ("码信息录入与激活", "Info entry & activation"),
            CodeQuery => ("二维码查询", "Code query"),
            CodeScrap => ("码报废", "Scrapping"),
            CodeReceive => ("码包接收", "Receive packages"),
            Campaigns => ("营销中心", "Campaigns"),
            CampaignData => ("数据分析", "Campaign data"),
            Members => ("会员列表", "Members"),
            PromotionCodes => ("推广码", "Promotion codes"),
            Crowds => ("人群管理", "Crowds"),
            CrowdAnalysis => ("人群分析", "Crowd analysis"),
            GuideOrganisation => ("门店与导购", "Stores & guides"),
            GuideCustomers => ("导购客户", "Guide customers"),
            GuideTasks => ("导购任务", "Guide tasks"),
            GuideDashboards => ("导购看板", "Guide dashboards"),
            MallGoods => ("积分商品", "Mall goods"),
            MallRedemptions => ("兑换记录", "Redemptions"),
            BasicData => ("基础数据", "Basic data"),
            Positions => ("岗位设置", "Positions"),
            Accounts => ("账号管理", "Accounts"),
            AuditLog => ("操作日志", "Audit log"),
            Warnings => ("预警通知", "Warnings"),
        };
        match l {
            Locale::Zh => zh,
            Locale::En => en,
        }
    }
}

/// View-only < manage: manage includes viewing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    View,
    Manage,
}

/// What a position may do: a level per granted function; absent means no access.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants(pub BTreeMap<Function, Level>);

impl Grants {
    pub fn everything() -> Self {
        Grants(Function::ALL.into_iter().map(|f| (f, Level::Manage)).collect())
    }

    pub fn of(items: &[(Function, Level)]) -> Self {
        Grants(items.iter().copied().collect())
    }

    pub fn allows(&self, f: Function, needed: Level) -> bool {
        self.0.get(&f).is_some_and(|have| *have >= needed)
    }

    /// The functions `other` grants that these grants do not (at that level or above): what a
    /// person holding these may not hand out through a position or an account.
    pub fn beyond(&self, other: &Grants) -> Vec<Function> {
        other.0.iter().filter(|(f, l)| !self.allows(**f, **l)).map(|(f, _)| *f).collect()
    }

    pub fn level(&self, f: Function) -> Option<Level> {
        self.0.get(&f).copied()
    }

    /// Whether any function of the module is granted (the module shows in the navigation).
    pub fn sees_module(&self, m: Module) -> bool {
        self.0.keys().any(|f| f.module() == m)
    }

    pub fn set(&mut self, f: Function, level: Option<Level>) {
        match level {
            Some(l) => {
                self.0.insert(f, l);
            }
            None => {
                self.0.remove(&f);
            }
        }
    }

    /// Human summary for lists and the audit log, e.g. "码规格管理(管理), 操作日志(仅查看)".
    pub fn summary(&self, l: Locale) -> String {
        use crate::i18n::T;
        self.0
            .iter()
            .map(|(f, lv)| {
                let lv = match lv {
                    Level::View => T::ViewOnly.in_(l),
                    Level::Manage => T::Manage.in_(l),
                };
                format!("{}({lv})", f.label(l))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manage_includes_view_and_absent_is_nothing() {
        let g = Grants::of(&[(Function::CodeSpecs, Level::Manage), (Function::AuditLog, Level::View)]);
        assert!(g.allows(Function::CodeSpecs, Level::View));
        assert!(g.allows(Function::CodeSpecs, Level::Manage));
        assert!(g.allows(Function::AuditLog, Level::View));
        assert!(!g.allows(Function::AuditLog, Level::Manage));
        assert!(!g.allows(Function::BasicData, Level::View));
        assert!(g.sees_module(Module::Codes));
        assert!(!g.sees_module(Module::Marketing));
    }

    #[test]
    fn every_function_belongs_to_one_module_listed_in_order() {
        let listed: usize = Module::ALL.iter().map(|m| m.functions().count()).sum();
        assert_eq!(listed, Function::ALL.len());
        assert!(Grants::everything().0.len() == Function::ALL.len());
    }

    #[test]
    fn beyond_lists_what_is_not_covered() {
        let mine = Grants::of(&[(Function::Accounts, Level::Manage), (Function::AuditLog, Level::View)]);
        let asked =
            Grants::of(&[(Function::Accounts, Level::View), (Function::AuditLog, Level::Manage), (Function::BasicData, Level::View)]);
        assert_eq!(mine.beyond(&asked), vec![Function::BasicData, Function::AuditLog]);
        assert!(Grants::everything().beyond(&asked).is_empty());
    }

    #[test]
    fn module_keys_round_trip() {
        for m in Module::ALL {
            assert_eq!(Module::from_key(m.key()), Some(m));
        }
        assert_eq!(Module::from_key("Nope"), None);
    }

    #[test]
    fn grants_round_trip_as_json_object() {
        let g = Grants::of(&[(Function::Accounts, Level::View)]);
        let j = serde_json::to_string(&g).unwrap();
        assert_eq!(j, r#"{"Accounts":"View"}"#);
        assert_eq!(serde_json::from_str::<Grants>(&j).unwrap(), g);
    }
}
