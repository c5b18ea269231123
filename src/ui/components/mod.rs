//! Reusable pieces of the pages, one file per thing shown.

mod app_header;
mod browser_notify_button;
mod cancel_order;
mod connection_status;
mod fault_panel;
mod job_load_error;
mod job_progress;
mod job_timeline;
mod load_error;
mod load_more;
mod name_editor;
mod notification_card;
mod notification_center;
mod order_list;
mod order_row;
mod place_again;
mod place_order_button;
mod quantity_stepper;
mod row_actions;
mod row_status;
mod search_box;
mod star_button;
mod status_badge;
mod sync_banner;

pub use app_header::AppHeader;
pub use browser_notify_button::BrowserNotifyButton;
pub use cancel_order::{CancelDialog, CancelOrder};
pub use connection_status::ConnectionStatus;
pub use fault_panel::{fault_controls_on, FaultPanel};
pub use job_load_error::{is_missing_job, JobLoadError};
pub use job_progress::{JobLink, JobProgress};
pub use job_timeline::JobTimeline;
pub use load_error::LoadError;
pub use load_more::LoadMore;
pub use name_editor::{name_editor, Typed};
pub use notification_card::NotificationCard;
pub use notification_center::NotificationCenter;
pub use order_list::{EmptyList, NoMatch, OrderList};
pub use order_row::{focus_row, EditRequest, OrderRow};
pub use place_again::PlaceAgain;
pub use place_order_button::PlaceOrderButton;
pub use quantity_stepper::QuantityStepper;
pub use row_actions::RowActions;
pub use row_status::{RowStatus, UndoForm};
pub use search_box::{encode_query, orders_href, SearchBox};
pub use star_button::StarButton;
pub use status_badge::StatusBadge;
pub use sync_banner::SyncBanner;

/// Fetches the chunks a row opens on demand, for a list the server drew with one open: hydration
/// waits for them (`crate::ui::hydration::Drawn::ChunksFirst`).
#[cfg(feature = "hydrate")]
pub async fn load_row_chunks() {
    name_editor::__preload_name_editor().await;
    cancel_order::__preload_cancel_dialog().await;
}

/// Once the page is hydrated, fetches the chunks a row opens on demand (a draft's editor, the
/// cancel dialog), so they open at once, offline too. The list's first load doesn't wait for
/// them.
pub fn preload_row_chunks() {
    #[cfg(feature = "hydrate")]
    crate::ui::hydration::soon_after_hydration(|| leptos::task::spawn_local(load_row_chunks()));
}
