//! One module per route.

mod accepted;
mod job_gallery;
mod job_status;
mod members;
mod not_found;
mod orders;
pub mod sign_in;
mod states;

pub use accepted::AcceptedPage;
pub use job_status::JobStatusPage;
pub use members::{MemberList, MembersPage};
pub use not_found::NotFound;
pub use orders::OrdersPage;
pub use sign_in::{SignInPage, SignUpPage};
pub use states::StatesPage;
