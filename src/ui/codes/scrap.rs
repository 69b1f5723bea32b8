//! 码管理 page.

use leptos::prelude::*;

#[component]
pub fn ScrapPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
