//! After "pay": progress while the booking saga runs, then the confirmation with its
//! reference, or the failure explained with the way forward.

use airline_web_core::cabin::cabin_name;
use airline_web_core::checkout::{explain_failure, idempotency_key, NextStep};
use airline_web_core::format::{day_offset, duration};
use airline_web_core::{BookingStatus, Msg};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::{self, booking_detail, ApiMoney, CallError};
use crate::components::{focus, Alert};
use crate::i18n::{date, locale, money, t, tf};
use crate::session::sleep;
use crate::storage;

pub type Booking = booking_detail::BookingDetailBooking;

/// How often an unfinished booking is asked about again.
const POLL_MS: i32 = 1_000;

#[component]
pub fn StatusPage() -> impl IntoView {
    super::title(Msg::StatusTitle);
    let signed_in = super::require_sign_in();
    let params = use_params_map();
    let booking = RwSignal::new(None::<Booking>);
    let error = RwSignal::new(None::<CallError>);

    Effect::new(move |_| {
        let Some(id) = params.get().get("id") else {
            return;
        };
        if !signed_in.get() {
            return;
        }
        leptos::task::spawn_local(async move {
            loop {
                match api::run::<api::BookingDetail>(booking_detail::Variables { id: id.clone() })
                    .await
                {
                    Ok(data) => {
                        let done = data.booking.status != BookingStatus::Unconfirmed;
                        booking.set(Some(data.booking));
                        if done {
                            focus("status-title");
                            return;
                        }
                    }
                    Err(problem) => {
                        error.set(Some(problem));
                        return;
                    }
                }
                sleep(POLL_MS).await;
            }
        });
    });

    view! {
        <section class="page">
            <Alert error=error />
            {move || match booking.get() {
                None if error.get().is_none() => processing().into_any(),
                None => ().into_any(),
                Some(b) => match b.status {
                    BookingStatus::Unconfirmed => processing().into_any(),
                    BookingStatus::Confirmed => confirmed(b).into_any(),
                    BookingStatus::Cancelled => failed(b).into_any(),
                },
            }}
        </section>
    }
}

fn processing() -> impl IntoView {
    view! {
        <h1 id="status-title" tabindex="-1">{move || t(Msg::StatusTitle)}</h1>
        <div class="card progress-line" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{move || t(Msg::Processing)}</span>
        </div>
    }
}

fn confirmed(booking: Booking) -> impl IntoView {
    // This checkout is done: a new search starts a new one.
    storage::clear();
    let reference = booking.reference.clone().unwrap_or_default();
    let trip = format!("/trips/{}", booking.id);
    view! {
        <h1 id="status-title" tabindex="-1">{move || tf(Msg::Confirmed, &[&reference])}</h1>
        <div class="success" role="status">{move || t(Msg::ConfirmedLead)}</div>
        <BookingSummary booking=booking />
        <div class="next-steps">
            <a class="button" href=trip>{move || t(Msg::ViewTrip)}</a>
            <a class="button secondary" href="/">{move || t(Msg::StartOver)}</a>
        </div>
    }
}

fn failed(booking: Booking) -> impl IntoView {
    let code = booking
        .failure
        .as_ref()
        .map(|f| f.code.clone())
        .unwrap_or_default();
    let (explanation, next) = explain_failure(&code);
    let navigate = use_navigate();
    let go = move |_| {
        let Some(mut checkout) = storage::load() else {
            navigate("/", Default::default());
            return;
        };
        // The failed attempt's key would return the failed booking: a new attempt needs
        // a new key.
        checkout.idempotency_key = idempotency_key(storage::random_bytes());
        let target = match next {
            NextStep::TryAnotherCard => checkout.page_path("/book/checkout"),
            NextStep::PickSeatsAgain => {
                checkout.outbound_seats.clear();
                checkout.inbound_seats.clear();
                checkout.page_path("/book/seats")
            }
            NextStep::BackToResults => format!("/flights?{}", checkout.search_query),
            NextStep::StartOver => "/".to_owned(),
        };
        storage::save(&checkout);
        navigate(&target, Default::default());
    };
    view! {
        <h1 id="status-title" tabindex="-1">{move || t(Msg::BookingFailed)}</h1>
        <div class="alert" role="alert">
            <p>{move || t(explanation)}</p>
            <p>{move || t(Msg::NothingCharged)}</p>
        </div>
        <div class="next-steps">
            <button type="button" class="primary" on:click=go>{move || t(next.label())}</button>
        </div>
    }
}

/// Reference, flights with cabin and seats, passengers and total: shared with the trip
/// page.
#[component]
pub fn BookingSummary(booking: Booking) -> impl IntoView {
    let total = booking.total.money();
    let passengers = booking
        .passengers
        .iter()
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .collect::<Vec<_>>()
        .join(", ");
    let flights = booking
        .flights
        .into_iter()
        .map(|leg| {
            let flight = leg.flight;
            let offset = flight.arrival_day_offset;
            let minutes = flight.duration_minutes;
            let seats = leg.seats.join(", ");
            let cabin = leg.cabin;
            view! {
                <li>
                    <strong>{format!("{} · {} ({}) → {} ({})", flight.flight_number, flight.origin.city, flight.origin.code, flight.destination.city, flight.destination.code)}</strong>
                    <br />
                    {move || date(&flight.departure.local_date)}" · "
                    {flight.departure.local_time.clone()}" → "{flight.arrival.local_time.clone()}
                    {move || day_offset(offset, locale()).map(|d| format!(" ({d})"))}
                    " · "{move || duration(minutes, locale())}
                    <br />
                    {move || t(Msg::Cabin)}": "{move || t(cabin_name(cabin))}" · "
                    {move || t(Msg::Seats)}": "{seats.clone()}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="card">
            <ul class="itinerary">{flights}</ul>
            <p><strong>{move || t(Msg::Passengers)}": "</strong>{passengers}</p>
            <p><strong>{move || t(Msg::Total)}": "</strong>{move || total.map(money)}</p>
        </div>
    }
}
