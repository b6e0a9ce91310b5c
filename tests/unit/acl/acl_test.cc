#include "proxy/acl/acl.h"

#include "gtest/gtest.h"

namespace tender {
namespace {

config::AclConfig Acl(std::string name, std::string fetch, std::vector<std::string> values) {
  config::AclConfig a;
  a.name = std::move(name);
  a.fetch = std::move(fetch);
  a.values = std::move(values);
  return a;
}

config::Condition If(std::vector<std::vector<std::pair<bool, std::string>>> groups, bool unless = false) {
  config::Condition c;
  c.unless = unless;
  for (auto& g : groups) {
    c.any_of.emplace_back();
    for (auto& [negate, name] : g) {
      config::ConditionTerm t;
      t.negate = negate;
      t.acl_name = name;
      c.any_of.back().push_back(t);
    }
  }
  return c;
}

bool Eval(const config::Condition& c, const std::vector<config::AclConfig>& acls, const std::string& src,
          int src_port, const std::string& dst = "10.0.0.1", int dst_port = 80) {
  auto compiled = CompiledCondition::Compile(c, acls);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  SocketAddress s = *ResolveAddress(src, src_port), d = *ResolveAddress(dst, dst_port);
  SampleContext ctx{&s, &d};
  return compiled->Evaluate(ctx);
}

TEST(AclTest, SourceNetworks) {
  std::vector<config::AclConfig> acls = {Acl("inside", "src", {"10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "172.16.0.0/255.240.0.0"})};
  auto c = If({{{false, "inside"}}});
  EXPECT_TRUE(Eval(c, acls, "10.200.3.4", 1));
  EXPECT_TRUE(Eval(c, acls, "192.168.1.7", 1));
  EXPECT_FALSE(Eval(c, acls, "192.168.1.8", 1));
  EXPECT_TRUE(Eval(c, acls, "2001:db8:ffff::1", 1));
  EXPECT_FALSE(Eval(c, acls, "2001:db9::1", 1));
  EXPECT_TRUE(Eval(c, acls, "::ffff:10.1.1.1", 1));  // IPv4-mapped matches IPv4 networks
  EXPECT_TRUE(Eval(c, acls, "172.31.255.255", 1));
  EXPECT_FALSE(Eval(c, acls, "172.32.0.0", 1));
}

TEST(AclTest, PortsRangesAndOperators) {
  std::vector<config::AclConfig> acls = {Acl("web", "dst_port", {"80", "8000:8099", "ge", "60000"})};
  auto c = If({{{false, "web"}}});
  EXPECT_TRUE(Eval(c, acls, "1.1.1.1", 1, "10.0.0.1", 80));
  EXPECT_TRUE(Eval(c, acls, "1.1.1.1", 1, "10.0.0.1", 8050));
  EXPECT_FALSE(Eval(c, acls, "1.1.1.1", 1, "10.0.0.1", 8100));
  EXPECT_TRUE(Eval(c, acls, "1.1.1.1", 1, "10.0.0.1", 60001));
  EXPECT_FALSE(Eval(c, acls, "1.1.1.1", 1, "10.0.0.1", 443));
}

TEST(AclTest, AndOrNotUnlessAndRepeatedNames) {
  std::vector<config::AclConfig> acls = {Acl("a", "src", {"10.0.0.1"}), Acl("a", "src", {"10.0.0.2"}),
                                         Acl("b", "src_port", {"1000"})};
  // a && !b || b
  auto c = If({{{false, "a"}, {true, "b"}}, {{false, "b"}}});
  EXPECT_TRUE(Eval(c, acls, "10.0.0.2", 5));    // second `acl a` line counts
  EXPECT_TRUE(Eval(c, acls, "10.0.0.3", 1000));  // b alone
  EXPECT_FALSE(Eval(c, acls, "10.0.0.3", 5));
  EXPECT_FALSE(Eval(If({{{false, "a"}}}, /*unless=*/true), acls, "10.0.0.1", 5));
  EXPECT_TRUE(Eval(If({{{false, "TRUE"}}}), {}, "1.2.3.4", 5));
  EXPECT_TRUE(Eval(If({{{false, "LOCALHOST"}}}), {}, "127.0.0.9", 5));
  EXPECT_FALSE(Eval(If({{{false, "LOCALHOST"}}}), {}, "10.0.0.9", 5));
}

TEST(AclTest, LayerSevenFetchesAreRefusedWithTheirLocation) {
  config::AclConfig a = Acl("api", "hdr(host)", {"x"});
  a.where = {"t.cfg", 12, 3};
  auto compiled = CompiledCondition::Compile(If({{{false, "api"}}}), {a});
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(),
            "t.cfg:12: sample fetch 'hdr(host)' is not implemented by tender's runtime yet (layer 4 has src, dst, "
            "src_port, dst_port, always_true, always_false)");
}

TEST(AclTest, BadValuesAreErrors) {
  auto compiled = CompiledCondition::Compile(If({{{false, "x"}}}), {Acl("x", "src", {"not-an-ip"})});
  EXPECT_FALSE(compiled.ok());
  compiled = CompiledCondition::Compile(If({{{false, "x"}}}), {Acl("x", "dst_port", {"http"})});
  EXPECT_FALSE(compiled.ok());
}

}  // namespace
}  // namespace tender
