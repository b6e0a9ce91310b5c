#include "proxy/acl/acl.h"
#include "proxy/http/http1.h"

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

TEST(AclTest, UnimplementedFetchesAreRefusedWithTheirLocation) {
  config::AclConfig a = Acl("hello", "req.ssl_hello_type", {"1"});
  a.where = {"t.cfg", 12, 3};
  auto compiled = CompiledCondition::Compile(If({{{false, "hello"}}}), {a});
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(),
            "t.cfg:12: sample fetch 'req.ssl_hello_type' is not implemented by tender's runtime yet (it has src, dst, "
            "src_port, dst_port, always_true, always_false, ssl_fc, hdr*, path*, url*, query, method, url_param)");
}

TEST(AclTest, LayerSevenConditionsSayTheyNeedHttp) {
  auto compiled = CompiledCondition::Compile(If({{{false, "api"}}}), {Acl("api", "hdr(host)", {"x"})});
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_TRUE(compiled->needs_http());
  EXPECT_FALSE(compiled->Evaluate(SampleContext{}));  // no request: no match
}

TEST(AclTest, BadValuesAreErrors) {
  auto compiled = CompiledCondition::Compile(If({{{false, "x"}}}), {Acl("x", "src", {"not-an-ip"})});
  EXPECT_FALSE(compiled.ok());
  compiled = CompiledCondition::Compile(If({{{false, "x"}}}), {Acl("x", "dst_port", {"http"})});
  EXPECT_FALSE(compiled.ok());
}

// Layer 7 fetches against a real parsed request.
class HttpAclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    size_t scanned = 0, length = 0;
    http::ParseError e;
    ASSERT_EQ(http::FindHeadEnd(raw_, &scanned, &length, &e), http::HeadStatus::kComplete);
    ASSERT_EQ(http::ParseRequestHead(absl::string_view(raw_).substr(0, length), http::Limits(), fields_, &req_, &e), http::HeadStatus::kComplete);
    sample_.request = &req_;
  }
  bool Matches(const std::string& fetch, std::vector<std::string> values, config::MatchMethod m = config::MatchMethod::kDefault,
               bool ignore_case = false) {
    config::AclConfig a = Acl("a", fetch, std::move(values));
    a.match = m;
    a.ignore_case = ignore_case;
    auto c = CompiledCondition::Compile(If({{{false, "a"}}}), {a});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() && c->Evaluate(sample_);
  }
  std::string raw_ =
      "GET /static/img/logo.png?size=large&lang=fr HTTP/1.1\r\nHost: WWW.Example.com:8080\r\n"
      "Accept: text/html, application/json\r\nX-Empty:\r\n\r\n";
  http::HeaderField fields_[101];
  http::RequestHead req_;
  SampleContext sample_;
};

TEST_F(HttpAclTest, PathFetchesAndMatchMethods) {
  EXPECT_TRUE(Matches("path", {"/static/img/logo.png"}));
  EXPECT_FALSE(Matches("path", {"/static"}));
  EXPECT_TRUE(Matches("path_beg", {"/nope", "/static/"}));
  EXPECT_TRUE(Matches("path_end", {".png", ".jpg"}));
  EXPECT_TRUE(Matches("path_sub", {"img/lo"}));
  EXPECT_TRUE(Matches("path_reg", {"^/static/.*\\.png$"}));
  EXPECT_FALSE(Matches("path_reg", {"^/STATIC"}));
  EXPECT_TRUE(Matches("path_reg", {"^/STATIC"}, config::MatchMethod::kDefault, /*ignore_case=*/true));
  EXPECT_TRUE(Matches("path_dir", {"img"}));
  EXPECT_FALSE(Matches("path_dir", {"im"}));
  EXPECT_TRUE(Matches("path", {"20"}, config::MatchMethod::kLen));
  EXPECT_TRUE(Matches("url", {"/static/img/logo.png?size=large&lang=fr"}));
  EXPECT_TRUE(Matches("url_beg", {"/static/img/logo.png?size"}));
  EXPECT_TRUE(Matches("query", {"size=large&lang=fr"}));
  EXPECT_TRUE(Matches("url_param(lang)", {"fr"}));
  EXPECT_FALSE(Matches("url_param(lang)", {"en"}));
  EXPECT_TRUE(Matches("method", {"GET"}));
  EXPECT_FALSE(Matches("method", {"get"}));
}

TEST_F(HttpAclTest, HeaderFetches) {
  EXPECT_FALSE(Matches("hdr(host)", {"www.example.com:8080"}));
  EXPECT_TRUE(Matches("hdr(host)", {"www.example.com:8080"}, config::MatchMethod::kDefault, true));
  EXPECT_TRUE(Matches("hdr_dom(host)", {"example"}, config::MatchMethod::kDefault, true));
  EXPECT_FALSE(Matches("hdr_dom(host)", {"xample"}, config::MatchMethod::kDefault, true));
  EXPECT_TRUE(Matches("hdr_beg(HOST)", {"WWW."}));
  EXPECT_TRUE(Matches("hdr_end(host)", {":8080"}));
  EXPECT_TRUE(Matches("hdr(accept)", {"application/json"}));  // each comma-separated value
  EXPECT_TRUE(Matches("hdr(x-empty)", {}, config::MatchMethod::kFound));
  EXPECT_FALSE(Matches("hdr(x-missing)", {}, config::MatchMethod::kFound));
  EXPECT_TRUE(Matches("hdr_sub(accept)", {"HTML"}, config::MatchMethod::kDefault, true));
}

TEST(AclTest, RegexesAreCheckedAtLoad) {
  config::AclConfig a = Acl("bad", "path_reg", {"(unclosed"});
  a.where = {"t.cfg", 3, 1};
  auto c = CompiledCondition::Compile(If({{{false, "bad"}}}), {a});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("t.cfg:3: invalid regular expression '(unclosed'"), std::string::npos) << c.status();
}

}  // namespace
}  // namespace tender
