//! Checked-in generated files stay current: shell completions and the man page under
//! `completions/`, generated from the clap definitions. Run with `LOCKSCOPE_BLESS=1` to rewrite
//! them after changing the CLI (as `cargo dev update_lints` does for clippy).

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use lockscope::cli::Cli;

fn check_or_bless(path: &str, generated: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("LOCKSCOPE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let current = std::fs::read(&path).unwrap_or_default();
    assert!(
        current == generated,
        "{} is stale: run `LOCKSCOPE_BLESS=1 cargo test --test generated`",
        path.display()
    );
}

#[test]
fn completions_are_current() {
    for (shell, file) in [
        (Shell::Bash, "completions/lockscope.bash"),
        (Shell::Zsh, "completions/_lockscope"),
        (Shell::Fish, "completions/lockscope.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "lockscope", &mut buf);
        check_or_bless(file, &buf);
    }
}

#[test]
fn man_page_is_current() {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .unwrap();
    check_or_bless("completions/lockscope.1", &buf);
}
