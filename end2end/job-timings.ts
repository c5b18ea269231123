/**
 * Job timings of the e2e jobs server (see playwright.config.ts): a run takes about 3.6 s,
 * "taking longer than usual" from 6 s, and the deadline fails a job at 14 s.
 */
export const JOB_TIMINGS = { stepMs: 1200, etaMs: 6000, deadlineMs: 14000 };
