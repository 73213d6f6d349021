//! Passengers and payment: names checked with the booking's rules, the sandbox card form
//! (with the test cards to hand), the price, and one idempotency key per attempt so a
//! double click or a retry after a dropped connection books once.
//!
//! One page: the passenger forms, the card forms and the summary share the checkout's state.

use airline_web_core::checkout::{
    party_price, test_cards, CardDraft, CardField, Checkout, Traveller, TravellerField,
};
use airline_web_core::{Money, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::{self, flight_brief, process_booking, tokenize_card, ApiMoney, CallError};
use crate::components::{describe, focus, Alert, FieldError, TextField};
use crate::i18n::{date, locale, money, t, tf, today};
use crate::pages::seats::NothingToBook;
use crate::storage;
use crate::stripe;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    super::title(Msg::CheckoutTitle);
    let signed_in = super::require_sign_in();
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
                    let input = process_booking::BookingInput {
                        outbound_flight_id: checkout.outbound.clone().unwrap_or_default(),
                        return_flight_id: checkout.inbound.clone(),
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
                    <button type="submit" class="primary pay" disabled=move || busy.get() aria-describedby="price-total">
                        {move || if busy.get() { t(Msg::Paying).to_owned() } else { tf(Msg::PayAndBook, &[&total_text.get()]) }}
                    </button>
                </form>
                <PriceSummary checkout=checkout total_text=total_text />
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

fn card_input_id(field: CardField) -> &'static str {
    match field {
        CardField::Number => "card-number",
        CardField::Expiry => "card-expiry",
        CardField::Cvc => "card-cvc",
    }
}

/// The flights and what they cost for the party.
#[component]
fn PriceSummary(checkout: Checkout, total_text: RwSignal<String>) -> impl IntoView {
    let ids: Vec<String> = checkout
        .outbound
        .iter()
        .chain(checkout.inbound.iter())
        .cloned()
        .collect();
    let passengers = i64::from(checkout.passengers);
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
    move || match data.get() {
        None => view! { <aside class="card summary"><p>{t(Msg::Loading)}</p></aside> }.into_any(),
        Some(Err(error)) => {
            view! { <Alert error=Signal::derive(move || Some(error.clone())) /> }.into_any()
        }
        Some(Ok(flights)) => {
            let fares: Option<Vec<Money>> =
                flights.iter().map(|flight| flight.fare.money()).collect();
            let price = fares.and_then(|fares| {
                party_price(*fares.first()?, fares.get(1).copied(), passengers as u32)
            });
            if let Some(total) = price {
                total_text.set(money(total));
            }
            let lines = flights
                .into_iter()
                .enumerate()
                .map(|(index, flight)| {
                    let fare = flight.fare.money().map(money).unwrap_or_default();
                    let seat_text = seats.get(index).filter(|s| !s.is_empty()).map(|s| s.join(", "));
                    view! {
                        <dt>
                            <strong>{format!("{} {} → {}", flight.flight_number, flight.origin.code, flight.destination.code)}</strong><br />
                            {date(&flight.departure.local_date)}" "{flight.departure.local_time.clone()}
                            {seat_text.map(|s| view! { <br />{format!("{}: {s}", t(Msg::Seats))}})}
                        </dt>
                        <dd>{tf(Msg::FareLine, &[&passengers.to_string(), &fare])}</dd>
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
