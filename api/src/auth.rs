//! Tokens and roles. Reads are open unless the server is `--private`; every write needs a
//! token (`Authorization: Bearer …`) of a role allowed to make it: 401 without a known
//! token, 403 with the wrong role. Running an analysis or a comparison changes nothing, so
//! it is a read.

use crate::problem::Problem;
use crate::state::AppState;
use crate::store::{Principal, UserRole};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The caller of a request, as the auth middleware found it (in the request's extensions).
#[derive(Debug, Clone, Default)]
pub struct Caller(pub Option<Principal>);

/// What a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing, ever (health checks).
    Nothing,
    /// A token when the server is private.
    Read,
    /// A token of one of these roles.
    Write(&'static [UserRole]),
}

/// Roles that may write scenarios.
pub const SCENARIO_WRITERS: &[UserRole] = &[UserRole::Admin, UserRole::Planner];

/// Roles that may save a recommendation.
pub const RECOMMENDERS: &[UserRole] = &[UserRole::Admin, UserRole::Planner];

/// Roles that may approve or reject a recommendation.
pub const DECIDERS: &[UserRole] = &[UserRole::Admin, UserRole::Leader];

/// Roles that may comment on a recommendation.
pub const COMMENTERS: &[UserRole] = &[UserRole::Admin, UserRole::Leader, UserRole::Planner];

/// Roles that may change anything else (layers, tokens).
pub const ADMINS: &[UserRole] = &[UserRole::Admin];

/// What `method` on `path` (below `/api/v1`) needs.
pub fn need(method: &Method, path: &str) -> Need {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    // `/me` answers "nobody" without a token, even on a private server.
    if path == "/health" || path == "/me" {
        return Need::Nothing;
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Need::Read;
    }
    let computes = *method == Method::POST
        && (path.starts_with("/analyses/") || path == "/compare" || path.ends_with("/compare"));
    if computes {
        Need::Read
    } else if path.starts_with("/scenarios") {
        Need::Write(SCENARIO_WRITERS)
    } else if path == "/recommendations" {
        Need::Write(RECOMMENDERS)
    } else if path.starts_with("/recommendations/") && path.ends_with("/decision") {
        Need::Write(DECIDERS)
    } else if path.starts_with("/recommendations/") && path.ends_with("/comments") {
        Need::Write(COMMENTERS)
    } else {
        Need::Write(ADMINS)
    }
}

/// Middleware: resolves the bearer token, enforces [`need`] and leaves a [`Caller`] for
/// the handlers (who wrote what goes into the audit log).
pub async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match check(&state, &req) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(p) => {
            let unauthorized = p.status == 401;
            let mut r = p.into_response();
            if unauthorized {
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            r
        }
    }
}

fn check(state: &AppState, req: &Request) -> Result<Caller, Problem> {
    let need = need(req.method(), req.uri().path());
    let principal = match bearer(req)? {
        Some(token) => Some(state.store().principal(token)?.ok_or_else(|| {
            Problem::unauthorized("the bearer token is not known to this server")
        })?),
        None => None,
    };
    match (need, &principal) {
        (Need::Nothing, _) => {}
        (Need::Read, None) if state.options().private => {
            return Err(Problem::unauthorized(
                "this server is private: send `Authorization: Bearer <token>` (tepat token create)",
            ))
        }
        (Need::Read, _) => {}
        (Need::Write(roles), None) => {
            return Err(Problem::unauthorized(format!(
                "{} {} changes data: send `Authorization: Bearer <token>` of role {}",
                req.method(),
                req.uri().path(),
                names(roles)
            )))
        }
        (Need::Write(roles), Some(p)) if !roles.contains(&p.role) => {
            return Err(Problem::forbidden(format!(
                "a {} token may not {} {}; needs role {}",
                p.role.as_str(),
                req.method(),
                req.uri().path(),
                names(roles)
            )))
        }
        (Need::Write(_), Some(_)) => {}
    }
    Ok(Caller(principal))
}

fn bearer(req: &Request) -> Result<Option<&str>, Problem> {
    let Some(v) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| Problem::unauthorized("Authorization header is not text"))?;
    match v.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(Problem::unauthorized(
            "Authorization must be `Bearer <token>`",
        )),
    }
}

fn names(roles: &[UserRole]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computing_is_reading_and_scenario_writes_need_a_planner() {
        assert_eq!(need(&Method::GET, "/api/v1/scenarios"), Need::Read);
        assert_eq!(need(&Method::POST, "/analyses/access"), Need::Read);
        assert_eq!(need(&Method::POST, "/scenarios/sc_1/compare"), Need::Read);
        assert_eq!(need(&Method::POST, "/compare"), Need::Read);
        assert_eq!(
            need(&Method::POST, "/scenarios"),
            Need::Write(SCENARIO_WRITERS)
        );
        assert_eq!(
            need(&Method::DELETE, "/scenarios/x"),
            Need::Write(SCENARIO_WRITERS)
        );
        assert_eq!(need(&Method::POST, "/layers"), Need::Write(ADMINS));
        assert_eq!(need(&Method::GET, "/health"), Need::Nothing);
        assert_eq!(need(&Method::GET, "/api/v1/me"), Need::Nothing);
        assert_eq!(need(&Method::GET, "/recommendations"), Need::Read);
        assert_eq!(
            need(&Method::POST, "/api/v1/recommendations"),
            Need::Write(RECOMMENDERS)
        );
        assert_eq!(
            need(&Method::POST, "/recommendations/rec_1/decision"),
            Need::Write(DECIDERS)
        );
        assert_eq!(
            need(&Method::POST, "/recommendations/rec_1/comments"),
            Need::Write(COMMENTERS)
        );
    }
}
