// Keywords HAProxy has and tender does not implement. They exist so that an HAProxy user
// hears "not supported by tender" instead of "unknown keyword": the config is right for
// HAProxy, tender just does not do that (yet). Names only; see docs/configuration.md.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "proxy/config/parse_internal.h"

namespace tender::config {
namespace {

bool In(const std::set<std::string>& set, const std::string& word) { return set.count(word) > 0; }

}  // namespace

std::string NotSupported(absl::string_view what) {
  return absl::StrCat(what, " is not supported by tender (see docs/configuration.md)");
}

bool IsKnownHaproxySection(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "userlist", "peers", "resolvers", "mailers", "program", "http-errors", "ring", "cache",
      "fcgi-app", "log-forward", "crt-store", "traces", "acme", "dynamic-update"};
  return In(*s, w);
}

bool IsKnownHaproxyGlobalKeyword(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "stats", "cpu-map", "nbproc", "node", "description", "uid", "gid", "ulimit-n", "setenv",
      "presetenv", "resetenv", "unsetenv", "lua-load", "lua-prepend-path", "master-worker",
      "external-check", "insecure-fork-wanted", "log-send-hostname", "log-tag", "localpeer",
      "numa-cpu-mapping", "h1-case-adjust", "h1-case-adjust-file", "server-state-base",
      "server-state-file", "ssl-default-server-ciphers", "ssl-default-server-ciphersuites",
      "ssl-default-server-options", "ssl-dh-param-file", "ssl-server-verify", "unix-bind",
      "maxconnrate", "maxsessrate", "maxsslconn", "maxsslrate", "maxpipes", "maxzlibmem",
      "max-spread-checks", "noepoll", "nopoll", "nosplice", "nogetaddrinfo", "noreuseport",
      "profiling.tasks", "quiet", "debug", "busy-polling", "set-dumpable", "strict-limits",
      "thread-groups", "thread-group", "tune.ssl.default-dh-param", "tune.ssl.cachesize",
      "tune.ssl.lifetime", "tune.maxaccept", "tune.maxpollevents", "tune.pipesize",
      "tune.rcvbuf.client", "tune.rcvbuf.server", "tune.sndbuf.client", "tune.sndbuf.server",
      "tune.h2.max-concurrent-streams", "tune.http.cookielen", "tune.http.logurilen",
      "tune.idletimer", "tune.maxrewrite", "tune.recv_enough", "tune.buffers.limit",
      "tune.buffers.reserve", "tune.comp.maxlevel", "tune.zlib.memlevel", "tune.zlib.windowsize",
      "tune.lua.maxmem", "tune.vars.txn-max-size", "tune.pattern.cache-size", "tune.chksize",
      "ssl-load-extra-files", "ssl-mode-async", "ssl-engine", "ca-base", "expose-experimental-directives",
      "httpclient.resolvers.id", "fd-hard-limit", "hard-stop-after", "grace", "close-spread-time",
      "deviceatlas-json-file", "51degrees-data-file", "wurfl-data-file", "stats-file"};
  return In(*s, w);
}

bool IsKnownHaproxyProxyKeyword(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "backlog", "bind-process", "capture", "compression", "declare", "description", "disabled",
      "dispatch", "email-alert", "enabled", "errorloc", "errorloc302", "errorloc303", "errors",
      "filter", "force-persist", "fullconn", "grace", "guid", "http-after-response", "http-error",
      "http-send-name-header", "id", "ignore-persist", "load-server-state-from-file",
      "log-format-sd", "log-tag", "error-log-format", "max-keep-alive-queue",
      "max-session-srv-conns", "monitor", "monitor-net", "persist", "rate-limit", "redirect",
      "server-state-file-name", "source", "stick", "stick-table", "stick-store-request",
      "stick-on", "stick-match", "tcp-check", "tcp-response", "unique-id-format",
      "unique-id-header", "use-fcgi-app", "use-server", "external-check", "http-check",
      "option", "reqadd", "reqrep", "rspadd", "rsprep", "reqdel", "rspdel", "block",
      "clitcpka-cnt", "clitcpka-idle", "clitcpka-intvl", "srvtcpka-cnt", "srvtcpka-idle",
      "srvtcpka-intvl", "quic-initial", "retry-on", "http-request", "http-response",
      "tcp-request", "timeout", "stats", "originalto"};
  return In(*s, w);
}

bool IsKnownHaproxyOption(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "abortonclose", "accept-invalid-http-request", "accept-invalid-http-response",
      "accept-unsafe-violations-in-http-request", "accept-unsafe-violations-in-http-response",
      "checkcache", "clitcpka", "contstats", "disable-h2-upgrade", "external-check",
      "h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server", "http-buffer-request",
      "http-drop-request-trailers", "http-drop-response-trailers", "http-ignore-probes",
      "http-no-delay", "http-pretend-keepalive", "http-restrict-req-hdr-names",
      "http-use-htx", "http-use-proxy-header", "http_proxy",
      "idle-close-on-response", "independent-streams", "ldap-check", "log-health-checks",
      "log-separate-errors", "logasap", "mysql-check", "nolinger", "originalto", "persist",
      "pgsql-check", "prefer-last-server", "redis-check", "smtpchk", "socket-stats",
      "splice-auto", "splice-request", "splice-response", "spop-check", "srvtcpka",
      "ssl-hello-chk", "tcp-check", "tcp-smart-accept", "tcp-smart-connect", "tcpka",
      "transparent", "httpslog", "dontlog-normal", "forwarded", "http-keep-alive"};
  return In(*s, w);
}

bool IsKnownHaproxyServerKeyword(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "agent-check", "agent-port", "agent-inter", "agent-addr", "agent-send", "alpn",
      "allow-0rtt", "ca-file", "check-send-proxy", "check-sni", "check-alpn", "check-proto",
      "check-via-socks4", "ciphers", "ciphersuites", "crl-file", "curves", "force-sslv3",
      "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13", "id", "init-addr",
      "log-proto", "max-reuse", "minconn", "namespace", "no-agent-check", "no-sslv3",
      "no-tls-tickets", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-verifyhost",
      "npn", "pool-conn-name", "pool-low-conn", "pool-max-conn", "pool-purge-delay", "proto",
      "proxy-v2-options", "redir", "resolve-net", "resolve-opts", "resolve-prefer", "resolvers",
      "shard", "sigalgs", "socks4", "source", "ssl-max-ver", "ssl-min-ver", "ssl-reuse",
      "stick", "non-stick", "tcp-ut", "tfo", "tls-tickets", "track", "usesrc", "verifyhost",
      "ws", "guid", "hash-key", "set-proxy-v2-tlv-fmt", "strict-maxconn", "check-pool-conn-name",
      "check-reuse-pool", "idle-ping", "interface", "usesrc"};
  return In(*s, w);
}

bool IsKnownHaproxyBindKeyword(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "allow-0rtt", "backlog", "ca-file", "ca-ignore-err", "ca-sign-file", "ca-sign-pass",
      "ciphers", "ciphersuites", "crl-file", "crt-ignore-err", "crt-list", "curves", "defer-accept",
      "ecdhe", "expose-fd", "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
      "force-tlsv13", "generate-certificates", "gid", "group", "id", "interface", "level",
      "severity-output", "maxconn", "mode", "mss", "namespace", "nice", "no-ca-names", "no-sslv3",
      "no-tls-tickets", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "npn", "prefer-client-ciphers",
      "process", "proto", "quic-cc-algo", "quic-force-retry", "shards", "sigalgs", "client-sigalgs",
      "ssl-max-ver", "ssl-min-ver", "strict-sni", "tcp-ut", "tfo", "thread", "tls-ticket-keys",
      "transparent", "uid", "user", "v4v6", "v6only", "verify", "guid-prefix", "idle-ping",
      "label", "nbconn", "ocsp-update", "default-crt", "quic-socket"};
  return In(*s, w);
}

bool IsKnownHaproxyFetch(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "base", "base32", "base32+src", "baseq", "be_id", "be_name", "bin", "bool", "capture.req.hdr",
      "cook", "cookie", "cook_cnt", "cook_val", "fc_rtt", "fe_id", "fe_name", "hdr_cnt", "hdr_ip",
      "hdr_val", "hdr_len", "http_auth", "http_auth_group", "http_first_req", "int", "ipv4", "ipv6",
      "meth", "nbsrv", "path_len", "url_len", "url_ip", "url_port", "urlp_val", "urlp_beg",
      "req.body", "req.cook", "req.fhdr", "req.hdr_cnt", "req.len", "req.payload", "req.proto_http",
      "req.rdp_cookie", "req.ssl_hello_type", "req.ssl_ver", "req.ver", "req_ver", "res.hdr",
      "sc0_http_req_rate", "sc_http_req_rate", "src_conn_cur", "src_http_req_rate", "srv_id",
      "ssl_c_used", "ssl_c_verify", "ssl_c_s_dn", "ssl_fc_alpn", "ssl_fc_protocol", "ssl_fc_has_sni",
      "ssl_fc_sni_end", "ssl_fc_sni_reg", "status", "str", "var", "wait_end", "connslots",
      "avg_queue", "be_conn", "queue", "srv_is_up", "stopping", "table_cnt", "http_req_rate",
      "req.ssl_alpn", "path,lower", "url32", "url32+src", "unique-id", "uuid", "env", "date",
      "hostname", "dst_conn", "so_id", "fc_http_major", "ssl_bc", "payload", "payload_lv", "rdp_cookie"};
  return In(*s, w);
}

bool IsKnownHaproxyHttpAction(const std::string& w) {
  static const auto* s = new std::set<std::string>{
      "allow", "auth", "cache-use", "cache-store", "capture", "del-acl", "del-map", "disable-l7-retry",
      "do-resolve", "early-hint", "normalize-uri", "reject", "replace-header", "replace-path",
      "replace-pathq", "replace-uri", "replace-value", "sc-inc-gpc", "sc-inc-gpc0", "sc-set-gpt0",
      "send-spoe-group", "set-dst", "set-dst-port", "set-log-level", "set-map", "set-mark",
      "set-method", "set-nice", "set-path", "set-pathq", "set-priority-class", "set-priority-offset",
      "set-query", "set-src", "set-src-port", "set-status", "set-timeout", "set-tos", "set-uri",
      "set-var", "set-var-fmt", "silent-drop", "strict-mode", "tarpit", "track-sc0", "track-sc1",
      "track-sc2", "unset-var", "use-service", "wait-for-body", "wait-for-handshake", "lua",
      "add-acl", "set-map", "set-bandwidth-limit", "set-fc-mark", "set-fc-tos", "pause", "set-retries",
      "del-header", "add-header", "redirect", "return", "deny"};
  return In(*s, w);
}

}  // namespace tender::config
