//! The pages that are not in the first download, and how the router loads them: each
//! group below is split into its own wasm module at build time (scripts/build-web.sh), and
//! each route names the group its page is in. The app's route table (crate::app) uses the
//! routes; pages that lead to a group prefetch it.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// The results, the page most often opened from a link: on its own, so a link to it
/// downloads no more than it shows.
#[lazy]
fn results_page() -> AnyView {
    super::results::ResultsPage().into_any()
}

/// The pages after the results, fetched together the first time a traveller goes to
/// one: whoever chooses seats goes on to the checkout and its outcome.
#[derive(Clone, Copy)]
enum BookingPage {
    Seats,
    Checkout,
    Status,
}

#[lazy]
fn booking_page(page: BookingPage) -> AnyView {
    match page {
        BookingPage::Seats => super::seats::SeatsPage().into_any(),
        BookingPage::Checkout => super::checkout::CheckoutPage().into_any(),
        BookingPage::Status => super::status::StatusPage().into_any(),
    }
}

/// A traveller's own pages, fetched together: trips, one trip, the profile.
#[derive(Clone, Copy)]
enum AccountPage {
    Trips,
    Trip,
    Profile,
}

#[lazy]
fn account_page(page: AccountPage) -> AnyView {
    match page {
        AccountPage::Trips => super::trips::TripsPage().into_any(),
        AccountPage::Trip => super::trips::TripPage().into_any(),
        AccountPage::Profile => super::profile::ProfilePage().into_any(),
    }
}

/// Fetches the results page's code ahead of the traveller, from the search form, so the
/// search that follows waits for its flights alone.
pub fn prefetch_results() {
    leptos::task::spawn_local(__preload_results_page());
}

/// Fetches the code of the pages after the results, from the results.
pub fn prefetch_booking() {
    leptos::task::spawn_local(__preload_booking_page());
}

/// Routes to pages whose code is not in the first download. The search page, the frame
/// and the account forms are; the rest is split off at build time (scripts/build-web.sh)
/// into one module per group above (web/shell/boot.js fetches a deep link's group
/// alongside the app), so a phone on the search page downloads only what it runs.
macro_rules! lazy_routes {
    ($($route:ident => $group:ident($($page:expr)?), $preload:ident;)*) => {$(
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                $group($($page)?).await
            }

            async fn preload() {
                $preload().await;
            }
        }
    )*};
}

lazy_routes! {
    ResultsRoute => results_page(), __preload_results_page;
    SeatsRoute => booking_page(BookingPage::Seats), __preload_booking_page;
    CheckoutRoute => booking_page(BookingPage::Checkout), __preload_booking_page;
    StatusRoute => booking_page(BookingPage::Status), __preload_booking_page;
    TripsRoute => account_page(AccountPage::Trips), __preload_account_page;
    TripRoute => account_page(AccountPage::Trip), __preload_account_page;
    ProfileRoute => account_page(AccountPage::Profile), __preload_account_page;
}
