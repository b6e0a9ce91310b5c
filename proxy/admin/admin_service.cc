#include "proxy/admin/admin_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "proxy/admin/translate.h"
#include "proxy/common/log.h"
#include "proxy/version.h"

namespace tender {
namespace {

int64_t NowUnixMs() { return absl::ToUnixMillis(absl::Now()); }

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* RoleName(AdminRole r) {
  switch (r) {
    case AdminRole::kAdmin: return "admin";
    case AdminRole::kRead: return "read";
    case AdminRole::kNone: return "none";
  }
  return "?";
}

}  // namespace

// One WatchEvents stream: a queue of events written one at a time.
class EventWriter : public grpc::ServerWriteReactor<adminpb::Event> {
 public:
  explicit EventWriter(AdminService* service) : service_(service) {}
  // Thread-safe.
  void Enqueue(adminpb::Event event) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    queue_.push_back(std::move(event));
    if (!writing_) WriteNextLocked();
  }
  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status::CANCELLED);
      return;
    }
    queue_.pop_front();
    if (!queue_.empty()) WriteNextLocked();
  }
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }
  void OnDone() override;

 private:
  void WriteNextLocked() {  // mu_ held
    writing_ = true;
    StartWrite(&queue_.front());
  }
  void FinishLocked(grpc::Status status) {  // mu_ held
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  AdminService* service_;
  // std::mutex: see EventLoop (TSan cannot see Debian's absl::Mutex).
  std::mutex mu_;
  std::deque<adminpb::Event> queue_;  // guarded by mu_, as are the two flags
  bool writing_ = false;
  bool finished_ = false;
};

class AdminService final : public adminpb::AdminService::CallbackService {
 public:
  AdminService(AdminContext context, TokenAuth auth) : ctx_(std::move(context)), auth_(std::move(auth)) {
    ctx_.pools->set_watcher([this](const PoolChange& change) { OnPoolChange(change); });
  }

  // ---- reads ----

  grpc::ServerUnaryReactor* ListFrontends(grpc::CallbackServerContext* call, const adminpb::ListFrontendsRequest*,
                                          adminpb::ListFrontendsResponse* response) override {
    return OnControl(call, /*write=*/false, [this, response]() -> absl::Status {
      for (const config::ProxyConfig& p : ctx_.config->proxies) {
        if (!config::HasFrontendSide(p.kind)) continue;
        adminpb::Frontend* f = response->add_frontends();
        f->set_name(p.name);
        f->set_mode(ToProto(p.mode));
        for (const auto& b : p.binds) f->add_binds(b.address);
        f->set_default_backend(p.kind == config::ProxyKind::kListen ? p.name : p.default_backend);
        for (const FrontendSettings& fe : ctx_.runtime->frontends) {
          if (fe.name == p.name) f->set_current_sessions(fe.limit->live.load(std::memory_order_relaxed));
        }
      }
      return absl::OkStatus();
    });
  }

  grpc::ServerUnaryReactor* ListBackends(grpc::CallbackServerContext* call, const adminpb::ListBackendsRequest*,
                                         adminpb::ListBackendsResponse* response) override {
    return OnControl(call, false, [this, response]() -> absl::Status {
      FillAllBackends(response);
      return absl::OkStatus();
    });
  }

  grpc::ServerUnaryReactor* GetBackend(grpc::CallbackServerContext* call, const adminpb::GetBackendRequest* request,
                                       adminpb::Backend* response) override {
    return OnControl(call, false, [this, request, response]() -> absl::Status {
      if (request->backend().empty()) return absl::InvalidArgumentError("backend: required");
      const BackendPool* pool = ctx_.pools->Find(request->backend());
      if (pool == nullptr) return absl::NotFoundError(absl::StrCat("no backend named '", request->backend(), "'"));
      FillBackend(*pool, ctx_.health, response);
      return absl::OkStatus();
    });
  }

  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* call, const adminpb::GetStatsRequest*,
                                     adminpb::Stats* response) override {
    return OnControl(call, false, [this, response]() -> absl::Status {
      for (const FrontendSettings& fe : ctx_.runtime->frontends) {
        auto* f = response->add_frontends();
        f->set_name(fe.name);
        f->set_current_sessions(fe.limit->live.load(std::memory_order_relaxed));
        f->set_total_sessions(fe.limit->total.load(std::memory_order_relaxed));
        f->set_proxy_header_errors(fe.limit->proxy_header_errors.load(std::memory_order_relaxed));
        f->set_request_errors(fe.limit->request_errors.load(std::memory_order_relaxed));
        f->set_denied(fe.limit->denied.load(std::memory_order_relaxed));
      }
      for (const auto& [name, pool] : ctx_.pools->pools()) {
        auto* b = response->add_backends();
        b->set_name(name);
        b->set_active_sessions(pool.load->active.load(std::memory_order_relaxed));
        b->set_queued(pool.load->queued.load(std::memory_order_relaxed));
        b->set_queue_timeouts(pool.load->queue_timeouts.load(std::memory_order_relaxed));
        b->set_no_server(pool.load->no_server.load(std::memory_order_relaxed));
        for (const ServerEntry& e : pool.servers) {
          auto* s = response->add_servers();
          s->set_backend(name);
          s->set_server(e.name);
          s->set_current_connections(e.load->active.load(std::memory_order_relaxed));
          s->set_total_connections(e.load->total.load(std::memory_order_relaxed));
          s->set_connect_failures(e.load->connect_failures.load(std::memory_order_relaxed));
          s->set_connect_refused(e.load->connect_refused.load(std::memory_order_relaxed));
          s->set_connect_timeouts(e.load->connect_timeouts.load(std::memory_order_relaxed));
          s->set_invalid_responses(e.load->invalid_responses.load(std::memory_order_relaxed));
          s->set_response_timeouts(e.load->response_timeouts.load(std::memory_order_relaxed));
          s->set_responses_1xx(e.load->responses[1].load(std::memory_order_relaxed));
          s->set_responses_2xx(e.load->responses[2].load(std::memory_order_relaxed));
          s->set_responses_3xx(e.load->responses[3].load(std::memory_order_relaxed));
          s->set_responses_4xx(e.load->responses[4].load(std::memory_order_relaxed));
          s->set_responses_5xx(e.load->responses[5].load(std::memory_order_relaxed));
          if (const ServerHealthStats* h = ctx_.health ? ctx_.health->StatsFor(name, e.name) : nullptr) {
            s->set_checks(h->checks);
            s->set_check_failures(h->failures);
          }
        }
      }
      response->set_current_sessions(ctx_.runtime->global_limit->live.load(std::memory_order_relaxed));
      if (ctx_.fill_discovery_stats) ctx_.fill_discovery_stats(response);
      return absl::OkStatus();
    });
  }

  grpc::ServerUnaryReactor* GetInfo(grpc::CallbackServerContext* call, const adminpb::GetInfoRequest*,
                                    adminpb::Info* response) override {
    return OnControl(call, false, [this, response]() -> absl::Status {
      response->set_version(kVersion);
      response->set_uptime_seconds((NowUnixMs() - ctx_.start_unix_ms) / 1000);
      for (const std::string& f : ctx_.files) response->add_config_files(f);
      response->set_workers(ctx_.workers);
      response->set_pid(getpid());
      return absl::OkStatus();
    });
  }

  // ---- writes ----

  grpc::ServerUnaryReactor* SetServerState(grpc::CallbackServerContext* call,
                                           const adminpb::SetServerStateRequest* request,
                                           adminpb::Server* response) override {
    std::string what = absl::StrCat("SetServerState backend=", request->backend(), " server=", request->server(),
                                    " state=", adminpb::AdminState_Name(request->state()));
    return OnControl(call, /*write=*/true, [this, request, response]() -> absl::Status {
      auto state = FromProto(request->state(), "state");
      if (!state.ok()) return state.status();
      auto e = ctx_.pools->SetAdminState(request->backend(), request->server(), *state);
      if (!e.ok()) return e.status();
      FillServer(request->backend(), *e, HealthOf(request->backend(), request->server()), response);
      return absl::OkStatus();
    }, what);
  }

  grpc::ServerUnaryReactor* SetServerWeight(grpc::CallbackServerContext* call,
                                            const adminpb::SetServerWeightRequest* request,
                                            adminpb::Server* response) override {
    std::string what = absl::StrCat("SetServerWeight backend=", request->backend(), " server=", request->server(),
                                    " weight=", request->weight());
    return OnControl(call, true, [this, request, response]() -> absl::Status {
      auto e = ctx_.pools->SetWeight(request->backend(), request->server(), static_cast<int>(request->weight()));
      if (!e.ok()) return e.status();
      FillServer(request->backend(), *e, HealthOf(request->backend(), request->server()), response);
      return absl::OkStatus();
    }, what);
  }

  grpc::ServerUnaryReactor* SetServerAddress(grpc::CallbackServerContext* call,
                                             const adminpb::SetServerAddressRequest* request,
                                             adminpb::Server* response) override {
    std::string what = absl::StrCat("SetServerAddress backend=", request->backend(), " server=", request->server(),
                                    " address=", request->address(), " port=", request->port());
    return OnControl(call, true, [this, request, response]() -> absl::Status {
      if (request->port() > 65535) return absl::InvalidArgumentError("port: out of range (1 to 65535)");
      auto address = ParseIp(request->address(), static_cast<int>(request->port()), "address");
      if (!address.ok()) return address.status();
      auto e = ctx_.pools->SetAddress(request->backend(), request->server(), *address, request->port() == 0);
      if (!e.ok()) return e.status();
      if (ctx_.health) ctx_.health->Retarget(request->backend(), request->server(), *e);
      FillServer(request->backend(), *e, HealthOf(request->backend(), request->server()), response);
      return absl::OkStatus();
    }, what);
  }

  grpc::ServerUnaryReactor* AddServer(grpc::CallbackServerContext* call, const adminpb::AddServerRequest* request,
                                      adminpb::Server* response) override {
    std::string what = absl::StrCat("AddServer backend=", request->backend(), " server=", request->server(),
                                    " address=", request->address(), " port=", request->port());
    return OnControl(call, true, [this, request, response]() -> absl::Status {
      if (request->server().empty()) return absl::InvalidArgumentError("server: required");
      if (request->port() == 0 || request->port() > 65535) return absl::InvalidArgumentError("port: out of range (1 to 65535)");
      auto address = ParseIp(request->address(), static_cast<int>(request->port()), "address");
      if (!address.ok()) return address.status();
      ServerEntry e;
      e.name = request->server();
      e.address = *address;
      e.weight = request->has_weight() ? static_cast<int>(request->weight()) : 1;
      e.backup = request->backup();
      auto added = ctx_.pools->AddServer(request->backend(), std::move(e));
      if (!added.ok()) return added.status();
      FillServer(request->backend(), *added, nullptr, response);
      return absl::OkStatus();
    }, what);
  }

  grpc::ServerUnaryReactor* DeleteServer(grpc::CallbackServerContext* call, const adminpb::DeleteServerRequest* request,
                                         adminpb::DeleteServerResponse*) override {
    std::string what = absl::StrCat("DeleteServer backend=", request->backend(), " server=", request->server());
    return OnControl(call, true, [this, request]() -> absl::Status {
      return ctx_.pools->DeleteServer(request->backend(), request->server());
    }, what);
  }

  grpc::ServerUnaryReactor* ApplyPool(grpc::CallbackServerContext* call, const adminpb::ApplyPoolRequest* request,
                                      adminpb::ApplyPoolResponse* response) override {
    std::string what = absl::StrCat("ApplyPool backend=", request->backend(), " template=", request->template_prefix(),
                                    " slots=", request->slots_size());
    return OnControl(call, true, [this, request, response]() -> absl::Status {
      std::map<std::string, SlotMember> slots;
      for (const auto& [slot, member] : request->slots()) {
        if (member.port() == 0 || member.port() > 65535) {
          return absl::InvalidArgumentError(absl::StrCat("slots[", slot, "].port: out of range (1 to 65535)"));
        }
        auto address = ParseIp(member.address(), static_cast<int>(member.port()),
                               absl::StrCat("slots[", slot, "].address").c_str());
        if (!address.ok()) return address.status();
        SlotMember m;
        m.instance_id = member.instance_id();
        m.address = *address;
        m.weight = member.has_weight() ? static_cast<int>(member.weight()) : 1;
        m.maintenance = member.maintenance();
        m.draining = member.draining();
        slots[slot] = std::move(m);
      }
      auto pool = ctx_.pools->ApplySlots(request->backend(), request->template_prefix(), slots);
      if (!pool.ok()) return pool.status();
      FillBackend(**pool, ctx_.health, response->mutable_backend());
      return absl::OkStatus();
    }, what);
  }

  grpc::ServerUnaryReactor* ReloadConfig(grpc::CallbackServerContext* call, const adminpb::ReloadConfigRequest*,
                                         adminpb::ReloadConfigResponse*) override {
    return OnControl(call, true, []() -> absl::Status {
      return absl::UnimplementedError("configuration reloads are not implemented yet");
    }, "ReloadConfig");
  }

  // ---- watch ----

  grpc::ServerWriteReactor<adminpb::Event>* WatchEvents(grpc::CallbackServerContext* call,
                                                       const adminpb::WatchEventsRequest*) override {
    auto* writer = new EventWriter(this);
    AdminRole role = auth_.RoleFor(Authorization(call));
    if (role == AdminRole::kNone) {
      writer->Finish(Unauthenticated(call));
      return writer;
    }
    // The snapshot and the registration happen together on the control thread, where
    // every change is made: no event can fall between them.
    ctx_.control_loop->Post([this, writer] {
      adminpb::Event snapshot = NewEvent();
      FillAllBackends(snapshot.mutable_snapshot());
      {
        std::lock_guard<std::mutex> lock(watchers_mu_);
        watchers_.insert(writer);
      }
      writer->Enqueue(std::move(snapshot));
    });
    return writer;
  }

  void Forget(EventWriter* writer) {
    std::lock_guard<std::mutex> lock(watchers_mu_);
    watchers_.erase(writer);
  }

 private:
  // Checks the caller, then runs `work` on the control loop and finishes the call with
  // its status. Writes are audited.
  template <typename Work>
  grpc::ServerUnaryReactor* OnControl(grpc::CallbackServerContext* call, bool write, Work work,
                                      std::string what = "") {
    grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
    AdminRole role = auth_.RoleFor(Authorization(call));
    if (role == AdminRole::kNone || (write && role != AdminRole::kAdmin)) {
      grpc::Status denied = role == AdminRole::kNone
                                ? Unauthenticated(call)
                                : grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "this RPC needs the admin token");
      if (write) Audit(call, role, what, denied);
      reactor->Finish(denied);
      return reactor;
    }
    std::string peer = call->peer();
    ctx_.control_loop->Post([this, reactor, work = std::move(work), write, role, what = std::move(what),
                             peer = std::move(peer)]() mutable {
      grpc::Status status = ToGrpc(work());
      if (write) AuditLine(peer, role, what, status);
      reactor->Finish(status);
    });
    return reactor;
  }

  static std::string Authorization(grpc::CallbackServerContext* call) {
    auto it = call->client_metadata().find("authorization");
    if (it == call->client_metadata().end()) return "";
    return std::string(it->second.data(), it->second.size());
  }

  static grpc::Status Unauthenticated(grpc::CallbackServerContext* call) {
    bool sent = call->client_metadata().count("authorization") > 0;
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        sent ? "the bearer token is not valid" : "missing 'authorization: Bearer <token>'");
  }

  void Audit(grpc::CallbackServerContext* call, AdminRole role, const std::string& what, const grpc::Status& status) {
    AuditLine(call->peer(), role, what, status);
  }

  void AuditLine(const std::string& peer, AdminRole role, const std::string& what, const grpc::Status& status) {
    std::string line = absl::StrCat("admin audit: peer=", peer, " token=", RoleName(role), " rpc=", what, " result=",
                                    status.ok() ? "OK" : absl::StrCat(status.error_code(), " ", status.error_message()));
    TENDER_LOG(kInfo, line);
    SendToAll(ctx_.audit_logs, Severity::kNotice, line.data(), line.size());
  }

  static absl::StatusOr<SocketAddress> ParseIp(const std::string& text, int port, const char* field) {
    if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
    // Literals only: the admin service never waits on a resolver.
    SocketAddress a;
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    if (inet_pton(AF_INET, text.c_str(), &in->sin_addr) == 1) {
      in->sin_family = AF_INET;
      in->sin_port = htons(port);
      a.length = sizeof(sockaddr_in);
      return a;
    }
    if (inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1) {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      a.length = sizeof(sockaddr_in6);
      return a;
    }
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", text, "' is not an IPv4 or IPv6 address"));
  }

  const ServerHealthStats* HealthOf(const std::string& backend, const std::string& server) const {
    return ctx_.health ? ctx_.health->StatsFor(backend, server) : nullptr;
  }

  void FillAllBackends(adminpb::ListBackendsResponse* out) {
    for (const auto& [name, pool] : ctx_.pools->pools()) FillBackend(pool, ctx_.health, out->add_backends());
  }

  adminpb::Event NewEvent() {
    adminpb::Event e;
    e.set_sequence(++sequence_);
    e.set_unix_ms(NowUnixMs());
    return e;
  }

  // Control thread: a pool changed; tell every watcher.
  void OnPoolChange(const PoolChange& change) {
    {
      std::lock_guard<std::mutex> lock(watchers_mu_);
      if (watchers_.empty()) return;
    }
    adminpb::Event event = NewEvent();
    const ServerHealthStats* health = HealthOf(change.backend, change.server.name);
    switch (change.kind) {
      case PoolChange::Kind::kServerChanged:
        FillServer(change.backend, change.server, health, event.mutable_server_changed());
        break;
      case PoolChange::Kind::kHealthChanged:
        FillServer(change.backend, change.server, health, event.mutable_health_changed());
        break;
      case PoolChange::Kind::kServerDeleted:
        FillServer(change.backend, change.server, nullptr, event.mutable_server_deleted());
        break;
      case PoolChange::Kind::kPoolApplied:
        if (const BackendPool* pool = ctx_.pools->Find(change.backend)) {
          FillBackend(*pool, ctx_.health, event.mutable_pool_applied());
        }
        break;
    }
    std::lock_guard<std::mutex> lock(watchers_mu_);
    for (EventWriter* w : watchers_) w->Enqueue(event);
  }

  AdminContext ctx_;
  TokenAuth auth_;
  uint64_t sequence_ = 0;  // control thread only
  std::mutex watchers_mu_;
  std::set<EventWriter*> watchers_;  // guarded by watchers_mu_
};

void EventWriter::OnDone() {
  service_->Forget(this);
  delete this;
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const config::AdminConfig& config,
                                                               AdminContext context) {
  auto auth = TokenAuth::Load(config.admin_token_file, config.read_token_file);
  if (!auth.ok()) return auth.status();
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!config.crt.empty()) {
    grpc::SslServerCredentialsOptions tls(config.ca_file.empty()
                                              ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    auto cert = ReadFile(config.crt);
    auto key = ReadFile(config.key);
    if (!cert.ok()) return cert.status();
    if (!key.ok()) return key.status();
    tls.pem_key_cert_pairs.push_back({*key, *cert});
    if (!config.ca_file.empty()) {
      auto ca = ReadFile(config.ca_file);
      if (!ca.ok()) return ca.status();
      tls.pem_root_certs = *ca;
    }
    credentials = grpc::SslServerCredentials(tls);
  }
  std::unique_ptr<AdminServer> out(new AdminServer());
  out->service_ = std::make_unique<AdminService>(std::move(context), std::move(*auth));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::string address;
  if (!config.unix_path.empty()) {
    address = absl::StrCat("unix:", config.unix_path);
  } else {
    // A bare ":PORT" listens on loopback only: the admin service is never exposed by accident.
    std::string host = config.host.empty() ? "127.0.0.1" : config.host;
    address = host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", config.port)
                                                   : absl::StrCat(host, ":", config.port);
  }
  int bound_port = 0;
  builder.AddListeningPort(address, credentials, &bound_port);
  builder.RegisterService(out->service_.get());
  out->server_ = builder.BuildAndStart();
  if (out->server_ == nullptr || (config.unix_path.empty() && bound_port == 0)) {
    return absl::UnavailableError(absl::StrCat("admin grpc: cannot listen on ", address));
  }
  out->address_ = address;
  return out;
}

AdminServer::~AdminServer() { Shutdown(); }

void AdminServer::SetServing(bool serving) {
  if (server_ != nullptr && server_->GetHealthCheckService() != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(serving);
  }
}

void AdminServer::Shutdown() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
}

}  // namespace tender
