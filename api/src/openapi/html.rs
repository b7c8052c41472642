//! The API reference as one HTML page, rendered from the OpenAPI document: operations
//! grouped by tag (method, path, auth rule, parameters, request body, responses), then every
//! schema with its properties. Plain HTML and CSS, no script, nothing fetched: the page works
//! on a server without internet.

use serde_json::{Map, Value};
use std::fmt::Write;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;\
padding:1rem 2rem;color:#1d2329}h1{margin-bottom:0}h2{border-bottom:2px solid #ccd;\
padding-top:1rem}nav ul{columns:2}code,pre{font:13px ui-monospace,monospace;background:#f3f4f6;\
padding:0 .2em}pre{padding:.5em;overflow:auto}.op{border:1px solid #dde;border-radius:6px;\
padding:.2rem 1rem;margin:1rem 0}.op h3{font-size:1rem}.m{display:inline-block;min-width:4.2em;\
text-align:center;color:#fff;border-radius:4px;padding:0 .3em;font:bold 13px monospace}\
.get{background:#2f6fb3}.post{background:#2e8540}.put{background:#b36b00}.delete{background:#b3261e}\
.patch{background:#6b4fb3}.auth{background:#fff8e1;padding:.2em .5em}table{border-collapse:collapse;\
width:100%;margin:.3em 0}th,td{border:1px solid #dde;padding:.2em .5em;text-align:left;\
vertical-align:top}th{background:#f6f7f9}.req{color:#b3261e}";

/// The page for `doc` (an OpenAPI 3.1 document as JSON).
pub fn render(doc: &Value) -> String {
    let base = doc["servers"][0]["url"].as_str().unwrap_or_default();
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t} API reference</title><style>{STYLE}</style></head><body>\
         <h1>{t} API reference <small>{v}</small></h1>{d}\
         <p>Every path is under <code>{b}</code>. The machine-readable document: \
         <a href=\"{b}/openapi.json\">{b}/openapi.json</a> (OpenAPI {o}).</p>",
        t = esc(title),
        v = esc(doc["info"]["version"].as_str().unwrap_or_default()),
        d = prose(doc["info"]["description"].as_str().unwrap_or_default()),
        b = esc(base),
        o = esc(doc["openapi"].as_str().unwrap_or_default()),
    );
    let ops = operations(doc);
    let tags = tags(doc, &ops);
    out.push_str("<nav><h2>Contents</h2><ul>");
    for (tag, _) in &tags {
        let _ = write!(out, "<li><a href=\"#tag-{0}\">{0}</a><ul>", esc(tag));
        for op in ops.iter().filter(|o| &o.tag == tag) {
            let _ = write!(
                out,
                "<li><a href=\"#{}\"><span class=\"m {}\">{}</span> {}</a></li>",
                op.anchor(),
                op.method,
                op.method.to_uppercase(),
                esc(op.path)
            );
        }
        out.push_str("</ul></li>");
    }
    out.push_str("<li><a href=\"#schemas\">Schemas</a></li></ul></nav>");
    for (tag, description) in &tags {
        let _ = write!(
            out,
            "<section id=\"tag-{0}\"><h2>{0}</h2>{1}",
            esc(tag),
            prose(description)
        );
        for op in ops.iter().filter(|o| &o.tag == tag) {
            operation(&mut out, base, op);
        }
        out.push_str("</section>");
    }
    schemas(&mut out, doc);
    out.push_str("</body></html>\n");
    out
}

/// One operation of the document.
struct Op<'a> {
    path: &'a str,
    method: &'static str,
    tag: String,
    body: &'a Value,
}

impl Op<'_> {
    fn anchor(&self) -> String {
        let id = self.body["operationId"].as_str().unwrap_or(self.path);
        format!("op-{}-{}", self.method, slug(id))
    }
}

fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return ops;
    };
    for (path, item) in paths {
        for method in METHODS {
            let body = &item[method];
            if body.is_object() {
                let tag = body["tags"][0].as_str().unwrap_or("other").to_string();
                ops.push(Op {
                    path,
                    method,
                    tag,
                    body,
                });
            }
        }
    }
    ops
}

/// The document's tags in its order, then any tag only an operation names.
fn tags(doc: &Value, ops: &[Op]) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let name = t["name"].as_str()?;
            let d = t["description"].as_str().unwrap_or_default();
            Some((name.to_string(), d.to_string()))
        })
        .collect();
    for op in ops {
        if !tags.iter().any(|(t, _)| t == &op.tag) {
            tags.push((op.tag.clone(), String::new()));
        }
    }
    tags.retain(|(t, _)| ops.iter().any(|o| &o.tag == t));
    tags
}

fn operation(out: &mut String, base: &str, op: &Op) {
    let b = op.body;
    let _ = write!(
        out,
        "<article class=\"op\" id=\"{}\"><h3><span class=\"m {}\">{}</span> <code>{}{}</code></h3>",
        op.anchor(),
        op.method,
        op.method.to_uppercase(),
        esc(base),
        esc(op.path)
    );
    if let Some(s) = b["summary"].as_str() {
        let _ = write!(out, "<p><strong>{}</strong></p>", inline(s));
    }
    // The auth rule is the description's last paragraph ("Auth: …"): shown apart.
    let description = b["description"].as_str().unwrap_or_default();
    let (text, auth) = match description.rsplit_once("Auth: ") {
        Some((text, auth)) => (text, Some(auth)),
        None => (description, None),
    };
    out.push_str(&prose(text));
    if let Some(auth) = auth {
        let _ = write!(out, "<p class=\"auth\">Auth — {}</p>", inline(auth));
    }
    if let Some(params) = b["parameters"].as_array().filter(|p| !p.is_empty()) {
        out.push_str(
            "<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th>\
             <th>description</th></tr>",
        );
        for p in params {
            let required = if p["required"] == true {
                " <span class=\"req\">required</span>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<tr><td><code>{}</code>{required}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(p["name"].as_str().unwrap_or_default()),
                esc(p["in"].as_str().unwrap_or_default()),
                type_of(&p["schema"]),
                inline(p["description"].as_str().unwrap_or_default())
            );
        }
        out.push_str("</table>");
    }
    let body = &b["requestBody"];
    if body.is_object() {
        let required = if body["required"] == true {
            " <span class=\"req\">required</span>"
        } else {
            " (optional)"
        };
        let _ = write!(
            out,
            "<h4>Request body{required}</h4>{}",
            prose(body["description"].as_str().unwrap_or_default())
        );
        content(out, &body["content"]);
    }
    if let Some(responses) = b["responses"].as_object() {
        out.push_str(
            "<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>content</th></tr>",
        );
        for (status, r) in responses {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>",
                esc(status),
                inline(r["description"].as_str().unwrap_or_default())
            );
            if let Some(headers) = r["headers"].as_object() {
                for (name, h) in headers {
                    let _ = write!(
                        out,
                        "header <code>{}</code>: {}<br>",
                        esc(name),
                        inline(h["description"].as_str().unwrap_or_default())
                    );
                }
            }
            content(out, &r["content"]);
            out.push_str("</td></tr>");
        }
        out.push_str("</table>");
    }
    out.push_str("</article>");
}

fn content(out: &mut String, content: &Value) {
    let Some(content) = content.as_object() else {
        return;
    };
    for (media, c) in content {
        let _ = write!(
            out,
            "<div><code>{}</code>: {}</div>",
            esc(media),
            type_of(&c["schema"])
        );
    }
}

fn schemas(out: &mut String, doc: &Value) {
    out.push_str("<section id=\"schemas\"><h2>Schemas</h2>");
    let empty = Map::new();
    let all = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    for (name, s) in all {
        let _ = write!(
            out,
            "<article class=\"op\" id=\"schema-{0}\"><h3>{0}</h3>{1}<p>{2}</p>",
            esc(name),
            prose(s["description"].as_str().unwrap_or_default()),
            type_of(s)
        );
        properties(out, s);
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, variant) in s[key].as_array().into_iter().flatten().enumerate() {
                if variant["properties"].is_object() {
                    let _ = write!(
                        out,
                        "<h4>{} {}</h4>{}",
                        key,
                        i + 1,
                        prose(variant["description"].as_str().unwrap_or_default())
                    );
                    properties(out, variant);
                }
            }
        }
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn properties(out: &mut String, s: &Value) {
    let Some(props) = s["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = s["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    out.push_str("<table><tr><th>property</th><th>type</th><th>description</th></tr>");
    for (name, p) in props {
        let req = if required.contains(&name.as_str()) {
            " <span class=\"req\">required</span>"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code>{req}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            type_of(p),
            inline(p["description"].as_str().unwrap_or_default())
        );
    }
    out.push_str("</table>");
}

/// A schema in a few words of HTML: `$ref`s become links to the schema section.
fn type_of(s: &Value) -> String {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    if let Some(c) = s.get("const") {
        return format!("<code>{}</code>", esc(&c.to_string()));
    }
    if let Some(values) = s["enum"].as_array() {
        let v: Vec<String> = values.iter().map(|v| esc(&v.to_string())).collect();
        return format!("one of <code>{}</code>", v.join("</code>, <code>"));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(variants) = s[key].as_array() {
            let v: Vec<String> = variants.iter().map(type_of).collect();
            return v.join(" | ");
        }
    }
    if let Some(all) = s["allOf"].as_array() {
        let v: Vec<String> = all.iter().map(type_of).collect();
        return v.join(" and ");
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.is_empty() {
        return if s.as_object().is_some_and(|o| o.contains_key("properties")) {
            "object".into()
        } else {
            "any".into()
        };
    }
    let words: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "array" => format!("array of {}", type_of(&s["items"])),
            "object" => match &s["additionalProperties"] {
                Value::Object(_) => {
                    format!("map of {}", type_of(&s["additionalProperties"]))
                }
                _ => "object".into(),
            },
            t => {
                let format = s["format"]
                    .as_str()
                    .map(|f| format!(" ({})", esc(f)))
                    .unwrap_or_default();
                format!("{}{format}", esc(t))
            }
        })
        .collect();
    words.join(" or ")
}

/// Paragraphs of text with `code` spans.
fn prose(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", inline(p)))
        .collect()
}

/// Escapes `text` and turns `…` spans into `<code>`.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_as_words_and_refs_link() {
        assert_eq!(
            type_of(&json!({"$ref": "#/components/schemas/Problem"})),
            "<a href=\"#schema-Problem\">Problem</a>"
        );
        assert_eq!(
            type_of(&json!({"type": ["array", "null"], "items": {"type": "string"}})),
            "array of string or null"
        );
        assert_eq!(
            type_of(&json!({"enum": ["json", "csv"]})),
            "one of <code>&quot;json&quot;</code>, <code>&quot;csv&quot;</code>"
        );
        assert_eq!(type_of(&json!({})), "any");
    }

    #[test]
    fn text_is_escaped_and_code_spans_kept() {
        assert_eq!(
            inline("a <b> & `x<y>` 'q'"),
            "a &lt;b&gt; &amp; <code>x&lt;y&gt;</code> &#39;q&#39;"
        );
        assert_eq!(prose("one\n\ntwo"), "<p>one</p><p>two</p>");
    }

    #[test]
    fn a_small_document_renders_grouped_by_tag() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "/api/v1"}],
            "tags": [{"name": "b", "description": "Bees."}, {"name": "a"}],
            "paths": {"/x/{id}": {"get": {
                "tags": ["a"], "operationId": "get_x", "summary": "Gets <x>.",
                "description": "More.\n\nAuth: read: open.",
                "parameters": [{"name": "id", "in": "path", "required": true,
                    "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}
            }}},
            "components": {"schemas": {"X": {"type": "object",
                "properties": {"n": {"type": "integer", "description": "count"}},
                "required": ["n"]}}}
        });
        let page = render(&doc);
        assert!(page.contains("<code>/api/v1/x/{id}</code>"), "{page}");
        assert!(page.contains("Gets &lt;x&gt;."), "{page}");
        assert!(
            page.contains("<p class=\"auth\">Auth — read: open.</p>"),
            "{page}"
        );
        assert!(page.contains("<a href=\"#schema-X\">X</a>"), "{page}");
        assert!(page.contains("id=\"schema-X\""), "{page}");
        assert!(
            !page.contains("id=\"tag-b\""),
            "a tag without operations is left out"
        );
        assert!(page.contains("<code>n</code> <span class=\"req\">required</span>"));
    }
}
