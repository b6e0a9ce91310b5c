#include "discovery/consul/consul_catalog.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "discovery/consul/consul_json.h"
#include "proxy/common/log.h"

namespace tender::discovery {

ConsulCatalog::ConsulCatalog(ConsulAgent agent) : agent_(std::move(agent)) { pipe2(stop_pipe_, O_CLOEXEC); }

ConsulCatalog::~ConsulCatalog() {
  Stop();
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

void ConsulCatalog::Watch(const WatchKey& key, UpdateCallback on_update) {
  auto& w = watches_[key.ToString()];
  if (!w) {
    w = std::make_unique<WatchState>();
    w->key = key;
  }
  w->callbacks.push_back(std::move(on_update));
}

void ConsulCatalog::Start() {
  for (auto& [name, w] : watches_) {
    WatchState* raw = w.get();
    w->thread = std::thread([this, raw] { Loop(raw); });
  }
}

void ConsulCatalog::Stop() {
  if (stopping_.exchange(true)) return;
  ssize_t unused = write(stop_pipe_[1], "x", 1);
  (void)unused;
  for (auto& [name, w] : watches_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

bool ConsulCatalog::Sleep(absl::Duration d) {
  pollfd p = {stop_pipe_[0], POLLIN, 0};
  poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(d)));
  return !stopping_.load();
}

std::string ConsulCatalog::QueryPath(const WatchKey& key, uint64_t index) const {
  std::string path = absl::StrCat("/v1/health/service/", UrlEncode(key.service), "?index=", index,
                                  "&wait=", absl::ToInt64Seconds(agent_.wait), "s");
  if (key.passing_only) path += "&passing=true";
  for (const std::string& tag : key.tags) absl::StrAppend(&path, "&tag=", UrlEncode(tag));
  std::string dc = key.datacenter.empty() ? agent_.datacenter : key.datacenter;
  if (!dc.empty()) absl::StrAppend(&path, "&dc=", UrlEncode(dc));
  if (!key.filter.empty()) absl::StrAppend(&path, "&filter=", UrlEncode(key.filter));
  if (!key.ns.empty()) absl::StrAppend(&path, "&ns=", UrlEncode(key.ns));
  if (key.cached) path += "&cached";
  return path;
}

void ConsulCatalog::Loop(WatchState* w) {
  std::mt19937_64 rng(std::hash<std::string>()(w->key.ToString()));
  uint64_t index = 0;
  absl::Duration backoff = absl::ZeroDuration();
  std::string last_error;  // "" while healthy
  bool delivered = false;
  std::vector<Endpoint> last;
  bool warned_acl_filter = false;
  std::map<std::string, std::string> headers;
  if (!agent_.token.empty()) headers["X-Consul-Token"] = agent_.token;
  // Consul adds up to wait/16 of jitter to a blocking query; allow for it and for the trip.
  absl::Duration timeout = agent_.wait + agent_.wait / 16 + absl::Seconds(5);
  // Rate limit: a bucket of 10 queries refilled at 100 per second. A single change is
  // never delayed; a catalog that churns without pause costs Consul at most 100 queries/s.
  double tokens = 10;
  absl::Time refilled = absl::Now();
  auto deliver = [&](const CatalogUpdate& u) {
    for (const UpdateCallback& cb : w->callbacks) cb(u);
  };
  while (!stopping_.load()) {
    absl::Time now = absl::Now();
    tokens = std::min(10.0, tokens + absl::ToDoubleSeconds(now - refilled) * 100);
    refilled = now;
    if (tokens < 1) {
      if (!Sleep(absl::Milliseconds(10))) break;
      continue;
    }
    tokens -= 1;
    auto response = HttpGet(agent_.target, QueryPath(w->key, index), headers, timeout, stop_pipe_[0]);
    if (stopping_.load()) break;
    std::string error;
    std::vector<Endpoint> endpoints;
    uint64_t new_index = 0;
    if (!response.ok()) {
      error = std::string(response.status().message());
    } else if (response->status != 200) {
      std::string body = response->body.substr(0, 200);
      while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
      error = absl::StrCat("HTTP ", response->status, ": ", body);
    } else {
      auto decoded = DecodeHealthService(response->body);
      if (!decoded.ok()) error = std::string(decoded.status().message());
      else endpoints = std::move(*decoded);
      auto it = response->headers.find("x-consul-index");
      if (it == response->headers.end() || !absl::SimpleAtoi(it->second, &new_index)) new_index = 0;
      auto filtered = response->headers.find("x-consul-results-filtered-by-acls");
      if (filtered != response->headers.end() && filtered->second == "true" && !warned_acl_filter) {
        warned_acl_filter = true;
        TENDER_LOG(kWarning, "discovery: Consul's ACLs hide some instances of '", w->key.service,
                   "' from tender's token (X-Consul-Results-Filtered-By-ACLs)");
      }
    }
    if (!error.empty()) {
      if (error != last_error) {
        last_error = error;
        deliver(absl::UnavailableError(error));
        // Logged after delivery: whoever reads the line finds the error already counted.
        TENDER_LOG(kWarning, "discovery: Consul query for '", w->key.service, "' failed: ", error,
                   "; keeping the last good pool");
      }
      backoff = std::min(absl::Seconds(30), std::max(absl::Seconds(1), backoff * 2));
      std::uniform_int_distribution<int64_t> jitter(0, absl::ToInt64Milliseconds(backoff) / 2);
      if (!Sleep(backoff + absl::Milliseconds(jitter(rng)))) break;
      continue;
    }
    backoff = absl::ZeroDuration();
    bool recovered = !last_error.empty();
    if (recovered) TENDER_LOG(kInfo, "discovery: Consul query for '", w->key.service, "' works again");
    last_error.clear();
    // Consul's rules: an index that goes backwards starts over at 0; never block on 0.
    uint64_t previous = index;
    if (new_index < previous) index = 0;
    else index = new_index == 0 ? 1 : new_index;
    // An unchanged index normally means nothing changed (a timeout or spurious wake-up),
    // but an index can also go back and forth across a Consul restart: the content decides.
    if (delivered && endpoints == last && !recovered) continue;
    last = endpoints;
    delivered = true;
    deliver(endpoints);
  }
}

}  // namespace tender::discovery
