//! Reusable pieces of the pages, one file per thing shown.

mod app_header;
mod cancel_order;
mod fault_panel;
mod load_error;
mod name_editor;
mod order_list;
mod order_row;
mod quantity_stepper;
mod row_actions;
mod row_status;
mod search_box;
mod star_button;
mod status_badge;

pub use app_header::AppHeader;
pub use cancel_order::CancelOrder;
pub use fault_panel::FaultPanel;
pub use load_error::LoadError;
pub use name_editor::NameEditor;
pub use order_list::OrderList;
pub use order_row::{EditRequest, OrderRow};
pub use quantity_stepper::QuantityStepper;
pub use row_actions::RowActions;
pub use row_status::RowStatus;
pub use search_box::SearchBox;
pub use star_button::StarButton;
pub use status_badge::StatusBadge;
