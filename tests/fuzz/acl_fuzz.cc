// Fuzzes ACL and condition parsing (`acl` lines and `use_backend ... if`), then compiles
// what parsed and evaluates it. Invariant: no crash; evaluation is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proxy/acl/acl.h"
#include "proxy/config/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tender;
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\n');
  std::string acl_line = input.substr(0, split);
  std::string condition = split == std::string::npos ? "x" : input.substr(split + 1);
  if (condition.find('\n') != std::string::npos) return 0;
  std::string text = "defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"
                     "frontend f\n bind 127.0.0.1:1\n acl x " + acl_line +
                     "\n use_backend b if " + condition + "\nbackend b\n server s 127.0.0.1:2\n";
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto parsed = config::ParseText("fuzz.cfg", text, env);
  if (!parsed.ok()) return 0;
  const config::ProxyConfig* f = parsed->config.FindProxy("f");
  auto compiled = CompiledCondition::Compile(*f->use_backends[0].condition, f->acls);
  if (!compiled.ok()) return 0;
  SocketAddress src = *ResolveAddress("10.1.2.3", 4567), dst = *ResolveAddress("::1", 80);
  SampleContext sample{&src, &dst};
  if (compiled->Evaluate(sample) != compiled->Evaluate(sample)) std::abort();
  return 0;
}
