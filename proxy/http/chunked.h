// Framing of a chunked body (RFC 9112 section 7.1), tracked while the bytes are forwarded
// unchanged: the decoder says where the message ends and rejects what would let two
// parties disagree on it (bad sizes, overflow, a missing CRLF after the data, bare LF,
// unbounded extensions or trailers). It holds a few integers and never buffers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace tender::http {

class ChunkedDecoder {
 public:
  enum class Result { kNeedMore, kDone, kError };

  // Bounds on the non-data parts; each chunk line and the whole trailer section.
  static constexpr size_t kMaxChunkLine = 4096;
  static constexpr size_t kMaxTrailers = 16384;

  // Consumes bytes of `data` and sets *used to how many belong to the body; stops at the
  // end of the message (kDone, *used may be < data.size(): what follows is the next
  // message) or at the first framing error (kError; `error()` says why).
  Result Feed(absl::string_view data, size_t* used);
  const char* error() const { return error_; }
  bool done() const { return state_ == State::kDone; }
  // Payload bytes still expected in the current chunk (for forwarding large chunks fast).
  uint64_t data_remaining() const { return state_ == State::kData ? remaining_ : 0; }
  void Reset() { *this = ChunkedDecoder(); }

 private:
  enum class State {
    kSize,         // hex digits of the chunk size
    kExtension,    // after ';' up to CR
    kSizeLf,       // CR seen after the size line
    kData,         // `remaining_` payload bytes
    kDataCr,       // CR expected after the payload
    kDataLf,       // LF expected after the payload
    kTrailerLineStart,  // after the last chunk: a trailer field or the final CRLF
    kTrailerLine,  // inside a trailer field
    kTrailerLf,    // CR seen at the end of a trailer field
    kFinalLf,      // CR seen at the start of a line: the final LF
    kDone,
    kError,
  };
  Result Fail(const char* why) {
    state_ = State::kError;
    error_ = why;
    return Result::kError;
  }

  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  int size_digits_ = 0;
  size_t line_length_ = 0;
  size_t trailer_bytes_ = 0;
  bool last_chunk_ = false;
  bool after_size_whitespace_ = false;
  const char* error_ = "";
};

}  // namespace tender::http
