//! Booking references: six characters a traveller can read over the phone.

/// Letters and digits that cannot be mistaken for one another: no 0/O/Q/D, 1/I/L/J,
/// 2/Z, 5/S, 8/B, U/V. 20 symbols, so six of them make 64 million references.
pub const ALPHABET: &[u8; 20] = b"ACEFGHKMNPRTWXY34679";

pub const LENGTH: usize = 6;

/// A reference from six random bytes. Rejection sampling keeps every symbol equally
/// likely: bytes at or above the largest multiple of 20 are skipped, so the caller gives
/// more bytes than six (`None` if they ran out).
pub fn from_random(bytes: &[u8]) -> Option<String> {
    let n = ALPHABET.len();
    let limit = 256 - 256 % n;
    let reference: String = bytes
        .iter()
        .filter(|&&b| usize::from(b) < limit)
        .take(LENGTH)
        .map(|&b| char::from(ALPHABET[usize::from(b) % n]))
        .collect();
    (reference.len() == LENGTH).then_some(reference)
}

/// Which registry object keeps `reference`: one per two-character prefix (400 of them),
/// so a claim reaches an object that is already running, and no object holds more than a
/// four-hundredth of all references.
pub fn shard(reference: &str) -> &str {
    reference.get(..2).unwrap_or(reference)
}

/// Whether `text` could be a reference (upper-cased, trimmed by the caller's choice).
pub fn is_valid(text: &str) -> bool {
    text.len() == LENGTH && text.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_use_only_unambiguous_symbols() {
        for ambiguous in "0OQD1ILJ2Z5S8BUV".chars() {
            assert!(!ALPHABET.contains(&(ambiguous as u8)), "{ambiguous}");
        }
        let unique: std::collections::BTreeSet<_> = ALPHABET.iter().collect();
        assert_eq!(unique.len(), ALPHABET.len());
    }

    #[test]
    fn six_bytes_make_a_reference_and_biased_bytes_are_skipped() {
        let reference = from_random(&[0, 1, 2, 3, 4, 5]).unwrap();
        assert_eq!(reference, "ACEFGH");
        assert!(is_valid(&reference));
        // 255 is above the last multiple of 20 (240) and is skipped.
        assert_eq!(from_random(&[255, 0, 1, 2, 3, 4, 5]).unwrap(), "ACEFGH");
        assert_eq!(from_random(&[255; 12]), None);
        assert_eq!(from_random(&[0, 1]), None);
    }

    #[test]
    fn references_spread_over_four_hundred_registries() {
        assert_eq!(shard("K7MXRA"), "K7");
        let shards: std::collections::BTreeSet<String> = ALPHABET
            .iter()
            .flat_map(|a| {
                ALPHABET
                    .iter()
                    .map(move |b| format!("{}{}", *a as char, *b as char))
            })
            .collect();
        assert_eq!(shards.len(), 400);
    }

    #[test]
    fn validation_rejects_other_shapes() {
        assert!(!is_valid("ACEFG"));
        assert!(!is_valid("ACEFGHK"));
        assert!(!is_valid("acefgh"));
        assert!(!is_valid("ACEFG0"));
    }
}
