//! The wizard's live phone-sized preview of the campaign page (nine-grid or scratch card, with
//! the page's title, colours, banner, prizes and rules), and the overlap notice with the
//! priority input.

use crate::api::campaigns::{set_priority, Overlap};
use crate::domain::campaign::{overlap_rule, CampaignInput, CampaignKind, PrizeKind, NINE_GRID_PRIZES};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{tr, use_locale};
use leptos::prelude::*;

/// A 360 × 640 phone showing the page as consumers will see it, redrawn as the form changes.
#[component]
pub fn PagePreview(input: RwSignal<CampaignInput>) -> impl IntoView {
    let l = use_locale();
    let page = move || input.with(|i| i.page.clone());
    let kind = move || input.with(|i| i.basic.kind);
    let rules = move || input.with(|i| if i.page.rules.trim().is_empty() { i.basic.description.clone() } else { i.page.rules.clone() });
    // Prize tiles: the prizes in order; a nine-grid fills its eight tiles with thanks-for-playing.
    let tiles = move || {
        let mut names: Vec<(String, Option<String>)> = input.with(|i| i.prizes.iter().map(|p| (p.name.clone(), p.image.clone())).collect());
        if kind() == CampaignKind::NineGrid {
            names.truncate(NINE_GRID_PRIZES);
            while names.len() < NINE_GRID_PRIZES {
                names.push((PrizeKind::Thanks.label(l).to_string(), None));
            }
        }
        names
    };
    let tile = |(name, image): (String, Option<String>)| {
        view! {
            <div class="pv-tile">
                {image.map(|src| view! { <img src=format!("/media/{src}") alt=""/> })}
                <span>{name}</span>
            </div>
        }
    };
    // Eight tiles around the start button: positions 0 1 2 / 7 ▶ 3 / 6 5 4, as the lights run.
    let grid = move || {
        let t = tiles();
        let at = |i: usize| t.get(i).cloned().unwrap_or_default();
        let start = view! {
            <div class="pv-start" style=move || format!("background: {}", page().primary_color)>{tr(T::WzPreviewStart)}</div>
        };
        view! {
            {tile(at(0))}
            {tile(at(1))}
            {tile(at(2))}
            {tile(at(7))}
            {start}
            {tile(at(3))}
            {tile(at(6))}
            {tile(at(5))}
            {tile(at(4))}
        }
    };
    view! {
        <div class="phone-preview" data-test="page-preview" aria-label=tr(T::WzPreview)>
            <div class="phone-screen" style=move || format!("background: {}", page().background_color)>
                {move || page().banner_image.map(|src| view! { <img class="pv-banner" src=format!("/media/{src}") alt=""/> })}
                <h2 class="pv-title" style=move || format!("color: {}", page().primary_color)>
                    {move || {
                        let t = page().title;
                        if t.is_empty() { input.with(|i| i.basic.name.clone()) } else { t }
                    }}
                </h2>
                {move || match kind() {
                    CampaignKind::NineGrid => view! { <div class="pv-grid" data-test="preview-grid">{grid}</div> }.into_any(),
                    CampaignKind::Scratch => {
                        view! {
                            <div class="pv-scratch" data-test="preview-scratch">
                                <div class="pv-scratch-layer">{tr(T::WzPreviewScratch)}</div>
                            </div>
                            <div class="pv-prize-list">{move || tiles().into_iter().map(tile).collect_view()}</div>
                        }
                            .into_any()
                    }
                }}
                <div class="pv-rules">
                    <h3 style=move || format!("color: {}", page().primary_color)>{tr(T::WzRules)}</h3>
                    <p>{rules}</p>
                </div>
            </div>
        </div>
    }
}

/// Other launched campaigns taking some of the same scans, which one wins by the priority rule,
/// and this campaign's priority.
#[component]
pub fn OverlapNotice(id: Option<i64>, overlaps: Vec<Overlap>, priority: i32, readonly: Signal<bool>) -> impl IntoView {
    let l = use_locale();
    let value = RwSignal::new(priority.to_string());
    let save = Action::new(move |p: &i32| {
        let p = *p;
        async move {
            match id {
                Some(id) => set_priority(id, p).await,
                None => Err(crate::error::AppError::NotFound),
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => toast(ToastKind::Ok, T::Saved.in_(l)),
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let none = overlaps.is_empty();
    let rows = overlaps
        .into_iter()
        .map(|o| {
            view! {
                <li data-overlap=o.id.to_string()>
                    <a href=format!("/marketing/campaigns/{}?step=2", o.id)>{o.name.clone()}</a>
                    {format!(" · {} · {} {}", o.status.label(l), tr(T::WzPriority), o.priority)}
                    " → "
                    <strong>{if o.this_wins { tr(T::WzThisWins) } else { tr(T::WzOtherWins) }}</strong>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="overlap-notice" data-test="overlaps">
            <h3>{tr(T::WzOverlaps)}</h3>
            <p class="hint">{overlap_rule(l)}</p>
            {none.then(|| view! { <p data-test="no-overlaps">{tr(T::WzNoOverlaps)}</p> })}
            <ul>{rows}</ul>
            {id
                .map(|_| {
                    view! {
                        <div class="priority">
                            <label>
                                <span class="label">{tr(T::WzPriority)}</span>
                                <input type="number" name="priority" step="1" bind:value=value disabled=move || readonly.get()/>
                            </label>
                            <Show when=move || !readonly.get()>
                                <button
                                    type="button"
                                    class="btn"
                                    data-test="save-priority"
                                    disabled=move || save.pending().get() || value.with(|v| v.trim().parse::<i32>().is_err())
                                    on:click=move |_| {
                                        if let Ok(p) = value.get_untracked().trim().parse::<i32>() {
                                            save.dispatch(p);
                                        }
                                    }
                                >
                                    {tr(T::WzSavePriority)}
                                </button>
                            </Show>
                        </div>
                    }
                })}
        </section>
    }
}
