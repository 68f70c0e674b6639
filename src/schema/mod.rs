//! Table definitions read from `CREATE TABLE` statements (`SHOW CREATE TABLE` output, a
//! `mysqldump --no-data` file): what the record decoder needs to name and decode the fields of an
//! index record (column types, charsets, the primary key, each index's columns).
//!
//! Statements are parsed with `sqlparser` (MySQL dialect), one at a time, so one statement it
//! cannot read costs only that table: it becomes a warning naming its line.

mod column_type;
mod statements;

use std::collections::BTreeMap;

use serde::Serialize;
use sqlparser::ast::{
    ColumnOption, CreateTable, DataType, EnumMember, Expr, Statement as Ast, TableConstraint,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

pub use column_type::ColumnType;
pub use statements::split as split_statements;

use crate::model::TableName;

/// Every table read, by `schema.table` (or `table` when the file never said which database).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub name: String,
    pub columns: Vec<Column>,
    /// Primary-key column names in key order; empty when the table has none.
    pub primary_key: Vec<String>,
    pub indexes: Vec<Index>,
    /// `DEFAULT CHARSET=…` of the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    #[serde(flatten)]
    pub ty: ColumnType,
    pub unsigned: bool,
    /// `CHARACTER SET` of the column, else the table's (utf8mb4 when neither says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    pub nullable: bool,
    /// ENUM / SET members in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// A `VIRTUAL` generated column: not stored in the clustered index.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub virtual_generated: bool,
}

/// One secondary (or unique) index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: String,
    pub columns: Vec<IndexPart>,
    pub unique: bool,
}

/// A column of an index, with its prefix length (`KEY k (name(10))`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexPart {
    pub column: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<u32>,
}

/// A statement that could not be read: its line in the schema text and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaWarning {
    pub line: usize,
    pub message: String,
}

impl Schema {
    /// Reads every `CREATE TABLE` in `sql`; `USE db` statements set the database of the tables
    /// after them. Other statements (`SET`, `DROP TABLE`, `INSERT`, …) are skipped; a
    /// `CREATE TABLE` sqlparser cannot read is a warning, and the rest still loads.
    pub fn parse_sql(sql: &str) -> (Schema, Vec<SchemaWarning>) {
        let mut schema = Schema::default();
        let warnings = schema.add_sql(sql, None);
        (schema, warnings)
    }

    /// [`Schema::parse_sql`] into an existing schema, with the database to assume (`--dsn`
    /// fetching `SHOW CREATE TABLE` for `db.t` passes `Some("db")`).
    pub fn add_sql(&mut self, sql: &str, database: Option<&str>) -> Vec<SchemaWarning> {
        let mut warnings = Vec::new();
        let mut database = database.map(str::to_string);
        for stmt in statements::split(sql) {
            let text = stmt.text.trim();
            if let Some(db) = statements::strip_word(text, "USE") {
                database = Some(unquote(db.trim()).to_string());
                continue;
            }
            let Some(at) = create_table_at(text) else {
                continue;
            };
            match parse_create_table(text.get(at..).unwrap_or(text)) {
                Ok(mut table) => {
                    if table.schema.is_none() {
                        table.schema.clone_from(&database);
                    }
                    self.tables.insert(table.key(), table);
                }
                Err(message) => warnings.push(SchemaWarning {
                    line: stmt.line,
                    message: format!("cannot read this `CREATE TABLE`: {message}"),
                }),
            }
        }
        warnings
    }

    /// The definition of a locked table: by `schema.table`, else by the bare name when only
    /// one side names a database (a report without schema, a dump without `USE`).
    pub fn table(&self, name: &TableName) -> Option<&Table> {
        if let Some(db) = &name.schema {
            if let Some(t) = self.tables.get(&format!("{db}.{}", name.table)) {
                return Some(t);
            }
        }
        if let Some(t) = self.tables.get(name.table.as_str()) {
            return Some(t);
        }
        let mut same_name = self
            .tables
            .values()
            .filter(|t| t.name.eq_ignore_ascii_case(&name.table))
            .filter(|t| match (&t.schema, &name.schema) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            });
        let first = same_name.next()?;
        same_name.next().is_none().then_some(first)
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

impl Table {
    fn key(&self) -> String {
        match &self.schema {
            Some(db) => format!("{db}.{}", self.name),
            None => self.name.clone(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The index that InnoDB clusters the rows by when there is no primary key: the first
    /// UNIQUE index whose columns are all NOT NULL (none: `GEN_CLUST_INDEX`).
    pub fn implicit_clustered(&self) -> Option<&Index> {
        if !self.primary_key.is_empty() {
            return None;
        }
        self.indexes.iter().find(|i| {
            i.unique
                && i.columns.iter().all(|p| {
                    p.prefix.is_none() && self.column(&p.column).is_some_and(|c| !c.nullable)
                })
        })
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
    }
}

/// Where `CREATE [TEMPORARY] TABLE` starts in a statement, if it is one.
fn create_table_at(text: &str) -> Option<usize> {
    let words: Vec<(usize, &str)> = text
        .split_whitespace()
        .take(3)
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect();
    match words.as_slice() {
        [(at, c), (_, t), ..]
            if c.eq_ignore_ascii_case("CREATE") && t.eq_ignore_ascii_case("TABLE") =>
        {
            Some(*at)
        }
        [(at, c), (_, tmp), (_, t)]
            if c.eq_ignore_ascii_case("CREATE")
                && tmp.eq_ignore_ascii_case("TEMPORARY")
                && t.eq_ignore_ascii_case("TABLE") =>
        {
            Some(*at)
        }
        _ => None,
    }
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '`' || c == '"')
}

fn parse_create_table(sql: &str) -> Result<Table, String> {
    let statements =
        Parser::parse_sql(&MySqlDialect {}, sql).map_err(|e| e.to_string().to_lowercase())?;
    match statements.into_iter().next() {
        Some(Ast::CreateTable(create)) => Ok(table_of(&create, sql)),
        _ => Err("not a `CREATE TABLE` statement".to_string()),
    }
}

fn table_of(create: &CreateTable, sql: &str) -> Table {
    let parts: Vec<String> = create
        .name
        .0
        .iter()
        .map(|p| match p.as_ident() {
            Some(ident) => ident.value.clone(),
            None => p.to_string(),
        })
        .collect();
    let (schema, name) = match parts.as_slice() {
        [.., db, t] => (Some(db.clone()), t.clone()),
        [t] => (None, t.clone()),
        [] => (None, String::new()),
    };
    let charset = table_charset(&create.table_options.to_string())
        .or_else(|| table_charset(sql.rsplit(')').next().unwrap_or("")));
    let mut primary_key = Vec::new();
    let mut indexes = Vec::new();
    let mut columns = Vec::new();
    for def in &create.columns {
        let printed = def.data_type.to_string();
        let (ty, unsigned) = ColumnType::parse(&printed);
        let mut column = Column {
            name: def.name.value.clone(),
            ty,
            unsigned,
            charset: None,
            collation: None,
            nullable: true,
            values: members(&def.data_type),
            virtual_generated: false,
        };
        for opt in &def.options {
            match &opt.option {
                ColumnOption::NotNull => column.nullable = false,
                ColumnOption::CharacterSet(cs) => column.charset = Some(cs.to_string()),
                ColumnOption::Collation(c) => column.collation = Some(c.to_string()),
                ColumnOption::PrimaryKey(_) => {
                    column.nullable = false;
                    primary_key.push(column.name.clone());
                }
                ColumnOption::Unique(_) => indexes.push(Index {
                    name: column.name.clone(),
                    columns: vec![IndexPart {
                        column: column.name.clone(),
                        prefix: None,
                    }],
                    unique: true,
                }),
                ColumnOption::Generated { .. } => {
                    let printed = opt.option.to_string().to_ascii_uppercase();
                    column.virtual_generated =
                        !printed.contains("STORED") && !printed.contains("PERSISTENT");
                }
                _ => {}
            }
        }
        // `CHARACTER SET` can also be printed as part of the type.
        let upper = printed.to_ascii_uppercase();
        if column.charset.is_none() {
            column.charset = word_after(&printed, &upper, "CHARACTER SET")
                .or_else(|| word_after(&printed, &upper, "CHARSET"));
        }
        if column.collation.is_none() {
            column.collation = word_after(&printed, &upper, "COLLATE");
        }
        if column.charset.is_none() {
            column.charset = column
                .collation
                .as_deref()
                .and_then(|c| c.split('_').next())
                .map(str::to_string)
                .or_else(|| charset.clone());
        }
        columns.push(column);
    }
    for constraint in &create.constraints {
        match constraint {
            TableConstraint::PrimaryKey(pk) => {
                primary_key = pk
                    .columns
                    .iter()
                    .map(|c| part(&c.column.expr).column)
                    .collect();
            }
            TableConstraint::Unique(u) => indexes.push(Index {
                name: u
                    .index_name
                    .as_ref()
                    .or(u.name.as_ref())
                    .map(|n| n.value.clone())
                    .unwrap_or_else(|| first_column_name(&u.columns)),
                columns: u.columns.iter().map(|c| part(&c.column.expr)).collect(),
                unique: true,
            }),
            TableConstraint::Index(i) => indexes.push(Index {
                name: i
                    .name
                    .as_ref()
                    .map(|n| n.value.clone())
                    .unwrap_or_else(|| first_column_name(&i.columns)),
                columns: i.columns.iter().map(|c| part(&c.column.expr)).collect(),
                unique: false,
            }),
            TableConstraint::ForeignKey(fk) => {
                // InnoDB creates an index for a foreign key that has none, named after the
                // constraint.
                let cols: Vec<String> = fk.columns.iter().map(|c| c.value.clone()).collect();
                let covered = indexes
                    .iter()
                    .any(|i: &Index| i.columns.first().map(|p| &p.column) == cols.first());
                if !covered && !cols.is_empty() {
                    indexes.push(Index {
                        name: fk
                            .index_name
                            .as_ref()
                            .or(fk.name.as_ref())
                            .map_or_else(|| cols.join("_"), |n| n.value.clone()),
                        columns: cols
                            .into_iter()
                            .map(|column| IndexPart {
                                column,
                                prefix: None,
                            })
                            .collect(),
                        unique: false,
                    });
                }
            }
            _ => {}
        }
    }
    for c in &mut columns {
        if primary_key.iter().any(|k| k.eq_ignore_ascii_case(&c.name)) {
            c.nullable = false;
        }
    }
    Table {
        schema,
        name,
        columns,
        primary_key,
        indexes,
        charset,
    }
}

fn members(ty: &DataType) -> Vec<String> {
    match ty {
        DataType::Enum(values, _) => values
            .iter()
            .map(|m| match m {
                EnumMember::Name(n) | EnumMember::NamedValue(n, _) => n.clone(),
            })
            .collect(),
        DataType::Set(values) => values.clone(),
        _ => Vec::new(),
    }
}

/// `name` or `name(10)` in an index's column list.
fn part(expr: &Expr) -> IndexPart {
    if let Expr::Identifier(ident) = expr {
        return IndexPart {
            column: ident.value.clone(),
            prefix: None,
        };
    }
    let printed = expr.to_string();
    let (name, prefix) = match printed.split_once('(') {
        Some((name, rest)) => (name, rest.trim_end_matches(')').trim().parse().ok()),
        None => (printed.as_str(), None),
    };
    IndexPart {
        column: unquote(name.trim()).to_string(),
        prefix,
    }
}

fn first_column_name(columns: &[sqlparser::ast::IndexColumn]) -> String {
    columns
        .first()
        .map(|c| part(&c.column.expr).column)
        .unwrap_or_default()
}

/// `DEFAULT CHARSET=utf8mb4`, `CHARACTER SET = latin1` in the table options.
fn table_charset(options: &str) -> Option<String> {
    let upper = options.to_ascii_uppercase();
    word_after(options, &upper, "CHARSET").or_else(|| word_after(options, &upper, "CHARACTER SET"))
}

/// The word after `key` (and an optional `=`), in the original case.
fn word_after(text: &str, upper: &str, key: &str) -> Option<String> {
    let at = upper.find(key)? + key.len();
    let rest = text.get(at..)?.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

#[cfg(test)]
mod tests;
