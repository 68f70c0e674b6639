//! Where a server is and how to log in: the `Dsn`, parsed from
//! `mysql://user:pass@host:port/db?ssl-mode=…`. The password lives in a `Secret` whose `Debug`
//! and `Display` print `****`, so no `{:?}`, error, report or JSON can leak it (DESIGN:
//! "Passwords never appear in output or errors").

use std::fmt;
use std::path::PathBuf;

/// The default MySQL / MariaDB TCP port.
pub const DEFAULT_PORT: u16 = 3306;

/// A password. Never printed: `Debug` and `Display` write `****`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The password itself, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// `--ssl-mode`, with the values and meaning of the `mysql` client's option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SslMode {
    /// Plain connection.
    Disabled,
    /// TLS when the server offers it, else plain (the default).
    Preferred,
    /// TLS, without checking the server's certificate.
    Required,
    /// TLS, the certificate checked against `--ssl-ca` (or the built-in roots).
    VerifyCa,
    /// As `verify-ca`, and the certificate must name the host.
    VerifyIdentity,
}

impl SslMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disabled => "disabled",
            SslMode::Preferred => "preferred",
            SslMode::Required => "required",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyIdentity => "verify-identity",
        }
    }

    /// Reads a value as the `mysql` client does: any case, `-` or `_`.
    pub fn parse(value: &str) -> Result<SslMode, String> {
        match value.to_ascii_lowercase().replace('_', "-").as_str() {
            "disabled" => Ok(SslMode::Disabled),
            "preferred" => Ok(SslMode::Preferred),
            "required" => Ok(SslMode::Required),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-identity" => Ok(SslMode::VerifyIdentity),
            _ => Err(format!(
                "unknown ssl mode `{value}` (expected `disabled`, `preferred`, `required`, \
                 `verify-ca` or `verify-identity`)"
            )),
        }
    }
}

/// One server to connect to. Every field is optional so that sources can be layered (option
/// file, then DSN, then flags); `resolve` fills the gaps.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Dsn {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub socket: Option<PathBuf>,
    pub database: Option<String>,
    pub ssl_mode: Option<SslMode>,
    pub ssl_ca: Option<PathBuf>,
}

impl Dsn {
    /// Parses `mysql://[user[:password]@][host][:port][/database][?ssl-mode=…&ssl-ca=…&socket=…]`
    /// (`mariadb://` too). User, password and database may be percent-encoded. Errors never
    /// quote the text, which may hold a password.
    pub fn parse(url: &str) -> Result<Dsn, String> {
        let rest = ["mysql://", "mariadb://"]
            .iter()
            .find_map(|scheme| strip_prefix_ignore_case(url, scheme))
            .ok_or_else(|| "expected a URL starting with `mysql://`".to_string())?;
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let (authority, path) = match rest.split_once('/') {
            Some((authority, path)) => (authority, Some(path)),
            None => (rest, None),
        };
        let mut dsn = Dsn::default();
        // The password may itself hold `@`: the last one ends the credentials.
        let host_port = match authority.rsplit_once('@') {
            Some((credentials, host_port)) => {
                let (user, password) = match credentials.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (credentials, None),
                };
                dsn.user = non_empty(
                    percent_decode(user)
                        .ok_or("the user name is not valid percent-encoded UTF-8")?,
                );
                if let Some(password) = password {
                    dsn.password = Some(Secret(
                        percent_decode(password)
                            .ok_or("the password is not valid percent-encoded UTF-8")?,
                    ));
                }
                host_port
            }
            None => authority,
        };
        let (host, port) = split_host_port(host_port)?;
        dsn.host = non_empty(host.to_string());
        dsn.port = port;
        if let Some(path) = path {
            dsn.database = non_empty(
                percent_decode(path.trim_end_matches('/'))
                    .ok_or("the database name is not valid percent-encoded UTF-8")?,
            );
        }
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value).ok_or_else(|| {
                format!("the value of `{key}` is not valid percent-encoded UTF-8")
            })?;
            match key.to_ascii_lowercase().replace('_', "-").as_str() {
                "ssl-mode" | "sslmode" => dsn.ssl_mode = Some(SslMode::parse(&value)?),
                "ssl-ca" => dsn.ssl_ca = Some(PathBuf::from(value)),
                "socket" => dsn.socket = Some(PathBuf::from(value)),
                _ => {
                    return Err(format!(
                        "unknown parameter `{key}` (expected `ssl-mode`, `ssl-ca` or `socket`)"
                    ))
                }
            }
        }
        Ok(dsn)
    }

    /// `other`'s fields where it has them, else this one's: `base.overlay(&higher_priority)`.
    pub fn overlay(&self, other: &Dsn) -> Dsn {
        Dsn {
            host: other.host.clone().or_else(|| self.host.clone()),
            port: other.port.or(self.port),
            user: other.user.clone().or_else(|| self.user.clone()),
            password: other.password.clone().or_else(|| self.password.clone()),
            socket: other.socket.clone().or_else(|| self.socket.clone()),
            database: other.database.clone().or_else(|| self.database.clone()),
            ssl_mode: other.ssl_mode.or(self.ssl_mode),
            ssl_ca: other.ssl_ca.clone().or_else(|| self.ssl_ca.clone()),
        }
    }

    pub fn host_or_default(&self) -> &str {
        self.host.as_deref().unwrap_or("localhost")
    }

    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_PORT)
    }

    /// The TLS mode in force: as given, else `verify-ca` when a CA file is named (as the
    /// `mysql` client does), else `preferred`.
    pub fn effective_ssl_mode(&self) -> SslMode {
        match (self.ssl_mode, &self.ssl_ca) {
            (Some(mode), _) => mode,
            (None, Some(_)) => SslMode::VerifyCa,
            (None, None) => SslMode::Preferred,
        }
    }

    /// The socket to connect through: as the `mysql` client, only when the host is `localhost`
    /// (or not given), so a socket from `~/.my.cnf` does not hijack `--host db.internal`.
    pub fn effective_socket(&self) -> Option<&std::path::Path> {
        let local = match self.host.as_deref() {
            None => true,
            Some(host) => host.eq_ignore_ascii_case("localhost"),
        };
        self.socket.as_deref().filter(|_| local)
    }

    /// Which server this is, for tagging events: `host:port`, or `localhost:` and the socket.
    pub fn server_label(&self) -> String {
        match self.effective_socket() {
            Some(socket) => format!("{}:{}", self.host_or_default(), socket.display()),
            None => format_host_port(self.host_or_default(), self.port_or_default()),
        }
    }
}

/// The URL form with the password as `****`: safe for reports, logs and errors.
impl fmt::Display for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mysql://")?;
        if let Some(user) = &self.user {
            f.write_str(&percent_encode(user))?;
        }
        if self.password.is_some() {
            f.write_str(":****")?;
        }
        if self.user.is_some() || self.password.is_some() {
            f.write_str("@")?;
        }
        f.write_str(&format_host_port(
            self.host_or_default(),
            self.port_or_default(),
        ))?;
        if let Some(database) = &self.database {
            write!(f, "/{}", percent_encode(database))?;
        }
        let mut params = Vec::new();
        if let Some(mode) = self.ssl_mode {
            params.push(format!("ssl-mode={}", mode.as_str()));
        }
        if let Some(ca) = &self.ssl_ca {
            params.push(format!(
                "ssl-ca={}",
                percent_encode(&ca.display().to_string())
            ));
        }
        if let Some(socket) = &self.socket {
            params.push(format!(
                "socket={}",
                percent_encode(&socket.display().to_string())
            ));
        }
        if !params.is_empty() {
            write!(f, "?{}", params.join("&"))?;
        }
        Ok(())
    }
}

/// Hand-written so the password shows as `****`.
impl fmt::Debug for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dsn")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("socket", &self.socket)
            .field("database", &self.database)
            .field("ssl_mode", &self.ssl_mode)
            .field("ssl_ca", &self.ssl_ca)
            .finish()
    }
}

fn format_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn split_host_port(text: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address opened with `[` is not closed with `]`")?;
        (host, after.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) => Some(
            port.parse::<u16>()
                .map_err(|_| format!("port `{port}` is not a number from 0 to 65535"))?,
        ),
    };
    Ok((host, port))
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || b == b'/' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "s3cr3t-p@ss";

    #[test]
    fn parses_the_url_forms() {
        let cases: &[(&str, Dsn)] = &[
            (
                "mysql://root@127.0.0.1:3306/test",
                Dsn {
                    user: Some("root".into()),
                    host: Some("127.0.0.1".into()),
                    port: Some(3306),
                    database: Some("test".into()),
                    ..Dsn::default()
                },
            ),
            (
                "mysql://app:pw@db.internal/shop?ssl-mode=VERIFY_IDENTITY&ssl-ca=%2Fetc%2Fca.pem",
                Dsn {
                    user: Some("app".into()),
                    password: Some(Secret::new("pw")),
                    host: Some("db.internal".into()),
                    database: Some("shop".into()),
                    ssl_mode: Some(SslMode::VerifyIdentity),
                    ssl_ca: Some("/etc/ca.pem".into()),
                    ..Dsn::default()
                },
            ),
            (
                "mariadb://[::1]:3307",
                Dsn {
                    host: Some("::1".into()),
                    port: Some(3307),
                    ..Dsn::default()
                },
            ),
            (
                "mysql://u:p%40ss:word@h/?socket=/run/mysqld/mysqld.sock",
                Dsn {
                    user: Some("u".into()),
                    password: Some(Secret::new("p@ss:word")),
                    host: Some("h".into()),
                    socket: Some("/run/mysqld/mysqld.sock".into()),
                    ..Dsn::default()
                },
            ),
            ("mysql://", Dsn::default()),
        ];
        for (input, expected) in cases {
            assert_eq!(&Dsn::parse(input).unwrap(), expected, "parsing {input:?}");
        }
    }

    #[test]
    fn rejects_bad_urls_without_quoting_them() {
        for input in [
            format!("postgres://u:{PASSWORD}@h"),
            format!("mysql://u:{PASSWORD}@h:port"),
            format!("mysql://u:{PASSWORD}@h/?colour=red"),
            format!("mysql://u:{PASSWORD}@h/?ssl-mode=sometimes"),
            format!("mysql://u:{PASSWORD}%zz@h"),
        ] {
            let err = Dsn::parse(&input).unwrap_err();
            assert!(!err.contains(PASSWORD), "{err}");
            assert!(!err.contains("s3cr3t"), "{err}");
        }
    }

    #[test]
    fn password_never_shows() {
        let dsn = Dsn::parse(&format!("mysql://app:{PASSWORD}@db:3307/shop")).unwrap();
        assert_eq!(dsn.password.as_ref().unwrap().expose(), PASSWORD);
        let shown = [
            format!("{dsn}"),
            format!("{dsn:?}"),
            format!("{dsn:#?}"),
            format!("{:?}", dsn.password),
            serde_json::to_string(&dsn.to_string()).unwrap(),
            crate::error::Error::ServerUnreachable {
                dsn: dsn.to_string(),
                reason: "connection refused".into(),
            }
            .to_string(),
        ];
        for text in &shown {
            assert!(!text.contains("s3cr3t"), "password in {text}");
        }
        assert_eq!(shown[0], "mysql://app:****@db:3307/shop");
    }

    #[test]
    fn password_never_shows_in_a_json_report() {
        use crate::report::{sink_for, Format, TextOptions};
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        let dsn = Dsn::parse(&format!("mysql://app:{PASSWORD}@db/shop")).unwrap();
        let status = include_str!("../../fixtures/mariadb/delete-then-insert.status.txt");
        for format in [Format::Json, Format::Jsonl, Format::Text] {
            let out = Shared::default();
            let mut sink = sink_for(
                format,
                Box::new(out.clone()),
                Box::new(out.clone()),
                TextOptions::default(),
            );
            let name = dsn.to_string();
            let stats =
                crate::analyze::analyze_reader(&name, status.as_bytes(), &mut sink).unwrap();
            assert_eq!(stats.deadlocks, 1);
            let summary = crate::sink::Summary {
                inputs: vec![name],
                ..Default::default()
            };
            sink.finish(&summary).unwrap();
            let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
            assert!(text.contains("mysql://app:****@db:3306/shop"), "{text}");
            assert!(!text.contains("s3cr3t"), "password in {format} output");
        }
    }

    #[test]
    fn labels_and_defaults() {
        let dsn = Dsn::parse("mysql://root@[::1]").unwrap();
        assert_eq!(dsn.server_label(), "[::1]:3306");
        assert_eq!(dsn.to_string(), "mysql://root@[::1]:3306");
        assert_eq!(dsn.effective_ssl_mode(), SslMode::Preferred);
        let dsn = Dsn::parse("mysql://h?ssl-ca=/ca.pem").unwrap();
        assert_eq!(dsn.effective_ssl_mode(), SslMode::VerifyCa);
    }

    #[test]
    fn overlay_prefers_the_upper_layer() {
        let base = Dsn::parse("mysql://a:pw@h1:1/d1").unwrap();
        let top = Dsn {
            host: Some("h2".into()),
            ..Dsn::default()
        };
        let merged = base.overlay(&top);
        assert_eq!(merged.to_string(), "mysql://a:****@h2:1/d1");
        assert_eq!(merged.password, Some(Secret::new("pw")));
    }
}
