//! Airports: their IATA codes, where they are, which zone their clocks keep, and how a
//! traveller finds one by typing part of a code, city or name.

use std::fmt;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization as _;

use crate::{GeoPoint, InputError, TimeZone};

/// A three-letter IATA airport code, always upper case (`lhr` is read as `LHR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AirportCode([u8; 3]);

impl AirportCode {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        match text.trim().as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(InputError::new(
                field,
                format!("`{text}` is not a three-letter IATA airport code"),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for AirportCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Airport {
    pub code: AirportCode,
    pub name: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    pub time_zone: TimeZone,
    pub location: GeoPoint,
}

impl Airport {
    /// The text autocomplete matches against: code, city, name and country, folded to
    /// lower case without accents so that `zurich` finds "Zürich". Stored next to the
    /// airport.
    pub fn search_key(&self) -> String {
        fold(&format!(
            "{} {} {} {}",
            self.code, self.city, self.name, self.country
        ))
    }
}

/// What a traveller typed into an airport box, normalised for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AirportQuery {
    folded: String,
}

impl AirportQuery {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(InputError::new(field, "type at least one character"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(InputError::new(
                field,
                format!("at most {} characters", Self::MAX_CHARS),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(InputError::new(field, "contains control characters"));
        }
        let folded = fold(trimmed);
        if folded.is_empty() {
            return Err(InputError::new(field, "contains no letters or digits"));
        }
        Ok(Self { folded })
    }

    /// The folded text: lower-case letters and digits in words separated by single spaces,
    /// so it can never hold a SQL `LIKE` wildcard.
    pub fn folded(&self) -> &str {
        &self.folded
    }
}

/// Lower-case ASCII with accents removed and runs of punctuation and space collapsed to
/// one space: "São Paulo/Guarulhos" becomes "sao paulo guarulhos".
///
/// Canonical decomposition (NFD) splits "ã" into "a" and a combining tilde, which is
/// dropped; the few Latin letters that do not decompose (ø, ß, ł, ...) are spelled out.
/// Scripts other than Latin are kept as they are, so they still match themselves.
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ø' | 'Ø' => folded.push('o'),
            'ß' => folded.push_str("ss"),
            'æ' | 'Æ' => folded.push_str("ae"),
            'œ' | 'Œ' => folded.push_str("oe"),
            'ł' | 'Ł' => folded.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => folded.push('d'),
            'þ' | 'Þ' => folded.push_str("th"),
            'ı' => folded.push('i'),
            c if c.is_alphanumeric() => folded.extend(c.to_lowercase()),
            _ => folded.push(' '),
        }
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_three_letters_read_in_upper_case() {
        assert_eq!(AirportCode::parse("from", "lhr").unwrap().as_str(), "LHR");
        assert_eq!(AirportCode::parse("from", " JFK ").unwrap().as_str(), "JFK");
        for bad in ["", "LH", "LHRX", "L1R", "ÅLH", "L R"] {
            let error = AirportCode::parse("from", bad).unwrap_err();
            assert_eq!(error.field, "from");
        }
    }

    #[test]
    fn queries_fold_accents_case_and_punctuation() {
        let query = AirportQuery::parse("search", "  São Paulo/GRU ").unwrap();
        assert_eq!(query.folded(), "sao paulo gru");
        assert_eq!(
            AirportQuery::parse("search", "Zürich").unwrap().folded(),
            "zurich"
        );
    }

    #[test]
    fn empty_overlong_and_control_queries_are_rejected() {
        assert!(AirportQuery::parse("search", "   ").is_err());
        assert!(AirportQuery::parse("search", "---").is_err());
        assert!(AirportQuery::parse("search", &"a".repeat(65)).is_err());
        assert!(AirportQuery::parse("search", "lon\u{0}don").is_err());
        assert!(AirportQuery::parse("search", &"a".repeat(64)).is_ok());
    }

    #[test]
    fn search_keys_hold_every_searchable_field() {
        let airport = Airport {
            code: AirportCode::parse("code", "ZRH").unwrap(),
            name: "Zürich Airport".into(),
            city: "Zürich".into(),
            country: "CH".into(),
            time_zone: TimeZone::parse("timeZone", "Europe/Zurich").unwrap(),
            location: GeoPoint::new(47.4581, 8.5555).unwrap(),
        };
        assert_eq!(airport.search_key(), "zrh zurich zurich airport ch");
    }
}
