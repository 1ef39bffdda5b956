
set edit:completion:arg-completer[whoami] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) WHOAMI_COMPLETE="elvish" whoami -- $@words) | to-lines
}

