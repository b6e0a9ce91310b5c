// A real HTTP/1.1 origin server on loopback for end-to-end tests: keep-alive, one thread
// per connection, deliberately simple framing of its own (Content-Length and chunked
// request bodies), so that tests do not trust tender's codec to check tender's codec.
// It records every byte it receives and counts connections and requests.
//
// The request path picks the answer:
//   /close          200 with "Connection: close", then closes
//   /chunked        200 with a chunked body "<name>\n" in two chunks
//   /until-close    200 without length, body "<name>\n", then closes
//   /invalid        a malformed status line
//   /cl-te          a response with both Content-Length and Transfer-Encoding
//   /truncated      Content-Length: 100 and 5 bytes, then closes
//   /silent         reads the request and never answers
//   /drop-next      answers and keeps the connection, then reads the next request on it
//                   and closes without answering (a server closing an idle connection
//                   just as a request arrives)
//   /ws             101 Switching Protocols, then echoes bytes until EOF
//   /hold           answers as "anything else" once the test calls ReleaseHeld()
//   /big            200 with a body of 16 MiB of 'x' (more than the socket buffers hold)
//   /status/NNN     status NNN, body "<name>\n"
//   /headers        200, the body is the request head as received
//   anything else   200, body "<name>\n" (plus "X-Origin: <name>")
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tender::testing {

class HttpOrigin {
 public:
  explicit HttpOrigin(std::string name);
  ~HttpOrigin();
  int port() const { return port_; }
  const std::string& name() const { return name_; }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  // Every byte received so far, all connections, in arrival order per connection.
  std::string received();
  // Waits until `requests()` reaches `n`.
  bool WaitForRequests(int n, int timeout_ms = 10000);
  // Lets one request to /hold be answered.
  void ReleaseHeld();
  static constexpr size_t kBigBody = 16 << 20;

 private:
  void AcceptLoop();
  void Serve(int fd);

  std::string name_;
  int listen_fd_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};
  int release_pipe_[2] = {-1, -1};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::condition_variable changed_;
  std::string received_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::thread acceptor_;
};

// Sends `request` on a new connection to 127.0.0.1:`port`, half-closes nothing, and reads
// until the peer closes or `timeout_ms` passes. For raw protocol tests.
std::string RawExchange(int port, const std::string& request, int timeout_ms = 10000);

// Runs the real curl (-s, 10 s at most) with `arguments`; its standard output.
std::string Curl(const std::vector<std::string>& arguments);

}  // namespace tender::testing
