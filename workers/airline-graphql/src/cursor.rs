//! The cursor every time-ordered connection uses (bookings, the loyalty history): the
//! item's time and id, as a JSON pair in URL-safe base64. Opaque to clients; anything that
//! does not decode is the same typed input error on `after`.

use airline_domain::InputError;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::json;

/// A position in a list ordered by time, then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimeCursor {
    pub at: DateTime<Utc>,
    pub id: String,
}

impl TimeCursor {
    pub fn new(at: DateTime<Utc>, id: impl Into<String>) -> Self {
        Self { at, id: id.into() }
    }

    pub fn encode(&self) -> String {
        let text = json!([airline_domain::utc_text(self.at), self.id]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.to_string())
    }

    /// The cursor in `after`, or the input error a client gets for one this list did not
    /// give out.
    pub fn decode(cursor: &str) -> Result<Self, InputError> {
        let bad = || InputError::new("after", "is not a cursor from this list");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| bad())?;
        let (at, id): (String, String) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let at = DateTime::parse_from_rfc3339(&at)
            .map_err(|_| bad())?
            .with_timezone(&Utc);
        Ok(Self { at, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_it_was_written() {
        let at = DateTime::parse_from_rfc3339("2026-12-03T10:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cursor = TimeCursor::new(at, "bk_0123|odd");
        assert_eq!(TimeCursor::decode(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn anything_else_is_an_input_error_on_after() {
        let not_json = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("2026|bk_1");
        let not_a_time = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["x","y"]"#);
        for bad in ["", "***", not_json.as_str(), not_a_time.as_str()] {
            let error = TimeCursor::decode(bad).unwrap_err();
            assert_eq!(error.field, "after", "{bad}");
        }
    }
}
