//! The map viewer (`viewer/`, built by `make viewer` into `viewer/dist`), served at `/`.
//!
//! Release builds embed `viewer/dist` into the binary (rust-embed), so `tepat serve` needs no
//! files beside it and works offline; debug builds read the folder at run time, so a rebuilt
//! viewer shows without recompiling. A binary built before the viewer answers `/` with a page
//! saying how to build it, and the API works as ever.

use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::Embed;
use std::borrow::Cow;

#[derive(Embed)]
#[folder = "../viewer/dist/"]
#[allow_missing = true]
struct Dist;

/// Shown at `/` when the binary was built without `viewer/dist`.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>tepat</title>\
<body style=\"font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;line-height:1.5\">\
<h1>tepat: the viewer is not built</h1>\
<p>This binary was compiled before <code>viewer/dist</code> existed. Run <code>make viewer</code> \
(npm ci and vite build), then rebuild (<code>make build</code>), or simply <code>make run</code>.</p>\
<p>The HTTP API is available: <a href=\"api/v1/health\">/api/v1/health</a>, \
<a href=\"api/v1/layers\">/api/v1/layers</a>, <a href=\"api/v1/analyses\">/api/v1/analyses</a>.</p>\
</body></html>";

/// Whether the viewer is part of this binary (or, in a debug build, on disk).
pub fn is_built() -> bool {
    Dist::get("index.html").is_some()
}

/// Fallback handler of the router: a file of `viewer/dist`, `index.html` for the app's own
/// paths, 404 for anything under `/api` (so an unknown API route stays a problem).
pub async fn handler(method: Method, uri: Uri) -> Response {
    respond(&method, uri.path())
}

fn respond(method: &Method, path: &str) -> Response {
    if path == "/api" || path.starts_with("/api/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let rel = path.trim_start_matches('/');
    // Never outside the folder, whatever the embedding does with such paths.
    if rel.split('/').any(|s| s == ".." || s.contains('\\')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let rel = if rel.is_empty() { "index.html" } else { rel };
    if let Some(file) = Dist::get(rel) {
        return file_response(rel, file.data);
    }
    let last = rel.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return StatusCode::NOT_FOUND.into_response(); // a missing asset
    }
    match Dist::get("index.html") {
        Some(index) => file_response("index.html", index.data),
        None => Html(NOT_BUILT).into_response(),
    }
}

fn file_response(path: &str, data: Cow<'static, [u8]>) -> Response {
    // Vite names assets by content hash: they never change; index.html must be revalidated.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(path)),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        data,
    )
        .into_response()
}

/// Media type of a built file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pbf" => "application/x-protobuf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_and_traversal_are_not_the_viewers() {
        for p in [
            "/api",
            "/api/v1/nope",
            "/../Cargo.toml",
            "/assets/../../x",
            "/missing.js",
        ] {
            assert_eq!(
                respond(&Method::GET, p).status(),
                StatusCode::NOT_FOUND,
                "{p}"
            );
        }
        assert_eq!(
            respond(&Method::POST, "/").status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }

    #[test]
    fn root_and_app_paths_are_html_built_or_not() {
        for p in ["/", "/analysis/index"] {
            let r = respond(&Method::GET, p);
            assert_eq!(r.status(), StatusCode::OK, "{p}");
            let ct = r.headers().get(header::CONTENT_TYPE).cloned();
            assert_eq!(
                ct.as_ref().and_then(|v| v.to_str().ok()),
                Some("text/html; charset=utf-8"),
                "{p}"
            );
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/maplibre-gl-worker-x.mjs"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("assets/index.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
