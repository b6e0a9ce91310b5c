// --dump prints the effective configuration; parsing that output must give the same
// configuration again (compared through its canonical dump, which prints every field).
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "proxy/config/dump.h"
#include "proxy/config/parser.h"

namespace tender::config {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

std::string Runfile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectRoundTrip(const std::string& path) {
  auto first = ParseText(path, Runfile(path), NoEnv());
  ASSERT_TRUE(first.ok()) << first.status();
  std::string dumped = Dump(first->config);
  auto second = ParseText("dump.cfg", dumped, NoEnv());
  ASSERT_TRUE(second.ok()) << second.status() << "\n" << dumped;
  EXPECT_EQ(Dump(second->config), dumped);
  EXPECT_EQ(second->config.proxies.size(), first->config.proxies.size());
}

TEST(RoundTripTest, Everything) { ExpectRoundTrip("tests/unit/config/testdata/everything.cfg"); }

TEST(RoundTripTest, EverythingKeepsDetails) {
  auto out = ParseText("e.cfg", Runfile("tests/unit/config/testdata/everything.cfg"), NoEnv());
  ASSERT_TRUE(out.ok()) << out.status();
  auto again = ParseText("d.cfg", Dump(out->config), NoEnv());
  ASSERT_TRUE(again.ok()) << again.status();
  const ProxyConfig* www = again->config.FindProxy("www");
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(www->http_request_rules[2].value, "it's ok");
  EXPECT_EQ(www->http_request_rules[3].value, "yes, \"quoted\"");
  EXPECT_EQ(www->acls[2].values[0], "^a b$");
  EXPECT_EQ(www->acls[3].values[0], "-weird");
  EXPECT_EQ(www->options.forwardfor_header, "X-Real-IP");
  EXPECT_EQ(*www->timeouts.http_request, absl::Seconds(10));
  EXPECT_FALSE(www->timeouts.server.has_value());
  const ProxyConfig* api = again->config.FindProxy("api");
  EXPECT_EQ(api->servers[1].params.inter, absl::Seconds(3));
  EXPECT_EQ(api->servers[1].params.init_state, InitState::kFullyDown);
  EXPECT_EQ(api->servers[2].port, 0);
  EXPECT_EQ(api->errorfiles.at(503), "/etc/tender/errors/503.http");
  EXPECT_EQ(again->config.global.ssl_default_bind_options,
            (std::vector<std::string>{"no-sslv3", "ssl-min-ver TLSv1.2"}));
  EXPECT_EQ(again->config.FindProxy("web")->stats.realm, "Tender Stats");
}

class ExampleTest : public testing::TestWithParam<const char*> {};

TEST_P(ExampleTest, ParsesAndRoundTrips) {
  ExpectRoundTrip(std::string("docs/examples/") + GetParam());
}

INSTANTIATE_TEST_SUITE_P(Seeds, ExampleTest,
                         testing::Values("http-roundrobin.cfg", "acl-routing.cfg", "tcp-listen-backup.cfg",
                                         "tcp-web-test.cfg", "sni-routing.cfg"));

TEST(ExampleTest, TutorialBackendNameMismatchIsAClearError) {
  auto out = LoadConfigFiles({"tests/unit/config/testdata/tcp-web-test-mismatch.cfg"}, NoEnv());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "tests/unit/config/testdata/tcp-web-test-mismatch.cfg:10:5: 'default_backend': frontend 'web-test' "
            "refers to backend 'web-test', which does not exist (did you mean 'web_test'?)");
}

TEST(LoadTest, DirectoryLoadsCfgFilesInOrder) {
  auto out = LoadConfigFiles({"docs/examples"}, NoEnv());
  // The examples together declare 'http_frontend' twice, which proves both files were read.
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("docs/examples/http-roundrobin.cfg:9:1: 'frontend': 'http_frontend' has the same name as the frontend declared at docs/examples/acl-routing.cfg:8"), std::string::npos)
      << out.status();
}

TEST(LoadTest, MissingFileNamesThePath) {
  auto out = LoadConfigFiles({"/nonexistent/tender.cfg"}, NoEnv());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "/nonexistent/tender.cfg: cannot open configuration file: No such file or directory");
}

}  // namespace
}  // namespace tender::config
