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
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "explain" -d 'Decode one lock line into plain words'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "patterns" -d 'List the deadlock pattern catalogue, or print one pattern\'s documentation'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "man" -d 'Print the man page (roff) generated from this help'
complete -c lockscope -n "__fish_lockscope_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s f -l format -d 'Output format' -r -f -a "text\t'Plain-language report with tables, for a terminal'
json\t'One JSON document (see `report::json` for the contract)'
jsonl\t'One JSON object per line: a deadlock, a warning, the summary'"
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l width -d 'Width of the text report in columns (default: $COLUMNS, else 80)' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l fail-on -d 'Exit 1 when a deadlock matches `any`, `unclassified` or pattern ids' -r
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -l full -d 'Print statements whole instead of shortening them'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s q -l quiet -d 'Do not print warnings about unreadable lines (they still appear in JSON)'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand analyze" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand explain" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand patterns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand patterns" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockscope -n "__fish_lockscope_using_subcommand completions" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand man" -s h -l help -d 'Print help'
complete -c lockscope -n "__fish_lockscope_using_subcommand man" -s V -l version -d 'Print version'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze explain patterns completions man help" -f -a "analyze" -d 'Read deadlock reports from files or stdin and explain each one'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze explain patterns completions man help" -f -a "explain" -d 'Decode one lock line into plain words'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze explain patterns completions man help" -f -a "patterns" -d 'List the deadlock pattern catalogue, or print one pattern\'s documentation'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze explain patterns completions man help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze explain patterns completions man help" -f -a "man" -d 'Print the man page (roff) generated from this help'
complete -c lockscope -n "__fish_lockscope_using_subcommand help; and not __fish_seen_subcommand_from analyze explain patterns completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
