//! Integer value types: points, money in minor units, ISO 4217 currencies. No floats anywhere;
//! every operation is checked and reports overflow as an error instead of wrapping or panicking.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Arithmetic left the representable range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("arithmetic overflow")]
pub struct Overflow;

/// A whole number of loyalty points (may be negative in a ledger entry or a debt).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    pub fn checked_add(self, other: Points) -> Result<Points, Overflow> {
        self.0.checked_add(other.0).map(Points).ok_or(Overflow)
    }
    pub fn checked_sub(self, other: Points) -> Result<Points, Overflow> {
        self.0.checked_sub(other.0).map(Points).ok_or(Overflow)
    }
    pub fn checked_neg(self) -> Result<Points, Overflow> {
        self.0.checked_neg().map(Points).ok_or(Overflow)
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Adds `b` to `a` in place, failing on overflow.
pub fn add_to(a: &mut i64, b: i64) -> Result<(), Overflow> {
    *a = a.checked_add(b).ok_or(Overflow)?;
    Ok(())
}

/// `value × numerator ÷ denominator`, rounded toward zero, computed in 128 bits so the product
/// cannot overflow; fails only if the result does not fit in `i64` or `denominator` is 0.
pub fn mul_div(value: i64, numerator: i64, denominator: i64) -> Result<i64, Overflow> {
    if denominator == 0 {
        return Err(Overflow);
    }
    let r = i128::from(value) * i128::from(numerator) / i128::from(denominator);
    i64::try_from(r).map_err(|_| Overflow)
}

/// An ISO 4217 currency code: three uppercase ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses `EUR`, `USD`, … (three uppercase letters).
    pub fn parse(s: &str) -> Option<Currency> {
        let b = s.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| Currency([b[0], b[1], b[2]]))
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII")
    }
}

/// The currency rule as a JSON Schema pattern.
pub const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

#[cfg(feature = "openapi")]
impl schemars::JsonSchema for Currency {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": CURRENCY_PATTERN,
            "description": "ISO 4217 code, e.g. EUR"
        })
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Currency::parse(&s).ok_or_else(|| "must be an ISO 4217 code such as EUR".to_owned())
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in minor units (cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Adds two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Money {
            minor: self.minor.checked_add(other.minor)?,
            currency: self.currency,
        })
    }
}

/// An amount typed by a person, in major units with up to `decimals` decimals ("5", "4.50",
/// "4,50", "1 234,50", "1.234,50", "1,234.50", "1'234.50"), as minor units — without floats.
///
/// The last `.` or `,` is the decimal mark when at most `decimals` digits follow it; otherwise
/// (three digits, or a currency without decimals) every mark groups thousands. Spaces (also
/// no-break ones) and `'` group too. `None` for anything else, a negative amount or an overflow.
pub fn parse_major(text: &str, decimals: u32) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let (whole, fraction) = match cleaned.rfind(['.', ',']) {
        Some(at) if decimals > 0 && (1..=decimals as usize).contains(&(cleaned.len() - at - 1)) => {
            (&cleaned[..at], &cleaned[at + 1..])
        }
        _ => (cleaned.as_str(), ""),
    };
    // Grouping marks must separate groups of three digits.
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    if fraction.contains(['.', ',']) {
        return None;
    }
    let digits: String = groups.concat();
    if digits.is_empty() && fraction.is_empty() {
        return None;
    }
    let scale = 10i64.checked_pow(decimals)?;
    let whole: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<width$}", width = decimals as usize);
        padded.parse().ok()?
    };
    whole.checked_mul(scale)?.checked_add(fraction)
}

/// `minor` units as the plain number a person types back ("4.50" for 450 with 2 decimals).
pub fn format_major(minor: i64, decimals: u32) -> String {
    if decimals == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(decimals.min(18));
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale as u64;
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = decimals as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_arithmetic_is_checked() {
        assert_eq!(Points(2).checked_add(Points(3)), Ok(Points(5)));
        assert_eq!(Points(i64::MAX).checked_add(Points(1)), Err(Overflow));
        assert_eq!(Points(i64::MIN).checked_sub(Points(1)), Err(Overflow));
        assert_eq!(Points(i64::MIN).checked_neg(), Err(Overflow));
    }

    #[test]
    fn mul_div_rounds_toward_zero_without_intermediate_overflow() {
        assert_eq!(mul_div(7, 1, 2), Ok(3));
        assert_eq!(
            mul_div(i64::MAX, 3, 4),
            Ok((i128::from(i64::MAX) * 3 / 4) as i64)
        );
        assert_eq!(mul_div(i64::MAX, 2, 1), Err(Overflow));
        assert_eq!(mul_div(1, 1, 0), Err(Overflow));
    }

    #[test]
    fn currencies_are_three_uppercase_letters() {
        assert_eq!(Currency::parse("EUR").unwrap().as_str(), "EUR");
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(Currency::parse(bad).is_none(), "{bad}");
        }
        let eur = Currency::parse("EUR").unwrap();
        let usd = Currency::parse("USD").unwrap();
        let a = Money {
            minor: 150,
            currency: eur,
        };
        assert_eq!(a.checked_add(a).unwrap().minor, 300);
        assert!(a
            .checked_add(Money {
                minor: 1,
                currency: usd
            })
            .is_none());
    }

    #[test]
    fn typed_amounts_become_minor_units_without_floats() {
        for (text, decimals, minor) in [
            ("5", 2, 500),
            ("4.50", 2, 450),
            ("4,50", 2, 450),
            ("4,5", 2, 450),
            ("0.01", 2, 1),
            (" 1 234,50 ", 2, 123_450),
            ("1.234,50", 2, 123_450),
            ("1,234.50", 2, 123_450),
            ("1'234.50", 2, 123_450),
            ("1\u{a0}234", 2, 123_400),
            ("1,234", 2, 123_400),
            ("1.234", 0, 1_234),
            ("1500", 0, 1_500),
            (",5", 2, 50),
            ("19.990", 3, 19_990),
        ] {
            assert_eq!(parse_major(text, decimals), Some(minor), "{text}");
        }
        for bad in [
            "",
            "abc",
            "-5",
            "5€",
            "1,2,3",
            "12,34,567",
            "1.2345.6",
            "4.50.1",
            "99999999999999999999",
            ".",
            "1,23",
            "12345,678",
        ] {
            let decimals = if bad == "1,23" { 0 } else { 2 };
            assert_eq!(parse_major(bad, decimals), None, "{bad}");
        }
    }

    #[test]
    fn minor_units_print_back_as_they_parse() {
        assert_eq!(format_major(450, 2), "4.50");
        assert_eq!(format_major(5, 2), "0.05");
        assert_eq!(format_major(1_500, 0), "1500");
        assert_eq!(format_major(-1_250, 2), "-12.50");
        for minor in [0, 1, 99, 100, 123_456, i64::MAX / 1000] {
            assert_eq!(parse_major(&format_major(minor, 2), 2), Some(minor));
        }
    }
}
