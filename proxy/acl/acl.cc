#include "proxy/acl/acl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "proxy/acl/string_matcher.h"
#include "proxy/http/http1.h"

namespace tender {
namespace {

std::string At(const config::SourceLocation& w) { return absl::StrCat(w.file, ":", w.line, ": "); }

class ConstantMatcher : public Matcher {
 public:
  explicit ConstantMatcher(bool value) : value_(value) {}
  bool Match(const SampleContext&) const override { return value_; }

 private:
  bool value_;
};

// IPv4 and IPv6 networks; an IPv4-mapped IPv6 address matches the IPv4 networks.
class IpMatcher : public Matcher {
 public:
  IpMatcher(bool destination) : destination_(destination) {}

  bool Add(const std::string& text) {
    std::string addr = text;
    int prefix = -1;
    size_t slash = text.find('/');
    if (slash != std::string::npos) {
      addr = text.substr(0, slash);
      if (!absl::SimpleAtoi(text.substr(slash + 1), &prefix)) return AddDottedMask(addr, text.substr(slash + 1));
    }
    in_addr v4;
    in6_addr v6;
    if (inet_pton(AF_INET, addr.c_str(), &v4) == 1) {
      if (prefix < 0) prefix = 32;
      if (prefix > 32) return false;
      uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
      v4_.push_back({ntohl(v4.s_addr) & mask, mask});
      return true;
    }
    if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1) {
      if (prefix < 0) prefix = 128;
      if (prefix > 128) return false;
      v6_.push_back({v6, prefix});
      return true;
    }
    return false;
  }

  bool Match(const SampleContext& sample) const override {
    const SocketAddress* a = destination_ ? sample.destination : sample.source;
    if (a == nullptr) return false;
    if (a->family() == AF_INET) {
      return MatchV4(ntohl(reinterpret_cast<const sockaddr_in*>(&a->storage)->sin_addr.s_addr));
    }
    if (a->family() != AF_INET6) return false;
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(&a->storage)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      uint32_t v4;
      memcpy(&v4, v6.s6_addr + 12, 4);
      return MatchV4(ntohl(v4));
    }
    for (const auto& [net, prefix] : v6_) {
      if (PrefixEqual(v6, net, prefix)) return true;
    }
    return false;
  }

 private:
  bool AddDottedMask(const std::string& addr, const std::string& mask_text) {
    in_addr a, m;
    if (inet_pton(AF_INET, addr.c_str(), &a) != 1 || inet_pton(AF_INET, mask_text.c_str(), &m) != 1) return false;
    v4_.push_back({ntohl(a.s_addr) & ntohl(m.s_addr), ntohl(m.s_addr)});
    return true;
  }
  bool MatchV4(uint32_t host) const {
    for (const auto& [net, mask] : v4_) {
      if ((host & mask) == net) return true;
    }
    return false;
  }
  static bool PrefixEqual(const in6_addr& a, const in6_addr& b, int prefix) {
    int bytes = prefix / 8, bits = prefix % 8;
    if (memcmp(a.s6_addr, b.s6_addr, bytes) != 0) return false;
    if (bits == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
    return (a.s6_addr[bytes] & mask) == (b.s6_addr[bytes] & mask);
  }

  bool destination_;
  std::vector<std::pair<uint32_t, uint32_t>> v4_;
  std::vector<std::pair<in6_addr, int>> v6_;
};

// Integer matching as HAProxy's "-m int": N, LOW:HIGH, :HIGH, LOW:, or "eq|ge|gt|le|lt N".
class PortMatcher : public Matcher {
 public:
  explicit PortMatcher(bool destination) : destination_(destination) {}

  bool Add(const std::vector<std::string>& values, size_t* i) {
    const std::string& v = values[*i];
    static const std::map<std::string, int> kOps = {{"eq", 0}, {"ge", 1}, {"gt", 2}, {"le", 3}, {"lt", 4}};
    auto op = kOps.find(v);
    if (op != kOps.end()) {
      if (*i + 1 >= values.size()) return false;
      int64_t n;
      if (!absl::SimpleAtoi(values[++*i], &n)) return false;
      int64_t lo = INT64_MIN, hi = INT64_MAX;
      switch (op->second) {
        case 0: lo = hi = n; break;
        case 1: lo = n; break;
        case 2: lo = n + 1; break;
        case 3: hi = n; break;
        case 4: hi = n - 1; break;
      }
      ranges_.push_back({lo, hi});
      return true;
    }
    size_t colon = v.find(':');
    int64_t lo, hi;
    if (colon == std::string::npos) {
      if (!absl::SimpleAtoi(v, &lo)) return false;
      hi = lo;
    } else {
      std::string a = v.substr(0, colon), b = v.substr(colon + 1);
      lo = INT64_MIN;
      hi = INT64_MAX;
      if (!a.empty() && !absl::SimpleAtoi(a, &lo)) return false;
      if (!b.empty() && !absl::SimpleAtoi(b, &hi)) return false;
    }
    ranges_.push_back({lo, hi});
    return true;
  }

  bool Match(const SampleContext& sample) const override {
    const SocketAddress* a = destination_ ? sample.destination : sample.source;
    if (a == nullptr) return false;
    int64_t port = a->port();
    for (const auto& [lo, hi] : ranges_) {
      if (port >= lo && port <= hi) return true;
    }
    return false;
  }

 private:
  bool destination_;
  std::vector<std::pair<int64_t, int64_t>> ranges_;
};

// METH_GET and friends.
const char* PredefinedMethod(const std::string& name) {
  static const char* kMethods[] = {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "TRACE"};
  if (name.rfind("METH_", 0) != 0) return nullptr;
  for (const char* m : kMethods) {
    if (name.substr(5) == m) return m;
  }
  return nullptr;
}

// HTTP (any HTTP request), HTTP_1.0, HTTP_1.1.
class HttpVersionMatcher : public Matcher {
 public:
  explicit HttpVersionMatcher(int minor) : minor_(minor) {}
  bool Match(const SampleContext& s) const override {
    return s.request != nullptr && (minor_ < 0 || s.request->version_minor == minor_);
  }

 private:
  int minor_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const Matcher>> CompileAcl(const config::AclConfig& acl, bool* needs_destination,
                                                          bool* needs_http) {
  const std::string& fetch = acl.fetch;
  if (fetch == "always_true") return std::shared_ptr<const Matcher>(new ConstantMatcher(true));
  if (fetch == "always_false") return std::shared_ptr<const Matcher>(new ConstantMatcher(false));
  // No TLS on tender's listeners yet: ssl_fc is false, as on a clear-text HAProxy bind.
  if (fetch == "ssl_fc") return std::shared_ptr<const Matcher>(new ConstantMatcher(false));
  {
    auto string_matcher = CompileStringAcl(acl);
    if (!string_matcher.ok()) return string_matcher.status();
    if (*string_matcher != nullptr) {
      *needs_http = true;
      return *string_matcher;
    }
  }
  if (!acl.files.empty()) {
    return absl::UnimplementedError(absl::StrCat(At(acl.where), "ACL pattern files (-f) are not implemented by tender's runtime yet"));
  }
  bool destination = fetch == "dst" || fetch == "dst_port";
  if (fetch == "src" || fetch == "dst") {
    if (acl.match != config::MatchMethod::kDefault && acl.match != config::MatchMethod::kIp) {
      return absl::UnimplementedError(absl::StrCat(At(acl.where), "'", fetch, "' supports only '-m ip'"));
    }
    auto m = std::make_shared<IpMatcher>(destination);
    for (const std::string& v : acl.values) {
      if (!m->Add(v)) {
        return absl::InvalidArgumentError(absl::StrCat(At(acl.where), "'", v, "' is not an IP address or network"));
      }
    }
    *needs_destination |= destination;
    return std::shared_ptr<const Matcher>(m);
  }
  if (fetch == "src_port" || fetch == "dst_port") {
    if (acl.match != config::MatchMethod::kDefault && acl.match != config::MatchMethod::kInt) {
      return absl::UnimplementedError(absl::StrCat(At(acl.where), "'", fetch, "' supports only '-m int'"));
    }
    auto m = std::make_shared<PortMatcher>(destination);
    for (size_t i = 0; i < acl.values.size(); ++i) {
      if (!m->Add(acl.values, &i)) {
        return absl::InvalidArgumentError(
            absl::StrCat(At(acl.where), "'", acl.values[i], "' is not a port, a range LOW:HIGH or an operator eq|ge|gt|le|lt N"));
      }
    }
    *needs_destination |= destination;
    return std::shared_ptr<const Matcher>(m);
  }
  return absl::UnimplementedError(absl::StrCat(At(acl.where), "sample fetch '", fetch,
                                               "' is not implemented by tender's runtime yet (it has src, dst, src_port, dst_port, "
                                               "always_true, always_false, ssl_fc, hdr*, path*, url*, query, method, url_param)"));
}

absl::StatusOr<CompiledCondition> CompiledCondition::Compile(const config::Condition& condition,
                                                             const std::vector<config::AclConfig>& acls) {
  CompiledCondition out;
  out.unless_ = condition.unless;
  std::map<std::string, const Matcher*> by_name;  // one matcher per named ACL lines group
  for (const auto& group : condition.any_of) {
    out.any_of_.emplace_back();
    for (const config::ConditionTerm& term : group) {
      std::shared_ptr<const Matcher> matcher;
      if (term.inline_acl) {
        auto m = CompileAcl(*term.inline_acl, &out.needs_destination_, &out.needs_http_);
        if (!m.ok()) return m.status();
        matcher = *m;
      } else if (term.acl_name == "TRUE" || term.acl_name == "FALSE") {
        matcher = std::make_shared<ConstantMatcher>(term.acl_name == "TRUE");
      } else if (term.acl_name == "LOCALHOST") {
        config::AclConfig local;
        local.fetch = "src";
        local.values = {"127.0.0.0/8", "::1"};
        matcher = *CompileAcl(local, &out.needs_destination_, &out.needs_http_);
      } else if (const char* method = PredefinedMethod(term.acl_name)) {
        config::AclConfig m;
        m.fetch = "method";
        m.values = {method};
        matcher = *CompileAcl(m, &out.needs_destination_, &out.needs_http_);
      } else if (term.acl_name == "HTTP" || term.acl_name == "HTTP_1.0" || term.acl_name == "HTTP_1.1") {
        out.needs_http_ = true;
        matcher = std::make_shared<HttpVersionMatcher>(term.acl_name == "HTTP" ? -1 : term.acl_name.back() - '0');
      } else {
        // Several `acl NAME ...` lines with one name OR their patterns, as in HAProxy.
        std::vector<std::shared_ptr<const Matcher>> parts;
        for (const config::AclConfig& acl : acls) {
          if (acl.name != term.acl_name) continue;
          auto m = CompileAcl(acl, &out.needs_destination_, &out.needs_http_);
          if (!m.ok()) return m.status();
          parts.push_back(*m);
        }
        if (parts.empty()) {
          return absl::UnimplementedError(absl::StrCat(At(condition.where), "predefined ACL '", term.acl_name,
                                                       "' is not implemented by tender's runtime yet"));
        }
        if (parts.size() == 1) {
          matcher = parts[0];
        } else {
          class AnyOf : public Matcher {
           public:
            explicit AnyOf(std::vector<std::shared_ptr<const Matcher>> p) : parts_(std::move(p)) {}
            bool Match(const SampleContext& s) const override {
              for (const auto& p : parts_) {
                if (p->Match(s)) return true;
              }
              return false;
            }

           private:
            std::vector<std::shared_ptr<const Matcher>> parts_;
          };
          matcher = std::make_shared<AnyOf>(std::move(parts));
        }
      }
      out.matchers_.push_back(matcher);
      out.any_of_.back().push_back({matcher.get(), term.negate});
    }
  }
  return out;
}

bool CompiledCondition::Evaluate(const SampleContext& sample) const {
  bool result = false;
  for (const auto& group : any_of_) {
    bool all = true;
    for (const Term& t : group) {
      if (t.matcher->Match(sample) == t.negate) {
        all = false;
        break;
      }
    }
    if (all) {
      result = true;
      break;
    }
  }
  return unless_ ? !result : result;
}

}  // namespace tender
