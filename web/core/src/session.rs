//! When the app refreshes its access token: early enough that no request meets an expired
//! token, late enough not to churn refresh tokens.

/// Milliseconds to wait before refreshing a token that lives `lifetime_ms` in total and
/// has `remaining_ms` left: at four fifths of its life, and at least five seconds before it
/// ends (a short test lifetime refreshes at its last few seconds, never in a busy loop).
pub fn refresh_delay_ms(lifetime_ms: i64, remaining_ms: i64) -> i64 {
    let margin = (lifetime_ms / 5).max(5_000).min(lifetime_ms / 2);
    (remaining_ms - margin).max(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_at_four_fifths_of_a_normal_token() {
        let fifteen_minutes = 15 * 60 * 1000;
        assert_eq!(
            refresh_delay_ms(fifteen_minutes, fifteen_minutes),
            12 * 60 * 1000
        );
    }

    #[test]
    fn short_tokens_refresh_before_they_end_and_never_spin() {
        assert_eq!(refresh_delay_ms(20_000, 20_000), 15_000);
        assert_eq!(refresh_delay_ms(6_000, 6_000), 3_000);
        assert_eq!(
            refresh_delay_ms(20_000, 0),
            1_000,
            "already expired: soon, not now"
        );
    }
}
