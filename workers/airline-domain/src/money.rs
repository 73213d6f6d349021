//! Money as an integer count of a currency's minor units (cents, pence, yen) plus its
//! ISO-4217 code. No floating point ever touches an amount.

use std::fmt;

use crate::InputError;

/// ISO-4217 codes this airline sells in, with the number of decimal places of their minor
/// unit (0 for JPY, 3 for KWD).
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TRY", 2),
    ("TWD", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// An ISO-4217 currency this system knows the minor unit of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    decimals: u8,
}

impl Currency {
    pub fn parse(field: &'static str, code: &str) -> Result<Self, InputError> {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|&(code, decimals)| Self { code, decimals })
            .ok_or_else(|| {
                InputError::new(
                    field,
                    format!("`{code}` is not a supported ISO-4217 currency"),
                )
            })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Decimal places of the minor unit: 2 for EUR (cents), 0 for JPY.
    pub fn decimals(&self) -> u8 {
        self.decimals
    }

    /// How many minor units make one major unit: 100 for EUR, 1 for JPY.
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(u32::from(self.decimals))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount of one currency, in its minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `self` times a count, or `None` if that would overflow.
    pub fn times(&self, count: u32) -> Option<Money> {
        self.amount_minor
            .checked_mul(i64::from(count))
            .map(|amount_minor| Money::from_minor(amount_minor, self.currency))
    }
}

/// `EUR 1234.50`, `JPY 18500`, `KWD 12.250`: the code, then the amount with exactly the
/// currency's decimals. Locale-specific formatting is the client's job.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per_major = self.currency.minor_per_major();
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let magnitude = self.amount_minor.unsigned_abs();
        let major = magnitude / per_major.unsigned_abs();
        let minor = magnitude % per_major.unsigned_abs();
        match self.currency.decimals {
            0 => write!(f, "{} {sign}{major}", self.currency),
            places => write!(
                f,
                "{} {sign}{major}.{minor:0width$}",
                self.currency,
                width = usize::from(places)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap()
    }

    #[test]
    fn only_known_iso_codes_parse() {
        assert_eq!(currency("EUR").code(), "EUR");
        for bad in ["eur", "EURO", "", "XXX", "E U"] {
            assert!(Currency::parse("currency", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_render_with_the_currency_s_minor_unit() {
        assert_eq!(
            Money::from_minor(123_450, currency("EUR")).to_string(),
            "EUR 1234.50"
        );
        assert_eq!(
            Money::from_minor(5, currency("USD")).to_string(),
            "USD 0.05"
        );
        assert_eq!(
            Money::from_minor(18_500, currency("JPY")).to_string(),
            "JPY 18500"
        );
        assert_eq!(
            Money::from_minor(12_250, currency("KWD")).to_string(),
            "KWD 12.250"
        );
        assert_eq!(
            Money::from_minor(-250, currency("GBP")).to_string(),
            "GBP -2.50"
        );
    }

    #[test]
    fn multiplying_checks_for_overflow() {
        let fare = Money::from_minor(19_900, currency("USD"));
        assert_eq!(fare.times(3).unwrap().amount_minor(), 59_700);
        assert!(Money::from_minor(i64::MAX / 2, currency("USD"))
            .times(3)
            .is_none());
    }
}
