// `server`, `server-template`, `default-server` and `bind` lines.
#include <functional>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "proxy/config/parse_internal.h"
#include "proxy/config/suggest.h"
#include "proxy/config/units.h"

namespace tender::config {
namespace {

bool ParsePort(absl::string_view text, int* port) {
  return absl::SimpleAtoi(text, port) && *port >= 1 && *port <= 65535;
}

using ServerKeywordFn = std::function<bool(Cursor&, const Word&, ServerParams*)>;

bool SetFlag(bool ServerParams::*field, bool value, ServerParams* p) {
  p->*field = value;
  return true;
}

template <typename E>
bool TakeEnum(Cursor& c, const Word& kw, const std::vector<std::pair<std::string, E>>& table,
              E* out) {
  std::vector<std::string> names;
  for (const auto& [name, value] : table) names.push_back(name);
  if (c.AtEnd()) {
    return c.Fail(absl::StrCat("'", kw.text, "' expects one of ", absl::StrJoin(names, ", ")));
  }
  const Word& w = c.Take();
  for (const auto& [name, value] : table) {
    if (w.text == name) {
      *out = value;
      return true;
    }
  }
  return c.FailAt(w, absl::StrCat("'", kw.text, "': unknown value '", w.text, "' (expected one of ",
                                  absl::StrJoin(names, ", "), ")", DidYouMean(w.text, names)));
}

const std::map<std::string, ServerKeywordFn>& ServerKeywords() {
  static const auto* table = new std::map<std::string, ServerKeywordFn>{
      {"check", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::check, true, p); }},
      {"no-check", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::check, false, p); }},
      {"backup", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::backup, true, p); }},
      {"no-backup", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::backup, false, p); }},
      {"disabled", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::disabled, true, p); }},
      {"enabled", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::disabled, false, p); }},
      {"send-proxy", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::send_proxy, true, p); }},
      {"send-proxy-v2", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::send_proxy_v2, true, p); }},
      {"no-send-proxy", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::send_proxy, false, p); }},
      {"no-send-proxy-v2", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::send_proxy_v2, false, p); }},
      {"ssl", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::ssl, true, p); }},
      {"no-ssl", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::ssl, false, p); }},
      {"check-ssl", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::check_ssl, true, p); }},
      {"no-check-ssl", [](Cursor&, const Word&, ServerParams* p) { return SetFlag(&ServerParams::check_ssl, false, p); }},
      {"inter", [](Cursor& c, const Word& kw, ServerParams* p) {
         if (!c.TakeTime("'inter' interval", &p->inter)) return false;
         return p->inter > absl::ZeroDuration() || c.FailAt(kw, "'inter' must be greater than 0");
       }},
      {"fastinter", [](Cursor& c, const Word&, ServerParams* p) {
         absl::Duration d; if (!c.TakeTime("'fastinter' interval", &d)) return false;
         p->fastinter = d; return true;
       }},
      {"downinter", [](Cursor& c, const Word&, ServerParams* p) {
         absl::Duration d; if (!c.TakeTime("'downinter' interval", &d)) return false;
         p->downinter = d; return true;
       }},
      {"slowstart", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeTime("'slowstart' duration", &p->slowstart); }},
      {"fall", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("'fall' count", 1, 1000000, &p->fall); }},
      {"rise", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("'rise' count", 1, 1000000, &p->rise); }},
      {"port", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("check 'port'", 1, 65535, &p->check_port); }},
      {"addr", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeString("a check address", &p->check_addr); }},
      {"weight", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("'weight'", 0, 256, &p->weight); }},
      {"maxconn", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("'maxconn'", 0, 1 << 30, &p->maxconn); }},
      {"maxqueue", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("'maxqueue'", 0, 1 << 30, &p->maxqueue); }},
      {"error-limit", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeInt("'error-limit'", 1, 1000000, &p->error_limit); }},
      {"ca-file", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeString("a CA file path", &p->ca_file); }},
      {"sni", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeString("an SNI expression", &p->sni); }},
      {"crt", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeString("a certificate file path", &p->crt); }},
      {"cookie", [](Cursor& c, const Word&, ServerParams* p) { return c.TakeString("a cookie value", &p->cookie); }},
      {"verify", [](Cursor& c, const Word& kw, ServerParams* p) {
         return TakeEnum<Verify>(c, kw, {{"none", Verify::kNone}, {"required", Verify::kRequired}}, &p->verify);
       }},
      {"init-state", [](Cursor& c, const Word& kw, ServerParams* p) {
         return TakeEnum<InitState>(c, kw, {{"up", InitState::kUp}, {"fully-up", InitState::kFullyUp},
                                            {"down", InitState::kDown}, {"fully-down", InitState::kFullyDown}},
                                    &p->init_state);
       }},
      {"observe", [](Cursor& c, const Word& kw, ServerParams* p) {
         return TakeEnum<Observe>(c, kw, {{"layer4", Observe::kLayer4}, {"layer7", Observe::kLayer7}}, &p->observe);
       }},
      {"on-error", [](Cursor& c, const Word& kw, ServerParams* p) {
         return TakeEnum<OnError>(c, kw, {{"fastinter", OnError::kFastinter}, {"fail-check", OnError::kFailCheck},
                                          {"sudden-death", OnError::kSuddenDeath}, {"mark-down", OnError::kMarkDown}},
                                  &p->on_error);
       }},
      {"on-marked-down", [](Cursor& c, const Word& kw, ServerParams* p) {
         bool v = false;
         if (!TakeEnum<bool>(c, kw, {{"shutdown-sessions", true}}, &v)) return false;
         p->on_marked_down_shutdown_sessions = v;
         return true;
       }},
      {"on-marked-up", [](Cursor& c, const Word& kw, ServerParams* p) {
         bool v = false;
         if (!TakeEnum<bool>(c, kw, {{"shutdown-backup-sessions", true}}, &v)) return false;
         p->on_marked_up_shutdown_backup_sessions = v;
         return true;
       }},
  };
  return *table;
}

std::vector<std::string> ServerKeywordNames() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : ServerKeywords()) names.push_back(name);
  return names;
}

// tag=T, passing|any, filter=EXPR, dc=NAME, ns=NAME, cached, on-empty keep-last|apply,
// drain T: discovery's options, between the target and the server parameters.
bool ParseDiscoveryOptions(Cursor& c, DiscoveryOptions* d) {
  while (!c.AtEnd()) {
    const std::string& w = c.Peek()->text;
    auto value_of = [&](absl::string_view prefix, std::string* out) {
      if (!absl::StartsWith(w, prefix)) return false;
      *out = w.substr(prefix.size());
      return true;
    };
    std::string v;
    if (value_of("tag=", &v)) {
      if (v.empty()) return c.Fail("'tag=' needs a tag");
      d->tags.push_back(v);
    } else if (value_of("filter=", &d->filter) || value_of("dc=", &d->datacenter) || value_of("ns=", &d->ns)) {
    } else if (w == "passing" || w == "any") {
      d->passing_only = w == "passing";
    } else if (w == "cached") {
      d->cached = true;
    } else if (w == "on-empty") {
      c.Take();
      if (c.AtEnd() || (!c.PeekIs("keep-last") && !c.PeekIs("apply"))) return c.Fail("'on-empty' expects keep-last or apply");
      d->on_empty_apply = c.Peek()->text == "apply";
    } else if (w == "drain") {
      c.Take();
      if (!c.TakeTime("the drain time of a departed instance", &d->drain)) return false;
      continue;
    } else {
      return true;  // the server parameters start here
    }
    c.Take();
  }
  return true;
}

}  // namespace

bool ParseServerAddress(Cursor& c, const Word& w, std::string* host, int* port) {
  absl::string_view text = w.text;
  if (absl::StartsWith(text, "unix@") || absl::StartsWith(text, "/") || absl::StartsWith(text, "abns@")) {
    return c.FailAt(w, NotSupported(absl::StrCat("UNIX socket address '", text, "'")));
  }
  if (absl::ConsumePrefix(&text, "ipv4@") || absl::ConsumePrefix(&text, "ipv6@")) {
  }
  absl::string_view host_part = text, port_part;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == absl::string_view::npos) return c.FailAt(w, absl::StrCat("'", w.text, "': missing ']'"));
    host_part = text.substr(1, close - 1);
    absl::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return c.FailAt(w, absl::StrCat("'", w.text, "': expected ':PORT' after ']'"));
      port_part = rest.substr(1);
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon != absl::string_view::npos) {
      host_part = text.substr(0, colon);
      port_part = text.substr(colon + 1);
    }
  }
  if (host_part.empty()) return c.FailAt(w, absl::StrCat("'", w.text, "': missing host"));
  *host = std::string(host_part);
  *port = 0;
  if (!port_part.empty()) {
    if (port_part[0] == '+' || port_part[0] == '-') {
      return c.FailAt(w, NotSupported(absl::StrCat("port offset '", port_part, "'")));
    }
    if (!ParsePort(port_part, port)) {
      return c.FailAt(w, absl::StrCat("'", w.text, "': invalid port '", port_part,
                                      "' (expected 1 to 65535)"));
    }
  }
  return true;
}

bool ParseServerParams(Cursor& c, ServerParams* params) {
  bool ok = true;
  while (!c.AtEnd()) {
    const Word& kw = c.Take();
    auto it = ServerKeywords().find(kw.text);
    if (it != ServerKeywords().end()) {
      if (!it->second(c, kw, params)) return false;
      continue;
    }
    if (IsKnownHaproxyServerKeyword(kw.text)) {
      c.FailAt(kw, NotSupported(absl::StrCat("server keyword '", kw.text, "'")));
    } else {
      c.FailAt(kw, absl::StrCat("unknown server keyword '", kw.text, "'",
                                DidYouMean(kw.text, ServerKeywordNames())));
    }
    return false;
  }
  return ok;
}

bool ParseServerLine(Cursor& c, const ServerParams& defaults, ServerConfig* out) {
  out->where = c.Where();
  out->params = defaults;
  if (!c.TakeString("a server name", &out->name)) return false;
  if (c.AtEnd()) return c.Fail("missing argument: expected an address such as 10.0.0.1:80");
  const Word& addr = c.Take();
  out->address = addr.text;
  if (!ParseServerAddress(c, addr, &out->host, &out->port)) return false;
  return ParseServerParams(c, &out->params);
}

bool ParseServerTemplateLine(Cursor& c, const ServerParams& defaults, ServerTemplateConfig* out) {
  out->where = c.Where();
  out->params = defaults;
  if (!c.TakeString("a name prefix", &out->prefix)) return false;
  if (c.AtEnd()) return c.Fail("missing argument: expected a slot count NUM or a range LOW-HIGH");
  const Word& range = c.Take();
  std::vector<absl::string_view> parts = absl::StrSplit(range.text, '-');
  int low = 1, high = 0;
  bool ok = parts.size() == 1 ? absl::SimpleAtoi(parts[0], &high)
            : parts.size() == 2 ? absl::SimpleAtoi(parts[0], &low) && absl::SimpleAtoi(parts[1], &high)
                                : false;
  if (!ok || low < 0 || high < low || high < 1 || high - low >= 100000) {
    return c.FailAt(range, absl::StrCat("invalid slot range '", range.text,
                                        "' (expected NUM or LOW-HIGH with LOW <= HIGH)"));
  }
  out->first = low;
  out->last = high;
  if (c.AtEnd()) return c.Fail("missing argument: expected a target FQDN[:PORT]");
  const Word& target = c.Take();
  std::string host;
  if (!ParseServerAddress(c, target, &host, &out->port)) return false;
  out->target = host;
  if (!ParseDiscoveryOptions(c, &out->discovery)) return false;
  return ParseServerParams(c, &out->params);
}

bool ParseBindLine(Cursor& c, BindConfig* out) {
  out->where = c.Where();
  if (c.AtEnd()) return c.Fail("missing argument: expected an address such as *:80 or [::]:443");
  const Word& addr = c.Take();
  out->address = addr.text;
  absl::string_view text = addr.text;
  if (absl::StrContains(text, ',')) {
    return c.FailAt(addr, NotSupported("several addresses on one 'bind' line; write one 'bind' per address"));
  }
  if (absl::StartsWith(text, "unix@") || absl::StartsWith(text, "/") || absl::StartsWith(text, "fd@") ||
      absl::StartsWith(text, "abns@") || absl::StartsWith(text, "sockpair@") || absl::StartsWith(text, "quic")) {
    return c.FailAt(addr, NotSupported(absl::StrCat("bind address '", text, "'")));
  }
  absl::ConsumePrefix(&text, "ipv4@");
  absl::ConsumePrefix(&text, "ipv6@");
  absl::string_view host = text, ports;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return c.FailAt(addr, absl::StrCat("'", addr.text, "': expected [IPV6]:PORT"));
    }
    host = text.substr(1, close - 1);
    ports = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return c.FailAt(addr, absl::StrCat("'", addr.text, "': missing port (expected ADDRESS:PORT, e.g. *:80)"));
    }
    host = text.substr(0, colon);
    ports = text.substr(colon + 1);
  }
  out->host = (host == "*" ) ? "" : std::string(host);
  std::vector<absl::string_view> range = absl::StrSplit(ports, '-');
  if (range.size() > 2 || !ParsePort(range[0], &out->port_low) ||
      (range.size() == 2 && !ParsePort(range[1], &out->port_high))) {
    return c.FailAt(addr, absl::StrCat("'", addr.text, "': invalid port '", ports,
                                       "' (expected 1 to 65535, or a range LOW-HIGH)"));
  }
  if (range.size() == 1) out->port_high = out->port_low;
  if (out->port_high < out->port_low) {
    return c.FailAt(addr, absl::StrCat("'", addr.text, "': port range is reversed"));
  }
  static const std::vector<std::string> kBindKeywords = {"ssl", "crt", "alpn", "accept-proxy", "name"};
  while (!c.AtEnd()) {
    const Word& kw = c.Take();
    if (kw.text == "ssl") {
      out->ssl = true;
    } else if (kw.text == "accept-proxy") {
      out->accept_proxy = true;
    } else if (kw.text == "crt") {
      std::string crt;
      if (!c.TakeString("a certificate file or directory", &crt)) return false;
      out->crt.push_back(crt);
    } else if (kw.text == "alpn") {
      if (!c.TakeString("a protocol list such as h2,http/1.1", &out->alpn)) return false;
    } else if (kw.text == "name") {
      if (!c.TakeString("a listener name", &out->name)) return false;
    } else if (IsKnownHaproxyBindKeyword(kw.text)) {
      return c.FailAt(kw, NotSupported(absl::StrCat("bind keyword '", kw.text, "'")));
    } else {
      return c.FailAt(kw, absl::StrCat("unknown bind keyword '", kw.text, "'",
                                       DidYouMean(kw.text, kBindKeywords)));
    }
  }
  if (out->ssl && out->crt.empty()) {
    return c.Fail("'ssl' needs at least one 'crt' certificate");
  }
  return true;
}

}  // namespace tender::config
