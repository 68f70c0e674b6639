//! What the end-to-end tests share: running the built binary from the crate root, with the
//! environment that changes output (terminal width, NO_COLOR) pinned.

// Each test crate compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::process::Command;

/// Runs `lockscope args…` with extra `env`; returns (stdout, stderr, exit code).
pub fn lockscope(args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lockscope"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run lockscope");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `fixtures/mariadb/x.status.txt` → `mariadb__x__status`, the stem of a snapshot name.
pub fn snapshot_stem(path: &str) -> String {
    let stem = path
        .trim_start_matches("fixtures/")
        .trim_end_matches(".txt");
    stem.replace(['/', '.'], "__")
}
