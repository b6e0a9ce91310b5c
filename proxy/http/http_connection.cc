#include "proxy/http/http_connection.h"

#include <sys/epoll.h>
#include <unistd.h>

#include "proxy/http/http_session.h"
#include "proxy/session/slab.h"

namespace tender::http {

void* HttpConnection::operator new(size_t size) { return Slab<HttpConnection>::Allocate(size); }
void HttpConnection::operator delete(void* p) { Slab<HttpConnection>::Free(p); }

HttpConnection::HttpConnection(SessionOwner& owner, const FrontendSettings& frontend, int fd,
                               const SocketAddress& client)
    : owner_(owner), frontend_(frontend), fd_(fd), client_(InetAddress::From(client)) {}

void HttpConnection::Start(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                           const SocketAddress& client_address, bool accept_proxy) {
  auto* c = new HttpConnection(owner, frontend, client_fd, client_address);
  owner.Register(c);
  c->session_ = new HttpSession(*c);
  c->session_->BeginFirst(accept_proxy);
}

SocketAddress HttpConnection::FrontendAddress() {
  if (!have_frontend_address_) {
    frontend_address_ = InetAddress::From(LocalAddressOf(fd_));
    have_frontend_address_ = true;
  }
  return frontend_address_.Expand();
}

void HttpConnection::SetAddresses(const SocketAddress& client, const SocketAddress& frontend) {
  client_ = InetAddress::From(client);
  frontend_address_ = InetAddress::From(frontend);
  have_frontend_address_ = true;
}

void HttpConnection::Watch() {
  // Edge-triggered, and the kernel reports on adding what is already ready: nothing that
  // happened before this call is missed.
  owner_.loop().Add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  watched_ = true;
}

void HttpConnection::OnFdEvents(uint32_t events) {
  if (fd_ < 0) return;  // closed earlier in this batch of events
  if (session_ != nullptr) {
    session_->OnClientEvents(events);
    return;
  }
  // Parked: only readable news (the next request, or the client leaving) matters.
  if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
  Wake(/*draining=*/false);
}

void HttpConnection::Wake(bool draining) {
  int64_t deadline = timer_.armed() ? timer_.deadline_ms : -1;
  owner_.loop().Disarm(&timer_);
  session_ = new HttpSession(*this);
  session_->Resume(deadline, draining);
}

void HttpConnection::Park(int64_t idle_deadline_ms) {
  session_ = nullptr;
  if (idle_deadline_ms >= 0) owner_.loop().Arm(&timer_, idle_deadline_ms);
}

void HttpConnection::OnTimer() {
  // HAProxy closes an idle keep-alive connection at `timeout http-keep-alive` without a
  // word or a log line.
  if (session_ == nullptr) CloseParked();
}

void HttpConnection::Abort() {
  if (session_ != nullptr) session_->Abort();
  else CloseParked();
}

void HttpConnection::ShutdownIfOn(const ServerLoad* server) {
  if (session_ != nullptr) session_->ShutdownIfOn(server);
}

void HttpConnection::Drain() {
  // Parked: bytes of a next request may have arrived before their read event; a session
  // looks, and closes the connection if there are none (docs/http.md, graceful stop).
  if (session_ == nullptr) Wake(/*draining=*/true);
  else session_->Drain();
}

void HttpConnection::CloseParked() {
  if (fd_ < 0) return;
  Closed();
}

void HttpConnection::Closed() {
  close(fd_);  // also takes it out of the epoll set
  fd_ = -1;
  session_ = nullptr;
  owner_.loop().Disarm(&timer_);
  owner_.Unregister(this);
  owner_.SessionClosed(frontend_.index);
  owner_.loop().DeleteLater(this);
}

}  // namespace tender::http
