//! Human-friendly, unguessable codes for coupons (`PC-7KQ2-M9XD`) and members (`M-4F7Q-2K9D`).
//!
//! Seven random symbols from a 31-symbol alphabet without the look-alikes `0 O 1 I U` (~34.7 bits),
//! then a check symbol (weighted sum mod 31, a prime) that catches any single mistyped symbol and
//! any swap of two neighbours, the check symbol included. The randomness is passed in by the caller (Web Crypto at the edge): this
//! crate has no random source of its own.

/// The symbols, in value order.
pub const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKLMNPQRSTVWXYZ";
const BASE: u64 = ALPHABET.len() as u64;

fn value(symbol: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&c| c == symbol.to_ascii_uppercase())
        .map(|p| p as u32)
}

fn check_symbol(values: &[u32]) -> u8 {
    // Weights 1..=7 are non-zero mod the prime 31, so a substitution always changes the sum;
    // neighbouring weights differ by 1, so a swap of different symbols does too.
    let sum: u32 = values
        .iter()
        .enumerate()
        .map(|(i, v)| v * (i as u32 + 1))
        .sum();
    ALPHABET[(sum % 31) as usize]
}

/// Builds a code `PREFIX-XXXX-XXXX` from 8 random bytes.
pub fn generate(prefix: &str, entropy: [u8; 8]) -> String {
    let mut n = u64::from_le_bytes(entropy);
    let values: Vec<u32> = (0..7)
        .map(|_| {
            let v = (n % BASE) as u32;
            n /= BASE;
            v
        })
        .collect();
    let mut symbols: Vec<u8> = values.iter().map(|&v| ALPHABET[v as usize]).collect();
    symbols.push(check_symbol(&values));
    let s = String::from_utf8(symbols).expect("ASCII alphabet");
    format!("{prefix}-{}-{}", &s[..4], &s[4..])
}

/// Normalizes what a person typed (case, spaces, missing dashes) and checks the check symbol.
/// Returns the canonical form, or `None` if it cannot be a code with this prefix.
pub fn normalize(prefix: &str, input: &str) -> Option<String> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let body = cleaned.strip_prefix(prefix)?;
    if body.len() != 8 {
        return None;
    }
    let values: Vec<u32> = body.bytes().map(value).collect::<Option<_>>()?;
    if ALPHABET[values[7] as usize] != check_symbol(&values[..7]) {
        return None;
    }
    Some(format!("{prefix}-{}-{}", &body[..4], &body[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_look_right_and_validate() {
        let code = generate("PC", [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(code.len(), "PC-XXXX-XXXX".len());
        assert!(code.starts_with("PC-"));
        assert_eq!(normalize("PC", &code), Some(code.clone()));
        assert_eq!(
            normalize("PC", &code.to_lowercase().replace('-', " ")),
            Some(code.clone())
        );
        assert!(!code[3..].contains(['0', 'O', '1', 'I', 'U']));
    }

    #[test]
    fn every_single_typo_and_neighbour_swap_is_caught() {
        let code = generate("PC", [9, 31, 0, 17, 22, 5, 30, 200]);
        let body: Vec<u8> = code.bytes().filter(|b| *b != b'-').skip(2).collect();
        for i in 0..8 {
            for &c in ALPHABET {
                if c == body[i] {
                    continue;
                }
                let mut typo = body.clone();
                typo[i] = c;
                let s = format!("PC{}", String::from_utf8(typo).unwrap());
                assert_eq!(normalize("PC", &s), None, "{s}");
            }
        }
        for seed in 0..200u64 {
            let code = generate("PC", seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes());
            let body: Vec<u8> = code.bytes().filter(|b| *b != b'-').skip(2).collect();
            assert_swaps_caught(&body);
        }
        assert_swaps_caught(&body);
    }

    fn assert_swaps_caught(body: &[u8]) {
        for i in 0..7 {
            if body[i] == body[i + 1] {
                continue;
            }
            let mut swapped = body.to_vec();
            swapped.swap(i, i + 1);
            let s = format!("PC{}", String::from_utf8(swapped).unwrap());
            assert_eq!(normalize("PC", &s), None, "{s}");
        }
    }

    #[test]
    fn wrong_prefix_or_length_is_refused() {
        let code = generate("PC", [0; 8]);
        assert_eq!(normalize("M", &code), None);
        assert_eq!(normalize("PC", "PC-2345"), None);
    }
}
