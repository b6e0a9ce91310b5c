#include "tests/fakes/http_origin.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

// Reads into `buffer` until it holds `needed` bytes; false on EOF or stop.
bool Fill(int fd, int stop_fd, std::string& buffer, size_t needed) {
  char chunk[16384];
  while (buffer.size() < needed) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) <= 0 || fds[1].revents != 0) return false;
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer.append(chunk, n);
  }
  return true;
}

bool ReadUntil(int fd, int stop_fd, std::string& buffer, const std::string& marker, size_t from, size_t* at) {
  while (true) {
    size_t pos = buffer.find(marker, from);
    if (pos != std::string::npos) {
      *at = pos;
      return true;
    }
    if (!Fill(fd, stop_fd, buffer, buffer.size() + 1)) return false;
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += n;
  }
}

}  // namespace

HttpOrigin::HttpOrigin(std::string name) : name_(std::move(name)) {
  listen_fd_ = ListenLoopback(0, 1024, &port_);
  // Non-blocking, so that a connection that vanished between poll and accept cannot block
  // the accept loop past a stop.
  fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0 || pipe2(release_pipe_, O_CLOEXEC) != 0) abort();
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpOrigin::~HttpOrigin() {
  close(stop_pipe_[1]);
  shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  for (std::thread& t : workers_) t.join();
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(release_pipe_[0]);
  close(release_pipe_[1]);
}

void HttpOrigin::ReleaseHeld() {
  char c = 'r';
  if (write(release_pipe_[1], &c, 1) != 1) abort();
}

std::string HttpOrigin::received() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

bool HttpOrigin::WaitForRequests(int n, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return requests_.load() >= n; });
}

void HttpOrigin::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) <= 0 || fds[1].revents != 0) return;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    connections_++;
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpOrigin::Serve(int fd) {
  std::string buffer;
  int stop = stop_pipe_[0];
  bool drop_next = false;
  while (true) {
    size_t head_end;
    if (!ReadUntil(fd, stop, buffer, "\r\n\r\n", 0, &head_end)) break;
    std::string head = buffer.substr(0, head_end + 4);
    size_t consumed = head.size();
    // Framing, the simple way.
    std::string lower = Lower(head);
    size_t body_length = 0;
    bool chunked = lower.find("\r\ntransfer-encoding: chunked") != std::string::npos;
    size_t cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) body_length = strtoul(head.c_str() + cl + 17, nullptr, 10);
    if (chunked) {
      size_t pos = consumed;
      while (true) {
        size_t eol;
        if (!ReadUntil(fd, stop, buffer, "\r\n", pos, &eol)) goto done;
        std::string size_text = buffer.substr(pos, eol - pos);
        char* end_of_size = nullptr;
        size_t size = strtoul(size_text.c_str(), &end_of_size, 16);
        if (size_text.empty() || (*end_of_size != '\0' && *end_of_size != ';')) goto done;
        pos = eol + 2;
        if (size == 0) {
          size_t end;
          if (!ReadUntil(fd, stop, buffer, "\r\n", pos, &end)) goto done;
          while (end != pos) {  // trailers
            pos = end + 2;
            if (!ReadUntil(fd, stop, buffer, "\r\n", pos, &end)) goto done;
          }
          consumed = end + 2;
          break;
        }
        if (!Fill(fd, stop, buffer, pos + size + 2)) goto done;
        pos += size + 2;
      }
    } else {
      if (!Fill(fd, stop, buffer, consumed + body_length)) break;
      consumed += body_length;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_ += buffer.substr(0, consumed);
      requests_++;
    }
    changed_.notify_all();
    if (drop_next) break;  // the keep-alive race: the request arrived as the server closed
    buffer.erase(0, consumed);
    std::string path = head.substr(head.find(' ') + 1);
    path = path.substr(0, path.find(' '));
    path = path.substr(0, path.find('?'));
    std::string body = name_ + "\n";
    if (path == "/hold") {
      pollfd fds[2] = {{release_pipe_[0], POLLIN, 0}, {stop, POLLIN, 0}};
      char c;
      if (poll(fds, 2, -1) <= 0 || fds[1].revents != 0 || read(release_pipe_[0], &c, 1) != 1) break;
    }
    if (path == "/close") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
      break;
    } else if (path == "/drop-next") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
      drop_next = true;
    } else if (path == "/chunked") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n" + body.substr(0, 2) + "\r\n" +
                      std::to_string(body.size() - 2) + "\r\n" + body.substr(2) + "\r\n0\r\n\r\n");
    } else if (path == "/until-close") {
      SendAll(fd, "HTTP/1.1 200 OK\r\n\r\n" + body);
      break;
    } else if (path == "/invalid") {
      SendAll(fd, "HTTP/1.1 2000 Nope\r\n\r\n");
      break;
    } else if (path == "/cl-te") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
      break;
    } else if (path == "/truncated") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
      break;
    } else if (path == "/silent") {
      char c;
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
      poll(fds, 2, -1);
      if (read(fd, &c, 1) < 0) break;
      break;
    } else if (path == "/ws") {
      SendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
      SendAll(fd, buffer);
      char chunk[4096];
      while (true) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
        if (poll(fds, 2, -1) <= 0 || fds[1].revents != 0) break;
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) break;
        SendAll(fd, std::string(chunk, n));
      }
      break;
    } else if (path == "/big") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kBigBody) + "\r\n\r\n" +
                      std::string(kBigBody, 'x'));
    } else if (path.rfind("/status/", 0) == 0) {
      SendAll(fd, "HTTP/1.1 " + path.substr(8) + " Status\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    } else if (path == "/headers") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(head.size()) + "\r\n\r\n" + head);
    } else {
      SendAll(fd, "HTTP/1.1 200 OK\r\nX-Origin: " + name_ + "\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body);
    }
  }
done:
  close(fd);
}

std::string RawExchange(int port, const std::string& request, int timeout_ms) {
  int fd = ConnectTo(port);
  if (fd < 0) return "";
  SendAll(fd, request);
  std::string out = ReadAll(fd, timeout_ms);
  close(fd);
  return out;
}

std::string Curl(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {"curl", "-s", "--max-time", "10"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  std::string out;
  RunCommand(argv, &out, /*with_stderr=*/false);
  return out;
}

}  // namespace tender::testing
