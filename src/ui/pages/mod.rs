//! One module per route.

mod not_found;
mod orders;

pub use not_found::NotFound;
pub use orders::OrdersPage;
