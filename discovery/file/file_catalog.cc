#include "discovery/file/file_catalog.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "discovery/consul/consul_json.h"
#include "proxy/common/log.h"

namespace tender::discovery {

FileCatalog::FileCatalog(std::string path) : path_(std::move(path)) {
  pipe2(stop_pipe_, O_CLOEXEC);
  struct stat st;
  if (stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    dir_ = path_;
  } else {
    size_t slash = path_.rfind('/');
    dir_ = slash == std::string::npos ? "." : path_.substr(0, slash);
  }
}

FileCatalog::~FileCatalog() {
  Stop();
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

void FileCatalog::Watch(const WatchKey& key, UpdateCallback on_update) {
  Service& s = services_[key.service];
  if (s.file.empty()) {
    struct stat st;
    bool is_dir = stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    s.file = is_dir ? absl::StrCat(path_, "/", key.service, ".json") : path_;
  }
  s.callbacks.push_back(std::move(on_update));
}

void FileCatalog::Reload(Service& s) {
  std::ifstream in(s.file);
  std::string error;
  std::vector<Endpoint> endpoints;
  if (!in) {
    error = absl::StrCat("cannot read ", s.file);
  } else {
    std::stringstream ss;
    ss << in.rdbuf();
    auto decoded = DecodeHealthService(ss.str());
    if (!decoded.ok()) error = absl::StrCat(s.file, ": ", decoded.status().message());
    else endpoints = std::move(*decoded);
  }
  if (!error.empty()) {
    if (error == s.last_error) return;
    s.last_error = error;
    for (auto& cb : s.callbacks) cb(absl::UnavailableError(error));
    TENDER_LOG(kWarning, "discovery: ", error, "; keeping the last good pool");  // after delivery
    return;
  }
  bool recovered = !s.last_error.empty();
  s.last_error.clear();
  if (s.delivered && endpoints == s.last && !recovered) return;
  s.last = endpoints;
  s.delivered = true;
  for (auto& cb : s.callbacks) cb(endpoints);
}

void FileCatalog::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void FileCatalog::Stop() {
  if (stopping_.exchange(true)) return;
  ssize_t unused = write(stop_pipe_[1], "x", 1);
  (void)unused;
  if (thread_.joinable()) thread_.join();
}

void FileCatalog::Loop() {
  int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  // Editors and `mv` replace files; watching the directory sees every way a file changes.
  inotify_add_watch(in, dir_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
  for (auto& [name, s] : services_) Reload(s);
  alignas(inotify_event) char buf[8192];
  while (!stopping_.load()) {
    pollfd p[2] = {{in, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(p, 2, -1) <= 0) continue;
    if (p[1].revents & POLLIN) break;
    ssize_t n = read(in, buf, sizeof(buf));
    for (ssize_t off = 0; off < n;) {
      auto* ev = reinterpret_cast<inotify_event*>(buf + off);
      std::string changed = ev->len ? absl::StrCat(dir_, "/", ev->name) : "";
      for (auto& [name, s] : services_) {
        if (s.file == changed) Reload(s);
      }
      off += sizeof(inotify_event) + ev->len;
    }
  }
  close(in);
}

}  // namespace tender::discovery
