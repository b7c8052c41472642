//! The OpenAPI document against the code: the checked-in `api/openapi.json` is the one the
//! code generates (regenerate it with `make openapi`), every route the router declares is
//! documented with its methods and nothing else is, and the document and its HTML reference
//! are served.

use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tepat::AppState;
use tower::ServiceExt;

const METHODS: [&str; 7] = ["get", "post", "put", "patch", "delete", "head", "options"];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn checked_in_document_is_current() -> Result<()> {
    let path = manifest_dir().join("openapi.json");
    let checked_in = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: missing; run `make openapi`", path.display()))?;
    let generated = tepat::openapi::document_text();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || checked_in.lines().count().min(generated.lines().count()) + 1,
                |i| i + 1,
            );
        bail!(
            "api/openapi.json is stale (first difference at line {line}): run `make openapi` \
             and commit the result"
        );
    }
    Ok(())
}

/// Routes as the source declares them: `.route("PATH", get(…).post(…))` in api/src, tests
/// modules left out. Path → methods.
fn declared_routes() -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut files = Vec::new();
    rust_files(&manifest_dir().join("src"), &mut files)?;
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (path, methods) in routes_in(code) {
            if methods.is_empty() {
                bail!("{}: route {path}: no method found", file.display());
            }
            routes.entry(path).or_default().extend(methods);
        }
    }
    Ok(routes)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Each `.route(` call of `code`: its path literal and the method routers of its second
/// argument (`get(`, `.post(`, …), up to the call's closing parenthesis.
fn routes_in(code: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let Some(path) = rest
            .trim_start()
            .strip_prefix('"')
            .and_then(|r| r.split('"').next())
        else {
            continue;
        };
        let mut depth = 1usize;
        let mut end = rest.len();
        let mut in_string = false;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => in_string = !in_string,
                '(' if !in_string => depth += 1,
                ')' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &rest[..end];
        let methods = METHODS
            .iter()
            .filter(|m| {
                call.match_indices(&format!("{m}(")).any(|(i, _)| {
                    // A whole word: `get(`, not `forget(` or `budget(`.
                    !call[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            })
            .map(|m| m.to_string())
            .collect();
        out.push((path.to_string(), methods));
    }
    out
}

fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let doc = tepat::openapi::document();
    doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|m| item[**m].is_object())
                .map(|m| m.to_string())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

#[test]
fn route_parser_reads_chained_and_multiline_routes() {
    let code = r#"Router::new()
        .route("/a", get(h))
        .route(
            "/b/{id}",
            get(m::get_one)
                .put(m::replace)
                .delete(m::delete),
        )
        .route("/c", post(budget(x)))"#;
    let routes = routes_in(code);
    let names = |p: &str| -> Vec<String> {
        routes
            .iter()
            .find(|(path, _)| path == p)
            .map(|(_, m)| m.iter().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(names("/a"), ["get"]);
    assert_eq!(names("/b/{id}"), ["delete", "get", "put"]);
    assert_eq!(names("/c"), ["post"], "budget( is not a method");
}

/// Whether route pattern `route` serves documented path `doc`: a `{param}` segment of the
/// route takes any one segment of the document, since matchit has no suffixes and a route
/// `/tiles/{layer}/{z}/{x}/{y}` serves the documented `/tiles/{layer}/{z}/{x}/{y}.mvt`.
fn serves(route: &str, doc: &str) -> bool {
    let (r, d): (Vec<&str>, Vec<&str>) = (route.split('/').collect(), doc.split('/').collect());
    r.len() == d.len()
        && r.iter()
            .zip(&d)
            .all(|(r, d)| r == d || (r.starts_with('{') && r.ends_with('}') && !d.is_empty()))
}

#[test]
fn a_parameter_route_serves_a_suffixed_documented_path() {
    assert!(serves(
        "/tiles/{l}/{z}/{x}/{y}",
        "/tiles/{l}/{z}/{x}/{y}.mvt"
    ));
    assert!(serves("/tiles/{file}", "/tiles/{layer}.json"));
    assert!(serves("/layers/{name}", "/layers/{name}"));
    assert!(!serves("/layers/{name}", "/layers/{name}/features"));
    assert!(!serves("/layers", "/scenarios"));
}

#[test]
fn every_route_is_documented_and_nothing_else() -> Result<()> {
    let declared = declared_routes()?;
    let documented = documented();
    assert!(declared.len() >= 10, "parsed too few routes: {declared:?}");
    let mut missing = Vec::new();
    for (path, methods) in &declared {
        for m in methods {
            let found = documented
                .iter()
                .any(|(doc, dm)| serves(path, doc) && dm.contains(m));
            if !found {
                missing.push(format!("{} {path}", m.to_uppercase()));
            }
        }
    }
    let mut extra = Vec::new();
    for (path, methods) in &documented {
        for m in methods {
            let found = declared
                .iter()
                .any(|(route, rm)| serves(route, path) && rm.contains(m));
            if !found {
                extra.push(format!("{} {path}", m.to_uppercase()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an OpenAPI operation: {missing:?}; annotate the handler with \
         #[utoipa::path(...)], list it in api/src/openapi.rs and run `make openapi`"
    );
    assert!(
        extra.is_empty(),
        "documented operations the router does not declare: {extra:?}"
    );
    Ok(())
}

fn state() -> Result<AppState> {
    static STATE: OnceLock<std::result::Result<AppState, String>> = OnceLock::new();
    STATE
        .get_or_init(|| AppState::load(None).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("demo city: {e}"))
}

/// An admin token of the test state's store, so the auth middleware lets every probe by.
fn admin_token() -> Result<Option<String>> {
    static TOKEN: OnceLock<std::result::Result<String, String>> = OnceLock::new();
    let token = TOKEN
        .get_or_init(|| {
            let state = state().map_err(|e| e.to_string())?;
            state
                .store()
                .create_token(tepat::store::UserRole::Admin, Some("openapi test"))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| anyhow::anyhow!("admin token: {e}"))?;
    Ok(Some(token))
}

async fn get(uri: &str) -> Result<(StatusCode, String, Vec<u8>)> {
    send(Method::GET, uri).await
}

async fn send(method: Method, uri: &str) -> Result<(StatusCode, String, Vec<u8>)> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = admin_token()? {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = request.body(Body::empty())?;
    let response = tepat::router(state()?).oneshot(request).await?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    Ok((status, content_type, body.to_vec()))
}

/// Every documented path is a route of the running router: a method it does not route
/// answers 405 there (a path it does not know would be 404), and no handler runs.
#[tokio::test]
async fn every_documented_path_is_routed() -> Result<()> {
    let base = tepat::openapi::BASE_PATH;
    for path in documented().keys() {
        let concrete: String = path
            .split('/')
            .map(|seg| match seg.find('{') {
                Some(i) => {
                    let close = seg.find('}').map_or(seg.len(), |j| j + 1);
                    format!("{}x{}", &seg[..i], &seg[close..])
                }
                None => seg.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let (status, _, body) = send(Method::TRACE, &format!("{base}{concrete}")).await?;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_document_is_served() -> Result<()> {
    let (status, content_type, body) = get("/api/v1/openapi.json").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    let served: Value = serde_json::from_slice(&body)?;
    assert_eq!(&served, tepat::openapi::document());
    assert_eq!(served["openapi"], "3.1.0");
    Ok(())
}

#[tokio::test]
async fn the_docs_page_lists_every_operation_with_its_auth_rule() -> Result<()> {
    let (status, content_type, body) = get("/api/v1/docs").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = String::from_utf8(body)?;
    assert!(!page.contains("<script"), "the page needs no script");
    assert!(
        !page.contains("http://") && !page.contains("https://cdn"),
        "nothing to fetch"
    );
    for (path, methods) in documented() {
        let escaped = path.replace('&', "&amp;");
        assert!(
            page.contains(&format!("<code>/api/v1{escaped}</code>")),
            "{path} missing"
        );
        for m in methods {
            assert!(
                page.contains(&format!("class=\"m {m}\"")),
                "{m} {path} missing"
            );
        }
    }
    assert!(page.contains("Auth — write: a token of role admin or planner"));
    assert!(page.contains("Auth — open: no token needed"));
    assert!(page.contains("id=\"schema-Problem\""));
    assert!(page.contains("id=\"schema-AccessParams\""));
    Ok(())
}
