//! Helpers shared by the in-process router tests: the demo city, one request through the
//! router and its reply. Each test binary uses a part of them.
#![allow(dead_code)]

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;
use std::sync::OnceLock;
use tepat::{AppState, Problem};
use tepat_engine::project::Project;
use tower::ServiceExt;

/// The demo city, built once per test binary.
pub fn demo() -> Result<Project> {
    static P: OnceLock<std::result::Result<Project, String>> = OnceLock::new();
    P.get_or_init(|| tepat_datasets::demo_project().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("demo city: {e}"))
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as a problem, the reply's status being `status`.
    pub fn problem_with(&self, status: StatusCode) -> Result<Problem> {
        anyhow::ensure!(self.status == status, "{}: {}", self.status, self.text());
        self.problem()
    }

    pub fn problem(&self) -> Result<Problem> {
        let ct = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        anyhow::ensure!(
            ct == "application/problem+json",
            "content type {ct}: {}",
            String::from_utf8_lossy(&self.body)
        );
        let p: Problem = serde_json::from_slice(&self.body)?;
        anyhow::ensure!(p.status == self.status.as_u16(), "{p:?} vs {}", self.status);
        Ok(p)
    }
}

pub async fn send_raw(
    state: &AppState,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<Reply> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let request = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v))?,
        None => b.body(Body::empty())?,
    };
    oneshot(state, request).await
}

/// One request through the router, its reply read whole (an event stream ends with its job).
pub async fn oneshot(state: &AppState, request: Request<Body>) -> Result<Reply> {
    let response = tepat::router(state.clone()).oneshot(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await?
        .to_vec();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

pub async fn send(
    state: &AppState,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Reply> {
    send_raw(state, method, uri, token, body.map(|v| v.to_string())).await
}
