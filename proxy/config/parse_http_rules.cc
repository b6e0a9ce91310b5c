// `http-request` and `http-response` rules.
#include "absl/strings/str_cat.h"
#include "proxy/config/parse_internal.h"
#include "proxy/config/suggest.h"

namespace tender::config {
namespace {

// "set-var(txn.x)" -> "set-var".
std::string ActionBase(const std::string& action) { return action.substr(0, action.find('(')); }

bool IsCondition(const Cursor& c) { return c.PeekIs("if") || c.PeekIs("unless"); }

bool ParseRedirect(Cursor& c, HttpRule* out) {
  out->request_action = HttpRequestAction::kRedirect;
  out->status = 302;
  if (c.AtEnd()) return c.Fail("missing argument: expected 'location', 'prefix' or 'scheme'");
  const Word& kind = c.Take();
  if (kind.text == "location") out->redirect_kind = RedirectKind::kLocation;
  else if (kind.text == "prefix") out->redirect_kind = RedirectKind::kPrefix;
  else if (kind.text == "scheme") out->redirect_kind = RedirectKind::kScheme;
  else {
    return c.FailAt(kind, absl::StrCat("unknown redirect type '", kind.text,
                                       "' (expected location, prefix or scheme)"));
  }
  if (!c.TakeString(absl::StrCat("the redirect ", kind.text), &out->value)) return false;
  while (!c.AtEnd() && !IsCondition(c)) {
    const Word& w = c.Take();
    if (w.text == "code") {
      if (!c.TakeInt("redirect 'code'", 301, 308, &out->status)) return false;
      if (out->status > 303 && out->status < 307) {
        return c.Fail(absl::StrCat("redirect code ", out->status, " is not one of 301, 302, 303, 307, 308"));
      }
    } else if (w.text == "drop-query" || w.text == "append-slash" || w.text == "ignore-empty") {
      out->redirect_options.push_back(w.text);
    } else if (w.text == "set-cookie" || w.text == "clear-cookie") {
      return c.FailAt(w, NotSupported(absl::StrCat("redirect option '", w.text, "'")));
    } else {
      return c.FailAt(w, absl::StrCat("unknown redirect option '", w.text,
                                      "' (expected code, drop-query, append-slash or ignore-empty)"));
    }
  }
  return true;
}

bool ValidDenyStatus(int s) {
  for (int ok : {200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504}) {
    if (s == ok) return true;
  }
  return false;
}

bool ParseDeny(Cursor& c, HttpRule* out) {
  out->request_action = HttpRequestAction::kDeny;
  out->status = 403;
  while (!c.AtEnd() && !IsCondition(c)) {
    const Word& w = c.Take();
    if (w.text != "deny_status") {
      return c.FailAt(w, absl::StrCat("unexpected argument '", w.text, "' (expected deny_status or a condition)"));
    }
    if (!c.TakeInt("'deny_status'", 200, 599, &out->status)) return false;
    if (!ValidDenyStatus(out->status)) {
      return c.Fail(absl::StrCat("status ", out->status, " cannot be used with deny"));
    }
  }
  return true;
}

bool ParseReturn(Cursor& c, HttpRule* out) {
  out->request_action = HttpRequestAction::kReturn;
  out->status = 200;
  while (!c.AtEnd() && !IsCondition(c)) {
    const Word& w = c.Take();
    if (w.text == "status") {
      if (!c.TakeInt("'status'", 200, 599, &out->status)) return false;
    } else if (w.text == "content-type") {
      if (!c.TakeString("a content type", &out->content_type)) return false;
    } else if (w.text == "string") {
      if (!c.TakeString("the response body", &out->value)) return false;
    } else if (w.text == "file" || w.text == "lf-file" || w.text == "lf-string" || w.text == "errorfile" ||
               w.text == "errorfiles" || w.text == "default-errorfiles" || w.text == "hdr") {
      return c.FailAt(w, NotSupported(absl::StrCat("'http-request return' option '", w.text, "'")));
    } else {
      return c.FailAt(w, absl::StrCat("unknown 'return' option '", w.text,
                                      "' (expected status, content-type or string)"));
    }
  }
  if (!out->value.empty() && out->content_type.empty()) {
    return c.Fail("'string' needs a 'content-type'");
  }
  return true;
}

bool ParseHeaderNameValue(Cursor& c, bool with_value, HttpRule* out) {
  if (!c.TakeString("a header name", &out->name)) return false;
  if (with_value && !c.TakeString("a header value", &out->value)) return false;
  return true;
}

}  // namespace

bool ParseHttpRequestLine(Cursor& c, HttpRule* out) {
  out->where = c.Where();
  static const std::vector<std::string> kActions = {"redirect", "deny", "set-header", "add-header",
                                                    "del-header", "return", "replace-header", "set-path"};
  if (c.AtEnd()) return c.Fail("missing argument: expected an action (redirect, deny, set-header, add-header, del-header, return)");
  const Word& action = c.Take();
  c.set_keyword(absl::StrCat("http-request ", action.text));
  bool ok;
  if (action.text == "redirect") ok = ParseRedirect(c, out);
  else if (action.text == "deny") ok = ParseDeny(c, out);
  else if (action.text == "return") ok = ParseReturn(c, out);
  else if (action.text == "set-header") {
    out->request_action = HttpRequestAction::kSetHeader;
    ok = ParseHeaderNameValue(c, true, out);
  } else if (action.text == "add-header") {
    out->request_action = HttpRequestAction::kAddHeader;
    ok = ParseHeaderNameValue(c, true, out);
  } else if (action.text == "del-header") {
    out->request_action = HttpRequestAction::kDelHeader;
    ok = ParseHeaderNameValue(c, false, out);
  } else if (action.text == "replace-header") {
    out->request_action = HttpRequestAction::kReplaceHeader;
    ok = c.TakeString("a header name", &out->name) && c.TakeString("a regular expression", &out->pattern) &&
         c.TakeString("a replacement", &out->value);
  } else if (action.text == "set-path") {
    out->request_action = HttpRequestAction::kSetPath;
    ok = c.TakeString("a path", &out->value);
    if (ok && (out->value.empty() || out->value[0] != '/')) return c.Fail("the path must start with '/'");
  } else if (IsKnownHaproxyHttpAction(ActionBase(action.text))) {
    return c.FailAt(action, NotSupported(absl::StrCat("'http-request ", ActionBase(action.text), "'")));
  } else {
    return c.FailAt(action, absl::StrCat("unknown action '", action.text, "'", DidYouMean(action.text, kActions)));
  }
  return ok && ParseOptionalCondition(c, &out->condition);
}

bool ParseHttpResponseLine(Cursor& c, HttpRule* out) {
  out->where = c.Where();
  static const std::vector<std::string> kActions = {"set-header", "del-header"};
  if (c.AtEnd()) return c.Fail("missing argument: expected an action (set-header, del-header)");
  const Word& action = c.Take();
  c.set_keyword(absl::StrCat("http-response ", action.text));
  bool ok;
  if (action.text == "set-header") {
    out->response_action = HttpResponseAction::kSetHeader;
    ok = ParseHeaderNameValue(c, true, out);
  } else if (action.text == "del-header") {
    out->response_action = HttpResponseAction::kDelHeader;
    ok = ParseHeaderNameValue(c, false, out);
  } else if (IsKnownHaproxyHttpAction(ActionBase(action.text))) {
    return c.FailAt(action, NotSupported(absl::StrCat("'http-response ", ActionBase(action.text), "'")));
  } else {
    return c.FailAt(action, absl::StrCat("unknown action '", action.text, "'", DidYouMean(action.text, kActions)));
  }
  return ok && ParseOptionalCondition(c, &out->condition);
}

}  // namespace tender::config
