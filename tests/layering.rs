//! The pipeline is the architecture, and data flows one way: every top-level module of `src/`
//! may use only modules on a lower layer (outside `#[cfg(test)]` code). This test reads the
//! `crate::…` paths of every source file and fails on an import that points up or sideways, so
//! a cycle cannot creep back in. The README's "Architecture" paragraph draws the same layers.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module and its layer: a module may use only modules of a lower layer.
const LAYERS: &[(&str, u8)] = &[
    // Leaves: plain data and text helpers.
    ("text", 0),
    ("model", 0),
    ("error", 0),
    // Reading and cutting the input; table definitions.
    ("input", 1),
    ("schema", 1),
    ("split", 2),
    ("parse", 2),
    ("decode", 2),
    // Understanding it.
    ("diagnose", 3),
    ("sink", 4),
    ("redact", 4),
    // Saying it, and driving the pipeline.
    ("report", 5),
    ("analyze", 5),
    ("fail_on", 6),
    // Live servers and the lab, then the command line and its resolution.
    ("live", 6),
    ("lab", 7),
    ("cli", 8),
    ("config", 9),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files declared `#[cfg(test)] mod name;` (or `#[path]`-included under it): test-only.
fn test_only_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in files {
        let text = fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "#[cfg(test)]" {
                continue;
            }
            let mut j = i + 1;
            let mut path_attr = None;
            while let Some(next) = lines.get(j) {
                let next = next.trim();
                if let Some(p) = next.strip_prefix("#[path = \"") {
                    path_attr = p.strip_suffix("\"]").map(str::to_string);
                } else if !next.starts_with("#[") {
                    break;
                }
                j += 1;
            }
            let Some(decl) = lines.get(j).map(|l| l.trim()) else {
                continue;
            };
            let name = decl
                .strip_prefix("pub(crate) mod ")
                .or_else(|| decl.strip_prefix("mod "))
                .and_then(|rest| rest.strip_suffix(';'));
            let Some(name) = name else { continue };
            let dir = if file
                .file_name()
                .is_some_and(|f| f == "mod.rs" || f == "lib.rs")
            {
                file.parent().unwrap().to_path_buf()
            } else {
                file.with_extension("")
            };
            match path_attr {
                Some(p) => out.push(file.parent().unwrap().join(p)),
                None => {
                    out.push(dir.join(format!("{name}.rs")));
                    out.push(dir.join(name).join("mod.rs"));
                }
            }
        }
    }
    out
}

/// The text with every `#[cfg(test)]` item that has a body (`mod tests { … }`) cut out.
fn without_test_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let (Some(open), Some(semi)) = (after.find('{'), after.find(';')) else {
            rest = "";
            break;
        };
        if semi < open {
            // `#[cfg(test)] mod name;` or a `use`: skip the declaration.
            rest = &after[semi + 1..];
            continue;
        }
        let mut depth = 0usize;
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

/// The top-level modules `text` names as `crate::name` (also inside `crate::{a, b}`), and
/// items of the crate root (`crate::analyze_text`), reported as `<root>`.
fn crate_uses(text: &str, modules: &BTreeMap<&str, u8>) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            inner
                .split(',')
                .map(|s| s.trim().split("::").next().unwrap_or("").trim())
                .collect()
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            vec![&rest[..end]]
        };
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            if modules.contains_key(name) {
                out.push(name.to_string());
            } else if name != "self" {
                out.push(format!("<root>::{name}"));
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_lower_layers() {
    let modules: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let root = src();
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    let test_only = test_only_files(&files);
    let mut problems = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" || test_only.contains(file) {
            continue;
        }
        let Some(&layer) = modules.get(top.as_str()) else {
            problems.push(format!(
                "{}: module `{top}` has no layer in LAYERS",
                rel.display()
            ));
            continue;
        };
        let text = without_test_code(&fs::read_to_string(file).unwrap());
        for used in crate_uses(&text, &modules) {
            if used == top {
                continue;
            }
            match modules.get(used.as_str()) {
                Some(&l) if l < layer => {}
                Some(&l) => problems.push(format!(
                    "{}: `{top}` (layer {layer}) uses `{used}` (layer {l})",
                    rel.display()
                )),
                None => problems.push(format!(
                    "{}: `{top}` uses `{used}` of the crate root (use the module it lives in)",
                    rel.display()
                )),
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "imports against the pipeline's layers:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    let modules: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let text = "use crate::report::Format;\nuse crate::{model, parse::trim};\n\
                #[cfg(test)]\nmod tests {\n    use crate::cli::Cli;\n}\n";
    let uses = crate_uses(&without_test_code(text), &modules);
    assert_eq!(uses, ["report", "model", "parse"]);
    assert_eq!(
        crate_uses("crate::analyze_text(x)", &modules),
        ["<root>::analyze_text"]
    );
}

/// Stages whose files stay small enough to read in one sitting (issue 20): a file that grows
/// past this is split along its seams.
const STAGES_WITH_SMALL_FILES: &[&str] = &["parse", "model", "report", "diagnose"];

/// Non-test lines a file of those stages may hold.
const MAX_LINES: usize = 500;

#[test]
fn the_stages_files_stay_small() {
    let root = src();
    let mut problems = Vec::new();
    for stage in STAGES_WITH_SMALL_FILES {
        let mut files = Vec::new();
        rs_files(&root.join(stage), &mut files);
        assert!(!files.is_empty(), "no files under src/{stage}");
        for file in files {
            let lines = without_test_code(&fs::read_to_string(&file).unwrap())
                .lines()
                .count();
            if lines > MAX_LINES {
                let rel = file.strip_prefix(&root).unwrap().display().to_string();
                problems.push(format!("{rel}: {lines} lines outside tests"));
            }
        }
    }
    problems.sort();
    assert!(
        problems.is_empty(),
        "files over {MAX_LINES} lines (split them along their seams):\n{}",
        problems.join("\n")
    );
}
