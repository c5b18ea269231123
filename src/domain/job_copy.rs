//! What a job says to people: failure reasons with a next step, history lines, and the
//! email sent when it ends. Pure functions of the job and its order, so each is unit-tested;
//! shared, so the state gallery shows the very words the server writes.

use super::{about, Job, JobFailure, JobId, JobStep, Order};

/// The email a job's end leaves in the outbox (written in the same transaction), as plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobEmail {
    pub subject: String,
    pub body: String,
}

/// "5 minutes", "a minute", "30 seconds": a span as a sentence says it after "longer than".
fn span(ms: i64) -> String {
    about(ms).trim_start_matches("about ").to_string()
}

fn support(job: &Job) -> String {
    format!("Place the order again, or contact support quoting {}.", job.id.reference())
}

/// Why the step failed and what to do about it.
pub fn step_failure(step: JobStep, job: &Job, order: &Order) -> JobFailure {
    let (reason, next_step) = match step {
        JobStep::Payment => (
            "The card issuer declined the payment.".to_string(),
            "Check the payment details with the customer, then place the order again.".to_string(),
        ),
        JobStep::Stock => (
            format!("There isn't enough stock to reserve {} × {}.", order.quantity, order.item),
            "Lower the quantity or wait for a restock, then place the order again.".to_string(),
        ),
        JobStep::Fulfilment => (
            "No carrier could take the shipment.".to_string(),
            format!("Place the order again in a few minutes, or contact support quoting {}.", job.id.reference()),
        ),
    };
    JobFailure { reason, next_step }
}

/// The job ran past its deadline.
pub fn deadline_failure(job: &Job) -> JobFailure {
    JobFailure {
        reason: format!(
            "Placing {} took longer than {}, so it was stopped. Nothing was charged.",
            job.order_number,
            span(job.deadline_at - job.submitted_at)
        ),
        next_step: support(job),
    }
}

/// The server was down when the job's deadline passed.
pub fn restart_failure(job: &Job) -> JobFailure {
    JobFailure {
        reason: format!(
            "The server restarted while placing {}, and it could not finish in time. Nothing was charged.",
            job.order_number
        ),
        next_step: support(job),
    }
}

/// The history line when a restarted server picks the job up again.
pub fn resumed(job: &Job) -> String {
    match job.current_step() {
        Some(step) => format!("The server restarted; picking up at {}", step.label()),
        None => "The server restarted; finishing up".to_string(),
    }
}

/// Why a status page is empty: the job isn't there (or isn't this person's to see).
pub fn no_such_job(id: JobId) -> String {
    format!("There is no job {}. Open the order from the orders list to see its status.", id.reference())
}

/// The history line when the job succeeds.
pub fn completed(job: &Job) -> String {
    format!("{} is placed", job.order_number)
}

/// The status page's address, as an email links to it.
pub fn status_link(base_url: &str, job: &Job) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), job.href())
}

/// The email sent when the job succeeds.
pub fn success_notice(job: &Job, order: &Order, base_url: &str) -> JobEmail {
    JobEmail {
        subject: format!("{} is placed", job.order_number),
        body: format!(
            "{number} is placed.\n\n\
             The payment was authorised, {quantity} × {item} reserved and fulfilment arranged for {customer}.\n\n\
             See every step: {link}\n\
             Reference: {reference}\n",
            number = job.order_number,
            quantity = order.quantity,
            item = order.item,
            customer = order.customer,
            link = status_link(base_url, job),
            reference = job.id.reference(),
        ),
    }
}

/// The email sent when the job fails: what happened and what to do next.
pub fn failure_notice(job: &Job, failure: &JobFailure, base_url: &str) -> JobEmail {
    JobEmail {
        subject: format!("{} couldn't be placed", job.order_number),
        body: format!(
            "{number} couldn't be placed.\n\n\
             What happened: {reason}\n\
             What to do next: {next}\n\n\
             See every step: {link}\n\
             Reference: {reference}\n",
            number = job.order_number,
            reason = failure.reason,
            next = failure.next_step,
            link = status_link(base_url, job),
            reference = job.id.reference(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{JobState, OrderId, OrderStatus};

    fn job() -> Job {
        crate::domain::sample_job(JobState::Running, 1)
    }

    fn order() -> Order {
        let mut o = Order::new_draft(OrderId::new(), 0);
        o.quantity = crate::domain::Quantity::parse(3).unwrap();
        o.item = crate::domain::ItemName::parse("Espresso beans, 1 kg").unwrap();
        o.status = OrderStatus::Placing;
        o
    }

    #[test]
    fn each_step_fails_with_its_own_reason_and_next_step() {
        let (j, o) = (job(), order());
        let pay = step_failure(JobStep::Payment, &j, &o);
        assert_eq!(pay.reason, "The card issuer declined the payment.");
        assert!(pay.next_step.contains("payment details"));
        let stock = step_failure(JobStep::Stock, &j, &o);
        assert_eq!(stock.reason, "There isn't enough stock to reserve 3 × Espresso beans, 1 kg.");
        assert!(stock.next_step.contains("restock"));
        let ship = step_failure(JobStep::Fulfilment, &j, &o);
        assert!(ship.next_step.contains(&j.id.reference()), "{}", ship.next_step);
    }

    #[test]
    fn a_deadline_failure_says_how_long_and_quotes_the_reference() {
        let j = job();
        let f = deadline_failure(&j);
        assert_eq!(f.reason, "Placing ORD-1042 took longer than 5 minutes, so it was stopped. Nothing was charged.");
        assert_eq!(f.next_step, format!("Place the order again, or contact support quoting {}.", j.id.reference()));
        assert!(restart_failure(&j).reason.starts_with("The server restarted while placing ORD-1042"));
    }

    #[test]
    fn resuming_names_the_step_it_picks_up_at() {
        let mut j = job();
        assert_eq!(resumed(&j), "The server restarted; picking up at Reserving stock");
        j.steps_done = 3;
        assert_eq!(resumed(&j), "The server restarted; finishing up");
    }

    #[test]
    fn emails_have_the_subjects_and_link_to_the_status_page() {
        let (j, o) = (job(), order());
        let ok = success_notice(&j, &o, "http://127.0.0.1:3000/");
        assert_eq!(ok.subject, "ORD-1042 is placed");
        assert!(ok.body.contains(&format!("http://127.0.0.1:3000/jobs/{}", j.id)), "{}", ok.body);
        let f = step_failure(JobStep::Payment, &j, &o);
        let bad = failure_notice(&j, &f, "https://desk.example.com");
        assert_eq!(bad.subject, "ORD-1042 couldn't be placed");
        assert!(bad.body.contains(&f.reason) && bad.body.contains(&f.next_step), "{}", bad.body);
        assert!(bad.body.contains(&format!("https://desk.example.com/jobs/{}", j.id)));
    }
}
