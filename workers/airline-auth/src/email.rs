//! Email addresses as account names: normalised so one mailbox is one account, and
//! restricted to ASCII so that look-alike characters cannot make a second account that
//! reads the same as someone else's (`pаypal@` with a Cyrillic `а`).

use std::fmt;

/// A syntactically valid, ASCII, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why an email address was refused, in words for the person typing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailError(pub &'static str);

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX_LEN: usize = 254;
    const MAX_LOCAL_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EmailError("enter an email address"));
        }
        if text.len() > Self::MAX_LEN {
            return Err(EmailError("is longer than 254 characters"));
        }
        if !text.is_ascii() {
            return Err(EmailError(
                "may contain only ASCII characters (write international domains in their xn-- form)",
            ));
        }
        let (local, domain) = text
            .rsplit_once('@')
            .ok_or(EmailError("is missing the @ and domain"))?;
        let local_ok = !local.is_empty()
            && local.len() <= Self::MAX_LOCAL_LEN
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
        if !local_ok {
            return Err(EmailError("has an invalid part before the @"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                (1..=63).contains(&label.len())
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && !tld.bytes().all(|b| b.is_ascii_digit()));
        if !domain_ok {
            return Err(EmailError("has an invalid domain after the @"));
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada.Lovelace+fly@Example.COM ")
                .unwrap()
                .as_str(),
            "ada.lovelace+fly@example.com"
        );
        assert_eq!(
            Email::parse("o'brien@xn--bcher-kva.de").unwrap().as_str(),
            "o'brien@xn--bcher-kva.de"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@@example.com",
            "ada@-example.com",
            "ada@example..com",
            ".ada@example.com",
            "ada.@example.com",
            "a..da@example.com",
            "ada lovelace@example.com",
            "ada@example.c",
            "ada@example.123",
            "ada@exa_mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn look_alike_and_overlong_addresses_are_refused() {
        // Cyrillic "а" (U+0430) and a fullwidth "＠" look like ASCII but are not.
        assert!(Email::parse("pаypal@example.com").is_err());
        assert!(Email::parse("ada＠example.com").is_err());
        assert!(Email::parse("ada@exämple.com").is_err());
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_err());
        let long = format!("a@{}.com", "b".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
