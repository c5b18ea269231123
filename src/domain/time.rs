//! Timestamps as Unix milliseconds (UTC) with a dependency-free formatter, so the server's
//! HTML and the client's hydrated view print the same text.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Timestamp = i64;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Days since the epoch to (year, month 1-12, day 1-31); Howard Hinnant's civil-from-days.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The creation time a UUIDv7 carries (order ids, idempotency keys): the clock that made it.
/// 0 for a UUID of another version.
pub fn uuid_made_at(id: &uuid::Uuid) -> Timestamp {
    id.get_timestamp().map(|t| t.to_unix()).map_or(0, |(s, n)| s as i64 * 1000 + i64::from(n / 1_000_000))
}

/// `23 Nov 2026, 14:05 UTC`
pub fn format_timestamp(ms: Timestamp) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!("{d} {} {y}, {:02}:{:02} UTC", MONTHS[(m - 1) as usize], sod / 3600, (sod % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_timestamp(0), "1 Jan 1970, 00:00 UTC");
        // 2026-11-23T14:05:09Z
        assert_eq!(format_timestamp(1_795_442_709_000), "23 Nov 2026, 14:05 UTC");
        // Leap day 2024-02-29T23:59:00Z
        assert_eq!(format_timestamp(1_709_251_140_000), "29 Feb 2024, 23:59 UTC");
    }
}
