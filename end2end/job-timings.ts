/**
 * Job timings of the e2e jobs server (see playwright.config.ts): a run takes about 7.5 s,
 * "taking longer than usual" from 10 s, and the deadline fails a job at 16 s. A run is long
 * enough that a person (or a loaded CI machine) is back on the list before it ends.
 */
const stepMs = 2500;
export const JOB_TIMINGS = { stepMs, runMs: 3 * stepMs, etaMs: 10_000, deadlineMs: 16_000 };
