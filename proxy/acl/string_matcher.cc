#include "proxy/acl/string_matcher.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "proxy/http/http1.h"
#include "re2/re2.h"

namespace tender {
namespace {

using config::MatchMethod;

enum class Fetch { kHdr, kPath, kUrl, kQuery, kMethod, kUrlParam, kSni };

std::string At(const config::SourceLocation& w) { return absl::StrCat(w.file, ":", w.line, ": "); }

bool CharEq(char a, char b, bool fold) {
  return fold ? absl::ascii_tolower(a) == absl::ascii_tolower(b) : a == b;
}

bool Equal(absl::string_view a, absl::string_view b, bool fold) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!CharEq(a[i], b[i], fold)) return false;
  }
  return true;
}

size_t Find(absl::string_view hay, absl::string_view needle, size_t from, bool fold) {
  if (needle.size() > hay.size()) return absl::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (Equal(hay.substr(i, needle.size()), needle, fold)) return i;
  }
  return absl::string_view::npos;
}

// `needle` occurs in `hay` as a whole element between delimiters (dom: '/', '.', '?', ':'
// and the ends; dir: '/', '?' and the ends).
bool DelimitedMatch(absl::string_view hay, absl::string_view needle, bool fold, absl::string_view delims) {
  auto is_delim = [&](char c) { return delims.find(c) != absl::string_view::npos; };
  // Trim delimiters off the pattern, as HAProxy does.
  while (!needle.empty() && is_delim(needle.front())) needle.remove_prefix(1);
  while (!needle.empty() && is_delim(needle.back())) needle.remove_suffix(1);
  if (needle.empty()) return false;
  for (size_t at = Find(hay, needle, 0, fold); at != absl::string_view::npos; at = Find(hay, needle, at + 1, fold)) {
    bool left = at == 0 || is_delim(hay[at - 1]);
    size_t end = at + needle.size();
    bool right = end == hay.size() || is_delim(hay[end]);
    if (left && right) return true;
  }
  return false;
}

class StringMatcher : public Matcher {
 public:
  StringMatcher(Fetch fetch, std::string arg, MatchMethod method, bool fold)
      : fetch_(fetch), arg_(std::move(arg)), method_(method), fold_(fold) {}

  absl::Status Add(const std::string& pattern, const config::SourceLocation& where) {
    if (method_ == MatchMethod::kReg) {
      RE2::Options options;
      options.set_case_sensitive(!fold_);
      options.set_log_errors(false);
      auto re = std::make_unique<RE2>(pattern, options);
      if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat(At(where), "invalid regular expression '", pattern, "': ", re->error()));
      regexes_.push_back(std::move(re));
      return absl::OkStatus();
    }
    if (method_ == MatchMethod::kLen) {
      int n;
      if (!absl::SimpleAtoi(pattern, &n) || n < 0) {
        return absl::InvalidArgumentError(absl::StrCat(At(where), "'-m len' needs a length, not '", pattern, "'"));
      }
      lengths_.push_back(n);
      return absl::OkStatus();
    }
    patterns_.push_back(pattern);
    return absl::OkStatus();
  }

  bool Match(const SampleContext& sample) const override {
    if (fetch_ == Fetch::kSni) return false;  // no TLS on this listener: the sample does not exist
    const http::RequestHead* r = sample.request;
    if (r == nullptr) return false;
    switch (fetch_) {
      case Fetch::kPath: return MatchValue(r->path);
      case Fetch::kUrl: return MatchValue(r->target);
      case Fetch::kQuery: return !r->query.empty() || r->target.find('?') != absl::string_view::npos ? MatchValue(r->query) : false;
      case Fetch::kMethod: return MatchValue(r->method);
      case Fetch::kUrlParam: return MatchUrlParam(r->query);
      case Fetch::kHdr: return MatchHeader(*r);
      case Fetch::kSni: return false;
    }
    return false;
  }

 private:
  // Every comma-separated value of every field with the name is one occurrence, as
  // HAProxy's hdr() counts them.
  bool MatchHeader(const http::RequestHead& r) const {
    for (int i = 0; i < r.field_count; ++i) {
      if (!http::EqualsIgnoreCase(r.fields[i].name, arg_)) continue;
      absl::string_view list = r.fields[i].value;
      while (true) {
        size_t comma = list.find(',');
        absl::string_view v = absl::StripAsciiWhitespace(list.substr(0, comma));
        if (MatchValue(v)) return true;
        if (comma == absl::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
    return false;
  }

  bool MatchUrlParam(absl::string_view query) const {
    return http::ForEachPair(query, "&;", [&](absl::string_view name, absl::string_view value, absl::string_view) {
      return name == arg_ && MatchValue(value);
    });
  }

  bool MatchValue(absl::string_view v) const {
    switch (method_) {
      case MatchMethod::kFound: return true;
      case MatchMethod::kLen:
        for (int n : lengths_) {
          if (v.size() == static_cast<size_t>(n)) return true;
        }
        return false;
      case MatchMethod::kReg:
        for (const auto& re : regexes_) {
          if (RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), *re)) return true;
        }
        return false;
      default:
        break;
    }
    for (const std::string& p : patterns_) {
      switch (method_) {
        case MatchMethod::kBeg:
          if (v.size() >= p.size() && Equal(v.substr(0, p.size()), p, fold_)) return true;
          break;
        case MatchMethod::kEnd:
          if (v.size() >= p.size() && Equal(v.substr(v.size() - p.size()), p, fold_)) return true;
          break;
        case MatchMethod::kSub:
          if (Find(v, p, 0, fold_) != absl::string_view::npos) return true;
          break;
        case MatchMethod::kDom:
          if (DelimitedMatch(v, p, fold_, "/.?:")) return true;
          break;
        case MatchMethod::kDir:
          if (DelimitedMatch(v, p, fold_, "/?")) return true;
          break;
        default:  // str
          if (Equal(v, p, fold_)) return true;
          break;
      }
    }
    return false;
  }

  Fetch fetch_;
  std::string arg_;
  MatchMethod method_;
  bool fold_;
  std::vector<std::string> patterns_;
  std::vector<std::unique_ptr<RE2>> regexes_;
  std::vector<int> lengths_;
};

// "path_beg" -> (path, beg); "hdr(host)" -> (hdr, str) with argument "host".
bool Classify(const std::string& fetch_text, Fetch* fetch, std::string* arg, MatchMethod* implied) {
  std::string base = fetch_text;
  size_t open = base.find('(');
  if (open != std::string::npos) {
    *arg = base.substr(open + 1, base.size() - open - 2);
    base = base.substr(0, open);
  }
  // HAProxy's hdr(name,occurrence): tender matches every occurrence.
  arg->erase(std::min(arg->size(), arg->find(',')));
  *implied = MatchMethod::kStr;
  static const std::vector<std::pair<std::string, MatchMethod>> kSuffixes = {
      {"_beg", MatchMethod::kBeg}, {"_end", MatchMethod::kEnd}, {"_sub", MatchMethod::kSub},
      {"_reg", MatchMethod::kReg}, {"_dom", MatchMethod::kDom}, {"_dir", MatchMethod::kDir},
      {"_len", MatchMethod::kLen}, {"_cnt", MatchMethod::kInt}};
  for (const auto& [suffix, method] : kSuffixes) {
    if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        base != "url_param") {
      base = base.substr(0, base.size() - suffix.size());
      *implied = method;
      break;
    }
  }
  if (base == "hdr" || base == "req.hdr") *fetch = Fetch::kHdr;
  else if (base == "path") *fetch = Fetch::kPath;
  else if (base == "url") *fetch = Fetch::kUrl;
  else if (base == "query") *fetch = Fetch::kQuery;
  else if (base == "method") *fetch = Fetch::kMethod;
  else if (base == "url_param" || base == "urlp") *fetch = Fetch::kUrlParam;
  else if (base == "ssl_fc_sni" || base == "req.ssl_sni" || base == "req_ssl_sni") *fetch = Fetch::kSni;
  else return false;
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Matcher>> CompileStringAcl(const config::AclConfig& acl) {
  Fetch fetch;
  std::string arg;
  MatchMethod implied;
  if (!Classify(acl.fetch, &fetch, &arg, &implied)) return std::shared_ptr<const Matcher>();
  MatchMethod method = acl.match == MatchMethod::kDefault ? implied : acl.match;
  if (method == MatchMethod::kInt || method == MatchMethod::kIp || method == MatchMethod::kBool) {
    return absl::UnimplementedError(absl::StrCat(At(acl.where), "'", acl.fetch, "' is a string sample: use str, beg, end, sub, reg, dom, dir, len or found"));
  }
  if (fetch == Fetch::kHdr && arg.empty()) {
    return absl::UnimplementedError(absl::StrCat(At(acl.where), "'", acl.fetch, "' without a header name is not implemented by tender's runtime yet"));
  }
  auto m = std::make_shared<StringMatcher>(fetch, arg, method, acl.ignore_case);
  for (const std::string& v : acl.values) {
    absl::Status s = m->Add(v, acl.where);
    if (!s.ok()) return s;
  }
  for (const std::string& file : acl.files) {
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(absl::StrCat(At(acl.where), "cannot read ACL pattern file '", file, "'"));
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view p = absl::StripAsciiWhitespace(line);
      if (p.empty() || p.front() == '#') continue;
      absl::Status s = m->Add(std::string(p), acl.where);
      if (!s.ok()) return s;
    }
  }
  return std::shared_ptr<const Matcher>(m);
}

}  // namespace tender
