//! The booking pages' module: seats, checkout and the booking's status, fetched together,
//! because whoever chooses seats goes on to the checkout and its outcome; and a booked
//! trip's seat change, which is the same seat map.

use airline_web_core::pages::{BookingPage, Page};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::checkout::CheckoutPage;
use crate::pages::seats::{ChangeSeatsPage, SeatsPage};
use crate::pages::status::StatusPage;
use crate::pages::NotFound;

/// The route to each booking page; its view, the three pages', is split off into the
/// `__booking_pages_view` module.
pub struct BookingPages(Option<BookingPage>);

#[lazy_route]
impl LazyRoute for BookingPages {
    fn data() -> Self {
        match super::page_opening() {
            Some(Page::Booking(page)) => Self(Some(page)),
            _ => Self(None),
        }
    }

    fn view(this: Self) -> AnyView {
        match this.0 {
            Some(BookingPage::Seats) => SeatsPage().into_any(),
            Some(BookingPage::Checkout) => CheckoutPage().into_any(),
            Some(BookingPage::Status) => StatusPage().into_any(),
            Some(BookingPage::ChangeSeats) => ChangeSeatsPage().into_any(),
            // The router sends only the booking pages' paths here.
            None => NotFound().into_any(),
        }
    }
}

/// Fetches the booking pages' code ahead of the traveller, from the results, so choosing
/// seats waits for the seat map alone.
pub fn prefetch() {
    leptos::task::spawn_local(BookingPages::preload());
}
