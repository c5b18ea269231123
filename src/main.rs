//! Server entry point: read settings, start, serve. Start-up failures print one clear
//! message and exit non-zero; nothing here panics.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use orderdesk::config::Settings;
    use orderdesk::server::{start, StartupError};

    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "orderdesk=info,warn".into()),
        )
        .init();

    let result: Result<(), StartupError> = async {
        let settings = Settings::load()?;
        start(settings).await?.serve().await
    }
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orderdesk: could not start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The server binary needs the `ssr` feature; the client is built as WASM from lib.rs.
}
