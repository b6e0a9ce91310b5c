#include "proxy/config/dump.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "proxy/config/units.h"

namespace tender::config {
namespace {

class Writer {
 public:
  void Section(std::vector<std::string> words) {
    if (!out_.empty()) out_ += "\n";
    Emit("", words);
  }
  void Line(std::vector<std::string> words) { Emit("    ", words); }
  std::string Take() { return std::move(out_); }

 private:
  void Emit(const char* indent, const std::vector<std::string>& words) {
    absl::StrAppend(&out_, indent);
    for (size_t i = 0; i < words.size(); ++i) absl::StrAppend(&out_, i ? " " : "", words[i]);
    out_ += "\n";
  }
  std::string out_;
};

std::string Q(const std::string& w) { return QuoteWord(w); }

const char* ModeName(Mode m) { return m == Mode::kHttp ? "http" : "tcp"; }

void AppendLogLine(Writer& w, const LogTarget& t) {
  if (t.global) {
    w.Line({"log", "global"});
    return;
  }
  std::vector<std::string> words = {"log", Q(t.address)};
  if (!t.format.empty()) words.insert(words.end(), {"format", t.format});
  words.push_back(t.facility);
  if (!t.max_level.empty()) words.push_back(t.max_level);
  if (!t.min_level.empty()) words.push_back(t.min_level);
  w.Line(words);
}

std::vector<std::string> ServerParamWords(const ServerParams& p) {
  std::vector<std::string> v;
  auto add = [&](std::initializer_list<std::string> ws) { v.insert(v.end(), ws); };
  if (p.check) add({"check"});
  add({"inter", FormatTime(p.inter)});
  if (p.fastinter) add({"fastinter", FormatTime(*p.fastinter)});
  if (p.downinter) add({"downinter", FormatTime(*p.downinter)});
  add({"fall", absl::StrCat(p.fall), "rise", absl::StrCat(p.rise)});
  if (p.check_port) add({"port", absl::StrCat(p.check_port)});
  if (!p.check_addr.empty()) add({"addr", Q(p.check_addr)});
  add({"weight", absl::StrCat(p.weight)});
  if (p.backup) add({"backup"});
  if (p.disabled) add({"disabled"});
  add({"maxconn", absl::StrCat(p.maxconn), "maxqueue", absl::StrCat(p.maxqueue)});
  static const char* kInit[] = {"up", "fully-up", "down", "fully-down"};
  add({"init-state", kInit[static_cast<int>(p.init_state)]});
  add({"slowstart", FormatTime(p.slowstart)});
  if (p.send_proxy) add({"send-proxy"});
  if (p.send_proxy_v2) add({"send-proxy-v2"});
  if (p.ssl) add({"ssl"});
  if (p.verify == Verify::kNone) add({"verify", "none"});
  if (p.verify == Verify::kRequired) add({"verify", "required"});
  if (!p.ca_file.empty()) add({"ca-file", Q(p.ca_file)});
  if (!p.sni.empty()) add({"sni", Q(p.sni)});
  if (!p.crt.empty()) add({"crt", Q(p.crt)});
  if (p.check_ssl) add({"check-ssl"});
  if (p.observe == Observe::kLayer4) add({"observe", "layer4"});
  if (p.observe == Observe::kLayer7) add({"observe", "layer7"});
  add({"error-limit", absl::StrCat(p.error_limit)});
  static const char* kOnError[] = {"fastinter", "fail-check", "sudden-death", "mark-down"};
  add({"on-error", kOnError[static_cast<int>(p.on_error)]});
  if (p.on_marked_down_shutdown_sessions) add({"on-marked-down", "shutdown-sessions"});
  if (p.on_marked_up_shutdown_backup_sessions) add({"on-marked-up", "shutdown-backup-sessions"});
  if (!p.cookie.empty()) add({"cookie", Q(p.cookie)});
  return v;
}

std::vector<std::string> AclBodyWords(const AclConfig& a) {
  std::vector<std::string> v = {Q(a.fetch)};
  if (a.ignore_case) v.push_back("-i");
  static const char* kMatch[] = {"", "str", "beg", "end", "sub", "reg", "dom", "dir", "ip", "int", "found", "len", "bool"};
  if (a.match != MatchMethod::kDefault) v.insert(v.end(), {"-m", kMatch[static_cast<int>(a.match)]});
  for (const std::string& f : a.files) v.insert(v.end(), {"-f", Q(f)});
  bool needs_dashes = false;
  for (const std::string& value : a.values) needs_dashes |= !value.empty() && value[0] == '-';
  if (needs_dashes) v.push_back("--");
  for (const std::string& value : a.values) v.push_back(Q(value));
  return v;
}

void AppendCondition(std::vector<std::string>& v, const std::optional<Condition>& cond) {
  if (!cond) return;
  v.push_back(cond->unless ? "unless" : "if");
  for (size_t g = 0; g < cond->any_of.size(); ++g) {
    if (g) v.push_back("||");
    for (const ConditionTerm& t : cond->any_of[g]) {
      if (t.inline_acl) {
        if (t.negate) v.push_back("!");
        v.push_back("{");
        for (std::string& w : AclBodyWords(*t.inline_acl)) v.push_back(std::move(w));
        v.push_back("}");
      } else {
        v.push_back(absl::StrCat(t.negate ? "!" : "", Q(t.acl_name)));
      }
    }
  }
}

std::vector<std::string> HttpRequestWords(const HttpRule& r) {
  std::vector<std::string> v = {"http-request"};
  switch (r.request_action) {
    case HttpRequestAction::kRedirect: {
      static const char* kKinds[] = {"location", "prefix", "scheme"};
      v.insert(v.end(), {"redirect", kKinds[static_cast<int>(r.redirect_kind)], Q(r.value), "code",
                         absl::StrCat(r.status)});
      for (const std::string& o : r.redirect_options) v.push_back(o);
      break;
    }
    case HttpRequestAction::kDeny: v.insert(v.end(), {"deny", "deny_status", absl::StrCat(r.status)}); break;
    case HttpRequestAction::kReturn:
      v.insert(v.end(), {"return", "status", absl::StrCat(r.status)});
      if (!r.content_type.empty()) v.insert(v.end(), {"content-type", Q(r.content_type)});
      if (!r.value.empty()) v.insert(v.end(), {"string", Q(r.value)});
      break;
    case HttpRequestAction::kSetHeader: v.insert(v.end(), {"set-header", Q(r.name), Q(r.value)}); break;
    case HttpRequestAction::kAddHeader: v.insert(v.end(), {"add-header", Q(r.name), Q(r.value)}); break;
    case HttpRequestAction::kDelHeader: v.insert(v.end(), {"del-header", Q(r.name)}); break;
    case HttpRequestAction::kReplaceHeader: v.insert(v.end(), {"replace-header", Q(r.name), Q(r.pattern), Q(r.value)}); break;
    case HttpRequestAction::kSetPath: v.insert(v.end(), {"set-path", Q(r.value)}); break;
  }
  AppendCondition(v, r.condition);
  return v;
}

std::vector<std::string> HttpResponseWords(const HttpRule& r) {
  std::vector<std::string> v = {"http-response"};
  if (r.response_action == HttpResponseAction::kSetHeader) {
    v.insert(v.end(), {"set-header", Q(r.name), Q(r.value)});
  } else {
    v.insert(v.end(), {"del-header", Q(r.name)});
  }
  AppendCondition(v, r.condition);
  return v;
}

void AppendTimeouts(Writer& w, const Timeouts& t) {
  const std::pair<const char*, const std::optional<absl::Duration>*> all[] = {
      {"connect", &t.connect}, {"client", &t.client}, {"server", &t.server},
      {"http-request", &t.http_request}, {"http-keep-alive", &t.http_keep_alive}, {"queue", &t.queue},
      {"check", &t.check}, {"tunnel", &t.tunnel}, {"client-fin", &t.client_fin}, {"server-fin", &t.server_fin}};
  for (const auto& [name, value] : all) {
    if (value->has_value()) w.Line({"timeout", name, FormatTime(**value)});
  }
}

void AppendOptions(Writer& w, const ProxyConfig& p) {
  const ProxyOptions& o = p.options;
  if (o.httpchk) w.Line({"option", "httpchk", Q(o.httpchk_method), Q(o.httpchk_uri), Q(o.httpchk_version)});
  if (o.forwardfor) {
    std::vector<std::string> v = {"option", "forwardfor"};
    if (!o.forwardfor_except.empty()) v.insert(v.end(), {"except", Q(o.forwardfor_except)});
    v.insert(v.end(), {"header", Q(o.forwardfor_header)});
    w.Line(v);
  }
  const std::pair<const char*, bool> flags[] = {
      {"tcplog", o.tcplog}, {"httplog", o.httplog}, {"dontlognull", o.dontlognull},
      {"redispatch", o.redispatch}, {"http-keep-alive", o.http_keep_alive}, {"httpclose", o.httpclose},
      {"http-server-close", o.http_server_close},
      {"allbackups", o.allbackups}};
  for (const auto& [name, on] : flags) {
    if (on) w.Line({"option", name});
  }
  if (o.tcp_smart_accept) {
    if (*o.tcp_smart_accept) w.Line({"option", "tcp-smart-accept"});
    else w.Line({"no", "option", "tcp-smart-accept"});
  }
}

void AppendBalance(Writer& w, const BalanceConfig& b) {
  std::vector<std::string> v = {"balance"};
  switch (b.algorithm) {
    case BalanceAlgorithm::kRoundRobin: v.push_back("roundrobin"); break;
    case BalanceAlgorithm::kStaticRr: v.push_back("static-rr"); break;
    case BalanceAlgorithm::kLeastConn: v.push_back("leastconn"); break;
    case BalanceAlgorithm::kFirst: v.push_back("first"); break;
    case BalanceAlgorithm::kSource: v.push_back("source"); break;
    case BalanceAlgorithm::kRandom: v.push_back(absl::StrCat("random(", b.random_draws, ")")); break;
    case BalanceAlgorithm::kUri: v.push_back("uri"); break;
    case BalanceAlgorithm::kHdr: v.push_back(Q(absl::StrCat("hdr(", b.argument, ")"))); break;
    case BalanceAlgorithm::kUrlParam: v.insert(v.end(), {"url_param", Q(b.argument)}); break;
  }
  for (const std::string& o : b.options) {
    for (absl::string_view part : absl::StrSplit(o, ' ')) v.push_back(std::string(part));
  }
  w.Line(v);
  static const char* kFn[] = {"sdbm", "djb2", "wt6", "crc32", "none"};
  std::vector<std::string> h = {"hash-type", b.hash_type == HashType::kConsistent ? "consistent" : "map-based",
                                kFn[static_cast<int>(b.hash_function)]};
  if (b.avalanche) h.push_back("avalanche");
  w.Line(h);
}

void AppendBackendSide(Writer& w, const ProxyConfig& p) {
  AppendBalance(w, p.balance);
  w.Line({"retries", absl::StrCat(p.retries)});
  for (const HttpCheckSend& s : p.http_check_send) {
    std::vector<std::string> v = {"http-check", "send"};
    if (!s.method.empty()) v.insert(v.end(), {"meth", Q(s.method)});
    if (!s.uri.empty()) v.insert(v.end(), {"uri", Q(s.uri)});
    if (!s.version.empty()) v.insert(v.end(), {"ver", Q(s.version)});
    for (const auto& [n, val] : s.headers) v.insert(v.end(), {"hdr", Q(n), Q(val)});
    if (!s.body.empty()) v.insert(v.end(), {"body", Q(s.body)});
    w.Line(v);
  }
  static const char* kExpect[] = {"status", "rstatus", "string", "rstring"};
  for (const HttpCheckExpect& e : p.http_check_expect) {
    std::vector<std::string> v = {"http-check", "expect"};
    if (e.negate) v.push_back("!");
    v.insert(v.end(), {kExpect[static_cast<int>(e.kind)], Q(e.pattern)});
    w.Line(v);
  }
  if (p.http_reuse != "safe") w.Line({"http-reuse", p.http_reuse});
  if (!p.cookie_name.empty()) {
    std::vector<std::string> v = {"cookie", Q(p.cookie_name)};
    v.insert(v.end(), p.cookie_options.begin(), p.cookie_options.end());
    w.Line(v);
  }
  const StatsConfig& s = p.stats;
  if (s.enabled) {
    w.Line({"stats", "enable"});
    w.Line({"stats", "uri", Q(s.uri)});
    for (const std::string& a : s.auth) w.Line({"stats", "auth", Q(a)});
    if (s.refresh) w.Line({"stats", "refresh", FormatTime(*s.refresh)});
    if (!s.realm.empty()) w.Line({"stats", "realm", Q(s.realm)});
  }
  if (s.hide_version) w.Line({"stats", "hide-version"});
  if (p.default_server) {
    std::vector<std::string> v = {"default-server"};
    for (std::string& x : ServerParamWords(*p.default_server)) v.push_back(std::move(x));
    w.Line(v);
  }
  for (const ServerConfig& srv : p.servers) {
    std::vector<std::string> v = {"server", Q(srv.name), Q(srv.address)};
    for (std::string& x : ServerParamWords(srv.params)) v.push_back(std::move(x));
    w.Line(v);
  }
  for (const ServerTemplateConfig& t : p.server_templates) {
    std::string target = t.port ? absl::StrCat(t.target, ":", t.port) : t.target;
    std::vector<std::string> v = {"server-template", Q(t.prefix), absl::StrCat(t.first, "-", t.last), Q(target)};
    for (const std::string& tag : t.discovery.tags) v.push_back(Q("tag=" + tag));
    v.push_back(t.discovery.passing_only ? "passing" : "any");
    if (!t.discovery.filter.empty()) v.push_back(Q("filter=" + t.discovery.filter));
    if (!t.discovery.datacenter.empty()) v.push_back(Q("dc=" + t.discovery.datacenter));
    if (!t.discovery.ns.empty()) v.push_back(Q("ns=" + t.discovery.ns));
    if (t.discovery.cached) v.push_back("cached");
    v.insert(v.end(), {"on-empty", t.discovery.on_empty_apply ? "apply" : "keep-last", "drain", FormatTime(t.discovery.drain)});
    for (std::string& x : ServerParamWords(t.params)) v.push_back(std::move(x));
    w.Line(v);
  }
}

void AppendFrontendSide(Writer& w, const ProxyConfig& p) {
  for (const BindConfig& b : p.binds) {
    std::vector<std::string> v = {"bind", Q(b.address)};
    if (b.ssl) v.push_back("ssl");
    for (const std::string& c : b.crt) v.insert(v.end(), {"crt", Q(c)});
    if (!b.alpn.empty()) v.insert(v.end(), {"alpn", Q(b.alpn)});
    if (b.accept_proxy) v.push_back("accept-proxy");
    if (!b.name.empty()) v.insert(v.end(), {"name", Q(b.name)});
    w.Line(v);
  }
  if (p.maxconn) w.Line({"maxconn", absl::StrCat(p.maxconn)});
  if (!p.monitor_uri.empty()) w.Line({"monitor-uri", Q(p.monitor_uri)});
  if (!p.log_format.empty()) w.Line({"log-format", Q(p.log_format)});
  if (p.tcp_request_inspect_delay) {
    w.Line({"tcp-request", "inspect-delay", FormatTime(*p.tcp_request_inspect_delay)});
  }
}

void AppendProxy(Writer& w, const ProxyConfig& p) {
  static const char* kKinds[] = {"defaults", "frontend", "backend", "listen"};
  w.Section({kKinds[static_cast<int>(p.kind)], Q(p.name)});
  w.Line({"mode", ModeName(p.mode)});
  if (HasFrontendSide(p.kind)) AppendFrontendSide(w, p);
  AppendTimeouts(w, p.timeouts);
  AppendOptions(w, p);
  for (const LogTarget& t : p.logs) AppendLogLine(w, t);
  for (const auto& [code, file] : p.errorfiles) w.Line({"errorfile", absl::StrCat(code), Q(file)});
  for (const AclConfig& a : p.acls) {
    std::vector<std::string> v = {"acl", Q(a.name)};
    for (std::string& x : AclBodyWords(a)) v.push_back(std::move(x));
    w.Line(v);
  }
  for (const TcpRequestRule& r : p.tcp_request_content_rules) {
    std::vector<std::string> v = {"tcp-request", "content", r.action == TcpRequestAction::kAccept ? "accept" : "reject"};
    AppendCondition(v, r.condition);
    w.Line(v);
  }
  for (const HttpRule& r : p.http_request_rules) w.Line(HttpRequestWords(r));
  for (const HttpRule& r : p.http_response_rules) w.Line(HttpResponseWords(r));
  for (const UseBackendRule& r : p.use_backends) {
    std::vector<std::string> v = {"use_backend", Q(r.backend)};
    AppendCondition(v, r.condition);
    w.Line(v);
  }
  if (!p.default_backend.empty()) w.Line({"default_backend", Q(p.default_backend)});
  if (HasBackendSide(p.kind)) AppendBackendSide(w, p);
}

void AppendGlobal(Writer& w, const GlobalConfig& g) {
  w.Section({"global"});
  if (g.daemon) w.Line({"daemon"});
  if (g.nosplice) w.Line({"nosplice"});
  if (g.maxconn) w.Line({"maxconn", absl::StrCat(g.maxconn)});
  if (g.nbthread) w.Line({"nbthread", absl::StrCat(g.nbthread)});
  if (!g.user.empty()) w.Line({"user", Q(g.user)});
  if (!g.group.empty()) w.Line({"group", Q(g.group)});
  if (!g.chroot.empty()) w.Line({"chroot", Q(g.chroot)});
  if (!g.pidfile.empty()) w.Line({"pidfile", Q(g.pidfile)});
  if (!g.ca_base.empty()) w.Line({"ca-base", Q(g.ca_base)});
  if (!g.crt_base.empty()) w.Line({"crt-base", Q(g.crt_base)});
  for (const LogTarget& t : g.logs) AppendLogLine(w, t);
  w.Line({"spread-checks", absl::StrCat(g.spread_checks)});
  if (g.hard_stop_after) w.Line({"hard-stop-after", FormatTime(*g.hard_stop_after)});
  w.Line({"tune.bufsize", absl::StrCat(g.tune_bufsize)});
  w.Line({"tune.http.maxhdr", absl::StrCat(g.tune_http_maxhdr)});
  if (!g.ssl_default_bind_ciphers.empty()) w.Line({"ssl-default-bind-ciphers", Q(g.ssl_default_bind_ciphers)});
  if (!g.ssl_default_bind_ciphersuites.empty()) {
    w.Line({"ssl-default-bind-ciphersuites", Q(g.ssl_default_bind_ciphersuites)});
  }
  if (g.admin) {
    std::vector<std::string> v = {"admin", "grpc", Q(g.admin->address)};
    const std::pair<const char*, const std::string*> options[] = {
        {"admin-token-file", &g.admin->admin_token_file}, {"read-token-file", &g.admin->read_token_file},
        {"crt", &g.admin->crt}, {"key", &g.admin->key}, {"ca-file", &g.admin->ca_file}};
    for (const auto& [name, value] : options) {
      if (!value->empty()) v.insert(v.end(), {name, Q(*value)});
    }
    w.Line(v);
  }
  if (!g.ssl_default_bind_options.empty()) {
    std::vector<std::string> v = {"ssl-default-bind-options"};
    for (const std::string& o : g.ssl_default_bind_options) {
      for (absl::string_view part : absl::StrSplit(o, ' ')) v.push_back(std::string(part));
    }
    w.Line(v);
  }
}

}  // namespace

std::string QuoteWord(const std::string& word) {
  if (word.empty()) return "''";
  bool plain = true, has_single = false;
  for (char c : word) {
    if (c == ' ' || c == '\t' || c == '#' || c == '"' || c == '\\' || c == '\n' || c == '\r') plain = false;
    if (c == '\'') { plain = false; has_single = true; }
  }
  if (plain) return word;
  bool has_control = word.find_first_of("\n\r\t") != std::string::npos;
  if (!has_single && !has_control) return absl::StrCat("'", word, "'");
  std::string out = "\"";
  for (char c : word) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '$': out += "\\$"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  out += "\"";
  return out;
}

std::string Dump(const Config& config) {
  Writer w;
  AppendGlobal(w, config.global);
  for (const ConsulConfig& c : config.consuls) {
    w.Section({"consul", Q(c.name)});
    if (!c.address.empty()) w.Line({"address", Q(c.address)});
    if (!c.token_file.empty()) w.Line({"token-file", Q(c.token_file)});
    if (!c.ca_file.empty()) w.Line({"ca-file", Q(c.ca_file)});
    if (!c.datacenter.empty()) w.Line({"datacenter", Q(c.datacenter)});
    if (!c.catalog_file.empty()) w.Line({"catalog-file", Q(c.catalog_file)});
    w.Line({"wait", FormatTime(c.wait)});
  }
  for (const ProxyConfig& p : config.proxies) AppendProxy(w, p);
  return w.Take();
}

}  // namespace tender::config
