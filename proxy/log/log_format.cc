#include "proxy/log/log_format.h"

#include <cstdio>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"

namespace tender {
namespace {

// Appends to a fixed buffer, truncating at its end.
struct Out {
  char* data;
  size_t capacity;
  size_t used = 0;
  void Add(const char* s, size_t n) {
    if (used + 1 >= capacity) return;
    n = std::min(n, capacity - 1 - used);
    memcpy(data + used, s, n);
    used += n;
  }
  void Add(absl::string_view s) { Add(s.data(), s.size()); }
  void Int(long long v) {
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", v);
    Add(buf, n);
  }
};

}  // namespace

absl::StatusOr<LogFormat> LogFormat::Compile(const std::string& text) {
  static const auto* kVars = new std::map<std::string, Var>{
      {"ci", Var::kClientIp},      {"cp", Var::kClientPort},    {"ft", Var::kFrontend},     {"f", Var::kFrontend},
      {"b", Var::kBackend},        {"s", Var::kServer},         {"ST", Var::kStatus},       {"B", Var::kBytes},
      {"Tt", Var::kTotal},         {"Ta", Var::kActive},        {"TR", Var::kRequestTime},  {"Tw", Var::kQueueTime},
      {"Tc", Var::kConnectTime},   {"Tr", Var::kResponseTime},  {"tr", Var::kDate},         {"t", Var::kDate},
      {"r", Var::kRequestLine},    {"HM", Var::kMethod},        {"HU", Var::kUri},          {"HV", Var::kVersion},
      {"ts", Var::kTermination2},  {"tsc", Var::kTermination4}, {"ac", Var::kActProcess},   {"fc", Var::kActFrontend},
      {"bc", Var::kActBackend},    {"sc", Var::kActServer},     {"rc", Var::kRetries},      {"sq", Var::kServerQueue},
      {"bq", Var::kBackendQueue}};
  LogFormat f;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    Part p;
    p.literal = literal;
    f.parts_.push_back(p);
    literal.clear();
  };
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '%') {
      literal += text[i++];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '%') {
      literal += '%';
      i += 2;
      continue;
    }
    ++i;
    bool quote = false;
    if (i < text.size() && text[i] == '{') {
      size_t close = text.find('}', i);
      if (close == std::string::npos) return absl::InvalidArgumentError("log-format: unclosed '%{'");
      std::string flags = text.substr(i + 1, close - i - 1);
      if (flags != "+Q") return absl::UnimplementedError(absl::StrCat("log-format: flags '%{", flags, "}' are not supported (only %{+Q})"));
      quote = true;
      i = close + 1;
    }
    if (i < text.size() && text[i] == '[') {
      return absl::UnimplementedError("log-format: sample expressions (%[...]) are not implemented by tender yet");
    }
    size_t start = i;
    while (i < text.size() && isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string name = text.substr(start, i - start);
    // The longest known variable that prefixes the letters ("%Tt" before "%T").
    auto it = kVars->end();
    size_t len = name.size();
    for (; len > 0; --len) {
      it = kVars->find(name.substr(0, len));
      if (it != kVars->end()) break;
    }
    if (len == 0) return absl::InvalidArgumentError(absl::StrCat("log-format: unknown variable '%", name, "'"));
    i = start + len;
    flush();
    Part p;
    p.var = it->second;
    p.quote = quote;
    f.parts_.push_back(p);
  }
  flush();
  return f;
}

size_t LogFormat::Format(const HttpLogRecord& r, char* data, size_t capacity) const {
  Out out{data, capacity};
  absl::string_view line(r.request_line, r.request_line_length);
  auto word = [&](int index) {
    absl::string_view rest = line;
    for (int k = 0; k < index; ++k) {
      size_t sp = rest.find(' ');
      if (sp == absl::string_view::npos) return absl::string_view();
      rest.remove_prefix(sp + 1);
    }
    return rest.substr(0, rest.find(' '));
  };
  for (const Part& p : parts_) {
    if (p.quote) out.Add("\"");
    switch (p.var) {
      case Var::kLiteral: out.Add(p.literal); break;
      case Var::kClientIp: {
        char host[64];
        FormatHost(*r.client, host, sizeof(host));
        out.Add(host, strlen(host));
        break;
      }
      case Var::kClientPort: out.Int(r.client->port()); break;
      case Var::kFrontend: out.Add(*r.frontend); break;
      case Var::kBackend: out.Add(r.backend->empty() ? *r.frontend : *r.backend); break;
      case Var::kServer: out.Add(r.server->empty() ? absl::string_view("<NOSRV>") : absl::string_view(*r.server)); break;
      case Var::kStatus: out.Int(r.status); break;
      case Var::kBytes: out.Int(static_cast<long long>(r.bytes_to_client)); break;
      case Var::kTotal:
      case Var::kActive: out.Int(r.active_ms); break;
      case Var::kRequestTime: out.Int(r.request_ms); break;
      case Var::kQueueTime: out.Int(r.queue_ms); break;
      case Var::kConnectTime: out.Int(r.connect_ms); break;
      case Var::kResponseTime: out.Int(r.response_ms); break;
      case Var::kDate: {
        char date[48];
        FormatLogDate(r.request_unix_ms, date, sizeof(date));
        out.Add(date, strlen(date));
        break;
      }
      case Var::kRequestLine: out.Add(line); break;
      case Var::kMethod: out.Add(word(0)); break;
      case Var::kUri: out.Add(word(1)); break;
      case Var::kVersion: out.Add(word(2)); break;
      case Var::kTermination2: out.Add(r.termination, 2); break;
      case Var::kTermination4: out.Add(r.termination, 4); break;
      case Var::kActProcess: out.Int(r.active_process); break;
      case Var::kActFrontend: out.Int(r.active_frontend); break;
      case Var::kActBackend: out.Int(r.active_backend); break;
      case Var::kActServer: out.Int(r.active_server); break;
      case Var::kRetries:
        if (r.redispatched) out.Add("+");
        out.Int(r.retries);
        break;
      case Var::kServerQueue: out.Int(r.server_queue); break;
      case Var::kBackendQueue: out.Int(r.backend_queue); break;
    }
    if (p.quote) out.Add("\"");
  }
  data[out.used] = '\0';
  return out.used;
}

}  // namespace tender
