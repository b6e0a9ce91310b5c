// Cookie persistence (`cookie NAME insert ...` with `server ... cookie VALUE`) and retries
// with redispatch in HTTP mode.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

std::string Body(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

TEST(PersistenceTest, InsertedCookieSticksAClientAndMovesItWhenItsServerIsDown) {
  auto a = std::make_unique<HttpOrigin>("a");
  HttpOrigin b("b");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend be\n"
      "backend be\n balance roundrobin\n option redispatch\n"
      " cookie SERVERID insert indirect nocache httponly\n"
      " server a 127.0.0.1:", a->port(), " cookie sa check inter 100ms fall 1 rise 1\n"
      " server b 127.0.0.1:", b.port(), " cookie sb check inter 100ms fall 1 rise 1\n")))
      << tender.output();
  std::string base = absl::StrCat("http://127.0.0.1:", port, "/");
  // A new client gets a cookie naming the server that answered.
  std::string first = Curl({"-i", base});
  std::string server = Body(first);
  ASSERT_TRUE(server == "a\n" || server == "b\n") << first;
  std::string value = server == "a\n" ? "sa" : "sb";
  EXPECT_NE(first.find(absl::StrCat("Set-Cookie: SERVERID=", value, "; path=/; HttpOnly\r\n")), std::string::npos) << first;
  EXPECT_NE(first.find("Cache-Control: private\r\n"), std::string::npos) << first;
  // With the cookie, every request goes to that server (round robin would alternate), and
  // `indirect` means no new Set-Cookie and no cookie sent on to the server.
  for (int i = 0; i < 6; ++i) {
    std::string r = Curl({"-i", "-H", absl::StrCat("Cookie: theme=dark; SERVERID=", value), base + "headers"});
    EXPECT_EQ(r.find("Set-Cookie"), std::string::npos) << r;
    EXPECT_NE(r.find("Cookie: theme=dark\r\n"), std::string::npos) << r;
    EXPECT_EQ(r.find("SERVERID"), std::string::npos) << r;
  }
  EXPECT_EQ((server == "a\n" ? a->requests() : b.requests()), 7);
  // Its server goes down: the client is balanced to the other one and gets a new cookie.
  if (server == "a\n") {
    a.reset();
    ASSERT_TRUE(tender.WaitForOutput("Server be/a is DOWN")) << tender.output();
    std::string r = Curl({"-i", "-H", "Cookie: SERVERID=sa", base});
    EXPECT_EQ(Body(r), "b\n") << r;
    EXPECT_NE(r.find("Set-Cookie: SERVERID=sb"), std::string::npos) << r;
  } else {
    // Symmetric case, without destroying b (the test owns it by value): mark its cookie
    // unknown instead and check a fresh cookie is inserted.
    std::string r = Curl({"-i", "-H", "Cookie: SERVERID=unknown", base});
    EXPECT_NE(r.find("Set-Cookie: SERVERID="), std::string::npos) << r;
  }
}

TEST(PersistenceTest, ConnectFailuresAreRetriedAndRedispatched) {
  HttpOrigin live("live");
  int dead = FreePort();
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend be\n"
      "backend be\n balance roundrobin\n retries 2\n option redispatch\n"
      " server dead 127.0.0.1:", dead, "\n server live 127.0.0.1:", live.port(), "\n")))
      << tender.output();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Curl({absl::StrCat("http://127.0.0.1:", port, "/")}), "live\n") << i;
  }
  EXPECT_EQ(live.requests(), 20);
}

TEST(PersistenceTest, ObserveLayer7MarksAServerAnswering5xxDown) {
  HttpOrigin flaky("flaky"), good("good");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend be\n"
      "backend be\n balance first\n"
      " server flaky 127.0.0.1:", flaky.port(), " check inter 1h observe layer7 error-limit 3 on-error mark-down\n"
      " server good 127.0.0.1:", good.port(), "\n")))
      << tender.output();
  std::string base = absl::StrCat("http://127.0.0.1:", port);
  // 501 and 505 are the client's fault and 404 is fine: they never count.
  for (const char* path : {"/status/501", "/status/505", "/status/404", "/status/503", "/status/502", "/"}) {
    EXPECT_EQ(Curl({base + path}), "flaky\n") << path;
  }
  EXPECT_FALSE(tender.output().find("is DOWN") != std::string::npos) << "two 5xx then a 200: the count starts over";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Curl({base + "/status/500"}), "flaky\n");
  ASSERT_TRUE(tender.WaitForOutput("Server be/flaky is DOWN, reason: Health analyze")) << tender.output();
  EXPECT_NE(tender.output().find("last one was: HTTP 5xx response"), std::string::npos) << tender.output();
  EXPECT_EQ(Curl({base + "/"}), "good\n");
}

}  // namespace
}  // namespace tender::testing
