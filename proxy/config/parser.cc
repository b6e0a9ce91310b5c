// Sections and the keyword tables of `global`, proxies and `consul`. Each keyword is one
// table row naming the sections it may appear in and a short handler; anything not in a
// table is an error ("not supported by tender" when HAProxy knows it, "unknown keyword"
// with a suggestion otherwise). Nothing is ever silently ignored.
#include "proxy/config/parser.h"

#include <algorithm>
#include <functional>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "proxy/config/cursor.h"
#include "proxy/config/parse_internal.h"
#include "proxy/config/suggest.h"
#include "proxy/config/units.h"
#include "proxy/config/validate.h"

namespace tender::config {
namespace {

// Which proxy sections a keyword may appear in (HAProxy's keyword matrix).
enum SectionBits : unsigned {
  kD = 1 << static_cast<int>(ProxyKind::kDefaults),
  kF = 1 << static_cast<int>(ProxyKind::kFrontend),
  kB = 1 << static_cast<int>(ProxyKind::kBackend),
  kL = 1 << static_cast<int>(ProxyKind::kListen),
};

const char* KindName(ProxyKind k) {
  switch (k) {
    case ProxyKind::kDefaults: return "defaults";
    case ProxyKind::kFrontend: return "frontend";
    case ProxyKind::kBackend: return "backend";
    case ProxyKind::kListen: return "listen";
  }
  return "?";
}

bool ValidProxyName(const std::string& name) {
  if (name.empty()) return false;
  for (char ch : name) {
    if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.' || ch == ':')) {
      return false;
    }
  }
  return true;
}

bool ParseLogLine(Cursor& c, bool in_proxy, LogTarget* out) {
  out->where = c.Where();
  if (c.AtEnd()) return c.Fail("missing argument: expected 'global' or an address (stdout, stderr, IP:PORT, /dev/log)");
  const Word& target = c.Take();
  if (target.text == "global") {
    if (!in_proxy) return c.FailAt(target, "'log global' is only valid in proxy sections");
    out->global = true;
    return c.ExpectEnd();
  }
  out->address = target.text;
  static const std::vector<std::string> kFacilities = {
      "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
      "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
      "local5", "local6", "local7"};
  static const std::vector<std::string> kLevels = {"emerg", "alert", "crit", "err", "warning",
                                                   "notice", "info", "debug"};
  while (!c.AtEnd() && (c.PeekIs("format") || c.PeekIs("len") || c.PeekIs("sample"))) {
    const Word& opt = c.Take();
    if (opt.text == "format") {
      static const std::vector<std::string> kFormats = {"raw", "short", "rfc3164", "rfc5424",
                                                        "iso", "local", "priority", "timed"};
      if (!c.TakeString("a log format", &out->format)) return false;
      if (std::find(kFormats.begin(), kFormats.end(), out->format) == kFormats.end()) {
        return c.FailAt(c.line().words[c.position() - 1],
                        absl::StrCat("unknown log format '", out->format, "' (expected ",
                                     absl::StrJoin(kFormats, ", "), ")"));
      }
    } else {
      return c.FailAt(opt, NotSupported(absl::StrCat("log option '", opt.text, "'")));
    }
  }
  if (!c.TakeString("a syslog facility such as local0", &out->facility)) return false;
  if (std::find(kFacilities.begin(), kFacilities.end(), out->facility) == kFacilities.end()) {
    return c.FailAt(c.line().words[c.position() - 1],
                    absl::StrCat("unknown facility '", out->facility, "'", DidYouMean(out->facility, kFacilities)));
  }
  for (std::string* level : {&out->max_level, &out->min_level}) {
    if (c.AtEnd()) break;
    const Word& w = c.Take();
    if (std::find(kLevels.begin(), kLevels.end(), w.text) == kLevels.end()) {
      return c.FailAt(w, absl::StrCat("unknown log level '", w.text, "' (expected ",
                                      absl::StrJoin(kLevels, ", "), ")"));
    }
    *level = w.text;
  }
  return c.ExpectEnd();
}

// A proxy takes from defaults only what its capabilities can use, so that a frontend
// never carries, say, a `timeout server` it cannot apply (and --dump shows no such thing).
void ClearInapplicable(ProxyConfig& p) {
  if (!HasBackendSide(p.kind) && p.kind != ProxyKind::kDefaults) {
    ProxyConfig fresh;
    p.balance = fresh.balance;
    p.default_server.reset();
    p.retries = fresh.retries;
    p.http_check_send.clear();
    p.http_check_expect.clear();
    p.cookie_name.clear();
    p.cookie_options.clear();
    p.stats = fresh.stats;
    p.options.httpchk = false;
    p.options.httpchk_method = fresh.options.httpchk_method;
    p.options.httpchk_uri = fresh.options.httpchk_uri;
    p.options.httpchk_version = fresh.options.httpchk_version;
    p.options.redispatch = false;
    p.options.allbackups = false;
    for (auto field : {&Timeouts::connect, &Timeouts::server, &Timeouts::queue, &Timeouts::check,
                       &Timeouts::tunnel, &Timeouts::server_fin}) {
      (p.timeouts.*field).reset();
    }
  }
  if (!HasFrontendSide(p.kind) && p.kind != ProxyKind::kDefaults) {
    p.default_backend.clear();
    p.default_backend_where = {};
    p.monitor_uri.clear();
    p.maxconn = 0;
    p.timeouts.client.reset();
    p.timeouts.client_fin.reset();
    p.tcp_request_inspect_delay.reset();
    p.options.tcp_smart_accept.reset();
  }
}

// `admin grpc ADDR [options]`: tender's own keyword for the gRPC admin service.
bool ParseAdminLine(Cursor& c, GlobalConfig* global) {
  if (!c.PeekIs("grpc")) return c.Fail("expected 'grpc' (the admin service's protocol)");
  c.Take();
  c.set_keyword("admin grpc");
  if (global->admin) return c.FailAt(c.line().words[0], "the admin service is already configured");
  AdminConfig a;
  a.where = c.Where();
  if (c.AtEnd()) return c.Fail("missing argument: expected an address such as 127.0.0.1:9901, :9901 or unix@/run/tender/admin.sock");
  const Word& addr = c.Take();
  a.address = addr.text;
  absl::string_view text = addr.text;
  if (absl::ConsumePrefix(&text, "unix@")) {
    if (text.empty()) return c.FailAt(addr, "'unix@' needs a socket path");
    a.unix_path = std::string(text);
  } else if (absl::StartsWith(text, ":")) {
    // ":PORT": loopback (the admin service is never exposed by accident).
    if (!absl::SimpleAtoi(text.substr(1), &a.port) || a.port < 1 || a.port > 65535) {
      return c.FailAt(addr, absl::StrCat("'", addr.text, "': invalid port"));
    }
  } else {
    if (!ParseServerAddress(c, addr, &a.host, &a.port)) return false;
    if (a.port == 0) return c.FailAt(addr, absl::StrCat("'", addr.text, "': missing port"));
  }
  static const std::vector<std::string> kOptions = {"admin-token-file", "read-token-file", "crt", "key", "ca-file"};
  while (!c.AtEnd()) {
    const Word& kw = c.Take();
    std::string* field = kw.text == "admin-token-file"  ? &a.admin_token_file
                         : kw.text == "read-token-file" ? &a.read_token_file
                         : kw.text == "crt"             ? &a.crt
                         : kw.text == "key"             ? &a.key
                         : kw.text == "ca-file"         ? &a.ca_file
                                                        : nullptr;
    if (field == nullptr) {
      return c.FailAt(kw, absl::StrCat("unknown option '", kw.text, "'", DidYouMean(kw.text, kOptions)));
    }
    if (!c.TakeString("a file path", field)) return false;
  }
  if (a.crt.empty() != a.key.empty()) return c.Fail("'crt' and 'key' go together");
  if (!a.ca_file.empty() && a.crt.empty()) return c.Fail("'ca-file' (client certificates) needs 'crt' and 'key'");
  global->admin = std::move(a);
  return true;
}

// ---------------------------------------------------------------------------------------

class ConfigParser {
 public:
  ConfigParser(Diagnostics& diag) : diag_(diag) {}

  void StartFile() {
    CloseSection();
    section_ = Section::kNone;
  }
  void ParseLine(const Line& line);
  Config Finish() {
    CloseSection();
    return std::move(config_);
  }

 private:
  enum class Section { kNone, kGlobal, kProxy, kConsul, kUnsupported };
  using ProxyHandler = std::function<bool(ConfigParser&, Cursor&)>;
  struct ProxyKeyword {
    unsigned sections;
    ProxyHandler handler;
  };
  using SimpleHandler = std::function<bool(ConfigParser&, Cursor&)>;

  bool StartSection(Cursor& c);
  // A named defaults section becomes usable with `from` once it is complete.
  void CloseSection() {
    if (in_defaults_ && !current_defaults_.name.empty()) {
      named_defaults_[current_defaults_.name] = current_defaults_;
    }
    in_defaults_ = false;
    proxy_ = nullptr;
    consul_ = nullptr;
  }
  bool StartProxy(Cursor& c, ProxyKind kind);
  bool StartConsul(Cursor& c);
  void ParseGlobalKeyword(Cursor& c);
  void ParseProxyKeyword(Cursor& c);
  void ParseConsulKeyword(Cursor& c);

  // Proxy keyword handlers.
  bool Mode(Cursor& c);
  bool Balance(Cursor& c);
  bool HashTypeKw(Cursor& c);
  bool Option(Cursor& c, bool negated);
  bool Timeout(Cursor& c);
  bool Stats(Cursor& c);
  bool HttpCheck(Cursor& c);
  bool TcpRequest(Cursor& c);
  bool Cookie(Cursor& c);
  bool Errorfile(Cursor& c);

  static const std::map<std::string, ProxyKeyword>& ProxyKeywords();
  static const std::map<std::string, SimpleHandler>& GlobalKeywords();
  static const std::map<std::string, SimpleHandler>& ConsulKeywords();

  Diagnostics& diag_;
  Config config_;
  Section section_ = Section::kNone;
  ProxyConfig* proxy_ = nullptr;  // points into config_.proxies or current_defaults_
  ConsulConfig* consul_ = nullptr;
  bool in_defaults_ = false;
  ProxyConfig current_defaults_;  // the last defaults section (HAProxy's implicit `from`)
  std::map<std::string, ProxyConfig> named_defaults_;
};

const std::vector<std::string>& SectionNames() {
  static const auto* names =
      new std::vector<std::string>{"global", "defaults", "frontend", "backend", "listen", "consul"};
  return *names;
}

template <typename T>
std::vector<std::string> Keys(const std::map<std::string, T>& m) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  return keys;
}

// Keywords of a section plus the section names: "backnd" is a misspelt section.
template <typename T>
std::vector<std::string> KeysAndSections(const std::map<std::string, T>& m) {
  std::vector<std::string> keys = Keys(m);
  keys.insert(keys.end(), SectionNames().begin(), SectionNames().end());
  return keys;
}

void ConfigParser::ParseLine(const Line& line) {
  Cursor c(line, diag_);
  const std::string& kw = line.words[0].text;
  const std::vector<std::string>& kSections = SectionNames();
  if (std::find(kSections.begin(), kSections.end(), kw) != kSections.end() || IsKnownHaproxySection(kw)) {
    StartSection(c);
    return;
  }
  if (kw.size() > 0 && kw[0] == '.') {
    c.Fail(NotSupported(absl::StrCat("conditional block directive '", kw, "'")));
    return;
  }
  switch (section_) {
    case Section::kNone:
      c.FailAt(line.words[0], absl::StrCat("keyword '", kw, "' outside of any section (expected one of ",
                                           absl::StrJoin(kSections, ", "), " first)"));
      return;
    case Section::kUnsupported: return;  // the section header was already reported
    case Section::kGlobal: ParseGlobalKeyword(c); return;
    case Section::kProxy: ParseProxyKeyword(c); return;
    case Section::kConsul: ParseConsulKeyword(c); return;
  }
}

bool ConfigParser::StartSection(Cursor& c) {
  const std::string kw = c.line().words[0].text;
  CloseSection();
  if (kw == "global") {
    section_ = Section::kGlobal;
    return c.ExpectEnd();
  }
  if (kw == "consul") return StartConsul(c);
  if (kw == "defaults") return StartProxy(c, ProxyKind::kDefaults);
  if (kw == "frontend") return StartProxy(c, ProxyKind::kFrontend);
  if (kw == "backend") return StartProxy(c, ProxyKind::kBackend);
  if (kw == "listen") return StartProxy(c, ProxyKind::kListen);
  section_ = Section::kUnsupported;
  return c.FailAt(c.line().words[0], NotSupported(absl::StrCat("section '", kw, "'")));
}

bool ConfigParser::StartProxy(Cursor& c, ProxyKind kind) {
  section_ = Section::kUnsupported;  // until the header is known good
  std::string name;
  if (kind != ProxyKind::kDefaults) {
    if (!c.TakeString(absl::StrCat("a ", KindName(kind), " name"), &name)) return false;
  } else if (!c.AtEnd() && !c.PeekIs("from")) {
    name = c.Take().text;
  }
  if (!name.empty() && !ValidProxyName(name)) {
    return c.FailAt(c.line().words[1], absl::StrCat("invalid name '", name,
                                                    "' (letters, digits, '-', '_', '.' and ':' only)"));
  }
  // A proxy starts from the last defaults section; a defaults section starts afresh from
  // the built-in defaults (HAProxy resets them at every `defaults`), unless it says `from`.
  ProxyConfig base = kind == ProxyKind::kDefaults ? ProxyConfig{} : current_defaults_;
  if (c.PeekIs("from")) {
    c.Take();
    std::string from;
    if (!c.TakeString("the name of a defaults section", &from)) return false;
    auto it = named_defaults_.find(from);
    if (it == named_defaults_.end()) {
      return c.FailAt(c.line().words[c.position() - 1],
                      absl::StrCat("no defaults section named '", from, "' before this line",
                                   DidYouMean(from, Keys(named_defaults_))));
    }
    base = it->second;
  }
  if (!c.ExpectEnd()) return false;
  base.where = c.Where();
  base.kind = kind;
  base.name = name;
  // What a proxy inherits from defaults is its settings, never its lists of content.
  base.binds.clear();
  base.servers.clear();
  base.server_templates.clear();
  base.acls.clear();
  base.use_backends.clear();
  base.http_request_rules.clear();
  base.http_response_rules.clear();
  base.tcp_request_content_rules.clear();
  ClearInapplicable(base);
  section_ = Section::kProxy;
  if (kind == ProxyKind::kDefaults) {
    if (!name.empty() && named_defaults_.count(name)) {
      section_ = Section::kUnsupported;
      return c.FailAt(c.line().words[1], absl::StrCat("a defaults section named '", name, "' already exists"));
    }
    current_defaults_ = std::move(base);
    in_defaults_ = true;
    proxy_ = &current_defaults_;
    return true;
  }
  config_.proxies.push_back(std::move(base));
  proxy_ = &config_.proxies.back();
  return true;
}

bool ConfigParser::StartConsul(Cursor& c) {
  section_ = Section::kUnsupported;
  ConsulConfig consul;
  consul.where = c.Where();
  if (!c.TakeString("a name for this Consul agent", &consul.name)) return false;
  if (!c.ExpectEnd()) return false;
  for (const ConsulConfig& other : config_.consuls) {
    if (other.name == consul.name) {
      return c.FailAt(c.line().words[1], absl::StrCat("consul section '", consul.name, "' is already defined at ",
                                                      other.where.file, ":", other.where.line));
    }
  }
  config_.consuls.push_back(std::move(consul));
  consul_ = &config_.consuls.back();
  section_ = Section::kConsul;
  return true;
}

// ---------------------------------------------------------------------------------------
// global

const std::map<std::string, ConfigParser::SimpleHandler>& ConfigParser::GlobalKeywords() {
  using P = ConfigParser;
  static const auto* table = new std::map<std::string, SimpleHandler>{
      {"daemon", [](P& p, Cursor& c) { p.config_.global.daemon = true; return c.ExpectEnd(); }},
      {"nosplice", [](P& p, Cursor& c) { p.config_.global.nosplice = true; return c.ExpectEnd(); }},
      {"maxconn", [](P& p, Cursor& c) { return c.TakeInt("'maxconn'", 1, 1 << 30, &p.config_.global.maxconn) && c.ExpectEnd(); }},
      {"nbthread", [](P& p, Cursor& c) { return c.TakeInt("thread count", 1, 4096, &p.config_.global.nbthread) && c.ExpectEnd(); }},
      {"user", [](P& p, Cursor& c) { return c.TakeString("a user name", &p.config_.global.user) && c.ExpectEnd(); }},
      {"group", [](P& p, Cursor& c) { return c.TakeString("a group name", &p.config_.global.group) && c.ExpectEnd(); }},
      {"chroot", [](P& p, Cursor& c) { return c.TakeString("a directory", &p.config_.global.chroot) && c.ExpectEnd(); }},
      {"pidfile", [](P& p, Cursor& c) { return c.TakeString("a file path", &p.config_.global.pidfile) && c.ExpectEnd(); }},
      {"ca-base", [](P& p, Cursor& c) { return c.TakeString("a directory", &p.config_.global.ca_base) && c.ExpectEnd(); }},
      {"crt-base", [](P& p, Cursor& c) { return c.TakeString("a directory", &p.config_.global.crt_base) && c.ExpectEnd(); }},
      {"spread-checks", [](P& p, Cursor& c) { return c.TakeInt("'spread-checks' percentage", 0, 50, &p.config_.global.spread_checks) && c.ExpectEnd(); }},
      {"hard-stop-after", [](P& p, Cursor& c) {
         absl::Duration d;
         if (!c.TakeTime("a time", &d)) return false;
         p.config_.global.hard_stop_after = d;
         return c.ExpectEnd();
       }},
      {"tune.bufsize", [](P& p, Cursor& c) {
         if (!c.TakeInt("buffer size in bytes", 1024, 1 << 30, &p.config_.global.tune_bufsize)) return false;
         return c.ExpectEnd();
       }},
      {"tune.http.maxhdr", [](P& p, Cursor& c) { return c.TakeInt("header count", 1, 32767, &p.config_.global.tune_http_maxhdr) && c.ExpectEnd(); }},
      {"ssl-default-bind-ciphers", [](P& p, Cursor& c) { return c.TakeString("an OpenSSL cipher list", &p.config_.global.ssl_default_bind_ciphers) && c.ExpectEnd(); }},
      {"ssl-default-bind-ciphersuites", [](P& p, Cursor& c) { return c.TakeString("a TLSv1.3 cipher suite list", &p.config_.global.ssl_default_bind_ciphersuites) && c.ExpectEnd(); }},
      {"ssl-default-bind-options", [](P& p, Cursor& c) {
         static const std::vector<std::string> kOptions = {"no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12",
                                                           "no-tlsv13", "no-tls-tickets", "ssl-min-ver", "ssl-max-ver"};
         while (!c.AtEnd()) {
           const Word& w = c.Take();
           if (std::find(kOptions.begin(), kOptions.end(), w.text) == kOptions.end()) {
             return c.FailAt(w, absl::StrCat("unknown option '", w.text, "'", DidYouMean(w.text, kOptions)));
           }
           std::string opt = w.text;
           if (w.text == "ssl-min-ver" || w.text == "ssl-max-ver") {
             std::string v;
             if (!c.TakeString("a TLS version such as TLSv1.2", &v)) return false;
             opt += " " + v;
           }
           p.config_.global.ssl_default_bind_options.push_back(opt);
         }
         return true;
       }},
      {"log", [](P& p, Cursor& c) {
         LogTarget t;
         if (!ParseLogLine(c, /*in_proxy=*/false, &t)) return false;
         p.config_.global.logs.push_back(std::move(t));
         return true;
       }},
      {"admin", [](P& p, Cursor& c) { return ParseAdminLine(c, &p.config_.global); }},
  };
  return *table;
}

void ConfigParser::ParseGlobalKeyword(Cursor& c) {
  const std::string& kw = c.line().words[0].text;
  auto it = GlobalKeywords().find(kw);
  if (it != GlobalKeywords().end()) {
    it->second(*this, c);
    return;
  }
  if (kw == "stats") {
    c.FailAt(c.line().words[0],
             "'stats socket' (HAProxy's Runtime API) is not supported by tender; its runtime API is the "
             "gRPC admin service (see docs/admin-api.md)");
  } else if (IsKnownHaproxyGlobalKeyword(kw)) {
    c.FailAt(c.line().words[0], NotSupported(absl::StrCat("global keyword '", kw, "'")));
  } else {
    c.FailAt(c.line().words[0], absl::StrCat("unknown keyword '", kw, "' in 'global' section",
                                             DidYouMean(kw, KeysAndSections(GlobalKeywords()))));
  }
}

// ---------------------------------------------------------------------------------------
// consul

const std::map<std::string, ConfigParser::SimpleHandler>& ConfigParser::ConsulKeywords() {
  using P = ConfigParser;
  static const auto* table = new std::map<std::string, SimpleHandler>{
      {"address", [](P& p, Cursor& c) { return c.TakeString("an agent address such as 127.0.0.1:8500", &p.consul_->address) && c.ExpectEnd(); }},
      {"token-file", [](P& p, Cursor& c) { return c.TakeString("a file holding the ACL token", &p.consul_->token_file) && c.ExpectEnd(); }},
      {"ca-file", [](P& p, Cursor& c) { return c.TakeString("a CA file", &p.consul_->ca_file) && c.ExpectEnd(); }},
      {"datacenter", [](P& p, Cursor& c) { return c.TakeString("a datacenter name", &p.consul_->datacenter) && c.ExpectEnd(); }},
      {"catalog-file", [](P& p, Cursor& c) { return c.TakeString("a JSON file or directory", &p.consul_->catalog_file) && c.ExpectEnd(); }},
      {"wait", [](P& p, Cursor& c) {
         if (!c.TakeTime("the blocking query wait", &p.consul_->wait)) return false;
         if (p.consul_->wait > absl::Minutes(10) || p.consul_->wait < absl::Seconds(1)) {
           return c.FailAt(c.line().words[1], "'wait' must be between 1s and 10m (Consul caps it at 10 minutes)");
         }
         return c.ExpectEnd();
       }},
  };
  return *table;
}

void ConfigParser::ParseConsulKeyword(Cursor& c) {
  const std::string& kw = c.line().words[0].text;
  auto it = ConsulKeywords().find(kw);
  if (it == ConsulKeywords().end()) {
    c.FailAt(c.line().words[0], absl::StrCat("unknown keyword '", kw, "' in 'consul' section",
                                             DidYouMean(kw, KeysAndSections(ConsulKeywords()))));
    return;
  }
  it->second(*this, c);
}

// ---------------------------------------------------------------------------------------
// proxies

const std::map<std::string, ConfigParser::ProxyKeyword>& ConfigParser::ProxyKeywords() {
  using P = ConfigParser;
  static const auto* table = new std::map<std::string, ProxyKeyword>{
      {"mode", {kD | kF | kB | kL, [](P& p, Cursor& c) { return p.Mode(c); }}},
      {"balance", {kD | kB | kL, [](P& p, Cursor& c) { return p.Balance(c); }}},
      {"hash-type", {kD | kB | kL, [](P& p, Cursor& c) { return p.HashTypeKw(c); }}},
      {"option", {kD | kF | kB | kL, [](P& p, Cursor& c) { return p.Option(c, false); }}},
      {"no", {kD | kF | kB | kL, [](P& p, Cursor& c) {
         if (!c.PeekIs("option")) return c.Fail("'no' must be followed by 'option'");
         c.Take();
         return p.Option(c, true);
       }}},
      {"timeout", {kD | kF | kB | kL, [](P& p, Cursor& c) { return p.Timeout(c); }}},
      {"stats", {kD | kB | kL, [](P& p, Cursor& c) { return p.Stats(c); }}},
      {"http-check", {kD | kB | kL, [](P& p, Cursor& c) { return p.HttpCheck(c); }}},
      {"tcp-request", {kF | kB | kL, [](P& p, Cursor& c) { return p.TcpRequest(c); }}},
      {"cookie", {kD | kB | kL, [](P& p, Cursor& c) { return p.Cookie(c); }}},
      {"errorfile", {kD | kF | kB | kL, [](P& p, Cursor& c) { return p.Errorfile(c); }}},
      {"bind", {kF | kL, [](P& p, Cursor& c) {
         BindConfig b;
         if (!ParseBindLine(c, &b)) return false;
         p.proxy_->binds.push_back(std::move(b));
         return true;
       }}},
      {"server", {kB | kL, [](P& p, Cursor& c) {
         ServerConfig s;
         if (!ParseServerLine(c, p.proxy_->default_server.value_or(ServerParams{}), &s)) return false;
         p.proxy_->servers.push_back(std::move(s));
         return true;
       }}},
      {"server-template", {kB | kL, [](P& p, Cursor& c) {
         ServerTemplateConfig t;
         if (!ParseServerTemplateLine(c, p.proxy_->default_server.value_or(ServerParams{}), &t)) return false;
         p.proxy_->server_templates.push_back(std::move(t));
         return true;
       }}},
      {"default-server", {kD | kB | kL, [](P& p, Cursor& c) {
         ServerParams params = p.proxy_->default_server.value_or(ServerParams{});
         if (!ParseServerParams(c, &params)) return false;
         p.proxy_->default_server = params;
         return true;
       }}},
      {"default_backend", {kD | kF | kL, [](P& p, Cursor& c) {
         p.proxy_->default_backend_where = c.Where();
         return c.TakeString("a backend name", &p.proxy_->default_backend) && c.ExpectEnd();
       }}},
      {"use_backend", {kF | kL, [](P& p, Cursor& c) {
         UseBackendRule r;
         r.where = c.Where();
         if (!c.TakeString("a backend name", &r.backend)) return false;
         if (absl::StrContains(r.backend, "%[")) {
           return c.FailAt(c.line().words[1], NotSupported("a dynamic backend name (log-format expression)"));
         }
         if (!ParseOptionalCondition(c, &r.condition)) return false;
         p.proxy_->use_backends.push_back(std::move(r));
         return true;
       }}},
      {"acl", {kF | kB | kL, [](P& p, Cursor& c) {
         AclConfig a;
         if (!ParseAclLine(c, &a)) return false;
         p.proxy_->acls.push_back(std::move(a));
         return true;
       }}},
      {"http-request", {kF | kB | kL, [](P& p, Cursor& c) {
         HttpRule r;
         if (!ParseHttpRequestLine(c, &r)) return false;
         p.proxy_->http_request_rules.push_back(std::move(r));
         return true;
       }}},
      {"http-response", {kF | kB | kL, [](P& p, Cursor& c) {
         HttpRule r;
         if (!ParseHttpResponseLine(c, &r)) return false;
         p.proxy_->http_response_rules.push_back(std::move(r));
         return true;
       }}},
      {"http-reuse", {kD | kB | kL, [](P& p, Cursor& c) {
         static const std::vector<std::string> kModes = {"never", "safe", "aggressive", "always"};
         if (c.AtEnd()) return c.Fail("missing argument: expected never, safe, aggressive or always");
         const Word& m = c.Take();
         if (std::find(kModes.begin(), kModes.end(), m.text) == kModes.end()) {
           return c.FailAt(m, absl::StrCat("unknown mode '", m.text, "' (expected never, safe, aggressive or always)", DidYouMean(m.text, kModes)));
         }
         p.proxy_->http_reuse = m.text;
         return c.ExpectEnd();
       }}},
      {"log-format", {kD | kF | kL, [](P& p, Cursor& c) {
         p.proxy_->log_format_where = c.Where();
         return c.TakeString("a log format such as \"%ci:%cp %ST %B %r\"", &p.proxy_->log_format) && c.ExpectEnd();
       }}},
      {"monitor-uri", {kD | kF | kL, [](P& p, Cursor& c) {
         if (!c.TakeString("a URI such as /healthz", &p.proxy_->monitor_uri)) return false;
         if (!absl::StartsWith(p.proxy_->monitor_uri, "/")) return c.FailAt(c.line().words[1], "the URI must start with '/'");
         return c.ExpectEnd();
       }}},
      {"retries", {kD | kB | kL, [](P& p, Cursor& c) { return c.TakeInt("retry count", 0, 1000, &p.proxy_->retries) && c.ExpectEnd(); }}},
      {"maxconn", {kD | kF | kL, [](P& p, Cursor& c) { return c.TakeInt("'maxconn'", 0, 1 << 30, &p.proxy_->maxconn) && c.ExpectEnd(); }}},
      {"log", {kD | kF | kB | kL, [](P& p, Cursor& c) {
         LogTarget t;
         if (!ParseLogLine(c, /*in_proxy=*/true, &t)) return false;
         p.proxy_->logs.push_back(std::move(t));
         return true;
       }}},
  };
  return *table;
}

void ConfigParser::ParseProxyKeyword(Cursor& c) {
  const std::string& kw = c.line().words[0].text;
  auto it = ProxyKeywords().find(kw);
  if (it == ProxyKeywords().end()) {
    if (IsKnownHaproxyProxyKeyword(kw)) {
      c.FailAt(c.line().words[0], NotSupported(absl::StrCat("keyword '", kw, "'")));
    } else {
      c.FailAt(c.line().words[0], absl::StrCat("unknown keyword '", kw, "' in '", KindName(proxy_->kind),
                                               "' section", DidYouMean(kw, KeysAndSections(ProxyKeywords()))));
    }
    return;
  }
  unsigned bit = 1u << static_cast<int>(proxy_->kind);
  if ((it->second.sections & bit) == 0) {
    if (proxy_->kind == ProxyKind::kDefaults) {
      c.FailAt(c.line().words[0], absl::StrCat("'", kw, "' is not allowed in a 'defaults' section"));
      return;
    }
    // HAProxy warns and ignores here; so does tender, loudly.
    const char* missing = (it->second.sections & (kF | kL)) && !(it->second.sections & kB) ? "frontend" : "backend";
    c.Warn(absl::StrCat("ignored because ", KindName(proxy_->kind), " '", proxy_->name, "' has no ",
                        missing, " capability"));
    return;
  }
  it->second.handler(*this, c);
}

bool ConfigParser::Mode(Cursor& c) {
  std::string m;
  if (!c.TakeString("'tcp' or 'http'", &m)) return false;
  if (m == "tcp") proxy_->mode = Mode::kTcp;
  else if (m == "http") proxy_->mode = Mode::kHttp;
  else if (m == "health" || m == "spop" || m == "log") return c.FailAt(c.line().words[1], NotSupported(absl::StrCat("mode '", m, "'")));
  else return c.FailAt(c.line().words[1], absl::StrCat("unknown mode '", m, "' (expected tcp or http)"));
  return c.ExpectEnd();
}

bool ConfigParser::Balance(Cursor& c) {
  static const std::vector<std::string> kAlgorithms = {
      "roundrobin", "static-rr", "leastconn", "first", "source", "random", "uri", "hdr", "url_param"};
  if (c.AtEnd()) return c.Fail(absl::StrCat("missing argument: expected an algorithm (", absl::StrJoin(kAlgorithms, ", "), ")"));
  const Word& w = c.Take();
  std::string name = w.text, arg;
  bool parens = false;
  size_t open = name.find('(');
  if (open != std::string::npos) {
    if (name.back() != ')') return c.FailAt(w, absl::StrCat("'", w.text, "': missing ')'"));
    arg = name.substr(open + 1, name.size() - open - 2);
    name = name.substr(0, open);
    parens = true;
  }
  BalanceConfig& b = proxy_->balance;
  b.argument.clear();
  b.options.clear();
  if (name == "roundrobin") b.algorithm = BalanceAlgorithm::kRoundRobin;
  else if (name == "static-rr") b.algorithm = BalanceAlgorithm::kStaticRr;
  else if (name == "leastconn") b.algorithm = BalanceAlgorithm::kLeastConn;
  else if (name == "first") b.algorithm = BalanceAlgorithm::kFirst;
  else if (name == "source") b.algorithm = BalanceAlgorithm::kSource;
  else if (name == "random") {
    b.algorithm = BalanceAlgorithm::kRandom;
    b.random_draws = 2;
    if (parens) {
      Line sub{c.line().file, c.line().number, {w, Word{arg, w.column}}};
      Cursor sc(sub, c.diag());
      sc.set_keyword("balance");
      if (!sc.TakeInt("number of draws in random(<draws>)", 1, 1000, &b.random_draws)) return false;
    }
    parens = false;
  } else if (name == "uri") b.algorithm = BalanceAlgorithm::kUri;
  else if (name == "hdr") {
    b.algorithm = BalanceAlgorithm::kHdr;
    if (arg.empty()) return c.FailAt(w, "'hdr' needs a header name: hdr(<name>)");
    b.argument = arg;
    parens = false;
  } else if (name == "url_param") {
    b.algorithm = BalanceAlgorithm::kUrlParam;
    if (!c.TakeString("a URL parameter name", &b.argument)) return false;
  } else if (name == "rdp-cookie" || name == "hash" || name == "sticky" || name == "uri_param") {
    return c.FailAt(w, NotSupported(absl::StrCat("balance algorithm '", name, "'")));
  } else {
    return c.FailAt(w, absl::StrCat("unknown algorithm '", name, "' (expected ", absl::StrJoin(kAlgorithms, ", "),
                                    ")", DidYouMean(name, kAlgorithms)));
  }
  if (parens) return c.FailAt(w, absl::StrCat("'", name, "' takes no argument in parentheses"));
  if (b.algorithm == BalanceAlgorithm::kUri) {
    while (!c.AtEnd()) {
      const Word& o = c.Take();
      if (o.text == "whole" || o.text == "path-only") {
        b.options.push_back(o.text);
      } else if (o.text == "len" || o.text == "depth") {
        int n = 0;
        if (!c.TakeInt(absl::StrCat("'", o.text, "' value"), 0, 1 << 20, &n)) return false;
        b.options.push_back(absl::StrCat(o.text, " ", n));
      } else {
        return c.FailAt(o, absl::StrCat("unknown 'uri' option '", o.text, "' (expected len, depth, whole or path-only)"));
      }
    }
  } else if (b.algorithm == BalanceAlgorithm::kHdr && c.PeekIs("use_domain_only")) {
    b.options.push_back(c.Take().text);
  }
  return c.ExpectEnd();
}

bool ConfigParser::HashTypeKw(Cursor& c) {
  BalanceConfig& b = proxy_->balance;
  std::string method;
  if (!c.TakeString("'map-based' or 'consistent'", &method)) return false;
  if (method == "map-based") b.hash_type = HashType::kMapBased;
  else if (method == "consistent") b.hash_type = HashType::kConsistent;
  else if (method == "avalanche") return c.FailAt(c.line().words[1], "'avalanche' is obsolete; write 'map-based avalanche'");
  else return c.FailAt(c.line().words[1], absl::StrCat("unknown hash method '", method, "' (expected map-based or consistent)"));
  b.hash_function = HashFunction::kSdbm;
  b.avalanche = false;
  if (!c.AtEnd()) {
    const Word& f = c.Take();
    if (f.text == "sdbm") b.hash_function = HashFunction::kSdbm;
    else if (f.text == "djb2") b.hash_function = HashFunction::kDjb2;
    else if (f.text == "wt6") b.hash_function = HashFunction::kWt6;
    else if (f.text == "crc32") b.hash_function = HashFunction::kCrc32;
    else if (f.text == "none") b.hash_function = HashFunction::kNone;
    else return c.FailAt(f, absl::StrCat("unknown hash function '", f.text, "' (expected sdbm, djb2, wt6, crc32 or none)"));
  }
  if (c.PeekIs("avalanche")) {
    c.Take();
    b.avalanche = true;
  }
  return c.ExpectEnd();
}

bool ConfigParser::Option(Cursor& c, bool negated) {
  static const std::vector<std::string> kOptions = {
      "httpchk", "forwardfor", "tcplog", "httplog", "dontlognull", "redispatch",
      "http-keep-alive", "httpclose", "http-server-close", "allbackups", "tcp-smart-accept"};
  if (c.AtEnd()) return c.Fail(absl::StrCat("missing argument: expected an option (", absl::StrJoin(kOptions, ", "), ")"));
  const Word& w = c.Take();
  c.set_keyword(absl::StrCat(negated ? "no option " : "option ", w.text));
  ProxyOptions& o = proxy_->options;
  unsigned bit = 1u << static_cast<int>(proxy_->kind);
  auto backend_only = [&]() {
    if (bit & kF) {
      c.Warn(absl::StrCat("ignored because frontend '", proxy_->name, "' has no backend capability"));
      return false;
    }
    return true;
  };
  auto flag = [&](bool* field) {
    *field = !negated;
    return c.ExpectEnd();
  };
  if (w.text == "httpchk") {
    if (!backend_only()) return true;
    o.httpchk = !negated;
    if (negated) return c.ExpectEnd();
    // option httpchk [<uri>] | [<method> <uri> [<version>]]
    std::vector<std::string> args;
    while (!c.AtEnd()) args.push_back(c.Take().text);
    if (args.size() > 3) return c.FailAt(c.line().words[5], "too many arguments (expected [METHOD] URI [VERSION])");
    if (args.size() == 1) {
      o.httpchk_uri = args[0];
    } else if (args.size() >= 2) {
      o.httpchk_method = args[0];
      o.httpchk_uri = args[1];
      if (args.size() == 3) o.httpchk_version = args[2];
    }
    return true;
  }
  if (w.text == "forwardfor") {
    o.forwardfor = !negated;
    while (!negated && !c.AtEnd()) {
      const Word& a = c.Take();
      if (a.text == "except") {
        if (!c.TakeString("a network such as 127.0.0.0/8", &o.forwardfor_except)) return false;
      } else if (a.text == "header") {
        if (!c.TakeString("a header name", &o.forwardfor_header)) return false;
      } else if (a.text == "if-none") {
        return c.FailAt(a, NotSupported("'option forwardfor if-none'"));
      } else {
        return c.FailAt(a, absl::StrCat("unknown argument '", a.text, "' (expected except or header)"));
      }
    }
    return c.ExpectEnd();
  }
  if (w.text == "tcplog") return flag(&o.tcplog);
  if (w.text == "httplog") {
    if (c.PeekIs("clf")) return c.FailAt(*c.Peek(), NotSupported("'option httplog clf'"));
    return flag(&o.httplog);
  }
  if (w.text == "dontlognull") return flag(&o.dontlognull);
  if (w.text == "redispatch") {
    if (!backend_only()) return true;
    if (!c.AtEnd()) return c.Fail(NotSupported("a redispatch interval"));
    return flag(&o.redispatch);
  }
  if (w.text == "http-keep-alive") return flag(&o.http_keep_alive);
  if (w.text == "httpclose") return flag(&o.httpclose);
  if (w.text == "http-server-close") return flag(&o.http_server_close);
  if (w.text == "allbackups") {
    if (!backend_only()) return true;
    return flag(&o.allbackups);
  }
  if (w.text == "tcp-smart-accept") {
    if (bit & kB) {
      c.Warn(absl::StrCat("ignored because backend '", proxy_->name, "' has no frontend capability"));
      return true;
    }
    o.tcp_smart_accept = !negated;
    return c.ExpectEnd();
  }
  if (IsKnownHaproxyOption(w.text)) return c.FailAt(w, NotSupported(absl::StrCat("'option ", w.text, "'")));
  return c.FailAt(w, absl::StrCat("unknown option '", w.text, "'", DidYouMean(w.text, kOptions)));
}

bool ConfigParser::Timeout(Cursor& c) {
  Timeouts& t = proxy_->timeouts;
  struct Entry {
    const char* name;
    std::optional<absl::Duration> Timeouts::*field;
    unsigned sections;
  };
  static const std::vector<Entry> kTimeouts = {
      {"connect", &Timeouts::connect, kD | kB | kL},
      {"client", &Timeouts::client, kD | kF | kL},
      {"server", &Timeouts::server, kD | kB | kL},
      {"http-request", &Timeouts::http_request, kD | kF | kB | kL},
      {"http-keep-alive", &Timeouts::http_keep_alive, kD | kF | kB | kL},
      {"queue", &Timeouts::queue, kD | kB | kL},
      {"check", &Timeouts::check, kD | kB | kL},
      {"tunnel", &Timeouts::tunnel, kD | kB | kL},
      {"client-fin", &Timeouts::client_fin, kD | kF | kL},
      {"server-fin", &Timeouts::server_fin, kD | kB | kL},
  };
  std::vector<std::string> names;
  for (const Entry& e : kTimeouts) names.push_back(e.name);
  if (c.AtEnd()) return c.Fail(absl::StrCat("missing argument: expected one of ", absl::StrJoin(names, ", ")));
  const Word& w = c.Take();
  c.set_keyword(absl::StrCat("timeout ", w.text));
  for (const Entry& e : kTimeouts) {
    if (w.text != e.name) continue;
    absl::Duration d;
    if (!c.TakeTime("a time", &d) || !c.ExpectEnd()) return false;
    if ((e.sections & (1u << static_cast<int>(proxy_->kind))) == 0) {
      c.Warn(absl::StrCat("ignored because ", KindName(proxy_->kind), " '", proxy_->name, "' has no ",
                          (e.sections & kF) ? "frontend" : "backend", " capability"));
      return true;
    }
    t.*(e.field) = d;
    return true;
  }
  if (w.text == "tarpit" || w.text == "clitimeout" || w.text == "srvtimeout" || w.text == "contimeout" ||
      w.text == "client-hs" || w.text == "server-hs") {
    return c.FailAt(w, NotSupported(absl::StrCat("'timeout ", w.text, "'")));
  }
  return c.FailAt(w, absl::StrCat("unknown timeout '", w.text, "' (expected ", absl::StrJoin(names, ", "), ")",
                                  DidYouMean(w.text, names)));
}

bool ConfigParser::Stats(Cursor& c) {
  static const std::vector<std::string> kStats = {"enable", "uri", "auth", "refresh", "realm", "hide-version"};
  if (c.AtEnd()) return c.Fail("missing argument: expected enable, uri, auth, refresh, realm or hide-version");
  const Word& w = c.Take();
  c.set_keyword(absl::StrCat("stats ", w.text));
  StatsConfig& s = proxy_->stats;
  if (w.text == "enable") {
    s.enabled = true;
    return c.ExpectEnd();
  }
  if (w.text == "hide-version") {
    s.hide_version = true;
    return c.ExpectEnd();
  }
  // Any other stats keyword implicitly enables the page, as in HAProxy.
  if (w.text == "uri") {
    s.enabled = true;
    if (!c.TakeString("a URI prefix such as /stats", &s.uri)) return false;
    return c.ExpectEnd();
  }
  if (w.text == "auth") {
    s.enabled = true;
    std::string cred;
    if (!c.TakeString("USER:PASSWORD", &cred)) return false;
    if (cred.find(':') == std::string::npos) {
      return c.FailAt(c.line().words[2], "expected USER:PASSWORD (a ':' is missing)");
    }
    s.auth.push_back(cred);
    return c.ExpectEnd();
  }
  if (w.text == "refresh") {
    s.enabled = true;
    absl::Duration d;
    if (!c.TakeTime("a refresh interval", &d)) return false;
    s.refresh = d;
    return c.ExpectEnd();
  }
  if (w.text == "realm") {
    s.enabled = true;
    if (!c.TakeString("a realm", &s.realm)) return false;
    return c.ExpectEnd();
  }
  if (w.text == "admin" || w.text == "scope" || w.text == "show-desc" || w.text == "show-legends" ||
      w.text == "show-node" || w.text == "http-request" || w.text == "show-modules" || w.text == "socket" ||
      w.text == "bind-process" || w.text == "timeout" || w.text == "maxconn") {
    return c.FailAt(w, NotSupported(absl::StrCat("'stats ", w.text, "'")));
  }
  return c.FailAt(w, absl::StrCat("unknown stats keyword '", w.text, "'", DidYouMean(w.text, kStats)));
}

bool ConfigParser::HttpCheck(Cursor& c) {
  if (c.AtEnd()) return c.Fail("missing argument: expected 'send' or 'expect'");
  const Word& w = c.Take();
  c.set_keyword(absl::StrCat("http-check ", w.text));
  if (w.text == "send") {
    HttpCheckSend send;
    while (!c.AtEnd()) {
      const Word& k = c.Take();
      if (k.text == "meth") {
        if (!c.TakeString("a method", &send.method)) return false;
      } else if (k.text == "uri") {
        if (!c.TakeString("a URI", &send.uri)) return false;
      } else if (k.text == "ver") {
        if (!c.TakeString("an HTTP version", &send.version)) return false;
      } else if (k.text == "hdr") {
        std::string name, value;
        if (!c.TakeString("a header name", &name) || !c.TakeString("a header value", &value)) return false;
        send.headers.emplace_back(name, value);
      } else if (k.text == "body") {
        if (!c.TakeString("a body", &send.body)) return false;
      } else {
        return c.FailAt(k, absl::StrCat("unknown argument '", k.text, "' (expected meth, uri, ver, hdr or body)"));
      }
    }
    proxy_->http_check_send = {send};
    return true;
  }
  if (w.text == "expect") {
    HttpCheckExpect e;
    if (c.PeekIs("!")) {
      c.Take();
      e.negate = true;
    }
    std::string kind;
    if (!c.TakeString("status, rstatus, string or rstring", &kind)) return false;
    if (kind == "status") e.kind = HttpCheckExpectKind::kStatus;
    else if (kind == "rstatus") e.kind = HttpCheckExpectKind::kRstatus;
    else if (kind == "string") e.kind = HttpCheckExpectKind::kString;
    else if (kind == "rstring") e.kind = HttpCheckExpectKind::kRstring;
    else return c.FailAt(c.line().words[c.position() - 1], absl::StrCat("unknown expect type '", kind, "' (expected status, rstatus, string or rstring)"));
    if (!c.TakeString("a pattern", &e.pattern)) return false;
    proxy_->http_check_expect.push_back(std::move(e));
    return c.ExpectEnd();
  }
  if (w.text == "disable-on-404" || w.text == "send-state" || w.text == "connect" || w.text == "comment" ||
      w.text == "set-var" || w.text == "unset-var") {
    return c.FailAt(w, NotSupported(absl::StrCat("'http-check ", w.text, "'")));
  }
  return c.FailAt(w, absl::StrCat("unknown http-check action '", w.text, "' (expected send or expect)"));
}

bool ConfigParser::TcpRequest(Cursor& c) {
  if (c.AtEnd()) return c.Fail("missing argument: expected 'inspect-delay' or 'content'");
  const Word& w = c.Take();
  c.set_keyword(absl::StrCat("tcp-request ", w.text));
  if (w.text == "inspect-delay") {
    absl::Duration d;
    if (!c.TakeTime("a delay", &d)) return false;
    proxy_->tcp_request_inspect_delay = d;
    return c.ExpectEnd();
  }
  if (w.text == "content") {
    TcpRequestRule r;
    r.where = c.Where();
    std::string action;
    if (!c.TakeString("'accept' or 'reject'", &action)) return false;
    if (action == "accept") r.action = TcpRequestAction::kAccept;
    else if (action == "reject") r.action = TcpRequestAction::kReject;
    else return c.FailAt(c.line().words[2], NotSupported(absl::StrCat("'tcp-request content ", action, "'")));
    if (!ParseOptionalCondition(c, &r.condition)) return false;
    proxy_->tcp_request_content_rules.push_back(std::move(r));
    return true;
  }
  if (w.text == "connection" || w.text == "session") {
    return c.FailAt(w, NotSupported(absl::StrCat("'tcp-request ", w.text, "'")));
  }
  return c.FailAt(w, absl::StrCat("unknown tcp-request rule '", w.text, "' (expected inspect-delay or content)"));
}

bool ConfigParser::Cookie(Cursor& c) {
  static const std::vector<std::string> kOptions = {"rewrite", "insert", "prefix", "indirect", "nocache",
                                                    "postonly", "preserve", "httponly", "secure"};
  if (!c.TakeString("a cookie name", &proxy_->cookie_name)) return false;
  proxy_->cookie_options.clear();
  int modes = 0;
  while (!c.AtEnd()) {
    const Word& w = c.Take();
    if (w.text == "domain" || w.text == "maxidle" || w.text == "maxlife" || w.text == "dynamic" ||
        w.text == "attr") {
      return c.FailAt(w, NotSupported(absl::StrCat("cookie option '", w.text, "'")));
    }
    if (std::find(kOptions.begin(), kOptions.end(), w.text) == kOptions.end()) {
      return c.FailAt(w, absl::StrCat("unknown cookie option '", w.text, "'", DidYouMean(w.text, kOptions)));
    }
    if (w.text == "rewrite" || w.text == "insert" || w.text == "prefix") ++modes;
    proxy_->cookie_options.push_back(w.text);
  }
  if (modes > 1) return c.Fail("only one of 'rewrite', 'insert' and 'prefix' may be used");
  return true;
}

bool ConfigParser::Errorfile(Cursor& c) {
  int code = 0;
  if (!c.TakeInt("an HTTP status code", 200, 599, &code)) return false;
  static const std::vector<int> kCodes = {200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 414,
                                          421, 425, 429, 431, 500, 501, 502, 503, 504};
  if (std::find(kCodes.begin(), kCodes.end(), code) == kCodes.end()) {
    return c.FailAt(c.line().words[1], absl::StrCat("status ", code, " cannot be customised (expected one of ",
                                                    absl::StrJoin(kCodes, ", "), ")"));
  }
  std::string file;
  if (!c.TakeString("a file path", &file)) return false;
  proxy_->errorfiles[code] = file;
  return c.ExpectEnd();
}

}  // namespace

absl::StatusOr<ParseOutput> ParseTexts(const std::vector<SourceText>& sources, const EnvLookup& env) {
  Diagnostics diag;
  ConfigParser parser(diag);
  ParseOutput out;
  for (const SourceText& src : sources) {
    absl::StatusOr<std::vector<Line>> lines = Lex(src.name, src.text, env, &diag.warnings);
    if (!lines.ok()) {
      diag.errors.push_back(std::string(lines.status().message()));
      continue;
    }
    parser.StartFile();
    for (const Line& line : *lines) parser.ParseLine(line);
    out.config.files.push_back(src.name);
  }
  if (!diag.errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(diag.errors, "\n"));
  std::vector<std::string> files = std::move(out.config.files);
  out.config = parser.Finish();
  out.config.files = std::move(files);
  absl::Status valid = Validate(out.config, &diag.warnings);
  if (!valid.ok()) return valid;
  out.warnings = std::move(diag.warnings);
  return out;
}

absl::StatusOr<ParseOutput> ParseText(absl::string_view name, absl::string_view text, const EnvLookup& env) {
  return ParseTexts({SourceText{std::string(name), std::string(text)}}, env);
}

}  // namespace tender::config
