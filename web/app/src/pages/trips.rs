//! My trips: the traveller's bookings in three tabs (upcoming, past, cancelled; the tab
//! lives in the URL), a page at a time; and one trip in full, with cancellation and refund
//! behind a confirmation dialog.
//!
//! The list and the single trip share the status badge and the route line, so they stay
//! together.

use airline_web_core::brand::brand_name;
use airline_web_core::cabin::{cabin_name, cabins_text, Cabin};
use airline_web_core::format::{day_offset, duration, TripGroup};
use airline_web_core::{BookingStatus, Money, Msg};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    self, booking_detail, cancel_booking, trips, ApiMoney, BookingDetail, CallError, CancelBooking,
    Trips,
};
use crate::components::{focus, Alert, FareTerms, MoreButton, Skeleton};
use crate::i18n::{date, locale, money, now, t, tf};
use crate::session::sleep;
use crate::storage;

type TripNode = trips::TripsBookingsEdgesNode;
type Booking = booking_detail::BookingDetailBooking;

/// How many pages one load may read looking for a trip that belongs in the open tab
/// (upcoming and past share the API's listing, so a page can hold none of either).
const MAX_PAGES_PER_LOAD: usize = 5;

/// A status as a badge: its words and the class that colours it.
fn status_badge(status: BookingStatus) -> impl IntoView {
    let (msg, class) = match status {
        BookingStatus::Confirmed => (Msg::StatusConfirmed, "badge status-confirmed"),
        BookingStatus::Cancelled => (Msg::StatusCancelled, "badge status-cancelled"),
        BookingStatus::Unconfirmed => (Msg::StatusUnconfirmed, "badge status-unconfirmed"),
    };
    view! { <span class=class>{move || t(msg)}</span> }
}

/// "London → Paris" on screen, "London to Paris" to a screen reader.
fn route(from: String, to: String) -> impl IntoView {
    let shown = format!("{from} → {to}");
    view! {
        <span aria-hidden="true">{shown}</span>
        <span class="visually-hidden">{move || tf(Msg::ResultsTitle, &[&from, &to])}</span>
    }
}

#[component]
pub fn TripsPage() -> impl IntoView {
    super::title(Msg::TripsTitle);
    let signed_in = super::require_sign_in();
    // Only a change of sign-in state reloads, not every token refresh.
    let signed_in = Memo::new(move |_| signed_in.get());
    let query = use_query_map();
    let group =
        Memo::new(move |_| TripGroup::from_key(&query.get().get("tab").unwrap_or_default()));
    let list = RwSignal::new(Vec::<TripNode>::new());
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<CallError>);
    let ticket = StoredValue::new(0u32);

    let load = move |group: TripGroup, after: Option<String>| {
        ticket.update_value(|n| *n += 1);
        let mine = ticket.get_value();
        let more = after.is_some();
        loading.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let checked_at = now();
            let status = (group == TripGroup::Cancelled).then_some(BookingStatus::Cancelled);
            let mut after = after;
            let mut found = Vec::new();
            let mut next = None;
            let mut problem = None;
            for _ in 0..MAX_PAGES_PER_LOAD {
                let result = api::run::<Trips>(trips::Variables {
                    status,
                    after: after.clone(),
                    recent: Some(storage::recent_ids()),
                })
                .await;
                if ticket.try_get_value() != Some(mine) {
                    return;
                }
                match result {
                    Ok(data) => {
                        let page = data.bookings;
                        found.extend(page.edges.into_iter().map(|edge| edge.node).filter(|trip| {
                            TripGroup::of(trip.status, trip.first_departure(), checked_at) == group
                        }));
                        next = page
                            .page_info
                            .end_cursor
                            .filter(|_| page.page_info.has_next_page);
                        if !found.is_empty() || next.is_none() {
                            break;
                        }
                        after = next.clone();
                    }
                    Err(failure) => {
                        // Keep the cursor of the last page read, so "show more" resumes there.
                        next = after.clone();
                        problem = Some(failure);
                        break;
                    }
                }
            }
            let first_new = found.first().map(|trip| trip.id.clone());
            if more {
                list.update(|all| all.extend(found));
            } else {
                list.set(found);
            }
            cursor.set(next);
            error.set(problem);
            loading.set(false);
            // After "show more", keyboard focus goes to the first trip it added.
            if let Some(id) = first_new.filter(|_| more) {
                sleep(0).await;
                focus(&format!("trip-link-{id}"));
            }
        });
    };

    Effect::new(move |_| {
        let group = group.get();
        if !signed_in.get() {
            return;
        }
        cursor.set(None);
        list.set(Vec::new());
        load(group, None);
    });
    let show_more = move || {
        if let Some(after) = cursor.get_untracked() {
            load(group.get_untracked(), Some(after));
        }
    };

    view! {
        <section class="page trips">
            <h1 id="trips-title">{move || t(Msg::TripsTitle)}</h1>
            <nav class="trip-tabs" aria-labelledby="trips-title">
                <ul>
                    {TripGroup::ALL
                        .into_iter()
                        .map(|tab| {
                            let href = format!("/trips?tab={}", tab.key());
                            view! {
                                <li>
                                    <a href=href aria-current=move || (group.get() == tab).then_some("page")>
                                        {move || t(tab.label())}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <Alert error=error />
            <Show when=move || loading.get() && list.with(Vec::is_empty)>
                <Skeleton count=3 />
            </Show>
            <Show when=move || !loading.get() && error.get().is_none() && list.with(Vec::is_empty)>
                <p class="card empty">{move || t(Msg::NoTrips)}</p>
            </Show>
            <ul class="trip-list">
                <For each=move || list.get() key=|trip| trip.id.clone() let:trip>
                    <TripCard trip=trip />
                </For>
            </ul>
            <MoreButton cursor=cursor loading=loading label=Msg::MoreTrips on_more=show_more />
        </section>
    }
}

#[component]
fn TripCard(trip: TripNode) -> impl IntoView {
    let href = format!("/trips/{}", trip.id);
    let link_id = format!("trip-link-{}", trip.id);
    let legs = trip
        .flights
        .iter()
        .map(|leg| {
            let flight = &leg.flight;
            view! { <span class="trip-leg">{route(flight.origin.city.clone(), flight.destination.city.clone())}</span> }
        })
        .collect_view();
    let when = trip.flights.first().map(|leg| {
        let departure = leg.flight.departure.clone();
        let number = leg.flight.flight_number.clone();
        view! {
            <p class="trip-when">
                {move || date(&departure.local_date)}" · "{departure.local_time.clone()}" · "{number}
            </p>
        }
    });
    let reference = trip.reference.clone();
    let total = trip.total.money();
    let cabins: Vec<Cabin> = trip.flights.iter().map(|leg| leg.cabin).collect();
    view! {
        <li class="card trip">
            <h2 class="trip-route">
                <a class="trip-link" id=link_id href=href>{legs}</a>
            </h2>
            {when}
            <dl class="facts">
                <div>
                    <dt>{move || t(Msg::Reference)}</dt>
                    <dd class="code">{move || reference.clone().unwrap_or_else(|| t(Msg::StatusUnconfirmed).to_owned())}</dd>
                </div>
                <div>
                    <dt>{move || t(Msg::Cabin)}</dt>
                    <dd>{move || cabins_text(&cabins, locale())}</dd>
                </div>
                <div>
                    <dt>{move || t(Msg::Total)}</dt>
                    <dd>{move || total.map(money)}</dd>
                </div>
            </dl>
            <p class="trip-status">{status_badge(trip.status)}</p>
        </li>
    }
}

/// Loads a booking into `booking`, or the reason it could not be into `error` (the trip
/// page, and its seat change).
pub(crate) async fn fetch_booking(
    id: String,
    booking: RwSignal<Option<Booking>>,
    error: RwSignal<Option<CallError>>,
) {
    match api::run::<BookingDetail>(booking_detail::Variables { id }).await {
        Ok(data) => {
            booking.set(Some(data.booking));
            error.set(None);
        }
        Err(problem) => error.set(Some(problem)),
    }
}

/// Whether the trip can be cancelled now: the booking's own rule, as the API states it.
fn cancellable(booking: &Booking) -> bool {
    booking.cancellable.allowed
}

/// What cancelling now gives back, as the API quotes it from the conditions the fares
/// were sold with; `None` when it cannot be cancelled.
fn refund_quote(booking: &Booking) -> Option<Money> {
    booking.cancellable.refund.as_ref()?.money()
}

#[component]
pub fn TripPage() -> impl IntoView {
    let signed_in = super::require_sign_in();
    let signed_in = Memo::new(move |_| signed_in.get());
    let params = use_params_map();
    let booking = RwSignal::new(None::<Booking>);
    let error = RwSignal::new(None::<CallError>);
    let cancel_error = RwSignal::new(None::<CallError>);
    // The amount refunded by a cancellation made on this page, for the status message.
    let refunded = RwSignal::new(None::<Money>);
    let busy = RwSignal::new(false);
    let dialog = NodeRef::<leptos::html::Dialog>::new();

    // The document title names the trip once it is known.
    Effect::new(move |_| {
        let reference = booking.with(|b| b.as_ref().and_then(|b| b.reference.clone()));
        let name = match reference {
            Some(reference) => tf(Msg::TripDetail, &[&reference]),
            None => t(Msg::StatusTitle).to_owned(),
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{name} · {}", t(Msg::AppName)));
        }
    });

    Effect::new(move |_| {
        let Some(id) = params.get().get("id") else {
            return;
        };
        if !signed_in.get() {
            return;
        }
        booking.set(None);
        error.set(None);
        cancel_error.set(None);
        refunded.set(None);
        leptos::task::spawn_local(fetch_booking(id, booking, error));
    });

    let open_dialog = move |_| {
        cancel_error.set(None);
        if let Some(dialog) = dialog.get_untracked() {
            let _ = dialog.show_modal();
        }
    };
    let keep = move |_| {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
        focus("cancel-button");
    };
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some(current) = booking.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::run::<CancelBooking>(cancel_booking::Variables {
                id: current.id.clone(),
            })
            .await;
            busy.set(false);
            if let Some(dialog) = dialog.get_untracked() {
                dialog.close();
            }
            match result {
                Ok(_) => {
                    // My trips and the points show the cancellation at once.
                    storage::note_recent(&current.id);
                    // What the quote said comes back is what the booking refunds.
                    refunded.set(refund_quote(&current));
                    fetch_booking(current.id, booking, error).await;
                    sleep(0).await;
                    focus("trip-notice");
                }
                Err(problem) => {
                    // A conflict means the booking changed meanwhile: show it as it is now.
                    let stale = problem.code() == "CONFLICT";
                    cancel_error.set(Some(problem));
                    if stale {
                        fetch_booking(current.id, booking, error).await;
                    }
                    sleep(0).await;
                    focus("cancel-problem");
                }
            }
        });
    };

    // The refund is quoted before the traveller confirms: all of it, part of it under the
    // fare's conditions, or nothing.
    let refund_text = move || {
        booking.with(|b| {
            let b = b.as_ref()?;
            let total = b.total.money()?;
            let refund = refund_quote(b)?;
            Some(if refund.amount_minor() == 0 {
                t(Msg::CancelConfirmNoRefund).to_owned()
            } else if refund == total {
                tf(Msg::CancelConfirmBody, &[&money(total)])
            } else {
                tf(Msg::CancelRefundOf, &[&money(refund), &money(total)])
            })
        })
    };
    let refunds_nothing = move || {
        booking.with(|b| {
            b.as_ref()
                .and_then(refund_quote)
                .is_some_and(|refund| refund.amount_minor() == 0)
        })
    };

    view! {
        <section class="page trip-detail">
            <p class="back">
                <a href="/trips">
                    <span aria-hidden="true">"←\u{a0}"</span>
                    {move || t(Msg::TripsTitle)}
                </a>
            </p>
            <div id="trip-notice" tabindex="-1" role="status" class:success=move || refunded.get().is_some()>
                {move || refunded.get().map(|refund| if refund.amount_minor() == 0 {
                    t(Msg::CancelledNoRefund).to_owned()
                } else {
                    tf(Msg::CancelledRefunded, &[&money(refund)])
                })}
            </div>
            <div id="cancel-problem" tabindex="-1">
                <Alert error=cancel_error />
            </div>
            <Alert error=error />
            {move || match booking.get() {
                Some(current) => {
                    let can_cancel = cancellable(&current);
                    view! {
                        <TripDetail booking=current />
                        <Show when=move || can_cancel>
                            <div class="trip-actions">
                                <button type="button" id="cancel-button" class="danger" aria-haspopup="dialog" on:click=open_dialog>
                                    {move || t(Msg::CancelBooking)}
                                </button>
                            </div>
                        </Show>
                    }
                    .into_any()
                }
                None if error.get().is_none() => view! { <Skeleton count=2 /> }.into_any(),
                None => ().into_any(),
            }}
            <dialog node_ref=dialog class="confirm-dialog" aria-labelledby="cancel-title" aria-describedby="cancel-body">
                <h2 id="cancel-title">{move || t(Msg::CancelConfirmTitle)}</h2>
                <p id="cancel-body">{refund_text}</p>
                <div class="dialog-actions">
                    <button type="button" class="secondary" autofocus=true disabled=move || busy.get() on:click=keep>
                        {move || t(Msg::KeepBooking)}
                    </button>
                    <button type="button" class="danger" disabled=move || busy.get() on:click=confirm>
                        {move || if busy.get() {
                            t(Msg::Loading)
                        } else if refunds_nothing() {
                            t(Msg::ConfirmCancelNoRefund)
                        } else {
                            t(Msg::ConfirmCancel)
                        }}
                    </button>
                </div>
            </dialog>
        </section>
    }
}

/// One booking in full: reference and status, each flight with its seats, the
/// passengers and the total.
#[component]
fn TripDetail(booking: Booking) -> impl IntoView {
    let status = booking.status;
    let booking_id = booking.id.clone();
    let can_change = cancellable(&booking);
    let reference = booking.reference.clone();
    let heading_reference = reference.clone();
    let reason = (status == BookingStatus::Cancelled)
        .then(|| booking.failure.clone())
        .flatten()
        .map(|failure| {
            if failure.message.trim().is_empty() {
                failure.code
            } else {
                failure.message
            }
        });
    let total = booking.total.money();
    let total_label = if status == BookingStatus::Confirmed {
        Msg::Paid
    } else {
        Msg::Total
    };
    let legs = booking
        .flights
        .iter()
        .enumerate()
        .map(|(index, leg)| {
            let flight = leg.flight.clone();
            let heading = if index == 0 { Msg::OutboundFlights } else { Msg::ReturnFlights };
            let heading_id = format!("leg-{index}");
            let labelled_by = heading_id.clone();
            let departure_date = flight.departure.local_date.clone();
            let offset = flight.arrival_day_offset;
            let minutes = flight.duration_minutes;
            let seats = leg.seats.join(", ");
            // Seats can be moved while the trip is ahead (the API says until when: check-in
            // closing).
            let change_seats = can_change.then(|| {
                let href = format!("/trips/{}/seats/{index}", booking_id);
                view! { <p class="leg-actions"><a class="button secondary" href=href>{move || t(Msg::ChangeSeats)}</a></p> }
            });
            let cabin = leg.cabin;
            let brand = leg.brand;
            // The terms the fare was sold with: what a cancellation here refunds.
            let (conditions, fee_currency) = api::fare_conditions(&leg.conditions);
            let terms = fee_currency
                .or_else(|| total.map(|total| total.currency()))
                .map(|currency| view! { <FareTerms conditions=conditions currency=currency /> });
            view! {
                <section class="card trip-leg-detail" aria-labelledby=labelled_by>
                    <h2 id=heading_id>{move || tf(heading, &[&date(&departure_date)])}</h2>
                    <p class="leg-times">
                        <span class="time">{flight.departure.local_time.clone()}</span>
                        " "
                        <span class="code">{flight.origin.code.clone()}</span>
                        <span aria-hidden="true">" → "</span>
                        <span class="time">{flight.arrival.local_time.clone()}</span>
                        " "
                        <span class="code">{flight.destination.code.clone()}</span>
                        {move || day_offset(offset, locale()).map(|text| view! { " " <span class="offset">{text}</span> })}
                    </p>
                    <p class="leg-cities">
                        <span class="code">{flight.flight_number.clone()}</span>
                        " · "
                        {route(flight.origin.city.clone(), flight.destination.city.clone())}
                    </p>
                    <dl class="facts">
                        <div>
                            <dt>{move || t(Msg::Duration)}</dt>
                            <dd>{move || duration(minutes, locale())}</dd>
                        </div>
                        <div>
                            <dt>{move || t(Msg::FareBrandLabel)}</dt>
                            <dd class="cabin">{move || format!("{} {}", t(cabin_name(cabin)), t(brand_name(brand)))}{terms}</dd>
                        </div>
                        <Show when={
                            let empty = seats.is_empty();
                            move || !empty
                        }>
                            <div>
                                <dt>{move || t(Msg::Seats)}</dt>
                                <dd>{seats.clone()}</dd>
                            </div>
                        </Show>
                    </dl>
                    {change_seats}
                </section>
            }
        })
        .collect_view();
    let passengers = booking
        .passengers
        .iter()
        .map(|p| view! { <li>{format!("{} {}", p.first_name, p.last_name)}</li> })
        .collect_view();
    view! {
        <header class="trip-head">
            <h1 id="trip-title" tabindex="-1">
                {move || match &heading_reference {
                    Some(reference) => tf(Msg::TripDetail, &[reference]),
                    None => t(Msg::StatusTitle).to_owned(),
                }}
            </h1>
            {status_badge(status)}
        </header>
        <dl class="facts trip-summary">
            <div>
                <dt>{move || t(Msg::Reference)}</dt>
                <dd class="code">{move || reference.clone().unwrap_or_else(|| t(Msg::StatusUnconfirmed).to_owned())}</dd>
            </div>
            <div>
                <dt>{move || t(total_label)}</dt>
                <dd>{move || total.map(money)}</dd>
            </div>
        </dl>
        {reason.map(|reason| view! { <p class="notice cancel-reason">{move || tf(Msg::CancelReason, &[&reason])}</p> })}
        <div class="trip-legs">{legs}</div>
        <section class="card" aria-labelledby="passengers-title">
            <h2 id="passengers-title">{move || t(Msg::Passengers)}</h2>
            <ol class="passenger-list">{passengers}</ol>
        </section>
    }
}
