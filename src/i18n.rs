//! Interface language: zh-CN by default, English on request. Pure, shared by server and browser.
//!
//! Every visible string of the console is a variant of [`T`], so a missing translation is a
//! compile error rather than a blank label.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, Hash)]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub const COOKIE: &'static str = "tessera_lang";

    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Locale> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Locale::Zh)
        } else if s.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(l) = Locale::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, l));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// `2026-11-21 14:05` in both languages (ISO order is the norm in China too), but
    /// numbers use the locale's grouping.
    pub fn datetime(self, t: &chrono::DateTime<chrono::Utc>) -> String {
        // Displayed in China Standard Time: the console's users are brands operating in China.
        let local = *t + chrono::Duration::hours(8);
        match self {
            Locale::Zh => local.format("%Y-%m-%d %H:%M").to_string(),
            Locale::En => local.format("%d %b %Y %H:%M").to_string(),
        }
    }

    pub fn date(self, d: &chrono::NaiveDate) -> String {
        match self {
            Locale::Zh => d.format("%Y年%m月%d日").to_string(),
            Locale::En => d.format("%d %b %Y").to_string(),
        }
    }

    /// Integer with thousands separators (both locales group by three with commas).
    pub fn int(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 {
            format!("-{out}")
        } else {
            out
        }
    }

    /// Money in yuan from fen (cents).
    pub fn money(self, fen: i64) -> String {
        let yuan = self.int(fen / 100);
        let cents = (fen % 100).abs();
        match self {
            Locale::Zh => format!("¥{yuan}.{cents:02}"),
            Locale::En => format!("CNY {yuan}.{cents:02}"),
        }
    }
}

/// "新建品牌" / "New brand": an action on a kind of record, for dialog titles.
pub fn verb_noun(l: Locale, verb: T, noun: T) -> String {
    match l {
        Locale::Zh => format!("{}{}", verb.in_(l), noun.in_(l)),
        Locale::En => format!("{} {}", verb.in_(l), noun.in_(l).to_lowercase()),
    }
}

macro_rules! texts {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A console text; `t.in_(locale)` gives it in a language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $($key,)* }
        impl T {
            pub fn in_(self, l: Locale) -> &'static str {
                match (self, l) {
                    $((T::$key, Locale::Zh) => $zh, (T::$key, Locale::En) => $en,)*
                }
            }
        }
    };
}

texts! {
    AppName => "Tessera 一物一码", "Tessera";
    // Navigation: top level
    NavCodes => "码管理", "Codes";
    NavMarketing => "消费者营销", "Marketing";
    NavInsight => "消费者洞察", "Insight";
    NavGuides => "导购", "Store guides";
    NavMall => "积分商城", "Points mall";
    NavSettings => "设置", "Settings";
    Home => "首页", "Home";
    // Settings side menu
    BasicData => "基础数据", "Basic data";
    Brands => "品牌", "Brands";
    Products => "产品", "Products";
    Regions => "大区", "Regions";
    Factories => "工厂", "Factories";
    Workshops => "车间", "Workshops";
    ProductionLines => "产线", "Production lines";
    PermissionsRoles => "权限角色", "Permissions";
    Positions => "岗位设置", "Positions";
    Accounts => "账号管理", "Accounts";
    SettingsManagement => "设置管理", "Management";
    AuditLog => "操作日志", "Audit log";
    MessageCentre => "消息中心", "Message centre";
    WarningNotices => "预警通知", "Warnings";
    DownloadCentre => "下载中心", "Download centre";
    // Common words
    Name => "名称", "Name";
    PersonName => "姓名", "Name";
    Description => "描述", "Description";
    Remark => "备注", "Remark";
    Actions => "操作", "Actions";
    Create => "新建", "New";
    Edit => "编辑", "Edit";
    View => "查看", "View";
    Delete => "删除", "Delete";
    Save => "保存", "Save";
    Cancel => "取消", "Cancel";
    Confirm => "确定", "Confirm";
    Search => "搜索", "Search";
    Reset => "重置", "Reset";
    Close => "关闭", "Close";
    Back => "上一步", "Back";
    Next => "下一步", "Next";
    Status => "状态", "Status";
    Enabled => "启用", "Enabled";
    Disabled => "停用", "Disabled";
    Enable => "启用", "Enable";
    Disable => "停用", "Disable";
    All => "全部", "All";
    CreatedAt => "创建时间", "Created";
    UpdatedAt => "更新时间", "Updated";
    Creator => "创建人", "Created by";
    NoData => "暂无数据", "No data";
    Loading => "加载中…", "Loading…";
    Saved => "已保存", "Saved";
    Deleted => "已删除", "Deleted";
    ConfirmDeleteTitle => "确认删除", "Confirm deletion";
    ConfirmDeleteText => "删除后不可恢复，确定删除吗？", "This cannot be undone. Delete?";
    TotalItems => "共", "Total";
    ItemsUnit => "条", "items";
    PerPage => "条/页", "per page";
    PrevPage => "上一页", "Previous";
    NextPage => "下一页", "Next";
    Yes => "是", "Yes";
    No => "否", "No";
    From => "从", "From";
    To => "至", "To";
    Import => "导入", "Import";
    Export => "导出", "Export";
    Upload => "上传", "Upload";
    Language => "语言", "Language";
    SwitchEnterprise => "切换企业", "Switch enterprise";
    Enterprise => "企业", "Enterprise";
    // Sign-in
    SignIn => "登录", "Sign in";
    SignOut => "退出登录", "Sign out";
    LoginId => "手机号或邮箱", "Mobile or email";
    Password => "密码", "Password";
    ChangePassword => "修改密码", "Change password";
    CurrentPassword => "当前密码", "Current password";
    NewPassword => "新密码", "New password";
    RepeatPassword => "确认新密码", "Repeat new password";
    MustChangePassword => "首次登录请先修改初始密码。", "Please replace your initial password before you continue.";
    SignInTitle => "登录 Tessera 控制台", "Sign in to the Tessera console";
    // Basic data fields
    Brand => "品牌", "Brand";
    Barcode => "条码 (EAN-13)", "Barcode (EAN-13)";
    Specification => "规格", "Specification";
    UnitPrice => "单价 (元)", "Unit price (CNY)";
    Image => "图片", "Image";
    Provinces => "省份", "Provinces";
    Region => "大区", "Region";
    Factory => "工厂", "Factory";
    Workshop => "车间", "Workshop";
    Code => "编号", "Code";
    Address => "地址", "Address";
    Contact => "联系人", "Contact";
    Phone => "电话", "Phone";
    ImportCsv => "从 CSV 导入", "Import from CSV";
    ImportCsvHint => "列：名称,品牌,条码,规格,单价（首行为表头）", "Columns: name,brand,barcode,specification,unit price (first row is the header)";
    ImportReport => "导入结果", "Import report";
    Row => "行", "Row";
    Imported => "已导入", "Imported";
    Failed => "失败", "Failed";
    Product => "产品", "Product";
    ProductionLine => "产线", "Production line";
    NameOrBarcode => "名称或条码", "Name or barcode";
    ImageHint => "支持 PNG、JPEG、WebP，不超过", "PNG, JPEG or WebP, at most";
    StepChooseFile => "选择文件", "Choose file";
    StepImporting => "导入中", "Importing";
    StepReport => "结果", "Report";
    CsvFile => "CSV 文件", "CSV file";
    FileUnreadable => "无法读取该文件", "Cannot read this file";
    CsvNotUtf8 => "文件须为 UTF-8 编码（Excel 中请另存为“CSV UTF-8”）", "The file must be UTF-8 encoded (in Excel, save as “CSV UTF-8”)";
    FieldName => "字段", "Field";
    Reason => "原因", "Reason";
    JobFailed => "任务失败", "The job failed";
    ImportRunsInBackground => "导入在后台进行，关闭此窗口不会中断导入。", "The import runs in the background; closing this window does not stop it.";
    // Positions / accounts
    Position => "岗位", "Position";
    Permissions => "功能权限", "Permissions";
    ViewOnly => "仅查看", "View only";
    Manage => "管理", "Manage";
    NoAccess => "无权限", "No access";
    BuiltIn => "内置", "Built-in";
    Mobile => "手机号", "Mobile";
    Email => "邮箱", "Email";
    CredentialsSent => "账号已创建，初始密码已发送至其手机和邮箱。", "Account created; the initial password was sent to its mobile and email.";
    AccountsOfPosition => "名账号", "accounts";
    // Audit
    User => "用户", "User";
    Module => "模块", "Module";
    Action => "动作", "Action";
    Entity => "对象", "Entity";
    Summary => "摘要", "Summary";
    Time => "时间", "Time";
    DateFrom => "开始日期", "From date";
    DateTo => "结束日期", "To date";
    // Outbox
    Channel => "渠道", "Channel";
    Recipient => "接收人", "Recipient";
    Subject => "主题", "Subject";
    Content => "内容", "Content";
    // Placeholders for areas that later work fills
    NotYetBuilt => "此功能尚未实现", "Not built yet";
    NotYetBuiltText => "这个页面属于尚未交付的模块。这里不显示任何虚构数据；模块交付后页面将在此出现。", "This page belongs to a module that has not been delivered yet. It shows no made-up data; the module will appear here when it is delivered.";
    Welcome => "欢迎", "Welcome";
    Overview => "概览", "Overview";
    MobileHome => "移动端", "Mobile";
    MyMessages => "我的消息", "My messages";
    JobProgress => "任务进度", "Job progress";
    ErrorTitle => "出错了", "Something went wrong";
    NotFound => "页面不存在", "Page not found";
    Forbidden => "没有权限", "Forbidden";
    // Positions, accounts and audit log pages
    AccountCount => "账号数", "Accounts";
    AllFunctions => "全部功能", "All functions";
    Account => "账号", "Account";
    ConfirmDisableTitle => "确认停用", "Confirm disabling";
    ConfirmDisableText => "停用后该账号将立即退出登录且不能再登录本企业，确定停用吗？", "The account is signed out at once and can no longer sign in to this enterprise. Disable it?";
    AccountEnabledNotice => "账号已启用", "Account enabled";
    AccountDisabledNotice => "账号已停用", "Account disabled";
    DateRangeInvalid => "结束日期不能早于开始日期", "The end date cannot be before the start date";
    AuditProduct => "产品", "Product";
    AuditLine => "产线", "Production line";
    // ==== Codes: code format, scan verification page, QR images ====
    // ==== Codes: specs ====
    // ==== Codes: packages, application, review ====
    // ==== Codes: generation, package files ====
    // ==== Codes: delivery, receivers, downloads ====
    // ==== Codes: info entry, activation ====
    // ==== Codes: query, scrapping ====
    // ==== Settings: warnings, download centre ====
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality_supported() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Locale::En);
        assert_eq!(Locale::from_accept_language("fr, zh;q=0.5, en;q=0.4"), Locale::Zh);
        assert_eq!(Locale::from_accept_language("fr"), Locale::Zh);
        assert_eq!(Locale::from_accept_language(""), Locale::Zh);
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(Locale::Zh.int(1234567), "1,234,567");
        assert_eq!(Locale::En.int(-1000), "-1,000");
        assert_eq!(Locale::Zh.money(129900), "¥1,299.00");
        assert_eq!(Locale::En.money(5), "CNY 0.05");
    }
}
