complete --keep-order --exclusive --command whoami --arguments "(WHOAMI_COMPLETE=fish whoami -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
