// Generated once from real output and reviewed by hand: each malformed configuration with
// the exact message tender must give (file:line:column, the keyword, what was expected).
#include "proxy/config/parser.h"

#include "gtest/gtest.h"

namespace tender::config {
namespace {

struct MalformedCase {
  const char* name;
  bool after_timeouts;  // appended to kT, a defaults section with every timeout
  const char* config;
  const char* error;
};

constexpr char kT[] = "defaults\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n";

const MalformedCase kCases[] = {
    {R"cfg(unknown keyword with suggestion)cfg", true, R"cfg(backend b
 balanse roundrobin
)cfg", R"cfg(t.cfg:6:2: 'balanse': unknown keyword 'balanse' in 'backend' section (did you mean 'balance'?))cfg"},
    {R"cfg(unknown balance algorithm)cfg", true, R"cfg(backend b
 balance roundrobbin
)cfg", R"cfg(t.cfg:6:10: 'balance': unknown algorithm 'roundrobbin' (expected roundrobin, static-rr, leastconn, first, source, random, uri, hdr, url_param) (did you mean 'roundrobin'?))cfg"},
    {R"cfg(balance missing algorithm)cfg", true, R"cfg(backend b
 balance
)cfg", R"cfg(t.cfg:6:9: 'balance': missing argument: expected an algorithm (roundrobin, static-rr, leastconn, first, source, random, uri, hdr, url_param))cfg"},
    {R"cfg(hdr without name)cfg", true, R"cfg(backend b
 balance hdr
)cfg", R"cfg(t.cfg:6:10: 'balance': 'hdr' needs a header name: hdr(<name>))cfg"},
    {R"cfg(random draws not a number)cfg", true, R"cfg(backend b
 balance random(x)
)cfg", R"cfg(t.cfg:6:10: 'balance': 'x' is not a valid number of draws in random(<draws>) (expected an integer from 1 to 1000))cfg"},
    {R"cfg(not supported balance)cfg", true, R"cfg(backend b
 balance rdp-cookie
)cfg", R"cfg(t.cfg:6:10: 'balance': balance algorithm 'rdp-cookie' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(bad mode)cfg", true, R"cfg(backend b
 mode udp
)cfg", R"cfg(t.cfg:6:7: 'mode': unknown mode 'udp' (expected tcp or http))cfg"},
    {R"cfg(timeout unknown)cfg", true, R"cfg(backend b
 timeout conect 5s
)cfg", R"cfg(t.cfg:6:10: 'timeout conect': unknown timeout 'conect' (expected connect, client, server, http-request, http-keep-alive, queue, check, tunnel, client-fin, server-fin) (did you mean 'connect'?))cfg"},
    {R"cfg(timeout bad unit)cfg", true, R"cfg(backend b
 timeout connect 5x
)cfg", R"cfg(t.cfg:6:18: 'timeout connect': unknown time unit 'x' in '5x' (expected us, ms, s, m, h or d))cfg"},
    {R"cfg(timeout missing value)cfg", true, R"cfg(backend b
 timeout server
)cfg", R"cfg(t.cfg:6:16: 'timeout server': missing argument: expected a time (a number of milliseconds, or with a unit us, ms, s, m, h, d))cfg"},
    {R"cfg(server missing address)cfg", true, R"cfg(backend b
 server s1
)cfg", R"cfg(t.cfg:6:11: 'server': missing argument: expected an address such as 10.0.0.1:80)cfg"},
    {R"cfg(server bad port)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:99999
)cfg", R"cfg(t.cfg:6:12: 'server': '10.0.0.1:99999': invalid port '99999' (expected 1 to 65535))cfg"},
    {R"cfg(server unknown keyword)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 chek
)cfg", R"cfg(t.cfg:6:24: 'server': unknown server keyword 'chek' (did you mean 'check'?))cfg"},
    {R"cfg(server unsupported keyword)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 agent-check
)cfg", R"cfg(t.cfg:6:24: 'server': server keyword 'agent-check' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(server weight out of range)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 weight 300
)cfg", R"cfg(t.cfg:6:31: 'server': '300' is not a valid 'weight' (expected an integer from 0 to 256))cfg"},
    {R"cfg(server rise zero)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 rise 0
)cfg", R"cfg(t.cfg:6:29: 'server': '0' is not a valid 'rise' count (expected an integer from 1 to 1000000))cfg"},
    {R"cfg(server inter missing)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 inter
)cfg", R"cfg(t.cfg:6:29: 'server': missing argument: expected 'inter' interval (a number of milliseconds, or with a unit us, ms, s, m, h, d))cfg"},
    {R"cfg(server bad init-state)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 init-state sideways
)cfg", R"cfg(t.cfg:6:35: 'server': 'init-state': unknown value 'sideways' (expected one of up, fully-up, down, fully-down))cfg"},
    {R"cfg(server bad observe)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80 observe layer5
)cfg", R"cfg(t.cfg:6:32: 'server': 'observe': unknown value 'layer5' (expected one of layer4, layer7) (did you mean 'layer4'?))cfg"},
    {R"cfg(duplicate server)cfg", true, R"cfg(backend b
 server s1 10.0.0.1:80
 server s1 10.0.0.2:80
)cfg", R"cfg(t.cfg:7:2: 'server': backend 'b' already has a server named 's1')cfg"},
    {R"cfg(bind missing port)cfg", true, R"cfg(frontend f
 bind 10.0.0.1
)cfg", R"cfg(t.cfg:6:7: 'bind': '10.0.0.1': missing port (expected ADDRESS:PORT, e.g. *:80))cfg"},
    {R"cfg(bind bad port)cfg", true, R"cfg(frontend f
 bind *:http
)cfg", R"cfg(t.cfg:6:7: 'bind': '*:http': invalid port 'http' (expected 1 to 65535, or a range LOW-HIGH))cfg"},
    {R"cfg(bind ssl without crt)cfg", true, R"cfg(frontend f
 bind *:443 ssl
)cfg", R"cfg(t.cfg:6:16: 'bind': 'ssl' needs at least one 'crt' certificate)cfg"},
    {R"cfg(bind unknown keyword)cfg", true, R"cfg(frontend f
 bind *:80 acept-proxy
)cfg", R"cfg(t.cfg:6:12: 'bind': unknown bind keyword 'acept-proxy' (did you mean 'accept-proxy'?))cfg"},
    {R"cfg(bind unsupported keyword)cfg", true, R"cfg(frontend f
 bind *:80 v4v6
)cfg", R"cfg(t.cfg:6:12: 'bind': bind keyword 'v4v6' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(bind in defaults)cfg", false, R"cfg(defaults
 bind *:80
)cfg", R"cfg(t.cfg:2:2: 'bind': 'bind' is not allowed in a 'defaults' section)cfg"},
    {R"cfg(frontend without bind)cfg", true, R"cfg(frontend f
 default_backend b
backend b
)cfg", R"cfg(t.cfg:5:1: 'frontend': 'f' has no 'bind' line; declare it as a backend if that was meant)cfg"},
    {R"cfg(missing backend with suggestion)cfg", true, R"cfg(frontend web-test
 bind *:80
 default_backend web-test
backend web_test
)cfg", R"cfg(t.cfg:7:2: 'default_backend': frontend 'web-test' refers to backend 'web-test', which does not exist (did you mean 'web_test'?))cfg"},
    {R"cfg(mode mismatch)cfg", true, R"cfg(frontend f
 mode http
 bind *:80
 default_backend b
backend b
 mode tcp
)cfg", R"cfg(t.cfg:8:2: 'default_backend': frontend 'f' is in mode http but backend 'b' is in mode tcp; a frontend and its backends must use the same mode)cfg"},
    {R"cfg(use_backend unknown acl)cfg", true, R"cfg(frontend f
 bind *:80
 acl is_api path_beg /api
 use_backend b if is_apy
backend b
)cfg", R"cfg(t.cfg:8:16: 'use_backend': no ACL named 'is_apy' in frontend 'f' (did you mean 'is_api'?))cfg"},
    {R"cfg(use_backend missing condition)cfg", true, R"cfg(frontend f
 bind *:80
 use_backend b if
backend b
)cfg", R"cfg(t.cfg:7:16: 'use_backend': 'if' needs a condition after it)cfg"},
    {R"cfg(use_backend bad keyword)cfg", true, R"cfg(frontend f
 bind *:80
 use_backend b when x
backend b
)cfg", R"cfg(t.cfg:7:16: 'use_backend': unexpected argument 'when' (expected 'if' or 'unless'))cfg"},
    {R"cfg(unclosed anonymous acl)cfg", true, R"cfg(frontend f
 bind *:80
 use_backend b if { path_beg /x
backend b
)cfg", R"cfg(t.cfg:7:19: 'use_backend': anonymous ACL '{' is not closed by '}')cfg"},
    {R"cfg(acl unknown fetch)cfg", true, R"cfg(frontend f
 bind *:80
 acl x pth_beg /a
)cfg", R"cfg(t.cfg:7:8: 'acl': unknown sample fetch 'pth_beg' (did you mean 'path_beg'?))cfg"},
    {R"cfg(acl unsupported fetch)cfg", true, R"cfg(frontend f
 bind *:80
 acl x cook(sid) -m found
)cfg", R"cfg(t.cfg:7:8: 'acl': sample fetch 'cook' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(acl without values)cfg", true, R"cfg(frontend f
 bind *:80
 acl x path_beg
)cfg", R"cfg(t.cfg:7:8: 'acl': 'path_beg' needs at least one value to match (or '-m found'))cfg"},
    {R"cfg(acl bad match method)cfg", true, R"cfg(frontend f
 bind *:80
 acl x path -m prefix /a
)cfg", R"cfg(t.cfg:7:16: 'acl': unknown match method 'prefix' (expected str, beg, end, sub, reg, dom, dir, ip, int, found, len or bool))cfg"},
    {R"cfg(url_param needs arg)cfg", true, R"cfg(frontend f
 bind *:80
 acl x url_param -m found
)cfg", R"cfg(t.cfg:7:8: 'acl': 'url_param' needs an argument, e.g. url_param(name))cfg"},
    {R"cfg(unknown option)cfg", true, R"cfg(backend b
 option redispach
)cfg", R"cfg(t.cfg:6:9: 'option redispach': unknown option 'redispach' (did you mean 'redispatch'?))cfg"},
    {R"cfg(unsupported option)cfg", true, R"cfg(backend b
 option http-pretend-keepalive
)cfg", R"cfg(t.cfg:6:9: 'option http-pretend-keepalive': 'option http-pretend-keepalive' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(option without name)cfg", true, R"cfg(backend b
 option
)cfg", R"cfg(t.cfg:6:8: 'option': missing argument: expected an option (httpchk, forwardfor, tcplog, httplog, dontlognull, redispatch, http-keep-alive, httpclose, http-server-close, allbackups, tcp-smart-accept))cfg"},
    {R"cfg(no without option)cfg", true, R"cfg(backend b
 no redispatch
)cfg", R"cfg(t.cfg:6:5: 'no': 'no' must be followed by 'option')cfg"},
    {R"cfg(unknown section)cfg", true, R"cfg(backnd b
)cfg", R"cfg(t.cfg:5:1: 'backnd': unknown keyword 'backnd' in 'defaults' section (did you mean 'backend'?))cfg"},
    {R"cfg(unsupported section)cfg", false, R"cfg(userlist admins
 user a password x
)cfg", R"cfg(t.cfg:1:1: 'userlist': section 'userlist' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(keyword outside section)cfg", false, R"cfg(maxconn 10
)cfg", R"cfg(t.cfg:1:1: 'maxconn': keyword 'maxconn' outside of any section (expected one of global, defaults, frontend, backend, listen, consul first))cfg"},
    {R"cfg(global unknown keyword)cfg", false, R"cfg(global
 maxconnn 100
)cfg", R"cfg(t.cfg:2:2: 'maxconnn': unknown keyword 'maxconnn' in 'global' section (did you mean 'maxconn'?))cfg"},
    {R"cfg(global unsupported keyword)cfg", false, R"cfg(global
 stats socket /run/haproxy.sock
)cfg", R"cfg(t.cfg:2:2: 'stats': 'stats socket' (HAProxy's Runtime API) is not supported by tender; its runtime API is the gRPC admin service (see docs/admin-api.md))cfg"},
    {R"cfg(global nbthread zero)cfg", false, R"cfg(global
 nbthread 0
)cfg", R"cfg(t.cfg:2:11: 'nbthread': '0' is not a valid thread count (expected an integer from 1 to 4096))cfg"},
    {R"cfg(global extra argument)cfg", false, R"cfg(global
 daemon yes
)cfg", R"cfg(t.cfg:2:9: 'daemon': unexpected argument 'yes')cfg"},
    {R"cfg(duplicate backend)cfg", true, R"cfg(backend b
backend b
)cfg", R"cfg(t.cfg:6:1: 'backend': 'b' has the same name as the backend declared at t.cfg:5)cfg"},
    {R"cfg(invalid proxy name)cfg", true, R"cfg(backend b@d
)cfg", R"cfg(t.cfg:5:9: 'backend': invalid name 'b@d' (letters, digits, '-', '_', '.' and ':' only))cfg"},
    {R"cfg(from unknown defaults)cfg", false, R"cfg(defaults web
backend b from wbe
)cfg", R"cfg(t.cfg:2:16: 'backend': no defaults section named 'wbe' before this line (did you mean 'web'?))cfg"},
    {R"cfg(http-request unknown action)cfg", true, R"cfg(frontend f
 mode http
 bind *:80
 http-request dney
)cfg", R"cfg(t.cfg:8:15: 'http-request dney': unknown action 'dney' (did you mean 'deny'?))cfg"},
    {R"cfg(http-request unsupported action)cfg", true, R"cfg(frontend f
 mode http
 bind *:80
 http-request set-var(txn.x) str(1)
)cfg", R"cfg(t.cfg:8:15: 'http-request set-var(txn.x)': 'http-request set-var' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(redirect bad code)cfg", true, R"cfg(frontend f
 mode http
 bind *:80
 http-request redirect location /x code 305
)cfg", R"cfg(t.cfg:8:44: 'http-request redirect': redirect code 305 is not one of 301, 302, 303, 307, 308)cfg"},
    {R"cfg(deny bad status)cfg", true, R"cfg(frontend f
 mode http
 bind *:80
 http-request deny deny_status 302
)cfg", R"cfg(t.cfg:8:35: 'http-request deny': status 302 cannot be used with deny)cfg"},
    {R"cfg(return string without content-type)cfg", true, R"cfg(frontend f
 mode http
 bind *:80
 http-request return status 200 string ok
)cfg", R"cfg(t.cfg:8:42: 'http-request return': 'string' needs a 'content-type')cfg"},
    {R"cfg(stats auth without colon)cfg", true, R"cfg(backend b
 mode http
 stats auth admin
)cfg", R"cfg(t.cfg:7:13: 'stats auth': expected USER:PASSWORD (a ':' is missing))cfg"},
    {R"cfg(errorfile bad code)cfg", true, R"cfg(backend b
 errorfile 418 /e.http
)cfg", R"cfg(t.cfg:6:12: 'errorfile': status 418 cannot be customised (expected one of 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 414, 421, 425, 429, 431, 500, 501, 502, 503, 504))cfg"},
    {R"cfg(cookie two modes)cfg", true, R"cfg(backend b
 cookie SRV insert rewrite
)cfg", R"cfg(t.cfg:6:27: 'cookie': only one of 'rewrite', 'insert' and 'prefix' may be used)cfg"},
    {R"cfg(hash-type unknown)cfg", true, R"cfg(backend b
 hash-type ring
)cfg", R"cfg(t.cfg:6:12: 'hash-type': unknown hash method 'ring' (expected map-based or consistent))cfg"},
    {R"cfg(server-template dns target)cfg", true, R"cfg(backend b
 server-template web 1-3 web.service.consul:80
)cfg", R"cfg(t.cfg:6:2: 'server-template': target 'web.service.consul': DNS resolution of server-template targets is not supported by tender (see docs/configuration.md); use consul@<consul section>/<service>)cfg"},
    {R"cfg(server-template bad range)cfg", true, R"cfg(backend b
 server-template web 5-2 consul@c/web
)cfg", R"cfg(t.cfg:6:22: 'server-template': invalid slot range '5-2' (expected NUM or LOW-HIGH with LOW <= HIGH))cfg"},
    {R"cfg(server-template unknown consul)cfg", true, R"cfg(backend b
 server-template web 3 consul@lcoal/web
consul local
)cfg", R"cfg(t.cfg:6:2: 'server-template': no 'consul lcoal' section is declared (did you mean 'local'?))cfg"},
    {R"cfg(consul wait too long)cfg", false, R"cfg(consul local
 wait 20m
)cfg", R"cfg(t.cfg:2:7: 'wait': 'wait' must be between 1s and 10m (Consul caps it at 10 minutes))cfg"},
    {R"cfg(unterminated quote)cfg", true, R"cfg(backend b
 server s "10.0.0.1:80
)cfg", R"cfg(t.cfg:6:11: unterminated double quote)cfg"},
    {R"cfg(conditional block)cfg", false, R"cfg(.if defined(X)
)cfg", R"cfg(t.cfg:1:5: '.if': conditional block directive '.if' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(log unknown facility)cfg", false, R"cfg(global
 log 127.0.0.1 locl0
)cfg", R"cfg(t.cfg:2:16: 'log': unknown facility 'locl0' (did you mean 'local0'?))cfg"},
    {R"cfg(tcp-request unsupported)cfg", true, R"cfg(frontend f
 bind *:80
 tcp-request connection reject
)cfg", R"cfg(t.cfg:7:14: 'tcp-request connection': 'tcp-request connection' is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(use_backend dynamic)cfg", true, R"cfg(frontend f
 bind *:80
 use_backend %[req.hdr(host)]
)cfg", R"cfg(t.cfg:7:14: 'use_backend': a dynamic backend name (log-format expression) is not supported by tender (see docs/configuration.md))cfg"},
    {R"cfg(unix socket server)cfg", true, R"cfg(backend b
 server s /run/app.sock
)cfg", R"cfg(t.cfg:6:11: 'server': UNIX socket address '/run/app.sock' is not supported by tender (see docs/configuration.md))cfg"},
};

std::string ConfigOf(const MalformedCase& c) {
  return c.after_timeouts ? std::string(kT) + c.config : std::string(c.config);
}

class MalformedConfigTest : public testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedConfigTest, GivesExactError) {
  const MalformedCase& c = GetParam();
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto out = ParseText("t.cfg", ConfigOf(c), env);
  ASSERT_FALSE(out.ok()) << c.name;
  EXPECT_EQ(out.status().message(), c.error) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedConfigTest, testing::ValuesIn(kCases));

TEST(MalformedConfigTest, TableIsLargeEnough) { EXPECT_GE(sizeof(kCases) / sizeof(kCases[0]), 40u); }

}  // namespace
}  // namespace tender::config
