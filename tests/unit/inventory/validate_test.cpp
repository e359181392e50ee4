#include "inventory/validate.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace zkctl::inventory {
namespace {

TEST(EditDistance, CountsEditsAndTranspositionsCaseInsensitively) {
  EXPECT_EQ(edit_distance("host", "host"), 0);
  EXPECT_EQ(edit_distance("hots", "host"), 1);  // transposition
  EXPECT_EQ(edit_distance("clien_port", "client_port"), 1);
  EXPECT_EQ(edit_distance("maxclientcnxns", "maxClientCnxns"), 0);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
}

TEST(ClosestMatch, SuggestsOnlyLikelyTypos) {
  const std::vector<std::string_view> keys = {"host", "id", "role", "client_port", "data_dir"};
  EXPECT_EQ(closest_match("hots", keys), "host");
  EXPECT_EQ(closest_match("clientport", keys), "client_port");
  EXPECT_EQ(closest_match("datadir", keys), "data_dir");
  EXPECT_EQ(closest_match("colour", keys), std::nullopt);
  EXPECT_EQ(closest_match("rolex", keys), "role");
  EXPECT_EQ(closest_match("rolexx", keys), std::nullopt);  // 2 edits on a 4-letter key: too far
  EXPECT_EQ(closest_match("host", keys), std::nullopt);    // never itself
}

TEST(IsValidHost, AcceptsNamesAndAddresses) {
  for (const char* h : {"node1", "nn01", "zk1.eu1.example.net", "a-b.c", "10.231.0.11", "::1",
                        "fe80::1", "2001:db8::17", "::ffff:10.0.0.1", "NODE3"})
    EXPECT_TRUE(is_valid_host(h)) << h;
}

TEST(IsValidHost, RejectsEverythingElse) {
  for (const char* h :
       {"", "node 1", "node1;id", "$(id)", "a'b", "a\"b", "node1\n", "-oProxyCommand=x", "a_b",
        "a..b", ".a", "a.", "999.1.1.1", "1.2.3", "[::1]", "::g", "a-.b", "host:22", "a/b"})
    EXPECT_FALSE(is_valid_host(h)) << h;
  EXPECT_FALSE(is_valid_host(std::string(254, 'a')));
  EXPECT_FALSE(is_valid_host(std::string(64, 'a') + ".b"));
}

TEST(IsValidSshUser, PosixLoginNames) {
  EXPECT_TRUE(is_valid_ssh_user("root"));
  EXPECT_TRUE(is_valid_ssh_user("_zk"));
  EXPECT_TRUE(is_valid_ssh_user("zk-admin_2"));
  EXPECT_FALSE(is_valid_ssh_user("Root"));
  EXPECT_FALSE(is_valid_ssh_user("2zk"));
  EXPECT_FALSE(is_valid_ssh_user("-oX"));
  EXPECT_FALSE(is_valid_ssh_user("a b"));
  EXPECT_FALSE(is_valid_ssh_user(""));
  EXPECT_FALSE(is_valid_ssh_user(std::string(33, 'a')));
}

TEST(IsValidClusterName, Charset) {
  EXPECT_TRUE(is_valid_cluster_name("seed"));
  EXPECT_TRUE(is_valid_cluster_name("prod-zk.eu1_2"));
  EXPECT_FALSE(is_valid_cluster_name(""));
  EXPECT_FALSE(is_valid_cluster_name("a b"));
  EXPECT_FALSE(is_valid_cluster_name("a/b"));
}

TEST(ClassifyZooCfgKey, ManagedKeysNameTheirInventorySetting) {
  const auto info = classify_zoo_cfg_key("dataDir");
  EXPECT_EQ(info.kind, ZooCfgKeyInfo::Kind::managed);
  EXPECT_NE(info.hint.find("zookeeper.data_dir"), std::string::npos);
  for (const char* k : {"dataLogDir", "clientPort", "tickTime", "initLimit", "syncLimit",
                        "peerType", "server.1", "server.255", "4lw.commands.whitelist",
                        "admin.enableServer", "admin.serverPort", "dynamicConfigFile"})
    EXPECT_EQ(classify_zoo_cfg_key(k).kind, ZooCfgKeyInfo::Kind::managed) << k;
}

TEST(ClassifyZooCfgKey, TlsAndAuthenticationKeysComeFromSecurity) {
  for (const char* k :
       {"ssl.keyStore.location", "ssl.quorum.trustStore.password", "ssl.anything",
        "secureClientPort", "serverCnxnFactory", "sslQuorum", "sslQuorumReloadCertFiles",
        "portUnification", "client.portUnification", "authProvider.1", "authProvider.x509"}) {
    const auto info = classify_zoo_cfg_key(k);
    EXPECT_EQ(info.kind, ZooCfgKeyInfo::Kind::managed) << k;
    EXPECT_EQ(info.hint, "[security] (tls, authentication)") << k;
  }
  // Not in those families.
  for (const char* k : {"sslx", "admin.portUnification", "sessionRequireClientSASLAuth"})
    EXPECT_NE(classify_zoo_cfg_key(k).kind, ZooCfgKeyInfo::Kind::managed) << k;
}

TEST(ClassifyZooCfgKey, KnownKeysAndFamilies) {
  for (const char* k : {"autopurge.snapRetainCount",
                        "autopurge.purgeInterval",
                        "globalOutstandingLimit",
                        "preAllocSize",
                        "snapCount",
                        "maxClientCnxns",
                        "clientPortAddress",
                        "minSessionTimeout",
                        "maxSessionTimeout",
                        "fsync.warningthresholdms",
                        "syncEnabled",
                        "electionAlg",
                        "cnxTimeout",
                        "quorumListenOnAllIPs",
                        "standaloneEnabled",
                        "reconfigEnabled",
                        "skipACL",
                        "forceSync",
                        "jute.maxbuffer",
                        "metricsProvider.className",
                        "metricsProvider.anything",
                        "sessionRequireClientSASLAuth",
                        "snapshot.trust.empty",
                        "admin.serverAddress",
                        "admin.whatever",
                        "maxCnxns",
                        "group.1",
                        "weight.3"})
    EXPECT_EQ(classify_zoo_cfg_key(k).kind, ZooCfgKeyInfo::Kind::known) << k;
}

TEST(ClassifyZooCfgKey, UnknownKeysGetASuggestionWhenClose) {
  auto info = classify_zoo_cfg_key("autopurge.purgeInterva");
  EXPECT_EQ(info.kind, ZooCfgKeyInfo::Kind::unknown);
  EXPECT_EQ(info.hint, "autopurge.purgeInterval");
  EXPECT_EQ(classify_zoo_cfg_key("maxclientcnxns").hint, "maxClientCnxns");
  EXPECT_EQ(classify_zoo_cfg_key("zookeeper.snapCount").hint, "snapCount");
  info = classify_zoo_cfg_key("totallyMadeUp");
  EXPECT_EQ(info.kind, ZooCfgKeyInfo::Kind::unknown);
  EXPECT_EQ(info.hint, "");
  EXPECT_EQ(classify_zoo_cfg_key("ssl.keyStore.locaton").kind, ZooCfgKeyInfo::Kind::managed);
  EXPECT_EQ(classify_zoo_cfg_key("metricsProvider.").kind, ZooCfgKeyInfo::Kind::unknown);
}

TEST(HasControlChar, DetectsLineBreaksAndDel) {
  EXPECT_FALSE(has_control_char("plain value, with punctuation!"));
  EXPECT_TRUE(has_control_char("a\nb"));
  EXPECT_TRUE(has_control_char("a\rb"));
  EXPECT_TRUE(has_control_char("a\tb"));
  EXPECT_TRUE(has_control_char(std::string("a\0b", 3)));
  EXPECT_TRUE(has_control_char("a\x7f"));
}

TEST(KafkaManagedKeys, EveryManagedKeyHasAHint) {
  for (std::string_view key : {"broker.id",
                               "node.id",
                               "process.roles",
                               "listeners",
                               "advertised.listeners",
                               "listener.security.protocol.map",
                               "controller.listener.names",
                               "controller.quorum.voters",
                               "controller.quorum.bootstrap.servers",
                               "log.dirs",
                               "log.dir",
                               "zookeeper.connect",
                               "inter.broker.listener.name",
                               "authorizer.class.name",
                               "super.users",
                               "allow.everyone.if.no.acl.found",
                               "zookeeper.set.acl",
                               "zookeeper.clientCnxnSocket",
                               "security.inter.broker.protocol",
                               "broker.rack"}) {
    EXPECT_NE(std::find(kafka_managed_keys().begin(), kafka_managed_keys().end(), key),
              kafka_managed_keys().end())
        << key;
    auto hint = kafka_managed_key_hint(key);
    ASSERT_TRUE(hint.has_value()) << key;
    EXPECT_TRUE(hint->ends_with("instead")) << *hint;
  }
  EXPECT_EQ(kafka_managed_keys().size(), 20u);
  EXPECT_EQ(kafka_managed_key_hint("num.partitions"), std::nullopt);
  EXPECT_EQ(kafka_managed_key_hint("offsets.topic.replication.factor"), std::nullopt);
  EXPECT_EQ(kafka_managed_key_hint("Broker.id"), std::nullopt);  // Kafka keys are case-sensitive
  // The families [security] writes: hinted, though not listed by kafka_managed_keys().
  for (std::string_view key :
       {"ssl.keystore.location", "sasl.enabled.mechanisms",
        "listener.name.client.scram-sha-512.sasl.jaas.config", "zookeeper.ssl.client.enable"}) {
    auto hint = kafka_managed_key_hint(key);
    ASSERT_TRUE(hint.has_value()) << key;
    EXPECT_NE(hint->find("[security]"), std::string::npos) << *hint;
  }
  EXPECT_EQ(kafka_managed_key_hint("sslx"), std::nullopt);
  EXPECT_EQ(kafka_managed_key_hint("zookeeper.session.timeout.ms"), std::nullopt);
}

TEST(IsValidKafkaClusterId, AcceptsWhatRandomUuidPrints) {
  for (const char* id : {"MkU3OEVBNTcwNTJENDM2Qg", "q1Sh-9_ISia_zwGINzRvyQ",
                         "AAAAAAAAAAAAAAAAAAAAAg", "_____________________w"})
    EXPECT_TRUE(is_valid_kafka_cluster_id(id)) << id;
  for (const char* id :
       {"", "MkU3OEVBNTcwNTJENDM2Q", "MkU3OEVBNTcwNTJENDM2QgA",
        "MkU3OEVBNTcwNTJENDM2Q=", "MkU3OEVBNTcwNTJENDM2Q+", "MkU3OEVBNTcwNTJENDM2Qh",
        "AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAQ"})
    EXPECT_FALSE(is_valid_kafka_cluster_id(id)) << id;
}

TEST(ZooKeeperChrootProblem, AcceptsZnodePathsBelowTheRoot) {
  for (const char* c : {"/kafka", "/clusters/prod-1", "/a.b_c-d", "/zookeeperx", "/z/zookeeper"})
    EXPECT_EQ(zookeeper_chroot_problem(c), std::nullopt) << c;
  for (const char* c : {"", "kafka", "/", "/a b", "/a\nb", "/k/", "/a//b", "/./a", "/a/..",
                        "/zookeeper", "/zookeeper/quota", "/a:b"})
    EXPECT_NE(zookeeper_chroot_problem(c), std::nullopt) << c;
}

}  // namespace
}  // namespace zkctl::inventory
