//! One module per route.

mod accepted;
mod job_gallery;
mod job_status;
mod not_found;
mod orders;
mod states;

pub use accepted::AcceptedPage;
pub use job_status::JobStatusPage;
pub use not_found::NotFound;
pub use orders::OrdersPage;
pub use states::StatesPage;
