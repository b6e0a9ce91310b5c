// Responses tender writes itself: HAProxy's error statuses with short HTML bodies (or the
// operator's `errorfile`), redirects, `http-request return`, the monitor-uri answer.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace tender::http {

// "Bad Request" for 400, ... "" for a code without a standard phrase.
absl::string_view ReasonPhrase(int status);

// The complete default response for an error status (closes the connection); built once
// per process, so answering an error allocates nothing.
const std::string& DefaultErrorPage(int status);

// Appends a complete response with a body to `out`; `close` adds "connection: close".
// `extra_headers` is zero or more complete header lines, each ending with CRLF.
void AppendResponse(std::string* out, int status, absl::string_view content_type, absl::string_view body,
                    absl::string_view extra_headers, bool close);

}  // namespace tender::http
