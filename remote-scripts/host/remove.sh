#!/bin/sh
# Remove DIR only if it carries zkctl's marks for KIND: `install` (a releases dir and a
# current release), `zkdata` (a myid), `kafkadata` (a meta.properties, or empty). Prints
# `removed DIR`, `absent DIR` or `kept DIR (why)`; an empty DIR or / is always kept.
# Usage: remove.sh KIND DIR
kind=$1 dir=$2
keep() { echo "kept $dir ($1)"; exit 0; }
if [ -z "$dir" ] || [ "$dir" = / ]; then keep "refusing an empty path or /"; fi
if [ ! -e "$dir" ]; then echo "absent $dir"; exit 0; fi
case $kind in
  install)
    if [ ! -d "$dir/releases" ] || [ ! -f "$dir/current/.zkctl-release" ]; then
      keep "no zkctl release in it"
    fi ;;
  zkdata) [ -f "$dir/myid" ] || keep "no myid: not a ZooKeeper data dir" ;;
  kafkadata)
    if [ ! -f "$dir/meta.properties" ] && [ -n "$(ls -A -- "$dir")" ]; then
      keep "no meta.properties: not a Kafka log dir"
    fi ;;
esac
rm -rf -- "$dir" && echo "removed $dir"
