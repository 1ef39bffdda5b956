
use builtin;
use str;

set edit:completion:arg-completer[whoami] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'whoami'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'whoami'= {
            cand -p 'Every account of provider P; when none, the account named P (repeatable)'
            cand --provider 'Every account of provider P; when none, the account named P (repeatable)'
            cand -a 'One configured account, by name (repeatable)'
            cand --account 'One configured account, by name (repeatable)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --field 'Print only this field, one value per line (repeatable; e.g. profile.email, profile.organizations.0.role)'
            cand --jq 'Print what this jq expression makes of the JSON output (the object for one account, the array otherwise): strings bare, other values as compact JSON, one per line'
            cand --input 'Read a saved response body instead of calling the API (`-` for stdin)'
            cand --input-status 'The HTTP status the --input body came with'
            cand --base-url 'Override the base URL (exactly one account selected)'
            cand --timeout 'Whole-attempt timeout, body included (e.g. 10s, 1500ms) [default: 10s]'
            cand --retries 'Retries on transient failures (connection errors, timeouts, 429, 502, 503, 504) [default: 2]'
            cand --jobs 'Accounts checked at once [default: 16]'
            cand --min-validity 'A credential expiring sooner than D counts as rejected (JWT credentials; e.g. 7d)'
            cand --expect 'The result''s field at PATH must equal VALUE, else rejected (repeatable)'
            cand --color 'When to use color'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand --all 'Every configured account, concurrently'
            cand --raw 'Include the provider''s own response (redacted) as `raw`'
            cand --show-pii 'Show phone numbers and national IDs unmasked'
            cand -q 'Nothing on stdout; one stderr line per account that is not ok'
            cand --quiet 'Nothing on stdout; one stderr line per account that is not ok'
            cand -v 'Request log on stderr (repeat for more: -vv response headers, -vvv request headers)'
            cand --verbose 'Request log on stderr (repeat for more: -vv response headers, -vvv request headers)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand providers 'Every provider: base URL, auth, where it is defined (-o json: its variables too)'
            cand accounts 'Configured accounts and where each credential comes from (sends nothing)'
            cand config 'Where the config is, and whether it is valid'
            cand init 'Write a commented config skeleton (mode 0600; never overwrites)'
            cand login 'Verify a token live, store it in the OS keyring and add its account to the config'
            cand logout 'Remove an account from the config, and the secret `login` stored for it'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'whoami;providers'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Print a provider''s definition (TOML with jq mappings, comments included)'
            cand check 'Validate a definition file (keys, jq expressions); sends nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'whoami;providers;show'= {
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;providers;check'= {
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;providers;help'= {
            cand show 'Print a provider''s definition (TOML with jq mappings, comments included)'
            cand check 'Validate a definition file (keys, jq expressions); sends nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'whoami;providers;help;show'= {
        }
        &'whoami;providers;help;check'= {
        }
        &'whoami;providers;help;help'= {
        }
        &'whoami;accounts'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;config'= {
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand path 'Print the config file''s path'
            cand check 'Validate the config (keys, types, providers, required settings); sends nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'whoami;config;path'= {
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;config;check'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;config;help'= {
            cand path 'Print the config file''s path'
            cand check 'Validate the config (keys, types, providers, required settings); sends nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'whoami;config;help;path'= {
        }
        &'whoami;config;help;check'= {
        }
        &'whoami;config;help;help'= {
        }
        &'whoami;init'= {
            cand -p 'Only this provider''s account'
            cand --provider 'Only this provider''s account'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;login'= {
            cand -p 'The provider [default: the account''s own, when it exists]'
            cand --provider 'The provider [default: the account''s own, when it exists]'
            cand -a 'The account''s name [default: the provider id]'
            cand --account 'The account''s name [default: the provider id]'
            cand --base-url 'The account''s base URL (your instance, for providers without a shared host)'
            cand --set 'A provider setting for the account (repeatable; see `whoami providers show P`)'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand --with-token 'Read the token from standard input instead of asking for it'
            cand --force 'Replace an existing account''s credential (and the keys given here)'
            cand --insecure-storage 'Keep the token in a file beside the config (mode 0600) instead of the OS keyring'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;logout'= {
            cand -a 'The account to remove'
            cand --account 'The account to remove'
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;completions'= {
            cand --config 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'whoami;help'= {
            cand providers 'Every provider: base URL, auth, where it is defined (-o json: its variables too)'
            cand accounts 'Configured accounts and where each credential comes from (sends nothing)'
            cand config 'Where the config is, and whether it is valid'
            cand init 'Write a commented config skeleton (mode 0600; never overwrites)'
            cand login 'Verify a token live, store it in the OS keyring and add its account to the config'
            cand logout 'Remove an account from the config, and the secret `login` stored for it'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'whoami;help;providers'= {
            cand show 'Print a provider''s definition (TOML with jq mappings, comments included)'
            cand check 'Validate a definition file (keys, jq expressions); sends nothing'
        }
        &'whoami;help;providers;show'= {
        }
        &'whoami;help;providers;check'= {
        }
        &'whoami;help;accounts'= {
        }
        &'whoami;help;config'= {
            cand path 'Print the config file''s path'
            cand check 'Validate the config (keys, types, providers, required settings); sends nothing'
        }
        &'whoami;help;config;path'= {
        }
        &'whoami;help;config;check'= {
        }
        &'whoami;help;init'= {
        }
        &'whoami;help;login'= {
        }
        &'whoami;help;logout'= {
        }
        &'whoami;help;completions'= {
        }
        &'whoami;help;help'= {
        }
    ]
    $completions[$command]
}
