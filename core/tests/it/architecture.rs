//! Architecture: no import circle among the modules of `core/src`, nor among those of `cli/src`.
//!
//! - The module tree comes from the files: `lib.rs`/`main.rs` is the root, `foo.rs` or `foo/mod.rs` is
//!   module `foo`, nested folders likewise. Inline `mod x { ... }` blocks belong to their file.
//! - A file references module M when its code (comments, doc comments, string, raw string and char
//!   literals stripped) holds a path starting with `crate::`, `self::` or `super::` (repeatable), in a
//!   `use` (grouped `{a::{b, c}, d}` forms included) or inline in an expression, that resolves to M: the
//!   deepest module the path names (the remaining segments are items). `self`/`super` are relative to the
//!   innermost enclosing inline module, so `use super::*;` in a `mod tests` block means the file itself.
//! - For every module P, its child modules are nodes, with an edge C1 -> C2 (C1 != C2) when a file in
//!   C1's subtree references a module in C2's subtree. A reference to one's own ancestor or descendant is
//!   a parent/child relation, not an edge. A strongly connected component of more than one node, at any
//!   level, is a circle and fails the test, which prints each circle's level, members and, per edge, one
//!   `file:line` creating it.
//! - Modules named `error` (and their descendants) are the shared error modules: left out of the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

/// A module, as its path from the crate root (empty for the root).
type Module = Vec<String>;

#[derive(Debug)]
struct Circle {
    level: String,
    members: Vec<String>,
    /// From, to, and one `file:line` creating the edge.
    edges: Vec<(String, String, String)>,
}

#[derive(Debug)]
struct Report {
    modules: usize,
    circles: Vec<Circle>,
}

fn name(m: &[String]) -> String {
    if m.is_empty() { "crate".to_string() } else { m.join("::") }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The module a file (path relative to `src`, `/`-separated) defines.
fn module_of(rel: &str) -> Module {
    let mut segs: Module = rel.trim_end_matches(".rs").split('/').map(String::from).collect();
    if segs.last().is_some_and(|s| s == "mod") || segs == ["lib"] || segs == ["main"] {
        segs.pop();
    }
    segs
}

/// Blanks out comments and string/char literals, keeping line breaks so line numbers stay right.
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        let end = if at(i) == '/' && at(i + 1) == '/' {
            c[i..].iter().position(|&ch| ch == '\n').map_or(c.len(), |p| i + p)
        } else if at(i) == '/' && at(i + 1) == '*' {
            let (mut j, mut depth) = (i + 2, 1);
            while j < c.len() && depth > 0 {
                match (at(j), at(j + 1)) {
                    ('/', '*') => (depth, j) = (depth + 1, j + 2),
                    ('*', '/') => (depth, j) = (depth - 1, j + 2),
                    _ => j += 1,
                }
            }
            j
        } else if at(i) == '"' {
            let mut j = i + 1;
            while j < c.len() && at(j) != '"' {
                j += if at(j) == '\\' { 2 } else { 1 };
            }
            j + 1
        } else if at(i) == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal; a lifetime (`'a`) has no closing quote right after one char.
            let from = (if at(i + 1) == '\\' { i + 3 } else { i + 2 }).min(c.len());
            c[from..].iter().position(|&ch| ch == '\'').map_or(c.len(), |p| from + p + 1)
        } else if is_ident(at(i)) {
            let len = c[i..].iter().take_while(|&&ch| is_ident(ch)).count();
            let hashes = c[i + len..].iter().take_while(|&&ch| ch == '#').count();
            let quote = i + len + hashes;
            if !matches!(c[i..i + len], ['r'] | ['b' | 'c', 'r']) || at(quote) != '"' {
                out.extend(&c[i..i + len]);
                i += len;
                continue;
            }
            let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            (quote + 1..c.len()).find(|&j| c[j..].starts_with(&close)).map_or(c.len(), |j| j + close.len())
        } else {
            out.push(c[i]);
            i += 1;
            continue;
        };
        let end = end.min(c.len());
        out.extend(c[i..end].iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
        i = end;
    }
    out
}

/// Identifiers, `::` and single punctuation characters, each with its line number.
fn tokens(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut prev = ' ';
        for ch in line.chars() {
            let glue = (is_ident(prev) && is_ident(ch)) || (prev == ':' && ch == ':');
            match out.last_mut() {
                Some((t, l)) if glue && *l == n + 1 && t != "::" => t.push(ch),
                _ if !ch.is_whitespace() => out.push((ch.to_string(), n + 1)),
                _ => {}
            }
            prev = ch;
        }
    }
    out
}

/// Reads one path (tree) starting at `t[*i]`, expanding `{...}` groups; pushes every full path to `out`.
fn tree(t: &[(String, usize)], i: &mut usize, prefix: Module, out: &mut Vec<Module>) {
    let mut path = prefix;
    while let Some((s, _)) = t.get(*i) {
        if s == "{" {
            *i += 1;
            loop {
                tree(t, i, path.clone(), out);
                match t.get(*i).map(|(s, _)| s.as_str()) {
                    Some(",") => *i += 1,
                    Some("}") => {
                        *i += 1;
                        return;
                    }
                    _ => return,
                }
            }
        }
        if !s.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            break;
        }
        if s != "self" || path.is_empty() {
            path.push(s.clone());
        }
        *i += 1;
        match t.get(*i).map(|(s, _)| s.as_str()) {
            Some("::") => *i += 1,
            Some("as") => {
                *i += 2; // `as alias`
                break;
            }
            _ => break,
        }
    }
    out.push(path);
}

/// Every `crate::`/`super::`/`self::` path in a file of module `here`, made absolute, with its line.
fn references(src: &str, here: &[String]) -> Vec<(Module, usize)> {
    let t = tokens(&strip(src));
    let tok = |k: usize| t.get(k).map_or("", |(s, _)| s.as_str());
    let (mut inline, mut depth, mut out, mut i) = (Vec::<(String, usize)>::new(), 0usize, Vec::new(), 0);
    while i < t.len() {
        match tok(i) {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            "mod" if tok(i + 2) == "{" => inline.push((tok(i + 1).to_string(), depth)),
            "crate" | "super" | "self" if tok(i + 1) == "::" && (i == 0 || tok(i - 1) != "::") => {
                let line = t[i].1;
                let mut paths = Vec::new();
                tree(&t, &mut i, Vec::new(), &mut paths);
                for path in paths {
                    let mut abs: Module = here.iter().cloned().chain(inline.iter().map(|(m, _)| m.clone())).collect();
                    for (k, seg) in path.into_iter().enumerate() {
                        match seg.as_str() {
                            "crate" if k == 0 => abs.clear(),
                            "self" => {}
                            "super" => drop(abs.pop()),
                            _ => abs.push(seg),
                        }
                    }
                    out.push((abs, line));
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The strongly connected components with more than one node.
fn components(edges: &BTreeMap<(Module, Module), String>) -> Vec<Vec<Module>> {
    let reach = |start: &Module| {
        let (mut seen, mut stack) = (BTreeSet::new(), vec![start.clone()]);
        while let Some(n) = stack.pop() {
            for (_, b) in edges.keys().filter(|(a, _)| *a == n) {
                if seen.insert(b.clone()) {
                    stack.push(b.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&Module, BTreeSet<Module>> = edges.keys().map(|(a, _)| (a, reach(a))).collect();
    let on_cycle = reaches.iter().filter(|(n, from_n)| from_n.contains(**n));
    let components: BTreeSet<Vec<Module>> = on_cycle
        .map(|(&n, from_n)| from_n.iter().filter(|m| reaches.get(m).is_some_and(|r| r.contains(n))).cloned().collect())
        .collect();
    components.into_iter().collect()
}

/// Checks a crate given as (path relative to `src` → source text) pairs.
fn check(files: &[(impl AsRef<str>, impl AsRef<str>)]) -> Report {
    let known: BTreeSet<Module> = files.iter().map(|(p, _)| module_of(p.as_ref())).collect();
    let skip = |m: &[String]| m.iter().any(|s| s == "error");
    let mut levels: BTreeMap<Module, BTreeMap<(Module, Module), String>> = BTreeMap::new();
    for (file, src) in files.iter().map(|(f, s)| (f.as_ref(), s.as_ref())) {
        let from = module_of(file);
        if skip(&from) {
            continue;
        }
        for (abs, line) in references(src, &from) {
            let Some(to) = (0..=abs.len()).rev().map(|n| &abs[..n]).find(|m| known.contains(*m)) else { continue };
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if skip(to) || common == from.len().min(to.len()) {
                continue; // the same module, an ancestor or a descendant
            }
            let edge = (from[..=common].to_vec(), to[..=common].to_vec());
            levels.entry(from[..common].to_vec()).or_default().entry(edge).or_insert(format!("{file}:{line}"));
        }
    }
    let mut circles = Vec::new();
    for (level, edges) in &levels {
        for members in components(edges) {
            let edges = edges.iter().filter(|((a, b), _)| members.contains(a) && members.contains(b));
            let edges = edges.map(|((a, b), site)| (name(a), name(b), site.clone())).collect();
            circles.push(Circle { level: name(level), members: members.iter().map(|m| name(m)).collect(), edges });
        }
    }
    Report { modules: known.iter().filter(|m| !skip(m)).count(), circles }
}

/// Every circle with its level, members and one `file:line` per edge (files shown under `root`).
fn describe(report: &Report, root: &str) -> String {
    let mut lines = Vec::new();
    for c in &report.circles {
        lines.push(format!("circle under `{}` among {}:", c.level, c.members.join(", ")));
        for (a, b, site) in &c.edges {
            lines.push(format!("    {a} -> {b}   e.g. {root}/{site}"));
        }
    }
    lines.join("\n")
}

/// All `.rs` files under `dir`, sorted, as paths prefixed with `rel`.
fn load(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) -> io::Result<()> {
    let located = |e: io::Error, p: &Path| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(|e| located(e, dir))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for (path, name) in entries.iter().map(|e| (e.path(), format!("{rel}{}", e.file_name().to_string_lossy()))) {
        if path.is_dir() {
            load(&path, &format!("{name}/"), out)?;
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push((name, std::fs::read_to_string(&path).map_err(|e| located(e, &path))?));
        }
    }
    Ok(())
}

fn assert_no_circle(krate: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(krate).join("src");
    let mut files = Vec::new();
    load(&src, "", &mut files).expect("cannot read the crate's sources (found from CARGO_MANIFEST_DIR)");
    let report = check(&files);
    let label = format!("{krate}/src");
    println!("{label}: {} modules, {} import circle(s)", report.modules, report.circles.len());
    assert!(report.circles.is_empty(), "import circles in {label}:\n{}", describe(&report, &label));
}

#[test]
fn core_modules_have_no_import_circle() {
    assert_no_circle("core");
}

#[test]
fn cli_modules_have_no_import_circle() {
    assert_no_circle("cli");
}

fn circles(files: &[(&str, &str)]) -> Vec<String> {
    check(files).circles.iter().map(|c| format!("{}: {}", c.level, c.members.join(", "))).collect()
}

#[test]
fn checker_finds_a_two_cycle_between_siblings() {
    let r =
        check(&[("lib.rs", "mod a; mod b;"), ("a.rs", "use crate::b::X;"), ("b.rs", "\nfn f() { crate::a::g(); }")]);
    assert_eq!((r.modules, r.circles.len()), (3, 1));
    assert_eq!((r.circles[0].level.as_str(), r.circles[0].members.join(", ")), ("crate", "a, b".to_string()));
    assert!(r.circles[0].edges.contains(&("b".into(), "a".into(), "b.rs:2".into())));
}

#[test]
fn checker_finds_a_three_cycle_only_at_the_common_ancestor() {
    let found = circles(&[
        ("lib.rs", ""),
        ("x/mod.rs", ""),
        ("x/p.rs", "use crate::y::q::T;"),
        ("y/mod.rs", ""),
        ("y/q.rs", "fn f() { crate::z::r::g() }"),
        ("z/mod.rs", ""),
        ("z/r.rs", "fn g() { super::super::x::p::h() }"),
    ]);
    assert_eq!(found, ["crate: x, y, z"]);
}

#[test]
fn checker_ignores_parent_child_references() {
    let found = circles(&[
        ("lib.rs", "use crate::a::b::X;"),
        ("a/mod.rs", "use self::b::X; crate::a::b::f();"),
        ("a/b.rs", "use super::Z; use crate::a::W; crate::top();"),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn checker_expands_grouped_uses() {
    let found = circles(&[
        ("lib.rs", ""),
        ("a.rs", "use crate::{\n    b::{c::{X}, self},\n    e::Y,\n};"),
        ("b/mod.rs", ""),
        ("b/c.rs", "use crate::a::Z;"),
        ("e.rs", "use crate::{a::{self as aa}};"),
    ]);
    assert_eq!(found, ["crate: a, b, e"]);
}

#[test]
fn checker_ignores_comments_strings_and_chars() {
    let a = r##"// crate::b::x
/* crate::b /* nested */ crate::b */ /// doc: crate::b::x
fn f<'a>(x: &'a str) -> &'a str { x }
const S: &str = "crate::b::x \" crate::b";
const R: &str = r#"crate::b "quoted" "#;
const B: (&[u8], char, char) = (b"crate::b", '"', '\'');
"##;
    assert!(circles(&[("lib.rs", ""), ("a.rs", a), ("b.rs", "use crate::a::S;")]).is_empty());
}

#[test]
fn checker_leaves_error_modules_out() {
    let r = check(&[
        ("lib.rs", ""),
        ("error.rs", "use crate::a::X;"),
        ("a.rs", "use crate::error::Error;"),
        ("p/mod.rs", ""),
        ("p/error.rs", "use super::q::X;"),
        ("p/q.rs", "use super::error::E;"),
    ]);
    assert_eq!((r.modules, r.circles.len()), (4, 0), "{:?}", r.circles);
}

#[test]
fn checker_resolves_super_inside_inline_modules() {
    let found = circles(&[
        ("lib.rs", ""),
        ("p/mod.rs", ""),
        ("p/a.rs", "mod tests { use super::*; use super::super::b::X; }"),
        ("p/b.rs", "use super::a::Y;"),
    ]);
    assert_eq!(found, ["p: p::a, p::b"]);
}
