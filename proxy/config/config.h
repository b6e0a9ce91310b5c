// The configuration as plain typed structs: what the parser produces, what validation
// checks, and what the runtime builder consumes. Nothing here touches a socket or holds
// runtime state; every field has HAProxy's default unless docs/configuration.md says
// otherwise. Every struct that came from a config line carries where it came from, so
// that validation can name file:line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace tender::config {

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Mode { kTcp, kHttp };

// ---------------------------------------------------------------------------------------
// Listening addresses and servers.

struct BindConfig {
  SourceLocation where;
  std::string address;   // as written: "*:80", "[::]:443", "127.0.0.1:8080-8090"
  std::string host;      // "" for any address ("*" or empty host)
  int port_low = 0;
  int port_high = 0;     // == port_low unless a range was given
  bool ssl = false;
  std::vector<std::string> crt;  // certificate files or directories
  std::string alpn;              // comma-separated protocol list, as written
  bool accept_proxy = false;
  std::string name;
};

enum class Observe { kNone, kLayer4, kLayer7 };
enum class OnError { kFastinter, kFailCheck, kSuddenDeath, kMarkDown };
// HAProxy 3.1's init-state: the state a server starts in (and re-enters after MAINT).
enum class InitState { kUp, kFullyUp, kDown, kFullyDown };
enum class Verify { kDefault, kNone, kRequired };

// Everything a `server` or `server-template` line may say after the address.
struct ServerParams {
  bool check = false;
  absl::Duration inter = absl::Seconds(2);
  std::optional<absl::Duration> fastinter;  // unset: inter
  std::optional<absl::Duration> downinter;  // unset: inter
  int fall = 3;
  int rise = 2;
  int check_port = 0;  // 0: the traffic port
  std::string check_addr;
  int weight = 1;
  bool backup = false;
  bool disabled = false;
  int maxconn = 0;   // 0: unlimited
  int maxqueue = 0;  // 0: unlimited
  InitState init_state = InitState::kUp;
  absl::Duration slowstart = absl::ZeroDuration();
  bool send_proxy = false;
  bool send_proxy_v2 = false;
  bool ssl = false;
  Verify verify = Verify::kDefault;
  std::string ca_file;
  std::string sni;  // a sample expression, as written
  std::string crt;
  bool check_ssl = false;
  Observe observe = Observe::kNone;
  int error_limit = 10;
  OnError on_error = OnError::kFailCheck;
  bool on_marked_down_shutdown_sessions = false;
  bool on_marked_up_shutdown_backup_sessions = false;
  std::string cookie;
};

struct ServerConfig {
  SourceLocation where;
  std::string name;
  std::string address;  // as written
  std::string host;     // IP literal or name
  int port = 0;         // 0: the port the client connected to (HAProxy's rule)
  ServerParams params;
};

// What a `server-template ... consul@SOURCE/SERVICE` asks of discovery; written between the
// target and the server parameters (docs/discovery.md).
struct DiscoveryOptions {
  std::vector<std::string> tags;  // tag=T (repeatable): instances must carry every tag
  bool passing_only = true;       // `passing` (default) or `any`
  std::string filter;             // filter="..." (Consul's filter expression)
  std::string datacenter;         // dc=NAME
  std::string ns;                 // ns=NAME (Consul Enterprise namespaces)
  bool cached = false;            // `cached`: ask the agent's cache
  bool on_empty_apply = false;    // on-empty keep-last (default) | apply
  absl::Duration drain = absl::Seconds(10);  // drain T: how long a departed instance's slot drains
};

// `server-template PREFIX NUM|LOW-HIGH TARGET[:PORT] [params]`: slots PREFIX<LOW>..PREFIX<HIGH>.
struct ServerTemplateConfig {
  SourceLocation where;
  std::string prefix;
  int first = 1;
  int last = 1;
  std::string target;  // consul@SOURCE/SERVICE
  int port = 0;
  DiscoveryOptions discovery;
  ServerParams params;
};

// ---------------------------------------------------------------------------------------
// ACLs and conditions.

enum class MatchMethod { kDefault, kStr, kBeg, kEnd, kSub, kReg, kDom, kDir, kIp, kInt, kFound, kLen, kBool };

struct AclConfig {
  SourceLocation where;
  std::string name;   // empty for an anonymous `{ ... }` ACL
  std::string fetch;  // the sample fetch with its arguments, e.g. "hdr(host)", "path_beg"
  bool ignore_case = false;
  MatchMethod match = MatchMethod::kDefault;
  std::vector<std::string> files;   // -f
  std::vector<std::string> values;
};

// One term of a condition: a named ACL or an anonymous one, possibly negated.
struct ConditionTerm {
  bool negate = false;
  std::string acl_name;            // set for a named ACL
  std::optional<AclConfig> inline_acl;  // set for `{ fetch values }`
};

// `if|unless` followed by terms: implicit AND within a group, `||` between groups.
struct Condition {
  SourceLocation where;
  bool unless = false;
  std::vector<std::vector<ConditionTerm>> any_of;
};

// ---------------------------------------------------------------------------------------
// Rules.

struct UseBackendRule {
  SourceLocation where;
  std::string backend;
  std::optional<Condition> condition;
};

enum class HttpRequestAction { kRedirect, kDeny, kSetHeader, kAddHeader, kDelHeader, kReturn, kReplaceHeader, kSetPath };
enum class HttpResponseAction { kSetHeader, kDelHeader };
enum class RedirectKind { kLocation, kPrefix, kScheme };

struct HttpRule {
  SourceLocation where;
  HttpRequestAction request_action = HttpRequestAction::kDeny;   // for http-request
  HttpResponseAction response_action = HttpResponseAction::kSetHeader;  // for http-response
  std::string name;    // header name for *-header
  std::string value;   // header value, redirect target, return body, set-path path, replacement
  std::string pattern;  // replace-header's regex
  RedirectKind redirect_kind = RedirectKind::kLocation;
  int status = 0;      // redirect code (302 default), deny_status (403), return status (200)
  std::string content_type;      // http-request return
  std::vector<std::string> redirect_options;  // drop-query, append-slash, ...
  std::optional<Condition> condition;
};

enum class TcpRequestAction { kAccept, kReject };
struct TcpRequestRule {
  SourceLocation where;
  TcpRequestAction action = TcpRequestAction::kAccept;
  std::optional<Condition> condition;
};

// ---------------------------------------------------------------------------------------
// Balancing.

enum class BalanceAlgorithm {
  kRoundRobin, kStaticRr, kLeastConn, kFirst, kSource, kRandom, kUri, kHdr, kUrlParam
};
enum class HashType { kMapBased, kConsistent };
enum class HashFunction { kSdbm, kDjb2, kWt6, kCrc32, kNone };

struct BalanceConfig {
  BalanceAlgorithm algorithm = BalanceAlgorithm::kRoundRobin;
  int random_draws = 2;       // random(N)
  std::string argument;       // header name for hdr(), parameter for url_param
  std::vector<std::string> options;  // e.g. uri's "whole", "len 10", as written
  HashType hash_type = HashType::kMapBased;
  HashFunction hash_function = HashFunction::kSdbm;
  bool avalanche = false;
};

// ---------------------------------------------------------------------------------------
// Timeouts: unset means HAProxy's fallback (see docs/configuration.md).
struct Timeouts {
  std::optional<absl::Duration> connect, client, server, http_request, http_keep_alive, queue,
      check, tunnel, client_fin, server_fin;
};

struct StatsConfig {
  bool enabled = false;
  std::string uri = "/haproxy?stats";  // HAProxy's default
  std::vector<std::string> auth;       // "user:password"
  std::optional<absl::Duration> refresh;
  std::string realm;
  bool hide_version = false;
};

struct LogTarget {
  SourceLocation where;
  bool global = false;      // `log global` in a proxy
  std::string address;      // "stdout", "stderr", "127.0.0.1:514", "/dev/log"
  std::string format;       // "raw", "rfc3164", ...; empty: default
  std::string facility;
  std::string max_level;
  std::string min_level;
};

struct HttpCheckSend {
  std::string method, uri, version;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
enum class HttpCheckExpectKind { kStatus, kRstatus, kString, kRstring };
struct HttpCheckExpect {
  bool negate = false;
  HttpCheckExpectKind kind = HttpCheckExpectKind::kStatus;
  std::string pattern;
};

// Options: `option X` / `no option X`.
struct ProxyOptions {
  bool httpchk = false;
  std::string httpchk_method = "OPTIONS";
  std::string httpchk_uri = "/";
  std::string httpchk_version = "HTTP/1.0";
  bool forwardfor = false;
  std::string forwardfor_except;
  std::string forwardfor_header = "X-Forwarded-For";
  bool tcplog = false;
  bool httplog = false;
  bool dontlognull = false;
  bool redispatch = false;
  bool http_keep_alive = false;
  bool httpclose = false;
  bool http_server_close = false;
  bool allbackups = false;
  // Unset: on in HTTP mode, off in TCP mode (HAProxy's default); frontend side only.
  std::optional<bool> tcp_smart_accept;
};

// ---------------------------------------------------------------------------------------
// Proxies: frontend, backend, listen and defaults share one struct, as in HAProxy; the
// capability says which parts are meaningful.

enum class ProxyKind { kDefaults, kFrontend, kBackend, kListen };

struct ProxyConfig {
  SourceLocation where;
  ProxyKind kind = ProxyKind::kListen;
  std::string name;
  Mode mode = Mode::kTcp;

  // Frontend side.
  std::vector<BindConfig> binds;
  std::string default_backend;
  SourceLocation default_backend_where;
  std::vector<UseBackendRule> use_backends;
  std::vector<AclConfig> acls;
  std::vector<HttpRule> http_request_rules;
  std::vector<HttpRule> http_response_rules;
  std::vector<TcpRequestRule> tcp_request_content_rules;
  std::optional<absl::Duration> tcp_request_inspect_delay;
  std::string monitor_uri;
  std::string log_format;  // `log-format`, as written (empty: none)
  SourceLocation log_format_where;
  int maxconn = 0;  // 0: inherit (frontend: global maxconn)

  // Backend side.
  BalanceConfig balance;
  std::vector<ServerConfig> servers;
  std::vector<ServerTemplateConfig> server_templates;
  std::optional<ServerParams> default_server;  // `default-server` line
  int retries = 3;
  std::vector<HttpCheckSend> http_check_send;  // at most one today
  std::vector<HttpCheckExpect> http_check_expect;
  std::string cookie_name;
  std::vector<std::string> cookie_options;  // insert, indirect, nocache, ...
  std::string http_reuse = "safe";          // never | safe | aggressive | always

  // Both.
  Timeouts timeouts;
  ProxyOptions options;
  StatsConfig stats;
  std::vector<LogTarget> logs;
  std::map<int, std::string> errorfiles;  // status code -> file
};

// ---------------------------------------------------------------------------------------
// Sections outside proxies.

// `admin grpc ADDR [admin-token-file F] [read-token-file F] [crt F key F [ca-file F]]`.
struct AdminConfig {
  SourceLocation where;
  std::string address;  // as written
  std::string host;     // "" for a UNIX socket
  int port = 0;
  std::string unix_path;
  std::string admin_token_file;
  std::string read_token_file;
  std::string crt, key, ca_file;  // TLS; with ca-file, clients need a certificate (mTLS)
};

struct GlobalConfig {
  bool daemon = false;
  int maxconn = 0;        // 0: computed from the file-descriptor limit
  int nbthread = 0;       // 0: the number of CPUs
  std::string user, group;
  std::string chroot;
  std::string pidfile;
  std::vector<LogTarget> logs;
  int spread_checks = 0;  // percent, 0..50
  std::optional<absl::Duration> hard_stop_after;
  bool nosplice = false;  // relay through user-space buffers instead of splice(2)
  int tune_bufsize = 16384;
  int tune_http_maxhdr = 101;
  std::string ca_base, crt_base;
  std::string ssl_default_bind_ciphers, ssl_default_bind_ciphersuites;
  std::vector<std::string> ssl_default_bind_options;
  std::optional<AdminConfig> admin;
};

// A Consul agent that `server-template ... consul@NAME/service` slots are filled from.
struct ConsulConfig {
  SourceLocation where;
  std::string name;
  std::string address;     // empty: CONSUL_HTTP_ADDR, then 127.0.0.1:8500
  std::string token_file;  // empty: CONSUL_HTTP_TOKEN / CONSUL_HTTP_TOKEN_FILE
  std::string ca_file;     // empty: CONSUL_CACERT
  std::string datacenter;
  absl::Duration wait = absl::Minutes(5);
  std::string catalog_file;  // the embedded file catalog instead of an agent
};

struct Config {
  std::vector<std::string> files;  // what was loaded, in order
  GlobalConfig global;
  std::vector<ProxyConfig> proxies;  // frontends, backends and listens, in file order
  std::vector<ConsulConfig> consuls;

  const ProxyConfig* FindProxy(const std::string& name) const {
    for (const ProxyConfig& p : proxies) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
};

inline bool HasFrontendSide(ProxyKind k) {
  return k == ProxyKind::kFrontend || k == ProxyKind::kListen;
}
inline bool HasBackendSide(ProxyKind k) {
  return k == ProxyKind::kBackend || k == ProxyKind::kListen;
}

}  // namespace tender::config
