#include "proxy/health/http_check.h"

#include "gtest/gtest.h"

namespace tender {
namespace {

using Result = HttpExpectations::Verdict::Result;

config::HttpCheckExpect Expect(config::HttpCheckExpectKind kind, std::string pattern, bool negate = false) {
  config::HttpCheckExpect e;
  e.kind = kind;
  e.pattern = std::move(pattern);
  e.negate = negate;
  return e;
}

HttpExpectations::Verdict Judge(std::vector<config::HttpCheckExpect> rules, const std::string& response,
                                bool complete = true) {
  auto e = HttpExpectations::Compile(rules);
  EXPECT_TRUE(e.ok()) << e.status();
  return (*e)->Evaluate(response, complete);
}

TEST(HttpCheckTest, RequestFromOptionAndSend) {
  config::ProxyOptions o;
  EXPECT_EQ(BuildHttpCheckRequest(o, {}), "OPTIONS / HTTP/1.0\r\nConnection: close\r\n\r\n");
  o.httpchk_method = "GET";
  o.httpchk_uri = "/health";
  o.httpchk_version = "HTTP/1.1";
  config::HttpCheckSend send;
  send.headers = {{"Host", "api.example.com"}};
  send.body = "ping";
  EXPECT_EQ(BuildHttpCheckRequest(o, {send}),
            "GET /health HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 4\r\nConnection: close\r\n\r\nping");
}

TEST(HttpCheckTest, DefaultAcceptsTwoAndThreeHundreds) {
  EXPECT_EQ(Judge({}, "HTTP/1.1 200 OK\r\n").result, Result::kPass);
  EXPECT_EQ(Judge({}, "HTTP/1.1 302 Found\r\n").result, Result::kPass);
  auto v = Judge({}, "HTTP/1.1 500 Internal Server Error\r\n\r\n");
  EXPECT_EQ(v.result, Result::kFail);
  EXPECT_EQ(v.code, 500);
  EXPECT_EQ(v.reason, "Layer7 wrong status");
  EXPECT_EQ(v.info, "Internal Server Error");
  EXPECT_EQ(Judge({}, "HTTP/1.1 404 Not Found\r\n").result, Result::kFail);
}

TEST(HttpCheckTest, StatusListsAndRanges) {
  auto rule = Expect(config::HttpCheckExpectKind::kStatus, "200,301-302");
  EXPECT_EQ(Judge({rule}, "HTTP/1.1 301 Moved\r\n").result, Result::kPass);
  EXPECT_EQ(Judge({rule}, "HTTP/1.1 303 See Other\r\n").result, Result::kFail);
  EXPECT_EQ(Judge({Expect(config::HttpCheckExpectKind::kStatus, "200", true)}, "HTTP/1.1 200 OK\r\n").result,
            Result::kFail);
}

TEST(HttpCheckTest, RegexStatus) {
  auto rule = Expect(config::HttpCheckExpectKind::kRstatus, "^2[0-9][0-9]$");
  EXPECT_EQ(Judge({rule}, "HTTP/1.1 204 No Content\r\n").result, Result::kPass);
  EXPECT_EQ(Judge({rule}, "HTTP/1.1 404 Not Found\r\n").result, Result::kFail);
}

TEST(HttpCheckTest, StringAndRegexBodyWaitForTheWholeResponse) {
  auto s = Expect(config::HttpCheckExpectKind::kString, "\"status\":\"ok\"");
  std::string partial = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"sta";
  EXPECT_EQ(Judge({s}, partial, /*complete=*/false).result, Result::kNeedMore);
  EXPECT_EQ(Judge({s}, partial + "tus\":\"ok\"}").result, Result::kPass);
  auto v = Judge({s}, "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"degraded\"}");
  EXPECT_EQ(v.result, Result::kFail);
  EXPECT_EQ(v.info, "HTTP content check did not match");
  auto r = Expect(config::HttpCheckExpectKind::kRstring, "ready: (yes|true)");
  EXPECT_EQ(Judge({r}, "HTTP/1.1 200 OK\r\n\r\nready: true\n").result, Result::kPass);
  EXPECT_EQ(Judge({r}, "HTTP/1.1 200 OK\r\n\r\nready: no\n").result, Result::kFail);
  // The status line alone is not examined for body rules: headers do not count as body.
  EXPECT_EQ(Judge({r}, "HTTP/1.1 200 OK\r\nX-Note: ready: yes\r\n\r\n").result, Result::kFail);
}

TEST(HttpCheckTest, EveryRuleMustHold) {
  std::vector<config::HttpCheckExpect> rules = {Expect(config::HttpCheckExpectKind::kStatus, "200"),
                                                Expect(config::HttpCheckExpectKind::kString, "ok")};
  EXPECT_EQ(Judge(rules, "HTTP/1.1 200 OK\r\n\r\nok").result, Result::kPass);
  EXPECT_EQ(Judge(rules, "HTTP/1.1 503 Busy\r\n\r\nok").result, Result::kFail);
}

TEST(HttpCheckTest, InvalidResponses) {
  EXPECT_EQ(Judge({}, "", /*complete=*/true).reason, "Layer7 invalid response");
  EXPECT_EQ(Judge({}, "SSH-2.0-OpenSSH\r\n").reason, "Layer7 invalid response");
  EXPECT_EQ(Judge({}, "HTTP/1.1 2OO OK\r\n").reason, "Layer7 invalid response");
  EXPECT_EQ(Judge({}, "HTTP/1.1 200", /*complete=*/false).result, Result::kNeedMore);
}

TEST(HttpCheckTest, BadRulesDoNotCompile) {
  EXPECT_FALSE(HttpExpectations::Compile({Expect(config::HttpCheckExpectKind::kRstring, "(unclosed")}).ok());
  EXPECT_FALSE(HttpExpectations::Compile({Expect(config::HttpCheckExpectKind::kStatus, "2xx")}).ok());
}

}  // namespace
}  // namespace tender
