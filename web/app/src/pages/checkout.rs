//! Passengers and payment: names checked with the booking's rules, the sandbox card form
//! (with the test cards to hand), the price of each flight in the cabin and brand its
//! fare buys with what that fare allows, and
//! one idempotency key per attempt so a double click or a retry after a dropped
//! connection books once.
//!
//! One page: the passenger forms, the card forms and the summary share the checkout's state.

use airline_web_core::brand::brand_name;
use airline_web_core::cabin::cabin_name;
use airline_web_core::checkout::{
    idempotency_key, leg_fares, party_price_of, test_cards, CardDraft, CardField, Checkout,
    FlightField, NextStep, Traveller, TravellerField,
};
use airline_web_core::fare::Leg;
use airline_web_core::Msg;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::{self, flight_brief, process_booking, tokenize_card, CallError};
use crate::components::{describe, focus, Alert, FareTerms, FieldError, TextField};
use crate::i18n::{date, locale, money, t, tf, today};
use crate::pages::seats::{checkout_at_address, NothingToBook};
use crate::storage;
use crate::stripe;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    super::title(Msg::CheckoutTitle);
    let signed_in = super::require_sign_in();
    // The cabins in the address decide; the checkout in storage follows them.
    checkout_at_address();
    move || match storage::load().filter(|c| c.outbound.is_some()) {
        None => view! { <NothingToBook /> }.into_any(),
        Some(_) if !signed_in.get() => {
            view! { <p class="page">{move || t(Msg::Loading)}</p> }.into_any()
        }
        Some(checkout) => view! { <CheckoutForm checkout=checkout /> }.into_any(),
    }
}

#[derive(Clone)]
struct TravellerInputs {
    first: RwSignal<String>,
    last: RwSignal<String>,
    birth: RwSignal<String>,
}

impl TravellerInputs {
    fn read(&self) -> Traveller {
        Traveller {
            first_name: self.first.get_untracked(),
            last_name: self.last.get_untracked(),
            date_of_birth: self.birth.get_untracked(),
        }
    }
}

#[component]
fn CheckoutForm(checkout: Checkout) -> impl IntoView {
    let navigate = use_navigate();
    let inputs: Vec<TravellerInputs> = (0..checkout.passengers as usize)
        .map(|index| {
            let known = checkout.travellers.get(index).cloned().unwrap_or_default();
            TravellerInputs {
                first: RwSignal::new(known.first_name),
                last: RwSignal::new(known.last_name),
                birth: RwSignal::new(known.date_of_birth),
            }
        })
        .collect();
    // With Stripe (a build for PAYMENT_PROVIDER=stripe) its card element takes the card;
    // otherwise the sandbox's card form below.
    let stripe_key = stripe::publishable_key();
    let uses_stripe = stripe_key.is_some();
    let stripe_card = StoredValue::new_local(None::<stripe::Card>);
    let stripe_error = RwSignal::new(None::<String>);
    if let Some(key) = stripe_key {
        // After the first render, when the element to mount into exists.
        Effect::new(move |mounted: Option<()>| {
            if mounted.is_none() {
                let key = key.clone();
                leptos::task::spawn_local(async move {
                    match stripe::mount(&key, "#stripe-card", locale().tag()).await {
                        Ok(card) => stripe_card.set_value(Some(card)),
                        Err(()) => stripe_error.set(Some(t(Msg::CardFormUnavailable).to_owned())),
                    }
                });
            }
        });
    }
    let card_number = RwSignal::new(String::new());
    let card_expiry = RwSignal::new(String::new());
    let card_cvc = RwSignal::new(String::new());
    let traveller_problems = RwSignal::new(Vec::<Vec<(TravellerField, String)>>::new());
    let card_problems = RwSignal::new(Vec::<(CardField, String)>::new());
    let general = RwSignal::new(None::<CallError>);
    // A problem the API found with one flight's cabin or seats, in words, shown with
    // that flight in the summary.
    let flight_problem = RwSignal::new(None::<(FlightField, String)>);
    let busy = RwSignal::new(false);
    let total_text = RwSignal::new(String::new());
    let state = StoredValue::new(checkout.clone());

    // Names are kept as they are typed, so a reload or a sign-in detour loses nothing.
    {
        let inputs = inputs.clone();
        Effect::new(move |_| {
            let travellers: Vec<Traveller> = inputs
                .iter()
                .map(|i| Traveller {
                    first_name: i.first.get(),
                    last_name: i.last.get(),
                    date_of_birth: i.birth.get(),
                })
                .collect();
            state.update_value(|c| c.travellers = travellers);
            state.with_value(storage::save);
        });
    }

    let traveller_error = move |index: usize, field: TravellerField| {
        Signal::derive(move || {
            traveller_problems.get().get(index).and_then(|list| {
                list.iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, m)| m.clone())
            })
        })
    };
    let card_error = move |field: CardField| {
        Signal::derive(move || {
            card_problems
                .get()
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.clone())
        })
    };

    let pay = {
        let inputs = inputs.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            general.set(None);
            flight_problem.set(None);
            let today = today();
            let travellers: Vec<Traveller> = inputs.iter().map(TravellerInputs::read).collect();
            let found: Vec<Vec<(TravellerField, String)>> = travellers
                .iter()
                .map(|t| {
                    t.problems(today)
                        .into_iter()
                        .map(|(f, m)| (f, crate::i18n::t(m).to_owned()))
                        .collect()
                })
                .collect();
            // Stripe's element checks its card itself.
            let card = if uses_stripe {
                Ok(None)
            } else {
                CardDraft {
                    number: card_number.get_untracked(),
                    expiry: card_expiry.get_untracked(),
                    cvc: card_cvc.get_untracked(),
                }
                .check(today)
                .map(Some)
            };
            let card_found: Vec<(CardField, String)> = match &card {
                Ok(_) => Vec::new(),
                Err(list) => list
                    .iter()
                    .map(|(f, m)| (*f, crate::i18n::t(*m).to_owned()))
                    .collect(),
            };
            let first_bad = found
                .iter()
                .enumerate()
                .find_map(|(i, list)| list.first().map(|(f, _)| traveller_input_id(i, *f)))
                .or_else(|| {
                    card_found
                        .first()
                        .map(|(f, _)| card_input_id(*f).to_owned())
                });
            traveller_problems.set(found);
            card_problems.set(card_found);
            if let Some(id) = first_bad {
                focus(&id);
                return;
            }
            let Ok(card) = card else { return };
            busy.set(true);
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                // Books with a payment token, from the sandbox or from Stripe.
                let book = move |token: String| async move {
                    let checkout = state.get_value();
                    let seats = (!checkout.outbound_seats.is_empty()
                        || !checkout.inbound_seats.is_empty())
                    .then(|| process_booking::SeatChoice {
                        outbound: (!checkout.outbound_seats.is_empty())
                            .then(|| checkout.outbound_seats.clone()),
                        return_: (!checkout.inbound_seats.is_empty())
                            .then(|| checkout.inbound_seats.clone()),
                    });
                    let (outbound_cabin, return_cabin) = checkout.booking_cabins();
                    let (outbound_brand, return_brand) = checkout.booking_brands();
                    let input = process_booking::BookingInput {
                        outbound_flight_id: checkout.outbound.clone().unwrap_or_default(),
                        return_flight_id: checkout.inbound.clone(),
                        outbound_cabin,
                        return_cabin,
                        outbound_brand,
                        return_brand,
                        passengers: checkout
                            .travellers
                            .iter()
                            .map(|t| process_booking::PassengerInputObject {
                                first_name: t.first_name.clone(),
                                last_name: t.last_name.clone(),
                                date_of_birth: Some(t.date_of_birth.trim().to_owned())
                                    .filter(|d| !d.is_empty()),
                            })
                            .collect(),
                        seats,
                        payment_token: token,
                        idempotency_key: checkout.idempotency_key.clone(),
                    };
                    let booked =
                        api::run::<api::ProcessBooking>(process_booking::Variables { input }).await;
                    busy.set(false);
                    match booked {
                        Ok(data) => {
                            // My trips and the points show it at once, before their copies do.
                            storage::note_recent(&data.process_booking.id);
                            navigate(
                                &format!("/book/status/{}", data.process_booking.id),
                                Default::default(),
                            )
                        }
                        // A booking that failed (declined, sold out, …) is explained, with the way
                        // forward, on its status page.
                        Err(error) if error.booking_id().is_some() => {
                            let id = error.booking_id().unwrap_or_default().to_owned();
                            storage::note_recent(&id);
                            navigate(&format!("/book/status/{id}"), Default::default());
                        }
                        Err(error) => {
                            // A cabin the flight does not sell, or seats outside the fare's
                            // cabin: said with that flight in the summary, with the way on.
                            if let Some(field) = error.field().and_then(FlightField::from_api) {
                                let message = describe(&error);
                                flight_problem.set(Some((
                                    field,
                                    field.explain(checkout.cabins, &message, locale()),
                                )));
                                focus(&flight_problem_id(field.leg()));
                                return;
                            }
                            // Input problems belong next to their inputs.
                            if let Some(field) = error.field().and_then(TravellerField::from_api) {
                                let message = describe(&error);
                                traveller_problems.set(vec![
                                    vec![(field, message)];
                                    checkout.passengers as usize
                                ]);
                                focus(&traveller_input_id(0, field));
                            }
                            general.set(Some(error));
                            focus("checkout-title");
                        }
                    }
                };
                let Some(card) = card else {
                    // Stripe: its PaymentMethod id is the token.
                    stripe_error.set(None);
                    let method = match stripe_card.get_value() {
                        Some(card) => card.payment_method().await,
                        None => Err(Some(t(Msg::CardFormUnavailable).to_owned())),
                    };
                    match method {
                        Ok(token) => book(token).await,
                        Err(message) => {
                            busy.set(false);
                            stripe_error.set(Some(
                                message.unwrap_or_else(|| t(Msg::CardNotChecked).to_owned()),
                            ));
                            stripe_card.with_value(|card| card.as_ref().map(stripe::Card::focus));
                        }
                    }
                    return;
                };
                let token = api::run::<api::TokenizeCard>(tokenize_card::Variables {
                    input: tokenize_card::CardInput {
                        number: card.number,
                        exp_month: i64::from(card.exp_month),
                        exp_year: i64::from(card.exp_year),
                        cvc: card.cvc,
                    },
                })
                .await;
                let token = match token {
                    Ok(data) => data.tokenize_card.token,
                    Err(error) => {
                        busy.set(false);
                        match error.field().and_then(CardField::from_api) {
                            Some(field) => {
                                card_problems.set(vec![(field, describe(&error))]);
                                focus(card_input_id(field));
                            }
                            None => general.set(Some(error)),
                        }
                        return;
                    }
                };
                book(token).await;
            });
        }
    };

    // A flight that does not sell its cabin has no price to pay: the summary says so, with
    // the way back to the flights.
    let cannot_pay =
        move || busy.get() || matches!(flight_problem.get(), Some((FlightField::Cabin(_), _)));

    let traveller_forms = inputs
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, input)| {
            let number = (index + 1).to_string();
            view! {
                <fieldset class="card passenger">
                    <legend><h3>{move || tf(Msg::PassengerN, &[&number])}</h3></legend>
                    <TextField id=traveller_input_id(index, TravellerField::FirstName) label=Signal::derive(|| t(Msg::FirstName).to_owned())
                        value=input.first error=traveller_error(index, TravellerField::FirstName) autocomplete=if index == 0 { "given-name" } else { "off" } required=true />
                    <TextField id=traveller_input_id(index, TravellerField::LastName) label=Signal::derive(|| t(Msg::LastName).to_owned())
                        value=input.last error=traveller_error(index, TravellerField::LastName) autocomplete=if index == 0 { "family-name" } else { "off" } required=true />
                    <TextField id=traveller_input_id(index, TravellerField::DateOfBirth) kind="date" label=Signal::derive(|| t(Msg::BirthDate).to_owned())
                        value=input.birth error=traveller_error(index, TravellerField::DateOfBirth)
                        max=Signal::derive(|| today().to_string()) />
                </fieldset>
            }
        })
        .collect_view();

    view! {
        <section class="page">
            <h1 id="checkout-title" tabindex="-1">{move || t(Msg::CheckoutTitle)}</h1>
            <Alert error=general />
            <div class="checkout-grid">
                <form on:submit=pay novalidate>
                    {traveller_forms}
                    <fieldset class="card">
                        <legend><h2>{move || t(Msg::Payment)}</h2></legend>
                        {if uses_stripe {
                            view! {
                                <div class="field" class:invalid=move || stripe_error.get().is_some()>
                                    <span class="label" id="stripe-card-label">{move || t(Msg::Card)}</span>
                                    <div id="stripe-card" class="stripe-card" role="group" aria-labelledby="stripe-card-label"
                                        aria-describedby="stripe-card-error"></div>
                                    <FieldError id="stripe-card-error".to_owned() error=stripe_error />
                                </div>
                            }
                            .into_any()
                        } else {
                            view! {
                            <TextField id="card-number" label=Signal::derive(|| t(Msg::CardNumber).to_owned()) value=card_number
                                error=card_error(CardField::Number) inputmode="numeric" autocomplete="cc-number" required=true />
                            <div class="card-row">
                                <TextField id="card-expiry" label=Signal::derive(|| t(Msg::CardExpiry).to_owned()) value=card_expiry
                                    error=card_error(CardField::Expiry) autocomplete="cc-exp" inputmode="numeric" required=true />
                                <TextField id="card-cvc" label=Signal::derive(|| t(Msg::CardCvc).to_owned()) value=card_cvc
                                    error=card_error(CardField::Cvc) autocomplete="cc-csc" inputmode="numeric" required=true />
                            </div>
                            <details class="test-cards">
                                <summary>{move || t(Msg::TestCards)}</summary>
                                <p>{move || t(Msg::TestCardsLead)}</p>
                                <ul>
                                    {test_cards().into_iter().map(|(number, outcome)| view! {
                                        <li><code>{number}</code>" "{move || t(outcome)}</li>
                                    }).collect_view()}
                                </ul>
                            </details>
                            }
                            .into_any()
                        }}
                    </fieldset>
                    <button type="submit" class="primary pay" disabled=cannot_pay aria-describedby="price-total">
                        {move || if busy.get() { t(Msg::Paying).to_owned() } else { tf(Msg::PayAndBook, &[&total_text.get()]) }}
                    </button>
                </form>
                <PriceSummary checkout=checkout total_text=total_text state=state problem=flight_problem />
            </div>
        </section>
    }
}

fn traveller_input_id(index: usize, field: TravellerField) -> String {
    let suffix = match field {
        TravellerField::FirstName => "first",
        TravellerField::LastName => "last",
        TravellerField::DateOfBirth => "birth",
    };
    format!("p{index}-{suffix}")
}

/// Where a flight's problem is said, in the summary.
fn flight_problem_id(leg: Leg) -> String {
    format!("flight-problem-{}", leg.index())
}

fn card_input_id(field: CardField) -> &'static str {
    match field {
        CardField::Number => "card-number",
        CardField::Expiry => "card-expiry",
        CardField::Cvc => "card-cvc",
    }
}

/// The flights, the cabin and brand each fare buys with what it allows, and what they
/// cost for the party: exactly what the booking will charge (each flight's fare in its
/// cabin and brand, by the booking's own rule).
#[component]
fn PriceSummary(
    checkout: Checkout,
    total_text: RwSignal<String>,
    /// The checkout as the page keeps it, for the way on from a problem.
    state: StoredValue<Checkout>,
    problem: RwSignal<Option<(FlightField, String)>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let ids: Vec<String> = checkout
        .outbound
        .iter()
        .chain(checkout.inbound.iter())
        .cloned()
        .collect();
    let passengers = checkout.passengers;
    let cabins = checkout.cabins;
    let brands = checkout.brands;
    let data = LocalResource::new(move || {
        let ids = ids.clone();
        async move {
            let mut flights = Vec::new();
            for id in ids {
                flights.push(
                    api::run::<api::FlightBrief>(flight_brief::Variables { id })
                        .await?
                        .flight,
                );
            }
            Ok::<_, CallError>(flights)
        }
    });
    let seats = [
        checkout.outbound_seats.clone(),
        checkout.inbound_seats.clone(),
    ];
    let results = format!("/flights?{}", checkout.search_query);
    // The way on from a problem with one flight: other seats (this flight's are dropped,
    // and the next attempt is a new one), or another fare from the flights.
    let go = move |field: FlightField| {
        let target = match field.next_step() {
            NextStep::PickSeatsAgain => {
                state.update_value(|c| {
                    match field.leg() {
                        Leg::Outbound => c.outbound_seats.clear(),
                        Leg::Return => c.inbound_seats.clear(),
                    }
                    c.idempotency_key = idempotency_key(storage::random_bytes());
                });
                state.with_value(storage::save);
                state.with_value(|c| c.page_path("/book/seats"))
            }
            _ => results.clone(),
        };
        navigate(&target, Default::default());
    };
    move || match data.get() {
        None => view! { <aside class="card summary"><p>{t(Msg::Loading)}</p></aside> }.into_any(),
        Some(Err(error)) => {
            view! { <Alert error=Signal::derive(move || Some(error.clone())) /> }.into_any()
        }
        Some(Ok(flights)) => {
            let sold: Vec<_> = flights
                .iter()
                .map(|flight| api::cabin_fares(&flight.cabins))
                .collect();
            let fares = leg_fares(&sold, cabins, brands);
            // A flight that does not sell its chosen cabin is said at once, before paying.
            if let Err(leg) = fares {
                if problem.get_untracked().is_none() {
                    let field = FlightField::Cabin(leg);
                    problem.set(Some((field, field.explain(cabins, "", locale()))));
                }
            }
            let fares = fares.ok();
            let price = fares
                .as_deref()
                .and_then(|fares| party_price_of(fares, passengers));
            if let Some(total) = price {
                total_text.set(money(total));
            }
            let lines = flights
                .into_iter()
                .zip([Leg::Outbound, Leg::Return])
                .map(|(flight, leg)| {
                    let cabin = cabins.of(leg);
                    let brand = brands.of(leg);
                    let fare = fares
                        .as_ref()
                        .and_then(|fares| fares.get(leg.index()).copied());
                    let seat_text = seats.get(leg.index()).filter(|s| !s.is_empty()).map(|s| s.join(", "));
                    let go = go.clone();
                    let here = move || problem.get().filter(|(field, _)| field.leg() == leg);
                    view! {
                        <dt>
                            <strong>{format!("{} {} → {}", flight.flight_number, flight.origin.code, flight.destination.code)}</strong><br />
                            {date(&flight.departure.local_date)}" "{flight.departure.local_time.clone()}<br />
                            <span class="summary-cabin">{move || format!("{}: {} {}", t(Msg::FareBrandLabel), t(cabin_name(cabin)), t(brand_name(brand)))}</span>
                            {fare.map(|fare| view! { <FareTerms conditions=brand.conditions(fare) currency=fare.currency() /> })}
                            {seat_text.map(|s| view! { <br />{format!("{}: {s}", t(Msg::Seats))}})}
                            <div class="flight-problem" id=flight_problem_id(leg) tabindex="-1" role="alert">
                                {move || here().map(|(field, message)| {
                                    let go = go.clone();
                                    view! {
                                        <p class="error">{message}</p>
                                        <button type="button" class="link" on:click=move |_| go(field)>
                                            {move || t(field.next_step().label())}
                                        </button>
                                    }
                                })}
                            </div>
                        </dt>
                        <dd>{fare.map(|fare| tf(Msg::FareLine, &[&passengers.to_string(), &money(fare)]))}</dd>
                    }
                })
                .collect_view();
            view! {
                <aside class="card summary" aria-labelledby="summary-title">
                    <h2 id="summary-title">{t(Msg::PriceSummary)}</h2>
                    <dl>
                        {lines}
                        {price.is_some().then(|| view! {
                            <dt class="total-line">{t(Msg::Total)}</dt>
                            <dd class="total-line" id="price-total">{move || total_text.get()}</dd>
                        })}
                    </dl>
                </aside>
            }
            .into_any()
        }
    }
}
