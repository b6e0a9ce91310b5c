#include "proxy/config/parser.h"

#include "gtest/gtest.h"

namespace tender::config {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

ParseOutput MustParse(absl::string_view text) {
  auto out = ParseText("t.cfg", text, NoEnv());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : ParseOutput{};
}

constexpr char kTimeouts[] = "defaults\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n";

TEST(ParserTest, DefaultsApplyToLaterProxiesAndALaterDefaultsReplacesThem) {
  ParseOutput out = MustParse(
      "defaults\n mode http\n timeout connect 3s\n retries 5\n option redispatch\n"
      "backend a\n server s 10.0.0.1:80\n"
      "defaults\n mode tcp\n"
      "backend b\n server s 10.0.0.1:80\n");
  const ProxyConfig* a = out.config.FindProxy("a");
  const ProxyConfig* b = out.config.FindProxy("b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->mode, Mode::kHttp);
  EXPECT_EQ(a->retries, 5);
  EXPECT_TRUE(a->options.redispatch);
  EXPECT_EQ(*a->timeouts.connect, absl::Seconds(3));
  EXPECT_EQ(b->mode, Mode::kTcp);
  EXPECT_EQ(b->retries, 3);
  EXPECT_FALSE(b->options.redispatch);
  EXPECT_FALSE(b->timeouts.connect.has_value());
}

TEST(ParserTest, NamedDefaultsAndFrom) {
  ParseOutput out = MustParse(
      "defaults web\n mode http\n retries 7\n"
      "defaults\n mode tcp\n"
      "backend a from web\n server s 10.0.0.1:80\n"
      "backend b\n server s 10.0.0.1:80\n");
  EXPECT_EQ(out.config.FindProxy("a")->mode, Mode::kHttp);
  EXPECT_EQ(out.config.FindProxy("a")->retries, 7);
  EXPECT_EQ(out.config.FindProxy("b")->mode, Mode::kTcp);
}

TEST(ParserTest, FrontendDoesNotInheritBackendOnlySettings) {
  ParseOutput out = MustParse(std::string(kTimeouts) + "frontend f\n bind :80\n default_backend b\nbackend b\n");
  const ProxyConfig* f = out.config.FindProxy("f");
  EXPECT_FALSE(f->timeouts.connect.has_value());
  EXPECT_FALSE(f->timeouts.server.has_value());
  EXPECT_EQ(*f->timeouts.client, absl::Seconds(1));
  EXPECT_FALSE(out.config.proxies[1].timeouts.client.has_value());
}

TEST(ParserTest, ServerParameters) {
  ParseOutput out = MustParse(std::string(kTimeouts) +
      "backend b\n"
      " default-server inter 3s fall 5\n"
      " server s1 10.0.0.1:8080 check rise 4 weight 20 backup maxconn 100 send-proxy-v2 observe layer4 "
      "error-limit 5 on-error mark-down init-state fully-down slowstart 10s on-marked-down shutdown-sessions\n"
      " server s2 [2001:db8::1]:443 disabled cookie s2\n"
      " server s3 ::1:80\n"
      " server s4 db.example.com\n");
  const auto& s = out.config.FindProxy("b")->servers;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_TRUE(s[0].params.check);
  EXPECT_EQ(s[0].params.inter, absl::Seconds(3));
  EXPECT_EQ(s[0].params.fall, 5);
  EXPECT_EQ(s[0].params.rise, 4);
  EXPECT_EQ(s[0].params.weight, 20);
  EXPECT_TRUE(s[0].params.backup);
  EXPECT_EQ(s[0].params.maxconn, 100);
  EXPECT_TRUE(s[0].params.send_proxy_v2);
  EXPECT_EQ(s[0].params.observe, Observe::kLayer4);
  EXPECT_EQ(s[0].params.error_limit, 5);
  EXPECT_EQ(s[0].params.on_error, OnError::kMarkDown);
  EXPECT_EQ(s[0].params.init_state, InitState::kFullyDown);
  EXPECT_EQ(s[0].params.slowstart, absl::Seconds(10));
  EXPECT_TRUE(s[0].params.on_marked_down_shutdown_sessions);
  EXPECT_EQ(s[1].host, "2001:db8::1");
  EXPECT_EQ(s[1].port, 443);
  EXPECT_TRUE(s[1].params.disabled);
  EXPECT_EQ(s[1].params.cookie, "s2");
  EXPECT_EQ(s[1].params.inter, absl::Seconds(3));  // from default-server
  EXPECT_EQ(s[2].host, "::1");
  EXPECT_EQ(s[2].port, 80);
  EXPECT_EQ(s[3].host, "db.example.com");
  EXPECT_EQ(s[3].port, 0);
}

TEST(ParserTest, BindAddresses) {
  ParseOutput out = MustParse(std::string(kTimeouts) +
      "frontend f\n bind *:80\n bind [::]:443 ssl crt /a.pem crt /b.pem alpn h2,http/1.1\n"
      " bind 127.0.0.1:8000-8002 accept-proxy name local\n default_backend b\nbackend b\n");
  const auto& b = out.config.FindProxy("f")->binds;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].host, "");
  EXPECT_EQ(b[0].port_low, 80);
  EXPECT_EQ(b[1].host, "::");
  EXPECT_TRUE(b[1].ssl);
  EXPECT_EQ(b[1].crt, (std::vector<std::string>{"/a.pem", "/b.pem"}));
  EXPECT_EQ(b[1].alpn, "h2,http/1.1");
  EXPECT_EQ(b[2].port_low, 8000);
  EXPECT_EQ(b[2].port_high, 8002);
  EXPECT_TRUE(b[2].accept_proxy);
  EXPECT_EQ(b[2].name, "local");
}

TEST(ParserTest, AclsAndConditions) {
  ParseOutput out = MustParse(std::string(kTimeouts) +
      "frontend f\n mode http\n bind :80\n"
      " acl is_api hdr(host) -i api.example.com api2.example.com\n"
      " acl is_static path_beg /static/ /img/\n"
      " acl local src 127.0.0.0/8 ::1\n"
      " use_backend b if is_api !local || { path_end .css } is_static\n"
      " http-request redirect scheme https code 301 if !{ ssl_fc }\n"
      " http-request deny deny_status 429 unless local\n"
      " default_backend b\n"
      "backend b\n mode http\n");
  const ProxyConfig* f = out.config.FindProxy("f");
  ASSERT_EQ(f->acls.size(), 3u);
  EXPECT_EQ(f->acls[0].fetch, "hdr(host)");
  EXPECT_TRUE(f->acls[0].ignore_case);
  EXPECT_EQ(f->acls[0].values, (std::vector<std::string>{"api.example.com", "api2.example.com"}));
  const Condition& c = *f->use_backends[0].condition;
  ASSERT_EQ(c.any_of.size(), 2u);
  EXPECT_EQ(c.any_of[0][0].acl_name, "is_api");
  EXPECT_TRUE(c.any_of[0][1].negate);
  EXPECT_EQ(c.any_of[0][1].acl_name, "local");
  EXPECT_EQ(c.any_of[1][0].inline_acl->fetch, "path_end");
  EXPECT_EQ(c.any_of[1][1].acl_name, "is_static");
  const HttpRule& r = f->http_request_rules[0];
  EXPECT_EQ(r.request_action, HttpRequestAction::kRedirect);
  EXPECT_EQ(r.redirect_kind, RedirectKind::kScheme);
  EXPECT_EQ(r.status, 301);
  EXPECT_TRUE(r.condition->any_of[0][0].negate);
  EXPECT_EQ(f->http_request_rules[1].status, 429);
  EXPECT_TRUE(f->http_request_rules[1].condition->unless);
}

TEST(ParserTest, BalanceVariants) {
  auto algo = [](const std::string& line) {
    ParseOutput out = MustParse(std::string(kTimeouts) + "backend b\n mode http\n " + line + "\n");
    return out.config.FindProxy("b")->balance;
  };
  EXPECT_EQ(algo("balance leastconn").algorithm, BalanceAlgorithm::kLeastConn);
  EXPECT_EQ(algo("balance random").random_draws, 2);
  EXPECT_EQ(algo("balance random(5)").random_draws, 5);
  EXPECT_EQ(algo("balance hdr(User-Agent)").argument, "User-Agent");
  EXPECT_EQ(algo("balance url_param userid").argument, "userid");
  EXPECT_EQ(algo("balance uri whole len 10").options, (std::vector<std::string>{"whole", "len 10"}));
}

TEST(ParserTest, WarningsAreReportedNotFatal) {
  ParseOutput out = MustParse(std::string(kTimeouts) +
      "backend unused\n server s 10.0.0.1:80\n"
      "backend b\n timeout client 5s\n");
  ASSERT_GE(out.warnings.size(), 2u);
  EXPECT_EQ(out.warnings[0], "t.cfg:8:2: 'timeout client': ignored because backend 'b' has no frontend capability");
  EXPECT_EQ(out.warnings[1], "t.cfg:5:1: backend 'unused' is not used by any frontend");
}

TEST(ParserTest, TcpSmartAcceptStaysUnsetUntilSaidAndBelongsToTheFrontendSide) {
  // Unset means HAProxy's default, which depends on the mode (on for HTTP).
  ParseOutput out = MustParse(std::string(kTimeouts) +
      "frontend plain\n mode http\n bind :80\n default_backend b\n"
      "frontend forced\n bind :81\n option tcp-smart-accept\n default_backend raw\n"
      "backend raw\n"
      "defaults\n mode http\n timeout client 1s\n timeout server 1s\n no option tcp-smart-accept\n"
      "frontend debugging\n bind :82\n default_backend b\n"
      "backend b\n option tcp-smart-accept\n");
  EXPECT_FALSE(out.config.FindProxy("plain")->options.tcp_smart_accept.has_value());
  EXPECT_EQ(out.config.FindProxy("forced")->options.tcp_smart_accept, std::optional<bool>(true));
  EXPECT_EQ(out.config.FindProxy("debugging")->options.tcp_smart_accept, std::optional<bool>(false));
  EXPECT_FALSE(out.config.FindProxy("b")->options.tcp_smart_accept.has_value());
  ASSERT_FALSE(out.warnings.empty());
  EXPECT_EQ(out.warnings[0],
            "t.cfg:23:2: 'option tcp-smart-accept': ignored because backend 'b' has no frontend capability");
}

TEST(ParserTest, SeveralFilesAndConsulSection) {
  auto out = ParseTexts({{"a.cfg", "consul local\n address 127.0.0.1:8500\n wait 30s\n"},
                         {"b.cfg", std::string(kTimeouts) + "backend web\n server-template web 1-10 consul@local/web:80 check\n"}},
                        NoEnv());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->config.consuls[0].wait, absl::Seconds(30));
  const auto& t = out->config.FindProxy("web")->server_templates[0];
  EXPECT_EQ(t.first, 1);
  EXPECT_EQ(t.last, 10);
  EXPECT_EQ(t.target, "consul@local/web");
  EXPECT_EQ(t.port, 80);
  EXPECT_TRUE(t.params.check);
}

}  // namespace
}  // namespace tender::config
