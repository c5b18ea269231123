-- Placing an order runs as a durable job (payment, stock, fulfilment), with its history and
-- the email notifications it leaves behind. Times are Unix milliseconds (UTC).

CREATE TABLE jobs (
    id             TEXT    PRIMARY KEY NOT NULL,                       -- UUIDv7 made by the server
    order_id       TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    state          TEXT    NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
    steps_done     INTEGER NOT NULL DEFAULT 0 CHECK (steps_done BETWEEN 0 AND 3),
    progress       INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    submitted_at   INTEGER NOT NULL,
    eta_at         INTEGER NOT NULL CHECK (eta_at >= submitted_at),
    deadline_at    INTEGER NOT NULL CHECK (deadline_at >= eta_at),
    finished_at    INTEGER,
    failure_reason TEXT,
    next_step      TEXT,
    -- What fault controls forced ('succeed', 'fail', 'stall'), or NULL to run normally.
    fault          TEXT    CHECK (fault IS NULL OR fault IN ('succeed', 'fail', 'stall')),
    -- The step (0-based) this job fails at, decided once at submission so a restart never re-rolls it.
    fails_at_step  INTEGER CHECK (fails_at_step IS NULL OR fails_at_step BETWEEN 0 AND 2),
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     INTEGER NOT NULL,
    -- A finished job has its end time; a failed one says why and what to do next.
    CHECK ((state = 'running') = (finished_at IS NULL)),
    CHECK ((state = 'failed') = (failure_reason IS NOT NULL AND next_step IS NOT NULL)),
    CHECK (state <> 'succeeded' OR (steps_done = 3 AND progress = 100))
) STRICT;

-- The runner's and the watchdog's work list.
CREATE INDEX jobs_running ON jobs (deadline_at) WHERE state = 'running';
-- The newest job of each order.
CREATE INDEX jobs_by_order ON jobs (order_id, submitted_at DESC, id DESC);

-- A job's history, in order.
CREATE TABLE job_events (
    job_id  TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL CHECK (kind IN ('submitted', 'step_started', 'step_done', 'resumed', 'completed', 'failed')),
    step    TEXT    CHECK (step IS NULL OR step IN ('payment', 'stock', 'fulfilment')),
    message TEXT    NOT NULL,
    PRIMARY KEY (job_id, seq)
) STRICT, WITHOUT ROWID;

-- The database itself refuses a step done twice or a second ending.
CREATE UNIQUE INDEX job_events_step_done_once ON job_events (job_id, step) WHERE kind = 'step_done';
CREATE UNIQUE INDEX job_events_one_ending ON job_events (job_id) WHERE kind IN ('completed', 'failed');

-- Notifications of a job's end, kept as an outbox: the mailer sends each one, and retries
-- one that failed, until `emailed_at` is set.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    job_id          TEXT    NOT NULL UNIQUE REFERENCES jobs (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('success', 'failure')),
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    emailed_at      INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT
) STRICT;

CREATE INDEX notifications_unsent ON notifications (next_attempt_at) WHERE emailed_at IS NULL;
