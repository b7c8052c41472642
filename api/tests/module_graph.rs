//! The api crate's modules form no cycle: state and its caches at the bottom, the handlers
//! above them, router and openapi at the top (ARCHITECTURE.md, "The api crate's modules").
//!
//! Each file under `api/src` is a node (`jobs/registry.rs` is `jobs::registry`, a `mod.rs`
//! is its directory's module, `lib.rs` the crate root); an edge is every `crate::…` or
//! `super::…` path a file names, in `use` lines or inline (types in attributes count: a
//! `#[schema(value_type = crate::x::T)]` needs `x`), braces expanded, pointed at the longest
//! module prefix that is a file. A parent naming its own child module (`mod x; pub use
//! x::T;`) is containment, not an edge. The binary's files (`main.rs`, `cli.rs`) reach the
//! library as `tepat::…`, read like `crate::…`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The crate root's node (`lib.rs`).
const ROOT: &str = "crate";

/// The module a file under `src/` is: `jobs/registry.rs` → `jobs::registry`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.strip_suffix(".rs").unwrap_or(&file);
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    if parts == ["lib"] || parts.is_empty() {
        return ROOT.to_string();
    }
    parts.join("::")
}

/// The source with comments, string and character literals blanked out (a doc link or a
/// message may spell `crate::x` without depending on it); lifetimes stay.
fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
            continue;
        }
        let after_ident = i > 0 && ident(chars[i - 1]);
        // Raw strings: r"…", r#"…"#, br#"…"# (no escapes inside).
        if c == 'r' && !(after_ident && chars[i - 1] != 'b') {
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) == Some(&'"') {
                let hashes = j - i - 1;
                j += 1;
                while j < chars.len() {
                    if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
                continue;
            }
        }
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
            continue;
        }
        if c == '\'' {
            // 'x' and '\n' are characters; 'a (no closing quote right after) is a lifetime.
            if next == Some('\\') {
                i += 3; // the quote, the backslash and the escaped character
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
                continue;
            }
            if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Identifiers, `::` and single punctuation characters.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".to_string());
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The paths of a path tree starting at `tokens[*at]` (`a::b::{c, d::{e, self}}`, `a::*`),
/// each as its segments; `*at` ends after the tree.
fn path_tree(tokens: &[String], at: &mut usize) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(*at).map(String::as_str) {
            Some("{") => {
                *at += 1;
                let mut all = Vec::new();
                while let Some(t) = tokens.get(*at) {
                    match t.as_str() {
                        "}" => {
                            *at += 1;
                            break;
                        }
                        "," => *at += 1,
                        _ => {
                            let before = *at;
                            for tail in path_tree(tokens, at) {
                                let mut p = prefix.clone();
                                // `{self, …}` names the prefix itself.
                                p.extend(tail.into_iter().filter(|s| s != "self"));
                                all.push(p);
                            }
                            if *at == before {
                                *at += 1; // not a path: step over it
                            }
                        }
                    }
                }
                return all;
            }
            Some("*") => {
                *at += 1;
                return vec![prefix];
            }
            Some(t) if is_ident(t) => {
                prefix.push(t.to_string());
                *at += 1;
                if tokens.get(*at).map(String::as_str) == Some("as") {
                    *at += 2; // `x as y`: the path is x
                }
                if tokens.get(*at).map(String::as_str) == Some("::") {
                    *at += 1;
                } else {
                    return vec![prefix];
                }
            }
            _ => {
                return if prefix.is_empty() {
                    Vec::new()
                } else {
                    vec![prefix]
                }
            }
        }
    }
}

/// The modules `module` (the file's) depends on, as nodes of `known` (the files' modules):
/// every `crate::`, `super::` and `self::` path, resolved and cut to its longest prefix in
/// `known` (the root when none is). The module itself is left out.
fn dependencies(module: &str, src: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let toks = tokens(&code_only(src));
    let base: Vec<String> = if module == ROOT {
        Vec::new()
    } else {
        module.split("::").map(str::to_string).collect()
    };
    // Inline modules (`mod tests { … }`): where `super::` and `self::` start from.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].as_str();
        match t {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            "mod" if toks.get(i + 2).map(String::as_str) == Some("{") => {
                inline.push((toks[i + 1].clone(), depth));
            }
            _ => {}
        }
        let starts_path = matches!(t, "crate" | "super" | "self" | "tepat")
            && toks.get(i + 1).map(String::as_str) == Some("::")
            && (i == 0 || toks[i - 1] != "::");
        if !starts_path {
            i += 1;
            continue;
        }
        let mut here: Vec<String> = base.clone();
        here.extend(inline.iter().map(|(m, _)| m.clone()));
        let mut at = i;
        for path in path_tree(&toks, &mut at) {
            let mut abs: Vec<String> = Vec::new();
            let mut segments = path.into_iter().peekable();
            match segments.peek().map(String::as_str) {
                Some("crate" | "tepat") => {
                    segments.next();
                }
                Some("super" | "self") => {
                    abs = here.clone();
                    while let Some(s) = segments.next_if(|s| s == "super" || s == "self") {
                        if s == "super" {
                            abs.pop();
                        }
                    }
                }
                _ => {}
            }
            abs.extend(segments);
            let node = (0..=abs.len())
                .rev()
                .map(|n| abs[..n].join("::"))
                .find(|m| known.contains(m))
                .unwrap_or_else(|| ROOT.to_string());
            if node != module {
                out.insert(node);
            }
        }
        i = at.max(i + 1);
    }
    out
}

/// A cycle of `graph` (its first node repeated at the end), if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|n| n == node)?;
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// Every `.rs` file under `dir`, by path relative to `root`.
fn sources(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sources(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            out.insert(module_of(relative), std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// The api crate's module graph, read from its sources.
fn api_graph() -> std::io::Result<BTreeMap<String, BTreeSet<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&src, &src, &mut files)?;
    let known: BTreeSet<String> = files.keys().cloned().collect();
    Ok(files
        .iter()
        .map(|(m, text)| (m.clone(), dependencies(m, text, &known)))
        .collect())
}

#[test]
fn the_api_crate_has_no_import_cycle() -> std::io::Result<()> {
    let graph = api_graph()?;
    // The reading works: these edges are there whatever the layering.
    assert!(graph.len() > 20, "{:?}", graph.keys());
    assert!(graph["router"].contains("state"), "{:?}", graph["router"]);
    assert!(graph["serve"].contains("router"), "{:?}", graph["serve"]);
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the api crate's modules import each other in a cycle: {}\n(the layering: \
             state and its caches, then handlers, then router and openapi; see \
             ARCHITECTURE.md)",
            cycle.join(" → ")
        );
    }
    Ok(())
}

#[test]
fn only_the_top_imports_openapi() -> std::io::Result<()> {
    let graph = api_graph()?;
    let top = ["router", "cli", "serve", "openapi"];
    for (module, deps) in &graph {
        let own = module == "openapi" || module.starts_with("openapi::");
        for d in deps {
            let into_openapi = d == "openapi" || d.starts_with("openapi::");
            assert!(
                !into_openapi || own || top.contains(&module.as_str()),
                "{module} imports {d}: only router, cli and serve may (a schema a handler \
                 names lives beside the handler, or in schemas.rs)"
            );
        }
    }
    Ok(())
}

fn known(modules: &[&str]) -> BTreeSet<String> {
    modules.iter().map(|m| m.to_string()).collect()
}

fn deps(module: &str, src: &str, modules: &[&str]) -> Vec<String> {
    dependencies(module, src, &known(modules))
        .into_iter()
        .collect()
}

#[test]
fn files_are_modules() {
    assert_eq!(module_of(Path::new("jobs/registry.rs")), "jobs::registry");
    assert_eq!(module_of(Path::new("jobs/mod.rs")), "jobs");
    assert_eq!(module_of(Path::new("state.rs")), "state");
    assert_eq!(module_of(Path::new("lib.rs")), ROOT);
}

#[test]
fn use_lines_with_braces_are_expanded() {
    let modules = ["a", "b", "b::c", "d", "x"];
    let src = "use crate::{a, b::c::{T, U as V}, d::{self}};\nuse std::collections::BTreeMap;";
    assert_eq!(deps("x", src, &modules), ["a", "b::c", "d"]);
    // An item of a module, and of a module that is not a file, cut to the known prefix.
    let src = "use crate::b::Thing; use crate::b::c::inner::deep::T; use crate::Problem;";
    assert_eq!(deps("x", src, &modules), ["b", "b::c", ROOT]);
}

#[test]
fn inline_paths_count_but_comments_and_strings_do_not() {
    let modules = ["a", "b", "c", "d", "e", "f", "x"];
    let src = r##"
        //! See [`crate::a`].
        /* crate::b /* nested */ crate::b */
        #[schema(value_type = crate::c::Marker)]
        fn f<'a>(s: &'a str) -> Result<crate::d::T, String> {
            let q = '"'; let raw = r#"crate::b "quoted""#; let e = "crate::\"b";
            let ch = '\''; crate::e::call(q, raw, e, ch)
        }
        fn g() { tepat_engine::crate_like::x(); my_crate::a::y(); <T as crate::f::Tr>::z() }
    "##;
    assert_eq!(deps("x", src, &modules), ["c", "d", "e", "f"]);
}

#[test]
fn super_is_resolved_from_the_file_and_its_inline_modules() {
    let modules = ["jobs", "jobs::registry", "problem"];
    let src = "use super::Thing; use super::super::problem::Problem;
        #[cfg(test)] mod tests { use super::*; fn t() { super::super::Jobs::new(); } }";
    // In jobs::registry, `super` is jobs and `super::super` the root; in its inline tests,
    // `super` is the file itself (no edge) and `super::super` is jobs.
    assert_eq!(
        deps("jobs::registry", src, &modules),
        ["jobs", "problem"].map(String::from)
    );
    let src = "mod tests { use super::*; }";
    assert!(deps("jobs", src, &modules).is_empty());
    // A mod.rs file is its directory's module: its `super` is the parent's.
    assert_eq!(
        deps("jobs", "use super::problem::P;", &modules),
        ["problem"]
    );
}

#[test]
fn cycles_are_found_and_named() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    let dag = graph(&[("router", "jobs"), ("jobs", "state"), ("router", "state")]);
    assert_eq!(find_cycle(&dag), None);
    let cyclic = graph(&[
        ("router", "jobs"),
        ("jobs", "state"),
        ("state", "jobs::registry"),
        ("state", "tiles"),
        ("tiles", "jobs"),
    ]);
    assert_eq!(
        find_cycle(&cyclic),
        Some(
            ["jobs", "state", "tiles", "jobs"]
                .map(String::from)
                .to_vec()
        )
    );
}
