//! Reusable pieces of the pages, one file per thing shown.

mod app_header;
mod load_error;
mod order_list;
mod order_row;
mod search_box;
mod status_badge;

pub use app_header::AppHeader;
pub use load_error::LoadError;
pub use order_list::OrderList;
pub use order_row::OrderRow;
pub use search_box::SearchBox;
pub use status_badge::StatusBadge;
