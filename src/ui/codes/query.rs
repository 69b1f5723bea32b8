//! 码管理 page.

use leptos::prelude::*;

#[component]
pub fn CodeQueryPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
