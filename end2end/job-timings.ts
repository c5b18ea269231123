/**
 * Job timings of the e2e jobs server (see playwright.config.ts): a run takes about 6.6 s,
 * "taking longer than usual" from 9 s, and the deadline fails a job at 13 s. A run is long
 * enough that a person (or a loaded CI machine) is back on the list before it ends.
 */
const stepMs = 2_200;
export const JOB_TIMINGS = { stepMs, runMs: 3 * stepMs, etaMs: 9_000, deadlineMs: 13_000 };
