//! Engine work off the async runtime: every handler whose work is more than a lookup runs it
//! here, so a long analysis never stalls the server's I/O threads.

use crate::problem::Problem;

/// Runs `f` on tokio's blocking pool; a panic in the engine becomes a 500, not a crash.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Problem::internal(format!("worker task failed: {e}")))?
}
