#include "probe/kafka_acl.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <memory>

#include "probe/kafka_handle.hpp"

namespace zkctl::probe {

using namespace kafka_detail;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {

using std::chrono::milliseconds;

constexpr std::array<AclOperation, 11> kOperations = {AclOperation::all,
                                                      AclOperation::read,
                                                      AclOperation::write,
                                                      AclOperation::create,
                                                      AclOperation::remove,
                                                      AclOperation::alter,
                                                      AclOperation::describe,
                                                      AclOperation::cluster_action,
                                                      AclOperation::describe_configs,
                                                      AclOperation::alter_configs,
                                                      AclOperation::idempotent_write};

rd_kafka_ResourceType_t to_rd(AclResource r) {
  switch (r) {
    case AclResource::topic:
      return RD_KAFKA_RESOURCE_TOPIC;
    case AclResource::group:
      return RD_KAFKA_RESOURCE_GROUP;
    case AclResource::cluster:
      return RD_KAFKA_RESOURCE_BROKER;  // Kafka's CLUSTER (wire code 4)
  }
  return RD_KAFKA_RESOURCE_UNKNOWN;
}

std::optional<AclResource> from_rd(rd_kafka_ResourceType_t r) {
  if (r == RD_KAFKA_RESOURCE_TOPIC) return AclResource::topic;
  if (r == RD_KAFKA_RESOURCE_GROUP) return AclResource::group;
  if (r == RD_KAFKA_RESOURCE_BROKER) return AclResource::cluster;
  return std::nullopt;
}

rd_kafka_AclOperation_t to_rd(AclOperation op) {
  // librdkafka's codes follow Kafka's: ALL = 2, then the order of kOperations.
  const auto at = std::find(kOperations.begin(), kOperations.end(), op) - kOperations.begin();
  return static_cast<rd_kafka_AclOperation_t>(RD_KAFKA_ACL_OPERATION_ALL + at);
}

std::optional<AclOperation> from_rd(rd_kafka_AclOperation_t op) {
  const int at = static_cast<int>(op) - RD_KAFKA_ACL_OPERATION_ALL;
  if (at < 0 || at >= static_cast<int>(kOperations.size())) return std::nullopt;
  return kOperations[static_cast<std::size_t>(at)];
}

struct AclBindingDeleter {
  void operator()(rd_kafka_AclBinding_t* a) const { rd_kafka_AclBinding_destroy(a); }
};
using AclBinding = std::unique_ptr<rd_kafka_AclBinding_t, AclBindingDeleter>;

// `acl` as librdkafka's binding (also usable as a filter matching exactly it).
util::Result<AclBinding> binding(const KafkaAcl& acl, const std::string& what) {
  char errstr[512] = {};
  AclBinding b(rd_kafka_AclBinding_new(
      to_rd(acl.resource_type), acl.name.c_str(),
      acl.pattern == AclPattern::prefixed ? RD_KAFKA_RESOURCE_PATTERN_PREFIXED
                                          : RD_KAFKA_RESOURCE_PATTERN_LITERAL,
      acl.principal.c_str(), acl.host.c_str(), to_rd(acl.operation),
      acl.permission == AclPermission::allow ? RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW
                                             : RD_KAFKA_ACL_PERMISSION_TYPE_DENY,
      errstr, sizeof errstr));
  if (!b) return util::fail(what + ": " + to_string(acl) + ": " + errstr);
  return b;
}

// A binding the cluster reported, if zkctl can represent it.
std::optional<KafkaAcl> from_binding(const rd_kafka_AclBinding_t* b) {
  const auto resource = from_rd(rd_kafka_AclBinding_restype(b));
  const auto operation = from_rd(rd_kafka_AclBinding_operation(b));
  const auto pattern = rd_kafka_AclBinding_resource_pattern_type(b);
  const auto permission = rd_kafka_AclBinding_permission_type(b);
  if (!resource || !operation ||
      (pattern != RD_KAFKA_RESOURCE_PATTERN_LITERAL &&
       pattern != RD_KAFKA_RESOURCE_PATTERN_PREFIXED) ||
      (permission != RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW &&
       permission != RD_KAFKA_ACL_PERMISSION_TYPE_DENY)) {
    return std::nullopt;
  }
  KafkaAcl acl;
  acl.resource_type = *resource;
  acl.name = rd_kafka_AclBinding_name(b) != nullptr ? rd_kafka_AclBinding_name(b) : "";
  acl.pattern =
      pattern == RD_KAFKA_RESOURCE_PATTERN_PREFIXED ? AclPattern::prefixed : AclPattern::literal;
  acl.principal =
      rd_kafka_AclBinding_principal(b) != nullptr ? rd_kafka_AclBinding_principal(b) : "";
  acl.host = rd_kafka_AclBinding_host(b) != nullptr ? rd_kafka_AclBinding_host(b) : "";
  acl.operation = *operation;
  acl.permission =
      permission == RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW ? AclPermission::allow : AclPermission::deny;
  return acl;
}

std::vector<KafkaAcl> sorted_unique(std::vector<KafkaAcl> acls) {
  std::sort(acls.begin(), acls.end());
  acls.erase(std::unique(acls.begin(), acls.end()), acls.end());
  return acls;
}

// One admin request's handle, queue and options.
struct Admin {
  LogSink sink;
  Handle rk;
  Queue queue;
  AdminOptions options;
};

util::Result<std::unique_ptr<Admin>> admin(const KafkaAccess& access, rd_kafka_admin_op_t api,
                                           Clock::time_point deadline) {
  auto a = std::make_unique<Admin>();
  auto rk = make_handle(RD_KAFKA_PRODUCER, access, {}, &a->sink);
  if (!rk) return rk.error();
  a->rk = std::move(*rk);
  auto options = admin_options(a->rk.get(), api, deadline);
  if (!options) return options.error();
  a->options = std::move(*options);
  a->queue.reset(rd_kafka_queue_new(a->rk.get()));
  return a;
}

}  // namespace

const char* to_string(AclResource resource) {
  switch (resource) {
    case AclResource::topic:
      return "TOPIC";
    case AclResource::group:
      return "GROUP";
    case AclResource::cluster:
      return "CLUSTER";
  }
  return "UNKNOWN";
}

const char* to_string(AclPattern pattern) {
  return pattern == AclPattern::prefixed ? "PREFIXED" : "LITERAL";
}

const char* to_string(AclOperation operation) {
  return rd_kafka_AclOperation_name(to_rd(operation));
}

const char* to_string(AclPermission permission) {
  return permission == AclPermission::allow ? "ALLOW" : "DENY";
}

std::string to_string(const KafkaAcl& acl) {
  return acl.principal + " " + to_string(acl.permission) + " " + to_string(acl.operation) + " on " +
         to_string(acl.resource_type) + ":" + to_string(acl.pattern) + ":" + acl.name + " from " +
         acl.host;
}

std::optional<AclOperation> parse_acl_operation(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (AclOperation op : kOperations) {
    if (upper == to_string(op)) return op;
  }
  return std::nullopt;
}

AclDiff diff_acls(std::vector<KafkaAcl> wanted, std::vector<KafkaAcl> present) {
  wanted = sorted_unique(std::move(wanted));
  present = sorted_unique(std::move(present));
  AclDiff diff;
  std::set_difference(wanted.begin(), wanted.end(), present.begin(), present.end(),
                      std::back_inserter(diff.missing));
  std::set_difference(present.begin(), present.end(), wanted.begin(), wanted.end(),
                      std::back_inserter(diff.extra));
  return diff;
}

util::Result<std::vector<KafkaAcl>> list_acls(const KafkaAccess& access, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka describe ACLs on " + access.bootstrap;
  auto a = admin(access, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, deadline);
  if (!a) return a.error();
  char errstr[512] = {};
  AclBinding filter(rd_kafka_AclBindingFilter_new(
      RD_KAFKA_RESOURCE_ANY, nullptr, RD_KAFKA_RESOURCE_PATTERN_ANY, nullptr, nullptr,
      RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof errstr));
  if (!filter) return util::fail(what + ": " + errstr);
  Admin& ad = **a;
  rd_kafka_DescribeAcls(ad.rk.get(), filter.get(), ad.options.get(), ad.queue.get());
  auto ev = admin_result(ad.queue.get(), deadline, what, ad.sink);
  if (!ev) return ev.error();
  const rd_kafka_DescribeAcls_result_t* res = rd_kafka_event_DescribeAcls_result(ev->get());
  if (res == nullptr) return util::fail(what + ": no result");
  size_t n = 0;
  const rd_kafka_AclBinding_t** found = rd_kafka_DescribeAcls_result_acls(res, &n);
  std::vector<KafkaAcl> out;
  for (size_t i = 0; i < n; ++i) {
    if (auto acl = from_binding(found[i])) out.push_back(std::move(*acl));
  }
  return sorted_unique(std::move(out));
}

util::Result<void> create_acls(const KafkaAccess& access, const std::vector<KafkaAcl>& acls,
                               milliseconds timeout) {
  if (acls.empty()) return {};
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka create ACLs on " + access.bootstrap;
  std::vector<AclBinding> owned;
  std::vector<rd_kafka_AclBinding_t*> list;
  for (const auto& acl : acls) {
    auto b = binding(acl, what);
    if (!b) return b.error();
    list.push_back(b->get());
    owned.push_back(std::move(*b));
  }
  auto a = admin(access, RD_KAFKA_ADMIN_OP_CREATEACLS, deadline);
  if (!a) return a.error();
  Admin& ad = **a;
  rd_kafka_CreateAcls(ad.rk.get(), list.data(), list.size(), ad.options.get(), ad.queue.get());
  auto ev = admin_result(ad.queue.get(), deadline, what, ad.sink);
  if (!ev) return ev.error();
  const rd_kafka_CreateAcls_result_t* res = rd_kafka_event_CreateAcls_result(ev->get());
  if (res == nullptr) return util::fail(what + ": no result");
  size_t n = 0;
  const rd_kafka_acl_result_t** results = rd_kafka_CreateAcls_result_acls(res, &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_error_t* err = rd_kafka_acl_result_error(results[i]);
    if (err != nullptr && rd_kafka_error_code(err) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return util::fail(what + ": " + (i < acls.size() ? to_string(acls[i]) : std::string()) +
                        ": " + rd_kafka_error_string(err));
    }
  }
  return {};
}

util::Result<int> delete_acls(const KafkaAccess& access, const std::vector<KafkaAcl>& acls,
                              milliseconds timeout) {
  if (acls.empty()) return 0;
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka delete ACLs on " + access.bootstrap;
  std::vector<AclBinding> owned;
  std::vector<rd_kafka_AclBindingFilter_t*> list;
  for (const auto& acl : acls) {
    auto b = binding(acl, what);
    if (!b) return b.error();
    list.push_back(b->get());
    owned.push_back(std::move(*b));
  }
  auto a = admin(access, RD_KAFKA_ADMIN_OP_DELETEACLS, deadline);
  if (!a) return a.error();
  Admin& ad = **a;
  rd_kafka_DeleteAcls(ad.rk.get(), list.data(), list.size(), ad.options.get(), ad.queue.get());
  auto ev = admin_result(ad.queue.get(), deadline, what, ad.sink);
  if (!ev) return ev.error();
  const rd_kafka_DeleteAcls_result_t* res = rd_kafka_event_DeleteAcls_result(ev->get());
  if (res == nullptr) return util::fail(what + ": no result");
  size_t n = 0;
  const rd_kafka_DeleteAcls_result_response_t** responses =
      rd_kafka_DeleteAcls_result_responses(res, &n);
  int deleted = 0;
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_error_t* err = rd_kafka_DeleteAcls_result_response_error(responses[i]);
    if (err != nullptr && rd_kafka_error_code(err) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return util::fail(what + ": " + (i < acls.size() ? to_string(acls[i]) : std::string()) +
                        ": " + rd_kafka_error_string(err));
    }
    size_t matched = 0;
    rd_kafka_DeleteAcls_result_response_matching_acls(responses[i], &matched);
    deleted += static_cast<int>(matched);
  }
  return deleted;
}

}  // namespace zkctl::probe
