//! 推广码: the list of a brand's promotion codes (create, edit name / expiry / auto tag, delete,
//! a detail panel with the short link, the QR preview and its downloads), the area's settings
//! (allowed external domains, brand logo), and the analysis of what the codes brought (visits
//! and credited consumers per day, split by code or by a parameter, CSV export).
//!
//! The rules are those of `domain::promotion`: the browser runs the same checks as the server
//! (the 128-byte parameter string is counted live as the user types).

use crate::api::promotion::{
    delete_promotion_code, list_promotion_codes, load_promotion_settings, promotion_analysis, promotion_code_choices, save_promotion_code,
    save_promotion_domains, set_promotion_logo,
};
use crate::domain::access::{Function, Level};
use crate::domain::code_activation::{local_datetime_value, parse_local_datetime};
use crate::domain::promotion::*;
use crate::domain::validate::{FieldError, Msg};
use crate::error::AppError;
use crate::i18n::{Locale, T};
use crate::ui::charts::LineChart;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use chrono::{NaiveDate, Utc};
use leptos::prelude::*;

/// Chart colours of the series, in order (see `.series.sN` / `.key.sN` in main.css).
const SERIES_CLASSES: [&str; 8] = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"];

/// Today in China Standard Time (the analysis' days are China days).
fn china_today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn field_error(field: &str, msg: Msg) -> FieldError {
    FieldError { field: field.into(), msg }
}

/// A parameter's value, or "(未设置)" when empty.
fn or_unset(v: &str, l: Locale) -> String {
    match v.trim() {
        "" => T::PcUnset.in_(l).to_string(),
        v => v.to_string(),
    }
}

fn or_dash(v: &str) -> String {
    match v.trim() {
        "" => "—".to_string(),
        v => v.to_string(),
    }
}

fn is_expired(r: &PromotionRow) -> bool {
    r.expires_at.is_some_and(|t| t <= Utc::now())
}

/// Deleted, expired or active.
fn status_badge(r: &PromotionRow, l: Locale) -> AnyView {
    let (class, key, t) = if r.deleted_at.is_some() {
        ("badge off", "deleted", T::Deleted)
    } else if is_expired(r) {
        ("badge warn", "expired", T::PcExpired)
    } else {
        ("badge ok", "active", T::PcActive)
    };
    view! { <span class=class data-status=key data-test="pc-status">{t.in_(l)}</span> }.into_any()
}

/// The target's label, and the external page's address under it.
fn target_view(r: &PromotionRow, l: Locale) -> AnyView {
    let external = (r.target == Target::External).then(|| {
        let url = r.external_url.clone();
        view! {
            <br/>
            <span class="hint ellipsis pc-external" title=url.clone()>{url.clone()}</span>
        }
    });
    view! {
        {r.target.label(l)}
        {external}
    }
    .into_any()
}

/// A select over an enum's values: their keys as the options' values, their labels as texts.
fn enum_select<E: Copy + PartialEq + Send + Sync + 'static>(
    name: &'static str,
    all: &'static [E],
    value: RwSignal<E>,
    key: fn(E) -> &'static str,
    label: impl Fn(E) -> &'static str + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <select
            name=name
            on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some(e) = all.iter().copied().find(|e| key(*e) == chosen) {
                    value.set(e);
                }
            }
        >
            {all
                .iter()
                .copied()
                .map(|e| view! { <option value=key(e) selected=move || { value.get_untracked() == e }>{label(e)}</option> })
                .collect_view()}
        </select>
    }
}

/// The brand's settings of the area, loaded once in the browser and replaced by each save.
fn use_settings() -> RwSignal<Option<PromotionSettings>> {
    let settings: RwSignal<Option<PromotionSettings>> = RwSignal::new(None);
    let fetched = LocalResource::new(load_promotion_settings);
    Effect::new(move |_| {
        if let Some(Ok(s)) = fetched.get() {
            settings.set(Some(s));
        }
    });
    settings
}

// ---------- the list ----------

#[component]
pub fn PromotionCodesPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::PromotionCodes, Level::Manage);
    let reloads = RwSignal::new(0u32);
    let list = ServerList::<PromotionFilter>::new();
    // The filter being typed; "Search" applies it (the checkbox at once).
    let f_q = RwSignal::new(String::new());
    let f_deleted = RwSignal::new(false);
    let codes = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_promotion_codes(f, p));
    // After a delete emptied the last page, go to the new last page.
    Effect::new(move |_| {
        if let Some(Ok(p)) = codes.get() {
            if p.items.is_empty() && p.page > 1 {
                list.page.set(p.pages());
            }
        }
    });
    let settings = use_settings();
    let reload = move || reloads.update(|n| *n += 1);
    let apply = move || {
        list.apply(PromotionFilter { q: f_q.get_untracked().trim().to_string(), include_deleted: f_deleted.get_untracked() });
        reload();
    };
    let reset = move || {
        f_q.set(String::new());
        f_deleted.set(false);
        apply();
    };

    let form_open = RwSignal::new(false);
    let editing: RwSignal<Option<PromotionRow>> = RwSignal::new(None);
    let detail_open = RwSignal::new(false);
    let detail: RwSignal<Option<PromotionRow>> = RwSignal::new(None);
    let settings_open = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    let deleting: RwSignal<Option<PromotionRow>> = RwSignal::new(None);
    let delete = Action::new(|r: &(i64, i32)| delete_promotion_code(r.0, r.1));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::PcDeletedOk.in_(l));
            reloads.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });

    let cols = move || {
        vec![
            Col::new(T::Name, |r: &PromotionRow| {
                view! {
                    <span class="pc-name" data-test="pc-name">{r.name.clone()}</span>
                    <br/>
                    <code class="hint" data-test="pc-token">{r.token.clone()}</code>
                }
                .into_any()
            })
            .sorted(|r| SortKey::Text(r.name.clone())),
            Col::new(T::PcTarget, move |r: &PromotionRow| target_view(r, l)),
            Col::new(T::PcParams, |r: &PromotionRow| {
                let q = r.params.query_string();
                if q.is_empty() {
                    "—".into_any()
                } else {
                    view! { <code class="pc-params" data-test="pc-params">{q}</code> }.into_any()
                }
            }),
            Col::new(T::PcCreated, move |r: &PromotionRow| {
                view! {
                    {l.datetime(&r.created_at)}
                    <br/>
                    <span class="hint">{r.created_by.clone()}</span>
                }
                .into_any()
            })
            .sorted(|r| SortKey::Num(r.created_at.timestamp())),
            Col::new(
                T::PcExpiry,
                text(move |r: &PromotionRow| r.expires_at.map(|t| l.datetime(&t)).unwrap_or_else(|| T::PcNoExpiry.in_(l).to_string())),
            ),
            Col::new(T::PcScans, move |r: &PromotionRow| {
                view! { <span data-test="pc-visits">{format!("{} / {}", l.int(r.visits_7d), l.int(r.visits))}</span> }.into_any()
            })
            .sorted(|r| SortKey::Num(r.visits)),
            Col::new(T::PcAcquired, move |r: &PromotionRow| {
                view! { <span data-test="pc-acquired">{format!("{} / {}", l.int(r.acquired_7d), l.int(r.acquired))}</span> }.into_any()
            })
            .sorted(|r| SortKey::Num(r.acquired)),
            Col::new(T::Status, move |r: &PromotionRow| status_badge(r, l)),
            Col::new(T::Actions, move |r: &PromotionRow| {
                let (for_detail, for_edit, for_delete) = (r.clone(), r.clone(), r.clone());
                let live = r.deleted_at.is_none();
                view! {
                    <button
                        class="link"
                        data-test="pc-detail"
                        on:click=move |_| {
                            detail.set(Some(for_detail.clone()));
                            detail_open.set(true);
                        }
                    >
                        {T::PcDetail.in_(l)}
                    </button>
                    {(manage && live)
                        .then(|| {
                            view! {
                                <button
                                    class="link"
                                    data-test="pc-edit"
                                    on:click=move |_| {
                                        editing.set(Some(for_edit.clone()));
                                        form_open.set(true);
                                    }
                                >
                                    {T::Edit.in_(l)}
                                </button>
                                <button
                                    class="link danger"
                                    data-test="pc-delete"
                                    on:click=move |_| {
                                        deleting.set(Some(for_delete.clone()));
                                        confirm.set(true);
                                    }
                                >
                                    {T::Delete.in_(l)}
                                </button>
                            }
                        })}
                }
                .into_any()
            }),
        ]
    };

    view! {
        <PageHeader title=tr(T::PcTitle).to_string()>
            <a class="btn" href="/marketing/promotion-codes/analysis" data-test="pc-analysis-link">
                {tr(T::PcAnalysis)}
            </a>
            {manage
                .then(|| {
                    view! {
                        <button class="btn" data-test="pc-settings-open" on:click=move |_| settings_open.set(true)>
                            {tr(T::PcSettings)}
                        </button>
                        <button
                            class="btn primary"
                            data-test="pc-new"
                            on:click=move |_| {
                                editing.set(None);
                                form_open.set(true);
                            }
                        >
                            {tr(T::PcNew)}
                        </button>
                    }
                })}
        </PageHeader>
        <FilterBar on_search=Callback::new(move |_| apply()) on_reset=Callback::new(move |_| reset())>
            <input
                type="search"
                name="pc_q"
                bind:value=f_q
                placeholder=tr(T::PcSearchHint)
                aria-label=tr(T::PcSearchHint)
                maxlength="50"
            />
            <label class="check">
                <input
                    type="checkbox"
                    name="include_deleted"
                    data-test="pc-show-deleted"
                    prop:checked=move || f_deleted.get()
                    on:change=move |ev| {
                        f_deleted.set(event_target_checked(&ev));
                        apply();
                    }
                />
                {tr(T::PcShowDeleted)}
            </label>
        </FilterBar>
        <div data-test="pc-list">{loaded(codes, move |p| list.table(p, cols()))}</div>
        <Modal
            title=Signal::derive(move || {
                if editing.with(Option::is_some) { T::PcEditTitle.in_(l) } else { T::PcNew.in_(l) }.to_string()
            })
            open=form_open
        >
            <PromotionForm row=editing.get_untracked() settings open=form_open on_saved=Callback::new(move |_| reload())/>
        </Modal>
        <Modal
            title=Signal::derive(move || {
                let name = detail.with(|d| d.as_ref().map(|r| r.name.clone())).unwrap_or_default();
                format!("{} · {name}", T::PcDetail.in_(l))
            })
            open=detail_open
        >
            {move || detail.get().map(|row| view! { <PromotionDetail row settings/> })}
        </Modal>
        <Modal title=Signal::derive(move || T::PcSettings.in_(l).to_string()) open=settings_open>
            <SettingsPanel settings/>
        </Modal>
        <ConfirmDialog
            open=confirm
            text=Signal::derive(move || {
                deleting.get().map(|r| format!("{} 「{}」", T::PcDeleteConfirm.in_(l), r.name)).unwrap_or_default()
            })
            on_confirm=Callback::new(move |_| {
                if let Some(r) = deleting.get_untracked() {
                    delete.dispatch((r.id, r.version));
                }
            })
        />
    }
}

// ---------- create / edit ----------

/// One parameter's input (labelled like the analysis' split), with its own error.
fn param_input(d: Dimension, value: RwSignal<String>, errors: FormErrors, l: Locale) -> impl IntoView {
    let key = d.key();
    let msg = errors.message(key);
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label>
                <span class="label">{d.label(l)}</span>
                <input type="text" name=key bind:value=value maxlength=PARAMS_MAX_BYTES.to_string() placeholder=format!("utm_{key}")/>
            </label>
            <Show when=move || msg.get().is_some()>
                <p class="field-error" data-field=key role="alert">
                    {move || msg.get()}
                </p>
            </Show>
        </div>
    }
}

/// A new code (every field), or an existing one (name, expiry and auto tag; the target and
/// the parameters are shown read-only: they are fixed once created).
#[component]
fn PromotionForm(
    row: Option<PromotionRow>,
    settings: RwSignal<Option<PromotionSettings>>,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let l = use_locale();
    let id = row.as_ref().map(|r| r.id);
    let version = row.as_ref().map(|r| r.version).unwrap_or(0);
    let stored_expiry = row.as_ref().and_then(|r| r.expires_at);
    let fixed_target = row.as_ref().map(|r| r.target).unwrap_or_default();
    let fixed_url = row.as_ref().map(|r| r.external_url.clone()).unwrap_or_default();
    let p0 = row.as_ref().map(|r| r.params.clone()).unwrap_or_default();
    let name = RwSignal::new(row.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let target = RwSignal::new(fixed_target);
    let external_url = RwSignal::new(fixed_url.clone());
    let source = RwSignal::new(p0.source.clone());
    let medium = RwSignal::new(p0.medium.clone());
    let campaign = RwSignal::new(p0.campaign.clone());
    let content = RwSignal::new(p0.content.clone());
    let term = RwSignal::new(p0.term.clone());
    // The stored expiry as the input shows it (to the minute): left as it is, it is sent back
    // unchanged (an expired code stays editable, its seconds are kept).
    let initial_expires = stored_expiry.map(|t| local_datetime_value(&t)).unwrap_or_default();
    let expires = RwSignal::new(initial_expires.clone());
    let auto_tag = RwSignal::new(row.as_ref().map(|r| r.auto_tag.clone()).unwrap_or_default());
    let params = Memo::new(move |_| Params {
        source: source.get(),
        medium: medium.get(),
        campaign: campaign.get(),
        content: content.get(),
        term: term.get(),
    });
    let bytes = Memo::new(move |_| params.with(Params::bytes));
    let save = SaveForm::in_dialog(save_promotion_code, open, T::PcSaved, on_saved);
    let errors = save.errors;
    let params_msg = errors.message("params");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.action.pending().get_untracked() {
            return;
        }
        let target = target.get_untracked();
        let input = PromotionInput {
            id,
            version,
            name: name.get_untracked(),
            target,
            external_url: if target == Target::External { external_url.get_untracked().trim().to_string() } else { String::new() },
            params: params.get_untracked(),
            expires_at: match expires.get_untracked() {
                text if text == initial_expires => stored_expiry,
                text => parse_local_datetime(&text),
            },
            auto_tag: auto_tag.get_untracked(),
        };
        let domains = settings.with_untracked(|s| s.as_ref().map(|s| s.allowed_domains.clone()).unwrap_or_default());
        save.submit(input, move |i| i.validate(&domains, Utc::now(), stored_expiry));
    };

    let create_part = move || {
        view! {
            <Field label=T::PcTarget name="target" errors required=true>
                {enum_select("target", &Target::ALL, target, Target::key, move |t| t.label(l))}
            </Field>
            <Show when=move || { target.get() == Target::External }>
                <TextField
                    label=T::PcExternalUrl
                    name="external_url"
                    value=external_url
                    errors
                    required=true
                    maxlength=URL_MAX
                    placeholder="https://"
                />
                <p class="hint field-hint">{T::PcExternalHint.in_(l)}</p>
            </Show>
            <fieldset class="field pc-param-fields">
                <legend class="label">{T::PcParams.in_(l)}</legend>
                <div class="pc-param-grid">
                    {param_input(Dimension::Source, source, errors, l)}
                    {param_input(Dimension::Medium, medium, errors, l)}
                    {param_input(Dimension::Campaign, campaign, errors, l)}
                    {param_input(Dimension::Content, content, errors, l)}
                    {param_input(Dimension::Term, term, errors, l)}
                </div>
                <p
                    class="pc-bytes"
                    class:over=move || { bytes.get() > PARAMS_MAX_BYTES }
                    data-test="pc-bytes"
                    data-bytes=move || bytes.get().to_string()
                    aria-live="polite"
                >
                    {move || {
                        format!("{} {} / {} {}", T::PcBytes.in_(l), bytes.get(), PARAMS_MAX_BYTES, T::PcBytesUnit.in_(l))
                    }}
                </p>
                <p class="hint">{T::PcBytesHint.in_(l)}</p>
                <Show when=move || params_msg.get().is_some()>
                    <p class="field-error" data-field="params" role="alert">
                        {move || params_msg.get()}
                    </p>
                </Show>
                <p class="pc-preview">
                    <span class="label">{T::PcPreview.in_(l)} " "</span>
                    <code data-test="pc-preview">
                        {move || {
                            let q = params.with(Params::query_string);
                            if q.is_empty() { "—".to_string() } else { q }
                        }}
                    </code>
                </p>
            </fieldset>
        }
    };
    let fixed_part = move || {
        view! {
            <div class="pc-fixed" data-test="pc-fixed">
                <p class="hint">{T::PcFixedHint.in_(l)}</p>
                <dl class="pc-facts">
                    <dt>{T::PcTarget.in_(l)}</dt>
                    <dd>
                        {fixed_target.label(l)}
                        {(fixed_target == Target::External).then(|| format!(" · {fixed_url}"))}
                    </dd>
                    {param_facts(&p0, l)}
                </dl>
            </div>
        }
    };

    view! {
        <form on:submit=on_submit novalidate data-test="pc-form">
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            {if id.is_none() { create_part().into_any() } else { fixed_part().into_any() }}
            <Field label=T::PcExpiry name="expires_at" errors>
                <input type="datetime-local" name="expires_at" bind:value=expires/>
            </Field>
            <p class="hint field-hint">{T::PcExpiryHint.in_(l)}</p>
            <TextField
                label=T::PcAutoTag
                name="auto_tag"
                value=auto_tag
                errors
                maxlength=TAG_MAX
                placeholder=T::PcAutoTagHint.in_(l).to_string()
            />
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

// ---------- detail panel ----------

/// Each parameter on its own line, then the parameter string (inside a `<dl>`).
fn param_facts(p: &Params, l: Locale) -> impl IntoView {
    let qs = p.query_string();
    view! {
        {Dimension::PARAMS
            .into_iter()
            .map(|d| {
                view! {
                    <dt>{d.label(l)}</dt>
                    <dd data-param=d.key()>{or_unset(p.get(d), l)}</dd>
                }
            })
            .collect_view()}
        <dt>{T::PcPreview.in_(l)}</dt>
        <dd>
            <code>{or_dash(&qs)}</code>
        </dd>
    }
}

/// Copies `text` to the clipboard (the async Clipboard API, called through JS reflection:
/// web-sys' `Clipboard` feature is not enabled) and says whether it worked.
fn copy_text(text: String, toasts: Option<Toasts>, l: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use web_sys::js_sys::{Function, Promise, Reflect};
        let promise = (|| {
            let nav = web_sys::window()?.navigator();
            let clip = Reflect::get(&nav, &"clipboard".into()).ok().filter(|c| !c.is_undefined() && !c.is_null())?;
            let write: Function = Reflect::get(&clip, &"writeText".into()).ok()?.dyn_into().ok()?;
            write.call1(&clip, &text.as_str().into()).ok()?.dyn_into::<Promise>().ok()
        })();
        leptos::task::spawn_local(async move {
            let ok = match promise {
                Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                None => false,
            };
            if let Some(t) = toasts {
                if ok {
                    t.push(ToastKind::Ok, T::PcCopied.in_(l));
                } else {
                    t.push(ToastKind::Error, T::PcCopyFailed.in_(l));
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, toasts, l);
}

#[component]
fn PromotionDetail(row: PromotionRow, settings: RwSignal<Option<PromotionSettings>>) -> impl IntoView {
    let l = use_locale();
    let toasts = use_context::<Toasts>();
    let id = row.id;
    let token = row.token.clone();
    let deleted = row.deleted_at.is_some();
    let size = RwSignal::new(QR_SIZES_CM[0]);
    let with_logo = RwSignal::new(false);
    let has_logo = move || settings.with(|s| s.as_ref().is_some_and(|s| s.logo.is_some()));
    let logo_on = move || with_logo.get() && has_logo();
    let link = row.short_link.clone();
    let facts: Vec<(T, String)> = vec![
        (T::PcCreated, format!("{} · {}", l.datetime(&row.created_at), row.created_by)),
        (T::PcExpiry, row.expires_at.map(|t| l.datetime(&t)).unwrap_or_else(|| T::PcNoExpiry.in_(l).to_string())),
        (T::PcAutoTag, or_dash(&row.auto_tag)),
        (T::PcScans, format!("{} / {}", l.int(row.visits_7d), l.int(row.visits))),
        (T::PcAcquired, format!("{} / {}", l.int(row.acquired_7d), l.int(row.acquired))),
    ];
    let downloads = move || {
        let (png_token, svg_token) = (token.clone(), token.clone());
        view! {
            <div class="pc-downloads" data-test="pc-downloads">
                <label class="check">
                    <span class="label">{T::PcQrSize.in_(l)}</span>
                    <select
                        name="qr_size"
                        data-test="pc-qr-size"
                        on:change=move |ev| {
                            if let Ok(cm) = event_target_value(&ev).parse::<u32>() {
                                size.set(cm);
                            }
                        }
                    >
                        {QR_SIZES_CM
                            .into_iter()
                            .map(|cm| {
                                view! {
                                    <option value=cm.to_string() selected=move || { size.get_untracked() == cm }>
                                        {format!("{cm} cm ({} px)", pixels_of_cm(cm))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        name="qr_logo"
                        data-test="pc-qr-logo"
                        disabled=move || !has_logo()
                        prop:checked=logo_on
                        on:change=move |ev| with_logo.set(event_target_checked(&ev))
                    />
                    {T::PcWithLogo.in_(l)}
                </label>
                <Show when=move || !has_logo()>
                    <span class="hint" data-test="pc-no-logo">{PromotionMsg::NoLogo.render(l)}</span>
                </Show>
                <a
                    class="btn"
                    data-test="pc-download-png"
                    href=move || qr_png_href(id, size.get(), logo_on())
                    download=move || format!("{png_token}-{}cm.png", size.get())
                >
                    {T::PcDownloadPng.in_(l)}
                </a>
                <a
                    class="btn"
                    data-test="pc-download-svg"
                    href=move || qr_svg_href(id, logo_on())
                    download=format!("{svg_token}.svg")
                >
                    {T::PcDownloadSvg.in_(l)}
                </a>
            </div>
        }
    };
    view! {
        <div class="pc-detail" data-test="pc-detail-panel" data-id=id.to_string()>
            <div class="pc-qr">
                {if deleted {
                    view! { <p class="notice" data-test="pc-deleted-note">{T::PcDeletedNoDownload.in_(l)}</p> }.into_any()
                } else {
                    view! {
                        <img
                            src=qr_svg_href(id, false)
                            alt=format!("{} {}", T::PcQrCode.in_(l), row.name)
                            width="180"
                            height="180"
                            data-test="pc-qr"
                        />
                    }
                        .into_any()
                }}
            </div>
            <dl class="pc-facts">
                <dt>{T::Name.in_(l)}</dt>
                <dd>{row.name.clone()}</dd>
                <dt>{T::PcShortLink.in_(l)}</dt>
                <dd class="pc-link">
                    <code data-test="pc-short-link">{link.clone()}</code>
                    " "
                    <button
                        type="button"
                        class="btn small"
                        data-test="pc-copy"
                        on:click=move |_| copy_text(link.clone(), toasts, l)
                    >
                        {T::PcCopy.in_(l)}
                    </button>
                </dd>
                <dt>{T::PcTarget.in_(l)}</dt>
                <dd>
                    {row.target.label(l)}
                    {(row.target == Target::External).then(|| format!(" · {}", row.external_url))}
                </dd>
                {param_facts(&row.params, l)}
                {facts.into_iter().map(|(k, v)| view! { <dt>{k.in_(l)}</dt><dd>{v}</dd> }).collect_view()}
                <dt>{T::Status.in_(l)}</dt>
                <dd>{status_badge(&row, l)}</dd>
            </dl>
            {(!deleted).then(downloads)}
        </div>
    }
}

// ---------- settings ----------

#[component]
fn SettingsPanel(settings: RwSignal<Option<PromotionSettings>>) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="pc-settings" data-test="pc-settings">
            // Until the stored list is known, a save could wipe it: wait for it.
            <Show
                when=move || settings.with(Option::is_some)
                fallback=move || view! { <p class="loading">{T::Loading.in_(l)}</p> }
            >
                <DomainsForm settings/>
                <LogoForm settings/>
            </Show>
        </div>
    }
}

#[component]
fn DomainsForm(settings: RwSignal<Option<PromotionSettings>>) -> impl IntoView {
    let l = use_locale();
    let domains = RwSignal::new(settings.with_untracked(|s| s.as_ref().map(|s| s.allowed_domains.join("\n")).unwrap_or_default()));
    let save = SaveForm::new(save_promotion_domains, move |s: PromotionSettings| {
        domains.set(s.allowed_domains.join("\n"));
        settings.set(Some(s));
        toast(ToastKind::Ok, T::PcDomainsSaved.in_(l));
    });
    let errors = save.errors;
    let pending = save.pending();
    let on_submit = save.on_submit(
        |text: &String| parse_domains(text).map(|_| ()).map_err(|m| vec![field_error("domains", m)]),
        move || domains.get_untracked(),
    );
    view! {
        <form class="pc-domains" on:submit=on_submit novalidate data-test="pc-domains-form">
            <h3>{T::PcDomains.in_(l)}</h3>
            <Field label=T::PcDomains name="domains" errors>
                <textarea
                    name="domains"
                    rows="4"
                    placeholder="brand.com\nshop.brand.com"
                    prop:value=move || domains.get()
                    on:input=move |ev| domains.set(event_target_value(&ev))
                ></textarea>
            </Field>
            <p class="hint">{T::PcDomainsHint.in_(l)}</p>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">
                    {move || errors.form.get()}
                </p>
            </Show>
            <div class="form-actions">
                <button type="submit" class="btn primary" data-test="pc-domains-save" disabled=move || pending.get()>
                    {move || if pending.get() { T::Loading.in_(l) } else { T::PcDomainsSave.in_(l) }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn LogoForm(settings: RwSignal<Option<PromotionSettings>>) -> impl IntoView {
    let l = use_locale();
    let errors = FormErrors::new();
    let reading = RwSignal::new(false);
    let upload = Action::new(|data: &Option<String>| set_promotion_logo(data.clone()));
    Effect::new(move |_| match upload.value().get() {
        Some(Ok(s)) => {
            let removed = s.logo.is_none();
            settings.set(Some(s));
            toast(ToastKind::Ok, if removed { T::PcLogoRemoved.in_(l) } else { T::PcLogoSaved.in_(l) });
        }
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let busy = Signal::derive(move || reading.get() || upload.pending().get());
    let logo = move || settings.with(|s| s.as_ref().and_then(|s| s.logo.clone()));
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use base64::Engine;
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            // Choosing the same file again fires `change` again.
            input.set_value("");
            errors.clear();
            if file.size() > (LOGO_MAX_KB * 1024) as f64 {
                errors.fields.set(vec![field_error("logo", Msg::FileTooLarge { max_kb: LOGO_MAX_KB })]);
                return;
            }
            reading.set(true);
            leptos::task::spawn_local(async move {
                let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
                    .await
                    .ok()
                    .map(|buf| web_sys::js_sys::Uint8Array::new(&buf).to_vec());
                if reading.try_set(false).is_some() {
                    return; // the dialog was closed meanwhile
                }
                match bytes {
                    None => errors.fields.set(vec![field_error("logo", Msg::Other(T::FileUnreadable.in_(l).into()))]),
                    Some(b) if !b.starts_with(b"\x89PNG\r\n\x1a\n") => {
                        errors.fields.set(vec![field_error("logo", Msg::Promotion(PromotionMsg::LogoNotPng))])
                    }
                    Some(b) => {
                        upload.dispatch(Some(base64::engine::general_purpose::STANDARD.encode(b)));
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="pc-logo" data-test="pc-logo">
            <h3>{T::PcLogo.in_(l)}</h3>
            {move || match logo() {
                Some(path) => {
                    view! {
                        <img
                            class="preview"
                            src=format!("/media/{path}")
                            alt=T::PcLogo.in_(l)
                            width="96"
                            height="96"
                            data-test="pc-logo-preview"
                        />
                    }
                        .into_any()
                }
                None => view! { <p class="hint" data-test="pc-no-logo">{T::PcNoLogo.in_(l)}</p> }.into_any(),
            }}
            <Field label=T::Upload name="logo" errors>
                <input type="file" name="logo" accept="image/png" disabled=move || busy.get() on:change=on_pick/>
            </Field>
            <p class="hint">{format!("{} {LOGO_MAX_KB} KB", T::PcLogoHint.in_(l))}</p>
            <Show when=move || logo().is_some()>
                <button
                    type="button"
                    class="btn"
                    data-test="pc-logo-remove"
                    disabled=move || busy.get()
                    on:click=move |_| {
                        errors.clear();
                        upload.dispatch(None);
                    }
                >
                    {T::PcLogoRemove.in_(l)}
                </button>
            </Show>
            <Show when=move || busy.get()>
                <p class="loading">{T::Loading.in_(l)}</p>
            </Show>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">
                    {move || errors.form.get()}
                </p>
            </Show>
        </div>
    }
}

// ---------- analysis ----------

#[component]
pub fn PromotionAnalysisPage() -> impl IntoView {
    let l = use_locale();
    let initial = AnalysisQuery::last_7_days(china_today());
    let from = RwSignal::new(initial.from.to_string());
    let to = RwSignal::new(initial.to.to_string());
    let codes: RwSignal<Vec<i64>> = RwSignal::new(vec![]);
    let split = RwSignal::new(initial.split);
    let attribution = RwSignal::new(initial.attribution);
    let code_filter = RwSignal::new(String::new());
    let too_many = RwSignal::new(false);
    let errors = FormErrors::new();
    let applied = RwSignal::new(initial);
    // Each "Query" asks again, even for the same question (new visits may have come in).
    let runs = RwSignal::new(0u32);
    let choices = Resource::new(|| (), |_| promotion_code_choices());
    let analysis =
        Resource::new(move || (applied.get(), runs.get()), |(q, _)| async move { promotion_analysis(q.clone()).await.map(|a| (q, a)) });
    // The server's refusal of a field shows next to it too.
    Effect::new(move |_| {
        if let Some(Err(e @ AppError::Invalid(_))) = analysis.get() {
            errors.show(&e);
        }
    });
    let codes_msg = errors.message("codes");
    let on_query = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        too_many.set(false);
        let (f, t) = (parse_day(&from.get_untracked()), parse_day(&to.get_untracked()));
        let mut errs = vec![];
        if f.is_none() {
            errs.push(field_error("from", Msg::Required));
        }
        if t.is_none() {
            errs.push(field_error("to", Msg::Required));
        }
        if let (Some(from), Some(to)) = (f, t) {
            let q = AnalysisQuery {
                from,
                to,
                codes: codes.get_untracked(),
                split: split.get_untracked(),
                attribution: attribution.get_untracked(),
            };
            match q.validate() {
                Ok(()) => {
                    applied.set(q);
                    runs.update(|n| *n += 1);
                    return;
                }
                Err(e) => errs.extend(e),
            }
        }
        errors.fields.set(errs);
    };
    view! {
        <PageHeader title=tr(T::PcAnalysis).to_string()>
            <a class="btn" href="/marketing/promotion-codes" data-test="pc-back">
                {tr(T::PcBack)}
            </a>
        </PageHeader>
        <form class="card pc-analysis-form" on:submit=on_query novalidate data-test="pc-analysis-form">
            <div class="pc-analysis-row">
                <Field label=T::DateFrom name="from" errors required=true>
                    <input type="date" name="from" bind:value=from/>
                </Field>
                <Field label=T::DateTo name="to" errors required=true>
                    <input type="date" name="to" bind:value=to/>
                </Field>
                <Field label=T::PcSplit name="split" errors>
                    {enum_select("split", &Dimension::ALL, split, Dimension::key, move |d| d.label(l))}
                </Field>
                <Field label=T::PcAttribution name="attribution" errors>
                    {enum_select("attribution", &Attribution::ALL, attribution, Attribution::key, move |a| a.label(l))}
                </Field>
            </div>
            <fieldset class="field pc-codes" class:invalid=move || codes_msg.get().is_some() || too_many.get()>
                <legend class="label">{T::PcCodes.in_(l)}</legend>
                <div class="pc-codes-tools">
                    <input
                        type="search"
                        name="code_filter"
                        bind:value=code_filter
                        placeholder=T::PcFilterCodes.in_(l)
                        aria-label=T::PcFilterCodes.in_(l)
                        maxlength="30"
                    />
                    <span class="hint" data-test="pc-selected">
                        {move || format!("{} {} / {}", T::PcSelected.in_(l), codes.with(Vec::len), COMPARE_MAX)}
                    </span>
                    <button
                        type="button"
                        class="btn small"
                        disabled=move || codes.with(Vec::is_empty)
                        on:click=move |_| {
                            codes.set(vec![]);
                            too_many.set(false);
                        }
                    >
                        {T::PcClearSelection.in_(l)}
                    </button>
                </div>
                {loaded(choices, move |list| view! { <CodePicker choices=list codes filter=code_filter too_many/> })}
                <Show when=move || too_many.get()>
                    <p class="field-error" data-field="codes" data-test="pc-too-many" role="alert">
                        {PromotionMsg::TooManyCodes { max: COMPARE_MAX }.render(l)}
                    </p>
                </Show>
                <Show when=move || codes_msg.get().is_some() && !too_many.get()>
                    <p class="field-error" data-field="codes" role="alert">
                        {move || codes_msg.get()}
                    </p>
                </Show>
            </fieldset>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">
                    {move || errors.form.get()}
                </p>
            </Show>
            <div class="form-actions">
                <button type="submit" class="btn primary" data-test="pc-query">
                    {T::PcQuery.in_(l)}
                </button>
            </div>
        </form>
        {loaded(analysis, move |(q, a)| view! { <AnalysisView q a/> })}
        <p class="notice pc-crowd-note" data-test="pc-crowd-note">
            {T::PcCrowdNote.in_(l)}
        </p>
    }
}

/// Checkboxes of the codes; a sixth is refused in place.
#[component]
fn CodePicker(choices: Vec<CodeChoice>, codes: RwSignal<Vec<i64>>, filter: RwSignal<String>, too_many: RwSignal<bool>) -> impl IntoView {
    let l = use_locale();
    if choices.is_empty() {
        return view! { <p class="hint">{T::PcNoCodes.in_(l)}</p> }.into_any();
    }
    let items = choices
        .into_iter()
        .map(|c| {
            let id = c.id;
            let lower = c.name.to_lowercase();
            let hidden = move || {
                let f = filter.with(|f| f.trim().to_lowercase());
                !f.is_empty() && !lower.contains(&f) && !codes.with(|v| v.contains(&id))
            };
            view! {
                <label class="check pc-choice" class:hidden=hidden data-test="pc-choice" data-id=id.to_string()>
                    <input
                        type="checkbox"
                        name="codes"
                        value=id.to_string()
                        prop:checked=move || codes.with(|v| v.contains(&id))
                        on:click=move |ev| {
                            if event_target_checked(&ev) {
                                if codes.with_untracked(|v| v.len()) >= COMPARE_MAX {
                                    // Refused: the box stays unchecked.
                                    ev.prevent_default();
                                    too_many.set(true);
                                    return;
                                }
                                codes.update(|v| if !v.contains(&id) { v.push(id) });
                            } else {
                                codes.update(|v| v.retain(|x| *x != id));
                            }
                            too_many.set(false);
                        }
                    />
                    <span class="pc-choice-name">{c.name.clone()}</span>
                    {c.deleted.then(|| view! { <span class="badge off">{T::PcDeletedMark.in_(l)}</span> })}
                </label>
            }
        })
        .collect_view();
    view! { <div class="pc-choices" data-test="pc-choices">{items}</div> }.into_any()
}

#[component]
fn AnalysisView(q: AnalysisQuery, a: Analysis) -> impl IntoView {
    let l = use_locale();
    let label = move |s: &Series| if s.label.trim().is_empty() { T::PcUnset.in_(l).to_string() } else { s.label.clone() };
    let days: Vec<String> = a.days.iter().map(|d| d.format("%m-%d").to_string()).collect();
    let charted = a.series.len().min(SERIES_CLASSES.len());
    let visits_series: Vec<(String, &'static str, Vec<i64>)> =
        a.series.iter().take(charted).enumerate().map(|(i, s)| (label(s), SERIES_CLASSES[i], s.visits.clone())).collect();
    let consumer_series: Vec<(String, &'static str, Vec<i64>)> =
        a.series.iter().take(charted).enumerate().map(|(i, s)| (label(s), SERIES_CLASSES[i], s.consumers.clone())).collect();
    let visits: i64 = a.series.iter().map(|s| s.visits_total).sum();
    let visitors = a.visitors;
    let credited: i64 = a.series.iter().map(|s| s.consumers_total).sum();
    let kpis: Vec<(T, &'static str, i64)> = vec![
        (T::PcVisits, "visits", visits),
        (T::PcVisitors, "visitors", visitors),
        (T::PcCredited, "credited", credited),
        (T::PcExclBots, "bots", a.excluded_bots),
        (T::PcExclNoCookie, "no-cookie", a.excluded_no_cookie),
        (T::PcExclRepeats, "repeats", a.excluded_repeats),
        (T::PcExclExpired, "expired", a.excluded_expired),
    ];
    let more = a.series.len() > charted;
    let rows = a
        .series
        .iter()
        .map(|s| {
            let name = label(s);
            view! {
                <tr data-series=name.clone()>
                    <td class="pc-series-label">{name.clone()}</td>
                    <td data-col="visits">{l.int(s.visits_total)}</td>
                    <td data-col="visitors">{l.int(s.visitors_total)}</td>
                    <td data-col="consumers">{l.int(s.consumers_total)}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = a.series.is_empty();
    let credit_title = format!("{}（{}）", T::PcCredited.in_(l), q.attribution.label(l));
    view! {
        <div class="pc-results" data-test="pc-results" data-range=format!("{}..{}", q.from, q.to)>
            <div class="section-head">
                <p class="hint">
                    {T::PcRange.in_(l)} ": " {l.date(&q.from)} " – " {l.date(&q.to)} " · " {T::PcSplit.in_(l)} ": "
                    {q.split.label(l)} " · " {T::PcAttribution.in_(l)} ": " {q.attribution.label(l)}
                </p>
                <a class="btn" href=analysis_csv_href(&q) download="promotion-analysis.csv" data-test="pc-export">
                    {T::PcExportCsv.in_(l)}
                </a>
            </div>
            <div class="kpis" data-test="pc-kpis">
                {kpis
                    .into_iter()
                    .map(|(t, key, v)| {
                        view! {
                            <div class="kpi" data-kpi=key>
                                <span class="label">{t.in_(l)}</span>
                                <strong>{l.int(v)}</strong>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="hint" data-test="pc-excluded-note">
                {T::PcExcludedNote.in_(l)} " " {T::PcVisitorsHint.in_(l)}
            </p>
            <div class="data-grid">
                <section class="card data-section" data-section="visits">
                    <h2>{T::PcVisitsByDay.in_(l)}</h2>
                    <LineChart title=T::PcVisitsByDay.in_(l).to_string() labels=days.clone() series=visits_series/>
                </section>
                <section class="card data-section" data-section="credited">
                    <h2>{T::PcCreditedByDay.in_(l)}</h2>
                    <LineChart title=T::PcCreditedByDay.in_(l).to_string() labels=days series=consumer_series/>
                </section>
            </div>
            {more.then(|| view! { <p class="hint">{T::PcChartTop.in_(l)}</p> })}
            <section class="card data-section" data-section="series">
                <h2>{T::PcSeries.in_(l)}</h2>
                <table class="data" data-test="pc-series-table">
                    <thead>
                        <tr>
                            <th>{q.split.label(l)}</th>
                            <th>{T::PcVisits.in_(l)}</th>
                            <th>{T::PcVisitors.in_(l)}</th>
                            <th>{credit_title}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {if empty {
                            view! {
                                <tr class="empty">
                                    <td colspan="4">{T::NoData.in_(l)}</td>
                                </tr>
                            }
                                .into_any()
                        } else {
                            rows.into_any()
                        }}
                    </tbody>
                    <tfoot>
                        <tr class="total" data-test="pc-series-total">
                            <th>{T::PcTotal.in_(l)}</th>
                            <td data-col="visits">{l.int(visits)}</td>
                            <td data-col="visitors">{l.int(visitors)}</td>
                            <td data-col="consumers">{l.int(credited)}</td>
                        </tr>
                    </tfoot>
                </table>
            </section>
        </div>
    }
}
