//! GAL (neighbour lists) and GWT (weighted pairs) text formats, as written and read by
//! libpysal (`libpysal.io.open`) and GeoDa, so weights can be checked outside tepat.
//!
//! GAL: a header `0 n layer id_field`, then per feature a line `id k` and a line with its
//! k neighbours' ids. GWT: the same header, then one line `id_i id_j w_ij` per pair.

use super::Weights;
use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::path::Path;

/// GAL text of `w` with feature ids `ids` (`layer` and `id_field` go into the header).
pub fn to_gal(w: &Weights, ids: &[String], layer: &str, id_field: &str) -> String {
    let mut s = format!("0 {} {} {}\n", w.n(), token(layer), token(id_field));
    for i in 0..w.n() {
        let _ = writeln!(s, "{} {}", ids[i], w.cardinality(i));
        let nb: Vec<&str> = w.neighbors(i).iter().map(|&j| ids[j].as_str()).collect();
        let _ = writeln!(s, "{}", nb.join(" "));
    }
    s
}

/// GWT text of `w` (weights as they are, i.e. after any transformation).
pub fn to_gwt(w: &Weights, ids: &[String], layer: &str, id_field: &str) -> String {
    let mut s = format!("0 {} {} {}\n", w.n(), token(layer), token(id_field));
    for i in 0..w.n() {
        for (&j, &v) in w.neighbors(i).iter().zip(w.values(i)) {
            // `{}` prints the shortest text that reads back to the same f64.
            let _ = writeln!(s, "{} {} {}", ids[i], ids[j], v);
        }
    }
    s
}

/// Header fields cannot hold spaces.
fn token(s: &str) -> String {
    if s.is_empty() {
        "unknown".to_string()
    } else {
        s.replace(char::is_whitespace, "_")
    }
}

/// Reads GAL text into (id, neighbour ids) in file order. Accepts both the one-number
/// header (`n`) and the four-field one (`0 n layer id_field`).
pub fn parse_gal(text: &str, path: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| Error::parse(path, "empty GAL file"))?;
    let h: Vec<&str> = header.split_whitespace().collect();
    let n: usize = match h.as_slice() {
        [n] => n.parse().ok(),
        [_, n, ..] => n.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| line_err(path, 1, "header must give the number of features"))?;
    let mut out = Vec::with_capacity(n);
    while let Some((ln, l)) = lines.next() {
        let f: Vec<&str> = l.split_whitespace().collect();
        let [id, k] = f.as_slice() else {
            return Err(line_err(path, ln + 1, "expected 'id count'"));
        };
        let k: usize = k
            .parse()
            .map_err(|_| line_err(path, ln + 1, "neighbour count is not a number"))?;
        let nb: Vec<String> = if k == 0 {
            // GeoDa writes an empty line for an island; libpysal may write none.
            Vec::new()
        } else {
            let (ln2, l2) = lines
                .next()
                .ok_or_else(|| line_err(path, ln + 2, "missing neighbour list"))?;
            let nb: Vec<String> = l2.split_whitespace().map(str::to_string).collect();
            if nb.len() != k {
                return Err(line_err(
                    path,
                    ln2 + 1,
                    &format!("expected {k} neighbours, found {}", nb.len()),
                ));
            }
            nb
        };
        out.push((id.to_string(), nb));
    }
    if out.len() != n {
        return Err(Error::parse(
            path,
            format!("header says {n} features, file lists {}", out.len()),
        ));
    }
    Ok(out)
}

fn line_err(path: &Path, line: usize, msg: &str) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: Some(line),
        feature: None,
        message: msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gal_round_trip() {
        let w = Weights::binary(vec![vec![1], vec![0, 2], vec![1], vec![]]);
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let text = to_gal(&w, &ids, "zones", "kode");
        assert!(
            text.starts_with("0 4 zones kode\na 1\nb\nb 2\na c\n"),
            "{text}"
        );
        let back = parse_gal(&text, Path::new("x.gal")).expect("parse");
        assert_eq!(
            back[1],
            ("b".to_string(), vec!["a".to_string(), "c".to_string()])
        );
        assert_eq!(back[3], ("d".to_string(), vec![]));
        let gwt = to_gwt(&w.transformed(super::super::Transform::R), &ids, "z", "k");
        assert!(gwt.contains("b a 0.5\nb c 0.5\n"), "{gwt}");
    }

    #[test]
    fn bad_gal_names_the_line() {
        let e = parse_gal("2\n1 1\n2 3\n", Path::new("x.gal")).expect_err("bad");
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
