//! Fault controls: make the next writes of a kind succeed, be rejected, conflict, fail
//! transiently, slow down or hang past the client's deadline, and add latency to every write, so every UI state can be
//! produced on purpose. Off by default; the HTTP endpoint exists only when enabled.
//! The types are shared so a panel in the app can drive them; the registry is server-only.

use serde::{Deserialize, Serialize};

use crate::domain::WriteKind;

/// What happens to a write that a rule catches.
///
/// On the wire: `{"outcome": "delay", "ms": 500}`. Read through the flat [`WireAction`]:
/// serde's internally tagged enums cost the WASM client kilobytes of buffering code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", try_from = "WireAction")]
pub enum FaultAction {
    /// Processed normally (useful to let one write through ahead of later rules).
    Succeed,
    /// Hard rejection: 422 naming the field, nothing changes. Not worth retrying as is.
    Reject,
    /// The server fails (500), nothing changes; the row offers Retry.
    ServerError,
    /// Someone else changes the order first, so the write meets a real version conflict.
    Conflict,
    /// 503, nothing changes; the same key can be retried.
    Transient,
    /// Processed normally after waiting `ms` milliseconds.
    Delay { ms: u64 },
    /// The server holds the write (and its key's in-flight claim) past the client's write
    /// deadline, then processes it normally: `ms` milliseconds, or without `ms` the deadline
    /// (`writes.request_deadline_ms`) plus a second. The client gives up waiting and re-sends
    /// with the same key ("in progress" while held, the stored answer after): one effect.
    Hang {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<u64>,
    },
    /// Only for `place`: the order is accepted, and the job it starts fails at its first step.
    JobFail,
    /// Only for `place`: the order is accepted, and the job it starts stops making progress
    /// until its deadline fails it.
    JobStall,
}

/// [`FaultAction`] as it is read: the tag and the one field any variant has.
#[derive(Deserialize)]
struct WireAction {
    outcome: Outcome,
    #[serde(default)]
    ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Succeed,
    Reject,
    ServerError,
    Conflict,
    Transient,
    Delay,
    Hang,
    JobFail,
    JobStall,
}

impl TryFrom<WireAction> for FaultAction {
    type Error = &'static str;

    fn try_from(w: WireAction) -> Result<Self, Self::Error> {
        Ok(match w.outcome {
            Outcome::Succeed => FaultAction::Succeed,
            Outcome::Reject => FaultAction::Reject,
            Outcome::ServerError => FaultAction::ServerError,
            Outcome::Conflict => FaultAction::Conflict,
            Outcome::Transient => FaultAction::Transient,
            Outcome::Delay => FaultAction::Delay { ms: w.ms.ok_or("missing field `ms`")? },
            Outcome::Hang => FaultAction::Hang { ms: w.ms },
            Outcome::JobFail => FaultAction::JobFail,
            Outcome::JobStall => FaultAction::JobStall,
        })
    }
}

/// What fault controls decided for the job a `place` write starts. Stored with the job, so it
/// holds across a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobFault {
    /// Every step succeeds (no random failure).
    Succeed,
    /// The first step fails.
    Fail,
    /// No progress after submission; the deadline fails it.
    Stall,
}

impl JobFault {
    pub fn as_str(self) -> &'static str {
        match self {
            JobFault::Succeed => "succeed",
            JobFault::Fail => "fail",
            JobFault::Stall => "stall",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [JobFault::Succeed, JobFault::Fail, JobFault::Stall].into_iter().find(|f| f.as_str() == s)
    }
}

/// Applies `action` to the next `count` writes of `kind` (any write when `kind` is absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub kind: Option<WriteKind>,
    pub action: FaultAction,
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// Everything the fault controls hold right now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultState {
    pub rules: Vec<FaultRule>,
    /// Added before every write, in milliseconds.
    pub latency_ms: u64,
}

/// Longest delay or latency a rule may ask for.
pub const MAX_DELAY_MS: u64 = 60_000;
/// Most writes one rule may catch.
pub const MAX_COUNT: u32 = 10_000;
/// How many rules may wait at once: the list never grows without bound.
pub const MAX_RULES: usize = 100;

impl FaultRule {
    /// Checks the rule's numbers; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(format!("count must be between 1 and {MAX_COUNT}."));
        }
        if let FaultAction::Delay { ms } = self.action
            && ms > MAX_DELAY_MS {
                return Err(format!("a delay can be at most {MAX_DELAY_MS} ms."));
            }
        if let FaultAction::Hang { ms: Some(ms) } = self.action
            && !(1..=MAX_DELAY_MS).contains(&ms) {
                return Err(format!("a hang lasts between 1 and {MAX_DELAY_MS} ms (leave out ms to hang just past the client's deadline)."));
            }
        if matches!(self.action, FaultAction::JobFail | FaultAction::JobStall) && self.kind != Some(WriteKind::Place) {
            return Err("job_fail and job_stall apply only to the place write: set kind to \"place\".".into());
        }
        Ok(())
    }
}

#[cfg(feature = "ssr")]
pub use registry::Faults;

#[cfg(feature = "ssr")]
mod registry {
    use super::*;
    use std::sync::Mutex;

    /// The live fault rules. Writes consult [`Faults::take`] once each.
    #[derive(Debug, Default)]
    pub struct Faults {
        state: Mutex<FaultState>,
    }

    impl Faults {
        fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
            // A panic while holding this lock cannot leave the rules half-written, so a
            // poisoned lock is still safe to use.
            self.state.lock().unwrap_or_else(|p| p.into_inner())
        }

        pub fn snapshot(&self) -> FaultState {
            self.lock().clone()
        }

        /// Adds a rule, unless [`MAX_RULES`] are waiting already.
        pub fn push(&self, rule: FaultRule) -> Result<FaultState, String> {
            let mut s = self.lock();
            if s.rules.len() >= MAX_RULES {
                return Err(format!("at most {MAX_RULES} rules can wait at once; clear them first."));
            }
            s.rules.push(rule);
            Ok(s.clone())
        }

        pub fn set_latency(&self, ms: u64) -> FaultState {
            let mut s = self.lock();
            s.latency_ms = ms;
            s.clone()
        }

        pub fn clear(&self) -> FaultState {
            let mut s = self.lock();
            *s = FaultState::default();
            s.clone()
        }

        /// The added latency, and the action of the first rule that catches a write of
        /// `kind` (used up by one).
        pub fn take(&self, kind: WriteKind) -> (u64, Option<FaultAction>) {
            let mut s = self.lock();
            let latency = s.latency_ms;
            let Some(i) = s.rules.iter().position(|r| r.kind.is_none_or(|k| k == kind)) else {
                return (latency, None);
            };
            let action = s.rules[i].action;
            s.rules[i].count -= 1;
            if s.rules[i].count == 0 {
                s.rules.remove(i);
            }
            (latency, Some(action))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rules_apply_in_order_to_matching_kinds_and_run_out() {
            let f = Faults::default();
            f.push(FaultRule { kind: Some(WriteKind::Quantity), action: FaultAction::Reject, count: 2 }).unwrap();
            f.push(FaultRule { kind: None, action: FaultAction::Transient, count: 1 }).unwrap();
            assert_eq!(f.take(WriteKind::Star).1, Some(FaultAction::Transient));
            assert_eq!(f.take(WriteKind::Star).1, None);
            assert_eq!(f.take(WriteKind::Quantity).1, Some(FaultAction::Reject));
            assert_eq!(f.take(WriteKind::Quantity).1, Some(FaultAction::Reject));
            assert_eq!(f.take(WriteKind::Quantity).1, None);
        }

        #[test]
        fn the_rule_list_is_bounded() {
            let f = Faults::default();
            let rule = FaultRule { kind: None, action: FaultAction::Reject, count: 1 };
            for _ in 0..MAX_RULES {
                f.push(rule.clone()).unwrap();
            }
            assert!(f.push(rule).unwrap_err().contains("at most"));
            assert_eq!(f.snapshot().rules.len(), MAX_RULES);
        }

        #[test]
        fn latency_applies_to_every_write_until_cleared() {
            let f = Faults::default();
            f.set_latency(250);
            assert_eq!(f.take(WriteKind::Move).0, 250);
            assert_eq!(f.take(WriteKind::Create).0, 250);
            f.clear();
            assert_eq!(f.take(WriteKind::Create), (0, None));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_from_the_documented_json() {
        let r: FaultRule = serde_json::from_str(r#"{"kind":"quantity","action":{"outcome":"delay","ms":500},"count":3}"#).unwrap();
        assert_eq!(r.action, FaultAction::Delay { ms: 500 });
        let r: FaultRule = serde_json::from_str(r#"{"action":{"outcome":"reject"}}"#).unwrap();
        assert_eq!((r.kind, r.count), (None, 1));
    }

    #[test]
    fn every_action_reads_back_what_it_writes() {
        use FaultAction::*;
        for a in [Succeed, Reject, ServerError, Conflict, Transient, Delay { ms: 7 }, Hang { ms: None }, Hang { ms: Some(12_000) }, JobFail, JobStall] {
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<FaultAction>(&json).unwrap(), a, "{json}");
        }
        assert_eq!(serde_json::to_string(&Delay { ms: 7 }).unwrap(), r#"{"outcome":"delay","ms":7}"#);
        assert!(serde_json::from_str::<FaultAction>(r#"{"outcome":"delay"}"#).is_err());
        assert_eq!(serde_json::to_string(&Hang { ms: None }).unwrap(), r#"{"outcome":"hang"}"#);
        assert_eq!(serde_json::to_string(&Hang { ms: Some(12_000) }).unwrap(), r#"{"outcome":"hang","ms":12000}"#);
        assert_eq!(serde_json::from_str::<FaultAction>(r#"{"outcome":"hang"}"#).unwrap(), Hang { ms: None });
        assert!(serde_json::from_str::<FaultAction>(r#"{"outcome":"explode"}"#).is_err());
    }

    #[test]
    fn out_of_range_rules_are_refused_with_a_reason() {
        let r = FaultRule { kind: None, action: FaultAction::Delay { ms: MAX_DELAY_MS + 1 }, count: 1 };
        assert!(r.validate().unwrap_err().contains("at most"));
        let r = FaultRule { kind: None, action: FaultAction::Reject, count: 0 };
        assert!(r.validate().is_err());
        let r = FaultRule { kind: Some(WriteKind::Star), action: FaultAction::JobStall, count: 1 };
        assert!(r.validate().unwrap_err().contains("place"));
        let r = FaultRule { kind: Some(WriteKind::Place), action: FaultAction::JobFail, count: 1 };
        assert!(r.validate().is_ok());
        let hang = |ms| FaultRule { kind: Some(WriteKind::Quantity), action: FaultAction::Hang { ms }, count: 1 };
        assert!(hang(None).validate().is_ok());
        assert!(hang(Some(MAX_DELAY_MS)).validate().is_ok());
        assert!(hang(Some(MAX_DELAY_MS + 1)).validate().unwrap_err().contains("between 1 and"));
        assert!(hang(Some(0)).validate().is_err());
    }
}
