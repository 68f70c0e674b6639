#!/usr/bin/env bash
# Make sure a MariaDB server answers on 127.0.0.1:3306 and that a passwordless account with all
# privileges can use it over TCP, then set LOCKSCOPE_TEST_DSN to that account and make sure the
# `test` database exists.
#
# Two ways to use it:
#   source .ci/ensure-mariadb.sh          # exports LOCKSCOPE_TEST_DSN in the calling shell (.ci/run)
#   eval "$(.ci/ensure-mariadb.sh)"       # run as a program: prints `export LOCKSCOPE_TEST_DSN=…`
#
# If LOCKSCOPE_TEST_DSN is already set, it is kept and nothing is installed or started.
# Installs mariadb-server/mariadb-client with apt-get when no server binary exists (needs root or
# sudo). Starts the server with start-stop-daemon (no systemd needed). All progress goes to stderr.
#
# For a throwaway server beside the system one (used to test this script):
#   LOCKSCOPE_CI_DB_PORT=3307 LOCKSCOPE_CI_DB_DEFAULTS_FILE=/tmp/x/my.cnf .ci/ensure-mariadb.sh
# (the defaults file names port, datadir, socket and pid-file; default: the system config, port 3306).

set -euo pipefail

_lsm_host=127.0.0.1
_lsm_port=${LOCKSCOPE_CI_DB_PORT:-3306}
_lsm_defaults=()
if [ -n "${LOCKSCOPE_CI_DB_DEFAULTS_FILE:-}" ]; then
    _lsm_defaults=("--defaults-file=$LOCKSCOPE_CI_DB_DEFAULTS_FILE")
fi

_lsm_log() { printf 'ensure-mariadb: %s\n' "$*" >&2; }

_lsm_sudo() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        _lsm_log "need root (or passwordless sudo) for: $*"
        return 1
    fi
}

_lsm_admin() {
    if command -v mariadb-admin >/dev/null 2>&1; then
        mariadb-admin "$@"
    else
        mysqladmin "$@"
    fi
}

_lsm_client() {
    if command -v mariadb >/dev/null 2>&1; then
        mariadb "$@"
    else
        mysql "$@"
    fi
}

# Is a server listening? `ping` exits 0 when the server runs and root may connect, and also on
# "Access denied"; but a server with no account for 127.0.0.1 answers 1130 before the handshake and
# the 10.11 client then exits 1. So fall back to reading the server's first packet (greeting or
# error) on the port: any bytes mean a live server.
_lsm_ping() {
    if _lsm_admin --protocol=tcp -h "$_lsm_host" -P "$_lsm_port" -uroot --connect-timeout=2 ping \
        >/dev/null 2>&1; then
        return 0
    fi
    local n
    n=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && head -c 4 <&3' "$_lsm_host" "$_lsm_port" \
        2>/dev/null | wc -c) || true
    [ "${n:-0}" -gt 0 ]
}

_lsm_server_binary() {
    local b
    for b in /usr/sbin/mariadbd /usr/sbin/mysqld /usr/bin/mariadbd; do
        if [ -x "$b" ]; then
            printf '%s\n' "$b"
            return 0
        fi
    done
    return 1
}

_lsm_install() {
    _lsm_log "no MariaDB server binary: installing mariadb-server mariadb-client with apt-get"
    _lsm_sudo env DEBIAN_FRONTEND=noninteractive apt-get update >&2
    _lsm_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        mariadb-server mariadb-client >&2
}

# The value of one server option as the server's own config files set it (`--print-defaults`).
_lsm_server_option() {
    local bin
    bin=$(_lsm_server_binary) || return 0
    "$bin" "${_lsm_defaults[@]}" --print-defaults 2>/dev/null | tr ' ' '\n' |
        sed -n "s/^--$1=//p" | tail -n 1
}

_lsm_socket() {
    local s
    s=$(_lsm_server_option socket)
    printf '%s\n' "${s:-/run/mysqld/mysqld.sock}"
}

_lsm_start() {
    local bin datadir pidfile socket
    bin=$(_lsm_server_binary)
    datadir=$(_lsm_server_option datadir)
    datadir=${datadir:-/var/lib/mysql}
    pidfile=$(_lsm_server_option pid-file)
    pidfile=${pidfile:-/run/mysqld/mysqld.pid}
    socket=$(_lsm_socket)
    _lsm_sudo install -d -o mysql -g mysql -m 0755 "$(dirname "$pidfile")" "$(dirname "$socket")"
    if [ ! -d "$datadir/mysql" ]; then
        _lsm_log "initialising an empty datadir $datadir"
        _lsm_sudo install -d -o mysql -g mysql -m 0750 "$datadir"
        if command -v mariadb-install-db >/dev/null 2>&1; then
            _lsm_sudo mariadb-install-db "${_lsm_defaults[@]}" --user=mysql --datadir="$datadir" >&2
        else
            _lsm_sudo mysql_install_db "${_lsm_defaults[@]}" --user=mysql --datadir="$datadir" >&2
        fi
    fi
    # Log dir named by log-error in the stock configs; a missing one stops the server at start.
    if [ -d /etc/mysql ] && [ ! -d /var/log/mysql ]; then
        _lsm_sudo install -d -o mysql -g adm -m 2750 /var/log/mysql || true
    fi
    _lsm_log "starting $bin (datadir $datadir, pid file $pidfile) with start-stop-daemon"
    # --pidfile: "already running" means *this* server's pid file names a live mariadbd, not just
    # any mariadbd on the machine. --user=mysql: the server drops root itself (harmless when the
    # config already says so).
    _lsm_sudo start-stop-daemon --start --oknodo --background --pidfile "$pidfile" \
        --exec "$bin" -- "${_lsm_defaults[@]}" --user=mysql --port="$_lsm_port" >&2
}

_lsm_wait() {
    local i
    for i in $(seq 1 60); do
        if _lsm_ping; then
            _lsm_log "server answers on $_lsm_host:$_lsm_port (after ${i}s)"
            return 0
        fi
        sleep 1
    done
    _lsm_log "server did not answer on $_lsm_host:$_lsm_port within 60 s"
    for f in /var/log/mysql/error.log /var/lib/mysql/*.err; do
        if [ -r "$f" ]; then
            _lsm_log "tail of $f:"
            tail -n 30 "$f" >&2 || true
        fi
    done
    return 1
}

# Run SQL as an account that can create users: root over TCP if that works, else root over the
# unix socket (Debian's root@localhost uses unix_socket authentication, so the OS user must be root).
_lsm_sql_admin() {
    if _lsm_client --protocol=tcp -h "$_lsm_host" -P "$_lsm_port" -uroot -e 'SELECT 1' \
        >/dev/null 2>&1; then
        _lsm_client --protocol=tcp -h "$_lsm_host" -P "$_lsm_port" -uroot -e "$1"
    else
        _lsm_sudo "$(command -v mariadb || command -v mysql)" --protocol=socket \
            --socket="$(_lsm_socket)" -uroot -e "$1"
    fi
}

_lsm_can_login() {
    _lsm_client --protocol=tcp -h "$_lsm_host" -P "$_lsm_port" -u"$1" -e 'SELECT 1' \
        >/dev/null 2>&1
}

_lsm_main() {
    if [ -n "${LOCKSCOPE_TEST_DSN:-}" ]; then
        _lsm_log "LOCKSCOPE_TEST_DSN already set; leaving the server alone"
        return 0
    fi

    if ! _lsm_ping; then
        _lsm_log "no server on $_lsm_host:$_lsm_port"
        if ! _lsm_server_binary >/dev/null; then
            _lsm_install
        fi
        if ! _lsm_ping; then # the package's own start may have worked
            _lsm_start
        fi
        _lsm_wait
    fi

    local user=root
    if ! _lsm_can_login root; then
        _lsm_log "root over TCP with an empty password is refused: creating lockscope@127.0.0.1/localhost"
        user=lockscope
        _lsm_sql_admin "
            CREATE USER IF NOT EXISTS 'lockscope'@'127.0.0.1' IDENTIFIED BY '';
            CREATE USER IF NOT EXISTS 'lockscope'@'localhost' IDENTIFIED BY '';
            GRANT ALL PRIVILEGES ON *.* TO 'lockscope'@'127.0.0.1' WITH GRANT OPTION;
            GRANT ALL PRIVILEGES ON *.* TO 'lockscope'@'localhost' WITH GRANT OPTION;
            FLUSH PRIVILEGES;"
        if ! _lsm_can_login lockscope; then
            # An anonymous ''@localhost account matches before lockscope@… on old installs.
            _lsm_log "lockscope still refused: dropping anonymous accounts"
            _lsm_sql_admin "
                DROP USER IF EXISTS ''@'localhost';
                DROP USER IF EXISTS ''@'127.0.0.1';
                FLUSH PRIVILEGES;"
        fi
        if ! _lsm_can_login lockscope; then
            _lsm_log "cannot log in as lockscope over TCP"
            return 1
        fi
    fi

    _lsm_client --protocol=tcp -h "$_lsm_host" -P "$_lsm_port" -u"$user" \
        -e 'CREATE DATABASE IF NOT EXISTS test'
    export LOCKSCOPE_TEST_DSN="mysql://$user@$_lsm_host:$_lsm_port/test"
    _lsm_log "LOCKSCOPE_TEST_DSN=$LOCKSCOPE_TEST_DSN ($(_lsm_client --protocol=tcp -h "$_lsm_host" \
        -P "$_lsm_port" -u"$user" -N -B -e 'SELECT VERSION()'))"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Run as a program: print the export line for eval.
    _lsm_main
    printf 'export LOCKSCOPE_TEST_DSN=%q\n' "$LOCKSCOPE_TEST_DSN"
else
    _lsm_main
fi
