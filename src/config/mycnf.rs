//! The `[client]` section of a MySQL option file (`~/.my.cnf`, or `--defaults-file`), read the
//! way the `mysql` client reads it: `key=value` or a bare `key`, `-` and `_` alike in names,
//! `#` / `;` comments, single or double quotes with the client's escapes, `!include` and
//! `!includedir`. Only the settings that say where and how to connect are kept.

use std::path::{Path, PathBuf};

use crate::live::{Dsn, Secret, SslMode};

/// The connection settings of the `[client]` group of `path` (and the files it includes).
/// A missing file gives nothing; an unreadable one or a bad value is an error naming the line.
pub fn read_client_section(path: &Path) -> Result<Dsn, String> {
    let mut dsn = Dsn::default();
    read_into(path, &mut dsn, 0)?;
    Ok(dsn)
}

/// `~/.my.cnf`, when `$HOME` is set.
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".my.cnf"))
}

fn read_into(path: &Path, dsn: &mut Dsn, depth: usize) -> Result<(), String> {
    // The client gives up on include loops too; ten levels is plenty for real configurations.
    if depth > 10 {
        return Err(format!("`{}`: includes nested too deep", path.display()));
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && depth == 0 => return Ok(()),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let mut in_client = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let at = |message: String| format!("`{}` line {}: {message}", path.display(), number + 1);
        if let Some(target) = line.strip_prefix("!includedir") {
            let dir = Path::new(target.trim());
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| at(format!("cannot read `{}`: {e}", dir.display())))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "cnf"))
                .collect();
            files.sort();
            for file in files {
                read_into(&file, dsn, depth + 1)?;
            }
            continue;
        }
        if let Some(target) = line.strip_prefix("!include") {
            read_into(Path::new(target.trim()), dsn, depth + 1)?;
            continue;
        }
        if let Some(group) = line.strip_prefix('[') {
            let group = group.split(']').next().unwrap_or("").trim();
            in_client = group.eq_ignore_ascii_case("client");
            continue;
        }
        if !in_client {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((key, value)) => (key.trim(), Some(unquote(value.trim()).map_err(&at)?)),
            None => (line, None),
        };
        let key = key.to_ascii_lowercase().replace('_', "-");
        // A bare `password` asks the client to prompt; lockscope prompts only on `-p`.
        let Some(value) = value else { continue };
        match key.as_str() {
            "user" => dsn.user = Some(value),
            "password" => dsn.password = Some(Secret::new(value)),
            "host" => dsn.host = Some(value),
            "port" => {
                dsn.port = Some(
                    value
                        .parse()
                        .map_err(|_| at(format!("port `{value}` is not a number")))?,
                )
            }
            "socket" => dsn.socket = Some(PathBuf::from(value)),
            "database" => dsn.database = Some(value),
            "ssl-ca" => dsn.ssl_ca = Some(PathBuf::from(value)),
            "ssl-mode" => dsn.ssl_mode = Some(SslMode::parse(&value).map_err(&at)?),
            _ => {}
        }
    }
    Ok(())
}

/// A value as the client reads it: quoted (escapes `\n \t \r \b \s \\ \" \'` inside) or bare,
/// where ` #` starts a comment.
fn unquote(value: &str) -> Result<String, String> {
    let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        let value = match value.find(" #").or_else(|| value.find("\t#")) {
            Some(at) => &value[..at],
            None => value,
        };
        return Ok(value.trim_end().to_string());
    };
    let mut out = String::new();
    let mut chars = value[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('s') => out.push(' '),
                Some(other) => out.push(other),
                None => break,
            },
            c if c == quote => return Ok(out),
            c => out.push(c),
        }
    }
    Err(format!("value opened with {quote} is not closed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Dsn, String> {
        let dir = std::env::temp_dir().join(format!("lockscope-mycnf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{:x}.cnf", text.len() * 31 + text.lines().count()));
        std::fs::write(&path, text).unwrap();
        let got = read_client_section(&path);
        let _ = std::fs::remove_file(&path);
        got
    }

    #[test]
    fn reads_the_client_group_only() {
        let dsn = read(
            "# my settings\n[mysqld]\nport=1\n\n[client]\nuser = app\npassword=\"p w#x\"\n\
             host=db.internal   # the primary\nport=3307\nssl_ca='/etc/ssl/ca.pem'\n\
             ssl-mode=VERIFY_CA\ndatabase=shop\n[mysql]\nuser=other\n",
        )
        .unwrap();
        assert_eq!(dsn.user.as_deref(), Some("app"));
        assert_eq!(dsn.password.as_ref().map(Secret::expose), Some("p w#x"));
        assert_eq!(dsn.host.as_deref(), Some("db.internal"));
        assert_eq!(dsn.port, Some(3307));
        assert_eq!(dsn.ssl_ca, Some(PathBuf::from("/etc/ssl/ca.pem")));
        assert_eq!(dsn.ssl_mode, Some(SslMode::VerifyCa));
        assert_eq!(dsn.database.as_deref(), Some("shop"));
    }

    #[test]
    fn escapes_and_bare_keys() {
        let dsn = read("[CLIENT]\npassword\nsocket=\"/run/my\\ssock\"\n").unwrap();
        assert_eq!(dsn.password, None);
        assert_eq!(dsn.socket, Some(PathBuf::from("/run/my sock")));
    }

    #[test]
    fn bad_values_name_the_line_not_the_password() {
        let err = read("[client]\npassword=hunter2\nport=abc\n").unwrap_err();
        assert!(err.ends_with("line 3: port `abc` is not a number"), "{err}");
        assert!(!err.contains("hunter2"));
    }

    #[test]
    fn a_missing_file_is_no_settings() {
        let dsn = read_client_section(Path::new("/nonexistent/lockscope/.my.cnf")).unwrap();
        assert_eq!(dsn, Dsn::default());
    }
}
