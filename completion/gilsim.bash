# Bash completion for gilsim.  The candidates come from gilsim itself
# (`gilsim __complete WORD...`, cli/complete.c), from the tables its parser
# uses, so this file never needs to change when an option does.
_gilsim()
{
    local cur=${COMP_WORDS[COMP_CWORD]} candidates
    candidates=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
    if [[ $candidates == __files__ ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "$candidates" -- "$cur")
    fi
}
complete -F _gilsim gilsim
