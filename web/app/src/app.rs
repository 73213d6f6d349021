//! The frame around every page (header, navigation, language, skip link) and the route
//! table: the app's table of contents.

use airline_web_core::{Locale, Msg};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, Lazy};

use crate::i18n::{locale, set_locale, t};
use crate::pages;
use crate::pages::lazy::{
    CheckoutRoute, ProfileRoute, ResultsRoute, SeatsRoute, StatusRoute, TripRoute, TripsRoute,
};
use crate::recover;
use crate::session::{self, Auth};

#[component]
pub fn App() -> impl IntoView {
    // Tasks can be spawned once the app is mounted (Leptos starts its executor then).
    session::restore();
    // True while the router fetches a page's code (and the page's data) before showing it.
    let (is_routing, set_is_routing) = signal(false);
    view! {
        <Router set_is_routing>
            <a class="skip-link" href="#main">{move || t(Msg::SkipToContent)}</a>
            <div class="route-progress" hidden=move || !is_routing.get()></div>
            <recover::FollowNavigation />
            <Header />
            <main id="main" tabindex="-1" aria-busy=move || is_routing.get().to_string()>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::search::SearchPage />
                    <Route path=path!("/flights") view={Lazy::<ResultsRoute>::new()} />
                    <Route path=path!("/book/seats") view={Lazy::<SeatsRoute>::new()} />
                    <Route path=path!("/book/checkout") view={Lazy::<CheckoutRoute>::new()} />
                    <Route path=path!("/book/status/:id") view={Lazy::<StatusRoute>::new()} />
                    <Route path=path!("/trips") view={Lazy::<TripsRoute>::new()} />
                    <Route path=path!("/trips/:id") view={Lazy::<TripRoute>::new()} />
                    <Route path=path!("/profile") view={Lazy::<ProfileRoute>::new()} />
                    <Route path=path!("/signin") view=pages::account::SignInPage />
                    <Route path=path!("/signup") view=pages::account::SignUpPage />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let current = move |path: &'static str| {
        move || {
            let here = location.pathname.get();
            let on = if path == "/" {
                here == "/" || here == "/flights"
            } else {
                here.starts_with(path)
            };
            on.then_some("page")
        }
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            session::sign_out().await;
            navigate("/", Default::default());
        });
    };
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span aria-hidden="true" class="logo">"✈"</span>
                {move || t(Msg::AppName)}
            </a>
            <nav aria-label=move || t(Msg::NavMain)>
                <a href="/" aria-current=current("/")>{move || t(Msg::NavSearch)}</a>
                <a href="/trips" aria-current=current("/trips")>{move || t(Msg::NavTrips)}</a>
                <a href="/profile" aria-current=current("/profile")>{move || t(Msg::NavProfile)}</a>
                {move || match session::auth().get() {
                    Auth::SignedIn(_) => view! {
                        <button type="button" class="link" on:click=sign_out.clone()>{move || t(Msg::NavSignOut)}</button>
                    }.into_any(),
                    _ => view! {
                        <a href="/signin" aria-current=current("/signin")>{move || t(Msg::NavSignIn)}</a>
                    }.into_any(),
                }}
            </nav>
            <label class="language">
                <span class="visually-hidden">{move || t(Msg::Language)}</span>
                <select on:change=move |ev| {
                    if let Some(chosen) = Locale::from_tag(&event_target_value(&ev)) {
                        set_locale(chosen);
                    }
                }>
                    {Locale::ALL.into_iter().map(|option| view! {
                        <option value=option.tag() selected=move || locale() == option lang=option.tag()>
                            {option.native_name()}
                        </option>
                    }).collect_view()}
                </select>
            </label>
        </header>
    }
}
