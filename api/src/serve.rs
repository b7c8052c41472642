//! Serving the router on a socket until Ctrl-C or SIGTERM, finishing requests in flight.

use crate::router::router;
use crate::state::AppState;
use tokio::net::TcpListener;

/// Serves the API on `listener` until the process is asked to stop.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(stop_requested())
        .await
}

/// Resolves on Ctrl-C, or SIGTERM (how containers and systemd stop a service).
async fn stop_requested() {
    let ctrl_c = async {
        // Without a handler we cannot be stopped gracefully; wait forever rather than stop now.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing requests in flight");
}
