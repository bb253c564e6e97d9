# fish completion for kwatch. Generated from the app by completions/generate.py: do not edit.
function __kwatch_values
    set -g __kwatch_values (env _KWATCH_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args _TYPER_COMPLETE_ARGS=(commandline -cp) kwatch)
    test -n "$__kwatch_values"
end
complete --command kwatch --no-files --arguments '(string join \n -- $__kwatch_values)' --condition __kwatch_values
