//! Sign-in throttling: after a few wrong passwords for one account, further attempts are
//! refused (even with the right password) until the window passes. The counter lives in
//! the database so it holds across requests and isolates.

use chrono::{DateTime, Duration, Utc};

/// Failures recorded for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: u32,
    pub window_started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInThrottle {
    pub max_failures: u32,
    pub window: Duration,
}

impl Default for SignInThrottle {
    /// Five wrong passwords per fifteen minutes: enough for typos, far too few to guess.
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }
}

impl SignInThrottle {
    /// `Err(retry_after)` when the account is locked at `now`.
    pub fn check(&self, state: Option<ThrottleState>, now: DateTime<Utc>) -> Result<(), Duration> {
        match state {
            Some(state) if state.failures >= self.max_failures => {
                let reopens = state.window_started_at + self.window;
                if now < reopens {
                    Err(reopens - now)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// The state after one more failure at `now`: counting restarts once a window ended.
    pub fn after_failure(&self, state: Option<ThrottleState>, now: DateTime<Utc>) -> ThrottleState {
        match state {
            Some(state) if now < state.window_started_at + self.window => ThrottleState {
                failures: state.failures.saturating_add(1),
                window_started_at: state.window_started_at,
            },
            _ => ThrottleState {
                failures: 1,
                window_started_at: now,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed_now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_sixth_attempt_in_a_window_is_refused_until_it_ends() {
        let throttle = SignInThrottle::default();
        let start = fixed_now();
        let mut state = None;
        for i in 0..5 {
            let at = start + Duration::seconds(i);
            assert!(throttle.check(state, at).is_ok(), "attempt {i}");
            state = Some(throttle.after_failure(state, at));
        }
        let retry = throttle
            .check(state, start + Duration::minutes(1))
            .unwrap_err();
        assert_eq!(retry, Duration::minutes(14));
        assert!(throttle.check(state, start + Duration::minutes(15)).is_ok());
    }

    #[test]
    fn a_failure_after_the_window_starts_a_new_count() {
        let throttle = SignInThrottle::default();
        let start = fixed_now();
        let old = ThrottleState {
            failures: 4,
            window_started_at: start,
        };
        let later = start + Duration::minutes(20);
        assert_eq!(
            throttle.after_failure(Some(old), later),
            ThrottleState {
                failures: 1,
                window_started_at: later
            }
        );
    }
}
