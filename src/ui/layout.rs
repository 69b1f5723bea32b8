//! The two signed-in layouts: the desktop console (header with areas, enterprise switcher,
//! language and user menu; side menu; breadcrumbs) and the mobile layout for store guides and
//! consumers, usable at 360 px.

use super::nav::{areas, locate};
use super::widgets::{toast_error, ToastHost, Toasts};
use super::{reload_to, tr, use_locale, use_me};
use crate::api::session::{current_user, set_locale, sign_out, switch_enterprise};
use crate::domain::auth::Me;
use crate::i18n::{Locale, T};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

/// Loads the signed-in person; sends the anonymous to /login and a person with an initial
/// password to /change-password; otherwise renders `children` with `Me` in context.
#[component]
fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if me.must_change_password => view! { <Redirect path="/change-password"/> }.into_any(),
                    Ok(Some(me)) => {
                        provide_context::<Me>(me);
                        children.with_value(|c| c()).into_any()
                    }
                    _ => view! { <Redirect path="/login"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    Toasts::provide();
    view! {
        <SignedIn>
            <div class="console">
                <Header/>
                <div class="console-body">
                    <SideMenu/>
                    <main class="content">
                        <Breadcrumbs/>
                        <Outlet/>
                    </main>
                </div>
            </div>
            <ToastHost/>
        </SignedIn>
    }
}

#[component]
fn Header() -> impl IntoView {
    let me = use_me();
    let l = use_locale();
    let path = use_location().pathname;
    let grants = me.grants.clone();
    let tabs = areas()
        .into_iter()
        .filter(|a| a.visible(&grants))
        .map(|a| {
            let base = a.base;
            let href = a.entry(&grants).unwrap_or(base);
            view! {
                <A href=href attr:class=move || if path.get().starts_with(base) { "tab active" } else { "tab" }>
                    {a.module.label(l)}
                </A>
            }
        })
        .collect_view();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                {tr(T::AppName)}
            </A>
            <nav class="areas">{tabs}</nav>
            <div class="topbar-right">
                <EnterpriseSwitcher/>
                <LanguageSwitch/>
                <UserMenu/>
            </div>
        </header>
    }
}

#[component]
fn EnterpriseSwitcher() -> impl IntoView {
    let me = use_me();
    let current = me.enterprise.as_ref().map(|e| e.id);
    let switch = Action::new(|id: &i64| {
        let id = *id;
        async move { switch_enterprise(id).await }
    });
    Effect::new(move |_| match switch.value().get() {
        Some(Ok(())) => reload_to("/"),
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    view! {
        <label class="switcher">
            <span class="sr-only">{tr(T::SwitchEnterprise)}</span>
            <select
                name="enterprise"
                aria-label=tr(T::SwitchEnterprise)
                on:change=move |ev| {
                    if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                        switch.dispatch(id);
                    }
                }
            >
                {me
                    .enterprises
                    .iter()
                    .map(|e| view! { <option value=e.id.to_string() selected=Some(e.id) == current>{e.name.clone()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// 中文 / English; remembered in a cookie, then the page reloads in the new language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let l = use_locale();
    let set = Action::new(|l: &Locale| {
        let l = *l;
        async move { set_locale(l).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = set.value().get() {
            reload_to(&current_href());
        }
    });
    let other = if l == Locale::Zh { Locale::En } else { Locale::Zh };
    view! {
        <button class="lang" title=tr(T::Language) on:click=move |_| { set.dispatch(other); }>
            {if other == Locale::En { "English" } else { "中文" }}
        </button>
    }
}

fn current_href() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_else(|| "/".into())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "/".into()
    }
}

#[component]
fn UserMenu() -> impl IntoView {
    let me = use_me();
    let open = RwSignal::new(false);
    let out = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if out.value().get().is_some() {
            reload_to("/login");
        }
    });
    view! {
        <div class="user-menu">
            <button class="user" aria-haspopup="true" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {me.name.clone()}
                <small>{me.position.clone()}</small>
            </button>
            <Show when=move || open.get()>
                <ul class="menu" role="menu">
                    <li>
                        <A href="/settings/messages">{tr(T::MessageCentre)}</A>
                    </li>
                    <li>
                        <A href="/change-password">{tr(T::ChangePassword)}</A>
                    </li>
                    <li>
                        <button class="link" on:click=move |_| { out.dispatch(()); }>{tr(T::SignOut)}</button>
                    </li>
                </ul>
            </Show>
        </div>
    }
}

#[component]
fn SideMenu() -> impl IntoView {
    let me = use_me();
    let l = use_locale();
    let path = use_location().pathname;
    move || {
        let p = path.get();
        let Some((area, _)) = locate(&p) else { return view! { <aside class="side"></aside> }.into_any() };
        let mut last_group = None;
        let visible: Vec<_> = area.items.iter().filter(|i| i.visible(&me.grants)).map(|i| (i.group, i.path, i.label(l))).collect();
        let items = visible
            .into_iter()
            .map(|(group, href, label)| {
                let heading = (group != last_group).then(|| group.map(|g| view! { <li class="group">{g.in_(l)}</li> })).flatten();
                last_group = group;
                let active = p.starts_with(href);
                view! {
                    {heading}
                    <li>
                        <A href=href attr:class=if active { "active" } else { "" }>
                            {label}
                        </A>
                    </li>
                }
            })
            .collect_view();
        view! {
            <aside class="side">
                <h2>{area.module.label(l)}</h2>
                <ul>{items}</ul>
            </aside>
        }
        .into_any()
    }
}

#[component]
fn Breadcrumbs() -> impl IntoView {
    let l = use_locale();
    let path = use_location().pathname;
    move || {
        let p = path.get();
        let crumbs: Vec<String> = match locate(&p) {
            Some((area, Some(i))) => {
                let item = &area.items[i];
                let mut c = vec![area.module.label(l).to_string()];
                if let Some(g) = item.group {
                    c.push(g.in_(l).to_string());
                }
                c.push(item.label(l).to_string());
                c
            }
            Some((area, None)) => vec![area.module.label(l).to_string()],
            None => vec![tr(T::Home).to_string()],
        };
        view! {
            <nav class="breadcrumbs" aria-label="breadcrumbs">
                {crumbs.into_iter().map(|c| view! { <span>{c}</span> }).collect_view()}
            </nav>
        }
    }
}

/// The phone layout: a compact top bar and content at full width (store guides, consumers).
#[component]
pub fn MobileLayout() -> impl IntoView {
    Toasts::provide();
    view! {
        <SignedIn>
            <div class="mobile">
                <MobileBar/>
                <main class="mobile-content">
                    <Outlet/>
                </main>
            </div>
            <ToastHost/>
        </SignedIn>
    }
}

#[component]
fn MobileBar() -> impl IntoView {
    let me = use_me();
    view! {
        <header class="mobile-bar">
            <span class="who">{me.name.clone()} " · " {me.enterprise.map(|e| e.name).unwrap_or_default()}</span>
            <LanguageSwitch/>
        </header>
    }
}
