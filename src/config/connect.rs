//! The connection flags, `LOCKSCOPE_DSN`,
//! `MYSQL_PWD` and the option file resolved into the servers to connect to. Layers, lowest
//! first, as the `mysql` client: the `[client]` section of `~/.my.cnf` (or `--defaults-file`),
//! the DSN (`--dsn`, else `LOCKSCOPE_DSN`), the flags. The password: `-p` (prompt), else the
//! DSN's, else the option file's, else `MYSQL_PWD`.

use std::path::PathBuf;

use crate::cli::ConnectArgs;
use crate::error::Error;
use crate::live::server::Timeouts;
use crate::live::{Dsn, LiveConfig, Secret};

use super::mycnf;

/// The process environment live mode reads, gathered in one place so tests can supply their
/// own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub lockscope_dsn: Option<String>,
    pub mysql_pwd: Option<Secret>,
    /// The login name (`$USER`, else `$LOGNAME`): the default user, as for the `mysql` client.
    pub login: Option<String>,
    /// `~/.my.cnf`.
    pub my_cnf: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Env {
            lockscope_dsn: var("LOCKSCOPE_DSN"),
            mysql_pwd: std::env::var("MYSQL_PWD").ok().map(Secret::new),
            login: var("USER").or_else(|| var("LOGNAME")),
            my_cnf: mycnf::default_path(),
        }
    }
}

/// Resolves the connection settings. `prompt` is called at most once, for `-p`.
pub fn resolve(
    args: &ConnectArgs,
    env: &Env,
    prompt: &mut dyn FnMut() -> std::io::Result<String>,
) -> Result<LiveConfig, Error> {
    let option_file = match &args.defaults_file {
        Some(path) if !path.exists() => {
            return Err(Error::BadConnectionSetting {
                origin: "`--defaults-file`".into(),
                reason: format!("`{}` does not exist", path.display()),
            })
        }
        Some(path) => Some(path.clone()),
        None => env.my_cnf.clone(),
    };
    let base = match &option_file {
        Some(path) => {
            mycnf::read_client_section(path).map_err(|reason| Error::BadConnectionSetting {
                origin: "option file".into(),
                reason,
            })?
        }
        None => Dsn::default(),
    };

    let urls: Vec<(&str, &str)> = if !args.dsn.is_empty() {
        args.dsn.iter().map(|u| ("`--dsn`", u.as_str())).collect()
    } else if let Some(url) = &env.lockscope_dsn {
        vec![("`LOCKSCOPE_DSN`", url.as_str())]
    } else {
        vec![]
    };
    let mut layers = Vec::new();
    for (origin, url) in urls {
        layers.push(
            Dsn::parse(url).map_err(|reason| Error::BadConnectionSetting {
                origin: origin.to_string(),
                reason,
            })?,
        );
    }
    if layers.is_empty() {
        layers.push(Dsn::default());
    }

    let flags = Dsn {
        host: args.host.clone(),
        port: args.port,
        user: args.user.clone(),
        password: None,
        socket: args.socket.clone(),
        database: args.database.clone(),
        ssl_mode: args.ssl_mode,
        ssl_ca: args.ssl_ca.clone(),
    };
    let prompted = if args.password_prompt {
        Some(Secret::new(prompt().map_err(|e| {
            Error::BadConnectionSetting {
                origin: "`--password`".into(),
                reason: format!(
                    "cannot ask for the password: {e} (use `MYSQL_PWD` or `~/.my.cnf` \
                     when there is no terminal)"
                ),
            }
        })?))
    } else {
        None
    };

    let dsns = layers
        .iter()
        .map(|layer| {
            let mut dsn = base.overlay(layer).overlay(&flags);
            if let Some(password) = &prompted {
                dsn.password = Some(password.clone());
            }
            if dsn.password.is_none() {
                dsn.password = env.mysql_pwd.clone();
            }
            if dsn.user.is_none() {
                dsn.user = env.login.clone();
            }
            dsn
        })
        .collect();
    Ok(LiveConfig {
        dsns,
        timeouts: Timeouts {
            connect: args.connect_timeout,
            query: args.query_timeout,
        },
    })
}

/// Asks on the terminal, never echoing.
pub fn prompt_on_tty() -> std::io::Result<String> {
    rpassword::prompt_password("Enter password: ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn args(argv: &[&str]) -> ConnectArgs {
        let mut full = vec!["lockscope", "watch"];
        full.extend_from_slice(argv);
        match Cli::try_parse_from(full).unwrap().command {
            Command::Watch(w) => w.connect,
            _ => unreachable!(),
        }
    }

    fn no_prompt() -> std::io::Result<String> {
        panic!("prompted")
    }

    fn env() -> Env {
        Env {
            login: Some("alice".into()),
            ..Env::default()
        }
    }

    #[test]
    fn flags_override_the_dsn_which_overrides_the_option_file() {
        let dir = std::env::temp_dir().join(format!("lockscope-resolve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cnf = dir.join("my.cnf");
        std::fs::write(
            &cnf,
            "[client]\nuser=cnfuser\npassword=cnfpw\nhost=cnfhost\nport=1\n",
        )
        .unwrap();
        let env = Env {
            my_cnf: Some(cnf.clone()),
            mysql_pwd: Some(Secret::new("envpw")),
            ..env()
        };
        let config = resolve(
            &args(&["--dsn", "mysql://dsnuser@dsnhost/db", "--port", "3307"]),
            &env,
            &mut no_prompt,
        )
        .unwrap();
        let dsn = &config.dsns[0];
        assert_eq!(dsn.to_string(), "mysql://dsnuser:****@dsnhost:3307/db");
        // The option file's password beats `MYSQL_PWD`, as in libmysqlclient.
        assert_eq!(dsn.password, Some(Secret::new("cnfpw")));

        let config = resolve(&args(&[]), &env, &mut no_prompt).unwrap();
        assert_eq!(config.dsns[0].to_string(), "mysql://cnfuser:****@cnfhost:1");

        let config = resolve(
            &args(&["--defaults-file", "/nonexistent.cnf"]),
            &env,
            &mut no_prompt,
        );
        assert!(config.is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn environment_dsn_and_password() {
        let env = Env {
            lockscope_dsn: Some("mysql://app@db1:3306".into()),
            mysql_pwd: Some(Secret::new("envpw")),
            ..env()
        };
        let config = resolve(&args(&[]), &env, &mut no_prompt).unwrap();
        assert_eq!(config.dsns[0].to_string(), "mysql://app:****@db1:3306");
        assert_eq!(config.dsns[0].password, Some(Secret::new("envpw")));
        // `--dsn` wins over `LOCKSCOPE_DSN`.
        let config = resolve(
            &args(&["--dsn", "mysql://a@h1", "--dsn", "mysql://b@h2"]),
            &env,
            &mut no_prompt,
        )
        .unwrap();
        let shown: Vec<String> = config.dsns.iter().map(Dsn::server_label).collect();
        assert_eq!(shown, ["h1:3306", "h2:3306"]);
    }

    #[test]
    fn prompt_once_for_every_server() {
        let mut asked = 0;
        let mut prompt = || {
            asked += 1;
            Ok("typed".to_string())
        };
        let config = resolve(
            &args(&["-p", "--dsn", "mysql://a:old@h1", "--dsn", "mysql://b@h2"]),
            &env(),
            &mut prompt,
        )
        .unwrap();
        assert_eq!(asked, 1);
        for dsn in &config.dsns {
            assert_eq!(dsn.password, Some(Secret::new("typed")));
        }
    }

    #[test]
    fn defaults_are_the_login_name_and_localhost() {
        let config = resolve(&args(&[]), &env(), &mut no_prompt).unwrap();
        assert_eq!(config.dsns[0].to_string(), "mysql://alice@localhost:3306");
    }

    #[test]
    fn bad_dsn_names_its_origin_not_its_password() {
        let err = resolve(
            &args(&["--dsn", "mysql://u:hunter2@h:99999"]),
            &env(),
            &mut no_prompt,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("`--dsn`: port `99999`"), "{text}");
        assert!(!text.contains("hunter2"));
        assert_eq!(err.exit_code(), 2);
    }
}
