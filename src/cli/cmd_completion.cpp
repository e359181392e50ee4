#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace zkctl::cli {

namespace {
// Completes subcommands, their options, inventory files and (for NODE
// arguments) the hosts of the cluster, read from `zkctl status --json`.
constexpr const char* kBash = R"BASH(# bash completion for zkctl; install with:
#   zkctl completion bash > /etc/bash_completion.d/zkctl
_zkctl() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  local commands="deploy plan status start stop restart verify exec logs destroy render completion"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  case $prev in
    -i|--inventory|--templates|--out) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -c|--cluster) COMPREPLY=($(compgen -W "$(ls "${ZKCTL_HOME:-$HOME/.zkctl}/clusters" 2>/dev/null)" -- "$cur")); return ;;
  esac
  local common="-i --inventory -c --cluster --parallel --accept-new-host-keys --allow-proxy-command --connect-timeout --command-timeout --help"
  local opts=""
  case $cmd in
    deploy) opts="$common --no-lock --probe-timeout --wait-timeout --templates" ;;
    plan) opts="$common --json --probe-timeout" ;;
    status) opts="$common --json --watch --probe-timeout" ;;
    start) opts="$common --no-lock --probe-timeout --wait-timeout" ;;
    stop) opts="$common --no-lock --force --all --probe-timeout --wait-timeout" ;;
    restart) opts="$common --no-lock --force --probe-timeout --wait-timeout" ;;
    verify) opts="-i --inventory -c --cluster --json -n --messages --probe-timeout --help" ;;
    exec) opts="$common --no-lock --json --" ;;
    logs) opts="$common --kafka -n --lines" ;;
    destroy) opts="$common --no-lock --yes --purge-data" ;;
    render) opts="-i --inventory -c --cluster --out --templates --help" ;;
    completion) opts="bash" ;;
  esac
  case $cmd in
    start|stop|restart|exec|logs)
      if [[ $cur != -* ]]; then
        local hosts
        hosts=$(zkctl status --json 2>/dev/null | sed -n 's/^ *"host": "\([^"]*\)".*/\1/p' | sort -u)
        COMPREPLY=($(compgen -W "$hosts" -- "$cur"))
        return
      fi ;;
    deploy|plan|render)
      if [[ $cur != -* ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _zkctl zkctl
)BASH";
}  // namespace

int cmd_completion(const std::string& shell) {
  if (shell != "bash") {
    std::fprintf(stderr, "zkctl: completion is available for bash\n");
    return kUsage;
  }
  std::fputs(kBash, stdout);
  return kOk;
}

}  // namespace zkctl::cli
