#include "tests/consul/consul_standin.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

std::string UrlDecode(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      if (absl::SimpleHexAtoi(s.substr(i + 1, 2), &v)) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Response(int status, const std::string& reason, const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::string& body) {
  std::string out = absl::StrCat("HTTP/1.1 ", status, " ", reason, "\r\n");
  for (const auto& [k, v] : headers) absl::StrAppend(&out, k, ": ", v, "\r\n");
  absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
  return out;
}

// Consul's wait: a number with a unit (ns, us, ms, s, m, h); bare numbers are rejected.
bool ParseWait(const std::string& text, std::chrono::milliseconds* out) {
  static const std::regex re("^([0-9]+)(ms|s|m|h)$");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return false;
  long n = std::stol(m[1]);
  std::string unit = m[2];
  *out = std::chrono::milliseconds(unit == "ms" ? n : unit == "s" ? n * 1000 : unit == "m" ? n * 60000 : n * 3600000);
  if (*out > std::chrono::minutes(10)) *out = std::chrono::minutes(10);  // Consul's cap
  return true;
}

}  // namespace

ConsulStandIn::ConsulStandIn() { Listen(); }

ConsulStandIn::~ConsulStandIn() {
  stopping_ = true;
  StopListening();
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed_.notify_all();
  }
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void ConsulStandIn::Listen() {
  int fd = ListenLoopback(port_, 64, &port_);
  listen_fd_ = fd;
  acceptor_ = std::thread([this, fd] { AcceptLoop(fd); });
}

void ConsulStandIn::StopListening() {
  int fd = listen_fd_.exchange(-1);
  if (fd < 0) return;
  shutdown(fd, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  close(fd);
}

void ConsulStandIn::AcceptLoop(int fd) {
  for (;;) {
    int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, c] { Serve(c); });
  }
}

void ConsulStandIn::Serve(int fd) {
  std::string raw;
  char buf[4096];
  while (raw.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
      close(fd);
      return;
    }
    raw.append(buf, n);
  }
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, raw.find("\r\n\r\n")), "\r\n");
  std::vector<std::string> request_line = absl::StrSplit(lines[0], ' ');
  std::map<std::string, std::string> headers;
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon != std::string::npos) {
      headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
  }
  std::string response = request_line.size() >= 2 ? Handle(request_line[0], request_line[1], headers)
                                                   : Response(400, "Bad Request", {}, "bad request\n");
  int delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    delay = delay_ms_;
  }
  if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));  // the injected slowness
  send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  close(fd);
}

std::string ConsulStandIn::HealthBody(const std::string& service, bool passing, const std::vector<std::string>& tags,
                                      const std::string& filter, bool* filter_ok) {
  // The subset of Consul's filter language the tests use.
  static const std::regex meta_eq(R"re(^\s*Service\.Meta\.(\w+)\s*==\s*"([^"]*)"\s*$)re");
  static const std::regex tag_in(R"re(^\s*"([^"]*)"\s+in\s+Service\.Tags\s*$)re");
  std::smatch fm;
  std::string meta_key, meta_value, tag_value;
  *filter_ok = true;
  if (!filter.empty()) {
    if (std::regex_match(filter, fm, meta_eq)) {
      meta_key = fm[1];
      meta_value = fm[2];
    } else if (std::regex_match(filter, fm, tag_in)) {
      tag_value = fm[1];
    } else {
      *filter_ok = false;
      return "";
    }
  }
  std::vector<std::string> entries;
  // Consul sorts by node name, then service ID.
  for (const auto& [key, i] : instances_) {
    if (i.service != service) continue;
    bool has_tags = true;
    for (const std::string& t : tags) has_tags &= std::find(i.tags.begin(), i.tags.end(), t) != i.tags.end();
    if (!has_tags) continue;
    std::string status = i.maintenance ? "critical" : i.status;
    if (passing && status != "passing") continue;
    if (!meta_key.empty() && (!i.meta.count(meta_key) || i.meta.at(meta_key) != meta_value)) continue;
    if (!tag_value.empty() && std::find(i.tags.begin(), i.tags.end(), tag_value) == i.tags.end()) continue;
    std::vector<std::string> tag_json, meta_json, checks;
    for (const std::string& t : i.tags) tag_json.push_back(Quote(t));
    for (const auto& [k, v] : i.meta) meta_json.push_back(absl::StrCat(Quote(k), ":", Quote(v)));
    checks.push_back(absl::StrCat(R"({"Node":)", Quote(i.node),
                                  R"(,"CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","ServiceID":"","ServiceName":""})"));
    checks.push_back(absl::StrCat(R"({"Node":)", Quote(i.node), R"(,"CheckID":)", Quote("service:" + i.id),
                                  R"(,"Name":"Service check","Status":)", Quote(i.status), R"(,"ServiceID":)", Quote(i.id),
                                  R"(,"ServiceName":)", Quote(i.service), "}"));
    if (i.maintenance) {
      checks.push_back(absl::StrCat(R"({"Node":)", Quote(i.node), R"(,"CheckID":)", Quote("_service_maintenance:" + i.id),
                                    R"(,"Name":"Service Maintenance Mode","Status":"critical","ServiceID":)", Quote(i.id), "}"));
    }
    std::string port = i.port ? absl::StrCat(R"(,"Port":)", i.port) : "";  // omitted when 0
    std::string meta = meta_json.empty() ? "null" : "{" + absl::StrJoin(meta_json, ",") + "}";
    entries.push_back(absl::StrCat(
        R"({"Node":{"ID":"00000000-0000-0000-0000-000000000000","Node":)", Quote(i.node), R"(,"Address":)",
        Quote(i.node_address), R"(,"Datacenter":"dc1","TaggedAddresses":null,"Meta":null,"CreateIndex":5,"ModifyIndex":5},)",
        R"("Service":{"ID":)", Quote(i.id), R"(,"Service":)", Quote(i.service), R"(,"Tags":[)",
        absl::StrJoin(tag_json, ","), R"(],"Address":)", Quote(i.address), R"(,"Meta":)", meta, port,
        R"(,"Weights":{"Passing":)", i.weight_passing, R"(,"Warning":)", i.weight_warning,
        R"(},"EnableTagOverride":false,"CreateIndex":7,"ModifyIndex":7},"Checks":[)", absl::StrJoin(checks, ","), "]}"));
  }
  return "[" + absl::StrJoin(entries, ",") + "]";
}

std::string ConsulStandIn::Handle(const std::string& method, const std::string& target,
                                  const std::map<std::string, std::string>& headers) {
  std::string path = target.substr(0, target.find('?'));
  std::map<std::string, std::vector<std::string>> query;
  if (target.find('?') != std::string::npos) {
    for (absl::string_view kv : absl::StrSplit(target.substr(target.find('?') + 1), '&')) {
      size_t eq = kv.find('=');
      query[UrlDecode(kv.substr(0, eq))].push_back(eq == absl::string_view::npos ? "" : UrlDecode(kv.substr(eq + 1)));
    }
  }
  auto first = [&](const std::string& k) { return query.count(k) ? query[k][0] : std::string(); };
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(absl::StrCat(method, " ", target));
  auto token_it = headers.find("x-consul-token");
  std::string token = token_it == headers.end() ? "" : token_it->second;
  seen_tokens_.push_back(token);
  if (method != "GET") return Response(405, "Method Not Allowed", {}, "method not allowed\n");
  bool health = absl::StartsWith(path, "/v1/health/service/");
  if (!health && path != "/v1/catalog/services") return Response(404, "Not Found", {}, "404 page not found\n");
  if (health) ++health_requests_;

  std::chrono::milliseconds wait(5 * 60 * 1000);
  if (query.count("wait") && !ParseWait(first("wait"), &wait)) {
    return Response(400, "Bad Request", {}, absl::StrCat("Invalid wait time: \"", first("wait"), "\"\n"));
  }
  if (!tokens_.empty() && !tokens_.count(token)) return Response(403, "Forbidden", {}, "ACL not found\n");
  if (health && fail_next_ > 0) {
    --fail_next_;
    return Response(fail_status_, fail_status_ == 500 ? "Internal Server Error" : "Error", {}, fail_body_);
  }
  uint64_t client_index = 0;
  if (query.count("index")) absl::SimpleAtoi(first("index"), &client_index);
  if (client_index > 0) {
    // Block until the index moves past the client's, or the wait (plus up to wait/16 of
    // jitter) runs out. A client index above ours waits out the whole wait.
    std::mt19937 rng(client_index);
    auto jitter = std::chrono::milliseconds(wait.count() / 16 > 0 ? rng() % (wait.count() / 16 + 1) : 0);
    auto deadline = std::chrono::steady_clock::now() + wait + jitter;
    uint64_t start_index = index_;
    changed_.wait_until(lock, deadline, [&] {
      return stopping_.load() || (client_index < index_ && index_ != start_index) ||
             (client_index < start_index) || (index_ < start_index);
    });
  }
  // ACLs are evaluated when the answer is made (the tokens may have changed while blocked).
  if (!tokens_.empty() && !tokens_.count(token)) return Response(403, "Forbidden", {}, "ACL not found\n");
  std::vector<std::pair<std::string, std::string>> out_headers = {
      {"Content-Type", "application/json"},
      {"Vary", "Accept-Encoding"},
      {"X-Consul-Default-Acl-Policy", "allow"},
      {"X-Consul-Effective-Consistency", "leader"},
      {"X-Consul-Index", absl::StrCat(index_)},
      {"X-Consul-Knownleader", "true"},
      {"X-Consul-Lastcontact", "0"}};
  if (path == "/v1/catalog/services") {
    std::map<std::string, std::set<std::string>> services;
    for (const auto& [k, i] : instances_) services[i.service].insert(i.tags.begin(), i.tags.end());
    std::vector<std::string> parts;
    for (const auto& [s, tags] : services) {
      std::vector<std::string> t;
      for (const std::string& x : tags) t.push_back(Quote(x));
      parts.push_back(absl::StrCat(Quote(s), ":[", absl::StrJoin(t, ","), "]"));
    }
    return Response(200, "OK", out_headers, "{" + absl::StrJoin(parts, ",") + "}");
  }
  std::string service = UrlDecode(path.substr(strlen("/v1/health/service/")));
  if (malformed_) return Response(200, "OK", out_headers, "[{\"Node\": {\"Node\": ");
  if (!tokens_.empty()) {
    const std::set<std::string>& readable = tokens_.at(token);
    if (!readable.count("*") && !readable.count(service)) {
      out_headers.push_back({"X-Consul-Results-Filtered-By-Acls", "true"});
      return Response(200, "OK", out_headers, "[]");
    }
  }
  bool filter_ok = true;
  std::string body = HealthBody(service, query.count("passing") > 0 && first("passing") != "false",
                                query.count("tag") ? query["tag"] : std::vector<std::string>{}, first("filter"), &filter_ok);
  if (!filter_ok) {
    return Response(500, "Internal Server Error", {},
                    absl::StrCat("Failed to create boolexpr evaluator for expression \"", first("filter"), "\": syntax error\n"));
  }
  return Response(200, "OK", out_headers, body);
}

void ConsulStandIn::Bump() {
  ++index_;
  changed_.notify_all();
}

void ConsulStandIn::Register(const ConsulInstance& instance) {
  std::lock_guard<std::mutex> lock(mu_);
  instances_[instance.node + "/" + instance.id] = instance;
  Bump();
}

void ConsulStandIn::Deregister(const std::string& node, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  instances_.erase(node + "/" + id);
  Bump();
}

void ConsulStandIn::AddToken(const std::string& token, std::set<std::string> services) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_[token] = std::move(services);
}

void ConsulStandIn::FailNext(int n, int status, const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = n;
  fail_status_ = status;
  fail_body_ = body;
}

void ConsulStandIn::SetMalformed(bool malformed) {
  std::lock_guard<std::mutex> lock(mu_);
  malformed_ = malformed;
  Bump();
}

void ConsulStandIn::SetDelay(int ms) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_ms_ = ms;
}

void ConsulStandIn::ResetIndex(uint64_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  index_ = index;
  changed_.notify_all();
}

uint64_t ConsulStandIn::index() {
  std::lock_guard<std::mutex> lock(mu_);
  return index_;
}

int ConsulStandIn::health_requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return health_requests_;
}

std::vector<std::string> ConsulStandIn::requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<std::string> ConsulStandIn::tokens() {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_tokens_;
}

}  // namespace tender::testing
