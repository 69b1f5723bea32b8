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
    ScanPageTitle => "正品验证", "Product check";
    ScanInvalidTitle => "无效码", "Not a genuine code";
    ScanInvalidText => "此码不是 Tessera 签发的正品码。请谨慎购买，必要时联系品牌方。", "This code is not a genuine Tessera code. Be careful with this product and contact the brand if in doubt.";
    ScanNotActivatedTitle => "尚未激活", "Not activated yet";
    ScanNotActivatedText => "此码是正品码，但尚未激活，商品可能还没有出厂。", "This code is genuine but not yet activated: the product may not have left the factory.";
    ScanScrappedTitle => "已报废", "Scrapped";
    ScanScrappedText => "此码已报废，不能再使用。", "This code was scrapped and can no longer be used.";
    ScanGenuineTitle => "正品", "Genuine";
    ScanGenuineText => "此码是品牌方签发并已激活的正品码。", "This code was issued by the brand owner and is activated.";
    ScanBrandOwner => "品牌商", "Brand owner";
    ScanProducedAt => "生产时间", "Produced";
    ScanActivatedAt => "激活时间", "Activated";
    ScanCode => "码", "Code";
    ScanPinTitle => "防伪码验证", "Check the PIN";
    ScanPinHint => "刮开标签上的涂层，输入其下的数字：", "Scratch off the label's coating and type the digits under it:";
    ScanPinLabel => "防伪码", "PIN";
    ScanPinSubmit => "验证", "Check";
    ScanPinOk => "防伪码正确，此商品为正品。", "The PIN matches: this product is genuine.";
    ScanPinTimes => "该防伪码已验证次数", "Times this PIN was checked";
    ScanPinFirstAt => "首次验证时间", "First checked";
    ScanPinSeenBefore => "该防伪码此前已被验证过。如果之前的验证不是您本人所为，此商品可能是仿冒品，请谨慎。", "This PIN was checked before. If that was not you, this product may be a copy: be careful.";
    ScanRedirecting => "正在打开品牌页面…", "Opening the brand's page…";
    ScanOpenBrandPage => "打开品牌页面", "Open the brand's page";
    // ==== Codes: specs ====
    SpecTitle => "码规格管理", "Code specs";
    SpecNoun => "码规格", "Code spec";
    SpecId => "ID", "ID";
    SpecSearch => "名称或 ID", "Name or ID";
    SpecFileFields => "文件字段", "File fields";
    SpecFileFieldsHint => "勾选的字段按此顺序写入码包文件（可上移、下移）；须包含码字符串或完整扫码链接。", "Chosen fields are written in this order (move them up or down); include the code string or the full scan URL.";
    SpecFieldSerial => "序列号", "Serial number";
    SpecFieldCode => "码字符串", "Code string";
    SpecFieldUrl => "完整扫码链接", "Full scan URL";
    SpecFieldPin => "防伪码", "PIN";
    SpecFieldPackage => "码包 ID", "Package ID";
    SpecFieldBatch => "批次号", "Batch number";
    SpecMoveUp => "上移", "Move up";
    SpecMoveDown => "下移", "Move down";
    SpecFileFormat => "文件格式", "File format";
    SpecSeparator => "分隔符", "Separator";
    SpecSepComma => "逗号 ,", "Comma ,";
    SpecSepTab => "制表符", "Tab";
    SpecSepSemicolon => "分号 ;", "Semicolon ;";
    SpecSepPipe => "竖线 |", "Pipe |";
    SpecWithHeader => "首行写入表头", "Header row";
    SpecPinDigits => "防伪码位数", "PIN digits";
    SpecNoPin => "无防伪码", "No PIN";
    SpecDigits => "位", "digits";
    SpecLanding => "落地页", "Landing page";
    SpecLandingTessera => "Tessera 消费者页面", "Tessera consumer page";
    SpecLandingExternal => "外部链接", "External URL";
    SpecLandingUrl => "外部链接模板", "External URL template";
    SpecLandingUrlHint => "须以 https:// 开头并包含 {code}，扫码时替换为码字符串。", "Starts with https:// and contains {code}, which a scan replaces with the code string.";
    SpecReviewFlow => "审核流程", "Review flow";
    SpecFlowName => "流程名称", "Flow name";
    SpecApplicants => "申请人", "Applicants";
    SpecReviewers => "审核人", "Reviewers";
    SpecFileReceivers => "文件接收人", "File receivers";
    SpecPasswordReceivers => "密码接收人", "Password receivers";
    SpecAddPerson => "添加人员…", "Add a person…";
    SpecRemove => "移除", "Remove";
    SpecPersonDisabled => "已停用", "disabled";
    SpecWarnings => "预警参数", "Warnings";
    SpecWarnGenerated => "生成后仍有批次未激活（小时）", "Batches not activated, hours after generation";
    SpecWarnEntered => "录入信息后仍未激活（小时）", "Not activated, hours after info entry";
    SpecWarnSent => "发送后仍有批次未下载（小时）", "Batches not downloaded, hours after sending";
    SpecWarnHint => "1 至 8760 小时；留空则不预警。", "1 to 8760 hours; leave empty for no warning.";
    SpecLastModified => "最后修改", "Last modified";
    SpecPackages => "码包数", "Packages";
    // ==== Codes: packages, application, review ====
    PkgTitle => "发码管理", "Code packages";
    PkgNoun => "码包", "Code package";
    PkgApply => "申请码包", "Apply for a package";
    PkgEditApplication => "修改申请", "Edit the application";
    PkgStepSpec => "选择码规格", "Choose a spec";
    PkgStepInfo => "填写信息", "Fill in";
    PkgNoSpec => "您还不是任何码规格的申请人。请联系码规格管理员，在码规格的审核流程中把您加为申请人。", "You are not an applicant of any code spec yet. Ask a spec manager to add you to the applicants of a spec's review flow.";
    PkgName => "码包名称", "Package name";
    PkgSpec => "码规格", "Spec";
    PkgPurpose => "用途", "Purpose";
    PurposeProduction => "正式使用", "Production";
    PurposeTest => "测试", "Test";
    PkgCodeCount => "码数量", "Code count";
    PkgCodeCountHint => "1 至 20,000,000 之间的整数。", "A whole number from 1 to 20,000,000.";
    PkgFileCount => "文件数", "Number of files";
    PkgFileCountHint => "1 至 100，且不超过码数量；每个文件是一个批次（一段连续的序列号）。", "1 to 100, at most the code count; each file is one batch (a contiguous serial range).";
    PkgCodesPerFile => "每个文件", "Per file";
    PkgCodesUnit => "个码", "codes";
    PkgFactory => "接收包材厂", "Receiving packaging factory";
    PkgProduct => "预录产品", "Pre-entered product";
    PkgFillingFactory => "预录灌装厂", "Pre-entered filling factory";
    PkgFilesGoTo => "文件将发送给", "Files go to";
    PkgPasswordsGoTo => "密码将发送给", "Passwords go to";
    PkgSubmit => "提交申请", "Submit";
    PkgApplied => "申请已提交，等待审核", "Application submitted for review";
    PkgSearch => "码包名称、码规格或 ID", "Package, spec or ID";
    PkgTabMine => "我的申请", "My applications";
    PkgTabToReview => "待审核", "To review";
    PkgTabReviewed => "已审核", "Reviewed";
    PkgApplicant => "申请人", "Applicant";
    PkgAppliedAt => "申请时间", "Applied";
    PackagePending => "待审核", "Pending";
    PackageApproved => "已通过", "Approved";
    PackageRejected => "已驳回", "Rejected";
    PackageGenerating => "生成中", "Generating";
    PackageGenerated => "已生成", "Generated";
    PackageFailed => "生成失败", "Generation failed";
    PackageSent => "已发送", "Sent";
    PkgReview => "审核", "Review";
    PkgApprove => "通过", "Approve";
    PkgReject => "驳回", "Reject";
    PkgRejectReason => "驳回原因", "Reason for rejection";
    PkgConfirmApprove => "通过后将立即开始生成码包文件，确定通过吗？", "Approving starts generating the package files at once. Approve?";
    PkgApprovedNotice => "已通过，码包开始生成", "Approved; the package is being generated";
    PkgRejectedNotice => "已驳回", "Rejected";
    PkgWithdraw => "撤回", "Withdraw";
    PkgConfirmWithdrawTitle => "确认撤回", "Confirm withdrawal";
    PkgConfirmWithdraw => "撤回后该申请将被删除，确定撤回吗？", "The application will be deleted. Withdraw it?";
    PkgWithdrawn => "申请已撤回", "Application withdrawn";
    PkgRetry => "重试", "Retry";
    PkgRetried => "已重新开始生成", "Generation restarted";
    PkgDetail => "码包详情", "Package details";
    PkgBackToList => "返回发码管理", "Back to code packages";
    PkgHistory => "状态记录", "History";
    PkgEvent => "事件", "Event";
    PkgEventApplied => "提交申请", "Applied";
    PkgEventApproved => "审核通过", "Approved";
    PkgEventRejected => "驳回", "Rejected";
    PkgEventGenerated => "生成完成", "Generated";
    PkgEventSent => "发送给接收人", "Sent to receivers";
    PkgPerson => "人员", "Person";
    PkgGenerationError => "失败原因", "Why it failed";
    PkgProgress => "生成进度", "Generation progress";
    PkgBatches => "批次", "Batches";
    PkgBatchNo => "批次号", "Batch";
    PkgSerialRange => "序列号段", "Serial range";
    PkgFileName => "文件名", "File name";
    PkgFileSize => "大小", "Size";
    PkgDownloads => "已下载次数", "Downloads used";
    // ==== Codes: generation, package files ====
    // ==== Codes: delivery, receivers, downloads ====
    DlSection => "发送与下载", "Delivery and downloads";
    DlReceiveTitle => "码包接收", "Receive packages";
    DlReceiveHint => "以下是发送给您的码包（您是其码规格的文件接收人）。点击「提取」并输入邮件或短信中的提取码即可下载；每个文件最多下载 3 次。", "Packages sent to you as a file receiver of their spec. Click “Extract” and type the code from the email or text message to download; each file downloads at most 3 times.";
    DlPackageId => "码包 ID", "Package ID";
    DlPackageName => "码包名称", "Package";
    DlCodeCount => "码数量", "Codes";
    DlFileCount => "文件数", "Files";
    DlSentAt => "发送时间", "Sent at";
    DlSentBy => "发送人", "Sent by";
    DlValidUntil => "提取有效期至", "Link valid until";
    DlExpired => "已过期", "Expired";
    DlDownloadsLeft => "各批次剩余下载次数", "Downloads left per batch";
    DlExtract => "提取", "Extract";
    DlExtractTitle => "提取码包", "Extract a package";
    DlCode => "提取码", "Extraction code";
    DlCodeHint => "请输入邮件或短信中的 6 位提取码", "Type the 6-character code from the email or text message";
    DlLinkNotFound => "提取链接不存在，或已被重新发送的新链接取代。请使用最新消息中的链接，或从「码包接收」页面进入。", "This extraction link does not exist, or a newer send replaced it. Use the link of the latest message, or open the package from “Receive packages”.";
    DlBackToList => "返回码包接收", "Back to received packages";
    DlBatch => "批次", "Batch";
    DlFileName => "文件名", "File";
    DlSerialRange => "序列号范围", "Serial range";
    DlFileSize => "大小", "Size";
    DlDownloadsUsed => "已下载次数", "Downloads used";
    DlDownload => "下载", "Download";
    DlDownloadAll => "全部下载", "Download all";
    DlDownloadAllHint => "打包下载所有仍可下载的批次（ZIP 内为各批次的加密 ZIP），每个批次计一次下载。", "One ZIP holding every batch that still has downloads left (the encrypted batch ZIPs inside); counts one download per batch.";
    DlUsedUp => "次数已用完", "Used up";
    DlGrantUntil => "本次下载授权有效期至", "This download session lasts until";
    DlRefresh => "刷新", "Refresh";
    DlFileReceivers => "文件接收人", "File receivers";
    DlPasswordReceivers => "密码接收人", "Password receivers";
    DlNotSent => "尚未发送", "Not sent yet";
    DlSendWhenGenerated => "码包生成完成后即可发送给接收人。", "The package can be sent to its receivers once generated.";
    DlSend => "发送给接收人", "Send to receivers";
    DlResend => "重新发送", "Send again";
    DlConfirmSendTitle => "确认发送", "Confirm sending";
    DlConfirmSend => "将向文件接收人发送提取链接和提取码（7 天内有效），并另行向密码接收人发送各批次的解压密码。确定发送吗？", "The file receivers get the extraction link and code (valid 7 days), and the password receivers, separately, each batch's unzip password. Send now?";
    DlConfirmResend => "重新发送将生成新的提取链接和提取码，原链接、提取码和已打开的下载授权立即失效；已用的下载次数不变。确定重新发送吗？", "Sending again creates a new extraction link and code; the previous link, code and open download sessions stop working at once. Downloads already used stay used. Send again?";
    DlSentNotice => "已发送", "Sent";
    DlHistory => "提取与下载记录", "Extraction and download history";
    DlEvent => "事件", "Event";
    DlEventSend => "发送", "Sent";
    DlEventExtract => "提取成功", "Extracted";
    DlEventWrongCode => "提取码错误", "Wrong code";
    DlEventDownload => "下载", "Downloaded";
    DlIp => "IP 地址", "IP address";
    DlAllBatches => "全部批次", "All batches";
    // ==== Codes: info entry, activation ====
    ActTitle => "码信息录入", "Code info entry";
    ActPackage => "码包", "Package";
    ActSearchPackage => "搜索码包名称或 ID", "Search by package name or ID";
    ActChoosePackage => "请选择码包（仅列出已审核通过、码已生成的码包）。", "Choose a package (only approved packages whose codes exist are listed).";
    ActByBatch => "按批次", "By batch";
    ActByRange => "按号段", "By range";
    ActBatch => "批次", "Batch";
    ActRange => "号段", "Serial range";
    ActCodes => "码数", "Codes";
    ActInfoState => "信息状态", "Info";
    ActStateNone => "未录入", "Not entered";
    ActStateEntered => "已录入未激活", "Entered, not active";
    ActStatePartly => "部分录入或激活", "Partly entered or active";
    ActStateScheduled => "定时激活", "Scheduled";
    ActStateActive => "已激活", "Active";
    ActEnteredActive => "已录入 / 已激活", "Entered / active";
    ActScheduledAt => "定时激活时间", "Scheduled for";
    ActEnterInfo => "录入信息", "Enter info";
    ActEditInfo => "修改信息", "Edit info";
    ActActivate => "激活", "Activate";
    ActRevoke => "撤销激活", "Revoke";
    ActSplit => "拆分", "Split";
    ActManageByRange => "按号段管理", "Manage by range";
    ActNotActivated => "未激活号段", "Not activated";
    ActActivated => "已激活号段", "Activated";
    ActAddRange => "新增号段", "Add a range";
    ActSerialStart => "起始序列号", "First serial";
    ActSerialEnd => "结束序列号", "Last serial";
    ActSerialHint => "可输入数字（如 17）或打印序列号（如 123-00000017）；号段须在同一批次内。", "Type a number (17) or a printable serial (123-00000017); a range lies inside one batch.";
    ActProducedAt => "生产时间", "Produced at";
    ActProductionFactory => "生产工厂", "Production factory";
    ActEnteredBy => "录入人", "Entered by";
    ActEnteredAt => "录入时间", "Entered at";
    ActActivatedAt => "激活时间", "Activated at";
    ActActivatedBy => "激活人", "Activated by";
    ActActivateTitle => "激活号段", "Activate a range";
    ActNow => "立即激活", "Activate now";
    ActAtTime => "定时激活", "At a set time";
    ActAt => "激活时间", "Activation time";
    ActAtHint => "北京时间，须晚于现在。到时自动激活；若期间被撤销、修改或报废则不会激活。", "China time, in the future. It activates then by itself, unless revoked, changed or scrapped meanwhile.";
    ActActivatedNotice => "已激活", "Activated";
    ActScheduledNotice => "已设置定时激活", "Activation scheduled";
    ActRevokeTitle => "确认撤销", "Confirm revocation";
    ActRevokeText => "撤销后号段内的码不再处于激活（或定时激活）状态，确定撤销吗？", "The range's codes will no longer be active (or scheduled). Revoke?";
    ActRevokedNotice => "已撤销", "Revoked";
    ActSplitTitle => "拆分号段", "Split a range";
    ActSplitPoints => "拆分点", "Split serials";
    ActSplitHint => "输入新号段的起始序列号，多个用逗号或空格分隔；号段在每个拆分点之前断开。", "The first serials of the new ranges, separated by commas or spaces; the range is cut before each.";
    ActSplitPreview => "拆分结果", "Result";
    ActSplitNotice => "已拆分", "Split";
    ActFields => "录入字段", "Info fields";
    ActFieldsHint => "企业自定义的录入字段，在录入信息时填写。已有号段填写过的字段不能删除。", "Your own fields, filled in with the info. A field that a range has a value for cannot be deleted.";
    ActFieldName => "字段名称", "Field name";
    ActRequired => "必填", "Required";
    ActSort => "排序", "Order";
    ActAddField => "添加字段", "Add a field";
    ActPrefillHint => "已按码包预录的产品和灌装厂预填。", "Prefilled with the package's pre-entered product and filling factory.";
    ActBrandHint => "留空则取产品所属品牌。", "Leave empty for the product's brand.";
    ActDateInvalid => "请输入有效的日期和时间", "Enter a valid date and time";
    ActExtra => "其他信息", "Other info";
    // ==== Codes: query, scrapping ====
    QryTitle => "二维码查询", "Code query";
    QryInput => "码 / 扫码链接 / 序列号", "Code, scan link or serial";
    QryInputHint => "粘贴码字符串或完整扫码链接，或输入打印序列号（如 123-00000001）。", "Paste a code string or a full scan link, or type a printable serial (e.g. 123-00000001).";
    QryByPackage => "按码包和序列号", "By package and serial";
    QrySerial => "序列号", "Serial";
    QryQuery => "查询", "Query";
    QryInvalidTitle => "无效码", "Not a valid code";
    QryInvalidText => "没有找到这个码：它可能输入有误、是伪造的码，或不属于本企业。", "No such code: it may be mistyped, forged, or not one of this enterprise's codes.";
    QryValid => "有效码", "Valid code";
    QryCodeInfo => "码信息", "Code";
    QryCodeString => "码字符串", "Code string";
    QryScanUrl => "扫码链接", "Scan link";
    QryPin => "防伪码", "PIN";
    QrySpec => "码规格", "Spec";
    QryActivation => "激活与录入信息", "Activation and info";
    QryNoInfo => "该码尚未录入信息，未激活。", "No info entered for this code; not active.";
    QryScrap => "报废", "Scrapping";
    QryNotScrapped => "未报废", "Not scrapped";
    QryScrapped => "已报废", "Scrapped";
    QryProof => "印刷样张", "Print proof";
    QryEc => "纠错等级", "Error correction";
    QryDownloadPng => "下载 PNG", "Download PNG";
    QryDownloadSvg => "下载 SVG", "Download SVG";
    ScrTitle => "码报废", "Code scrapping";
    ScrNew => "报废码", "Scrap codes";
    ScrMethod => "报废方式", "Method";
    ScrReason => "报废原因", "Reason";
    ScrWarn => "报废后这些码永久失效，扫码将提示已报废，且不能恢复。", "Scrapped codes stop working for good (a scan says so); this cannot be undone.";
    ScrConfirm => "确认报废", "Scrap";
    ScrDone => "已报废", "Scrapped";
    ScrTime => "报废时间", "Scrapped at";
    ScrOperator => "操作人", "By";
    // ==== Settings: warnings, download centre ====
    WarningsHint => "系统每 5 分钟按各码规格的预警参数检查一次；同一事项只预警一次，并同时发消息给该规格的申请人和审核人。", "Every 5 minutes Tessera checks each code spec's warning parameters; a matter is warned about once, and the spec's applicants and reviewers get a message too.";
    WarningKindCol => "预警类型", "Kind";
    WarningCol => "预警内容", "Warning";
    HandledState => "处理状态", "State";
    Unhandled => "未处理", "Not handled";
    Handled => "已处理", "Handled";
    MarkHandled => "标记已处理", "Mark handled";
    MarkedHandled => "已标记为已处理", "Marked handled";
    GoHandle => "去处理", "Open";
    DownloadsHint => "导出文件由后台任务生成，完成后可在此下载，保留 7 天，仅导出人本人可见。", "Exports are prepared in the background; download them here for 7 days. Only the person who exported sees them.";
    ExportFile => "文件", "File";
    ExportKindCol => "类型", "Type";
    ExportRows => "行数", "Rows";
    FileSize => "大小", "Size";
    ExpiresAt => "有效期至", "Expires";
    Download => "下载", "Download";
    ExportQueued => "排队中", "Queued";
    ExportRunning => "生成中", "Preparing";
    ExportReady => "可下载", "Ready";
    ExportExpired => "已过期", "Expired";
    Refresh => "刷新", "Refresh";
    // ==== Marketing: navigation ====
    MarketingCentre => "营销中心", "Campaigns";
    DataAnalysis => "数据分析", "Data analysis";
    CampaignDataNav => "活动数据", "Campaign data";
    ProductDataNav => "商品数据", "Product data";
    BrandCodeDataNav => "品牌码数据", "Brand-code data";
    ConsumerInsightNav => "消费者洞察", "Consumer insight";
    MemberList => "会员列表", "Members";
    RiskControl => "营销风控", "Risk control";
    // ==== Marketing: campaign wizard and list ====
    WzListTitle => "扫码营销", "Scan-to-win campaigns";
    WzId => "活动 ID", "Campaign ID";
    WzKind => "活动类型", "Game";
    WzPeriod => "活动时间", "Period";
    WzPriority => "优先级", "Priority";
    WzScans => "扫码数", "Scans";
    WzDraws => "抽奖数", "Draws";
    WzWins => "中奖数", "Wins";
    WzView => "查看", "View";
    WzData => "数据", "Data";
    WzCopy => "复制", "Copy";
    WzCopied => "已复制为新的草稿", "Copied into a new draft";
    WzSearchName => "活动名称", "Campaign name";
    WzConfirmEndTitle => "确认结束活动", "End the campaign";
    WzConfirmEnd => "结束后不能再恢复，消费者将无法参与。确定结束", "An ended campaign cannot be resumed and takes no more scans. End";
    WzLaunchIncomplete => "活动信息不完整，不能发布：", "The campaign is incomplete and cannot launch:";
    WzLaunched => "活动已发布", "Campaign launched";
    WzNewTitle => "新建活动", "New campaign";
    WzEditTitle => "编辑活动", "Edit campaign";
    WzBackToList => "返回活动列表", "Back to campaigns";
    WzEndedReadOnly => "活动已结束，只能查看；可在列表中复制后重新发布。", "This campaign has ended and is read-only; copy it from the list to run it again.";
    WzLiveHint => "活动已发布：保存时检查全部五步；可以增加库存、奖品、方案和码规格，已发放的奖品不能删除，库存不能低于已发放数量。", "This campaign is launched: a save checks all five steps. Stock, prizes, plans and code specs can be added; awarded prizes cannot be removed and stock cannot go below what was awarded.";
    WzErrorsElsewhere => "以下步骤还有问题：", "Other steps need attention:";
    WzStep => "第", "Step";
    WzStepBasic => "基础信息", "Basics";
    WzStepSettings => "活动设置", "Settings";
    WzStepPrizes => "奖品设置", "Prizes";
    WzStepDelivery => "投放规则", "Delivery rules";
    WzStepPage => "页面设置", "Page";
    WzBack => "上一步", "Back";
    WzNext => "下一步", "Next";
    WzSaveDraft => "保存草稿", "Save draft";
    WzSaveChanges => "保存修改", "Save changes";
    WzLaunch => "发布活动", "Launch";
    WzStartsAt => "开始时间", "Starts";
    WzEndsAt => "结束时间", "Ends";
    WzChinaTime => "北京时间", "China time";
    WzCycle => "活动周期", "Cycle";
    WzCycleUnlimited => "不限", "Any time";
    WzCycleDaily => "每天固定时段", "Daily window";
    WzCycleWeekly => "每周固定日期和时段", "Weekly days and window";
    WzMon => "周一", "Mon";
    WzTue => "周二", "Tue";
    WzWed => "周三", "Wed";
    WzThu => "周四", "Thu";
    WzFri => "周五", "Fri";
    WzSat => "周六", "Sat";
    WzSun => "周日", "Sun";
    WzFrom => "从", "From";
    WzTo => "至", "To";
    WzDescription => "活动说明", "Description";
    WzMatching => "参与条件", "Who takes part";
    WzSpecs => "码规格", "Code specs";
    WzProducts => "产品", "Products";
    WzProductsHint => "不选：全部产品", "None chosen: every product";
    WzProvinces => "地区", "Regions";
    WzProvincesHint => "不选：全国（未知地区的扫码只参与不限地区的活动）", "None chosen: everywhere (scans of unknown region join only campaigns without regions)";
    WzScanLimits => "扫码限制", "Scan limits";
    WzScansPerCode => "单码可参与扫码次数", "Scans per code";
    WzScansPerCodePerPerson => "单码每人可参与扫码次数", "Scans per code per person";
    WzCodeDraws => "单码抽奖限制", "Per-code draw limits";
    WzCodeWins => "单码中奖限制", "Per-code win limits";
    WzUserDraws => "用户参与限制", "Per-consumer participation limits";
    WzUserWins => "用户中奖限制", "Per-consumer win limits";
    WzPerDay => "每天最多", "Per day";
    WzPerCampaign => "活动期间最多", "Per campaign";
    WzMinutesAfterFirstScan => "首次扫码后间隔（分钟）", "Minutes after the first scan";
    WzMinutesAfterActivation => "激活后间隔（分钟）", "Minutes after activation";
    WzRescans => "重复扫码可抽奖次数", "Re-scans that may draw";
    WzSecondsBetweenDraws => "两次抽奖间隔（秒）", "Seconds between draws";
    WzEveryDrawWins => "100% 中奖（每次抽奖都中奖）", "Every draw wins (100 %)";
    WzUnlimited => "不限", "Unlimited";
    WzNone => "无", "None";
    WzPrizesHint => "奖品数量上限：", "Most prizes:";
    WzAddPrize => "添加奖品", "Add a prize";
    WzPrizeKind => "奖品类型", "Prize type";
    WzImage => "奖品图片", "Picture";
    WzBanner => "头图", "Banner";
    WzPoints => "积分数", "Points";
    WzValue => "单价（元）", "Unit value (yuan)";
    WzCashAmount => "金额（元）", "Amount (yuan)";
    WzQuantity => "数量", "Quantity";
    WzWarningValue => "预警值", "Warning value";
    WzDailyCap => "每日发放上限", "Daily cap";
    WzPerPersonCap => "每人中奖上限", "Per-person cap";
    WzPerPersonDailyCap => "每人每日中奖上限", "Per-person daily cap";
    WzOverLimit => "超限奖品", "Over-limit prize";
    WzClaimExpiry => "领奖期限", "Claim expiry";
    WzClaimNever => "不限", "None";
    WzClaimHours => "中奖后 N 小时", "N hours after winning";
    WzClaimDays => "中奖后 N 天", "N days after winning";
    WzClaimAt => "固定时间", "Fixed time";
    WzCoupon => "优惠券设置", "Coupon";
    WzCouponSource => "券码来源", "Code source";
    WzCouponGenerate => "系统生成", "Generated";
    WzCouponImport => "导入券码", "Imported";
    WzCouponValidity => "有效期", "Validity";
    WzCouponDays => "领取后 N 天有效", "Valid N days";
    WzCouponRange => "固定日期范围", "Fixed dates";
    WzAwarded => "已发放", "Awarded";
    WzRemaining => "剩余", "Remaining";
    WzRemove => "删除", "Remove";
    WzCodesImported => "已导入券码", "Imported codes";
    WzCodesFree => "可用", "free";
    WzCodesPlaceholder => "每行一个券码，或选择文本文件", "One code per line, or choose a text file";
    WzImportCodes => "导入券码", "Import codes";
    WzSaveBeforeImport => "保存本步后即可导入券码", "Save this step to import codes";
    WzReportImported => "已导入", "Imported";
    WzReportBlank => "空行", "Blank lines";
    WzReportDuplicates => "重复（行号）", "Duplicates (lines)";
    WzReportTooLong => "过长（行号）", "Too long (lines)";
    WzPrecisionPlans => "精准投放方案", "Precision plans";
    WzPrecisionHint => "自上而下依次匹配，第一个满足全部条件的方案生效；都不满足时使用默认方案。", "Checked top to bottom: the first plan whose conditions all hold applies; otherwise the default plan.";
    WzAddPlan => "添加方案", "Add a plan";
    WzDefaultPlan => "默认方案", "Default plan";
    WzPlan => "方案", "Plan";
    WzMoveUp => "上移", "Move up";
    WzMoveDown => "下移", "Move down";
    WzRiskLevels => "营销风险等级", "Risk levels";
    WzRiskNormal => "正常", "Normal";
    WzRiskWatch => "关注", "Watch";
    WzRiskHigh => "高风险", "High";
    WzAudience => "新老用户", "New or returning";
    WzAny => "不限", "Any";
    WzNewConsumer => "新用户", "New consumers";
    WzReturningConsumer => "老用户", "Returning consumers";
    WzWindow => "时段", "Time window";
    WzDrawCount => "本活动抽奖次数", "Draws in this campaign";
    WzParticipationCount => "累计参与次数", "Participations overall";
    WzPrizesWon => "本活动已中奖次数", "Prizes won in this campaign";
    WzMin => "最少", "Min";
    WzMax => "最多", "Max";
    CrPlanCrowds => "人群（属于任一所选人群）", "Crowds (member of any chosen)";
    WzGroup => "奖品组", "Prize group";
    WzGroupTotal => "合计", "Total";
    WzNoPrize => "不中奖", "No prize";
    WzAddGroup => "添加奖品组", "Add a prize group";
    WzRemoveGroup => "删除奖品组", "Remove the group";
    WzAddEntry => "添加奖品", "Add a prize";
    WzPrize => "奖品", "Prize";
    WzProbability => "中奖概率（%）", "Probability (%)";
    WzPrizeOwn => "按奖品设置", "As the prize sets";
    WzForecast => "发放预估", "Forecast";
    WzDrawsPerDay => "预计每天抽奖次数", "Expected draws per day";
    WzCostPer1000 => "每千次抽奖预计成本", "Expected cost per 1,000 draws";
    WzWinRate => "中奖率", "Win rate";
    WzPer1000 => "每千次预计发放", "Per 1,000 draws";
    WzExhaustion => "预计发完", "Runs out";
    WzDays => "天", "days";
    WzPageTitle => "页面标题", "Page title";
    WzPrimaryColor => "主色", "Primary colour";
    WzBackgroundColor => "背景色", "Background colour";
    WzRules => "活动规则", "Rules";
    WzRulesHint => "留空则显示第一步的活动说明", "Empty: the description from step 1 shows";
    WzPreview => "页面预览", "Page preview";
    WzPreviewStart => "开始抽奖", "Start";
    WzPreviewScratch => "刮开涂层 赢取好礼", "Scratch here to win";
    WzOverlaps => "活动重叠", "Overlapping campaigns";
    WzNoOverlaps => "没有与本活动重叠的已发布活动", "No launched campaign overlaps this one";
    WzThisWins => "本活动优先", "this campaign wins";
    WzOtherWins => "该活动优先", "that campaign wins";
    WzSavePriority => "保存优先级", "Save priority";
    // ==== Marketing: campaign data ====
    CdCampaign => "活动", "Campaign";
    CdAllCampaigns => "全部活动", "All campaigns";
    CdFrom => "开始日期", "From";
    CdTo => "结束日期", "To";
    CdRange => "统计范围", "Range";
    CdScans => "扫码次数", "Scans";
    CdConsumers => "扫码人数", "Consumers";
    CdDraws => "抽奖次数", "Draws";
    CdWins => "中奖次数", "Wins";
    CdClaims => "领奖次数", "Claims";
    CdRedemptions => "核销 / 发货", "Redeemed / shipped";
    CdWinRate => "中奖率", "Win rate";
    CdCost => "奖品成本", "Prize cost";
    CdNewConsumers => "新消费者", "New consumers";
    CdReturning => "老消费者", "Returning consumers";
    CdNewVsReturning => "新老消费者", "New vs returning";
    CdByDay => "按日趋势", "By day";
    CdByHour => "按时段（24 小时）", "By hour of day";
    CdByProvince => "按省份", "By province";
    CdByProduct => "按商品", "By product";
    CdByPrize => "奖品与库存", "Prizes and stock";
    CdDay => "日期", "Day";
    CdHour => "时段", "Hour";
    CdProvince => "省份", "Province";
    CdUnknown => "未知", "Unknown";
    CdProduct => "商品", "Product";
    CdNoProduct => "未录入商品", "No product";
    CdPrize => "奖品", "Prize";
    CdStock => "库存", "Stock";
    CdAwarded => "已发放", "Awarded";
    CdRemaining => "剩余", "Remaining";
    CdWarningValue => "预警值", "Warning value";
    CdStockState => "库存状态", "Stock state";
    CdStateNormal => "正常", "Normal";
    CdStateWarning => "预警", "Warning";
    CdStateExhausted => "已抽完", "Exhausted";
    CdStateUnlimited => "不限", "Unlimited";
    CdExportCsv => "导出 CSV", "Export CSV";
    CdFirstScan => "首次扫码", "First scan";
    CdLastScan => "最近扫码", "Last scan";
    CdPackage => "码包", "Package";
    CdCodes => "码数量", "Codes";
    CdActivated => "已激活", "Activated";
    CdScanned => "已扫码", "Scanned";
    CdNeverScanned => "激活未扫码", "Activated, never scanned";
    CdScanRate => "扫码率", "Scan rate";
    CdCodesHint => "扫码率 = 已激活且被扫过的码 ÷ 已激活码数。", "Scan rate = activated codes scanned at least once ÷ activated codes.";
    CdScanRecords => "扫码活动记录", "Scans and draws";
    CdScanCount => "扫码次数", "Times scanned";
    CdNotScanned => "该码尚未被扫码。", "This code has not been scanned yet.";
    CdScanList => "扫码记录", "Scans";
    CdDrawList => "抽奖记录", "Draws";
    CdConsumer => "消费者", "Consumer";
    CdRegion => "地区", "Region";
    CdVerdict => "验证结果", "Verdict";
    CdVerdictGenuine => "正品", "Genuine";
    CdVerdictNotActivated => "未激活", "Not activated";
    CdVerdictScrapped => "已报废", "Scrapped";
    CdTime => "时间", "Time";
    CdProgress => "进度", "Progress";
    CdNoPrize => "未中奖", "No prize";
    CdDrawn => "已抽奖", "Drawn";
    CdWon => "中奖", "Won";
    CdClaimed => "已领取", "Claimed";
    CdUnclaimed => "待领取", "Not claimed";
    CdExpired => "已过期", "Expired";
    CdRedeemed => "已核销", "Redeemed";
    CdShipped => "已发货", "Shipped";
    // ==== Marketing: members, risk control ====
    MbTitle => "会员列表", "Members";
    MbSearchHint => "会员ID / 手机号 / 姓名", "Member id / mobile / name";
    MbId => "会员ID", "Member id";
    MbName => "姓名", "Name";
    MbGender => "性别", "Gender";
    MbProvince => "省份", "Province";
    MbCity => "城市", "City";
    MbRegion => "省/市", "Province / city";
    MbSource => "来源", "Source";
    MbRisk => "风险等级", "Risk level";
    MbBonusHunter => "羊毛党", "Bonus hunter";
    MbHasMobile => "已绑定手机", "Mobile bound";
    MbLastScanFrom => "最近扫码从", "Last scan from";
    MbPoints => "积分", "Points";
    MbScans => "扫码次数", "Scans";
    MbDraws => "抽奖次数", "Draws";
    MbWins => "中奖次数", "Wins";
    MbFirstSeen => "首次访问", "First seen";
    MbLastScan => "最近扫码", "Last scan";
    MbImport => "导入会员", "Import members";
    MbImportHint => "上传 UTF-8 编码的 CSV 文件，首行为下列表头；按手机号新增或更新会员（来源记为“导入”），空单元格保留原值；兴趣用分号分隔；一次最多 100,000 行。", "Upload a UTF-8 CSV with the header below; members are created or updated by mobile (source “import”), an empty cell keeps the stored value; separate interests with semicolons; at most 100,000 rows.";
    MbCreated => "新增", "Created";
    MbUpdated => "更新", "Updated";
    MbExportQueued => "已加入导出队列，请到“下载中心”下载", "Export queued: download it from the download centre";
    MbBack => "← 返回会员列表", "← Back to members";
    MbDetailTitle => "会员详情", "Member";
    MbProfile => "基本资料", "Profile";
    MbBirthYear => "出生年份", "Birth year";
    MbMarital => "婚姻状况", "Marital status";
    MbEducation => "学历", "Education";
    MbInterests => "兴趣标签", "Interests";
    MbTags => "标签", "Tags";
    MbAcquiredBy => "拉新推广码", "Acquired by promotion code";
    MbDevices => "设备数", "Devices";
    MbMergedFrom => "已合并的记录", "Merged records";
    MbLedger => "积分明细", "Points ledger";
    MbTime => "时间", "Time";
    MbLedgerKind => "类型", "Type";
    MbDelta => "积分变动", "Change";
    MbDeltaHint => "正数增加，负数扣减", "Positive adds, negative deducts";
    MbBalance => "余额", "Balance";
    MbNote => "备注", "Note";
    MbScanList => "扫码记录", "Scans";
    MbDrawList => "抽奖记录", "Draws";
    MbWinList => "中奖记录", "Prizes won";
    MbCode => "码（码包 · 序列号）", "Code (package · serial)";
    MbProduct => "产品", "Product";
    MbCampaign => "活动", "Campaign";
    MbPrize => "奖品", "Prize";
    MbNoPrize => "未中奖", "No prize";
    MbClaimedAt => "领取时间", "Claimed";
    MbCoupon => "券码", "Coupon code";
    MbAddress => "收货地址", "Address";
    MbAdjust => "调整积分", "Adjust points";
    MbAdjustReason => "调整原因", "Reason";
    MbAdjusted => "积分已调整，当前余额", "Points adjusted; balance";
    MbRiskEdit => "风险设置", "Risk";
    MbRiskSaved => "风险设置已保存", "Risk settings saved";
    MbProfileTitle => "完善资料", "My profile";
    MbProfileSaved => "资料已保存", "Profile saved";
    MbBindTitle => "绑定手机号", "Bind your mobile";
    MbBoundTo => "已绑定", "Bound to";
    MbMergedNotice => "该手机号已有会员记录，已将本设备的扫码、抽奖和积分合并过去", "This mobile already had a member record: this device's scans, draws and points were merged into it";
    MbSendCode => "获取验证码", "Send code";
    MbResend => "重新获取", "Resend";
    MbCodeSent => "验证码已发送，10 分钟内有效", "Code sent; valid for 10 minutes";
    MbBind => "绑定", "Bind";
    RkBlacklist => "黑名单", "Blacklist";
    RkAdd => "加入黑名单", "Add to blacklist";
    RkAdded => "已加入黑名单", "Added to the blacklist";
    RkKind => "类型", "Type";
    RkValue => "值", "Value";
    RkAddedBy => "操作人", "By";
    RkRemove => "移出黑名单", "Remove from blacklist";
    RkRemoveConfirm => "确定移出黑名单：", "Remove from the blacklist:";
    RkRemoved => "已移出黑名单", "Removed from the blacklist";
    RkSearchHint => "值或原因", "Value or reason";
    RkEvents => "风险事件", "Risk events";
    RkEventsHint => "设备 ID 或 IP", "Device id or IP";
    RkRule => "规则", "Rule";
    RkResult => "处理", "Outcome";
    RkBlocked => "已拦截", "Blocked";
    RkNoticed => "仅记录", "Recorded";
    RkConsumer => "会员ID", "Member id";
    RkDevice => "设备", "Device";
    RkIp => "IP", "IP";
    RkDetail => "说明", "Detail";
    // ==== Consumer pages: play, prizes, points, profile ====
    CsLoadingCampaign => "正在加载活动…", "Loading the campaign…";
    CsFirstScan => "首次扫码时间", "First scanned";
    CsFirstPlace => "首次扫码地点", "First scanned in";
    CsScanCount => "已被扫码次数", "Times scanned";
    CsUnknownPlace => "未知", "Unknown";
    CsScannedBefore => "此码此前已被扫过，请核对商品是否为正品", "This code was scanned before — check the product";
    CsFirstByYou => "您是第一个扫此码的人", "You are the first to scan this code";
    CsRules => "活动规则", "Rules";
    CsEndsAt => "活动截止", "Ends";
    CsDraw => "抽奖", "Draw";
    CsDrawing => "抽奖中…", "Drawing…";
    CsStartScratch => "开始刮奖", "Get my card";
    CsScratchHere => "刮开涂层查看结果", "Scratch here";
    CsReveal => "刮开", "Reveal";
    CsThanks => "谢谢参与", "Thanks for playing";
    CsNoWin => "很遗憾，这次没有中奖，谢谢参与", "No prize this time — thanks for playing";
    CsYouWon => "恭喜您中奖了！", "Congratulations, you won!";
    CsKindPoints => "积分", "Points";
    CsKindCoupon => "优惠券", "Coupon";
    CsKindGoods => "实物奖品", "Goods";
    CsKindCash => "现金红包", "Cash";
    CsKindThanks => "谢谢参与", "Thanks";
    CsStatusUnclaimed => "待领取", "To claim";
    CsStatusClaimed => "已领取", "Claimed";
    CsStatusExpired => "已过期", "Expired";
    CsClaimBefore => "请于", "Claim before";
    CsClaimBeforeEnd => "前领取", "";
    CsClaim => "领取", "Claim";
    CsClaimGoods => "填写收货地址领取", "Enter an address to claim";
    CsClaiming => "领取中…", "Claiming…";
    CsPointsCredited => "积分已到账", "Points credited";
    CsCouponCode => "券码", "Coupon code";
    CsCouponValidTo => "有效期至", "Valid until";
    CsCashRecorded => "已登记，将由品牌方发放", "Recorded; the brand will pay it out";
    CsShipTo => "收货地址", "Ship to";
    CsAddrName => "收货人", "Recipient";
    CsAddrMobile => "手机号", "Mobile";
    CsAddrProvince => "省份", "Province";
    CsAddrCity => "城市", "City";
    CsAddrDetail => "详细地址", "Street address";
    CsAddrSubmit => "提交并领取", "Submit and claim";
    CsMyPrizes => "我的奖品", "My prizes";
    CsMyPoints => "我的积分", "My points";
    CsProfile => "完善资料", "My profile";
    CsNoPrizes => "还没有奖品，扫码抽奖试试吧", "No prizes yet — scan a code to play";
    CsBadLink => "链接无效，请扫描商品上的二维码进入", "Invalid link: open this page by scanning a product's code";
    CsBalance => "积分余额", "Points balance";
    CsLedger => "积分明细", "Points history";
    CsNoLedger => "还没有积分记录", "No points yet";
    CsReasonPrize => "中奖获得", "Prize";
    CsReasonRedeem => "积分兑换", "Redeemed";
    CsReasonAdjust => "积分调整", "Adjustment";
    CsReasonMerge => "账户合并", "Accounts merged";
    CsWonAt => "中奖时间", "Won";
    // ==== 推广码: promotion codes and their analysis ====
    PcTitle => "推广码", "Promotion codes";
    PcNew => "新建推广码", "New promotion code";
    PcEditTitle => "编辑推广码", "Edit promotion code";
    PcAnalysis => "推广效果分析", "Promotion analysis";
    PcSettings => "推广码设置", "Promotion settings";
    PcSearchHint => "名称或短链标识", "Name or link token";
    PcShowDeleted => "显示已删除", "Show deleted";
    PcTarget => "目标页面", "Target page";
    PcExternalUrl => "外部页面网址", "External page URL";
    PcExternalHint => "须以 https:// 开头，域名须在「推广码设置」的允许列表中", "Must start with https:// and be on a domain allowed under Promotion settings";
    PcParams => "参数", "Parameters";
    PcCreated => "创建", "Created";
    PcExpiry => "有效期至", "Expires";
    PcNoExpiry => "长期有效", "No expiry";
    PcExpiryHint => "留空为长期有效；按北京时间（UTC+8）填写。过期后短链接显示“已结束”，访问仍会记录", "Leave empty for no expiry; China Standard Time (UTC+8). After it, the link shows \"ended\" (visits are still recorded)";
    PcScans => "扫码次数（近7天 / 累计）", "Scans (7 days / total)";
    PcAcquired => "拉新消费者（近7天 / 累计）", "Acquired consumers (7 days / total)";
    PcActive => "有效", "Active";
    PcExpired => "已过期", "Expired";
    PcDetail => "详情", "Details";
    PcDeleteConfirm => "删除后，该推广码不再出现在列表中，也不能再下载。已印刷的码仍可访问，其访问仍会被记录和计数；已收集的数据不会删除。确定删除推广码：", "Once deleted, the code leaves the list and can no longer be downloaded. Printed codes keep working and their visits are still recorded and counted; the data collected is kept. Delete the promotion code:";
    PcDeletedOk => "推广码已删除", "Promotion code deleted";
    PcSaved => "推广码已保存", "Promotion code saved";
    PcBytes => "参数串", "Parameter string";
    PcBytesUnit => "字节", "bytes";
    PcBytesHint => "参数串按 UTF-8 字节计算，汉字每个 3 字节", "Counted in UTF-8 bytes: a Chinese character is 3 bytes";
    PcPreview => "参数预览", "Preview";
    PcFixedHint => "目标页面和参数在创建后不可修改（推广码可能已经印刷）；如需不同参数，请新建推广码", "The target page and parameters are fixed once created (the code may be printed); create a new code for other parameters";
    PcAutoTag => "自动标签", "Auto tag";
    PcAutoTagHint => "该推广码拉新的消费者自动打上此标签（可不填）", "Put on each consumer this code acquires (optional)";
    PcUnset => "(未设置)", "(not set)";
    PcShortLink => "短链接", "Short link";
    PcCopy => "复制", "Copy";
    PcCopied => "已复制短链接", "Short link copied";
    PcCopyFailed => "无法自动复制，请选中链接手动复制", "Could not copy: select the link and copy it";
    PcQrCode => "二维码", "QR code";
    PcQrSize => "印刷尺寸", "Printed size";
    PcWithLogo => "含品牌 Logo", "With brand logo";
    PcDownloadPng => "下载 PNG", "Download PNG";
    PcDownloadSvg => "下载 SVG", "Download SVG";
    PcDeletedNoDownload => "该推广码已删除，不能再下载；已印刷的码仍可访问并计数", "This code was deleted and can no longer be downloaded; printed codes keep working and are still counted";
    PcDomains => "允许的外部域名", "Allowed external domains";
    PcDomainsHint => "每行一个，或用逗号分隔；外部页面的推广码只能指向这些域名及其子域名", "One per line or comma-separated; external targets must be on these domains or their subdomains";
    PcDomainsSave => "保存域名", "Save domains";
    PcDomainsSaved => "外部域名已保存", "Domains saved";
    PcLogo => "品牌 Logo", "Brand logo";
    PcLogoHint => "PNG 图片，下载二维码时可选择放在中央；最大", "A PNG image, optionally put in the centre of downloaded QR codes; at most";
    PcNoLogo => "尚未上传 Logo", "No logo uploaded";
    PcLogoRemove => "移除 Logo", "Remove logo";
    PcLogoSaved => "Logo 已更新", "Logo updated";
    PcLogoRemoved => "Logo 已移除", "Logo removed";
    PcCodes => "推广码（最多 5 个，不选为全部）", "Codes (up to 5; none = all)";
    PcFilterCodes => "筛选推广码", "Filter codes";
    PcNoCodes => "还没有推广码", "No promotion codes yet";
    PcDeletedMark => "（已删除）", " (deleted)";
    PcSelected => "已选", "Selected";
    PcClearSelection => "清空选择", "Clear";
    PcChartTop => "图中显示前 8 个分组，全部分组见下表", "The chart shows the first 8 groups; the table lists all";
    PcSplit => "拆分维度", "Split by";
    PcAttribution => "归因方式", "Attribution";
    PcQuery => "查询", "Query";
    PcRange => "时间范围", "Range";
    PcVisits => "访问次数", "Visits";
    PcVisitors => "访客数", "Visitors";
    PcVisitorsHint => "合计访客数按人去重（经多个分组访问的消费者只计一次）", "The total counts each visitor once, however many groups they came through";
    PcCredited => "归因消费者", "Credited consumers";
    PcExclBots => "机器人访问", "Bot visits";
    PcExclNoCookie => "无 Cookie 访问", "Visits without cookie";
    PcExclRepeats => "30 分钟内重复访问", "Repeats within 30 minutes";
    PcExclExpired => "过期后的访问", "Visits after expiry";
    PcExcludedNote => "机器人访问、无设备 Cookie 的访问、同一消费者 30 分钟内经同一推广码的重复访问，以及推广码过期后的访问均已记录，但不计入访问次数和归因。", "Bot visits, visits without the device cookie, a consumer's repeats through the same code within 30 minutes and visits after a code's expiry are recorded but not counted in visits or credit.";
    PcVisitsByDay => "每日访问次数", "Visits per day";
    PcCreditedByDay => "每日归因消费者", "Credited consumers per day";
    PcSeries => "分组", "Group";
    PcTotal => "合计", "Total";
    PcExportCsv => "导出 CSV", "Export CSV";
    PcCrowdNote => "「将这些推广码带来的消费者生成人群」暂未提供", "\"Make a crowd of the consumers these codes brought\" is not available yet";
    PcBack => "返回推广码列表", "Back to promotion codes";
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
