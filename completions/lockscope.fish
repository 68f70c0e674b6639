# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_lockscope_global_optspecs
    string join \n h/help V/version
end

function __fish_lockscope_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_lockscope_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_lockscope_using_subcommand
    set -l cmd (__fish_lockscope_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c lockscope -n "__fish_lockscope_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_needs_command" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "analyze" -d 'Read deadlock reports from files or stdin and explain each one'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "watch" -d 'Poll servers (or follow error logs) and print each new deadlock once'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "lab" -d 'Run a deadlock scenario\'s broken and fixed write paths on a scratch database'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "explain" -d 'Decode one lock line into plain words'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "patterns" -d 'List the deadlock pattern catalogue, or print one pattern\'s documentation'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "redact" -d 'Write deadlock reports and lock tables back with their values replaced'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "man" -d 'Print the man page (roff) generated from this help'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l dsn -d 'Server to ask: `mysql://user:pass@host:port/db?ssl-mode=…`; repeatable' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l host -d 'Server host name or address (default `localhost`)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s P -l port -d 'TCP port (default 3306)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s u -l user -d 'User name (default: the login name)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s S -l socket -d 'Unix socket file, used when the host is `localhost`' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s D -l database -d 'Database to connect to' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l defaults-file -d 'Read the `[client]` section of this file instead of `~/.my.cnf`' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l ssl-mode -d 'TLS: `preferred` unless given (`verify-ca` when `--ssl-ca` is given)' -r -f -a "disabled\t'Plain connection'
preferred\t'TLS when the server offers it, else plain (the default)'
required\t'TLS, without checking the server\'s certificate'
verify-ca\t'TLS, the certificate checked against `--ssl-ca` (or the built-in roots)'
verify-identity\t'As `verify-ca`, and the certificate must name the host'"
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l ssl-ca -d 'CA certificate (PEM) to verify the server\'s certificate with' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l query-timeout -d 'Give up waiting for one statement\'s answer after this long' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s f -l format -d 'Output format' -r -f -a "text\t'Plain-language report with tables, for a terminal'
json\t'One JSON document (see `report::json` for the contract)'
jsonl\t'One JSON object per line: a deadlock, a warning, the summary'
dot\t'Graphviz: the wait-for graph of each deadlock (`| dot -Tsvg > x.svg`)'
mermaid\t'Mermaid flowchart of the same graphs, for GitHub and GitLab markdown'
markdown\t'A report to paste into a ticket: timeline, graph, findings'"
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l width -d 'Width of the text report (default: $COLUMNS, the terminal\'s, else 80)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l color -d 'When to colour the text report (`auto`: on a terminal without `NO_COLOR`)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is not set'
always\t'Always colour, even into a pipe or with `NO_COLOR`'
never\t'Never colour'"
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l since -d 'Only deadlocks at or after this time (RFC 3339 or `YYYY-MM-DD[ HH:MM[:SS]]`)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l until -d 'Only deadlocks before this time (`--until 2026-11-21` ends at that midnight)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l by -d 'With --summary: the views to print, comma-separated [default: shape,pattern]' -r -f -a "shape\t'The recurring collisions, most first'
pattern\t'Deadlocks per pattern'
table\t'Deadlocks per table and index waited on'
hour\t'Deadlocks per hour'"
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l fail-on -d 'Exit 1 on `any` deadlock, `unclassified`, `new-shape` or a pattern id' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l baseline -d 'The known shapes for `--fail-on new-shape`: `--summary --format json` output' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l schema -d 'Name and decode record fields with these `CREATE TABLE` statements' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l live -d 'Ask the server from `LOCKSCOPE_DSN` or `~/.my.cnf` instead of reading files'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s p -l password -d 'Ask for the password on the terminal'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l full -d 'Print statements whole instead of shortening them'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l all-locks -d 'JSON / JSONL: every lock-table row too, not only the groups'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l summary -d 'Print the recurring collisions and counts instead of each deadlock'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l redact -d 'Replace values, hosts and users by consistent tokens: a report safe to share'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l redact-names -d 'Redact schema, table and index names too (implies --redact)'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s q -l quiet -d 'Do not print warnings about unreadable lines (they still appear in JSON)'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l dsn -d 'Server to ask: `mysql://user:pass@host:port/db?ssl-mode=…`; repeatable' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l host -d 'Server host name or address (default `localhost`)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s P -l port -d 'TCP port (default 3306)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s u -l user -d 'User name (default: the login name)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s S -l socket -d 'Unix socket file, used when the host is `localhost`' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s D -l database -d 'Database to connect to' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l defaults-file -d 'Read the `[client]` section of this file instead of `~/.my.cnf`' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l ssl-mode -d 'TLS: `preferred` unless given (`verify-ca` when `--ssl-ca` is given)' -r -f -a "disabled\t'Plain connection'
preferred\t'TLS when the server offers it, else plain (the default)'
required\t'TLS, without checking the server\'s certificate'
verify-ca\t'TLS, the certificate checked against `--ssl-ca` (or the built-in roots)'
verify-identity\t'As `verify-ca`, and the certificate must name the host'"
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l ssl-ca -d 'CA certificate (PEM) to verify the server\'s certificate with' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l query-timeout -d 'Give up waiting for one statement\'s answer after this long' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l error-log -d 'Follow this error log like `tail -F` (the lossless source); repeatable' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l interval -d 'Time between two polls of a server' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l min-wait -d 'Report lock waits once they have lasted this long' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s f -l format -d 'Output format' -r -f -a "text\t'Plain-language report, one per deadlock'
jsonl\t'One JSON object per line'"
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s o -l output -d 'Append the events to this file instead of writing them to stdout' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l state-file -d 'Remember reported deadlocks in this file, so a restart does not repeat them' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l width -d 'Width of the text report in columns (default: $COLUMNS, else 80)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s p -l password -d 'Ask for the password on the terminal'
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -l full -d 'Print statements whole instead of shortening them'
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s q -l quiet -d 'Do not print warnings about unreadable lines'
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand watch" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l dsn -d 'Server to run on, `mysql://user:password@host:port` (always explicit)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l path -d 'Which write paths to run' -r -f -a "broken\t'The write paths as in the incident (and the variants it proposed)'
fixed\t'The write path the catalogue\'s fix describes'
both\t'All of them, one after the other, from the same data'"
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -s w -l workers -d 'Concurrent workers, each on its own connection (default: the scenario\'s)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -s n -l iterations -d 'Attempts per worker and path (default: the scenario\'s, see `lab list`)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l duration -d 'Run each path for this many seconds instead of a number of attempts' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l database -d 'The scratch database lab creates, uses and drops' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -s f -l format -d 'Output format' -r -f -a "text\t'A table per scenario and the classification of the captured deadlock'
json\t'One JSON document with the same figures'"
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l lock-wait-timeout -d 'Session `innodb_lock_wait_timeout` in seconds: every wait is bounded' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l schema -d '`lab locks`: a SQL file with the tables\' CREATE TABLE statements' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l rows -d '`lab locks`: a SQL file with the rows, loaded before each transaction' -r -F
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -s e -l execute -l before -d '`lab locks`: a statement to explain (repeat for several)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l after -d '`lab locks`: the statements of a fix, compared with `--before`' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l isolation -d '`lab locks`: isolation levels to compare [default: rr,rc]' -r -f -a "rr\t'REPEATABLE READ, InnoDB\'s default: locking reads lock gaps too'
rc\t'READ COMMITTED: gap locks only for foreign-key and duplicate-key checks'
ru\t'READ UNCOMMITTED (locks as READ COMMITTED)'
serializable\t'SERIALIZABLE: plain SELECTs become locking reads (`FOR SHARE`)'"
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -l keep -d 'Keep the scratch database at the end (to look at the rows)'
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand lab" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand explain" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand patterns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand patterns" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand redact" -l redact-names -d 'Redact schema, table and index names too'
complete -c lockscope -n "__fish_lockscope_using_subcommand redact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand redact" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand completions" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand man" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "analyze" -d 'Read deadlock reports from files or stdin and explain each one'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "watch" -d 'Poll servers (or follow error logs) and print each new deadlock once'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "lab" -d 'Run a deadlock scenario\'s broken and fixed write paths on a scratch database'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "explain" -d 'Decode one lock line into plain words'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "patterns" -d 'List the deadlock pattern catalogue, or print one pattern\'s documentation'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "redact" -d 'Write deadlock reports and lock tables back with their values replaced'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "man" -d 'Print the man page (roff) generated from this help'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze watch lab explain patterns redact completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
