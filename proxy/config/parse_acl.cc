// `acl` lines and `if|unless` conditions with anonymous `{ ... }` ACLs.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proxy/config/parse_internal.h"
#include "proxy/config/suggest.h"

namespace tender::config {
namespace {

enum class FetchArg { kNone, kOptional, kRequired };
struct FetchSpec {
  const char* name;
  FetchArg arg;
  bool boolean;  // matches without values
};

const std::vector<FetchSpec>& Fetches() {
  static const auto* fetches = new std::vector<FetchSpec>{
      {"hdr", FetchArg::kOptional, false},     {"hdr_beg", FetchArg::kOptional, false},
      {"hdr_end", FetchArg::kOptional, false}, {"hdr_sub", FetchArg::kOptional, false},
      {"hdr_reg", FetchArg::kOptional, false}, {"hdr_dom", FetchArg::kOptional, false},
      {"hdr_dir", FetchArg::kOptional, false}, {"req.hdr", FetchArg::kOptional, false},
      {"path", FetchArg::kNone, false},        {"path_beg", FetchArg::kNone, false},
      {"path_end", FetchArg::kNone, false},    {"path_sub", FetchArg::kNone, false},
      {"path_reg", FetchArg::kNone, false},    {"path_dir", FetchArg::kNone, false},
      {"path_dom", FetchArg::kNone, false},    {"url", FetchArg::kNone, false},
      {"url_beg", FetchArg::kNone, false},     {"url_end", FetchArg::kNone, false},
      {"url_sub", FetchArg::kNone, false},     {"url_reg", FetchArg::kNone, false},
      {"url_dir", FetchArg::kNone, false},     {"url_dom", FetchArg::kNone, false},
      {"url_param", FetchArg::kRequired, false}, {"urlp", FetchArg::kRequired, false},
      {"query", FetchArg::kNone, false},       {"method", FetchArg::kNone, false},
      {"src", FetchArg::kNone, false},         {"dst", FetchArg::kNone, false},
      {"src_port", FetchArg::kNone, false},    {"dst_port", FetchArg::kNone, false},
      {"ssl_fc", FetchArg::kNone, true},       {"ssl_fc_sni", FetchArg::kNone, false},
      {"req.ssl_sni", FetchArg::kNone, false}, {"req_ssl_sni", FetchArg::kNone, false},
      {"req.ssl_hello_type", FetchArg::kNone, false}, {"req_ssl_hello_type", FetchArg::kNone, false},
      {"always_true", FetchArg::kNone, true},  {"always_false", FetchArg::kNone, true},
  };
  return *fetches;
}

std::vector<std::string> FetchNames() {
  std::vector<std::string> names;
  for (const FetchSpec& f : Fetches()) names.push_back(f.name);
  return names;
}

const FetchSpec* FindFetch(const std::string& name) {
  for (const FetchSpec& f : Fetches()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

bool ParseMatchMethod(const std::string& text, MatchMethod* out) {
  static const std::vector<std::pair<std::string, MatchMethod>> kMethods = {
      {"str", MatchMethod::kStr}, {"beg", MatchMethod::kBeg},   {"end", MatchMethod::kEnd},
      {"sub", MatchMethod::kSub}, {"reg", MatchMethod::kReg},   {"dom", MatchMethod::kDom},
      {"dir", MatchMethod::kDir}, {"ip", MatchMethod::kIp},     {"int", MatchMethod::kInt},
      {"found", MatchMethod::kFound}, {"len", MatchMethod::kLen}, {"bool", MatchMethod::kBool}};
  for (const auto& [name, m] : kMethods) {
    if (text == name) {
      *out = m;
      return true;
    }
  }
  return false;
}

// Parses "FETCH [flags] [values...]" from the cursor to its end.
bool ParseAclBody(Cursor& c, AclConfig* out) {
  if (c.AtEnd()) return c.Fail("missing argument: expected a sample fetch such as path_beg or hdr(host)");
  const Word& fetch = c.Take();
  out->fetch = fetch.text;
  std::string base = fetch.text;
  std::string arg;
  bool has_parens = false;
  size_t open = base.find('(');
  if (open != std::string::npos) {
    if (base.back() != ')') return c.FailAt(fetch, absl::StrCat("'", fetch.text, "': missing ')'"));
    arg = base.substr(open + 1, base.size() - open - 2);
    base = base.substr(0, open);
    has_parens = true;
  }
  const FetchSpec* spec = FindFetch(base);
  if (spec == nullptr) {
    if (IsKnownHaproxyFetch(base)) {
      return c.FailAt(fetch, NotSupported(absl::StrCat("sample fetch '", base, "'")));
    }
    return c.FailAt(fetch, absl::StrCat("unknown sample fetch '", base, "'", DidYouMean(base, FetchNames())));
  }
  if (spec->arg == FetchArg::kNone && has_parens && !arg.empty()) {
    return c.FailAt(fetch, absl::StrCat("'", base, "' takes no argument"));
  }
  if (spec->arg == FetchArg::kRequired && arg.empty()) {
    return c.FailAt(fetch, absl::StrCat("'", base, "' needs an argument, e.g. ", base, "(name)"));
  }
  bool flags_done = false;
  while (!c.AtEnd()) {
    const Word& w = c.Take();
    if (!flags_done && w.text == "-i") {
      out->ignore_case = true;
    } else if (!flags_done && w.text == "-n") {
      // HAProxy's "forbid DNS resolution": tender never resolves ACL values anyway.
    } else if (!flags_done && w.text == "--") {
      flags_done = true;
    } else if (!flags_done && w.text == "-m") {
      if (c.AtEnd()) return c.Fail("'-m' expects a match method (str, beg, end, sub, reg, dom, dir, ip, int, found, len, bool)");
      const Word& m = c.Take();
      if (!ParseMatchMethod(m.text, &out->match)) {
        return c.FailAt(m, absl::StrCat("unknown match method '", m.text,
                                        "' (expected str, beg, end, sub, reg, dom, dir, ip, int, found, len or bool)"));
      }
    } else if (!flags_done && w.text == "-f") {
      std::string file;
      if (!c.TakeString("a pattern file after '-f'", &file)) return false;
      out->files.push_back(file);
    } else if (!flags_done && (w.text == "-u" || w.text == "-M")) {
      return c.FailAt(w, NotSupported(absl::StrCat("ACL flag '", w.text, "'")));
    } else {
      flags_done = true;
      out->values.push_back(w.text);
    }
  }
  bool boolean = spec->boolean || out->match == MatchMethod::kFound || out->match == MatchMethod::kBool;
  if (!boolean && out->values.empty() && out->files.empty()) {
    return c.FailAt(fetch, absl::StrCat("'", fetch.text,
                                        "' needs at least one value to match (or '-m found')"));
  }
  return true;
}

}  // namespace

bool IsPredefinedAcl(const std::string& name) {
  static const auto* names = new std::set<std::string>{
      "TRUE", "FALSE", "LOCALHOST", "HTTP", "HTTP_1.0", "HTTP_1.1", "METH_CONNECT", "METH_DELETE",
      "METH_GET", "METH_HEAD", "METH_OPTIONS", "METH_POST", "METH_PUT", "METH_TRACE"};
  return names->count(name) > 0;
}

bool ParseAclLine(Cursor& c, AclConfig* out) {
  out->where = c.Where();
  if (!c.TakeString("an ACL name", &out->name)) return false;
  for (char ch : out->name) {
    if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.' || ch == ':')) {
      return c.FailAt(c.line().words[1], absl::StrCat("invalid character '", std::string(1, ch),
                                                      "' in ACL name '", out->name,
                                                      "' (letters, digits, '-', '_', '.' and ':' only)"));
    }
  }
  return ParseAclBody(c, out);
}

bool ParseOptionalCondition(Cursor& c, std::optional<Condition>* out) {
  if (c.AtEnd()) return true;
  const Word& kw = c.Take();
  if (kw.text != "if" && kw.text != "unless") {
    return c.FailAt(kw, absl::StrCat("unexpected argument '", kw.text, "' (expected 'if' or 'unless')"));
  }
  Condition cond;
  cond.where = c.WhereOf(kw);
  cond.unless = kw.text == "unless";
  cond.any_of.emplace_back();
  bool negate_next = false;
  while (!c.AtEnd()) {
    const Word& w = c.Take();
    if (w.text == "||" || w.text == "or") {
      if (cond.any_of.back().empty()) return c.FailAt(w, "'||' with no condition before it");
      cond.any_of.emplace_back();
      continue;
    }
    if (w.text == "!") {
      negate_next = !negate_next;
      continue;
    }
    ConditionTerm term;
    term.negate = negate_next;
    negate_next = false;
    std::string text = w.text;
    while (absl::StartsWith(text, "!")) {  // "!name" and "!{" as one word
      term.negate = !term.negate;
      text = text.substr(1);
    }
    if (text.empty()) return c.FailAt(w, "'!' must be followed by an ACL name");
    if (text == "{") {
      // Collect the anonymous ACL's words up to the closing brace.
      Line inner{c.line().file, c.line().number, {Word{"{", w.column}}};
      bool closed = false;
      while (!c.AtEnd()) {
        const Word& x = c.Take();
        if (x.text == "}") {
          closed = true;
          break;
        }
        inner.words.push_back(x);
      }
      if (!closed) return c.FailAt(w, "anonymous ACL '{' is not closed by '}'");
      Cursor ic(inner, c.diag());
      ic.set_keyword(c.keyword());
      AclConfig acl;
      acl.where = c.WhereOf(w);
      if (!ParseAclBody(ic, &acl)) return false;
      term.inline_acl = std::move(acl);
    } else {
      term.acl_name = text;
    }
    cond.any_of.back().push_back(std::move(term));
  }
  if (negate_next) return c.Fail("'!' at the end of the condition");
  if (cond.any_of.back().empty()) {
    return c.FailAt(kw, absl::StrCat("'", kw.text, "' needs a condition after it"));
  }
  *out = std::move(cond);
  return true;
}

}  // namespace tender::config
