# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_whoami_global_optspecs
    string join \n p/provider= a/account= all o/output= field= jq= raw input= input-status= base-url= timeout= retries= jobs= min-validity= expect= color= show-pii q/quiet v/verbose config= h/help V/version
end

function __fish_whoami_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_whoami_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_whoami_using_subcommand
    set -l cmd (__fish_whoami_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c whoami -n "__fish_whoami_needs_command" -s p -l provider -d 'Every account of provider P; when none, the account named P (repeatable)' -r
complete -c whoami -n "__fish_whoami_needs_command" -s a -l account -d 'One configured account, by name (repeatable)' -r
complete -c whoami -n "__fish_whoami_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
junit\t'JUnit XML: one test case per account, for CI test reporters'
github\t'GitHub Actions workflow commands: an annotation per account'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector'"
complete -c whoami -n "__fish_whoami_needs_command" -l field -d 'Print only this field, one value per line (repeatable; e.g. profile.email, profile.organizations.0.role)' -r
complete -c whoami -n "__fish_whoami_needs_command" -l jq -d 'Print what this jq expression makes of the JSON output (the object for one account, the array otherwise): strings bare, other values as compact JSON, one per line' -r
complete -c whoami -n "__fish_whoami_needs_command" -l input -d 'Read a saved response body instead of calling the API (`-` for stdin)' -r
complete -c whoami -n "__fish_whoami_needs_command" -l input-status -d 'The HTTP status the --input body came with' -r
complete -c whoami -n "__fish_whoami_needs_command" -l base-url -d 'Override the base URL (exactly one account selected)' -r
complete -c whoami -n "__fish_whoami_needs_command" -l timeout -d 'Whole-attempt timeout, body included (e.g. 10s, 1500ms) [default: 10s]' -r
complete -c whoami -n "__fish_whoami_needs_command" -l retries -d 'Retries on transient failures (connection errors, timeouts, 429, 502, 503, 504) [default: 2]' -r
complete -c whoami -n "__fish_whoami_needs_command" -l jobs -d 'Accounts checked at once [default: 16]' -r
complete -c whoami -n "__fish_whoami_needs_command" -l min-validity -d 'A credential expiring sooner than D counts as rejected (JWT credentials; e.g. 7d)' -r
complete -c whoami -n "__fish_whoami_needs_command" -l expect -d 'The result\'s field at PATH must equal VALUE, else rejected (repeatable)' -r
complete -c whoami -n "__fish_whoami_needs_command" -l color -d 'When to use color' -r -f -a "auto\t''
always\t''
never\t''"
complete -c whoami -n "__fish_whoami_needs_command" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_needs_command" -l all -d 'Every configured account, concurrently'
complete -c whoami -n "__fish_whoami_needs_command" -l raw -d 'Include the provider\'s own response (redacted) as `raw`'
complete -c whoami -n "__fish_whoami_needs_command" -l show-pii -d 'Show phone numbers and national IDs unmasked'
complete -c whoami -n "__fish_whoami_needs_command" -s q -l quiet -d 'Nothing on stdout; one stderr line per account that is not ok'
complete -c whoami -n "__fish_whoami_needs_command" -s v -l verbose -d 'Request log on stderr (repeat for more: -vv response headers, -vvv request headers)'
complete -c whoami -n "__fish_whoami_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c whoami -n "__fish_whoami_needs_command" -s V -l version -d 'Print version'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "providers" -d 'Every provider: base URL, auth, where it is defined (-o json: its variables too)'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "accounts" -d 'Configured accounts and where each credential comes from (sends nothing)'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "config" -d 'Where the config is, and whether it is valid'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "init" -d 'Write a commented config skeleton (mode 0600; never overwrites)'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "login" -d 'Verify a token live, store it in the OS keyring and add its account to the config'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "logout" -d 'Remove an account from the config, and the secret `login` stored for it'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c whoami -n "__fish_whoami_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and not __fish_seen_subcommand_from show check help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c whoami -n "__fish_whoami_using_subcommand providers; and not __fish_seen_subcommand_from show check help" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand providers; and not __fish_seen_subcommand_from show check help" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and not __fish_seen_subcommand_from show check help" -f -a "show" -d 'Print a provider\'s definition (TOML with jq mappings, comments included)'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and not __fish_seen_subcommand_from show check help" -f -a "check" -d 'Validate a definition file (keys, jq expressions); sends nothing'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and not __fish_seen_subcommand_from show check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from check" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a provider\'s definition (TOML with jq mappings, comments included)'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate a definition file (keys, jq expressions); sends nothing'
complete -c whoami -n "__fish_whoami_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c whoami -n "__fish_whoami_using_subcommand accounts" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c whoami -n "__fish_whoami_using_subcommand accounts" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand accounts" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand config; and not __fish_seen_subcommand_from path check help" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand config; and not __fish_seen_subcommand_from path check help" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand config; and not __fish_seen_subcommand_from path check help" -f -a "path" -d 'Print the config file\'s path'
complete -c whoami -n "__fish_whoami_using_subcommand config; and not __fish_seen_subcommand_from path check help" -f -a "check" -d 'Validate the config (keys, types, providers, required settings); sends nothing'
complete -c whoami -n "__fish_whoami_using_subcommand config; and not __fish_seen_subcommand_from path check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the config file\'s path'
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the config (keys, types, providers, required settings); sends nothing'
complete -c whoami -n "__fish_whoami_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c whoami -n "__fish_whoami_using_subcommand init" -s p -l provider -d 'Only this provider\'s account' -r
complete -c whoami -n "__fish_whoami_using_subcommand init" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand init" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand login" -s p -l provider -d 'The provider [default: the account\'s own, when it exists]' -r
complete -c whoami -n "__fish_whoami_using_subcommand login" -s a -l account -d 'The account\'s name [default: the provider id]' -r
complete -c whoami -n "__fish_whoami_using_subcommand login" -l base-url -d 'The account\'s base URL (your instance, for providers without a shared host)' -r
complete -c whoami -n "__fish_whoami_using_subcommand login" -l set -d 'A provider setting for the account (repeatable; see `whoami providers show P`)' -r
complete -c whoami -n "__fish_whoami_using_subcommand login" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand login" -l with-token -d 'Read the token from standard input instead of asking for it'
complete -c whoami -n "__fish_whoami_using_subcommand login" -l force -d 'Replace an existing account\'s credential (and the keys given here)'
complete -c whoami -n "__fish_whoami_using_subcommand login" -l insecure-storage -d 'Keep the token in a file beside the config (mode 0600) instead of the OS keyring'
complete -c whoami -n "__fish_whoami_using_subcommand login" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand logout" -s a -l account -d 'The account to remove' -r
complete -c whoami -n "__fish_whoami_using_subcommand logout" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand logout" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand completions" -l config -d 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]' -r -F
complete -c whoami -n "__fish_whoami_using_subcommand completions" -s h -l help -d 'Print help'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "providers" -d 'Every provider: base URL, auth, where it is defined (-o json: its variables too)'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "accounts" -d 'Configured accounts and where each credential comes from (sends nothing)'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "config" -d 'Where the config is, and whether it is valid'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "init" -d 'Write a commented config skeleton (mode 0600; never overwrites)'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "login" -d 'Verify a token live, store it in the OS keyring and add its account to the config'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "logout" -d 'Remove an account from the config, and the secret `login` stored for it'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c whoami -n "__fish_whoami_using_subcommand help; and not __fish_seen_subcommand_from providers accounts config init login logout completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c whoami -n "__fish_whoami_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "show" -d 'Print a provider\'s definition (TOML with jq mappings, comments included)'
complete -c whoami -n "__fish_whoami_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "check" -d 'Validate a definition file (keys, jq expressions); sends nothing'
complete -c whoami -n "__fish_whoami_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the config file\'s path'
complete -c whoami -n "__fish_whoami_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate the config (keys, types, providers, required settings); sends nothing'
