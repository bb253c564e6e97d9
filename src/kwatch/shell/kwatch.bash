# bash completion for kwatch. Generated from the app by completions/generate.py: do not edit.
_kwatch_completion() {
    local IFS=$'
'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _KWATCH_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _kwatch_completion kwatch
