#include "proxy/http/chunked.h"

namespace tender::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsControl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

}  // namespace

ChunkedDecoder::Result ChunkedDecoder::Feed(absl::string_view data, size_t* used) {
  size_t i = 0;
  while (i < data.size()) {
    char c = data[i];
    switch (state_) {
      case State::kSize: {
        if (++line_length_ > kMaxChunkLine) return Fail("chunk size line too long");
        int v = HexValue(c);
        if (v >= 0 && !after_size_whitespace_) {
          // 15 hex digits keep the size below 2^60: no overflow, and far beyond any body.
          if (++size_digits_ > 15) return Fail("chunk size overflow");
          remaining_ = remaining_ * 16 + v;
          ++i;
          break;
        }
        if (size_digits_ == 0) return Fail("invalid chunk size");
        if (c == ' ' || c == '\t') {
          after_size_whitespace_ = true;  // BWS before ';' only
          ++i;
          break;
        }
        if (c == ';') {
          state_ = State::kExtension;
          ++i;
          break;
        }
        if (c == '\r' && !after_size_whitespace_) {
          state_ = State::kSizeLf;
          ++i;
          break;
        }
        return Fail("invalid chunk size");
      }
      case State::kExtension:
        if (++line_length_ > kMaxChunkLine) return Fail("chunk extension too long");
        if (c == '\r') state_ = State::kSizeLf;
        else if (IsControl(c)) return Fail("invalid character in a chunk extension");
        ++i;
        break;
      case State::kSizeLf:
        if (c != '\n') return Fail("chunk size line not ended by CRLF");
        ++i;
        line_length_ = 0;
        size_digits_ = 0;
        after_size_whitespace_ = false;
        if (remaining_ == 0) {
          last_chunk_ = true;
          state_ = State::kTrailerLineStart;
        } else {
          state_ = State::kData;
        }
        break;
      case State::kData: {
        size_t n = data.size() - i;
        if (n > remaining_) n = remaining_;
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (c != '\r') return Fail("chunk data not followed by CRLF");
        state_ = State::kDataLf;
        ++i;
        break;
      case State::kDataLf:
        if (c != '\n') return Fail("chunk data not followed by CRLF");
        state_ = State::kSize;
        ++i;
        break;
      case State::kTrailerLineStart:
        if (c == '\r') {
          state_ = State::kFinalLf;
          ++i;
          break;
        }
        if (c == ' ' || c == '\t') return Fail("obsolete line folding in trailers");
        state_ = State::kTrailerLine;
        line_length_ = 0;
        break;
      case State::kTrailerLine:
        if (++trailer_bytes_ > kMaxTrailers) return Fail("trailers too large");
        if (c == '\r') state_ = State::kTrailerLf;
        else if (c == '\n' || IsControl(c)) return Fail("invalid character in trailers");
        ++i;
        break;
      case State::kTrailerLf:
        if (c != '\n') return Fail("trailer line not ended by CRLF");
        state_ = State::kTrailerLineStart;
        ++i;
        break;
      case State::kFinalLf:
        if (c != '\n') return Fail("chunked body not ended by CRLF");
        ++i;
        state_ = State::kDone;
        *used = i;
        return Result::kDone;
      case State::kDone:
        *used = i;
        return Result::kDone;
      case State::kError:
        *used = i;
        return Result::kError;
    }
  }
  *used = i;
  if (state_ == State::kDone) return Result::kDone;
  return Result::kNeedMore;
}

}  // namespace tender::http
