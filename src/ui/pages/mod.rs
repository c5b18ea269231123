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

/// The routes other than the list, each loaded by the browser when first needed: with
/// `cargo leptos build --split` each page's own code is a WASM chunk of its own. The server
/// renders it as usual; a direct visit is hydrated once its chunks have arrived
/// (`crate::ui::hydration::Drawn::LazyPage`), and its answer names its chunks for the browser to
/// preload (`crate::edge::preload`). `/orders` and the not-found page stay in the main file.
pub mod lazy {
    use leptos::prelude::*;
    use leptos_router::{lazy_route, LazyRoute};

    use crate::ui::hydration::{Drawn, SayDrawn};

    macro_rules! lazy_page {
        ($($route:ident => $page:path;)*) => {$(
            pub struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(_this: Self) -> AnyView {
                    #[cfg(feature = "ssr")]
                    crate::edge::preload::hint(stringify!($route));
                    view! { <SayDrawn how=Drawn::LazyPage/> {$page()} }.into_any()
                }
            }
        )*};
    }

    lazy_page! {
        States => super::StatesPage;
        SignIn => super::SignInPage;
        SignUp => super::SignUpPage;
        Members => super::MembersPage;
        Accepted => super::AcceptedPage;
        JobStatus => super::JobStatusPage;
    }
}
