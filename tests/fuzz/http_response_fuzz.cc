// Fuzzes the HTTP/1 response head parser. The first byte chooses the request method the
// response answers (HEAD, CONNECT or another). Invariants: split-independent head end;
// a parsed response re-serialises to one that parses the same; framing rules: no body for
// HEAD, 1xx, 204 and 304; a tunnel only for 101 or a 2xx to CONNECT; never both
// Content-Length and chunked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proxy/http/http1.h"
#include "tests/fuzz/http_fuzz_util.h"

namespace {

using namespace tender::http;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  bool head = data[0] % 3 == 1, connect = data[0] % 3 == 2;
  absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t scanned = 0, length = 0;
  ParseError e;
  if (FindHeadEnd(input, &scanned, &length, &e) != HeadStatus::kComplete) return 0;
  size_t scanned2 = 0, length2 = 0;
  HeadStatus split = HeadStatus::kIncomplete;
  for (size_t have = 1; have <= input.size() && split == HeadStatus::kIncomplete; ++have) {
    split = FindHeadEnd(input.substr(0, have), &scanned2, &length2, &e);
  }
  Check(split == HeadStatus::kComplete && length2 == length);
  static HeaderField fields[101], fields2[101];
  ResponseHead r;
  if (ParseResponseHead(input.substr(0, length), Limits(), head, connect, fields, &r, &e) != HeadStatus::kComplete) {
    Check(e.status == 502);
    return 0;
  }
  Check(r.status >= 100 && r.status <= 599);
  if (head || r.Interim() || r.status == 204 || r.status == 304) Check(r.framing == Framing::kNone || r.framing == Framing::kTunnel);
  if (r.framing == Framing::kTunnel) Check(r.status == 101 || (connect && r.status / 100 == 2));
  if (r.framing == Framing::kChunked) Check(FindField(r.fields, r.field_count, "content-length") == nullptr);
  std::string again = Reserialize(r.status_line, r.fields, r.field_count);
  ResponseHead r2;
  Check(ParseResponseHead(again, Limits(), head, connect, fields2, &r2, &e) == HeadStatus::kComplete);
  Check(r2.status == r.status && r2.framing == r.framing && r2.content_length == r.content_length &&
        r2.field_count == r.field_count && r2.version_minor == r.version_minor);
  return 0;
}
