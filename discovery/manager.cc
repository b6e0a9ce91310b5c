#include "discovery/manager.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "discovery/consul/consul_catalog.h"
#include "discovery/file/file_catalog.h"
#include "proxy/common/log.h"

namespace tender::discovery {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

absl::StatusOr<std::unique_ptr<Catalog>> MakeCatalog(const config::ConsulConfig& c) {
  std::string where = absl::StrCat(c.where.file, ":", c.where.line, ": consul ", c.name, ": ");
  if (!c.catalog_file.empty()) return std::unique_ptr<Catalog>(new FileCatalog(c.catalog_file));
  ConsulAgent agent;
  agent.wait = c.wait;
  agent.datacenter = c.datacenter;
  // The agent's address: the section, else CONSUL_HTTP_ADDR, else Consul's default.
  std::string address = c.address.empty() ? Env("CONSUL_HTTP_ADDR") : c.address;
  if (address.empty()) address = "127.0.0.1:8500";
  absl::string_view a = address;
  if (absl::ConsumePrefix(&a, "https://")) {
    agent.target.tls = true;
    agent.target.port = 8501;  // Consul's HTTPS port
    // The CA: ca-file, else CONSUL_CACERT, else the system's trusted CAs.
    agent.target.ca_file = c.ca_file.empty() ? Env("CONSUL_CACERT") : c.ca_file;
  }
  absl::ConsumePrefix(&a, "http://");
  if (absl::ConsumePrefix(&a, "unix://") || absl::ConsumePrefix(&a, "unix@")) {
    agent.target.unix_path = std::string(a);
  } else {
    size_t colon = a.rfind(':');
    if (absl::StartsWith(a, "[") && a.rfind(']') > colon) colon = absl::string_view::npos;  // [v6] without port
    agent.target.host = std::string(a.substr(0, colon));
    if (colon != absl::string_view::npos && !absl::SimpleAtoi(a.substr(colon + 1), &agent.target.port)) {
      return absl::InvalidArgumentError(absl::StrCat(where, "bad agent address '", address, "'"));
    }
    if (absl::StartsWith(agent.target.host, "[")) agent.target.host = agent.target.host.substr(1, agent.target.host.size() - 2);
  }
  // The token: token-file, else CONSUL_HTTP_TOKEN, else CONSUL_HTTP_TOKEN_FILE.
  std::string token_file = c.token_file.empty() ? Env("CONSUL_HTTP_TOKEN_FILE") : c.token_file;
  if (!c.token_file.empty() || Env("CONSUL_HTTP_TOKEN").empty()) {
    if (!token_file.empty()) {
      std::ifstream in(token_file);
      if (!in) return absl::NotFoundError(absl::StrCat(where, "cannot read token file '", token_file, "'"));
      std::stringstream ss;
      ss << in.rdbuf();
      agent.token = std::string(absl::StripAsciiWhitespace(ss.str()));
    }
  } else {
    agent.token = Env("CONSUL_HTTP_TOKEN");
  }
  return std::unique_ptr<Catalog>(new ConsulCatalog(std::move(agent)));
}

bool HasTags(const Endpoint& e, const std::vector<std::string>& tags) {
  for (const std::string& t : tags) {
    if (std::find(e.tags.begin(), e.tags.end(), t) == e.tags.end()) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DiscoveryManager>> DiscoveryManager::Create(const config::Config& config,
                                                                         EventLoop* loop, SlotApplier apply,
                                                                         std::function<void()> on_ready) {
  std::unique_ptr<DiscoveryManager> m(new DiscoveryManager(loop, std::move(apply), std::move(on_ready)));
  for (const config::ConsulConfig& c : config.consuls) {
    auto catalog = MakeCatalog(c);
    if (!catalog.ok()) return catalog.status();
    m->catalogs_[c.name] = std::move(*catalog);
  }
  for (const config::ProxyConfig& p : config.proxies) {
    for (const config::ServerTemplateConfig& st : p.server_templates) {
      absl::string_view target = st.target;
      absl::ConsumePrefix(&target, "consul@");
      size_t slash = target.find('/');
      std::string source(target.substr(0, slash)), service(target.substr(slash + 1));
      auto t = std::make_unique<Template>();
      t->manager = m.get();
      t->backend = p.name;
      t->prefix = st.prefix;
      t->port = st.port;
      t->checked = st.params.check;
      t->service = service;
      t->options = st.discovery;
      std::vector<std::string> names;
      for (int i = st.first; i <= st.last; ++i) names.push_back(absl::StrCat(st.prefix, i));
      t->assigner = std::make_unique<SlotAssigner>(names, absl::ToInt64Milliseconds(st.discovery.drain));
      WatchKey key;
      key.service = service;
      key.tags = st.discovery.tags;
      key.passing_only = st.discovery.passing_only;
      key.filter = st.discovery.filter;
      key.datacenter = st.discovery.datacenter;
      key.ns = st.discovery.ns;
      key.cached = st.discovery.cached;
      Template* raw = t.get();
      m->catalogs_.at(source)->Watch(key, [m = m.get(), raw](const CatalogUpdate& u) {
        m->loop_->Post([m, raw, u] { m->OnUpdate(*raw, u); });
      });
      m->templates_.push_back(std::move(t));
    }
  }
  return m;
}

DiscoveryManager::~DiscoveryManager() { Stop(); }

void DiscoveryManager::Start() {
  for (auto& [name, c] : catalogs_) c->Start();
}

void DiscoveryManager::Stop() {
  for (auto& [name, c] : catalogs_) c->Stop();
}

void DiscoveryManager::OnUpdate(Template& t, const CatalogUpdate& update) {
  if (!update.ok()) {  // the catalog logged it; the last good slots stay
    t.errors++;
    t.last_error = std::string(update.status().message());
    return;
  }
  std::vector<Endpoint> usable;
  for (Endpoint e : *update) {
    if (!HasTags(e, t.options.tags)) continue;
    // `passing` takes only instances whose every check passes (as Consul's ?passing does);
    // otherwise a critical instance is kept only for tender's own checks to judge.
    if (t.options.passing_only && (e.critical || e.warning || e.maintenance)) continue;
    if (e.critical && !t.checked) e.maintenance = true;
    if (e.port == 0) e.port = t.port;
    usable.push_back(std::move(e));
  }
  if (usable.empty() && !t.options.on_empty_apply) {
    bool had_any = false;
    for (const Slot& s : t.assigner->slots()) had_any |= s.state != Slot::State::kEmpty;
    if (had_any) {
      // A token that lost service:read gets `[]` with 200 from Consul, not an error.
      t.empty_answers_kept++;
      if (!t.warned_empty) {
        TENDER_LOG(kWarning, "discovery: ", t.backend, "/", t.prefix, ": the catalog answered with no instance; "
                   "keeping the last pool (on-empty keep-last)");
        t.warned_empty = true;
      }
      t.synced = true;
    }
    if (had_any) return;
  }
  t.warned_empty = false;
  bool changed = t.assigner->Update(usable, loop_->now_ms());
  if (t.assigner->overflow() != t.last_overflow) {
    t.last_overflow = t.assigner->overflow();
    if (t.last_overflow > 0) {
      TENDER_LOG(kWarning, "discovery: ", t.backend, "/", t.prefix, ": ", t.last_overflow,
                 " instance(s) found no free slot; raise the server-template's slot count");
    }
  }
  if (changed || !t.synced) Apply(t);
  ArmDrainTimer(t);
  if (!t.synced) {
    t.synced = true;
    bool all = true;
    for (auto& other : templates_) all &= other->synced;
    if (all && !ready_announced_) {
      ready_announced_ = true;
      if (on_ready_) on_ready_();
      TENDER_LOG(kInfo, "discovery: every source has synced");  // after the readiness it announces
    }
  }
}

void DiscoveryManager::Apply(Template& t) {
  std::vector<SlotAssignment> out;
  std::string summary;
  for (const Slot& s : t.assigner->slots()) {
    SlotAssignment a;
    a.slot = s.name;
    if (s.state != Slot::State::kEmpty) {
      a.filled = true;
      a.instance_id = s.endpoint.id;
      a.address = s.endpoint.address;
      a.port = s.endpoint.port;
      a.weight = s.endpoint.weight;
      a.maintenance = s.endpoint.maintenance;
      a.draining = s.state == Slot::State::kDraining;
    }
    absl::StrAppend(&summary, " ", s.name, "=", a.filled ? a.instance_id : "-", a.draining ? "(draining)" : "",
                    a.maintenance ? "(maint)" : "");
    out.push_back(std::move(a));
  }
  apply_(t.backend, t.prefix, out);
  t.changes++;
  // Logged once applied: whoever reads this line finds the change in place.
  TENDER_LOG(kInfo, "discovery: ", t.backend, "/", t.prefix, " slots:", summary);
}

void DiscoveryManager::ArmDrainTimer(Template& t) {
  int64_t next = t.assigner->NextDrainEnd();
  if (next < 0) {
    loop_->Disarm(&t.drain_timer);
  } else {
    loop_->Arm(&t.drain_timer, next);
  }
}

std::vector<TemplateStats> DiscoveryManager::Stats() const {
  std::vector<TemplateStats> out;
  for (const auto& t : templates_) {
    TemplateStats s;
    s.backend = t->backend;
    s.prefix = t->prefix;
    s.service = t->service;
    s.synced = t->synced;
    for (const Slot& slot : t->assigner->slots()) s.instances += slot.state != Slot::State::kEmpty;
    s.overflow = t->assigner->overflow();
    s.empty_answers_kept = t->empty_answers_kept;
    s.errors = t->errors;
    s.last_error = t->last_error;
    s.changes = t->changes;
    out.push_back(std::move(s));
  }
  return out;
}

void DiscoveryManager::Template::OnTimer() {
  if (assigner->ExpireDrains(manager->loop_->now_ms())) manager->Apply(*this);
  manager->ArmDrainTimer(*this);
}

}  // namespace tender::discovery
