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

/// Reference exchange rates: units of each fare currency per US dollar. Fares are set in
/// dollars and converted with these (see `pricing`), and a round trip whose legs are priced
/// in two currencies is charged in the first leg's currency at the same rates, so the
/// traveller pays exactly what the two fares add up to. A real airline would refresh these
/// daily from its bank; here they are fixed, like the timetable.
const USD_RATES: &[(&str, f64)] = &[
    ("AED", 3.67),
    ("ARS", 1_000.0),
    ("AUD", 1.52),
    ("BRL", 5.4),
    ("CAD", 1.38),
    ("CHF", 0.88),
    ("CLP", 940.0),
    ("CNY", 7.2),
    ("COP", 4_000.0),
    ("EGP", 48.0),
    ("ETB", 120.0),
    ("EUR", 0.92),
    ("GBP", 0.79),
    ("HKD", 7.8),
    ("ILS", 3.7),
    ("INR", 84.0),
    ("ISK", 138.0),
    ("JOD", 0.71),
    ("JPY", 150.0),
    ("KES", 129.0),
    ("KRW", 1_350.0),
    ("MAD", 10.0),
    ("MXN", 18.0),
    ("NGN", 1_600.0),
    ("NZD", 1.65),
    ("OMR", 0.385),
    ("PEN", 3.75),
    ("PLN", 4.0),
    ("QAR", 3.64),
    ("SAR", 3.75),
    ("SEK", 10.5),
    ("SGD", 1.34),
    ("THB", 35.0),
    ("TRY", 34.0),
    ("USD", 1.0),
    ("VND", 25_000.0),
    ("ZAR", 18.0),
];

/// Units of `currency` per US dollar, for the currencies fares are priced in.
pub fn units_per_usd(currency: Currency) -> Option<f64> {
    USD_RATES
        .iter()
        .find(|(code, _)| *code == currency.code())
        .map(|&(_, rate)| rate)
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

    /// This amount in `target` at the reference rates, rounded to the nearest minor unit;
    /// `None` when either currency has no rate or the result does not fit.
    pub fn convert_to(&self, target: Currency) -> Option<Money> {
        if target == self.currency {
            return Some(*self);
        }
        let from = units_per_usd(self.currency)?;
        let to = units_per_usd(target)?;
        let major = self.amount_minor as f64 / self.currency.minor_per_major() as f64;
        let minor = (major / from * to * target.minor_per_major() as f64).round();
        (minor.is_finite() && minor.abs() < 9.0e15).then(|| Money::from_minor(minor as i64, target))
    }

    /// The sum of two amounts of one currency; `None` for mixed currencies or overflow.
    pub fn plus(&self, other: Money) -> Option<Money> {
        if other.currency != self.currency {
            return None;
        }
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|amount| Money::from_minor(amount, self.currency))
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

    #[test]
    fn conversion_uses_the_reference_rates_and_rounds_to_minor_units() {
        let usd = Currency::parse("c", "USD").unwrap();
        let gbp = Currency::parse("c", "GBP").unwrap();
        let jpy = Currency::parse("c", "JPY").unwrap();
        let fare = Money::from_minor(10_000, usd);
        assert_eq!(fare.convert_to(usd), Some(fare));
        assert_eq!(fare.convert_to(gbp), Some(Money::from_minor(7_900, gbp)));
        assert_eq!(fare.convert_to(jpy), Some(Money::from_minor(15_000, jpy)));
        assert_eq!(
            Money::from_minor(15_000, jpy).convert_to(usd),
            Some(Money::from_minor(10_000, usd))
        );
        let kwd = Currency::parse("c", "KWD").unwrap();
        assert_eq!(fare.convert_to(kwd), None, "no reference rate");
        assert_eq!(
            fare.plus(Money::from_minor(1, usd)),
            Some(Money::from_minor(10_001, usd))
        );
        assert_eq!(fare.plus(Money::from_minor(1, gbp)), None);
    }
}
