#!/bin/sh
# Remove DIR, a LAYOUT dir of cluster CLUSTER, only when it carries CLUSTER's mark
# (DIR/.zkctl-cluster, a regular file, not a link, naming CLUSTER) and, unless FORCE is
# `force`, holds nothing zkctl or its service did not put there. LAYOUT says what may be
# there: `zkinstall` / `kafkainstall` (releases, current, conf or config with zkctl's
# files, its tls dir and the metrics agent's jar and rules, logs, java; Kafka's pid file),
# `zkdata` (myid, version-2, the pid file), `zklog`
# (version-2), `kafkadata` (meta.properties, checkpoints, partition dirs), `hostagent` and
# `monitoring` (the monitoring daemons' files, logs, Prometheus' data); `.zkctl-*`
# names anywhere. A mount point is emptied, not removed. Each KEEP (a name in DIR: data that
# lives inside an install dir, such as Prometheus' TSDB) stays with DIR's mark, and the rest of
# DIR is removed. Prints `removed DIR[ (what)]`, `absent DIR` or `kept DIR (why)`; an empty DIR
# or / is always kept.
# Usage: remove.sh LAYOUT CLUSTER FORCE DIR [KEEP...]
set -u
layout=$1 cluster=$2 force=$3 dir=$4
shift 4
keep() { echo "kept $dir ($1)"; exit 0; }
if [ -z "$dir" ] || [ "$dir" = / ]; then keep "refusing an empty path or /"; fi
if [ ! -e "$dir" ] && [ ! -L "$dir" ]; then echo "absent $dir"; exit 0; fi
mark=$dir/.zkctl-cluster
if [ -L "$mark" ] || [ ! -f "$mark" ]; then
  keep "no zkctl mark of cluster $cluster in it"
fi
owner=$(head -n 1 -- "$mark")
if [ "$owner" != "$cluster" ]; then keep "marked for cluster '$owner', not '$cluster'"; fi

# ours SUB NAME TYPE: NAME (a `d`irectory or `f`ile) in DIR/SUB is zkctl's or its service's.
ours() {
  case $2 in .zkctl-* | .*.zkctl-tmp*) return 0 ;; esac
  case $layout:$1:$2 in
    *install::releases | *install::current | *install::.current.tmp | *install::logs) return 0 ;;
    *install::java) return 0 ;;
    zkinstall::conf | kafkainstall::config | kafkainstall::kafka.pid) return 0 ;;
    zkinstall:conf:zoo.cfg | zkinstall:conf:zoo.cfg.bak | zkinstall:conf:zoo.cfg.dynamic.*) return 0 ;;
    zkinstall:conf:zookeeper-env.sh | zkinstall:conf:log4j.properties) return 0 ;;
    zkinstall:conf:logback.xml) return 0 ;;
    kafkainstall:config:server.properties | kafkainstall:config:kafka-env.sh) return 0 ;;
    kafkainstall:config:log4j.properties | kafkainstall:config:tools-log4j.properties) return 0 ;;
    kafkainstall:config:log4j2.yaml | kafkainstall:config:tools-log4j2.yaml) return 0 ;;
    kafkainstall:config:jmx_prometheus_javaagent.jar | kafkainstall:config:jmx-exporter.yml) return 0 ;;
    # The TLS material of a secure cluster (node.pem, ca.pem, admin.*): a dir zkctl made.
    zkinstall:conf:tls | kafkainstall:config:tls) [ "$3" = d ] && return 0 ;;
    zkdata::myid | zkdata::version-2 | zkdata::zookeeper_server.pid | zklog::version-2) return 0 ;;
    kafkadata::meta.properties | kafkadata::.lock | kafkadata::*checkpoint*) return 0 ;;
    kafkadata::.kafka_cleanshutdown) return 0 ;;
    # The monitoring daemons' dirs (zkctl's configs, TLS files, Prometheus' data, logs).
    hostagent::host-agent.args | hostagent::web.yml | hostagent::ca.pem | hostagent::node.pem) return 0 ;;
    hostagent::log | monitoring::log | monitoring::data | monitoring::tls) return 0 ;;
    monitoring::prometheus.args | monitoring::prometheus.yml | monitoring::rules.yml) return 0 ;;
    # Partition dirs: <topic>-<partition>, also while being deleted or moved.
    kafkadata::*-[0-9]*) [ "$3" = d ] && return 0 ;;
  esac
  return 1
}

# foreign SUB: the first entry of DIR/SUB that is not ours (nothing when all are).
foreign() {
  for _e in "$dir${1:+/$1}"/* "$dir${1:+/$1}"/.*; do
    _n=${_e##*/}
    case $_n in . | .. | '*' | '.*') [ -e "$_e" ] || [ -L "$_e" ] || continue ;; esac
    case $_n in . | ..) continue ;; esac
    _t=f
    if [ -d "$_e" ] && [ ! -L "$_e" ]; then _t=d; fi
    if ! ours "$1" "$_n" "$_t"; then
      echo "${1:+$1/}$_n"
      return 0
    fi
  done
}

if [ "$force" != force ]; then
  found=$(foreign "")
  if [ -z "$found" ]; then
    case $layout in
      zkinstall) if [ -d "$dir/conf" ] && [ ! -L "$dir/conf" ]; then found=$(foreign conf); fi ;;
      kafkainstall) if [ -d "$dir/config" ] && [ ! -L "$dir/config" ]; then found=$(foreign config); fi ;;
    esac
  fi
  if [ -n "$found" ]; then
    keep "it holds '$found', which zkctl did not put there; destroy --force removes it anyway"
  fi
fi
if [ $# -gt 0 ]; then
  # Everything but the KEEP names and the mark (a later destroy --purge-data needs it).
  for _e in "$dir"/* "$dir"/.[!.]* "$dir"/..?*; do
    [ -e "$_e" ] || [ -L "$_e" ] || continue
    _n=${_e##*/}
    _kept=no
    for _k in .zkctl-cluster "$@"; do [ "$_n" = "$_k" ] && _kept=yes; done
    [ "$_kept" = yes ] || rm -rf -- "$_e" || exit 1
  done
  echo "removed $dir (all but $*)"
  exit 0
fi
if command -v mountpoint >/dev/null 2>&1 && mountpoint -q -- "$dir"; then
  # A mount point (a data disk): empty it; the dir itself stays (rmdir would be refused).
  rm -rf -- "${dir:?}"/* "${dir:?}"/.[!.]* "${dir:?}"/..?* && echo "removed $dir (its contents: a mount point stays)"
  exit
fi
rm -rf -- "$dir" && echo "removed $dir"
