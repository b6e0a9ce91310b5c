#include "proxy/http/responses.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace tender::http {

absl::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Time-out";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 421: return "Misdirected Request";
    case 425: return "Too Early";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Time-out";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

namespace {

absl::string_view Explanation(int status) {
  switch (status) {
    case 400: return "The request could not be understood.";
    case 403: return "Access to this resource is not allowed.";
    case 404: return "The requested resource does not exist.";
    case 408: return "The request did not arrive in time.";
    case 413: return "The request body is larger than allowed.";
    case 414: return "The request target is too long.";
    case 421: return "This server does not serve the requested host.";
    case 429: return "Too many requests were sent; retry later.";
    case 431: return "The request's header section is too large.";
    case 500: return "The proxy met an internal error.";
    case 501: return "The request uses a feature that is not implemented.";
    case 502: return "The server sent an invalid or incomplete response.";
    case 503: return "No server is available to handle this request.";
    case 504: return "The server did not answer in time.";
    case 505: return "This HTTP version is not supported.";
    default: return "";
  }
}

}  // namespace

void AppendResponse(std::string* out, int status, absl::string_view content_type, absl::string_view body,
                    absl::string_view extra_headers, bool close) {
  absl::StrAppend(out, "HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\ncontent-length: ", body.size(), "\r\n");
  if (!content_type.empty()) absl::StrAppend(out, "content-type: ", content_type, "\r\n");
  absl::StrAppend(out, extra_headers);
  if (close) absl::StrAppend(out, "connection: close\r\n");
  absl::StrAppend(out, "\r\n", body);
}

const std::string& DefaultErrorPage(int status) {
  static const auto* pages = [] {
    auto* m = new std::map<int, std::string>;
    for (int code = 200; code <= 599; ++code) {
      if (ReasonPhrase(code).empty()) continue;
      std::string body = absl::StrCat("<html><body><h1>", code, " ", ReasonPhrase(code), "</h1>\n",
                                      Explanation(code), "\n</body></html>\n");
      AppendResponse(&(*m)[code], code, "text/html", body, "cache-control: no-cache\r\n", /*close=*/true);
    }
    return m;
  }();
  auto it = pages->find(status);
  return it != pages->end() ? it->second : pages->at(500);
}

}  // namespace tender::http
