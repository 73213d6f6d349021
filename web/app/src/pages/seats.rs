//! Seat choice for each leg of the checkout, and for one flight of a booked trip: the
//! aircraft's seat map with free and taken seats, in the cabin the fare buys (the other
//! cabin's seats shown but not for this fare), one seat per passenger or "seat us
//! together", all of it usable with arrow keys and a screen reader.

use airline_web_core::brand::FareBrands;
use airline_web_core::cabin::{cabin_name, Cabin, FareCabins};
use airline_web_core::checkout::{idempotency_key, Checkout};
use airline_web_core::fare::Leg;
use airline_web_core::seats::{spoken_label, SeatPlan, SeatState, Step};
use airline_web_core::seats::{Seat, SeatId};
use airline_web_core::Msg;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::{self, booking_detail, change_seats, seat_plan, CallError};
use crate::components::{describe, focus, Alert, Skeleton};
use crate::i18n::{date, locale, t, tf};
use crate::storage;

#[component]
pub fn SeatsPage() -> impl IntoView {
    super::title(Msg::SeatsTitle);
    match checkout_at_address() {
        Some(checkout) => view! { <Seats checkout=checkout /> }.into_any(),
        None => view! { <NothingToBook /> }.into_any(),
    }
}

/// The checkout in progress, in the cabins and brands the page's address names: the
/// address is what the traveller reloads, shares with themselves or goes Back to, so it
/// decides (see [`Checkout::choose_fares`]). `None` with nothing to book.
pub fn checkout_at_address() -> Option<Checkout> {
    let mut checkout = storage::load().filter(|c| c.outbound.is_some())?;
    let query = use_query_map().get_untracked();
    let fares = (
        FareCabins::from_query(|key| query.get(key)),
        FareBrands::from_query(|key| query.get(key)),
    );
    if checkout.choose_fares(fares, || idempotency_key(storage::random_bytes())) {
        storage::save(&checkout);
    }
    Some(checkout)
}

#[component]
pub fn NothingToBook() -> impl IntoView {
    view! {
        <section class="page narrow">
            <h1>{move || t(Msg::SeatsTitle)}</h1>
            <p>{move || t(Msg::NothingToBook)}</p>
            <p><a class="button" href="/">{move || t(Msg::StartOver)}</a></p>
        </section>
    }
}

#[component]
fn Seats(checkout: Checkout) -> impl IntoView {
    let navigate = use_navigate();
    let passengers = checkout.passengers as usize;
    let outbound_seats = RwSignal::new(full_or_empty(&checkout.outbound_seats, passengers));
    let inbound_seats = RwSignal::new(full_or_empty(&checkout.inbound_seats, passengers));
    let chosen_count =
        move |seats: RwSignal<Vec<Option<String>>>| seats.get().iter().flatten().count();
    let has_inbound = checkout.inbound.is_some();
    let all_chosen = move || {
        chosen_count(outbound_seats) == passengers
            && (!has_inbound || chosen_count(inbound_seats) == passengers)
    };

    let go_on = {
        let checkout = checkout.clone();
        move |keep_choice: bool| {
            let mut next = checkout.clone();
            let collect = |seats: RwSignal<Vec<Option<String>>>| {
                let seats: Vec<String> = seats.get_untracked().into_iter().flatten().collect();
                if keep_choice && seats.len() == passengers {
                    seats
                } else {
                    Vec::new()
                }
            };
            next.outbound_seats = collect(outbound_seats);
            next.inbound_seats = if has_inbound {
                collect(inbound_seats)
            } else {
                Vec::new()
            };
            storage::save(&next);
            navigate(&next.page_path("/book/checkout"), Default::default());
        }
    };
    let continue_with = go_on.clone();
    let skip = go_on;
    let outbound_id = checkout.outbound.clone().unwrap_or_default();
    let cabins = checkout.cabins;
    let search_query = checkout.search_query.clone();
    let inbound = checkout.inbound.clone().map(|id| {
        view! {
            <LegSeats flight_id=id passengers=passengers seats=inbound_seats
                cabin=cabins.of(Leg::Return) search_query=search_query.clone() />
        }
    });

    view! {
        <section class="page">
            <h1 id="seats-title" tabindex="-1">{move || t(Msg::SeatsTitle)}</h1>
            <p class="lead">{move || t(Msg::SeatsLead)}</p>
            <p class="hint">{move || t(Msg::SeatKeysHelp)}</p>
            <div class="seat-legs">
                <LegSeats flight_id=outbound_id passengers=passengers seats=outbound_seats
                    cabin=cabins.of(Leg::Outbound) search_query=search_query />
                {inbound}
            </div>
            <div class="continue-bar">
                <button type="button" class="link" on:click=move |_| skip(false)>{move || t(Msg::SkipSeats)}</button>
                <button type="button" class="primary" disabled=move || !all_chosen() on:click=move |_| continue_with(true)>
                    {move || t(Msg::ContinueToPassengers)}
                </button>
            </div>
        </section>
    }
}

/// A booked trip's seats on one flight, moved: the seat map with the passengers' current
/// seats chosen, free to keep or swap, and "Save seats", which the booking's object
/// carries out with the flight (or refuses, with the reason, changing nothing).
#[component]
pub fn ChangeSeatsPage() -> impl IntoView {
    super::title(Msg::ChangeSeatsTitle);
    let signed_in = super::require_sign_in();
    let params = use_params_map();
    let booking = RwSignal::new(None::<booking_detail::BookingDetailBooking>);
    let error = RwSignal::new(None::<CallError>);
    Effect::new(move |_| {
        let Some(id) = params.get().get("id") else {
            return;
        };
        if !signed_in.get() {
            return;
        }
        leptos::task::spawn_local(super::trips::fetch_booking(id, booking, error));
    });
    let leg = move || {
        params
            .get()
            .get("leg")
            .and_then(|leg| leg.parse::<usize>().ok())
            .unwrap_or(0)
    };
    view! {
        <section class="page">
            <h1 id="seats-title" tabindex="-1">{move || t(Msg::ChangeSeatsTitle)}</h1>
            <p class="lead">{move || t(Msg::ChangeSeatsLead)}</p>
            <p class="hint">{move || t(Msg::SeatKeysHelp)}</p>
            <Alert error=error />
            {move || match booking.get() {
                Some(found) => match found.flights.get(leg()).cloned() {
                    Some(flight) => view! {
                        <MoveSeats booking_id=found.id.clone() passengers=found.passengers.len() flight=flight />
                    }
                    .into_any(),
                    None => view! { <p>{t(Msg::NothingToBook)}</p> }.into_any(),
                },
                None if error.get().is_none() => view! { <Skeleton count=1 /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// One flight of a booking, its seats to move.
#[component]
fn MoveSeats(
    booking_id: String,
    passengers: usize,
    flight: booking_detail::BookingDetailBookingFlights,
) -> impl IntoView {
    let current = flight.seats.clone();
    let seats = RwSignal::new(full_or_empty(&current, passengers));
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let back = format!("/trips/{booking_id}");
    let flight_id = flight.flight.id.clone();
    let unchanged = {
        let current = current.clone();
        move || {
            let chosen: Vec<String> = seats.get().into_iter().flatten().collect();
            chosen.len() != passengers || chosen == current
        }
    };
    let save = move |_| {
        let chosen: Vec<String> = seats.get_untracked().into_iter().flatten().collect();
        let (booking_id, flight_id) = (booking_id.clone(), flight_id.clone());
        busy.set(true);
        problem.set(None);
        saved.set(None);
        leptos::task::spawn_local(async move {
            let result = api::run::<api::ChangeSeats>(change_seats::Variables {
                booking_id,
                flight_id,
                seats: chosen,
            })
            .await;
            busy.set(false);
            match result {
                Ok(data) => {
                    let now: Vec<String> = data
                        .change_seats
                        .flights
                        .into_iter()
                        .flat_map(|leg| leg.seats)
                        .filter(|seat| seats.with_untracked(|s| s.contains(&Some(seat.clone()))))
                        .collect();
                    saved.set(Some(tf(Msg::SeatsChanged, &[&now.join(", ")])));
                    focus("seats-result");
                }
                Err(error) => {
                    problem.set(Some(describe(&error)));
                    focus("seats-result");
                }
            }
        });
    };
    view! {
        <div class="seat-legs">
            <LegSeats flight_id=flight.flight.id.clone() passengers=passengers seats=seats
                cabin=flight.cabin search_query=String::new() own=current />
        </div>
        <div id="seats-result" tabindex="-1" role="status">
            {move || saved.get().map(|text| view! { <p class="notice success">{text}</p> })}
            {move || problem.get().map(|text| view! { <p class="error">{text}</p> })}
        </div>
        <div class="continue-bar">
            <a href=back>{move || t(Msg::BackToTrip)}</a>
            <button type="button" class="primary" disabled=move || busy.get() || unchanged() on:click=save>
                {move || if busy.get() { t(Msg::Loading) } else { t(Msg::SaveSeats) }}
            </button>
        </div>
    }
}

fn full_or_empty(seats: &[String], passengers: usize) -> Vec<Option<String>> {
    if seats.len() == passengers {
        seats.iter().cloned().map(Some).collect()
    } else {
        vec![None; passengers]
    }
}

/// One flight's seat map and the party's choice on it, for a fare in `cabin`.
#[component]
fn LegSeats(
    flight_id: String,
    passengers: usize,
    seats: RwSignal<Vec<Option<String>>>,
    cabin: Cabin,
    /// The results this checkout came from, for a fare the flight does not sell.
    search_query: String,
    /// Seats the booking has already: free to it (to keep, or swap between passengers).
    #[prop(optional)]
    own: Vec<String>,
) -> impl IntoView {
    let id = flight_id.clone();
    let data = LocalResource::new(move || {
        let id = id.clone();
        async move { api::run::<api::SeatPlan>(seat_plan::Variables { flight_id: id }).await }
    });
    move || match data.get() {
        None => view! { <Skeleton count=1 /> }.into_any(),
        Some(Err(error)) => {
            view! { <Alert error=Signal::derive(move || Some(error.clone())) /> }.into_any()
        }
        Some(Ok(found)) => {
            leg_view(found, passengers, seats, cabin, &search_query, &own).into_any()
        }
    }
}

fn leg_view(
    data: seat_plan::ResponseData,
    passengers: usize,
    seats: RwSignal<Vec<Option<String>>>,
    cabin: Cabin,
    search_query: &str,
    own: &[String],
) -> impl IntoView {
    let flight = data.flight;
    let map = data.seat_map;
    let all: Vec<&seat_plan::SeatPlanSeatMapRowsSeats> =
        map.rows.iter().flat_map(|row| row.seats.iter()).collect();
    let sellable = all
        .iter()
        .filter(|seat| !matches!(seat.status, seat_plan::SeatStatus::BLOCKED))
        .count() as u32;
    let taken: Vec<&str> = all
        .iter()
        .filter(|seat| !matches!(seat.status, seat_plan::SeatStatus::FREE))
        .filter(|seat| !own.contains(&seat.id))
        .map(|seat| seat.id.as_str())
        .collect();
    let Some(plan) = SeatPlan::new(&map.aircraft, sellable, taken, cabin) else {
        return view! { <div class="alert" role="alert">{t(Msg::FailOther)}</div> }.into_any();
    };
    // A seat chosen earlier that someone else has taken since (or that is not in the
    // fare's cabin) is dropped from the choice.
    seats.update(|chosen| {
        for seat in chosen.iter_mut() {
            if seat
                .as_deref()
                .and_then(|s| SeatId::parse(s).ok())
                .is_some_and(|s| !plan.is_free(s))
            {
                *seat = None;
            }
        }
    });
    let plan = StoredValue::new(plan);
    let focused = RwSignal::new(plan.with_value(|p| p.first_stop()));
    let notice = RwSignal::new(None::<Msg>);
    let prefix = format!("seat-{}", flight.id);
    // The date is the line below's, in the traveller's language; the heading keeps the
    // local departure time.
    let heading = format!(
        "{} · {} → {} · {}",
        flight.flight_number,
        flight.origin.city,
        flight.destination.city,
        flight.departure.local_time
    );
    let number = flight.flight_number.clone();

    let state_of = move |id: SeatId| seats.with(|chosen| plan.with_value(|p| p.state(id, chosen)));
    let toggle = move |id: SeatId| {
        let text = id.to_string();
        seats.update(|chosen| {
            if let Some(index) = chosen
                .iter()
                .position(|s| s.as_deref() == Some(text.as_str()))
            {
                chosen[index] = None;
            } else if plan.with_value(|p| p.is_free(id)) {
                // The first passenger without a seat gets it; with everyone seated, the last
                // passenger moves here.
                let slot = chosen
                    .iter()
                    .position(Option::is_none)
                    .unwrap_or(passengers.saturating_sub(1));
                if let Some(seat) = chosen.get_mut(slot) {
                    *seat = Some(text);
                }
            }
        });
    };
    let together = move |_| match plan.with_value(|p| p.together(passengers)) {
        Some(found) => {
            seats.set(found.iter().map(|id| Some(id.to_string())).collect());
            focused.set(found.first().copied());
            notice.set(None);
        }
        None => notice.set(Some(Msg::NoSeatsTogether)),
    };
    let seat_dom_id = {
        let prefix = prefix.clone();
        move |id: SeatId| format!("{prefix}-{id}")
    };
    let on_key = {
        let seat_dom_id = seat_dom_id.clone();
        move |ev: leptos::ev::KeyboardEvent, id: SeatId| {
            if let Some(step) = Step::from_key(&ev.key()) {
                ev.prevent_default();
                if let Some(next) = plan.with_value(|p| p.step(id, step)) {
                    focused.set(Some(next));
                    focus(&seat_dom_id(next));
                }
            }
        }
    };

    let rows = plan.with_value(|p| p.map().rows().to_vec());
    let mut last_cabin = None;
    let rows_view = rows
        .into_iter()
        .map(|row| {
            let cabin_heading = (last_cabin != Some(row.cabin)).then(|| {
                let row_cabin = row.cabin;
                view! {
                    <p class="cabin-label" class:yours=row_cabin == cabin>
                        {move || plan.with_value(|p| p.cabin_label(row_cabin, locale()))}
                    </p>
                }
            });
            last_cabin = Some(row.cabin);
            let business = row.cabin == Cabin::Business;
            let other_cabin = row.cabin != cabin;
            let blocks: Vec<Vec<Seat>> = row.blocks().map(<[_]>::to_vec).collect();
            let block_count = blocks.len();
            let cells = blocks
                .into_iter()
                .enumerate()
                .map(|(index, block)| {
                    let seats_view = block
                        .into_iter()
                        .map(|seat| {
                            let id = seat.id;
                            let on_key = on_key.clone();
                            let label_seat = seat.clone();
                            view! {
                                <button
                                    type="button"
                                    id=seat_dom_id(id)
                                    class="seat"
                                    class:business=business
                                    class:exit=seat.exit_row
                                    class:other-cabin=other_cabin
                                    class:taken=move || state_of(id) == SeatState::Taken
                                    class:chosen=move || matches!(state_of(id), SeatState::Chosen(_))
                                    tabindex=move || if focused.get() == Some(id) { "0" } else { "-1" }
                                    aria-pressed=move || matches!(state_of(id), SeatState::Chosen(_)).to_string()
                                    aria-disabled=move || (!state_of(id).selectable()).then_some("true")
                                    aria-label=move || spoken_label(&label_seat, state_of(id), locale())
                                    on:click=move |_| { focused.set(Some(id)); toggle(id) }
                                    on:keydown=move |ev| on_key(ev, id)
                                >
                                    {move || match state_of(id) {
                                        SeatState::Chosen(n) => n.to_string(),
                                        _ => id.letter().to_string(),
                                    }}
                                </button>
                            }
                        })
                        .collect_view();
                    let aisle = (index + 1 < block_count).then(|| view! { <span class="aisle" aria-hidden="true"></span> });
                    view! { {seats_view}{aisle} }
                })
                .collect_view();
            view! {
                {cabin_heading}
                <div class="seat-row" role="group" aria-label=row.number.to_string()>
                    <span class="row-number" aria-hidden="true">{row.number}</span>
                    {cells}
                </div>
            }
        })
        .collect_view();

    let sells_cabin = plan.with_value(SeatPlan::sells_fare_cabin);
    let results = format!("/flights?{search_query}");
    let other_cabins = plan.with_value(SeatPlan::other_cabins);
    let other_legend = other_cabins
        .into_iter()
        .map(|other| {
            view! {
                <li>
                    <span class="seat other-cabin" aria-hidden="true"></span>
                    {move || plan.with_value(|p| p.cabin_label(other, locale()))}
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="card leg-seats" aria-label=move || tf(Msg::SeatMapOf, &[&number])>
            <h2>{heading}</h2>
            <p class="hint">{move || date(&flight.departure.local_date)}" · "{flight.aircraft.name.clone()}</p>
            <p class="fare-cabin">{move || tf(Msg::FareCabin, &[t(cabin_name(cabin))])}</p>
            {(!sells_cabin).then(|| view! {
                <div class="alert" role="alert">
                    <p>{move || tf(Msg::CabinNotSold, &[t(cabin_name(cabin))])}</p>
                    <p><a href=results.clone()>{move || t(Msg::BackToResults)}</a></p>
                </div>
            })}
            <div class="seat-actions">
                <button type="button" class="secondary" on:click=together>{move || t(Msg::SeatUsTogether)}</button>
                <p class="picked" role="status">
                    {move || tf(Msg::SeatsPicked, &[&seats.get().iter().flatten().count().to_string(), &passengers.to_string()])}
                </p>
            </div>
            {move || notice.get().map(|msg| view! { <div class="notice" role="alert">{t(msg)}</div> })}
            <ul class="legend" aria-label=move || t(Msg::Legend)>
                <li><span class="seat" aria-hidden="true"></span>{move || t(Msg::SeatFree)}</li>
                <li><span class="seat taken" aria-hidden="true"></span>{move || t(Msg::SeatTaken)}</li>
                <li><span class="seat chosen" aria-hidden="true"></span>{move || t(Msg::Selected)}</li>
                <li><span class="seat exit" aria-hidden="true"></span>{move || t(Msg::SeatExit)}</li>
                {other_legend}
            </ul>
            <div class="seatmap">{rows_view}</div>
        </section>
    }
    .into_any()
}
