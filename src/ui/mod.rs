//! Everything a person sees: pages (one per route) and the components they are made of.
//! Components read state; they do not decide how the server's answers are reconciled.

pub mod account;
pub mod app_failure;
pub mod codec;
pub mod components;
pub mod form;
pub mod hydration;
pub mod live;
pub mod place;
pub mod pages;
pub mod sync;
