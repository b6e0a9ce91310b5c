// Fuzzes the configuration lexer, parser and validator. Invariant: a configuration that
// parses dumps to text that parses again to the same dump (--dump's promise).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proxy/config/dump.h"
#include "proxy/config/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tender::config;
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return std::string("/root");
    return std::nullopt;
  };
  std::string text(reinterpret_cast<const char*>(data), size);
  auto first = ParseText("fuzz.cfg", text, env);
  if (!first.ok()) return 0;
  std::string dumped = Dump(first->config);
  auto second = ParseText("dump.cfg", dumped, env);
  if (!second.ok() || Dump(second->config) != dumped) std::abort();
  return 0;
}
