#pragma once
// Who is who on a secure cluster: the certificate subjects zkctl issues and the names
// ZooKeeper and Kafka see for them, and which combinations of [security] render.

#include <string>
#include <string_view>

#include "inventory/model.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// Common names of zkctl's own identities. Every broker and controller is the one identity
// "kafka" (ZooKeeper's x509 ACLs are per DN, and zookeeper.set.acl needs every broker to be
// the same identity); a user's certificate (mtls) carries the user's name.
inline constexpr std::string_view kZooKeeperCommonName = "zookeeper";
inline constexpr std::string_view kKafkaCommonName = "kafka";
inline constexpr std::string_view kAdminCommonName = "zkctl-admin";
inline constexpr std::string_view kSubjectOrganization = "zkctl";

// The subject of a certificate zkctl issues for `common_name` in cluster `cluster`, in the
// RFC 2253 form Java prints and ZooKeeper's x509 provider compares:
// "CN=<common_name>,OU=<cluster>,O=zkctl" (encoded O, OU, CN: RFC 2253 lists the last first).
std::string subject_dn(std::string_view common_name, std::string_view cluster);

// Kafka's name for `common_name` once ssl.principal.mapping.rules applied: "User:<name>".
std::string kafka_principal(std::string_view common_name);

// Kafka's ssl.principal.mapping.rules for `cluster`: a subject_dn of this cluster becomes its
// common name, anything else Kafka's DEFAULT (the whole DN). Fails if the cluster name holds
// a character other than [A-Za-z0-9_.-] (the rule is a regular expression, and a Java
// properties value cannot carry a backslash to escape one).
util::Result<std::string> kafka_principal_mapping_rules(std::string_view cluster);

// Whether `security` is one render knows: authentication needs TLS (servers prove who they
// are with certificates) and authorization needs authentication. The inventory refuses the
// others; this guards callers that build a cluster in code.
util::Result<void> check_security(const inventory::SecuritySettings& security);

// The security a node's files are rendered with: the on-ramp's target while a phase of it is
// rendered (Cluster::onramp), else the cluster's own.
const inventory::SecuritySettings& rendered_security(const inventory::Cluster& cluster);

// Whether a node of `cluster` holds TLS files (node.pem, ca.pem): the cluster has TLS, or an
// on-ramp phase towards TLS is rendered.
bool holds_tls_files(const inventory::Cluster& cluster);

}  // namespace zkctl::render
