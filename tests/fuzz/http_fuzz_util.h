// Shared by the HTTP fuzz targets: a parsed head written back as bytes.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "proxy/http/http1.h"

namespace tender::http {

// `start_line`, then every field as "name: value", then the empty line.
inline std::string Reserialize(absl::string_view start_line, const HeaderField* fields, int count) {
  std::string out(start_line);
  out += "\r\n";
  for (int i = 0; i < count; ++i) {
    out.append(fields[i].name.data(), fields[i].name.size());
    out += ": ";
    out.append(fields[i].value.data(), fields[i].value.size());
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace tender::http
