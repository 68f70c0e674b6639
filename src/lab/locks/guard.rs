//! What `lab locks` lets through to the server. Its statements come from the user (`--schema`,
//! `--rows`, `-e`), and lab writes only in its own scratch database, so each statement is
//! parsed (sqlparser, MySQL dialect) before it is sent, and refused unless it is one of the
//! kinds below and names no table or function of another database. A statement the parser
//! cannot read is refused too: lab never sends what it could not check.

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions, visit_relations, Expr, ObjectName, Statement as Ast};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

use crate::schema::split_statements;

/// Where statements come from, which decides what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `--schema` and `--rows`: tables and their rows, run before each transaction.
    Setup,
    /// `-e`: the statements whose locks are read, inside lab's own transaction.
    Transaction,
}

/// One statement that may be sent, and the line it starts on in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vetted {
    pub line: usize,
    pub text: String,
}

/// Splits `sql` (from `origin`: a file name or `-e`) into statements and checks each one; the
/// error names the first statement refused, by line, and why.
pub fn vet(sql: &str, origin: &str, database: &str, role: Role) -> Result<Vec<Vetted>, String> {
    let mut out = Vec::new();
    for statement in split_statements(sql) {
        let text = statement.text.trim().to_string();
        if let Err(why) = check(&text, database, role) {
            return Err(format!(
                "{origin}, line {}: `{}` refused: {why}",
                statement.line,
                first_words(&text)
            ));
        }
        out.push(Vetted {
            line: statement.line,
            text,
        });
    }
    Ok(out)
}

fn first_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(6).collect();
    let mut s = words.join(" ");
    if text.split_whitespace().count() > 6 {
        s.push_str(" …");
    }
    s
}

fn check(text: &str, database: &str, role: Role) -> Result<(), String> {
    let upper = text.to_ascii_uppercase();
    if upper.contains("OUTFILE") || upper.contains("DUMPFILE") {
        return Err("lab writes no files".to_string());
    }
    let ast = Parser::parse_sql(&MySqlDialect {}, &for_the_parser(text))
        .map_err(|e| format!("lab cannot read it to check it stays in its database ({e})"))?;
    for statement in &ast {
        kind_allowed(statement, &upper, role)?;
        stays_in(statement, database)?;
    }
    Ok(())
}

/// `LOCK IN SHARE MODE` (MySQL 5.x, MariaDB) is `FOR SHARE` to the parser, which knows only
/// the newer spelling; the server still gets the text as written.
fn for_the_parser(text: &str) -> String {
    let trimmed = text.trim_end().trim_end_matches(';').trim_end();
    let tail = "LOCK IN SHARE MODE";
    match trimmed.len().checked_sub(tail.len()) {
        Some(at)
            if trimmed
                .get(at..)
                .is_some_and(|t| t.eq_ignore_ascii_case(tail)) =>
        {
            format!("{} FOR SHARE", trimmed.get(..at).unwrap_or(""))
        }
        _ => text.to_string(),
    }
}

fn kind_allowed(statement: &Ast, upper: &str, role: Role) -> Result<(), String> {
    let data = matches!(
        statement,
        Ast::Query(_) | Ast::Insert(_) | Ast::Update(_) | Ast::Delete(_)
    );
    let ddl = matches!(
        statement,
        Ast::CreateTable(_) | Ast::CreateIndex(_) | Ast::AlterTable(_) | Ast::Truncate(_)
    );
    let session_set =
        matches!(statement, Ast::Set(_)) && !upper.contains("GLOBAL") && !upper.contains("PERSIST");
    let ok = match role {
        Role::Setup => data || ddl || session_set,
        Role::Transaction => data || session_set,
    };
    if ok {
        return Ok(());
    }
    Err(match role {
        Role::Setup => "the schema and rows files may hold CREATE TABLE / INDEX, ALTER TABLE, \
                        TRUNCATE, INSERT, UPDATE, DELETE, SELECT and session SET"
            .to_string(),
        Role::Transaction => "`-e` takes SELECT, INSERT, UPDATE, DELETE and session SET; lab \
                              begins and rolls back the transaction itself"
            .to_string(),
    })
}

/// No table or function of another database.
fn stays_in(statement: &Ast, database: &str) -> Result<(), String> {
    let foreign = |name: &ObjectName| {
        let parts = &name.0;
        let qualifier = parts.len().checked_sub(2).and_then(|i| parts.get(i));
        match qualifier.map(ToString::to_string) {
            Some(db) if !db.trim_matches('`').eq_ignore_ascii_case(database) => {
                ControlFlow::Break(name.to_string())
            }
            _ => ControlFlow::Continue(()),
        }
    };
    if let ControlFlow::Break(name) = visit_relations(statement, foreign) {
        return Err(format!(
            "`{name}` is outside the scratch database `{database}`"
        ));
    }
    let function = visit_expressions(statement, |e| match e {
        Expr::Function(f) => foreign(&f.name),
        _ => ControlFlow::Continue(()),
    });
    if let ControlFlow::Break(name) = function {
        return Err(format!(
            "the function `{name}` is outside the scratch database `{database}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str, role: Role) -> bool {
        vet(sql, "-e", "lockscope_lab", role).is_ok()
    }

    #[test]
    fn the_statements_a_lock_explain_needs_pass() {
        for sql in [
            "SELECT * FROM orders WHERE id = 15 FOR UPDATE",
            "SELECT * FROM orders WHERE id = 15 LOCK IN SHARE MODE",
            "select * from orders where id = 15 lock in share mode;",
            "SELECT * FROM orders WHERE id = 15 FOR SHARE",
            "SELECT * FROM orders o JOIN items i ON i.order_id = o.id WHERE o.id = 3 FOR UPDATE",
            "INSERT INTO orders VALUES (15, 42, 'x')",
            "INSERT IGNORE INTO orders VALUES (15, 42, 'x')",
            "INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = VALUES(b)",
            "REPLACE INTO orders VALUES (15, 42, 'x')",
            "UPDATE orders SET note = 'y' WHERE customer_id = 42 ORDER BY id LIMIT 1",
            "DELETE FROM orders WHERE id IN (SELECT id FROM old_orders)",
            "DELETE FROM lockscope_lab.orders WHERE id = 1",
            "SET SESSION foreign_key_checks = 0",
            "SELECT * FROM orders WHERE id > 5 FOR UPDATE SKIP LOCKED",
        ] {
            assert!(
                ok(sql, Role::Transaction),
                "{sql}: {:?}",
                vet(sql, "-e", "lockscope_lab", Role::Transaction)
            );
        }
        let schema = "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT,\n  KEY idx (customer_id)) ENGINE=InnoDB;\n\
                      CREATE INDEX idx_note ON orders (note);\nALTER TABLE orders ADD COLUMN z INT;\n\
                      INSERT INTO orders VALUES (1, 2), (3, 4);";
        assert_eq!(
            vet(schema, "s.sql", "lockscope_lab", Role::Setup)
                .unwrap()
                .len(),
            4
        );
    }

    #[test]
    fn anything_that_could_leave_the_scratch_database_is_refused() {
        for (sql, role) in [
            ("DELETE FROM shop.orders WHERE id = 1", Role::Transaction),
            (
                "SELECT * FROM orders o JOIN mysql.user u ON 1 = 1",
                Role::Transaction,
            ),
            (
                "INSERT INTO orders SELECT * FROM shop.orders",
                Role::Transaction,
            ),
            ("SELECT shop.wipe()", Role::Transaction),
            ("DROP DATABASE shop", Role::Setup),
            ("USE shop", Role::Setup),
            ("CREATE TABLE shop.t (id INT)", Role::Setup),
            ("SET GLOBAL innodb_lock_wait_timeout = 1", Role::Transaction),
            ("COMMIT", Role::Transaction),
            ("START TRANSACTION", Role::Transaction),
            ("CREATE TABLE t (id INT)", Role::Transaction),
            (
                "SELECT * FROM orders INTO OUTFILE '/tmp/x'",
                Role::Transaction,
            ),
            ("CALL shop.proc()", Role::Transaction),
            ("GRANT ALL ON *.* TO x", Role::Setup),
            ("this is not sql", Role::Transaction),
        ] {
            assert!(!ok(sql, role), "{sql} passed");
        }
        let e = vet(
            "SELECT 1;\nDELETE FROM shop.orders",
            "rows.sql",
            "lockscope_lab",
            Role::Setup,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "rows.sql, line 2: `DELETE FROM shop.orders` refused: `shop.orders` is outside the \
             scratch database `lockscope_lab`"
        );
    }
}
