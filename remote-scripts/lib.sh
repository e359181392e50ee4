# shellcheck shell=sh
# The one library of zkctl's remote scripts. A script takes it in with the line
#   . "$(dirname "$0")/../lib.sh"
# which the build replaces by the functions of this file the script calls (and the
# ones those call), so a script runs the same as a file here and inlined in
# `sh -c SCRIPT zkctl ARG...` on a host. POSIX sh (hosts run it with dash); function
# locals start with `_` (POSIX has no `local`).

# alive PID TEXT: true if PID is a live process (not a zombie) whose command line
# contains TEXT, so a stale pid file or a recycled PID never names another program.
alive() {
  case $1 in ('' | *[!0-9]*) return 1 ;; esac
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -e "$2"
}

# find_pid TEXT: print the PID of a live process whose command line (arguments joined
# by spaces) contains TEXT; false if there is none.
find_pid() {
  for _d in /proc/[0-9]*; do
    _c=$(tr '\0' ' ' 2>/dev/null <"$_d/cmdline") || continue
    case $_c in (*"$1"*) printf '%s\n' "${_d#/proc/}"; return 0 ;; esac
  done
  return 1
}

# running_pid PIDFILE TEXT USER: print the PID in PIDFILE if `alive PID TEXT`. The pid
# file lives in a dir USER owns, so USER reads it (user_reads).
running_pid() {
  _p=$(user_reads "$3" "$1" head -c 32 | tr -dc '0-9')
  alive "$_p" "$2" && printf '%s\n' "$_p"
}

# main_pid UNIT: print the main PID systemd gives UNIT; false if it has none.
main_pid() {
  _p=$(systemctl show -p MainPID --value -- "$1" 2>/dev/null)
  [ -n "$_p" ] && [ "$_p" != 0 ] && printf '%s\n' "$_p"
}

# unit_pid UNIT TEXT: print UNIT's main PID if `alive PID TEXT`; false for an empty
# UNIT or a host without systemctl.
unit_pid() {
  [ -n "$1" ] && command -v systemctl >/dev/null 2>&1 || return 1
  _p=$(main_pid "$1") && alive "$_p" "$2" && printf '%s\n' "$_p"
}

# await_pid TRIES CMD [ARG...]: run CMD (a PID lookup above) up to TRIES times, 0.1 s
# apart, until it prints a PID; then print `pid=PID`. False if it never does.
await_pid() {
  _n=$1
  shift
  while :; do
    if _pid=$("$@"); then
      printf 'pid=%s\n' "$_pid"
      return 0
    fi
    _n=$((_n - 1))
    [ "$_n" -gt 0 ] || return 1
    sleep 0.1
  done
}

# as_user USER CMD [ARG...]: run CMD as USER with USER's groups; as it is for root or
# an empty USER. Only root can switch: anyone else gets an error naming USER.
as_user() {
  _u=$1
  shift
  if [ -z "$_u" ] || [ "$_u" = root ]; then
    "$@"
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "cannot run as $_u: not root" >&2
    return 1
  fi
  setpriv --reuid="$_u" --regid="$(id -g -- "$_u")" --init-groups -- "$@"
}

# user_reads USER FILE CMD [ARG...]: CMD run as USER (as_user) with FILE, opened by USER,
# on standard input, if FILE is a regular file; false (quietly) otherwise. Files in a dir
# USER owns are read this way: a link USER planted there gives USER's view of its
# target, never root's, and there is no window between a check and the open.
user_reads() {
  _u=$1 _f=$2
  shift 2
  # shellcheck disable=SC2016
  as_user "$_u" sh -c '[ -f "$0" ] && exec "$@" <"$0"' "$_f" "$@" 2>/dev/null
}

# env_as_user USER ENV CMD [ARG...]: CMD run as USER (as_user) in USER's shell after it
# sourced the env file ENV (an absolute path) with every assignment exported. Root never
# sources ENV for another USER, so an env file that user could rewrite never runs as root.
env_as_user() {
  _u=$1 _e=$2
  shift 2
  # shellcheck disable=SC2016
  as_user "$_u" sh -c 'set -a && . "$0" && set +a && exec "$@"' "$_e" "$@"
}

# atomic_copy SRC DEST [TMP [MODE]]: copy SRC to TMP (default .NAME.zkctl-tmp beside
# DEST), chmod it to MODE if given, flush it, rename it over DEST: DEST is the old file
# or the new one, never a part. On failure TMP is removed and the status is non-zero.
# cp and chmod follow links: only for dirs no one but the caller can write (a dir the
# service user owns gets its files through write-as.sh, as that user).
atomic_copy() {
  _tmp=${3:-$(dirname -- "$2")/.$(basename -- "$2").zkctl-tmp}
  if cp -- "$1" "$_tmp" && { [ -z "${4:-}" ] || chmod -- "$4" "$_tmp"; } &&
    sync -- "$_tmp" && mv -f -T -- "$_tmp" "$2"; then
    return 0
  fi
  rm -f -- "$_tmp"
  return 1
}

# root_dir DIR: make DIR owned by the caller (root) and writable by no one else, so no
# other user can swap its entries. DIR's parent must be the caller's already (a link
# there is the caller's own).
root_dir() {
  chown -- "$(id -u):$(id -g)" "$1" && chmod -- go-w "$1"
}

# atomic_write DEST: write standard input to DEST the same way (temp name beside it,
# then rename), so a reader sees DEST absent or whole.
atomic_write() {
  _tmp=$(dirname -- "$1")/.$(basename -- "$1").zkctl-tmp
  if cat >"$_tmp" && mv -f -- "$_tmp" "$1"; then return 0; fi
  rm -f -- "$_tmp"
  return 1
}

# atomic_symlink TARGET LINK: point LINK at TARGET by renaming a new link over it.
atomic_symlink() {
  _tmp=$(dirname -- "$2")/.$(basename -- "$2").tmp
  ln -sfn -- "$1" "$_tmp" && mv -T -- "$_tmp" "$2"
}

# host_facts JRELEASE USER: the facts every inspect starts with, one `key=value` line
# each (ops::parse_common_fact): `java=` the first line of `java -version` (java on
# PATH), `jrelease=` the pushed JDK's release (file JRELEASE), `pid1=` PID 1's name,
# `nouser=1` if USER does not exist.
host_facts() {
  if command -v java >/dev/null 2>&1; then
    printf 'java=%s\n' "$(java -version 2>&1 | head -n 1)"
  fi
  if [ -f "$1" ]; then printf 'jrelease=%s\n' "$(head -n 1 -- "$1")"; fi
  printf 'pid1=%s\n' "$(head -n 1 /proc/1/comm 2>/dev/null)"
  if ! id -u -- "$2" >/dev/null 2>&1; then echo nouser=1; fi
}

# unwritable DIR: `unwritable=DIR` if DIR is not empty and its nearest existing
# ancestor is not a writable directory (so DIR cannot be created).
unwritable() {
  [ -n "$1" ] || return 0
  _p=$1
  while [ ! -e "$_p" ]; do _p=$(dirname -- "$_p"); done
  if [ ! -d "$_p" ] || [ ! -w "$_p" ]; then printf 'unwritable=%s\n' "$1"; fi
}

# first_line KEY FILE: `KEY=` FILE's first line, if FILE exists.
first_line() {
  if [ -f "$2" ]; then printf '%s=%s\n' "$1" "$(head -n 1 -- "$2")"; fi
}

# restart_pending DIR: `restart_pending=1` if DIR (a node's install dir) holds the mark of a
# restart an interrupted deploy still owes (host/restart-pending.sh); only existence is read.
restart_pending() {
  if [ -f "$1/.zkctl-restart-pending" ] && [ ! -L "$1/.zkctl-restart-pending" ]; then
    echo restart_pending=1
  fi
}

# process_facts PID: `pid=PID` and `pid_user=` the user it runs as.
process_facts() {
  printf 'pid=%s\n' "$1"
  printf 'pid_user=%s\n' "$(stat -c %U "/proc/$1" 2>/dev/null)"
}

# listeners PORTS: `listen=PORT <ss line>` for each socket listening on one of the
# comma-separated PORTS (nothing without ss).
listeners() {
  command -v ss >/dev/null 2>&1 || return 0
  for _port in $(printf '%s' "$1" | tr ',' ' '); do
    ss -Hltnp "sport = :$_port" 2>/dev/null | sed -n "s/^/listen=$_port /p"
  done
}

# checksums USER FILE...: `file=SHA256 FILE` for each FILE that is a regular file USER
# can read, read as USER (user_reads): the files are the service's configs, which it reads
# too, and some lie in dirs it owns. A file USER may not read (zkctl's own admin key and client
# config) is summed by root only when root_private says nobody else could have put it there.
checksums() {
  _cu=$1
  shift
  for _f in "$@"; do
    if _s=$(user_reads "$_cu" "$_f" sha256sum) || { root_private "$_f" && _s=$(sha256sum <"$_f"); }; then
      printf 'file=%s %s\n' "${_s%% *}" "$_f"
    fi
  done
}

# root_private FILE: true if FILE is a regular file (not a link) owned by root in a directory
# owned by root that no one else may write: root can read it without following anything a
# service user planted.
root_private() {
  [ -f "$1" ] && [ ! -L "$1" ] || return 1
  _rd=$(dirname "$1")
  [ "$(stat -c %u "$1")" = 0 ] && [ "$(stat -c %u "$_rd")" = 0 ] || return 1
  case $(stat -c %A "$_rd") in
  ?????w???? | ????????w?) return 1 ;;
  esac
}

# kafka_tool INSTALL FLAG SERVERS CONFIG TOOL [ARG...]: Kafka's admin TOOL (bin/TOOL of INSTALL's
# current release) asking SERVERS through FLAG (--bootstrap-server or --bootstrap-controller),
# with CONFIG's client properties (--command-config) unless CONFIG is "", in a 128 MB heap;
# prints its output, stderr joined; its exit status.
kafka_tool() {
  _ki=$1 _kf=$2 _ks=$3 _kc=$4 _kt=$5
  shift 5
  if [ -n "$_kc" ]; then set -- --command-config "$_kc" "$@"; fi
  KAFKA_HEAP_OPTS="-Xmx128m" "$_ki/current/bin/$_kt" "$_kf" "$_ks" "$@" 2>&1
}
