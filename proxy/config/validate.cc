#include "proxy/config/validate.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proxy/config/parse_internal.h"
#include "proxy/config/suggest.h"

namespace tender::config {
namespace {

std::string At(const SourceLocation& w) { return absl::StrCat(w.file, ":", w.line, ":", w.column, ": "); }

const char* ModeName(Mode m) { return m == Mode::kHttp ? "http" : "tcp"; }

class Validator {
 public:
  Validator(const Config& config, std::vector<std::string>* warnings)
      : config_(config), warnings_(warnings) {}

  absl::Status Run() {
    CheckUniqueNames();
    for (const ProxyConfig& p : config_.proxies) {
      if (HasFrontendSide(p.kind)) CheckFrontend(p);
      if (HasBackendSide(p.kind)) CheckBackend(p);
      CheckConditions(p);
    }
    WarnUnusedBackends();
    if (!errors_.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
    return absl::OkStatus();
  }

 private:
  void Error(const SourceLocation& w, absl::string_view msg) { errors_.push_back(absl::StrCat(At(w), msg)); }
  void Warn(const SourceLocation& w, absl::string_view msg) { warnings_->push_back(absl::StrCat(At(w), msg)); }

  void CheckUniqueNames() {
    for (size_t i = 0; i < config_.proxies.size(); ++i) {
      const ProxyConfig& a = config_.proxies[i];
      for (size_t j = 0; j < i; ++j) {
        const ProxyConfig& b = config_.proxies[j];
        if (a.name != b.name) continue;
        bool clash = (HasFrontendSide(a.kind) && HasFrontendSide(b.kind)) ||
                     (HasBackendSide(a.kind) && HasBackendSide(b.kind));
        if (clash) {
          Error(a.where, absl::StrCat("'", KindWord(a.kind), "': '", a.name, "' has the same name as the ",
                                      KindWord(b.kind), " declared at ", b.where.file, ":", b.where.line));
        }
      }
    }
  }

  static const char* KindWord(ProxyKind k) {
    switch (k) {
      case ProxyKind::kFrontend: return "frontend";
      case ProxyKind::kBackend: return "backend";
      case ProxyKind::kListen: return "listen";
      case ProxyKind::kDefaults: return "defaults";
    }
    return "?";
  }

  std::vector<std::string> BackendNames() const {
    std::vector<std::string> names;
    for (const ProxyConfig& p : config_.proxies) {
      if (HasBackendSide(p.kind)) names.push_back(p.name);
    }
    return names;
  }

  const ProxyConfig* FindBackend(const std::string& name) const {
    for (const ProxyConfig& p : config_.proxies) {
      if (HasBackendSide(p.kind) && p.name == name) return &p;
    }
    return nullptr;
  }

  void CheckBackendReference(const ProxyConfig& fe, const SourceLocation& where, const char* keyword,
                             const std::string& name) {
    const ProxyConfig* be = FindBackend(name);
    if (be == nullptr) {
      Error(where, absl::StrCat("'", keyword, "': ", KindWord(fe.kind), " '", fe.name, "' refers to backend '",
                                name, "', which does not exist", DidYouMean(name, BackendNames())));
      return;
    }
    used_backends_.insert(be->name);
    if (be->mode != fe.mode) {
      Error(where, absl::StrCat("'", keyword, "': ", KindWord(fe.kind), " '", fe.name, "' is in mode ",
                                ModeName(fe.mode), " but backend '", name, "' is in mode ", ModeName(be->mode),
                                "; a frontend and its backends must use the same mode"));
    }
  }

  void CheckFrontend(const ProxyConfig& fe) {
    if (fe.binds.empty()) {
      Error(fe.where, absl::StrCat("'", KindWord(fe.kind), "': '", fe.name,
                                   "' has no 'bind' line; declare it as a backend if that was meant"));
    }
    if (!fe.default_backend.empty()) {
      CheckBackendReference(fe, fe.default_backend_where, "default_backend", fe.default_backend);
    }
    for (const UseBackendRule& r : fe.use_backends) CheckBackendReference(fe, r.where, "use_backend", r.backend);
    if (fe.kind == ProxyKind::kFrontend && fe.default_backend.empty() && fe.use_backends.empty() &&
        !fe.stats.enabled && fe.http_request_rules.empty()) {
      Warn(fe.where, absl::StrCat("frontend '", fe.name, "' has no default_backend and no use_backend; "
                                  "every connection will be refused"));
    }
    if (!fe.timeouts.client.has_value()) {
      Warn(fe.where, absl::StrCat("missing 'timeout client' for ", KindWord(fe.kind), " '", fe.name,
                                  "'; idle clients are then never closed"));
    }
    if (fe.mode == Mode::kTcp) WarnHttpOnlyFeatures(fe);
  }

  void WarnHttpOnlyFeatures(const ProxyConfig& p) {
    if (!p.http_request_rules.empty() || !p.http_response_rules.empty()) {
      Warn(p.where, absl::StrCat("'http-request'/'http-response' rules in ", KindWord(p.kind), " '", p.name,
                                 "' are ignored: they need 'mode http'"));
    }
    if (!p.monitor_uri.empty()) {
      Warn(p.where, absl::StrCat("'monitor-uri' in ", KindWord(p.kind), " '", p.name, "' is ignored: it needs 'mode http'"));
    }
    if (p.options.forwardfor || p.options.httplog) {
      Warn(p.where, absl::StrCat("'option forwardfor'/'option httplog' in ", KindWord(p.kind), " '", p.name,
                                 "' are ignored: they need 'mode http'"));
    }
  }

  void CheckBackend(const ProxyConfig& be) {
    std::set<std::string> names;
    auto add_name = [&](const std::string& name, const SourceLocation& where) {
      if (!names.insert(name).second) {
        Error(where, absl::StrCat("'server': backend '", be.name, "' already has a server named '", name, "'"));
      }
    };
    for (const ServerConfig& s : be.servers) add_name(s.name, s.where);
    for (const ServerTemplateConfig& t : be.server_templates) {
      for (int i = t.first; i <= t.last; ++i) add_name(absl::StrCat(t.prefix, i), t.where);
      CheckTemplateTarget(t);
    }
    if (be.mode == Mode::kTcp) {
      BalanceAlgorithm a = be.balance.algorithm;
      if (a == BalanceAlgorithm::kUri || a == BalanceAlgorithm::kHdr || a == BalanceAlgorithm::kUrlParam) {
        Warn(be.where, absl::StrCat("backend '", be.name, "' is in mode tcp: its layer 7 'balance' falls back to roundrobin"));
      }
      if (be.stats.enabled) {
        Warn(be.where, absl::StrCat("'stats' in ", KindWord(be.kind), " '", be.name, "' is ignored: it needs 'mode http'"));
      }
      if (be.kind == ProxyKind::kBackend) WarnHttpOnlyFeatures(be);
    }
    if (be.kind == ProxyKind::kBackend && (!be.timeouts.server.has_value() || !be.timeouts.connect.has_value())) {
      Warn(be.where, absl::StrCat("missing 'timeout connect' or 'timeout server' for backend '", be.name,
                                  "'; stalled servers are then never given up on"));
    }
  }

  void CheckTemplateTarget(const ServerTemplateConfig& t) {
    absl::string_view target = t.target;
    if (!absl::ConsumePrefix(&target, "consul@")) {
      Error(t.where, absl::StrCat("'server-template': target '", t.target, "': ",
                                  NotSupported("DNS resolution of server-template targets"),
                                  "; use consul@<consul section>/<service>"));
      return;
    }
    size_t slash = target.find('/');
    std::string source(target.substr(0, slash));
    if (slash == absl::string_view::npos || slash + 1 == target.size()) {
      Error(t.where, absl::StrCat("'server-template': target '", t.target, "' must be consul@<section>/<service>"));
      return;
    }
    std::vector<std::string> names;
    for (const ConsulConfig& c : config_.consuls) {
      if (c.name == source) return;
      names.push_back(c.name);
    }
    Error(t.where, absl::StrCat("'server-template': no 'consul ", source, "' section is declared",
                                DidYouMean(source, names)));
  }

  void CheckTerm(const ProxyConfig& p, const char* keyword, const Condition& cond, const ConditionTerm& term) {
    if (term.inline_acl.has_value() || IsPredefinedAcl(term.acl_name)) return;
    std::vector<std::string> names;
    for (const AclConfig& a : p.acls) {
      if (a.name == term.acl_name) return;
      names.push_back(a.name);
    }
    Error(cond.where, absl::StrCat("'", keyword, "': no ACL named '", term.acl_name, "' in ", KindWord(p.kind), " '", p.name, "'",
                                   DidYouMean(term.acl_name, names)));
  }

  void CheckCondition(const ProxyConfig& p, const char* keyword, const std::optional<Condition>& cond) {
    if (!cond.has_value()) return;
    for (const auto& group : cond->any_of) {
      for (const ConditionTerm& term : group) CheckTerm(p, keyword, *cond, term);
    }
  }

  void CheckConditions(const ProxyConfig& p) {
    for (const UseBackendRule& r : p.use_backends) CheckCondition(p, "use_backend", r.condition);
    for (const HttpRule& r : p.http_request_rules) CheckCondition(p, "http-request", r.condition);
    for (const HttpRule& r : p.http_response_rules) CheckCondition(p, "http-response", r.condition);
    for (const TcpRequestRule& r : p.tcp_request_content_rules) CheckCondition(p, "tcp-request content", r.condition);
  }

  void WarnUnusedBackends() {
    for (const ProxyConfig& p : config_.proxies) {
      if (p.kind == ProxyKind::kBackend && !used_backends_.count(p.name)) {
        Warn(p.where, absl::StrCat("backend '", p.name, "' is not used by any frontend"));
      }
    }
  }

  const Config& config_;
  std::vector<std::string>* warnings_;
  std::vector<std::string> errors_;
  std::set<std::string> used_backends_;
};

}  // namespace

absl::Status Validate(const Config& config, std::vector<std::string>* warnings) {
  return Validator(config, warnings).Run();
}

}  // namespace tender::config
