//! The architecture's invariants, checked on the sources (ARCHITECTURE.md lists them):
//! crates depend on each other one way, `tend-app` knows no HTTP, no file of any crate is in
//! an import loop, and the pages and the JSON API never import each other.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The code of a file without comments, and with string and character literals emptied,
/// so that only real paths remain to be read.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident_char(prev(&chars, i))
        {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F}'), or else a lifetime.
            let literal_end = if next == Some('\\') {
                (i + 2..chars.len().min(i + 12)).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match literal_end {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    if i == 0 { ' ' } else { chars[i - 1] }
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `code` without its `#[cfg(test)] mod … { … }` blocks: tests may reach anywhere.
fn without_test_modules(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            return out;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The paths a file names as segments: through `crate::`, `super::` or `self::`, and bare
/// ones (`home::get`, which may name a child module), with the groups of `use a::{b, c::d}`
/// spelled out. A bare path that names no module resolves to the file itself.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = !ident_char(prev(&chars, i)) && prev(&chars, i) != ':';
        if !(boundary && ident_char(chars[i])) {
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| ident_char(*c)) {
            i += 1;
        }
        if !(chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':')) {
            continue;
        }
        let ident: String = chars[start..i].iter().collect();
        let prefix = match ident.as_str() {
            "crate" | "super" | "self" => vec![ident],
            _ => vec!["self".to_owned(), ident],
        };
        let (found, end) = path_tree(&chars, i + 2, prefix);
        paths.extend(found);
        i = end;
    }
    paths
}

/// Reads the rest of a path from `i`: segments, and `{…}` groups; returns every path named.
fn path_tree(chars: &[char], mut i: usize, mut prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        match chars.get(i) {
            Some('{') => {
                let mut found = Vec::new();
                i += 1;
                loop {
                    while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                        i += 1;
                    }
                    match chars.get(i) {
                        Some('}') | None => return (found, i + 1),
                        _ => {
                            let (inner, end) = path_tree(chars, i, prefix.clone());
                            found.extend(inner);
                            i = end;
                        }
                    }
                }
            }
            Some('*') => return (vec![prefix], i + 1),
            Some(c) if ident_char(*c) => {
                let start = i;
                while chars.get(i).is_some_and(|c| ident_char(*c)) {
                    i += 1;
                }
                prefix.push(chars[start..i].iter().collect());
                if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
                    i += 2;
                } else {
                    // Past the path: skip an `as name` so the group goes on.
                    let mut j = i;
                    while chars.get(j).is_some_and(|c| c.is_whitespace()) {
                        j += 1;
                    }
                    if chars[j..].starts_with(&['a', 's', ' ']) {
                        j += 3;
                        while chars
                            .get(j)
                            .is_some_and(|c| c.is_whitespace() || ident_char(*c))
                        {
                            j += 1;
                        }
                        i = j;
                    }
                    return (vec![prefix], i);
                }
            }
            _ => return (vec![prefix], i),
        }
    }
}

/// One crate's (or test target's) files: module path → file.
struct Tree {
    modules: BTreeMap<Vec<String>, PathBuf>,
}

impl Tree {
    fn of(root_dir: &Path, root_file: &str) -> Self {
        let mut modules = BTreeMap::new();
        for file in rust_files(root_dir) {
            let relative = file.strip_prefix(root_dir).unwrap();
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if parts.last().is_some_and(|last| last == "mod") {
                parts.pop();
            }
            if parts == [root_file.trim_end_matches(".rs")] {
                parts.clear();
            }
            modules.insert(parts, file);
        }
        Self { modules }
    }

    /// The file a path from module `from` leads to: the deepest module it names.
    fn resolve(&self, from: &[String], path: &[String]) -> Option<&PathBuf> {
        let mut at: Vec<String> = match path.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            _ => from.to_vec(),
        };
        let mut segments = path.iter().skip(1).peekable();
        if path.first().map(String::as_str) == Some("super") {
            at.pop();
        }
        while segments.peek().is_some_and(|s| s.as_str() == "super") {
            at.pop();
            segments.next();
        }
        for segment in segments {
            let mut deeper = at.clone();
            deeper.push(segment.clone());
            if self.modules.contains_key(&deeper) {
                at = deeper;
            } else {
                break;
            }
        }
        self.modules.get(&at)
    }

    /// file → the other files of the tree it names.
    fn imports(&self) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let mut graph = BTreeMap::new();
        for (module, file) in &self.modules {
            let code = without_test_modules(&code_only(&std::fs::read_to_string(file).unwrap()));
            let targets: BTreeSet<PathBuf> = named_paths(&code)
                .iter()
                .filter_map(|path| self.resolve(module, path))
                .filter(|target| *target != file)
                .cloned()
                .collect();
            graph.insert(file.clone(), targets);
        }
        graph
    }
}

/// Each loop of files that import each other (Tarjan's strongly connected components).
fn loops(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: HashMap<&'a PathBuf, usize>,
        low: HashMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        found: Vec<Vec<PathBuf>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a PathBuf) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.clone());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

/// Every crate's sources, and its integration tests, as trees of files.
fn every_tree() -> Vec<(String, Tree)> {
    let mut trees = Vec::new();
    for entry in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let root = if dir.join("src/lib.rs").exists() {
            "lib.rs"
        } else {
            "main.rs"
        };
        trees.push((name.clone(), Tree::of(&dir.join("src"), root)));
        if dir.join("tests/it/main.rs").exists() {
            trees.push((
                format!("{name} tests"),
                Tree::of(&dir.join("tests/it"), "main.rs"),
            ));
        }
    }
    trees.sort_by(|a, b| a.0.cmp(&b.0));
    trees
}

#[test]
fn no_file_of_any_crate_is_in_an_import_loop() {
    let mut found = Vec::new();
    let mut files = 0;
    for (name, tree) in every_tree() {
        files += tree.modules.len();
        for component in loops(&tree.imports()) {
            let names: Vec<String> = component
                .iter()
                .map(|f| {
                    f.strip_prefix(workspace())
                        .unwrap_or(f)
                        .display()
                        .to_string()
                })
                .collect();
            found.push(format!("{name}: {}", names.join(" ⇄ ")));
        }
    }
    assert!(files > 100, "read only {files} files");
    assert!(
        found.is_empty(),
        "files that import each other:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_loop_check_finds_a_loop_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pages")).unwrap();
    std::fs::write(dir.path().join("lib.rs"), "mod pages;\nmod words;\n").unwrap();
    std::fs::write(
        dir.path().join("pages.rs"),
        "mod home;\npub fn routes() { home::get(); }\npub struct Ctx;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pages/home.rs"),
        "use super::{Ctx, other as o};\n// crate::words would be fine\npub fn get() {}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("words.rs"), "use crate::pages::Ctx;\n").unwrap();
    let tree = Tree::of(dir.path(), "lib.rs");
    let graph = tree.imports();
    let found = loops(&graph);
    assert_eq!(found.len(), 1, "{graph:#?}");
    assert_eq!(found[0].len(), 2);
    // words.rs names pages.rs, which names nothing back: no loop of its own.
    assert!(graph[&dir.path().join("words.rs")].contains(&dir.path().join("pages.rs")));
}

/// The files under `dir` of tend-web that name something of `other` (`crate::api`, …).
fn web_files_naming(dir: &str, needle: &str) -> Vec<String> {
    let root = workspace().join("crates/tend-web/src");
    rust_files(&root.join(dir))
        .into_iter()
        .filter(|file| {
            let code = code_only(&std::fs::read_to_string(file).unwrap());
            code.contains(needle)
        })
        .map(|file| file.strip_prefix(&root).unwrap().display().to_string())
        .collect()
}

#[test]
fn pages_and_api_never_import_each_other() {
    assert_eq!(
        web_files_naming("pages", "crate::api"),
        Vec::<String>::new()
    );
    assert_eq!(
        web_files_naming("api", "crate::pages"),
        Vec::<String>::new()
    );
    assert!(!web_files_naming("api", "ApiError").is_empty());
    let root = workspace().join("crates/tend-web/src");
    let outside_api: Vec<String> = rust_files(&root)
        .into_iter()
        .filter(|file| !file.starts_with(root.join("api")) && file != &root.join("api.rs"))
        .filter(|file| code_only(&std::fs::read_to_string(file).unwrap()).contains("ApiError"))
        .map(|file| file.display().to_string())
        .collect();
    assert_eq!(
        outside_api,
        Vec::<String>::new(),
        "ApiError is the API's own"
    );
}

/// The workspace's packages and, for each, what it needs to build (normal dependencies),
/// from `cargo metadata`.
fn dependency_graph() -> (HashMap<String, String>, HashMap<String, Vec<String>>) {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(workspace())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: HashMap<String, String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut needs = HashMap::new();
    for node in metadata["resolve"]["nodes"].as_array().unwrap() {
        let normal: Vec<String> = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|dep| {
                dep["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|kind| kind["kind"].is_null())
            })
            .map(|dep| dep["pkg"].as_str().unwrap().to_owned())
            .collect();
        needs.insert(node["id"].as_str().unwrap().to_owned(), normal);
    }
    (names, needs)
}

/// Every package `package` needs to build, by name, however indirectly.
fn needed_by(package: &str) -> BTreeSet<String> {
    let (names, needs) = dependency_graph();
    let start = names
        .iter()
        .find(|(_, name)| name.as_str() == package)
        .map(|(id, _)| id.clone())
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut todo = vec![start];
    while let Some(id) = todo.pop() {
        for dep in needs.get(&id).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                todo.push(dep.clone());
            }
        }
    }
    seen.iter().map(|id| names[id].clone()).collect()
}

#[test]
fn the_crates_depend_on_each_other_one_way_and_the_use_cases_know_no_http() {
    let ours = |package: &str| -> BTreeSet<String> {
        needed_by(package)
            .into_iter()
            .filter(|name| name.starts_with("tend"))
            .collect()
    };
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(ours("tend-core"), set(&[]));
    assert_eq!(ours("tend-store"), set(&["tend-core"]));
    assert_eq!(ours("tend-app"), set(&["tend-core", "tend-store"]));
    assert_eq!(
        ours("tend-web"),
        set(&["tend-app", "tend-core", "tend-store"])
    );

    let (names, needs) = dependency_graph();
    let web = names
        .iter()
        .find(|(_, n)| n.as_str() == "tend-web")
        .unwrap()
        .0;
    let web_direct: BTreeSet<&str> = needs[web].iter().map(|id| names[id].as_str()).collect();
    assert!(
        !web_direct.contains("tend-store"),
        "tend-web reaches the store only through tend-app"
    );

    let http = [
        "axum",
        "axum-core",
        "askama",
        "tower",
        "tower-http",
        "hyper",
        "http",
        "utoipa",
    ];
    let app_needs = needed_by("tend-app");
    let found: Vec<&str> = http
        .into_iter()
        .filter(|c| app_needs.contains(*c))
        .collect();
    assert!(found.is_empty(), "tend-app needs {found:?}");
    let core_needs = needed_by("tend-core");
    for io in ["tokio", "sqlx", "axum"] {
        assert!(!core_needs.contains(io), "tend-core needs {io}");
    }
}
