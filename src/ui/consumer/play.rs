//! The campaign part of the scan page: the nine-grid or scratch-card game, the draw, the result
//! animation and the claim.
//!
//! One draw per scan: the idempotency key is made once per page load (on the first press) and
//! sent again on every retry, so a double click or a lost answer never draws twice; the button
//! is disabled while the draw is pending and once it has a result. A scan already drawn
//! (`offer.drawn`) shows its result at once.

use super::prizes::{ConsumerLinks, PrizeCard};
use crate::api::consumer::draw;
use crate::domain::campaign::{CampaignKind, PrizeKind};
use crate::domain::play::{CampaignOffer, DrawResult, PrizeTile};
use crate::error::AppError;
use crate::i18n::T;
use crate::ui::{tr, use_locale};
use leptos::html::Canvas;
use leptos::prelude::*;

/// The outer ring of the 3×3 grid, clockwise from the top-left; cell 4 holds the draw button.
const RING: [usize; 8] = [0, 1, 2, 5, 8, 7, 6, 3];

/// A fresh idempotency key: 128 random bits as hex (the browser's CSPRNG; the server's when
/// rendered there).
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    #[cfg(feature = "hydrate")]
    {
        let filled = web_sys::window().and_then(|w| w.crypto().ok()).is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
        // Every browser Tessera supports has crypto.getRandomValues; this only keeps an old
        // webview from sending the same key as everyone else.
        if !filled {
            for b in bytes.iter_mut() {
                *b = (web_sys::js_sys::Math::random() * 256.0) as u8;
            }
        }
    }
    #[cfg(feature = "ssr")]
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A page colour from the campaign's settings, if it is a `#rrggbb` value (it goes into a style
/// attribute).
fn colour(c: &str, default: &'static str) -> String {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        c.to_string()
    } else {
        default.to_string()
    }
}

/// The state of one scan's draw, shared by the game and the result.
#[derive(Clone, Copy)]
struct Game {
    result: RwSignal<Option<DrawResult>>,
    /// The result is revealed (the animation stopped, the card was scratched).
    shown: RwSignal<bool>,
    refusal: RwSignal<Option<String>>,
    action: Action<(), Result<DrawResult, AppError>>,
}

impl Game {
    fn new(scan_id: i64, drawn: Option<DrawResult>) -> Self {
        let key: StoredValue<Option<String>> = StoredValue::new(None);
        let action = Action::new(move |_: &()| {
            let k = key.try_update_value(|k| k.get_or_insert_with(random_key).clone()).unwrap_or_default();
            async move {
                // A lost answer (network, restart) is asked once more with the same key: the
                // server answers the recorded draw instead of drawing again.
                match draw(scan_id, k.clone()).await {
                    Err(AppError::Internal(_)) => draw(scan_id, k).await,
                    other => other,
                }
            }
        });
        let game = Game { shown: RwSignal::new(drawn.is_some()), result: RwSignal::new(drawn), refusal: RwSignal::new(None), action };
        let l = use_locale();
        Effect::new(move |_| match action.value().get() {
            Some(Ok(r)) => game.result.set(Some(r)),
            Some(Err(e)) => game.refusal.set(Some(e.render(l))),
            None => {}
        });
        game
    }

    fn start(self) {
        if self.action.pending().get_untracked() || self.result.with_untracked(Option::is_some) {
            return;
        }
        self.refusal.set(None);
        self.action.dispatch(());
    }

    fn busy(self) -> Signal<bool> {
        Signal::derive(move || self.action.pending().get() || self.result.with(Option::is_some))
    }
}

/// The campaign's page under a genuine code: banner, title and colours from its page settings,
/// the game, the result with its claims, the rules and the consumer's links.
#[component]
pub fn CampaignPage(offer: CampaignOffer, scan_id: i64, enterprise_id: i64) -> impl IntoView {
    let l = use_locale();
    let page = offer.page.clone();
    let style = format!("--c-primary: {}; --c-bg: {};", colour(&page.primary_color, "#d7263d"), colour(&page.background_color, "#fff4e6"));
    let title = if page.title.trim().is_empty() { offer.name.clone() } else { page.title.clone() };
    let game = Game::new(scan_id, offer.drawn.clone());
    let banner = page.banner_image.clone().map(|src| view! { <img class="c-banner" src=src alt=title.clone()/> });
    let rules = (!page.rules.trim().is_empty()).then(|| {
        view! {
            <div class="c-rules">
                <h3>{tr(T::CsRules)}</h3>
                <p>{page.rules.clone()}</p>
            </div>
        }
    });
    let board = match offer.kind {
        CampaignKind::NineGrid => view! { <NineGrid game tiles=offer.prizes.clone()/> }.into_any(),
        CampaignKind::Scratch => view! { <ScratchCard game/> }.into_any(),
    };
    view! {
        <section class="c-campaign" style=style data-campaign=offer.campaign_id.to_string() data-kind=offer.kind.key()>
            {banner}
            <h2 class="c-title">{title}</h2>
            <p class="c-ends">{tr(T::CsEndsAt)} " " {l.datetime(&offer.ends_at)}</p>
            {board}
            <Show when=move || game.refusal.get().is_some()>
                <p class="c-refusal" role="alert" data-test="refusal">{move || game.refusal.get()}</p>
            </Show>
            {move || game.shown.get().then(|| game.result.get()).flatten().map(|result| view! { <DrawOutcome result/> })}
            {rules}
        </section>
        <ConsumerLinks enterprise_id/>
    }
}

/// What the draw gave: the won prizes as claimable cards, or "thanks for playing".
#[component]
fn DrawOutcome(result: DrawResult) -> impl IntoView {
    if result.wins.is_empty() {
        return view! {
            <div class="c-result none" data-test="result" data-wins="0">
                <p>{tr(T::CsNoWin)}</p>
            </div>
        }
        .into_any();
    }
    let n = result.wins.len();
    view! {
        <div class="c-result" data-test="result" data-wins=n.to_string()>
            <h2>{tr(T::CsYouWon)}</h2>
            {result.wins.into_iter().map(|won| view! { <PrizeCard won/> }).collect_view()}
        </div>
    }
    .into_any()
}

/// The tile a result lands on: the first prize won, else the thanks-for-playing prize, else any
/// blank tile. `None` when the grid does not show it (more than eight prizes).
fn target_tile(tiles: &[Option<PrizeTile>], r: &DrawResult) -> Option<usize> {
    let key = r.wins.first().map(|w| w.prize_key).or(r.thanks_key);
    key.and_then(|k| tiles.iter().position(|t| t.as_ref().is_some_and(|t| t.key == k)))
        .or_else(|| r.wins.is_empty().then(|| tiles.iter().position(|t| t.as_ref().is_none_or(|t| t.kind == PrizeKind::Thanks))).flatten())
}

/// 九宫格: eight tiles around the draw button; a light runs round and stops on the result.
#[component]
fn NineGrid(game: Game, tiles: Vec<PrizeTile>) -> impl IntoView {
    // Blank tiles ("thanks for playing") fill a grid of fewer than eight prizes.
    let tiles: Vec<Option<PrizeTile>> = tiles.into_iter().map(Some).chain(std::iter::repeat(None)).take(8).collect();
    let lit: RwSignal<Option<usize>> = RwSignal::new(game.result.with_untracked(|r| r.as_ref().and_then(|r| target_tile(&tiles, r))));
    let ring = tiles.clone();
    Effect::new(move |_| {
        let Some(r) = game.result.get() else { return };
        if !game.shown.get_untracked() {
            spin(lit, target_tile(&ring, &r), game.shown);
        }
    });
    let busy = game.busy();
    let pending = game.action.pending();
    let cells = (0..9)
        .map(|cell| {
            if cell == 4 {
                return view! {
                    <button
                        type="button"
                        class="c-cell c-go"
                        data-test="draw"
                        disabled=move || busy.get()
                        on:click=move |_| game.start()
                    >
                        {move || if pending.get() { tr(T::CsDrawing) } else { tr(T::CsDraw) }}
                    </button>
                }
                .into_any();
            }
            let t = RING.iter().position(|c| *c == cell).unwrap_or(0);
            let tile = tiles[t].clone();
            let key = tile.as_ref().map(|p| p.key.to_string());
            let (name, image) = match tile {
                Some(p) => (p.name, p.image),
                None => (tr(T::CsThanks).to_string(), None),
            };
            view! {
                <div class="c-cell c-tile" class:lit=move || lit.get() == Some(t) data-tile=t.to_string() data-prize=key>
                    {image.map(|src| view! { <img src=src alt=""/> })}
                    <span>{name}</span>
                </div>
            }
            .into_any()
        })
        .collect_view();
    view! { <div class="c-grid" data-test="nine-grid">{cells}</div> }
}

/// Runs the light round the ring (two rounds, then slowing down) and stops on `stop`; then
/// reveals the result.
fn spin(lit: RwSignal<Option<usize>>, stop: Option<usize>, shown: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let start = lit.get_untracked().map_or(0, |i| i + 1);
        let end = stop.unwrap_or(start % 8);
        let steps = 16 + (end + 8 - start % 8) % 8;
        for i in 0..=steps {
            if lit.try_set(Some((start + i) % 8)).is_some() {
                return;
            }
            let left = (steps - i) as u32;
            gloo_timers::future::TimeoutFuture::new(if left < 6 { 60 + (6 - left) * 45 } else { 60 }).await;
        }
        if stop.is_none() {
            lit.try_set(None);
        }
        shown.try_set(true);
    });
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (lit, stop);
        shown.set(true);
    }
}

/// 刮刮卡: the result lies under a grey layer the finger (or mouse) scratches away; past half
/// scratched, or on "Reveal", it shows in full.
#[component]
fn ScratchCard(game: Game) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let cover_text = tr(T::CsScratchHere);
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            scratch::cover(&c, cover_text);
        }
    });
    let down = StoredValue::new(false);
    let moves = StoredValue::new(0u32);
    let rub = move |ev: &leptos::ev::PointerEvent, check: bool| {
        if let Some(c) = canvas.get_untracked() {
            scratch::rub(&c, ev);
            moves.update_value(|m| *m += 1);
            // Measuring reads the whole layer back: every few strokes is enough.
            if (check || moves.get_value().is_multiple_of(8)) && scratch::cleared(&c) >= 0.5 {
                game.shown.set(true);
            }
        }
    };
    let busy = game.busy();
    let pending = game.action.pending();
    view! {
        <div class="c-scratch" data-test="scratch">
            <div class="c-scratch-card">
                {move || match game.result.get() {
                    None => view! { <div class="c-scratch-blank">{cover_text}</div> }.into_any(),
                    Some(r) => {
                        let under = if r.wins.is_empty() {
                            tr(T::CsThanks).to_string()
                        } else {
                            r.wins.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(" · ")
                        };
                        view! {
                            <div class="c-scratch-under">{under}</div>
                            <Show when=move || !game.shown.get()>
                                <canvas
                                    node_ref=canvas
                                    class="c-scratch-cover"
                                    width=scratch::W.to_string()
                                    height=scratch::H.to_string()
                                    on:pointerdown=move |ev| {
                                        down.set_value(true);
                                        rub(&ev, false);
                                    }
                                    on:pointermove=move |ev| {
                                        if down.get_value() {
                                            rub(&ev, false);
                                        }
                                    }
                                    on:pointerup=move |ev| {
                                        down.set_value(false);
                                        rub(&ev, true);
                                    }
                                    on:pointerleave=move |_| down.set_value(false)
                                ></canvas>
                            </Show>
                        }
                        .into_any()
                    }
                }}
            </div>
            {move || {
                if game.result.with(Option::is_none) {
                    view! {
                        <button type="button" class="btn primary wide c-start" data-test="draw" disabled=move || busy.get() on:click=move |_| game.start()>
                            {move || if pending.get() { tr(T::CsDrawing) } else { tr(T::CsStartScratch) }}
                        </button>
                    }
                    .into_any()
                } else if !game.shown.get() {
                    view! {
                        <button type="button" class="btn wide c-reveal" data-test="reveal" on:click=move |_| game.shown.set(true)>
                            {tr(T::CsReveal)}
                        </button>
                    }
                    .into_any()
                } else {
                    ().into_any()
                }
            }}
        </div>
    }
}

/// Drawing on the scratch layer (browser only; the server renders the card without it).
mod scratch {
    /// The layer's own pixels; CSS scales it to the card's width.
    pub const W: u32 = 300;
    pub const H: u32 = 150;

    #[cfg(feature = "hydrate")]
    fn ctx(c: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
        use wasm_bindgen::JsCast;
        c.get_context("2d").ok().flatten()?.dyn_into().ok()
    }

    /// Paints the grey layer with its hint.
    pub fn cover(c: &leptos::web_sys::HtmlCanvasElement, text: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(x) = ctx(c) {
            let _ = x.set_global_composite_operation("source-over");
            x.set_fill_style_str("#b8bcc2");
            x.fill_rect(0.0, 0.0, f64::from(W), f64::from(H));
            x.set_fill_style_str("#ffffff");
            x.set_font("bold 22px sans-serif");
            x.set_text_align("center");
            x.set_text_baseline("middle");
            let _ = x.fill_text(text, f64::from(W) / 2.0, f64::from(H) / 2.0);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (c, text);
    }

    /// Clears a round spot of the layer under the pointer.
    pub fn rub(c: &leptos::web_sys::HtmlCanvasElement, ev: &leptos::ev::PointerEvent) {
        #[cfg(feature = "hydrate")]
        if let Some(x) = ctx(c) {
            let r = c.get_bounding_client_rect();
            if r.width() <= 0.0 || r.height() <= 0.0 {
                return;
            }
            let px = (f64::from(ev.client_x()) - r.left()) * f64::from(W) / r.width();
            let py = (f64::from(ev.client_y()) - r.top()) * f64::from(H) / r.height();
            let _ = x.set_global_composite_operation("destination-out");
            x.begin_path();
            let _ = x.arc(px, py, 22.0, 0.0, std::f64::consts::TAU);
            x.fill();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (c, ev);
    }

    /// The share of the layer scratched away (every 8th pixel sampled).
    pub fn cleared(c: &leptos::web_sys::HtmlCanvasElement) -> f64 {
        #[cfg(feature = "hydrate")]
        if let Some(img) = ctx(c).and_then(|x| x.get_image_data(0.0, 0.0, f64::from(W), f64::from(H)).ok()) {
            let data = img.data();
            let (mut clear, mut all) = (0u32, 0u32);
            for px in data.0.chunks_exact(4).step_by(8) {
                all += 1;
                if px[3] == 0 {
                    clear += 1;
                }
            }
            return if all == 0 { 0.0 } else { f64::from(clear) / f64::from(all) };
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = c;
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::play::{WinStatus, WonPrize};

    fn tile(key: u16, kind: PrizeKind) -> Option<PrizeTile> {
        Some(PrizeTile { key, name: format!("p{key}"), kind, image: None })
    }

    fn result(won: Option<u16>, thanks_key: Option<u16>) -> DrawResult {
        let wins = won
            .map(|k| WonPrize {
                win_id: 1,
                campaign_id: 1,
                campaign_name: "c".into(),
                prize_key: k,
                name: format!("p{k}"),
                kind: PrizeKind::Points,
                image: None,
                points: 5,
                value_fen: 0,
                status: WinStatus::Unclaimed,
                won_at: chrono::Utc::now(),
                claim_deadline: None,
                claimed_at: None,
                coupon_code: None,
                coupon_valid_to: None,
                address: None,
            })
            .into_iter()
            .collect();
        DrawResult { draw_id: 1, wins, thanks_key, replayed: false }
    }

    #[test]
    fn the_light_stops_on_the_prize_won_or_on_thanks() {
        let tiles = vec![tile(1, PrizeKind::Points), tile(2, PrizeKind::Goods), tile(9, PrizeKind::Thanks), None];
        assert_eq!(target_tile(&tiles, &result(Some(2), None)), Some(1));
        assert_eq!(target_tile(&tiles, &result(None, Some(9))), Some(2));
        // No thanks prize configured: the first blank or thanks tile.
        assert_eq!(target_tile(&tiles, &result(None, None)), Some(2));
        // A prize the grid does not show: no tile lights up rather than a wrong one.
        assert_eq!(target_tile(&tiles, &result(Some(7), None)), None);
    }

    #[test]
    fn only_hex_colours_reach_the_style_attribute() {
        assert_eq!(colour("#A1b2C3", "#000000"), "#A1b2C3");
        assert_eq!(colour("red; background: url(x)", "#000000"), "#000000");
        assert_eq!(colour("#12345", "#000000"), "#000000");
    }

    #[test]
    fn keys_are_fresh_and_acceptable() {
        let (a, b) = (random_key(), random_key());
        assert_ne!(a, b);
        assert!(crate::domain::lottery::valid_idempotency_key(&a));
    }
}
