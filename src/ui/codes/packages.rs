//! 码管理 page.

use leptos::prelude::*;

#[component]
pub fn CodePackagesPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}

#[component]
pub fn CodePackagePage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
