//! One connection to one server: connecting (with TLS per `--ssl-mode` and a time-out), what the
//! server is (flavour, version, which lock tables it has), and the errors of talking to it,
//! worded without the password.

use std::fmt;
use std::time::Duration;

use mysql_async::{Conn, OptsBuilder, SslOpts};

use super::dsn::{Dsn, SslMode};
use super::queries::{self, Statement};

/// Connect and statement time-outs (`--connect-timeout`, `--query-timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub query: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            query: Duration::from_secs(30),
        }
    }
}

/// Which server software.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    MySql,
    MariaDb,
    Percona,
}

/// What the server told us about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub flavour: Flavour,
    /// `VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.0.36`.
    pub version: String,
    /// `@@version_comment`, e.g. `Debian 12` or `MySQL Community Server - GPL`.
    pub comment: String,
    /// `(major, minor, patch)` read from `version`.
    pub number: (u16, u16, u16),
    /// Lock tables present, as `schema.table` in lower case.
    pub lock_tables: Vec<String>,
}

impl ServerInfo {
    pub fn from_version(version: &str, comment: &str, lock_tables: Vec<String>) -> ServerInfo {
        let flavour = if version.to_ascii_lowercase().contains("mariadb") {
            Flavour::MariaDb
        } else if comment.to_ascii_lowercase().contains("percona") {
            Flavour::Percona
        } else {
            Flavour::MySql
        };
        let mut parts = version
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse::<u16>().unwrap_or(0));
        let number = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        ServerInfo {
            flavour,
            version: version.to_string(),
            comment: comment.to_string(),
            number,
            lock_tables,
        }
    }

    pub fn has(&self, table: &str) -> bool {
        self.lock_tables.iter().any(|t| t == table)
    }
}

/// `MariaDB 10.11.19 (Debian 12)`.
impl fmt::Display for ServerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.flavour {
            Flavour::MySql => "MySQL",
            Flavour::MariaDb => "MariaDB",
            Flavour::Percona => "Percona Server",
        };
        let (major, minor, patch) = self.number;
        write!(f, "{name} {major}.{minor}.{patch}")?;
        if !self.comment.is_empty() {
            write!(f, " ({})", self.comment)?;
        }
        Ok(())
    }
}

/// Why a statement failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The server refused for lack of a privilege.
    Privilege {
        statement: &'static str,
        privilege: &'static str,
    },
    /// The connection is gone (killed, server restarted, network): reconnect.
    Lost {
        statement: &'static str,
        reason: String,
    },
    /// No answer within `--query-timeout`; the connection is dropped.
    TimedOut {
        statement: &'static str,
        after: Duration,
    },
    /// Any other server error; the connection is still usable.
    Failed {
        statement: &'static str,
        reason: String,
    },
}

/// Server errors that mean "this connection is over".
const LOST_CODES: &[u16] = &[
    1053, // ER_SERVER_SHUTDOWN
    1927, // ER_CONNECTION_KILLED (MariaDB)
    2006, // CR_SERVER_GONE_ERROR
    2013, // CR_SERVER_LOST
    4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+)
];

/// Server errors that mean "you lack a privilege".
const PRIVILEGE_CODES: &[u16] = &[
    1044, // ER_DBACCESS_DENIED_ERROR
    1142, // ER_TABLEACCESS_DENIED_ERROR
    1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
];

impl QueryError {
    pub fn timed_out(statement: &'static Statement, after: Duration) -> QueryError {
        QueryError::TimedOut {
            statement: statement.sql(),
            after,
        }
    }

    pub fn from_driver(statement: &'static Statement, error: mysql_async::Error) -> QueryError {
        let sql = statement.sql();
        match &error {
            mysql_async::Error::Server(e) if PRIVILEGE_CODES.contains(&e.code) => {
                QueryError::Privilege {
                    statement: sql,
                    privilege: statement.privilege(),
                }
            }
            mysql_async::Error::Server(e) if !LOST_CODES.contains(&e.code) => QueryError::Failed {
                statement: sql,
                reason: driver_reason(&error),
            },
            _ => QueryError::Lost {
                statement: sql,
                reason: driver_reason(&error),
            },
        }
    }

    /// The connection cannot be used again.
    pub fn is_fatal(&self) -> bool {
        matches!(self, QueryError::Lost { .. } | QueryError::TimedOut { .. })
    }

    /// The first words of the statement, for messages.
    pub fn statement(&self) -> &'static str {
        match self {
            QueryError::Privilege { statement, .. }
            | QueryError::Lost { statement, .. }
            | QueryError::TimedOut { statement, .. }
            | QueryError::Failed { statement, .. } => statement,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Privilege {
                statement,
                privilege,
            } => write!(
                f,
                "`{}` needs the `{privilege}` privilege, which this user lacks",
                short(statement)
            ),
            QueryError::Lost { statement, reason } => {
                write!(f, "connection lost during `{}`: {reason}", short(statement))
            }
            QueryError::TimedOut { statement, after } => write!(
                f,
                "`{}` gave no answer within {}",
                short(statement),
                super::duration::format_duration(*after)
            ),
            QueryError::Failed { statement, reason } => {
                write!(f, "`{}` failed: {reason}", short(statement))
            }
        }
    }
}

/// `SELECT * FROM information_schema.INNODB_TRX`, or the first words of a long statement.
fn short(statement: &str) -> String {
    let words: Vec<&str> = statement.split_whitespace().collect();
    if words.len() <= 6 {
        words.join(" ")
    } else {
        format!("{} …", words[..4].join(" "))
    }
}

/// A driver error in one lowercase line: the server's own message with its code, or the IO
/// error. The driver's texts never hold the password.
pub fn driver_reason(error: &mysql_async::Error) -> String {
    let text = match error {
        mysql_async::Error::Server(e) => format!("{} (error {})", e.message, e.code),
        mysql_async::Error::Io(mysql_async::IoError::Io(e)) => e.to_string(),
        mysql_async::Error::Io(e) => e.to_string(),
        mysql_async::Error::Driver(e) => e.to_string(),
        mysql_async::Error::Other(e) => e.to_string(),
        mysql_async::Error::Url(e) => e.to_string(),
    };
    lowercase_first(text.trim_end_matches('.'))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms (`TLS error`) and quoted names as they are.
        Some(c) if chars.clone().next().is_some_and(|n| n.is_lowercase()) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

/// A live connection and what it is connected to.
pub struct Server {
    pub conn: Conn,
    pub info: ServerInfo,
    pub timeouts: Timeouts,
}

impl Server {
    /// Connects and finds out what the server is. The error is one line, without the password.
    pub async fn connect(dsn: &Dsn, timeouts: Timeouts) -> Result<Server, String> {
        let mut conn = connect_conn(dsn, timeouts).await?;
        let info = match describe(&mut conn, timeouts.query).await {
            Ok(info) => info,
            Err(e) => {
                let _ = conn.disconnect().await;
                return Err(e.to_string());
            }
        };
        Ok(Server {
            conn,
            info,
            timeouts,
        })
    }

    /// The server's id for this connection (`CONNECTION_ID()`, the processlist `Id`).
    pub fn connection_id(&self) -> u32 {
        self.conn.id()
    }

    /// Closes the connection politely; errors do not matter any more.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.conn.disconnect()).await;
    }
}

async fn describe(conn: &mut Conn, timeout: Duration) -> Result<ServerInfo, QueryError> {
    let (version, comment) = queries::version(conn, timeout).await?;
    let tables = queries::lock_tables(conn, timeout).await?;
    Ok(ServerInfo::from_version(&version, &comment, tables))
}

/// Opens the connection, trying TLS first under `preferred` and falling back to a plain one
/// only when the server does not offer TLS at all (what the `mysql` client does).
async fn connect_conn(dsn: &Dsn, timeouts: Timeouts) -> Result<Conn, String> {
    let attempt = async {
        match dsn.effective_ssl_mode() {
            // A socket is local: the `mysql` client does not use TLS on it unless required.
            SslMode::Preferred if dsn.effective_socket().is_some() => {
                Conn::new(options(dsn, None)).await
            }
            SslMode::Preferred => match Conn::new(options(dsn, Some(lenient_tls()))).await {
                Err(mysql_async::Error::Driver(
                    mysql_async::DriverError::NoClientSslFlagFromServer,
                )) => Conn::new(options(dsn, None)).await,
                other => other,
            },
            SslMode::Disabled => Conn::new(options(dsn, None)).await,
            SslMode::Required => Conn::new(options(dsn, Some(lenient_tls()))).await,
            SslMode::VerifyCa => {
                Conn::new(options(
                    dsn,
                    Some(verifying_tls(dsn).with_danger_skip_domain_validation(true)),
                ))
                .await
            }
            SslMode::VerifyIdentity => Conn::new(options(dsn, Some(verifying_tls(dsn)))).await,
        }
    };
    match tokio::time::timeout(timeouts.connect, attempt).await {
        Err(_) => Err(format!(
            "no answer within {}",
            super::duration::format_duration(timeouts.connect)
        )),
        Ok(Err(mysql_async::Error::Driver(
            mysql_async::DriverError::NoClientSslFlagFromServer,
        ))) => Err(format!(
            "the server does not offer TLS, which `--ssl-mode {}` requires",
            dsn.effective_ssl_mode().as_str()
        )),
        Ok(Err(e)) => Err(driver_reason(&e)),
        Ok(Ok(conn)) => Ok(conn),
    }
}

/// TLS without checking the certificate: `required` (and `preferred`), as the `mysql` client.
fn lenient_tls() -> SslOpts {
    SslOpts::default()
        .with_danger_accept_invalid_certs(true)
        .with_danger_skip_domain_validation(true)
}

fn verifying_tls(dsn: &Dsn) -> SslOpts {
    let mut opts = SslOpts::default();
    if let Some(ca) = &dsn.ssl_ca {
        opts = opts
            .with_root_certs(vec![ca.clone().into()])
            .with_disable_built_in_roots(true);
    }
    opts
}

/// The driver's options. The socket is used only for `localhost`, as by the `mysql` client.
fn options(dsn: &Dsn, tls: Option<SslOpts>) -> OptsBuilder {
    let builder = OptsBuilder::default()
        .ip_or_hostname(dsn.host_or_default())
        .tcp_port(dsn.port_or_default())
        .user(dsn.user.clone())
        .pass(dsn.password.as_ref().map(|p| p.expose().to_string()))
        .db_name(dsn.database.clone())
        // Stay on the transport asked for: the driver would otherwise switch a loopback TCP
        // connection to the server's socket, out of the user's sight.
        .prefer_socket(false)
        .ssl_opts(tls);
    match dsn.effective_socket() {
        Some(socket) => builder.socket(Some(socket.display().to_string())),
        None => builder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions() {
        let cases = [
            (
                "10.11.19-MariaDB-0+deb12u1",
                "Debian 12",
                Flavour::MariaDb,
                (10, 11, 19),
            ),
            (
                "8.0.36",
                "MySQL Community Server - GPL",
                Flavour::MySql,
                (8, 0, 36),
            ),
            (
                "8.0.33-25",
                "Percona Server (GPL), Release 25, Revision 60c9e2c5",
                Flavour::Percona,
                (8, 0, 33),
            ),
            (
                "5.7.44-log",
                "MySQL Community Server (GPL)",
                Flavour::MySql,
                (5, 7, 44),
            ),
        ];
        for (version, comment, flavour, number) in cases {
            let info = ServerInfo::from_version(version, comment, vec![]);
            assert_eq!((info.flavour, info.number), (flavour, number), "{version}");
        }
        let info = ServerInfo::from_version("10.11.19-MariaDB-0+deb12u1", "Debian 12", vec![]);
        assert_eq!(info.to_string(), "MariaDB 10.11.19 (Debian 12)");
    }

    #[test]
    fn reasons_are_lowercase_lines() {
        let e = mysql_async::Error::Server(mysql_async::ServerError {
            code: 1045,
            message: "Access denied for user 'root'@'127.0.0.1' (using password: YES)".into(),
            state: "28000".into(),
        });
        assert_eq!(
            driver_reason(&e),
            "access denied for user 'root'@'127.0.0.1' (using password: YES) (error 1045)"
        );
    }

    #[test]
    fn privilege_errors_name_statement_and_privilege() {
        let e = mysql_async::Error::Server(mysql_async::ServerError {
            code: 1227,
            message: "Access denied; you need (at least one of) the PROCESS privilege(s) for this operation".into(),
            state: "42000".into(),
        });
        let statement = queries::STATEMENTS
            .iter()
            .find(|s| s.sql() == "SHOW ENGINE INNODB STATUS")
            .unwrap();
        let err = QueryError::from_driver(statement, e);
        assert_eq!(
            err.to_string(),
            "`SHOW ENGINE INNODB STATUS` needs the `PROCESS` privilege, which this user lacks"
        );
        assert!(!err.is_fatal());
    }
}
