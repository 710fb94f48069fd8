//! Calendar months (`"2016-01"`), the unit of scenario dates.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar month; ordered, and written `YYYY-MM` in scenarios and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl YearMonth {
    pub const fn new(year: i32, month: u32) -> Self {
        YearMonth { year, month }
    }

    /// Months since year 0, so differences are month counts.
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    pub fn from_index(i: i64) -> Self {
        YearMonth {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    pub fn add_months(self, m: i64) -> Self {
        Self::from_index(self.index() + m)
    }

    /// Parses `YYYY-MM` with a month from 01 to 12 and a year from 1900 to 2200.
    pub fn parse(s: &str) -> Result<Self, String> {
        let err = || format!("expected a month as \"YYYY-MM\" (e.g. \"2016-01\"), got {s:?}");
        let (y, m) = s.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        if !(1..=12).contains(&month) {
            return Err(format!("month must be 01 to 12, got {s:?}"));
        }
        if !(1900..=2200).contains(&year) {
            return Err(format!("year must be 1900 to 2200, got {s:?}"));
        }
        Ok(YearMonth { year, month })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a = YearMonth::parse("2016-01").unwrap();
        let b = YearMonth::parse("2020-03").unwrap();
        assert!(a < b);
        assert_eq!(b.index() - a.index(), 50);
        assert_eq!(a.add_months(50), b);
        assert_eq!(b.to_string(), "2020-03");
        assert!(YearMonth::parse("2016-13").is_err());
        assert!(YearMonth::parse("16-01").is_err());
        assert!(YearMonth::parse("").is_err());
    }
}
