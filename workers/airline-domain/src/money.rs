//! Money as an integer count of a currency's minor units (cents, pence, yen) plus its
//! ISO-4217 code. No floating point ever touches an amount.

use std::fmt;

use crate::InputError;

/// The currencies this airline sells in, in one table so the catalog, pricing and loyalty
/// can never disagree about which exist: the ISO-4217 code, the decimal places of its
/// minor unit (0 for JPY, 3 for KWD), and its reference rate in units per US dollar.
///
/// Fares are set in dollars and converted at these rates (see `pricing`); a round trip
/// whose legs are priced in two currencies is charged in the first leg's currency at the
/// same rates, so the traveller pays exactly what the two fares add up to; loyalty points
/// are whole dollars at the same rates. A real airline would refresh the rates daily from
/// its bank; here they are fixed, like the timetable.
const CURRENCIES: &[(&str, u8, f64)] = &[
    ("AED", 2, 3.67),
    ("ARS", 2, 1_000.0),
    ("AUD", 2, 1.52),
    ("BHD", 3, 0.376),
    ("BRL", 2, 5.4),
    ("CAD", 2, 1.38),
    ("CHF", 2, 0.88),
    ("CLP", 0, 940.0),
    ("CNY", 2, 7.2),
    ("COP", 2, 4_000.0),
    ("CZK", 2, 23.0),
    ("DKK", 2, 6.9),
    ("EGP", 2, 48.0),
    ("ETB", 2, 120.0),
    ("EUR", 2, 0.92),
    ("GBP", 2, 0.79),
    ("HKD", 2, 7.8),
    ("HUF", 2, 370.0),
    ("IDR", 2, 16_000.0),
    ("ILS", 2, 3.7),
    ("INR", 2, 84.0),
    ("ISK", 0, 138.0),
    ("JOD", 3, 0.71),
    ("JPY", 0, 150.0),
    ("KES", 2, 129.0),
    ("KRW", 0, 1_350.0),
    ("KWD", 3, 0.307),
    ("MAD", 2, 10.0),
    ("MXN", 2, 18.0),
    ("MYR", 2, 4.5),
    ("NGN", 2, 1_600.0),
    ("NOK", 2, 10.8),
    ("NZD", 2, 1.65),
    ("OMR", 3, 0.385),
    ("PEN", 2, 3.75),
    ("PHP", 2, 57.0),
    ("PLN", 2, 4.0),
    ("QAR", 2, 3.64),
    ("SAR", 2, 3.75),
    ("SEK", 2, 10.5),
    ("SGD", 2, 1.34),
    ("THB", 2, 35.0),
    ("TRY", 2, 34.0),
    ("TWD", 2, 32.0),
    ("USD", 2, 1.0),
    ("VND", 0, 25_000.0),
    ("ZAR", 2, 18.0),
];

/// An ISO-4217 currency this system knows the minor unit of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    decimals: u8,
}

impl Currency {
    pub fn parse(field: &'static str, code: &str) -> Result<Self, InputError> {
        Self::all()
            .find(|currency| currency.code == code)
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

    /// Every currency the airline sells in, by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, decimals, _)| Self { code, decimals })
    }

    /// The reference rate: units of this currency per US dollar.
    pub fn units_per_usd(&self) -> f64 {
        CURRENCIES
            .iter()
            .find(|(code, ..)| *code == self.code)
            .map_or(1.0, |&(.., rate)| rate)
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

    /// This amount in `target` at the reference rates, rounded to the nearest minor unit;
    /// `None` when the result does not fit.
    pub fn convert_to(&self, target: Currency) -> Option<Money> {
        if target == self.currency {
            return Some(*self);
        }
        let from = self.currency.units_per_usd();
        let to = target.units_per_usd();
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
    fn every_currency_converts_to_and_from_dollars() {
        let usd = currency("USD");
        let codes: Vec<_> = Currency::all().map(|c| c.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "one row per code, by code");
        for currency in Currency::all() {
            assert!(currency.units_per_usd() > 0.0, "{currency}");
            // A hundred dollars' worth, to the currency's minor unit.
            let minor = 100.0 * currency.units_per_usd() * currency.minor_per_major() as f64;
            let amount = Money::from_minor(minor.round() as i64, currency);
            let dollars = amount.convert_to(usd).expect("converts");
            assert!(
                (9_900..=10_100).contains(&dollars.amount_minor()),
                "{currency}: {amount} is {dollars}"
            );
            let back = dollars.convert_to(currency).expect("converts back");
            let drift = (back.amount_minor() - amount.amount_minor()).abs();
            assert!(
                drift * 100 <= amount.amount_minor(),
                "{currency}: {amount} became {back} via {dollars}"
            );
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
        assert_eq!(fare.convert_to(kwd), Some(Money::from_minor(30_700, kwd)));
        assert_eq!(
            fare.plus(Money::from_minor(1, usd)),
            Some(Money::from_minor(10_001, usd))
        );
        assert_eq!(fare.plus(Money::from_minor(1, gbp)), None);
    }
}
