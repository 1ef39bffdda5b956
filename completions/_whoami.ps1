
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'whoami' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'whoami'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'whoami' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Every account of provider P; when none, the account named P (repeatable)')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Every account of provider P; when none, the account named P (repeatable)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'One configured account, by name (repeatable)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'One configured account, by name (repeatable)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Print only this field, one value per line (repeatable; e.g. profile.email, profile.organizations.0.role)')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Print what this jq expression makes of the JSON output (the object for one account, the array otherwise): strings bare, other values as compact JSON, one per line')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Read a saved response body instead of calling the API (`-` for stdin)')
            [CompletionResult]::new('--input-status', '--input-status', [CompletionResultType]::ParameterName, 'The HTTP status the --input body came with')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Override the base URL (exactly one account selected)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-attempt timeout, body included (e.g. 10s, 1500ms) [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries on transient failures (connection errors, timeouts, 429, 502, 503, 504) [default: 2]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Accounts checked at once [default: 16]')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'A credential expiring sooner than D counts as rejected (JWT credentials; e.g. 7d)')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'The result''s field at PATH must equal VALUE, else rejected (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every configured account, concurrently')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Include the provider''s own response (redacted) as `raw`')
            [CompletionResult]::new('--show-pii', '--show-pii', [CompletionResultType]::ParameterName, 'Show phone numbers and national IDs unmasked')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Nothing on stdout; one stderr line per account that is not ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Nothing on stdout; one stderr line per account that is not ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request log on stderr (repeat for more: -vv response headers, -vvv request headers)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request log on stderr (repeat for more: -vv response headers, -vvv request headers)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'Every provider: base URL, auth, where it is defined (-o json: its variables too)')
            [CompletionResult]::new('accounts', 'accounts', [CompletionResultType]::ParameterValue, 'Configured accounts and where each credential comes from (sends nothing)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Where the config is, and whether it is valid')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented config skeleton (mode 0600; never overwrites)')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Verify a token live, store it in the OS keyring and add its account to the config')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove an account from the config, and the secret `login` stored for it')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'whoami;providers' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a provider''s definition (TOML with jq mappings, comments included)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a definition file (keys, jq expressions); sends nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'whoami;providers;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;providers;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;providers;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a provider''s definition (TOML with jq mappings, comments included)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a definition file (keys, jq expressions); sends nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'whoami;providers;help;show' {
            break
        }
        'whoami;providers;help;check' {
            break
        }
        'whoami;providers;help;help' {
            break
        }
        'whoami;accounts' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config file''s path')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the config (keys, types, providers, required settings); sends nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'whoami;config;path' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;config;check' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;config;help' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config file''s path')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the config (keys, types, providers, required settings); sends nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'whoami;config;help;path' {
            break
        }
        'whoami;config;help;check' {
            break
        }
        'whoami;config;help;help' {
            break
        }
        'whoami;init' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this provider''s account')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Only this provider''s account')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;login' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The provider [default: the account''s own, when it exists]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'The provider [default: the account''s own, when it exists]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'The account''s name [default: the provider id]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account''s name [default: the provider id]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The account''s base URL (your instance, for providers without a shared host)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'A provider setting for the account (repeatable; see `whoami providers show P`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Read the token from standard input instead of asking for it')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing account''s credential (and the keys given here)')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'Keep the token in a file beside the config (mode 0600) instead of the OS keyring')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;logout' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'The account to remove')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account to remove')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'whoami;help' {
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'Every provider: base URL, auth, where it is defined (-o json: its variables too)')
            [CompletionResult]::new('accounts', 'accounts', [CompletionResultType]::ParameterValue, 'Configured accounts and where each credential comes from (sends nothing)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Where the config is, and whether it is valid')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented config skeleton (mode 0600; never overwrites)')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Verify a token live, store it in the OS keyring and add its account to the config')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove an account from the config, and the secret `login` stored for it')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'whoami;help;providers' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a provider''s definition (TOML with jq mappings, comments included)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a definition file (keys, jq expressions); sends nothing')
            break
        }
        'whoami;help;providers;show' {
            break
        }
        'whoami;help;providers;check' {
            break
        }
        'whoami;help;accounts' {
            break
        }
        'whoami;help;config' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config file''s path')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the config (keys, types, providers, required settings); sends nothing')
            break
        }
        'whoami;help;config;path' {
            break
        }
        'whoami;help;config;check' {
            break
        }
        'whoami;help;init' {
            break
        }
        'whoami;help;login' {
            break
        }
        'whoami;help;logout' {
            break
        }
        'whoami;help;completions' {
            break
        }
        'whoami;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
