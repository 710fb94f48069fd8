//! How numbers are written into result files.
//!
//! Floats are written as the shortest decimal that reads back to the same `f64` (Rust's
//! `Display`, never exponent notation). That is exact and deterministic, so files can be
//! compared byte for byte, read back by pandas or R without loss, and merged shards can
//! recompute summaries that are bit-identical to an unsharded run. Non-finite values are
//! written `NaN`, `Inf` and `-Inf`, which both pandas and R read as floats. Undefined
//! values (a statistic of too few runs, a year never reached) are empty fields.

/// Writes a float exactly (shortest round-trip decimal).
pub fn float(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "Inf" } else { "-Inf" }.to_string()
    } else if x == 0.0 {
        // -0 and 0 mean the same to a reader; one spelling keeps files comparable.
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// Writes an optional float; `None` is an empty field.
pub fn opt_float(x: Option<f64>) -> String {
    x.map(float).unwrap_or_default()
}

/// Writes an optional integer; `None` is an empty field.
pub fn opt_int<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Turns a message into one CSV-friendly line (error causes may span lines).
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_shortest_round_trip() {
        assert_eq!(float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float(12.0), "12");
        assert_eq!(float(-0.0), "0");
        assert_eq!(float(1e-7), "0.0000001");
        assert_eq!(float(f64::NAN), "NaN");
        assert_eq!(float(f64::NEG_INFINITY), "-Inf");
        let x = 0.256_123_456_789_012_3_f64;
        assert_eq!(float(x).parse::<f64>().unwrap(), x);
        assert_eq!(opt_float(None), "");
        assert_eq!(opt_int(Some(2027)), "2027");
        assert_eq!(one_line("a\n  b\tc"), "a b c");
    }
}
