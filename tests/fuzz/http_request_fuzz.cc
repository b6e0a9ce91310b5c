// Fuzzes the HTTP/1 request head parser and the chunked body decoder. Invariants:
// - the verdict of FindHeadEnd does not depend on how the bytes are split;
// - a parsed request re-serialises (request line, fields, empty line) to bytes that parse
//   to the same request: same method, target, version, fields and framing;
// - framing is never ambiguous: chunked framing means no Content-Length field was accepted;
// - the chunked decoder gives the same verdict and length fed at once or byte by byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proxy/http/chunked.h"
#include "proxy/http/http1.h"
#include "tests/fuzz/http_fuzz_util.h"

namespace {

using namespace tender::http;

void Check(bool ok) {
  if (!ok) std::abort();
}

HeadStatus FindAll(absl::string_view data, size_t step, size_t* length, ParseError* e) {
  size_t scanned = 0;
  HeadStatus s = HeadStatus::kIncomplete;
  for (size_t have = std::min(step, data.size());; have = std::min(data.size(), have + step)) {
    s = FindHeadEnd(data.substr(0, have), &scanned, length, e);
    if (s != HeadStatus::kIncomplete || have == data.size()) return s;
  }
}

void CheckChunked(absl::string_view body) {
  ChunkedDecoder whole, bytewise;
  size_t used_whole = 0;
  auto r_whole = whole.Feed(body, &used_whole);
  size_t pos = 0;
  auto r_bytes = ChunkedDecoder::Result::kNeedMore;
  while (pos < body.size()) {
    size_t used = 0;
    r_bytes = bytewise.Feed(body.substr(pos, 1), &used);
    pos += used;
    if (r_bytes != ChunkedDecoder::Result::kNeedMore || used == 0) break;
  }
  Check(r_whole == r_bytes);
  if (r_whole == ChunkedDecoder::Result::kDone) Check(used_whole == pos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  size_t length_whole = 0, length_split = 0;
  ParseError e1, e2;
  HeadStatus whole = FindAll(input, input.size() + 1, &length_whole, &e1);
  HeadStatus split = FindAll(input, 1 + (size ? data[0] % 7 : 0), &length_split, &e2);
  Check(whole == split);
  if (whole == HeadStatus::kComplete) Check(length_whole == length_split);
  if (whole != HeadStatus::kComplete) return 0;

  static HeaderField fields[101], fields2[101];
  RequestHead r;
  ParseError e;
  if (ParseRequestHead(input.substr(0, length_whole), Limits(), fields, &r, &e) != HeadStatus::kComplete) {
    Check(e.status >= 400 && e.status < 600);
    return 0;
  }
  if (r.framing == Framing::kChunked) Check(FindField(r.fields, r.field_count, "content-length") == nullptr);
  if (r.framing == Framing::kContentLength) {
    Check(FindField(r.fields, r.field_count, "transfer-encoding") == nullptr);
    Check(r.content_length > 0);
  }
  std::string again = Reserialize(r.request_line, r.fields, r.field_count);
  RequestHead r2;
  Check(ParseRequestHead(again, Limits(), fields2, &r2, &e) == HeadStatus::kComplete);
  Check(r2.method == r.method && r2.target == r.target && r2.version_minor == r.version_minor);
  Check(r2.path == r.path && r2.query == r.query && r2.host == r.host);
  Check(r2.framing == r.framing && r2.content_length == r.content_length);
  Check(r2.field_count == r.field_count);
  for (int i = 0; i < r.field_count; ++i) Check(r2.fields[i].name == r.fields[i].name && r2.fields[i].value == r.fields[i].value);
  if (r.framing == Framing::kChunked) CheckChunked(input.substr(length_whole));
  return 0;
}
