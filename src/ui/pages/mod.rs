//! One module per route.

mod not_found;
mod orders;
mod states;

pub use not_found::NotFound;
pub use orders::OrdersPage;
pub use states::StatesPage;
