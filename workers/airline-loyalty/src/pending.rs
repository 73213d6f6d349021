//! Points on their way: a booking confirmed or cancelled moments ago has told its events
//! to the ledger, but the ledger may not have applied them yet. What the traveller sees
//! must not count points a cancelled booking is about to lose, nor show points not yet
//! credited as if they were: these say, from the bookings themselves and what the ledger
//! holds for them, how far the ledger is behind.

use airline_booking::saga::BookingStatus;
use airline_domain::Money;

use crate::ledger::{points_for, BookingHistory};

/// A booking as it stands now, read from the booking itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingNow {
    pub status: BookingStatus,
    pub total: Money,
}

/// Points the ledger will move once it has applied what these bookings told it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pending {
    /// To be earned: confirmed bookings the ledger has not credited yet.
    pub earn: i64,
    /// To be taken back: cancelled bookings whose points the ledger still counts.
    pub revoke: i64,
}

impl Pending {
    /// What `bookings` (each with what the ledger holds for it) still owe the ledger.
    pub fn of(bookings: impl IntoIterator<Item = (BookingNow, BookingHistory)>) -> Self {
        bookings
            .into_iter()
            .fold(Pending::default(), |mut pending, (booking, ledger)| {
                match booking.status {
                    BookingStatus::Confirmed if ledger.earned == 0 && !ledger.cancelled => {
                        pending.earn += points_for(booking.total).unwrap_or(0);
                    }
                    BookingStatus::Cancelled if ledger.earned > 0 && !ledger.cancelled => {
                        pending.revoke += ledger.earned;
                    }
                    _ => {}
                }
                pending
            })
    }

    /// The balance to show: what the ledger holds, less what is about to be taken back.
    pub fn settled_balance(&self, ledger_balance: i64) -> i64 {
        (ledger_balance - self.revoke).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airline_domain::Currency;

    fn usd(dollars: i64) -> Money {
        Money::from_minor(dollars * 100, Currency::parse("c", "USD").unwrap())
    }

    fn now(status: BookingStatus, dollars: i64) -> BookingNow {
        BookingNow {
            status,
            total: usd(dollars),
        }
    }

    #[test]
    fn a_booking_confirmed_moments_ago_is_pending_until_credited() {
        let fresh = now(BookingStatus::Confirmed, 455);
        let pending = Pending::of([(fresh, BookingHistory::default())]);
        assert_eq!(
            pending,
            Pending {
                earn: 455,
                revoke: 0
            }
        );
        let credited = BookingHistory {
            earned: 455,
            cancelled: false,
        };
        assert_eq!(Pending::of([(fresh, credited)]), Pending::default());
    }

    #[test]
    fn a_booking_cancelled_moments_ago_no_longer_counts() {
        let cancelled = now(BookingStatus::Cancelled, 455);
        let still_counted = BookingHistory {
            earned: 455,
            cancelled: false,
        };
        let pending = Pending::of([(cancelled, still_counted)]);
        assert_eq!(pending.revoke, 455);
        assert_eq!(pending.settled_balance(1_000), 545);
        assert_eq!(pending.settled_balance(100), 0, "never below zero");
        // Once the revoke is in the ledger, nothing is pending.
        let revoked = BookingHistory {
            earned: 455,
            cancelled: true,
        };
        assert_eq!(Pending::of([(cancelled, revoked)]), Pending::default());
        // A booking that failed before it was confirmed never earned anything.
        assert_eq!(
            Pending::of([(cancelled, BookingHistory::default())]),
            Pending::default()
        );
    }

    #[test]
    fn bookings_in_progress_move_nothing_yet() {
        let unconfirmed = now(BookingStatus::Unconfirmed, 455);
        assert_eq!(
            Pending::of([(unconfirmed, BookingHistory::default())]),
            Pending::default()
        );
    }
}
