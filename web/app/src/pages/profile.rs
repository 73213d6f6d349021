//! The traveller's profile: loyalty tier, points and the way to the next tier, the points
//! history a page at a time, and the account's details.

use airline_web_core::Msg;
use leptos::prelude::*;

use crate::api::{self, profile, CallError, Profile};
use crate::components::{focus, Alert, MoreButton, Skeleton};
use crate::i18n::{instant_date, number, t, tf};
use crate::session::sleep;
use crate::storage;

type Entry = profile::ProfileLoyaltyHistoryEdgesNode;

/// The balance and tier, without the history (which grows page by page).
#[derive(Debug, Clone, PartialEq)]
struct Standing {
    points: i64,
    /// Points bookings made moments ago will earn once the ledger has them.
    pending: i64,
    tier: String,
    remaining: i64,
    progress: f64,
}

fn tier_name(tier: &str) -> Option<Msg> {
    match tier {
        "BRONZE" => Some(Msg::TierBronze),
        "SILVER" => Some(Msg::TierSilver),
        "GOLD" => Some(Msg::TierGold),
        _ => None,
    }
}

/// The tier after this one; none at the top.
fn next_tier(tier: &str) -> Option<Msg> {
    match tier {
        "BRONZE" => Some(Msg::TierSilver),
        "SILVER" => Some(Msg::TierGold),
        _ => None,
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    super::title(Msg::ProfileTitle);
    let signed_in = super::require_sign_in();
    // Only a change of sign-in state reloads, not every token refresh.
    let signed_in = Memo::new(move |_| signed_in.get());
    let me = RwSignal::new(None::<profile::ProfileMe>);
    let standing = RwSignal::new(None::<Standing>);
    let entries = RwSignal::new(Vec::<Entry>::new());
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<CallError>);
    let ticket = StoredValue::new(0u32);

    let load = move |after: Option<String>| {
        ticket.update_value(|n| *n += 1);
        let mine = ticket.get_value();
        let more = after.is_some();
        loading.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = api::run::<Profile>(profile::Variables {
                after,
                recent: Some(storage::recent_ids()),
            })
            .await;
            if ticket.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(data) => {
                    let loyalty = data.loyalty;
                    let page = loyalty.history;
                    me.set(Some(data.me));
                    standing.set(Some(Standing {
                        points: loyalty.points,
                        pending: loyalty.pending_points,
                        tier: loyalty.tier,
                        remaining: loyalty.remaining_points,
                        progress: loyalty.progress.clamp(0.0, 1.0),
                    }));
                    cursor.set(
                        page.page_info
                            .end_cursor
                            .filter(|_| page.page_info.has_next_page),
                    );
                    let added: Vec<Entry> = page.edges.into_iter().map(|edge| edge.node).collect();
                    let first_new = added.first().map(|entry| entry.id.clone());
                    if more {
                        entries.update(|all| all.extend(added));
                    } else {
                        entries.set(added);
                    }
                    // After "show older", keyboard focus goes to the first entry it added.
                    if let Some(id) = first_new.filter(|_| more) {
                        sleep(0).await;
                        focus(&format!("entry-{id}"));
                    }
                }
                Err(problem) => error.set(Some(problem)),
            }
        });
    };

    Effect::new(move |_| {
        if signed_in.get() {
            load(None);
        }
    });
    let show_more = move || {
        if let Some(after) = cursor.get_untracked() {
            load(Some(after));
        }
    };

    view! {
        <section class="page profile">
            <h1>{move || t(Msg::ProfileTitle)}</h1>
            <Alert error=error />
            <Show when=move || loading.get() && standing.with(Option::is_none)>
                <Skeleton count=3 />
            </Show>
            {move || standing.get().map(|standing| view! { <LoyaltyCard standing=standing /> })}
            <Show when=move || standing.with(Option::is_some)>
                <section class="card points-history" aria-labelledby="history-title">
                    <h2 id="history-title">{move || t(Msg::PointsHistory)}</h2>
                    <Show when=move || entries.with(Vec::is_empty)>
                        <p class="empty">{move || t(Msg::NoPoints)}</p>
                    </Show>
                    <ul class="ledger">
                        <For each=move || entries.get() key=|entry| entry.id.clone() let:entry>
                            <LedgerLine entry=entry />
                        </For>
                    </ul>
                    <MoreButton cursor=cursor loading=loading label=Msg::MorePoints on_more=show_more />
                </section>
            </Show>
            {move || me.get().map(|me| {
                let since = me.joined();
                view! {
                    <section class="card account-details" aria-labelledby="account-title">
                        <h2 id="account-title">{move || t(Msg::AccountDetails)}</h2>
                        <dl class="facts stacked">
                            <div>
                                <dt>{move || t(Msg::Name)}</dt>
                                <dd>{me.name.clone()}</dd>
                            </div>
                            <div>
                                <dt>{move || t(Msg::Email)}</dt>
                                <dd class="break">{me.email.clone()}</dd>
                            </div>
                            <div>
                                <dt>{move || t(Msg::MemberSince)}</dt>
                                <dd>{move || since.map(instant_date)}</dd>
                            </div>
                        </dl>
                    </section>
                }
            })}
        </section>
    }
}

#[component]
fn LoyaltyCard(standing: Standing) -> impl IntoView {
    let tier = standing.tier.clone();
    let tier_class = format!("tier-badge tier-{}", tier.to_ascii_lowercase());
    let badge_tier = {
        let tier = tier.clone();
        move || {
            tier_name(&tier)
                .map(|msg| t(msg).to_owned())
                .unwrap_or_else(|| tier.clone())
        }
    };
    let points = standing.points;
    let pending = standing.pending;
    let remaining = standing.remaining;
    let progress = standing.progress;
    let next = next_tier(&tier);
    view! {
        <section class="card loyalty" aria-labelledby="tier-title">
            <h2 id="tier-title" class=tier_class>{move || tf(Msg::TierMember, &[&badge_tier()])}</h2>
            <p class="points-balance">{move || tf(Msg::PointsBalance, &[&number(points)])}</p>
            <Show when=move || { pending > 0 }>
                <p class="points-pending">{move || tf(Msg::PointsPending, &[&number(pending)])}</p>
            </Show>
            {match next {
                Some(next) => view! {
                    <div class="tier-progress">
                        <label for="tier-progress">{move || t(Msg::TierProgress)}</label>
                        <progress id="tier-progress" max="1" value=progress.to_string() aria-describedby="tier-remaining"></progress>
                        <p id="tier-remaining">{move || tf(Msg::ToNextTier, &[&number(remaining), t(next)])}</p>
                    </div>
                }
                .into_any(),
                None => view! { <p class="top-tier">{move || t(Msg::TopTier)}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn LedgerLine(entry: Entry) -> impl IntoView {
    let kind = match entry.kind.as_str() {
        "EARN" => Some(Msg::Earned),
        "REVOKE" => Some(Msg::Revoked),
        "EXPIRE" => Some(Msg::Expired),
        _ => None,
    };
    let raw_kind = entry.kind.clone();
    let gain = entry.kind == "EARN" && entry.points >= 0;
    let size = entry.points.abs();
    let when = entry.recorded();
    let booking = entry.booking.clone().map(|booking| {
        let href = format!("/trips/{}", booking.id);
        let reference = booking.reference.clone();
        view! {
            <a class="ledger-booking" href=href>
                {move || tf(Msg::ForBooking, &[reference.as_deref().unwrap_or_else(|| t(Msg::StatusUnconfirmed))])}
            </a>
        }
    });
    view! {
        <li class="ledger-entry" id=format!("entry-{}", entry.id) tabindex="-1">
            <span class="ledger-kind">{move || kind.map(|msg| t(msg).to_owned()).unwrap_or_else(|| raw_kind.clone())}</span>
            <span class="ledger-points" class:gain=gain class:loss=!gain>
                {move || {
                    // A real minus sign, which screen readers say as "minus".
                    let signed = format!("{}{}", if gain { "+" } else { "\u{2212}" }, number(size));
                    tf(Msg::PointsBalance, &[&signed])
                }}
            </span>
            <span class="ledger-date">{move || when.map(instant_date)}</span>
            {booking}
        </li>
    }
}
