// End-to-end test helpers: start the real tender binary with a configuration, real
// loopback servers and clients. Waiting is always on an event (a log line, a connection,
// EOF) with a generous deadline that only turns a hang into a failure; nothing here
// sleeps to synchronise.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tender::testing {

// A TCP port that was free a moment ago on 127.0.0.1.
int FreePort();

// A listening TCP socket on 127.0.0.1 (`port` 0: any free port; SO_REUSEADDR set); the
// port actually bound goes to `*bound`. The socket is not close-on-exec when
// `inheritable` (for `bind fd@N` in a child HAProxy).
int ListenLoopback(int port, int backlog, int* bound, bool inheritable = false);

// The tender binary, started with a configuration file written from `config_text`.
class TenderProcess {
 public:
  ~TenderProcess();
  // Starts tender and waits for its "ready" line; returns false (and keeps the output)
  // when it exits or does not get ready.
  bool Start(const std::string& config_text, std::vector<std::string> extra_args = {});
  // Sends `sig` and waits for the exit status (the exit code, or 128+signal).
  int Stop(int sig);
  // Waits until a line of tender's stderr contains `text`.
  bool WaitForOutput(const std::string& text, int timeout_ms = 10000);
  std::string output();
  pid_t pid() const { return pid_; }

 private:
  void ReadOutput();

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable output_changed_;
  std::string output_;
  bool output_closed_ = false;
  std::string config_path_;
};

// Runs a command to completion; returns its exit code and fills `output` with stdout and
// (unless `with_stderr` is false) stderr.
int RunCommand(const std::vector<std::string>& argv, std::string* output, bool with_stderr = true);

// Makes a test CA and, signed by it, server.pem/server.key (for localhost and 127.0.0.1)
// and client.pem/client.key, in `dir`, with the real openssl command line. Also writes
// server-bundle.pem (certificate then key, the form HAProxy's `crt` takes).
bool MakeCertificates(const std::string& dir, std::string* error);

// A loopback TCP server on its own thread.
class TestServer {
 public:
  enum class Behaviour {
    kSendName,   // writes "<name>\n", then closes
    kEcho,       // echoes until the client half-closes, then closes
    kHold,       // sends "<name>\n", then holds the connection until the client closes it
    kIgnoreFin,  // sends "<name>\n", reads to EOF, then keeps the connection open
    kHalfClose,  // sends "<name>\n" and shuts its write side, then reads to EOF
    kHttp,       // reads one request head, answers with the configured HTTP response
  };
  TestServer(std::string name, Behaviour behaviour, int port = 0);
  ~TestServer();
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  int open_connections() const { return open_.load(); }
  // For kHttp: the response to give from now on (default "200 OK" with body "<name>\n").
  void SetHttpResponse(int status, const std::string& reason, const std::string& body);
  // Closes the listening socket (new connections are refused); open ones stay.
  void StopListening();
  // Waits until at most `n` connections are open; false after `timeout_ms`.
  bool WaitForOpenConnectionsAtMost(int n, int timeout_ms = 10000);
  const std::string& name() const { return name_; }

 private:
  void AcceptLoop();
  void Serve(int fd);

  std::string name_;
  Behaviour behaviour_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  int stop_pipe_[2] = {-1, -1};  // readable once the server is being destroyed
  std::string http_response_;     // guarded by mu_
  std::atomic<int> connections_{0};
  std::atomic<int> open_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable closed_;
  std::vector<std::thread> workers_;
};

// Client side.
int ConnectTo(int port);                       // -1 on failure
std::string ReadLine(int fd, int timeout_ms = 10000);  // without the newline; "" on EOF/timeout
std::string ReadAll(int fd, int timeout_ms = 10000);   // until EOF
// Connects, reads one line (a TestServer name) and closes. "" when the connection failed
// or was closed without data.
std::string FetchName(int port);
// True when the peer closes `fd` (read returns 0 or an error) within `timeout_ms`.
bool WaitForClose(int fd, int timeout_ms = 10000);

}  // namespace tender::testing
