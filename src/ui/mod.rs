//! Pages and components: the console shell and its layouts, shared widgets, and one module
//! per area.

pub mod charts;
pub mod codes;
pub mod consumer;
pub mod home;
pub mod layout;
pub mod marketing;
pub mod nav;
pub mod placeholder;
pub mod scan;
pub mod session;
pub mod settings;
pub mod widgets;

use crate::domain::access::{Function, Level};
use crate::domain::auth::Me;
use crate::i18n::{Locale, T};
use leptos::prelude::*;

/// The page's language, provided by [`crate::app::App`].
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

/// A console text in the page's language.
pub fn tr(t: T) -> &'static str {
    t.in_(use_locale())
}

/// The signed-in person, provided by the layouts once loaded.
pub fn use_me() -> Me {
    use_context::<Me>().expect("use_me() inside a signed-in layout")
}

/// Whether the signed-in person may do `function` at `level` (the UI hides what they cannot do;
/// the server refuses it regardless).
pub fn can(function: Function, level: Level) -> bool {
    use_context::<Me>().is_some_and(|me| me.grants.allows(function, level))
}

/// Full page load: used after sign-in/out and enterprise or language switches, so every
/// resource is fetched again under the new session.
pub fn reload_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(path);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
