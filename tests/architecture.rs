//! Checks of the crate's shape, by reading `src/` as text (no build, no services):
//! - no import cycle between the files of `src/`;
//! - no platform named outside `src/platform/`, but in comments.
//!
//! Both read only what the compiler would: comments and string literals are blanked before the
//! imports are looked for, and unit tests (`#[cfg(test)] mod tests` blocks, `tests.rs` files)
//! are left out of the import graph, since a unit test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// What the lexer keeps of a source file: the code with comments blanked, and with or without
/// the contents of string and character literals. Line breaks stay where they were, so line
/// numbers still hold.
struct Lexed {
    /// Comments and literals' contents blanked: only code.
    code: String,
    /// Comments blanked, literals kept: what a reader of the code sees named.
    code_and_strings: String,
}

fn lex(text: &str) -> Lexed {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut both = String::with_capacity(text.len());
    // Blank keeps line breaks, so that line numbers do not move.
    fn blank(c: char) -> char {
        if c == '\n' { '\n' } else { ' ' }
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        // Line comment (including `//!` and `///`).
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                code.push(' ');
                both.push(' ');
                i += 1;
            }
            continue;
        }
        // Block comment, nested as Rust's are.
        if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    code.push_str("  ");
                    both.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    code.push_str("  ");
                    both.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    code.push(blank(chars[i]));
                    both.push(blank(chars[i]));
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br#"…"#, cr"…".
        let prev_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if !prev_is_ident && (c == 'r' || ((c == 'b' || c == 'c') && next == Some('r'))) {
            let start = if c == 'r' { i + 1 } else { i + 2 };
            let mut j = start;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) == Some(&'"') {
                let hashes = j - start;
                let prefix: String = chars[i..=j].iter().collect();
                code.push_str(&prefix);
                both.push_str(&prefix);
                i = j + 1;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
                        code.push('"');
                        both.push('"');
                        for _ in 0..hashes {
                            code.push('#');
                            both.push('#');
                        }
                        i += 1 + hashes;
                        break;
                    }
                    code.push(blank(chars[i]));
                    both.push(chars[i]);
                    i += 1;
                }
                continue;
            }
        }
        // Strings: "…", b"…", c"…".
        if c == '"' {
            code.push('"');
            both.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    code.push(' ');
                    both.push(chars[i]);
                    i += 1;
                }
                code.push(blank(chars[i]));
                both.push(chars[i]);
                i += 1;
            }
            code.push('"');
            both.push('"');
            i += 1;
            continue;
        }
        // Character literals ('x', '\n', '\u{…}'), told apart from lifetimes ('a).
        if c == '\'' {
            let len = if next == Some('\\') {
                // After the backslash and the escaped character: '\n', '\'', '\u{…}'.
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&c| c == '\''))
                    .map(|p| p + 4)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(3)
            } else {
                None
            };
            if let Some(len) = len {
                code.push('\'');
                both.push('\'');
                for k in 1..len - 1 {
                    code.push(' ');
                    both.push(chars[i + k]);
                }
                code.push('\'');
                both.push('\'');
                i += len;
                continue;
            }
        }
        code.push(c);
        both.push(c);
        i += 1;
    }
    Lexed {
        code,
        code_and_strings: both,
    }
}

/// `code` without its `#[cfg(test)] mod tests { … }` blocks (blanked, line breaks kept).
fn without_unit_tests(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let lines: Vec<&str> = code.lines().collect();
    // Char offset of each line's start.
    let mut starts = Vec::with_capacity(lines.len());
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        starts.push(offset);
        offset += line.chars().count();
    }
    for (n, line) in lines.iter().enumerate() {
        if line.trim() != "#[cfg(test)]" {
            continue;
        }
        let Some(next) = lines[n + 1..]
            .iter()
            .position(|l| !l.trim().is_empty())
            .map(|p| n + 1 + p)
        else {
            continue;
        };
        let decl = lines[next].trim_start();
        let decl = decl.strip_prefix("pub ").unwrap_or(decl);
        if !(decl.starts_with("mod tests {") || decl == "mod tests" || decl.starts_with("mod tests{")) {
            continue;
        }
        // From the attribute to the brace that closes the module.
        let from = starts[n];
        let mut depth = 0;
        let mut end = out.len();
        let mut opened = false;
        for (k, &c) in out.iter().enumerate().skip(starts[next]) {
            if c == '{' {
                depth += 1;
                opened = true;
            } else if c == '}' {
                depth -= 1;
                if opened && depth == 0 {
                    end = k + 1;
                    break;
                }
            } else if c == ';' && !opened {
                // `mod tests;`: its file is left out by name.
                end = k + 1;
                break;
            }
        }
        for c in &mut out[from..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    }
    out.into_iter().collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// Identifiers (raw ones too), `::` and single punctuation, with the line each is on.
fn tokens(code: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            if word == "r" && chars.get(i) == Some(&'#') {
                i += 1;
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                word = chars[start..i].iter().collect();
            }
            out.push((Token::Ident(word), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((Token::Path, line));
            i += 2;
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// A module path from the crate root, as its segments (`[]` is the root).
type ModPath = Vec<String>;

/// One reference from a file to a module path, and the line it is on.
#[derive(Debug, Clone, PartialEq)]
struct Reference {
    path: ModPath,
    line: usize,
}

/// The module path a file defines: `src/lib.rs` is the root, `src/a/mod.rs` and `src/a.rs`
/// are `a`, `src/a/b.rs` is `a::b`.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// Expands the use tree starting at `toks[*i]` (after `use`) into whole paths, each with the name
/// it binds (its last segment or its `as` alias; `None` for `self`-less globs).
fn use_tree(
    toks: &[(Token, usize)],
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, Option<String>, usize)>,
) {
    let mut path = prefix.to_vec();
    let line = toks.get(*i).map_or(0, |t| t.1);
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Token::Ident(word)) => {
                path.push(word.clone());
                *i += 1;
                if toks.get(*i).map(|t| &t.0) == Some(&Token::Path) {
                    *i += 1;
                    continue;
                }
                // A leaf, perhaps renamed.
                let mut name = path.last().cloned();
                if matches!(toks.get(*i).map(|t| &t.0), Some(Token::Ident(w)) if w == "as") {
                    *i += 1;
                    if let Some((Token::Ident(alias), _)) = toks.get(*i) {
                        name = Some(alias.clone());
                        *i += 1;
                    }
                }
                if path.last().is_some_and(|s| s == "self") {
                    path.pop();
                    if name.as_deref() == Some("self") {
                        name = path.last().cloned();
                    }
                }
                out.push((path, name, line));
                return;
            }
            Some(Token::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Token::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Token::Punct(',')) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, &path, out),
                    }
                }
            }
            Some(Token::Punct('*')) => {
                *i += 1;
                out.push((path, None, line));
                return;
            }
            _ => return,
        }
    }
}

/// Makes a path as written in module `here` absolute: `crate::`, `super::` and `self::` are
/// resolved; a path starting with a child module `here` declares, or with a name a `use` bound
/// to a path, is expanded. Anything else (std, other crates, locals) is `None`.
fn absolute(
    written: &[String],
    here: &ModPath,
    children: &BTreeSet<String>,
    bound: &BTreeMap<String, ModPath>,
) -> Option<ModPath> {
    let first = written.first()?;
    match first.as_str() {
        "crate" => Some(written[1..].to_vec()),
        "self" => absolute(&written[1..], here, children, &BTreeMap::new())
            .or_else(|| Some(here.iter().chain(&written[1..]).cloned().collect())),
        "super" => {
            let mut base = here.clone();
            let mut rest = written;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            Some(base.into_iter().chain(rest.iter().cloned()).collect())
        }
        name if children.contains(name) => Some(here.iter().chain(written).cloned().collect()),
        name => bound
            .get(name)
            .map(|target| target.iter().chain(&written[1..]).cloned().collect()),
    }
}

/// The module paths a file's code refers to: its `use` declarations and every other path in
/// its code, made absolute (`absolute`), outside unit tests.
fn references(code: &str, here: &ModPath) -> Vec<Reference> {
    let toks = tokens(code);
    // Child modules declared with a file of their own: `mod x;`.
    let mut children = BTreeSet::new();
    for w in toks.windows(3) {
        if let [(Token::Ident(m), _), (Token::Ident(name), _), (Token::Punct(';'), _)] = w
            && m == "mod"
        {
            children.insert(name.clone());
        }
    }
    let mut refs = Vec::new();
    let mut bound: BTreeMap<String, ModPath> = BTreeMap::new();
    // First the `use` declarations: they bind names for the paths in the code.
    let mut uses = Vec::new();
    let mut i = 0;
    let mut in_use = vec![false; toks.len()];
    while i < toks.len() {
        if matches!(&toks[i].0, Token::Ident(w) if w == "use") {
            let start = i;
            i += 1;
            if toks.get(i).map(|t| &t.0) == Some(&Token::Path) {
                i += 1;
            }
            use_tree(&toks, &mut i, &[], &mut uses);
            for flag in &mut in_use[start..i.min(toks.len())] {
                *flag = true;
            }
        } else {
            i += 1;
        }
    }
    for (path, name, line) in &uses {
        if let Some(target) = absolute(path, here, &children, &BTreeMap::new()) {
            if let Some(name) = name {
                bound.insert(name.clone(), target.clone());
            }
            refs.push(Reference {
                path: target,
                line: *line,
            });
        }
    }
    // Then every path in the code: `a::b::c` not preceded by `::` (a path's start).
    let mut i = 0;
    while i < toks.len() {
        if in_use[i] {
            i += 1;
            continue;
        }
        let starts_path = matches!(toks[i].0, Token::Ident(_))
            && toks.get(i + 1).map(|t| &t.0) == Some(&Token::Path)
            && (i == 0 || toks[i - 1].0 != Token::Path);
        if !starts_path {
            i += 1;
            continue;
        }
        let line = toks[i].1;
        let mut written = Vec::new();
        while let Some((Token::Ident(word), _)) = toks.get(i) {
            written.push(word.clone());
            i += 1;
            if toks.get(i).map(|t| &t.0) == Some(&Token::Path) {
                i += 1;
            } else {
                break;
            }
        }
        if let Some(path) = absolute(&written, here, &children, &bound) {
            refs.push(Reference { path, line });
        }
    }
    refs
}

/// The file that defines the longest prefix of `path` among `modules`.
fn resolve<'a>(path: &[String], modules: &'a BTreeMap<ModPath, String>) -> Option<&'a String> {
    (0..=path.len()).rev().find_map(|n| modules.get(&path[..n].to_vec()))
}

/// The import graph of `src/`: for each file (as `src/…`), the files it refers to, each with
/// the first line that does.
type Graph = BTreeMap<String, BTreeMap<String, usize>>;

fn import_graph(src: &Path) -> Graph {
    let root = src.parent().expect("src has a parent");
    let name = |f: &Path| f.strip_prefix(root).expect("under the root").display().to_string();
    let files: Vec<PathBuf> = rust_files(src)
        .into_iter()
        // The binary is a crate of its own; unit-test files may reach anywhere.
        .filter(|f| f.file_name().is_some_and(|n| n != "main.rs" && n != "tests.rs"))
        .collect();
    let modules: BTreeMap<ModPath, String> = files.iter().map(|f| (module_of(src, f), name(f))).collect();
    let mut graph = Graph::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        let code = without_unit_tests(&lex(&text).code);
        let here = module_of(src, file);
        let from = name(file);
        let edges = graph.entry(from.clone()).or_default();
        for r in references(&code, &here) {
            if let Some(to) = resolve(&r.path, &modules)
                && *to != from
            {
                edges.entry(to.clone()).or_insert(r.line);
            }
        }
    }
    graph
}

/// The strongly connected components of `graph` with more than one node (Tarjan), each sorted,
/// in the order of their first node.
fn knots(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph: &'g Graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().expect("on the stack");
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: BTreeSet<&str> = graph
        .iter()
        .flat_map(|(k, e)| std::iter::once(k.as_str()).chain(e.keys().map(|k| k.as_str())))
        .collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// Cycles that together use every import edge inside a knot: for each edge `a → b` of the
/// knot, the shortest way back from `b` to `a`. Each cycle is listed once, starting at its
/// smallest file, as `a → b → … → a`.
fn cycles(graph: &Graph, knot: &[String]) -> Vec<Vec<String>> {
    let inside: BTreeSet<&str> = knot.iter().map(|s| s.as_str()).collect();
    let next = |v: &str| -> Vec<&str> {
        graph
            .get(v)
            .into_iter()
            .flat_map(|e| e.keys())
            .map(|s| s.as_str())
            .filter(|w| inside.contains(w))
            .collect()
    };
    let mut found = BTreeSet::new();
    for &a in &inside {
        for b in next(a) {
            // Breadth first from b back to a.
            let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
            let mut queue = VecDeque::from([b]);
            let mut seen = BTreeSet::from([b]);
            while let Some(v) = queue.pop_front() {
                if v == a {
                    break;
                }
                for w in next(v) {
                    if seen.insert(w) {
                        parent.insert(w, v);
                        queue.push_back(w);
                    }
                }
            }
            let mut path = vec![a];
            let mut v = a;
            while v != b {
                v = parent[v];
                path.push(v);
            }
            // path is a ← … ← b; the cycle is a → b → … → a.
            path.reverse();
            let mut cycle: Vec<String> = std::iter::once(a)
                .chain(path[..path.len() - 1].iter().copied())
                .map(String::from)
                .collect();
            let smallest = (0..cycle.len()).min_by_key(|&k| &cycle[k]).expect("not empty");
            cycle.rotate_left(smallest);
            found.insert(cycle);
        }
    }
    found.into_iter().collect()
}

/// The report of every knot: its files, then its cycles as chains with the line of each import.
fn describe(graph: &Graph, knots: &[Vec<String>]) -> String {
    let mut out = String::new();
    for knot in knots {
        out.push_str(&format!(
            "\n{} files import each other: {}\n",
            knot.len(),
            knot.join(", ")
        ));
        for cycle in cycles(graph, knot) {
            let mut chain = String::new();
            for k in 0..cycle.len() {
                let (from, to) = (&cycle[k], &cycle[(k + 1) % cycle.len()]);
                chain.push_str(&format!("{from}:{} → ", graph[from][to]));
            }
            out.push_str(&format!("  {chain}{}\n", cycle[0]));
        }
    }
    out
}

#[test]
fn no_import_cycle_between_the_files_of_src() {
    let graph = import_graph(&src());
    let knots = knots(&graph);
    assert!(
        knots.is_empty(),
        "import cycles in src/ (`a.rs:N → b.rs`: line N of a.rs refers to b.rs; each import that closes a cycle is in one of the chains):{}",
        describe(&graph, &knots)
    );
}

#[test]
fn no_platform_is_named_outside_src_platform_but_in_comments_and_unit_tests() {
    let src = src();
    let platform = src.join("platform");
    let root = src.parent().expect("src has a parent");
    let mut hits = Vec::new();
    // Unit tests may name a platform in their fixtures (a policy with an outbox account): they
    // are not code a new platform has to change.
    let unit_tests = |f: &Path| f.file_name().is_some_and(|n| n == "tests.rs");
    for file in rust_files(&src)
        .into_iter()
        .filter(|f| !f.starts_with(&platform) && !unit_tests(f))
    {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let lexed = lex(&text);
        // Unit-test blocks are found on the code with each literal's characters replaced by
        // `x`: a brace in a string cannot end a block, and a line of a multi-line string is
        // blanked with the block it is in.
        let filled: String = lexed
            .code
            .chars()
            .zip(lexed.code_and_strings.chars())
            .map(|(code, kept)| {
                if code == ' ' && !kept.is_whitespace() {
                    'x'
                } else {
                    code
                }
            })
            .collect();
        let outside_tests = without_unit_tests(&filled);
        let lines = text.lines().zip(lexed.code_and_strings.lines());
        for (n, ((line, seen), (code, kept))) in lines.zip(filled.lines().zip(outside_tests.lines())).enumerate() {
            if code != kept {
                continue;
            }
            let seen = seen.to_lowercase();
            if ["mastodon", "bluesky", "outbox"].iter().any(|p| seen.contains(p)) {
                let file = file.strip_prefix(root).expect("under the root").display();
                hits.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "{} line(s) outside src/platform/ name a platform in code or a string (comments may):\n{}",
        hits.len(),
        hits.join("\n")
    );
}

// The checks' own parts, on made-up input, so that a pass means what it says.

fn graph_of(edges: &[(&str, &str)]) -> Graph {
    let mut graph = Graph::new();
    for (line, (a, b)) in edges.iter().enumerate() {
        graph.entry(a.to_string()).or_default().insert(b.to_string(), line + 1);
        graph.entry(b.to_string()).or_default();
    }
    graph
}

#[test]
fn the_cycle_finder_finds_each_knot_and_only_those() {
    // a → b → c → a is one knot, d ⇄ e another; c → d joins them one way only, f hangs off.
    let graph = graph_of(&[
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
        ("c", "d"),
        ("d", "e"),
        ("e", "d"),
        ("e", "f"),
    ]);
    assert_eq!(knots(&graph), vec![vec!["a", "b", "c"], vec!["d", "e"]]);
    assert_eq!(cycles(&graph, &knots(&graph)[0]), vec![vec!["a", "b", "c"]]);
    assert_eq!(cycles(&graph, &knots(&graph)[1]), vec![vec!["d", "e"]]);
    // Two cycles through one node: both are listed, each once.
    let graph = graph_of(&[("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")]);
    assert_eq!(knots(&graph), vec![vec!["a", "b", "c"]]);
    assert_eq!(cycles(&graph, &knots(&graph)[0]), vec![vec!["a", "b"], vec!["a", "c"]]);
    assert_eq!(
        describe(&graph, &knots(&graph)),
        "\n3 files import each other: a, b, c\n  a:1 → b:2 → a\n  a:3 → c:4 → a\n"
    );
    // A diamond and a chain have no cycle.
    assert!(knots(&graph_of(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")])).is_empty());
}

#[test]
fn imports_are_read_as_the_compiler_reads_them() {
    let here: ModPath = vec!["policy".into()];
    let code = lex(r#"
//! Uses crate::audit in a comment only.
use crate::{account::{Account, Kind}, banner};
use super::rules as r;
use self::raw::Raw;
mod raw;
mod diagnostic;
use std::fmt;

fn f() {
    let s = "crate::queue::run";
    banner::show();
    r::compile();
    diagnostic::Diagnostic::new();
    crate::platform::mastodon::Client::new();
    let c = '"'; let l: &'static str = "";
    fmt::Debug::fmt;
}

#[cfg(test)]
mod tests {
    use crate::publish::run;
}
"#)
    .code;
    let refs = references(&without_unit_tests(&code), &here);
    let paths: Vec<String> = refs.iter().map(|r| r.path.join("::")).collect();
    assert_eq!(
        paths,
        [
            "account::Account",
            "account::Kind",
            "banner",
            "rules",
            "policy::raw::Raw",
            "banner::show",
            "rules::compile",
            "policy::diagnostic::Diagnostic::new",
            "platform::mastodon::Client::new",
        ]
    );
    let modules: BTreeMap<ModPath, String> = [
        (vec![], "src/lib.rs"),
        (vec!["platform".into()], "src/platform/mod.rs"),
        (vec!["platform".into(), "mastodon".into()], "src/platform/mastodon.rs"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    let resolved: Vec<&String> = refs.iter().filter_map(|r| resolve(&r.path, &modules)).collect();
    assert_eq!(resolved.last().map(|s| s.as_str()), Some("src/platform/mastodon.rs"));
    assert_eq!(
        module_of(Path::new("src"), Path::new("src/policy/mod.rs")),
        vec!["policy"]
    );
    assert_eq!(
        module_of(Path::new("src"), Path::new("src/policy/raw.rs")),
        vec!["policy", "raw"]
    );
    assert_eq!(
        module_of(Path::new("src"), Path::new("src/lib.rs")),
        Vec::<String>::new()
    );
}

#[test]
fn platform_names_in_comments_do_not_count_but_in_strings_they_do() {
    let lexed = lex("/// Posts to Mastodon.\nlet x = 1; // bluesky\nlet p = \"outbox\";\n/* Bluesky */ let y = 2;\n");
    let seen: Vec<bool> = lexed
        .code_and_strings
        .lines()
        .map(|l| {
            ["mastodon", "bluesky", "outbox"]
                .iter()
                .any(|p| l.to_lowercase().contains(p))
        })
        .collect();
    assert_eq!(seen, [false, false, true, false]);
}
