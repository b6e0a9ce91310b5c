// Every error status tender produces, end to end, and `errorfile` replacing one. Also the
// access log line (`option httplog`).
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

std::string Status(const std::string& response) { return response.substr(0, response.find("\r\n")); }

class ErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    dead_port_ = FreePort();  // nothing listens there
    errorfile_ = absl::StrCat(::testing::TempDir(), "/503.http");
    std::ofstream(errorfile_) << "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                 "Content-Length: 16\r\nConnection: close\r\n\r\nsorry, come back";
    ASSERT_TRUE(tender_.Start(absl::StrCat(
        "global\n nbthread 1\n log stderr format raw local0\n"
        "defaults\n mode http\n log global\n option httplog\n timeout connect 2s\n timeout client 5s\n"
        " timeout server 400ms\n timeout http-request 300ms\n"
        "frontend fe\n bind 127.0.0.1:", port_, "\n"
        " http-request deny if { path /forbidden }\n"
        " http-request deny deny_status 404 if { path /404 }\n"
        " http-request deny deny_status 413 if { hdr(content-length) -m len 7 }\n"
        " http-request return status 421 if { hdr(host) -i wrong.example }\n"
        " http-request deny deny_status 429 if { path /429 }\n"
        " http-request deny deny_status 500 if { path /500 }\n"
        " use_backend dead if { path_beg /dead }\n"
        " use_backend custom if { path_beg /custom }\n"
        " default_backend be\n"
        "backend be\n server o 127.0.0.1:", origin_.port(), "\n"
        "backend dead\n retries 1\n server gone 127.0.0.1:", dead_port_, "\n"
        "backend custom\n errorfile 503 ", errorfile_, "\n server gone 127.0.0.1:", dead_port_, "\n")))
        << tender_.output();
  }
  std::string Get(const std::string& path, const std::string& extra = "") {
    return RawExchange(port_, absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: a\r\n", extra, "\r\n"));
  }

  HttpOrigin origin_{"origin"};
  TenderProcess tender_;
  int port_ = 0, dead_port_ = 0;
  std::string errorfile_;
};

TEST_F(ErrorsTest, EachStatusAsHAProxySendsIt) {
  EXPECT_EQ(Status(RawExchange(port_, "GET / HTTP/1.1\r\nHost a\r\n\r\n")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(Status(Get("/forbidden")), "HTTP/1.1 403 Forbidden");
  EXPECT_EQ(Status(Get("/404")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(Status(RawExchange(port_, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n")),
            "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(Status(Get("/" + std::string(20000, 'u'))), "HTTP/1.1 414 URI Too Long");
  EXPECT_EQ(Status(RawExchange(port_, "GET / HTTP/1.1\r\nHost: wrong.example\r\n\r\n")), "HTTP/1.1 421 Misdirected Request");
  EXPECT_EQ(Status(Get("/429")), "HTTP/1.1 429 Too Many Requests");
  std::string many;
  for (int i = 0; i < 120; ++i) many += absl::StrCat("X-", i, ": v\r\n");
  EXPECT_EQ(Status(Get("/", many)), "HTTP/1.1 431 Request Header Fields Too Large");
  std::string big_field = absl::StrCat("X-Big: ", std::string(20000, 'b'), "\r\n");
  EXPECT_EQ(Status(Get("/", big_field)), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(Status(Get("/500")), "HTTP/1.1 500 Internal Server Error");
  EXPECT_EQ(Status(RawExchange(port_, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")),
            "HTTP/1.1 501 Not Implemented");
  EXPECT_EQ(Status(Get("/invalid")), "HTTP/1.1 502 Bad Gateway");
  EXPECT_EQ(Status(Get("/dead")), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(Status(Get("/silent")), "HTTP/1.1 504 Gateway Time-out");
  EXPECT_EQ(Status(RawExchange(port_, "GET / HTTP/1.1\r\nHost: a\r\n")), "HTTP/1.1 408 Request Time-out");
  // The operator's page replaces the default one.
  std::string custom = Get("/custom");
  EXPECT_EQ(custom.substr(custom.find("\r\n\r\n") + 4), "sorry, come back") << custom;
  // The default page is HTML and closes.
  std::string page = Get("/dead");
  EXPECT_NE(page.find("content-type: text/html\r\n"), std::string::npos) << page;
  EXPECT_NE(page.find("connection: close\r\n"), std::string::npos) << page;
  // None of these reached the origin, except /invalid and /silent.
  EXPECT_EQ(origin_.requests(), 2);
}

TEST_F(ErrorsTest, SlowRequestHeadGets408WhileOthersAreServed) {
  int slow = ConnectTo(port_);
  ASSERT_EQ(send(slow, "GET / HT", 8, 0), 8);
  // A normal client meanwhile.
  EXPECT_EQ(Status(Get("/")), "HTTP/1.1 200 OK");
  std::string r = ReadAll(slow);
  EXPECT_EQ(Status(r), "HTTP/1.1 408 Request Time-out");
  close(slow);
}

TEST_F(ErrorsTest, HttpLogLinesInHAProxysFormat) {
  EXPECT_EQ(Status(Get("/hello?x=1")), "HTTP/1.1 200 OK");
  ASSERT_TRUE(tender_.WaitForOutput("\"GET /hello?x=1 HTTP/1.1\"")) << tender_.output();
  std::string out = tender_.output();
  std::string line = out.substr(out.rfind('\n', out.find("\"GET /hello?x=1")) + 1);
  line = line.substr(0, line.find('\n'));
  // 127.0.0.1:PORT [date] fe be/o TR/Tw/Tc/Tr/Ta 200 BYTES - - ---- act/fe/be/srv/retries 0/0 "GET ..."
  EXPECT_EQ(line.substr(0, 10), "127.0.0.1:") << line;
  EXPECT_NE(line.find(" fe be/o "), std::string::npos) << line;
  EXPECT_NE(line.find(" 200 "), std::string::npos) << line;
  EXPECT_NE(line.find(" - - ---- "), std::string::npos) << line;
  EXPECT_EQ(Status(Get("/dead")), "HTTP/1.1 503 Service Unavailable");
  ASSERT_TRUE(tender_.WaitForOutput("\"GET /dead HTTP/1.1\"")) << tender_.output();
  out = tender_.output();
  EXPECT_NE(out.find(" fe dead/gone "), std::string::npos) << out;
  EXPECT_NE(out.find(" 503 "), std::string::npos) << out;
  EXPECT_NE(out.find(" SC-- "), std::string::npos) << out;
}

TEST(LogFormatTest, CustomLinesWithTheCommonVariables) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n log stderr format raw local0\n"
      "defaults\n mode http\n log global\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n"
      " log-format \"custom %ci %ST %B %Tt %b %s %HM %HU %tsc 100%% %{+Q}r\"\n"
      " default_backend be\n"
      "backend be\n server o 127.0.0.1:", origin.port(), "\n")))
      << tender.output();
  EXPECT_EQ(Status(RawExchange(port, "GET /x?y=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")), "HTTP/1.1 200 OK");
  ASSERT_TRUE(tender.WaitForOutput("custom 127.0.0.1 200 ")) << tender.output();
  std::string out = tender.output();
  std::string line = out.substr(out.find("custom 127.0.0.1"));
  line = line.substr(0, line.find('\n'));
  // "custom 127.0.0.1 200 <bytes> <ms> be o GET /x?y=1 ---- 100% "GET /x?y=1 HTTP/1.1""
  EXPECT_NE(line.find(" be o GET /x?y=1 ---- 100% \"GET /x?y=1 HTTP/1.1\""), std::string::npos) << line;
}

TEST(LogFormatTest, UnknownVariablesAreErrorsWithTheirLine) {
  TenderProcess tender;
  EXPECT_FALSE(tender.Start(absl::StrCat(
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", FreePort(), "\n log-format \"%ci %Zz\"\n default_backend be\n"
      "backend be\n server o 127.0.0.1:1\n")));
  EXPECT_NE(tender.output().find(":8: log-format: unknown variable '%Zz'"), std::string::npos) << tender.output();
}

}  // namespace
}  // namespace tender::testing
