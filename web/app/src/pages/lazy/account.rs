//! A traveller's own pages, one module: My trips, one trip and the profile.

use airline_web_core::pages::{AccountPage, Page};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::profile::ProfilePage;
use crate::pages::trips::{TripPage, TripsPage};
use crate::pages::NotFound;

/// The route to each of a traveller's own pages; its view, the three pages', is split off
/// into the `__account_pages_view` module.
pub struct AccountPages(Option<AccountPage>);

#[lazy_route]
impl LazyRoute for AccountPages {
    fn data() -> Self {
        match super::page_opening() {
            Some(Page::Account(page)) => Self(Some(page)),
            _ => Self(None),
        }
    }

    fn view(this: Self) -> AnyView {
        match this.0 {
            Some(AccountPage::Trips) => TripsPage().into_any(),
            Some(AccountPage::Trip) => TripPage().into_any(),
            Some(AccountPage::Profile) => ProfilePage().into_any(),
            // The router sends only these pages' paths here.
            None => NotFound().into_any(),
        }
    }
}
