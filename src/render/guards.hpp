#pragma once
// The value guards and formatting every renderer shares: a bad value fails the
// render with a message instead of producing a broken or injected config file.

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// `n` in decimal.
std::string num(long long n);

// A value of Java properties file `file` (zoo.cfg, server.properties), read by
// java.util.Properties from a Latin-1 stream: besides control characters, a
// backslash starts an escape and non-ASCII bytes would be read as other characters.
util::Result<void> check_properties_value(const std::string& what, std::string_view value,
                                          std::string_view file);

// Which extra keys of a config file zkctl writes itself.
using ManagedKey = bool (*)(std::string_view key);

// An extra key of `file`: letters, digits, '.', '_' and '-', and not one `managed` names.
util::Result<void> check_extra_key(std::string_view file, std::string_view key, ManagedKey managed);

// Fails unless `path` starts with '/'; `what` names it in the message.
util::Result<void> check_absolute(const std::string& what, const std::string& path);

// `host` for a host:port list entry: an IPv6 literal in brackets (':' separates the port).
std::string bracketed(const std::string& host);

// {key, value} items for a template's {{#...}}{{key}}={{value}}{{/...}} list.
kainjow::mustache::data key_value_list(
    const std::vector<std::pair<std::string, std::string>>& entries);

// `e` as an error of `node`'s render: "<host>: <message>".
util::Error on_node(const inventory::Node& node, const util::Error& e);

// Fails unless `nodes` (the cluster's servers or Kafka nodes) has one with `node`'s
// id and host; `what` names the kind ("server id 3 is not in cluster 'c'").
template <class N>
util::Result<void> check_member(const std::vector<N>& nodes, const inventory::Node& node,
                                const std::string& what, const std::string& cluster) {
  for (const N& n : nodes)
    if (n.id == node.id && n.host == node.host) return {};
  return util::fail(what + " id " + num(node.id) + " is not in cluster '" + cluster + "'");
}

}  // namespace zkctl::render
