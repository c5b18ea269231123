//! Domain types and rules shared by the server and the WASM client.
//! Pure data and validation: no IO, no Leptos, no database.

mod account;
mod job;
pub mod job_copy;
mod money;
mod number;
mod order;
mod page;
mod pricing;
mod quantity;
pub mod rules;
mod text;
mod time;
mod write;

pub use account::{form_refusal, Email, Membership, Password, Person, Role, WorkspaceId, DEMO_ACCOUNTS, PASSWORD_MIN_CHARS};
pub use job_copy::JobEmail;
pub use job::{about, Job, JobDetail, JobEvent, JobEventKind, JobFailure, JobId, JobState, JobStep, PlaceReceipt, ServerEvent};
#[cfg(test)]
pub(crate) use job::sample_job;
pub use money::Money;
pub use number::OrderNumber;
pub use order::{Order, OrderId, OrderStatus, SEARCH_MAX_CHARS};
pub use page::{ListKey, ListWindow, OrderPage};
pub use pricing::{line_total, server_line_total, Promotion, BULK_DISCOUNT_FROM, BULK_DISCOUNT_PERCENT};
pub use quantity::Quantity;
pub use rules::{RuleError, Stored};
pub use text::{excerpt, excerpt_chars, is_invisible_formatting, CustomerName, ItemName, Note, EXCERPT_CHARS};
pub use time::{format_timestamp, uuid_made_at, Timestamp};
pub use write::{DeleteReceipt, WriteKind};

use serde::{Deserialize, Serialize};

/// The input fields a person can get wrong; errors name one of these so the UI can show the
/// message at the field itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Customer,
    Item,
    Note,
    Quantity,
    UnitPrice,
    OrderNumber,
    OrderId,
    Position,
    Version,
    IdempotencyKey,
    JobId,
    Search,
    Email,
    Password,
    Role,
    Workspace,
}

impl Field {
    /// The field's name as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Customer => "customer name",
            Field::Item => "item name",
            Field::Note => "note",
            Field::Quantity => "quantity",
            Field::UnitPrice => "unit price",
            Field::OrderNumber => "order number",
            Field::OrderId => "order id",
            Field::Position => "position",
            Field::Version => "version",
            Field::IdempotencyKey => "request key",
            Field::JobId => "job reference",
            Field::Search => "search text",
            Field::Email => "email address",
            Field::Password => "password",
            Field::Role => "role",
            Field::Workspace => "workspace",
        }
    }
}

/// A value that failed validation: which field, and a message saying what failed and what to
/// do next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub field: Field,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}
