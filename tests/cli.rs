//! CLI behaviour as files (trycmd): `--help`, `explain`, `patterns`, exit codes and error
//! messages on bad input. Each `tests/cmd/*.toml` runs the built binary; its expected output is
//! in the `.stdout` / `.stderr` files beside it (`TRYCMD=overwrite cargo test --test cli` to
//! regenerate, then read the diff).

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}

/// Messages are lowercase, end without a period, and name things in backticks (STYLE.md 11).
#[test]
fn error_messages_follow_the_convention() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let Some(message) = line
                    .strip_prefix("error: ")
                    .or_else(|| line.strip_prefix("warning: "))
                else {
                    continue;
                };
                let first = message.chars().next().unwrap_or('a');
                assert!(!first.is_uppercase(), "{}: {line}", path.display());
                assert!(!message.ends_with('.'), "{}: {line}", path.display());
            }
        }
    }
}
