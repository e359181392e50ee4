#!/usr/bin/env bash
# The installed man page and completions against the binary's own --help: every subcommand and
# every option --help lists is in zkctl(1) (under that subcommand) and in the bash, zsh and fish
# completion; each script parses in its shell (zsh and fish from Debian's packages, see
# scripts/setup.sh) and completes subcommands; the man page renders without warnings.
# Usage: test_man_and_completions.sh ZKCTL MANPAGE BASH_COMPLETION ZSH_COMPLETION FISH_COMPLETION
set -euo pipefail
zkctl=${1:?usage: test_man_and_completions.sh ZKCTL MANPAGE BASH ZSH FISH}
man_page=${2:?} bash_file=${3:?} zsh_file=${4:?} fish_file=${5:?}
fail() { echo "FAIL: $*" >&2; exit 1; }

# The option names of one --help text ("-i", "--inventory", ...), one a line.
options_of() { sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n' | sort -u; }
# The subcommands the top-level --help lists.
mapfile -t commands < <("$zkctl" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
((${#commands[@]} >= 10)) || fail "--help lists only ${#commands[@]} subcommands: ${commands[*]}"

# The roff source with escaped hyphens made plain, and one subcommand's part of it.
man_text=$(sed 's/\\-/-/g' "$man_page")
man_section() { awk -v want=".SS $1" '$0 == want {on = 1; next} /^\.S[SH] / {on = 0} on' <<<"$man_text"; }
for opt in $("$zkctl" --help | options_of); do
  sed -n '/^\.SH OPTIONS/,/^\.SH COMMANDS/p' <<<"$man_text" | grep -q -- "$opt" ||
    fail "zkctl(1) OPTIONS lacks the program option $opt"
done
for cmd in "${commands[@]}"; do
  section=$(man_section "$cmd")
  [[ -n $section ]] || fail "zkctl(1) has no section for the subcommand $cmd"
  for opt in $("$zkctl" "$cmd" --help | options_of); do
    grep -q -e "B$opt\\b" -e ", $opt\\b" <<<"$section" || fail "zkctl(1) $cmd lacks $opt"
  done
  for file in "$bash_file" "$zsh_file" "$fish_file"; do
    grep -q "\\b$cmd\\b" "$file" || fail "$(basename "$file") lacks the subcommand $cmd"
  done
  for opt in $("$zkctl" "$cmd" --help | options_of); do
    grep -q -- " $opt\\b" "$bash_file" || fail "bash completion lacks $cmd $opt"
    grep -q -- "'$opt\\[" "$zsh_file" || fail "zsh completion lacks $cmd $opt"
    long=${opt#--}
    if [[ $opt == --* ]]; then pat="-l $long\\b"; else pat="-s ${opt#-}\\b"; fi
    grep "__fish_seen_subcommand_from $cmd'" "$fish_file" | grep -q -- "$pat" ||
      fail "fish completion lacks $cmd $opt"
  done
done
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$man_page" 2>&1 >/dev/null)
  [[ -z $warnings ]] || fail "man -l $man_page warns: $warnings"
  MANWIDTH=80 man -l "$man_page" 2>/dev/null | grep -q "EXIT STATUS" || fail "man page renders no EXIT STATUS"
fi

# The installed files are what the binary prints, and each parses in its shell.
for shell in bash zsh fish; do
  file_var=${shell}_file
  cmp -s "${!file_var}" <("$zkctl" completion "$shell") || fail "$shell completion file differs from zkctl completion $shell"
  command -v "$shell" >/dev/null || fail "$shell not installed (apt-get install $shell; scripts/setup.sh does)"
  "$shell" -n "${!file_var}" || fail "$shell -n rejects the $shell completion"
done
"$zkctl" completion ksh >/dev/null 2>&1 && fail "completion ksh: exit 0"

# They complete: subcommands by prefix, the completion shells, a subcommand's options.
got=$(bash -c "source '$bash_file'; COMP_WORDS=(zkctl completion ''); COMP_CWORD=2; _zkctl; echo \"\${COMPREPLY[*]}\"")
[[ $got == "bash zsh fish" ]] || fail "bash: completion of 'zkctl completion ' gave '$got'"
got=$(bash -c "source '$bash_file'; COMP_WORDS=(zkctl check --js); COMP_CWORD=2; _zkctl; echo \"\${COMPREPLY[*]}\"")
[[ $got == "--json" ]] || fail "bash: completion of 'zkctl check --js' gave '$got'"
got=$(fish -c "source '$fish_file'; complete -C 'zkctl re'" | cut -f1 | tr '\n' ' ')
[[ $got == "rebalance recover render restart restore " ]] || fail "fish: completion of 'zkctl re' gave '$got'"
got=$(fish -c "source '$fish_file'; complete -C 'zkctl verify --mes'" | cut -f1)
[[ $got == "--messages" ]] || fail "fish: completion of 'zkctl verify --mes' gave '$got'"
# zsh completes in an interactive shell on a pseudo-terminal: Tab after "zkctl check --js".
zdir=$(mktemp -d)
trap 'rm -rf "$zdir"' EXIT
cp "$zsh_file" "$zdir/_zkctl"
cat >"$zdir/drive.zsh" <<'ZSH'
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zkctl check --js"$'\t'
zpty -r z out '*--json*' && print completed
ZSH
got=$(timeout 20 zsh -f "$zdir/drive.zsh" "$zdir" 2>&1 | tail -n 1) || true
[[ $got == completed ]] || fail "zsh: Tab after 'zkctl check --js' did not complete --json"
echo "man page and completions match --help"
