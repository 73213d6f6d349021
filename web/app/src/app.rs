//! The frame around every page (header, navigation, language, skip link) and the router,
//! built from the app's table of contents: web/core's page table
//! (`airline_web_core::pages`), which also tells the build which pages to split off.

use std::sync::Arc;

use airline_web_core::pages::{Page, PageRoute, Segment, PAGE_ROUTES};
use airline_web_core::{Locale, Msg};
use leptos::prelude::*;
use leptos::tachys::view::iterators::StaticVec;
use leptos_router::any_nested_route::{AnyNestedRoute, IntoAnyNestedRoute};
use leptos_router::components::{Router, Routes, RoutesProps};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{Lazy, NestedRoute, ParamSegment, PossibleRouteMatch, StaticSegment};

use crate::i18n::{locale, set_locale, t};
use crate::pages;
use crate::pages::lazy::{account::AccountPages, booking::BookingPages, results::ResultsPages};
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
                <PageRoutes />
            </main>
        </Router>
    }
}

/// The router's `<Routes>`, defined by the page table. Called as a function because
/// `view!` takes a `<Routes>`'s definitions only as `<Route>` elements written out.
#[component]
fn PageRoutes() -> impl IntoView {
    Routes(
        RoutesProps::builder()
            .fallback(pages::NotFound)
            .children(ToChildren::to_children(page_routes))
            .build(),
    )
}

/// One route per row of the page table, in its order. A page in the first download gets
/// its component; a page split off gets its group's lazy route, which loads the group's
/// module and shows the page the path names.
fn page_routes() -> StaticVec<AnyNestedRoute> {
    PAGE_ROUTES
        .iter()
        .map(|route| {
            let path = router_path(route);
            match route.page {
                Page::Search => {
                    NestedRoute::new(path, pages::search::SearchPage).into_any_nested_route()
                }
                Page::SignIn => {
                    NestedRoute::new(path, pages::account::SignInPage).into_any_nested_route()
                }
                Page::SignUp => {
                    NestedRoute::new(path, pages::account::SignUpPage).into_any_nested_route()
                }
                Page::Results => {
                    NestedRoute::new(path, Lazy::<ResultsPages>::new()).into_any_nested_route()
                }
                Page::Booking(_) => {
                    NestedRoute::new(path, Lazy::<BookingPages>::new()).into_any_nested_route()
                }
                Page::Account(_) => {
                    NestedRoute::new(path, Lazy::<AccountPages>::new()).into_any_nested_route()
                }
            }
        })
        .collect::<Vec<_>>()
        .into()
}

/// A table path as the router's segments, what `path!` would make of it as a literal: made
/// at run time, as each segment followed by the rest, down to `()` (which is `path!("/")`).
fn router_path(route: &PageRoute) -> Arc<dyn PossibleRouteMatch + Send + Sync> {
    let segments: Vec<Segment> = route.segments().collect();
    let end: Arc<dyn PossibleRouteMatch + Send + Sync> = Arc::new(());
    segments.into_iter().rev().fold(end, |rest, segment| {
        let segment: Arc<dyn PossibleRouteMatch + Send + Sync> = match segment {
            Segment::Static(name) => Arc::new(StaticSegment(name)),
            Segment::Param(name) => Arc::new(ParamSegment(name)),
        };
        Arc::new((segment, rest))
    })
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
