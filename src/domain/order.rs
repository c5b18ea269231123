//! The order record as both sides see it on the wire.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use super::{CustomerName, Field, ItemName, Money, Note, OrderNumber, Quantity, Timestamp, ValidationError};

/// The stable identity of an order: a UUIDv7 the client makes when it creates the order, so a
/// row keeps its key from the first optimistic paint to the server's confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(Uuid);

impl OrderId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        OrderId(Uuid::now_v7())
    }

    pub const fn from_uuid(id: Uuid) -> Self {
        OrderId(id)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// Parses a hyphenated UUID; only version 7 ids are accepted for new orders.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let id = Uuid::parse_str(s.trim()).map_err(|_| {
            ValidationError::new(Field::OrderId, format!("\"{}\" is not an order id. Reload the page and try again.", super::excerpt(s)))
        })?;
        if id.get_version_num() != 7 {
            return Err(ValidationError::new(Field::OrderId, "Order ids must be time-ordered UUIDs (version 7). Reload the page and try again."));
        }
        Ok(OrderId(id))
    }
}

impl Default for OrderId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Editable; can be placed or deleted.
    Draft,
    /// Placed by the user, the job (payment, stock, fulfilment) still running.
    Placing,
    /// The job finished: the order is placed and can only be cancelled.
    Placed,
    /// The job failed; the reason is on the job's status page.
    Failed,
    /// Cancelled after being placed.
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] =
        [OrderStatus::Draft, OrderStatus::Placing, OrderStatus::Placed, OrderStatus::Failed, OrderStatus::Cancelled];

    /// The word shown in the status badge.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Draft => "Draft",
            OrderStatus::Placing => "Placing",
            OrderStatus::Placed => "Placed",
            OrderStatus::Failed => "Failed",
            OrderStatus::Cancelled => "Cancelled",
        }
    }

    /// The stable name used in the database and in CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Placing => "placing",
            OrderStatus::Placed => "placed",
            OrderStatus::Failed => "failed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Only drafts can be edited, reordered freely or deleted.
    pub fn is_editable(self) -> bool {
        self == OrderStatus::Draft
    }
}

/// One order, exactly as the server confirmed it (or as the client predicts it, before the
/// server has answered: then `number` may still be `None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    /// Assigned by the server on create; `None` only in a client prediction.
    pub number: Option<OrderNumber>,
    pub customer: CustomerName,
    pub item: ItemName,
    pub note: Note,
    pub quantity: Quantity,
    pub unit_price: Money,
    /// Computed by the server ([`super::line_total`]); the client only predicts it.
    pub total: Money,
    pub status: OrderStatus,
    pub starred: bool,
    /// Sort key in the list, ascending.
    pub position: i64,
    /// Incremented by the server on every change; writes carry the version they saw.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a new draft starts as, before the person names it.
pub const NEW_DRAFT_CUSTOMER: &str = "New customer";
pub const NEW_DRAFT_ITEM: &str = "Untitled item";
/// Unit price of a new draft until a catalogue exists: $25.00.
pub const NEW_DRAFT_UNIT_PRICE_CENTS: i64 = 2_500;

impl Order {
    /// The client's prediction of a new draft: its own id, no number yet (the server assigns
    /// it), one unit at the default price.
    pub fn new_draft(id: OrderId, now: Timestamp) -> Order {
        let quantity = Quantity::parse(1).expect("1 is a valid quantity");
        let unit_price = Money::from_cents(NEW_DRAFT_UNIT_PRICE_CENTS);
        Order {
            id,
            number: None,
            customer: CustomerName::parse(NEW_DRAFT_CUSTOMER).expect("the default customer name is valid"),
            item: ItemName::parse(NEW_DRAFT_ITEM).expect("the default item name is valid"),
            note: Note::parse("").expect("an empty note is valid"),
            quantity,
            unit_price,
            total: super::line_total(quantity, unit_price),
            status: OrderStatus::Draft,
            starred: false,
            position: 0,
            version: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// `ORD-1042`, or `New order` while the server has not assigned a number yet.
    pub fn display_number(&self) -> String {
        self.number.map(|n| n.to_string()).unwrap_or_else(|| "New order".to_string())
    }

    /// Whether the order matches a search (case-insensitive, on number, customer and item; an
    /// empty search matches every order). The one rule for the list's filter and the server's
    /// search.
    pub fn matches(&self, search: &str) -> bool {
        let needle = lowercase(search.trim());
        needle.is_empty()
            || lowercase(&self.display_number()).contains(&needle)
            || lowercase(self.customer.as_str()).contains(&needle)
            || lowercase(self.item.as_str()).contains(&needle)
    }
}

/// The longest search the server takes, in characters.
pub const SEARCH_MAX_CHARS: usize = 200;

/// Unicode lowercase (`str::to_lowercase`). In the browser it is JavaScript's `toLowerCase`,
/// the same Unicode default case mapping, so the WASM client carries no case tables.
fn lowercase(s: &str) -> String {
    #[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
    {
        js_sys::JsString::from(s).to_lower_case().into()
    }
    #[cfg(not(all(feature = "hydrate", target_arch = "wasm32")))]
    {
        s.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_matches_number_customer_and_item_case_insensitively() {
        let mut o = Order::new_draft(OrderId::new(), 0);
        o.number = Some(OrderNumber::new(1042));
        o.customer = CustomerName::parse("Harbor Street Café").unwrap();
        o.item = ItemName::parse("Espresso beans").unwrap();
        assert!(o.matches(""));
        assert!(o.matches("ord-1042"));
        assert!(o.matches("harbor"));
        assert!(o.matches("ESPRESSO"));
        assert!(o.matches("CAFÉ"));
        assert!(!o.matches("tea"));
    }

    #[test]
    fn a_bad_id_is_quoted_only_by_a_short_prefix() {
        let err = OrderId::parse(&"x".repeat(100_000)).unwrap_err();
        assert_eq!(err.field, Field::OrderId);
        assert!(err.message.len() < 120, "{}", err.message);
        assert!(err.message.contains(&format!("{}…", "x".repeat(crate::domain::EXCERPT_CHARS))), "{}", err.message);
    }

    #[test]
    fn new_ids_are_v7_and_parse_back() {
        let id = OrderId::new();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(OrderId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn rejects_non_uuid_and_non_v7_ids() {
        assert_eq!(OrderId::parse("nope").unwrap_err().field, Field::OrderId);
        assert!(OrderId::parse("67e55044-10b1-426f-9247-bb680e5fe0c8").is_err()); // v4
    }

    #[test]
    fn a_new_draft_is_a_valid_unnumbered_draft() {
        let d = Order::new_draft(OrderId::new(), 5);
        assert_eq!((d.number, d.status, d.quantity.get(), d.total.cents()), (None, OrderStatus::Draft, 1, 2_500));
        assert_eq!(d.display_number(), "New order");
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for st in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }
}
