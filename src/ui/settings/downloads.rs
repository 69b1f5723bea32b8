//! 设置管理 page.

use leptos::prelude::*;

#[component]
pub fn DownloadsPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
