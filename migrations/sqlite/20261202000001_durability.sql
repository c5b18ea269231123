-- Durability and retention (issue 11).
-- A notification the mailer stopped trying to send, after its bounded attempts: when it gave
-- up (the reason is in last_error). Such a notification is not sent again.
ALTER TABLE notifications ADD COLUMN gave_up_at INTEGER;
-- Retention prunes ended jobs by when they ended, and done notifications by when they were done.
CREATE INDEX jobs_ended ON jobs (finished_at) WHERE state <> 'running';
CREATE INDEX notifications_done ON notifications (COALESCE(emailed_at, gave_up_at)) WHERE emailed_at IS NOT NULL OR gave_up_at IS NOT NULL;
