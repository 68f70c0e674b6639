//! The only database lab ever writes to: created by lab, marked with a `_lockscope_lab` table
//! holding this run's token, dropped at the end unless `--keep`. A database that exists without
//! the marker belongs to someone else and is refused; the drop checks the token first, so a
//! run never drops a database another run recreated.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mysql_async::prelude::Queryable;
use mysql_async::Conn;

use super::scenarios::Scenario;
use crate::error::Error;
use crate::live::server::ServerInfo;
use crate::live::{self, Dsn};

/// The marker table's name.
pub const MARKER: &str = "_lockscope_lab";

/// The server named by `--dsn`: how to connect, and how to name it without its password.
#[derive(Clone)]
pub struct Server {
    dsn: Dsn,
    /// The DSN with the password as `****`.
    pub label: String,
}

impl Server {
    /// Reads `--dsn` (live mode's `Dsn`: TLS, socket and all). Its database, if any, is not
    /// used: lab works in its own.
    pub fn parse(url: &str) -> Result<Server, Error> {
        let mut dsn = Dsn::parse(url).map_err(|reason| Error::BadConnectionSetting {
            origin: "`--dsn`".to_string(),
            reason,
        })?;
        dsn.database = None;
        let label = dsn.to_string();
        Ok(Server { dsn, label })
    }

    /// A new session, in `database` when given, with the lab's session settings: a bounded
    /// lock wait and REPEATABLE READ (the isolation level every scenario's locks assume).
    pub async fn connect(
        &self,
        database: Option<&str>,
        lock_wait_timeout: Duration,
    ) -> Result<Conn, Error> {
        Ok(self.connect_described(database, lock_wait_timeout).await?.0)
    }

    /// [`Server::connect`], with what the server is (version, lock tables).
    pub async fn connect_described(
        &self,
        database: Option<&str>,
        lock_wait_timeout: Duration,
    ) -> Result<(Conn, ServerInfo), Error> {
        let server = live::server::Server::connect(&self.dsn, live::server::Timeouts::default())
            .await
            .map_err(|reason| Error::ServerUnreachable {
                dsn: self.label.clone(),
                reason,
            })?;
        let info = server.info;
        let mut conn = server.conn;
        let secs = lock_wait_timeout.as_secs().max(1);
        let mut setup = vec![
            format!("SET SESSION innodb_lock_wait_timeout = {secs}"),
            format!("SET SESSION lock_wait_timeout = {secs}"),
            "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ".to_string(),
        ];
        setup.extend(database.map(|d| format!("USE `{d}`")));
        for statement in setup {
            conn.query_drop(&statement)
                .await
                .map_err(|e| self.refused("setting up a session", &e))?;
        }
        Ok((conn, info))
    }

    /// The error for a statement the server refused while lab was `doing` something.
    pub fn refused(&self, doing: &str, source: &mysql_async::Error) -> Error {
        Error::ServerRefused {
            dsn: self.label.clone(),
            reason: format!("{doing}: {}", live::server::driver_reason(source)),
        }
    }
}

/// The scratch database of this run.
pub struct Scratch {
    pub name: String,
    token: String,
    server: Server,
}

impl Scratch {
    /// Creates `name` with its marker, or takes over a database an earlier lab run left (it
    /// has the marker); refuses any other existing database.
    pub async fn create(
        admin: &mut Conn,
        server: &Server,
        name: &str,
        scenario: &str,
    ) -> Result<Scratch, Error> {
        let sql = |what: &str| {
            let what = format!("{what} `{name}`");
            move |source: mysql_async::Error| server.refused(&what, &source)
        };
        let exists: Option<String> = admin
            .exec_first(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                (name,),
            )
            .await
            .map_err(sql("looking for the database"))?;
        if exists.is_some() {
            let marked: Option<String> = admin
                .exec_first(
                    "SELECT TABLE_NAME FROM information_schema.TABLES \
                     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                    (name, MARKER),
                )
                .await
                .map_err(sql("looking for the lab marker in"))?;
            if marked.is_none() {
                return Err(Error::LabForeignDatabase {
                    database: name.to_string(),
                });
            }
            // Left by an earlier run (`--keep`, or interrupted): lab's own, start afresh.
            admin
                .query_drop(format!("DROP DATABASE `{name}`"))
                .await
                .map_err(sql("dropping the earlier lab database"))?;
        }
        let token = token();
        admin
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .await
            .map_err(sql("creating the scratch database"))?;
        admin
            .query_drop(format!(
                "CREATE TABLE `{name}`.`{MARKER}` (token VARCHAR(64) NOT NULL, \
                 scenario VARCHAR(64) NOT NULL, created DATETIME NOT NULL) ENGINE=InnoDB"
            ))
            .await
            .map_err(sql("marking"))?;
        admin
            .exec_drop(
                format!("INSERT INTO `{name}`.`{MARKER}` VALUES (?, ?, NOW())"),
                (&token, scenario),
            )
            .await
            .map_err(sql("marking"))?;
        Ok(Scratch {
            name: name.to_string(),
            token,
            server: server.clone(),
        })
    }

    /// Drops every table but the marker and loads the scenario's schema and seed data, so each
    /// path starts from the same rows.
    pub async fn load(&self, admin: &mut Conn, scenario: &Scenario) -> Result<(), Error> {
        let what = format!("the `{}` schema", scenario.id);
        self.load_statements(admin, &what, scenario.schema.iter().copied())
            .await
    }

    /// Drops every table but the marker and runs `schema` (what `what` names, for errors).
    pub async fn load_statements<'s>(
        &self,
        admin: &mut Conn,
        what: &str,
        schema: impl Iterator<Item = &'s str>,
    ) -> Result<(), Error> {
        let name = &self.name;
        self.check(admin).await?;
        let tables: Vec<String> = admin
            .exec(
                "SELECT TABLE_NAME FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?",
                (name, MARKER),
            )
            .await
            .map_err(|e| {
                self.server
                    .refused(&format!("listing the tables of `{name}`"), &e)
            })?;
        let mut statements = vec!["SET SESSION foreign_key_checks = 0".to_string()];
        statements.extend(
            tables
                .iter()
                .map(|t| format!("DROP TABLE `{name}`.`{}`", t.replace('`', "``"))),
        );
        statements.push("SET SESSION foreign_key_checks = 1".to_string());
        statements.push(format!("USE `{name}`"));
        statements.extend(schema.map(str::to_string));
        for statement in statements {
            admin.query_drop(&statement).await.map_err(|e| {
                let doing = format!("loading {what} into `{name}`");
                self.server.refused(&doing, &e)
            })?;
        }
        Ok(())
    }

    /// Fails unless the marker still holds this run's token.
    async fn check(&self, admin: &mut Conn) -> Result<(), Error> {
        let token: Option<String> = admin
            .query_first(format!("SELECT token FROM `{}`.`{MARKER}`", self.name))
            .await
            .ok()
            .flatten();
        if token.as_deref() == Some(self.token.as_str()) {
            Ok(())
        } else {
            Err(Error::LabForeignDatabase {
                database: self.name.clone(),
            })
        }
    }

    /// Drops the database, if it is still this run's.
    pub async fn drop(self, admin: &mut Conn) -> Result<(), Error> {
        self.check(admin).await?;
        admin
            .query_drop(format!("DROP DATABASE `{}`", self.name))
            .await
            .map_err(|e| {
                let doing = format!("dropping the scratch database `{}`", self.name);
                self.server.refused(&doing, &e)
            })
    }
}

/// A token unique to this run: time and process id.
fn token() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_never_shows_the_password() {
        let server = Server::parse("mysql://app:s3cret@db1:3307/shop").unwrap();
        assert_eq!(server.label, "mysql://app:****@db1:3307");
        assert!(!server.label.contains("s3cret"));
    }

    #[test]
    fn bad_urls_are_explained_without_quoting_them() {
        for dsn in [
            "postgres://u:s3cret@h",
            "s3cret",
            "mysql://u:s3cret@h?bogus=1",
        ] {
            let e = Server::parse(dsn).err().expect(dsn).to_string();
            assert!(!e.contains("s3cret"), "{e}");
            assert!(!e.ends_with('.'), "{e}");
        }
    }
}
