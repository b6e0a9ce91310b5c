#include "tests/fakes/harness.h"

#include <arpa/inet.h>
#include <poll.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace tender::testing {
namespace {

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

std::string TempDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

bool WaitReadable(int fd, int timeout_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) > 0;
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

int ListenLoopback(int port, int backlog, int* bound, bool inheritable) {
  int fd = socket(AF_INET, SOCK_STREAM | (inheritable ? 0 : SOCK_CLOEXEC), 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  listen(fd, backlog);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *bound = ntohs(a.sin_port);
  return fd;
}

TenderProcess::~TenderProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

bool TenderProcess::Start(const std::string& config_text, std::vector<std::string> extra_args) {
  static int counter = 0;
  config_path_ = TempDir() + "/tender-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".cfg";
  std::ofstream(config_path_) << config_text;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    std::vector<std::string> args = {"proxy/tender", "-f", config_path_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  stderr_fd_ = pipe_fds[0];
  reader_ = std::thread([this] { ReadOutput(); });
  return WaitForOutput(" ready: ");
}

void TenderProcess::ReadOutput() {
  char buf[4096];
  for (;;) {
    ssize_t n = read(stderr_fd_, buf, sizeof(buf));
    std::lock_guard<std::mutex> lock(mu_);
    if (n <= 0) {
      output_closed_ = true;
      output_changed_.notify_all();
      return;
    }
    output_.append(buf, n);
    output_changed_.notify_all();
  }
}

std::string TenderProcess::output() {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

bool TenderProcess::WaitForOutput(const std::string& text, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  output_changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return output_.find(text) != std::string::npos || output_closed_;
  });
  return output_.find(text) != std::string::npos;
}

int TenderProcess::Stop(int sig) {
  if (pid_ <= 0) {
    if (reader_.joinable()) reader_.join();
    return -1;
  }
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  close(stderr_fd_);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

int RunCommand(const std::vector<std::string>& argv_in, std::string* output, bool with_stderr) {
  int fds[2];
  pipe2(fds, O_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    if (with_stderr) dup2(fds[1], STDERR_FILENO);
    std::vector<std::string> copy = argv_in;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  output->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) output->append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool MakeCertificates(const std::string& d, std::string* error) {
  std::ofstream(d + "/san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  auto run = [&](std::vector<std::string> argv) { return RunCommand(argv, error) == 0; };
  auto key = [&](const std::string& name) {
    return run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out",
                d + "/" + name});
  };
  if (!key("ca.key") || !run({"openssl", "req", "-x509", "-new", "-key", d + "/ca.key", "-out", d + "/ca.pem", "-days",
                              "2", "-subj", "/CN=tender-test-ca"})) {
    return false;
  }
  for (const std::string who : {"server", "client"}) {
    if (!key(who + ".key") ||
        !run({"openssl", "req", "-new", "-key", d + "/" + who + ".key", "-out", d + "/" + who + ".csr", "-subj",
              "/CN=" + (who == "server" ? std::string("localhost") : std::string("operator"))}) ||
        !run({"openssl", "x509", "-req", "-in", d + "/" + who + ".csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
              "-CAcreateserial", "-out", d + "/" + who + ".pem", "-days", "2", "-extfile", d + "/san.ext"})) {
      return false;
    }
  }
  std::ifstream cert(d + "/server.pem"), key_in(d + "/server.key");
  std::ofstream bundle(d + "/server-bundle.pem");
  bundle << cert.rdbuf() << key_in.rdbuf();
  return true;
}

TestServer::TestServer(std::string name, Behaviour behaviour, int port)
    : name_(std::move(name)), behaviour_(behaviour) {
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) abort();
  listen_fd_ = ListenLoopback(port, 512, &port_);
  SetHttpResponse(200, "OK", name_ + "\n");
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void TestServer::SetHttpResponse(int status, const std::string& reason, const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  http_response_ = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

void TestServer::StopListening() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  listen_fd_ = -1;
}

TestServer::~TestServer() {
  stopping_ = true;
  ssize_t unused = write(stop_pipe_[1], "x", 1);
  (void)unused;
  if (listen_fd_ >= 0) {
    shutdown(listen_fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    close(listen_fd_);
  }
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();  // without the lock: finishing workers take it
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

void TestServer::AcceptLoop() {
  for (;;) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    connections_++;
    open_++;
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void TestServer::Serve(int fd) {
  std::string line = name_ + "\n";
  char buf[65536];
  switch (behaviour_) {
    case Behaviour::kSendName:
      send(fd, line.data(), line.size(), MSG_NOSIGNAL);
      break;
    case Behaviour::kEcho:
      for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) break;
        if (send(fd, buf, n, MSG_NOSIGNAL) != n) break;
      }
      break;
    case Behaviour::kHold:
      send(fd, line.data(), line.size(), MSG_NOSIGNAL);
      while (read(fd, buf, sizeof(buf)) > 0) {
      }
      break;
    case Behaviour::kIgnoreFin: {
      send(fd, line.data(), line.size(), MSG_NOSIGNAL);
      struct pollfd p[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      bool eof = false;
      while (poll(p, 2, -1) > 0 && !(p[1].revents & POLLIN)) {
        if (!eof && (p[0].revents & (POLLIN | POLLHUP))) {
          ssize_t n = read(fd, buf, sizeof(buf));
          if (n <= 0) {
            eof = true;
            p[0].fd = -1;  // stop watching; keep the connection open
          }
        }
        if (eof && (p[0].revents & (POLLERR))) break;
      }
      break;
    }
    case Behaviour::kHttp: {
      std::string request;
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) break;
        request.append(buf, n);
      }
      std::string response;
      {
        std::lock_guard<std::mutex> lock(mu_);
        response = http_response_;
      }
      send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      break;
    }
    case Behaviour::kHalfClose:
      send(fd, line.data(), line.size(), MSG_NOSIGNAL);
      shutdown(fd, SHUT_WR);
      while (read(fd, buf, sizeof(buf)) > 0) {
      }
      break;
  }
  close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  open_--;
  closed_.notify_all();
}

bool TestServer::WaitForOpenConnectionsAtMost(int n, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return closed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return open_.load() <= n; });
}

int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string ReadLine(int fd, int timeout_ms) {
  std::string line;
  char c;
  while (WaitReadable(fd, timeout_ms) && read(fd, &c, 1) == 1) {
    if (c == '\n') return line;
    line.push_back(c);
  }
  return line;
}

std::string ReadAll(int fd, int timeout_ms) {
  std::string out;
  char buf[65536];
  while (WaitReadable(fd, timeout_ms)) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

std::string FetchName(int port) {
  int fd = ConnectTo(port);
  if (fd < 0) return "";
  std::string name = ReadLine(fd);
  close(fd);
  return name;
}

bool WaitForClose(int fd, int timeout_ms) {
  char buf[4096];
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    if (!WaitReadable(fd, static_cast<int>(deadline - NowMs()))) return false;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return true;
  }
  return false;
}

}  // namespace tender::testing
