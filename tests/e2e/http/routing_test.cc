// Layer 7 routing: the ACL tutorial from docs/examples as written (addresses moved onto
// loopback), header rules, redirects and returns, with curl as the client.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RoutingTest, AclTutorialRoutesByHostAndPathThenRoundRobinsWithinEachPool) {
  HttpOrigin api1("api1"), api2("api2"), static1("static1"), web1("web1"), web2("web2");
  int port = FreePort();
  std::string config = absl::StrReplaceAll(
      ReadFile("docs/examples/acl-routing.cfg"),
      {{"bind *:80", absl::StrCat("bind 127.0.0.1:", port)},
       {"192.168.1.20:8000", absl::StrCat("127.0.0.1:", api1.port())},
       {"192.168.1.21:8000", absl::StrCat("127.0.0.1:", api2.port())},
       {"192.168.1.30:9000", absl::StrCat("127.0.0.1:", static1.port())},
       {"192.168.1.10:80", absl::StrCat("127.0.0.1:", web1.port())},
       {"192.168.1.11:80", absl::StrCat("127.0.0.1:", web2.port())}});
  TenderProcess tender;
  ASSERT_TRUE(tender.Start("global\n    nbthread 1\n" + config)) << tender.output();
  std::string base = absl::StrCat("http://127.0.0.1:", port);
  std::map<std::string, int> seen;
  for (int i = 0; i < 10; ++i) {
    std::string a = Curl({"-H", "Host: api.example.com", base + "/v1/users"});
    std::string b = Curl({"-H", "Host: API.example.com", base + "/"});  // -i: case-insensitive
    std::string s = Curl({base + "/static/x.css"});
    std::string w = Curl({base + "/index.html"});
    EXPECT_TRUE(a == "api1\n" || a == "api2\n") << a;
    EXPECT_TRUE(b == "api1\n" || b == "api2\n") << b;
    EXPECT_NE(a, b) << "round robin within the API pool";
    EXPECT_EQ(s, "static1\n");
    EXPECT_TRUE(w == "web1\n" || w == "web2\n") << w;
    seen[a]++, seen[b]++, seen[s]++, seen[w]++;
  }
  EXPECT_EQ(api1.requests(), 10);
  EXPECT_EQ(api2.requests(), 10);
  EXPECT_EQ(static1.requests(), 10);
  EXPECT_EQ(web1.requests(), 5);
  EXPECT_EQ(web2.requests(), 5);
  // /staticx is not under /static/: the default backend.
  EXPECT_TRUE(Curl({base + "/staticx"}) != "static1\n");
}

TEST(RoutingTest, HeaderRulesForwardedForRedirectsAndReturns) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n"
      " option forwardfor\n"
      " http-request redirect scheme https code 301 if { path_beg /secure }\n"
      " http-request redirect prefix /v2 if { path_beg /old }\n"
      " http-request redirect location /moved drop-query if { url_param(go) there }\n"
      " http-request return status 200 content-type text/plain string ok if { path /ping }\n"
      " http-request deny if { hdr_sub(user-agent) -i badbot }\n"
      " http-request set-header X-Set one\n"
      " http-request add-header X-Added two\n"
      " http-request del-header X-Remove-Me\n"
      " http-request set-header X-Proto http unless { ssl_fc }\n"
      " http-request replace-header X-Version v(\\d+) version-\\1\n"
      " http-request set-path /headers if { path /rewrite-me }\n"
      " http-response set-header X-Response yes\n"
      " http-response del-header X-Origin\n"
      " default_backend be\n"
      "backend be\n server o 127.0.0.1:", origin.port(), "\n")))
      << tender.output();
  std::string base = absl::StrCat("http://127.0.0.1:", port);
  std::string head = Curl({"-H", "X-Remove-Me: 1", "-H", "X-Set: client", base + "/headers"});
  EXPECT_NE(head.find("X-Set: one\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("X-Set: client"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Added: two\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("X-Remove-Me"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Forwarded-For: 127.0.0.1\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Proto: http\r\n"), std::string::npos) << head;
  head = Curl({"-H", "X-Version: v12", "-H", "X-Other: v12", base + "/rewrite-me?q=1"});
  EXPECT_NE(head.find("GET /headers?q=1 HTTP/1.1\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Version: version-12\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Other: v12\r\n"), std::string::npos) << head;

  std::string response = Curl({"-i", base + "/"});
  EXPECT_NE(response.find("X-Response: yes"), std::string::npos) << response;
  EXPECT_EQ(response.find("X-Origin"), std::string::npos) << response;

  std::string r = Curl({"-i", "-H", "Host: shop.example", base + "/secure/cart?id=3"});
  EXPECT_EQ(r.substr(0, r.find("\r\n")), "HTTP/1.1 301 Moved Permanently") << r;
  EXPECT_NE(r.find("location: https://shop.example/secure/cart?id=3\r\n"), std::string::npos) << r;
  r = Curl({"-i", base + "/old/page?x=1"});
  EXPECT_NE(r.find("HTTP/1.1 302 Found"), std::string::npos) << r;
  EXPECT_NE(r.find("location: /v2/old/page?x=1\r\n"), std::string::npos) << r;
  r = Curl({"-i", base + "/a?go=there"});
  EXPECT_NE(r.find("location: /moved\r\n"), std::string::npos) << r;
  EXPECT_EQ(Curl({base + "/ping"}), "ok");
  r = Curl({"-i", "-A", "Mozilla BadBot/1.0", base + "/"});
  EXPECT_NE(r.find("HTTP/1.1 403 Forbidden"), std::string::npos) << r;
  // None of the locally answered requests reached the origin: /headers and / did.
  EXPECT_EQ(origin.requests(), 3);
}

TEST(RoutingTest, HashBalancingOnUriHeaderAndUrlParamIsSticky) {
  HttpOrigin a("a"), b("b"), c("c");
  int port = FreePort();
  std::string servers = absl::StrCat(" server a 127.0.0.1:", a.port(), "\n server b 127.0.0.1:", b.port(),
                                     "\n server c 127.0.0.1:", c.port(), "\n");
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n"
      " use_backend by_hdr if { path_beg /h }\n"
      " use_backend by_param if { path_beg /p }\n"
      " default_backend by_uri\n"
      "backend by_uri\n balance uri\n", servers,
      "backend by_hdr\n balance hdr(X-User)\n", servers,
      "backend by_param\n balance url_param user\n", servers)))
      << tender.output();
  std::string base = absl::StrCat("http://127.0.0.1:", port);
  std::set<std::string> uri_targets;
  for (int key = 0; key < 20; ++key) {
    std::string first = Curl({base + "/item/" + std::to_string(key)});
    for (int again = 0; again < 3; ++again) EXPECT_EQ(Curl({base + "/item/" + std::to_string(key)}), first);
    uri_targets.insert(first);
    std::string h = Curl({"-H", "X-User: u" + std::to_string(key), base + "/h"});
    EXPECT_EQ(Curl({"-H", "X-User: u" + std::to_string(key), base + "/h?other"}), h);
    std::string p = Curl({base + "/p?user=" + std::to_string(key)});
    EXPECT_EQ(Curl({base + "/p?x=1&user=" + std::to_string(key)}), p);
  }
  EXPECT_EQ(uri_targets.size(), 3u) << "20 keys spread over the three servers";
  // Without the header, hdr() balances round robin.
  std::set<std::string> no_key;
  for (int i = 0; i < 3; ++i) no_key.insert(Curl({base + "/h"}));
  EXPECT_EQ(no_key.size(), 3u);
}

}  // namespace
}  // namespace tender::testing
