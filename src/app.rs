//! The HTML shell, the router and its three layouts: sign-in pages, the desktop console and the
//! mobile layout.

use crate::i18n::Locale;
use crate::ui::home::{HomePage, MobileHome};
use crate::ui::layout::{ConsoleLayout, MobileLayout};
use crate::ui::placeholder::{NotBuiltYet, NotFoundPage};
use crate::ui::scan::ScanPage;
use crate::ui::session::{ChangePasswordPage, SignInPage};
use crate::ui::{codes, consumer, marketing, settings};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = initial_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language of this page: on the server from the request (cookie, then Accept-Language),
/// in the browser from the `lang` the server wrote, so hydration renders the same text.
fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        crate::server::context::request_locale()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Locale::parse(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(initial_locale());
    // Marks the page as interactive once hydrated (end-to-end tests wait for it).
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/tessera.css"/>
        <Title text="Tessera"/>
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=SignInPage/>
                <Route path=path!("/change-password") view=ChangePasswordPage/>
                // What a printed QR code opens (QR alphanumeric mode prints the URL in capitals).
                <Route path=path!("/s/:code") view=ScanPage/>
                <Route path=path!("/S/:code") view=ScanPage/>
                // The consumer's own pages (mobile, no sign-in: the signed device cookie).
                <Route path=path!("/c/prizes") view=consumer::prizes::MyPrizesPage/>
                <Route path=path!("/c/points") view=consumer::points::MyPointsPage/>
                <Route path=path!("/c/profile") view=consumer::profile::ProfilePage/>
                <ParentRoute path=path!("/m") view=MobileLayout>
                    <Route path=path!("") view=MobileHome/>
                </ParentRoute>
                <ParentRoute path=path!("") view=ConsoleLayout>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("settings/brands") view=settings::brands::BrandsPage/>
                    <Route path=path!("settings/products") view=settings::products::ProductsPage/>
                    <Route path=path!("settings/regions") view=settings::regions::RegionsPage/>
                    <Route path=path!("settings/factories") view=settings::factories::FactoriesPage/>
                    <Route path=path!("settings/workshops") view=settings::units::WorkshopsPage/>
                    <Route path=path!("settings/lines") view=settings::units::LinesPage/>
                    <Route path=path!("settings/positions") view=settings::positions::PositionsPage/>
                    <Route path=path!("settings/accounts") view=settings::accounts::AccountsPage/>
                    <Route path=path!("settings/audit") view=settings::audit::AuditPage/>
                    <Route path=path!("settings/messages") view=settings::messages::MessagesPage/>
                    <Route path=path!("settings/warnings") view=settings::warnings::WarningsPage/>
                    <Route path=path!("settings/downloads") view=settings::downloads::DownloadsPage/>
                    <Route path=path!("codes/specs") view=codes::specs::CodeSpecsPage/>
                    <Route path=path!("codes/packages") view=codes::packages::CodePackagesPage/>
                    <Route path=path!("codes/packages/:id") view=codes::packages::CodePackagePage/>
                    <Route path=path!("codes/activation") view=codes::activation::ActivationPage/>
                    <Route path=path!("codes/query") view=codes::query::CodeQueryPage/>
                    <Route path=path!("codes/scrap") view=codes::scrap::ScrapPage/>
                    <Route path=path!("codes/receive") view=codes::receive::ReceivePage/>
                    <Route path=path!("codes/receive/:token") view=codes::receive::ExtractionPage/>
                    <Route path=path!("marketing/campaigns") view=marketing::campaigns::CampaignsPage/>
                    <Route path=path!("marketing/campaigns/new") view=marketing::campaigns::CampaignWizardPage/>
                    <Route path=path!("marketing/campaigns/:id") view=marketing::campaigns::CampaignWizardPage/>
                    <Route path=path!("marketing/data") view=marketing::data::CampaignDataPage/>
                    <Route path=path!("marketing/data/products") view=marketing::data::ProductDataPage/>
                    <Route path=path!("marketing/data/codes") view=marketing::data::BrandCodeDataPage/>
                    <Route path=path!("marketing/members") view=marketing::members::MembersPage/>
                    <Route path=path!("marketing/members/:id") view=marketing::members::MemberPage/>
                    <Route path=path!("marketing/risk") view=marketing::risk::RiskPage/>
                    <Route path=path!("marketing/promotion-codes") view=marketing::promotion::PromotionCodesPage/>
                    <Route path=path!("marketing/promotion-codes/analysis") view=marketing::promotion::PromotionAnalysisPage/>
                    // Areas delivered by later issues: an honest notice, no data.
                    <Route path=path!("marketing/:section") view=NotBuiltYet/>
                    <Route path=path!("insight/:section") view=NotBuiltYet/>
                    <Route path=path!("guides/:section") view=NotBuiltYet/>
                    <Route path=path!("mall/:section") view=NotBuiltYet/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
