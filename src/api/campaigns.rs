//! Console: campaigns (营销中心 → 扫码营销) — the list, the wizard's step saves, states, copy,
//! priority, coupon-code import and campaign pictures.
//!
//! A draft saves one step at a time (that step's rules); a launched campaign saves all five
//! steps at once, checked by the rules of what may change while it runs. The status shown is
//! the effective one (a scheduled campaign runs from its start, anything launched ends at its
//! end) — computed from time everywhere, never by a periodic job.

use crate::domain::campaign::{Campaign, CampaignAction, CampaignInput, CampaignKind, CampaignRow, CampaignStatus};
use crate::domain::page::{Page, PageReq};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The list's filter: effective status, kind, name contains.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
    pub kind: Option<CampaignKind>,
    pub name: String,
}

/// Another launched campaign that takes some of the same scans (specs, products, regions and
/// time overlap), and which of the two a scan joins by the priority rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overlap {
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub priority: i32,
    /// True when the campaign being edited wins over this one.
    pub this_wins: bool,
}

/// Imported coupon codes of one prize.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CouponCodes {
    pub prize: u16,
    pub total: i64,
    pub free: i64,
}

/// A campaign for the wizard, with its overlaps and its imported coupon codes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignDetail {
    pub campaign: Campaign,
    pub overlaps: Vec<Overlap>,
    pub coupon_codes: Vec<CouponCodes>,
}

/// The answer of a save: the campaign's id, its new version and the furthest step saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCampaign {
    pub id: i64,
    pub version: i32,
    pub step: u8,
}

/// Most coupon codes one import takes; longest code.
pub const COUPON_IMPORT_MAX: usize = 100_000;
pub const COUPON_CODE_MAX: usize = 64;
/// Lines listed per kind of refusal in an import report.
pub const REPORT_LINES_MAX: usize = 100;

/// What a coupon-code import did: codes taken, and the (1-based) lines refused by reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CouponImportReport {
    pub imported: usize,
    pub blank: usize,
    /// Lines repeating a code of the file or one imported before (the first lines only).
    pub duplicate_lines: Vec<usize>,
    pub duplicates: usize,
    /// Lines longer than [`COUPON_CODE_MAX`] (the first lines only).
    pub too_long_lines: Vec<usize>,
    pub too_long: usize,
    /// The prize's codes after the import.
    pub total: i64,
    pub free: i64,
}

/// Splits an import into codes and the report of refused lines (nothing stored yet).
pub fn parse_coupon_codes(text: &str) -> (Vec<String>, Vec<usize>, CouponImportReport) {
    let mut report = CouponImportReport::default();
    let mut seen = std::collections::HashSet::new();
    let (mut codes, mut lines) = (vec![], vec![]);
    for (i, line) in text.lines().enumerate() {
        let code = line.trim();
        if code.is_empty() {
            report.blank += 1;
        } else if code.chars().count() > COUPON_CODE_MAX {
            report.too_long += 1;
            if report.too_long_lines.len() < REPORT_LINES_MAX {
                report.too_long_lines.push(i + 1);
            }
        } else if !seen.insert(code.to_string()) {
            report.duplicates += 1;
            if report.duplicate_lines.len() < REPORT_LINES_MAX {
                report.duplicate_lines.push(i + 1);
            }
        } else {
            codes.push(code.to_string());
            lines.push(i + 1);
        }
    }
    (codes, lines, report)
}

#[cfg(feature = "ssr")]
mod imp {
    pub use crate::domain::access::{Function, Level, Module};
    use crate::domain::campaign::*;
    use crate::domain::validate::{FieldError, Msg};
    use crate::error::{AppError, AppResult};
    pub use crate::server::audit::{self, Change};
    pub use crate::server::context::{guard, respond, Ctx};
    pub use crate::server::db::Tx;
    pub use crate::server::repo::campaigns as repo;
    use chrono::{DateTime, Utc};

    pub async fn log(tx: &mut Tx, ctx: &Ctx, action: &str, id: i64, summary: String) -> AppResult<()> {
        audit::record(tx, &ctx.actor(), Change { module: Module::Marketing, action, entity: "campaign", entity_id: Some(id), summary })
            .await
    }

    pub async fn commit(ctx: &Ctx, tx: Tx) -> AppResult<()> {
        tx.commit().await.map_err(crate::server::auth::internal)?;
        // The scan path's cache of running campaigns reloads this enterprise's.
        ctx.state.campaigns.invalidate(ctx.enterprise_id());
        Ok(())
    }

    pub fn status_of(key: &str) -> CampaignStatus {
        CampaignStatus::from_key(key).unwrap_or(CampaignStatus::Draft)
    }

    pub fn step_of(n: u8) -> AppResult<Step> {
        Ok(match n {
            1 => Step::Basic,
            2 => Step::Settings,
            3 => Step::Prizes,
            4 => Step::Delivery,
            5 => Step::Page,
            _ => return Err(AppError::NotFound),
        })
    }

    /// Loads and locks a campaign, checking the version the form loaded (stale: 409).
    pub async fn locked(tx: &mut Tx, e: i64, id: i64, version: i32) -> AppResult<(repo::CampaignRowDb, CampaignInput)> {
        let (row, input) = repo::load_for_update(tx, e, id).await?.ok_or(AppError::NotFound)?;
        if row.version != version {
            return Err(AppError::Refused(Msg::Stale));
        }
        Ok((row, input))
    }

    pub fn effective(row: &repo::CampaignRowDb, now: DateTime<Utc>) -> CampaignStatus {
        effective_status(status_of(&row.status), now, row.basic.starts_at, row.basic.ends_at)
    }

    /// Import-coupon prizes need at least as many free codes as their remaining quantity.
    pub async fn coupon_stock_errors(tx: &mut Tx, e: i64, id: i64, input: &CampaignInput) -> AppResult<Vec<FieldError>> {
        let counts = repo::coupon_code_counts(tx, e, id).await?;
        let mut errs = vec![];
        for (i, p) in input.prizes.iter().enumerate() {
            let import = p.kind == PrizeKind::Coupon && p.coupon.as_ref().is_some_and(|c| c.source == CouponSource::Import);
            if !import {
                continue;
            }
            let free = counts.iter().find(|c| c.0 == p.key as i16).map(|c| c.2).unwrap_or(0);
            let needed = i64::from(p.quantity.unwrap_or(0).saturating_sub(p.awarded));
            if free < needed {
                errs.push(FieldError {
                    field: format!("prizes[{i}].quantity"),
                    msg: Msg::Campaign(CampaignMsg::CouponCodesShort { available: free.max(0) as u32 }),
                });
            }
        }
        Ok(errs)
    }

    /// Other launched campaigns that take some of the same scans, with the priority rule's
    /// verdict against this one.
    pub async fn overlaps_of(
        tx: &mut Tx,
        e: i64,
        row: &repo::CampaignRowDb,
        input: &CampaignInput,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<super::Overlap>> {
        let me = (row.priority, row.basic.starts_at, row.id);
        let mut out = vec![];
        for other in repo::live_others(tx, e, row.id).await? {
            let status = effective_status(status_of(&other.status), now, other.basic.starts_at, other.basic.ends_at);
            let theirs = CampaignInput { basic: other.basic.0.clone(), settings: other.settings.0.clone(), ..CampaignInput::default() };
            if status == CampaignStatus::Ended || !overlaps(input, &theirs) {
                continue;
            }
            out.push(super::Overlap {
                id: other.id,
                name: other.name.clone(),
                status,
                priority: other.priority,
                this_wins: overlap_order(me, (other.priority, other.basic.starts_at, other.id)) == std::cmp::Ordering::Less,
            });
        }
        Ok(out)
    }

    /// "Name 副本" / "Name (copy)", numbered while taken.
    pub async fn copy_name(tx: &mut Tx, e: i64, ctx: &Ctx, name: &str) -> AppResult<String> {
        let suffix = match ctx.locale {
            crate::i18n::Locale::Zh => " 副本",
            crate::i18n::Locale::En => " (copy)",
        };
        let mut n = 1;
        loop {
            let candidate = if n == 1 { format!("{name}{suffix}") } else { format!("{name}{suffix} {n}") };
            if !repo::name_taken(tx, e, &candidate).await? {
                return Ok(candidate);
            }
            n += 1;
        }
    }
}

#[server(prefix = "/api", endpoint = "campaigns", input = Json)]
pub async fn list_campaigns(filter: CampaignFilter, page: PageReq) -> Result<Page<CampaignRow>, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::View).await?;
        let mut tx = ctx.tx().await?;
        let now = chrono::Utc::now();
        let (total, rows) = repo::list(
            &mut tx,
            ctx.enterprise_id(),
            filter.status.map(|s| s.key()),
            filter.kind.map(|k| k.key()),
            filter.name.trim(),
            page.limit(),
            page.offset(),
        )
        .await?;
        let items = rows
            .into_iter()
            .map(|r| CampaignRow {
                id: r.id,
                kind: CampaignKind::from_key(&r.kind).unwrap_or_default(),
                name: r.name,
                status: crate::domain::campaign::effective_status(status_of(&r.status), now, r.starts_at, r.ends_at),
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                priority: r.priority,
                step: r.step as u8,
                scans: r.scans,
                draws: r.draws,
                wins: r.wins,
                version: r.version,
            })
            .collect();
        let p = page.clamped();
        Ok(Page { items, total, page: p.page, size: p.size })
    })
    .await
}

/// The wizard's choices: code specs and products as (id, name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WizardChoices {
    pub specs: Vec<(i64, String)>,
    pub products: Vec<(i64, String)>,
}

/// What the wizard chooses from, for anyone who may see campaigns (not only holders of the
/// code-spec and basic-data functions).
#[server(prefix = "/api", endpoint = "campaigns/choices", input = Json)]
pub async fn campaign_choices() -> Result<WizardChoices, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::View).await?;
        let (specs, products) = repo::choices(&mut ctx.tx().await?, ctx.enterprise_id()).await?;
        Ok(WizardChoices { specs, products })
    })
    .await
}

#[server(prefix = "/api", endpoint = "campaigns/get", input = Json)]
pub async fn get_campaign(id: i64) -> Result<CampaignDetail, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::View).await?;
        let mut tx = ctx.tx().await?;
        let e = ctx.enterprise_id();
        let now = chrono::Utc::now();
        let (row, input) = repo::load(&mut tx, e, id).await?.ok_or(AppError::NotFound)?;
        let overlaps = overlaps_of(&mut tx, e, &row, &input, now).await?;
        let coupon_codes = repo::coupon_code_counts(&mut tx, e, id)
            .await?
            .into_iter()
            .map(|(key, total, free)| CouponCodes { prize: key as u16, total, free })
            .collect();
        let campaign = Campaign {
            id,
            status: effective(&row, now),
            priority: row.priority,
            step: row.step as u8,
            version: row.version,
            input,
            created_at: row.created_at,
            updated_at: row.updated_at,
        };
        Ok(CampaignDetail { campaign, overlaps, coupon_codes })
    })
    .await
}

/// Saves the wizard: a draft by the rules of `step` (created on the first save; `step` is kept
/// as the furthest reached), a launched campaign by all five steps and what may change while
/// it runs. `version` is the one loaded (ignored on create).
#[server(prefix = "/api", endpoint = "campaigns/save", input = Json)]
pub async fn save_campaign_step(id: Option<i64>, version: i32, step: u8, input: CampaignInput) -> Result<SavedCampaign, AppError> {
    use crate::domain::campaign::{running_change_refusals, CampaignMsg, Step};
    use crate::domain::validate::{FieldError, Msg};
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let wizard_step = step_of(step)?;
        let e = ctx.enterprise_id();
        let now = chrono::Utc::now();
        let mut tx = ctx.tx().await?;
        let Some(id) = id else {
            // A new campaign needs its name (step 1) whatever step saved it first.
            let mut errs = input.validate_step(Step::Basic).err().unwrap_or_default();
            if wizard_step != Step::Basic {
                errs.extend(input.validate_step(wizard_step).err().unwrap_or_default());
            }
            if !errs.is_empty() {
                return Err(AppError::Invalid(errs));
            }
            let id = repo::insert(&mut tx, e, Some(ctx.user.user_id), &input, CampaignStatus::Draft, step as i16).await?;
            log(&mut tx, &ctx, "create", id, format!("新建营销活动「{}」（第 {step} 步）", input.basic.name)).await?;
            commit(&ctx, tx).await?;
            return Ok(SavedCampaign { id, version: 1, step });
        };
        let (row, before) = locked(&mut tx, e, id, version).await?;
        let status = effective(&row, now);
        let mut after = input;
        // Counters are the server's: what was awarded stays whatever the form sent.
        for p in after.prizes.iter_mut() {
            p.awarded = before.prizes.iter().find(|b| b.key == p.key).map(|b| b.awarded).unwrap_or(0);
        }
        let saved_step = match status {
            CampaignStatus::Draft => {
                after.validate_step(wizard_step)?;
                step.max(row.step as u8)
            }
            CampaignStatus::Ended => return Err(AppError::Refused(Msg::Campaign(CampaignMsg::EndedReadOnly))),
            _ => {
                let mut errs = after.validate_all().err().unwrap_or_default();
                errs.extend(running_change_refusals(&before, &after, now));
                // Draws of a running campaign pick among its prizes: removing one waits for a pause.
                let removed = before.prizes.iter().any(|b| !after.prizes.iter().any(|p| p.key == b.key));
                if status == CampaignStatus::Running && removed && errs.iter().all(|e| e.field != "prizes") {
                    errs.push(FieldError { field: "prizes".into(), msg: Msg::Campaign(CampaignMsg::PrizeRemovedWhileRunning) });
                }
                errs.extend(coupon_stock_errors(&mut tx, e, id, &after).await?);
                if !errs.is_empty() {
                    return Err(AppError::Invalid(errs));
                }
                5
            }
        };
        let new_version = repo::update(&mut tx, e, id, version, &after, saved_step as i16).await?;
        let keep: Vec<i16> = after.prizes.iter().map(|p| p.key as i16).collect();
        let kept = repo::delete_prizes_except(&mut tx, e, id, &keep).await?;
        if !kept.is_empty() {
            // Won (e.g. thanks-for-playing, which keeps no stock counter): the rows stay.
            let gone = before.prizes.iter().filter(|p| kept.contains(&(p.key as i16)));
            let name = gone.clone().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、");
            let awarded = gone.map(|p| p.awarded).sum();
            return Err(AppError::field("prizes", Msg::Campaign(CampaignMsg::AwardedPrizeRemoved { name, awarded })));
        }
        log(&mut tx, &ctx, "update", id, format!("保存营销活动「{}」第 {step} 步（{}）", after.basic.name, status.key())).await?;
        commit(&ctx, tx).await?;
        Ok(SavedCampaign { id, version: new_version, step: saved_step })
    })
    .await
}

/// Launch, pause, resume or end a campaign (the state machine refuses the rest). Launching
/// checks all five steps and the imported coupon codes, naming the fields by their path.
#[server(prefix = "/api", endpoint = "campaigns/action", input = Json)]
pub async fn act_on_campaign(id: i64, version: i32, action: CampaignAction) -> Result<SavedCampaign, AppError> {
    use crate::domain::campaign::transition;
    use crate::domain::validate::Msg;
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let now = chrono::Utc::now();
        let mut tx = ctx.tx().await?;
        let (row, input) = locked(&mut tx, e, id, version).await?;
        let from = effective(&row, now);
        if action == CampaignAction::Launch {
            let mut errs = input.validate_all().err().unwrap_or_default();
            errs.extend(coupon_stock_errors(&mut tx, e, id, &input).await?);
            if !errs.is_empty() {
                return Err(AppError::Invalid(errs));
            }
        }
        let to =
            transition(from, action, now, input.basic.starts_at, input.basic.ends_at).map_err(|m| AppError::Refused(Msg::Campaign(m)))?;
        let new_version = repo::set_status(&mut tx, e, id, version, to).await?;
        log(&mut tx, &ctx, "update", id, format!("营销活动「{}」：{} → {}", input.basic.name, from.key(), to.key())).await?;
        commit(&ctx, tx).await?;
        Ok(SavedCampaign { id, version: new_version, step: row.step as u8 })
    })
    .await
}

/// Copies a campaign into a new draft (all five steps; no counters, no coupon codes).
#[server(prefix = "/api", endpoint = "campaigns/copy", input = Json)]
pub async fn copy_campaign(id: i64) -> Result<i64, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let (row, mut input) = repo::load(&mut tx, e, id).await?.ok_or(AppError::NotFound)?;
        input.basic.name = copy_name(&mut tx, e, &ctx, &input.basic.name).await?;
        for p in input.prizes.iter_mut() {
            p.awarded = 0;
        }
        let copy = repo::insert(&mut tx, e, Some(ctx.user.user_id), &input, CampaignStatus::Draft, row.step).await?;
        repo::set_copied_from(&mut tx, e, copy, id).await?;
        log(&mut tx, &ctx, "create", copy, format!("复制营销活动 #{id} 为「{}」", input.basic.name)).await?;
        commit(&ctx, tx).await?;
        Ok(copy)
    })
    .await
}

/// Deletes a draft; a launched campaign is ended instead, never deleted.
#[server(prefix = "/api", endpoint = "campaigns/delete", input = Json)]
pub async fn delete_campaign(id: i64) -> Result<(), AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let Some(name) = repo::delete_draft(&mut tx, e, id).await? else {
            return match repo::load(&mut tx, e, id).await? {
                Some(_) => Err(AppError::Refused(crate::domain::validate::Msg::Campaign(crate::domain::campaign::CampaignMsg::NotDraft))),
                None => Err(AppError::NotFound),
            };
        };
        log(&mut tx, &ctx, "delete", id, format!("删除营销活动草稿「{name}」")).await?;
        commit(&ctx, tx).await?;
        Ok(())
    })
    .await
}

/// Sets the overlap priority (higher wins; then the earlier start, then the lower id).
#[server(prefix = "/api", endpoint = "campaigns/priority", input = Json)]
pub async fn set_priority(id: i64, priority: i32) -> Result<i32, AppError> {
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let version = repo::set_priority(&mut tx, e, id, priority).await?.ok_or(AppError::NotFound)?;
        log(&mut tx, &ctx, "update", id, format!("营销活动优先级设为 {priority}")).await?;
        commit(&ctx, tx).await?;
        Ok(version)
    })
    .await
}

/// Imports coupon codes (one per line) for a saved coupon prize whose codes are imported.
#[server(prefix = "/api", endpoint = "campaigns/coupon-codes", input = Json)]
pub async fn import_coupon_codes(campaign_id: i64, prize_key: u16, text: String) -> Result<CouponImportReport, AppError> {
    use crate::domain::campaign::CampaignMsg;
    use crate::domain::validate::Msg;
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let e = ctx.enterprise_id();
        let (codes, _, mut report) = parse_coupon_codes(&text);
        if codes.len() + report.duplicates + report.too_long > COUPON_IMPORT_MAX {
            return Err(AppError::field("text", Msg::Campaign(CampaignMsg::CouponCodesTooMany { max: COUPON_IMPORT_MAX as u32 })));
        }
        let mut tx = ctx.tx().await?;
        repo::load(&mut tx, e, campaign_id).await?.ok_or(AppError::NotFound)?;
        let prize_id = match repo::prize_ref(&mut tx, e, campaign_id, prize_key as i16).await? {
            Some((pid, kind, Some(source))) if kind == "coupon" && source == "import" => pid,
            Some(_) => return Err(AppError::field("prize_key", Msg::Campaign(CampaignMsg::NotImportedCoupon))),
            None => return Err(AppError::NotFound),
        };
        let existing = repo::insert_coupon_codes(&mut tx, e, prize_id, &codes).await?;
        report.imported = codes.len() - existing.len();
        if !existing.is_empty() {
            let (_, lines, _) = parse_coupon_codes(&text);
            let existing: std::collections::HashSet<&String> = existing.iter().collect();
            let mut dup: Vec<usize> = codes.iter().zip(lines).filter(|(c, _)| existing.contains(c)).map(|(_, l)| l).collect();
            report.duplicates += dup.len();
            report.duplicate_lines.append(&mut dup);
            report.duplicate_lines.sort_unstable();
            report.duplicate_lines.truncate(REPORT_LINES_MAX);
        }
        let counts = repo::coupon_code_counts(&mut tx, e, campaign_id).await?;
        if let Some((_, total, free)) = counts.into_iter().find(|c| c.0 == prize_key as i16) {
            report.total = total;
            report.free = free;
        }
        log(&mut tx, &ctx, "update", campaign_id, format!("导入奖品 {prize_key} 的券码 {} 个", report.imported)).await?;
        commit(&ctx, tx).await?;
        Ok(report)
    })
    .await
}

/// Stores a campaign picture (prize image or banner; PNG, JPEG or WebP) sent as base64;
/// returns its path under `/media`.
#[server(prefix = "/api", endpoint = "campaigns/image", input = Json)]
pub async fn upload_campaign_image(base64_data: String) -> Result<String, AppError> {
    use crate::domain::basic_data::{image_extension, IMAGE_MAX_KB};
    use crate::domain::validate::Msg;
    use base64::Engine;
    use imp::*;
    respond(async move {
        let ctx = guard(Function::Campaigns, Level::Manage).await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(base64_data.as_bytes())
            .map_err(|_| AppError::field("image", Msg::UnsupportedFileType))?;
        if bytes.len() > IMAGE_MAX_KB * 1024 {
            return Err(AppError::field("image", Msg::FileTooLarge { max_kb: IMAGE_MAX_KB }));
        }
        let ext = image_extension(&bytes).ok_or_else(|| AppError::field("image", Msg::UnsupportedFileType))?;
        crate::server::media::store(&ctx.state, &format!("campaigns/{}", ctx.enterprise_id()), "", ext, &bytes).await
    })
    .await
}
