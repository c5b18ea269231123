//! The email fallback: sends each job's ending from the `notifications` outbox with lettre, as
//! an `.eml` file in the outbox folder, or through SMTP when one is configured.
//!
//! At most once, as far as this process can know: each send is claimed in the database before
//! it is made (the attempt is counted and the next try pushed back), and marked sent after. A
//! crash between the two sends it again later, but as the same email: the file is named after
//! the notification's job and replaced, and the Message-ID is the same, so a receiver can drop
//! the copy. A send that fails is retried with a growing pause, at most [`MAX_ATTEMPTS`]
//! times; then the notification is marked given up (`gave_up_at`) and a warning is logged.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::clock::SharedClock;
use crate::config::EmailSettings;
use crate::store::{Db, UnsentNotification};

/// How often the outbox is checked.
const EVERY: Duration = Duration::from_millis(500);
/// At most this many emails per check.
const BATCH: u32 = 20;
/// The longest pause before retrying a failed send.
const MAX_RETRY_MS: i64 = 5 * 60 * 1000;
/// Sends tried per notification before giving up: with the pauses between them (1 s doubling
/// to 5 minutes) the last is about 18 minutes after the first, long enough to ride out a mail
/// server's restart, short enough that someone looks at `gave_up_at` the same day.
pub const MAX_ATTEMPTS: i64 = 12;

/// Why the mailer could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("email.smtp_url is not a usable SMTP address ({0}). Use e.g. smtps://user:password@smtp.example.com, or leave it empty to write emails to the outbox folder.")]
    SmtpUrl(String),
    #[error("email.{key} {value:?} is not an email address. Use \"Name <name@example.com>\".")]
    Address { key: &'static str, value: String },
}

enum Transport {
    /// `.eml` files in this folder, one per notification.
    Outbox(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends job emails. Built once at start-up from the email settings.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    to: Mailbox,
}

impl Mailer {
    pub fn from_settings(settings: &EmailSettings) -> Result<Self, MailError> {
        let mailbox = |key: &'static str, value: &str| {
            value.parse::<Mailbox>().map_err(|_| MailError::Address { key, value: value.to_string() })
        };
        let transport = if settings.uses_smtp() {
            let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.smtp_url.trim())
                .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                .build();
            Transport::Smtp(smtp)
        } else {
            Transport::Outbox(settings.outbox_dir.clone())
        };
        Ok(Mailer { transport, from: mailbox("from", &settings.from)?, to: mailbox("to", &settings.to)? })
    }

    /// The email for a notification, to the person who placed the order (jobs from before
    /// accounts: to `email.to`). Its Message-ID is the job's, so a resent copy is recognisably
    /// the same email.
    pub fn message(&self, n: &UnsentNotification) -> Result<Message, String> {
        let to = match &n.recipient {
            Some(email) => email.parse::<Mailbox>().map_err(|e| format!("the recipient {email:?} is not an address: {e}"))?,
            None => self.to.clone(),
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(n.subject.clone())
            .message_id(Some(format!("<{}@orderdesk>", n.job_id)))
            .header(ContentType::TEXT_PLAIN)
            .body(n.body.clone())
            .map_err(|e| e.to_string())
    }

    /// Sends the notification's email once through the transport. Sending the same
    /// notification again replaces the outbox file rather than adding one.
    pub async fn deliver(&self, n: &UnsentNotification) -> Result<(), String> {
        let message = self.message(n)?;
        match &self.transport {
            Transport::Outbox(dir) => write_replacing(dir, &outbox_file_name(n), &message.formatted()).await,
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| e.to_string()),
        }
    }

    /// Sends every notification due now; returns how many were sent.
    pub async fn send_due(&self, db: &Db, now: i64) -> Result<usize, crate::store::StoreError> {
        let mut sent = 0;
        for n in db.unsent_notifications(now, BATCH).await? {
            if n.attempts >= MAX_ATTEMPTS {
                // Its last claimed attempt never reported back (the process died mid-send).
                self.give_up(db, &n, "the last attempt did not finish", now).await?;
                continue;
            }
            // Claimed before the send: if the process dies while sending, the attempt still
            // counts and the next try waits its pause.
            let Some(attempt) = db.claim_notification(n.id, now, now.saturating_add(retry_after_ms(n.attempts))).await? else { continue };
            match self.deliver(&n).await {
                Ok(()) => {
                    db.mark_emailed(n.id, now).await?;
                    sent += 1;
                }
                Err(e) if attempt >= MAX_ATTEMPTS => self.give_up(db, &n, &e, now).await?,
                Err(e) => {
                    tracing::warn!(job = %n.job_id.reference(), attempt, error = %e, "a job email was not sent; will retry");
                    db.mark_email_failed(n.id, &e).await?;
                }
            }
        }
        Ok(sent)
    }

    async fn give_up(&self, db: &Db, n: &UnsentNotification, error: &str, now: i64) -> Result<(), crate::store::StoreError> {
        tracing::warn!(
            job = %n.job_id.reference(),
            attempts = MAX_ATTEMPTS,
            error,
            "a job email could not be sent and will not be tried again (notifications.gave_up_at is set)"
        );
        db.give_up_notification(n.id, error, now).await
    }

    /// Removes `.eml` files (and ones a crash left half-written) in the outbox folder last
    /// written before `before` (by the file system's clock, which wrote them). Returns how
    /// many went; nothing without an outbox.
    pub async fn prune_outbox(&self, before: SystemTime) -> std::io::Result<usize> {
        let Transport::Outbox(dir) = &self.transport else { return Ok(0) };
        let mut entries = match tokio::fs::read_dir(dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await? {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "eml" && x != PARTIAL) {
                continue;
            }
            let modified = entry.metadata().await?.modified()?;
            if modified < before {
                tokio::fs::remove_file(&path).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Every [`EVERY`]: sends what the outbox holds.
    pub fn spawn(self: Arc<Self>, db: Db, clock: SharedClock) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match self.send_due(&db, clock.now_ms()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(emails = n, "sent job emails"),
                    Err(e) => tracing::warn!(error = %e, "can't read the email outbox; will try again"),
                }
            }
        })
    }
}

/// The outbox file of a notification: named after its job (one notification per job), so a
/// second send of it lands on the same name.
fn outbox_file_name(n: &UnsentNotification) -> String {
    format!("{}.eml", n.job_id)
}

/// Writes `bytes` to `dir/name` through a temporary file and a rename, so the file is either
/// the old whole email or the new one, never half of one, and a repeat replaces it. The file
/// is on disk before the rename (and so before the notification is marked sent).
async fn write_replacing(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    use tokio::io::AsyncWriteExt;
    tokio::fs::create_dir_all(dir).await.map_err(|e| format!("can't create the outbox folder {}: {e}", dir.display()))?;
    let target = dir.join(name);
    let partial = dir.join(format!("{name}.{PARTIAL}"));
    let write_err = |e: std::io::Error| format!("can't write {}: {e}", partial.display());
    let mut file = tokio::fs::File::create(&partial).await.map_err(write_err)?;
    file.write_all(bytes).await.map_err(write_err)?;
    file.sync_all().await.map_err(write_err)?;
    tokio::fs::rename(&partial, &target).await.map_err(|e| format!("can't move the email to {}: {e}", target.display()))
}

/// The extension of an email being written; a crash can leave one behind.
const PARTIAL: &str = "partial";

/// The pause before retrying a send that failed `attempts` times before: 1 s, 2 s, 4 s, ... up
/// to 5 minutes.
fn retry_after_ms(attempts: i64) -> i64 {
    1000i64.saturating_mul(1 << attempts.clamp(0, 20)).min(MAX_RETRY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::JobId;

    fn notification() -> UnsentNotification {
        UnsentNotification { id: 1, job_id: JobId::new(), subject: "ORD-1042 is placed".into(), body: "ORD-1042 is placed.\n".into(), attempts: 0, recipient: None }
    }

    #[test]
    fn retries_back_off_up_to_five_minutes() {
        assert_eq!(retry_after_ms(0), 1000);
        assert_eq!(retry_after_ms(3), 8000);
        assert_eq!(retry_after_ms(60), MAX_RETRY_MS);
    }

    #[test]
    fn the_last_attempt_comes_about_eighteen_minutes_after_the_first() {
        let span: i64 = (0..MAX_ATTEMPTS - 1).map(retry_after_ms).sum();
        assert_eq!(span, 1_111_000);
    }

    #[test]
    fn a_bad_smtp_url_or_address_is_refused_with_the_key() {
        let mut s = EmailSettings { smtp_url: "ftp://nope".into(), ..EmailSettings::default() };
        assert!(Mailer::from_settings(&s).err().unwrap().to_string().contains("smtp_url"));
        s.smtp_url = String::new();
        s.from = "nobody".into();
        assert!(Mailer::from_settings(&s).err().unwrap().to_string().contains("email.from"));
    }

    #[tokio::test]
    async fn the_outbox_gets_an_eml_file_with_the_subject() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let s = EmailSettings { outbox_dir: outbox.clone(), ..EmailSettings::default() };
        let mailer = Mailer::from_settings(&s).unwrap();
        let n = notification();
        mailer.deliver(&n).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].file_name().unwrap().to_str().unwrap(), format!("{}.eml", n.job_id), "named after the notification's job");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("Subject: ORD-1042 is placed\r\n"), "{text}");
        assert!(text.contains(&format!("Message-ID: <{}@orderdesk>", n.job_id)), "{text}");
        assert!(text.contains("To: \"Order Desk user\" <user@localhost>") || text.contains("To: Order Desk user <user@localhost>"), "{text}");
    }
}
