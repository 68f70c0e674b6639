//! Snapshots of `analyze --schema`: records named and decoded by column, and the findings
//! phrasing keys by name. Review with `cargo insta review`; CI never rewrites them.

mod common;

use common::lockscope;

/// (fixture, schema files).
const CASES: &[(&str, &[&str])] = &[
    (
        "fixtures/seeds/seed-002-delete-then-insert-session-endpoint.txt",
        &["fixtures/schemas/seed-002-session.sql"],
    ),
    (
        "fixtures/mariadb/delete-then-insert.status.txt",
        &["fixtures/schemas/mariadb-delete-then-insert.sql"],
    ),
    (
        "fixtures/mariadb/inconsistent-ordering.status.txt",
        &[
            "fixtures/schemas/mariadb-accounts.sql",
            "fixtures/schemas/mariadb-jobs.sql",
        ],
    ),
];

fn run(args: &[&str]) -> (String, String, i32) {
    lockscope(args, &[])
}

fn args<'a>(format: &'a str, fixture: &'a str, schemas: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["analyze", "--format", format];
    for s in schemas {
        args.extend(["--schema", s]);
    }
    args.push(fixture);
    args
}

fn name(path: &str) -> String {
    let stem = path
        .trim_start_matches("fixtures/")
        .trim_end_matches(".txt");
    stem.replace(['/', '.'], "__")
}

#[test]
fn text_with_schema() {
    for (fixture, schemas) in CASES {
        let (stdout, stderr, code) = run(&args("text", fixture, schemas));
        assert_eq!(code, 0, "{fixture}: {stderr}");
        insta::assert_snapshot!(
            format!("text__{}", name(fixture)),
            format!("{stdout}\n--- stderr\n{stderr}")
        );
    }
}

#[test]
fn json_with_schema() {
    for (fixture, schemas) in CASES {
        let (stdout, stderr, code) = run(&args("json", fixture, schemas));
        assert_eq!(code, 0, "{fixture}: {stderr}");
        let doc: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
        insta::assert_json_snapshot!(format!("json__{}", name(fixture)), doc);
    }
}

/// Every schema under fixtures/schemas/ loads without a warning, and names the tables of the
/// MariaDB captures.
#[test]
fn bundled_schemas_load() {
    for entry in std::fs::read_dir("fixtures/schemas").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (schema, warnings) = lockscope::schema::Schema::parse_sql(&text);
        assert!(warnings.is_empty(), "{}: {warnings:?}", path.display());
        assert!(!schema.is_empty(), "{}: no table", path.display());
    }
}

#[test]
fn missing_schema_file_is_exit_2() {
    let (_, stderr, code) = run(&[
        "analyze",
        "--schema",
        "fixtures/schemas/none.sql",
        "fixtures/mariadb/inconsistent-ordering.status.txt",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: cannot read `fixtures/schemas/none.sql`"),
        "{stderr}"
    );
}
