//! How often and how soon a transient failure is retried. Pure arithmetic: the caller owns the
//! clock and passes `now` in.

/// Transient failures of one op before it is rolled back with Retry. Four sends span about
/// seven seconds of backoff (1 s + 2 s + 4 s): long enough for a blip, short enough that a row
/// does not stay "sending" while the person waits.
pub const MAX_ATTEMPTS: u32 = 4;

/// Delay before the first resend.
pub const BASE_DELAY_MS: u64 = 1_000;

/// No resend waits longer than this, whatever [`MAX_ATTEMPTS`] becomes.
pub const MAX_DELAY_MS: u64 = 30_000;

/// Milliseconds to wait before resending an op that has failed `attempts` times: exponential
/// (1 s, 2 s, 4 s, …) and capped at [`MAX_DELAY_MS`]. No jitter: the engine must stay
/// deterministic; add jitter in the caller if many clients could retry in lockstep.
///
/// ```text
/// retry_delay_ms(0) == 0, retry_delay_ms(1) == 1_000, retry_delay_ms(3) == 4_000
/// ```
pub fn retry_delay_ms(attempts: u32) -> u64 {
    if attempts == 0 {
        return 0;
    }
    let factor = 1u64.checked_shl(attempts - 1).unwrap_or(u64::MAX);
    BASE_DELAY_MS.saturating_mul(factor).min(MAX_DELAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_one_second_and_stop_at_the_cap() {
        assert_eq!(retry_delay_ms(0), 0);
        assert_eq!(retry_delay_ms(1), 1_000);
        assert_eq!(retry_delay_ms(2), 2_000);
        assert_eq!(retry_delay_ms(3), 4_000);
        assert_eq!(retry_delay_ms(6), MAX_DELAY_MS);
        assert_eq!(retry_delay_ms(200), MAX_DELAY_MS);
    }
}
