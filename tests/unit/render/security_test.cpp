// Certificate subjects, Kafka principals and mapping rules, and the [security] combinations
// render accepts.

#include "render/security.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace zkctl::render {
namespace {

using inventory::Authentication;

TEST(RenderSecurity, SubjectsAreCnOuO) {
  EXPECT_EQ(subject_dn(kAdminCommonName, "seed"), "CN=zkctl-admin,OU=seed,O=zkctl");
  EXPECT_EQ(subject_dn(kKafkaCommonName, "prod.eu-1"), "CN=kafka,OU=prod.eu-1,O=zkctl");
  EXPECT_EQ(subject_dn(kZooKeeperCommonName, "c"), "CN=zookeeper,OU=c,O=zkctl");
  EXPECT_EQ(subject_dn("alice", "c"), "CN=alice,OU=c,O=zkctl");
}

TEST(RenderSecurity, KafkaPrincipalsAreUsers) {
  EXPECT_EQ(kafka_principal(kKafkaCommonName), "User:kafka");
  EXPECT_EQ(kafka_principal(kAdminCommonName), "User:zkctl-admin");
}

// The rule as Kafka applies it: RULE:<pattern>/<replacement>/ on the RFC 2253 subject.
std::string apply_rule(const std::string& rules, const std::string& dn) {
  const auto start = rules.find("RULE:") + 5;
  const auto slash = rules.find('/', start);
  const auto end = rules.find('/', slash + 1);
  const std::regex pattern(rules.substr(start, slash - start));
  std::smatch m;
  if (!std::regex_match(dn, m, pattern)) return "DEFAULT:" + dn;
  return std::regex_replace(dn, pattern, rules.substr(slash + 1, end - slash - 1));
}

TEST(RenderSecurity, MappingRulesTurnThisClustersSubjectsIntoNames) {
  auto rules = kafka_principal_mapping_rules("prod.eu-1");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  EXPECT_EQ(*rules, "RULE:^CN=([^,]+),OU=prod[.]eu-1,O=zkctl$/$1/,DEFAULT");
  EXPECT_EQ(rules->find('\\'), std::string::npos);  // a properties escape
  EXPECT_EQ(apply_rule(*rules, subject_dn("kafka", "prod.eu-1")), "kafka");
  EXPECT_EQ(apply_rule(*rules, subject_dn("alice", "prod.eu-1")), "alice");
  // Another cluster's subject, or one where '.' would have matched any character, is not ours.
  EXPECT_EQ(apply_rule(*rules, subject_dn("kafka", "prodXeu-1")),
            "DEFAULT:CN=kafka,OU=prodXeu-1,O=zkctl");
  EXPECT_EQ(apply_rule(*rules, "CN=kafka,OU=prod.eu-1,O=other"),
            "DEFAULT:CN=kafka,OU=prod.eu-1,O=other");
}

TEST(RenderSecurity, MappingRulesRefuseNamesTheRegexCannotHold) {
  for (const char* name : {"a+b", "a\\b", "a,b", "a$", "", "a b"}) {
    auto rules = kafka_principal_mapping_rules(name);
    EXPECT_FALSE(rules.ok()) << name;
  }
}

TEST(RenderSecurity, CombinationsRenderKnows) {
  inventory::SecuritySettings s;  // defaults: tls, scram, authorization
  EXPECT_TRUE(check_security(s).ok());
  s.authentication = Authentication::mtls;
  EXPECT_TRUE(check_security(s).ok());
  s.authentication = Authentication::none;
  s.authorization = false;
  EXPECT_TRUE(check_security(s).ok());  // encrypted only
  s.tls = false;
  EXPECT_TRUE(check_security(s).ok());  // open

  s.authentication = Authentication::scram;
  auto r = check_security(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("needs tls = true"), std::string::npos) << r.error().message;

  s = {};
  s.authentication = Authentication::none;
  r = check_security(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("authorization = true needs authentication"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace zkctl::render
