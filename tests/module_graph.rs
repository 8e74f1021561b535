//! The library's top-level modules form no cycle: data flows one way (ARCHITECTURE.md), so a
//! module never names, outside its tests and comments, a module that names it back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules each module's code (not its `#[cfg(test)]` module, not comments)
/// refers to as `crate::name`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let module = |p: &Path| {
        let first = p.strip_prefix(src).unwrap().components().next().unwrap();
        let name = first.as_os_str().to_str().unwrap();
        name.strip_suffix(".rs").unwrap_or(name).to_string()
    };
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module(f);
        if m == "lib" || m == "main" {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let code = text.split("#[cfg(test)]\nmod ").next().unwrap();
        let deps = g.entry(m.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != m {
                    deps.insert(name);
                }
            }
        }
    }
    g
}

/// A path `from` → … → `to` through the graph, if there is one.
fn path(g: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(p) = stack.pop() {
        let last = p.last().unwrap().clone();
        if last == to {
            return Some(p);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in g.get(&last).into_iter().flatten() {
            let mut q = p.clone();
            q.push(next.clone());
            stack.push(q);
        }
    }
    None
}

/// Each module's way back to itself, as `a -> b -> a`.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (m, deps) in g {
        for d in deps {
            if let Some(back) = path(g, d, m) {
                out.push(format!("{m} -> {}", back.join(" -> ")));
            }
        }
    }
    out
}

#[test]
fn top_level_modules_form_no_cycle() {
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(
        g.get("quotes").is_some_and(|d| d.contains("actors")),
        "the scan read nothing: {g:?}"
    );
    let found = cycles(&g);
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

/// What a candle-free text crate would hold, and the only modules it may name.
const TEXT_LAYER: [&str; 4] = ["corpus", "text", "quotes", "actors"];
const TEXT_LAYER_MAY_NAME: [&str; 2] = ["error", "prediction"];

/// Files of `module` under `src` whose code (not tests, not comments) names `word`.
fn naming(src: &Path, module: &str, word: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let dir = src.join(module);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    } else {
        files.push(src.join(format!("{module}.rs")));
    }
    files
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let code = text.split("#[cfg(test)]\nmod ").next().unwrap().to_string();
            code.lines()
                .any(|l| !l.trim_start().starts_with("//") && l.contains(word))
        })
        .collect()
}

#[test]
fn the_text_layer_names_no_model_code_and_no_candle() {
    // A workspace split (text crate, models crate, the tool) would be mechanical while this
    // holds: extraction and actors build and test without candle or any model.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    for module in TEXT_LAYER {
        let outside: Vec<&String> = g[module]
            .iter()
            .filter(|d| {
                !TEXT_LAYER.contains(&d.as_str()) && !TEXT_LAYER_MAY_NAME.contains(&d.as_str())
            })
            .collect();
        assert!(outside.is_empty(), "{module} names {outside:?}");
        let candle = naming(&src, module, "candle");
        assert!(candle.is_empty(), "{module} names candle in {candle:?}");
    }
    assert!(
        !naming(&src, "encoders", "candle").is_empty(),
        "the candle scan read nothing"
    );
}

#[test]
fn the_scan_finds_a_cycle_and_skips_comments_and_tests() {
    let dir = std::env::temp_dir().join(format!("stancer-module-graph-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(
        dir.join("a.rs"),
        "use crate::b::x;\n// crate::c in a comment\n",
    )
    .unwrap();
    std::fs::write(dir.join("b/mod.rs"), "fn f() { crate::a::y() }\n").unwrap();
    std::fs::write(
        dir.join("c.rs"),
        "#[cfg(test)]\nmod tests { use crate::a; }\n",
    )
    .unwrap();
    let g = graph(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(cycles(&g), ["a -> b -> a", "b -> a -> b"]);
    assert!(!g["a"].contains("c") && g["c"].is_empty(), "{g:?}");
}
