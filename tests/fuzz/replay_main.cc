// Replays every file of a corpus directory through LLVMFuzzerTestOneInput, without
// libFuzzer: the fuzz targets' invariants run on their seeds in the ordinary test suite.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  DIR* d = opendir(argv[1]);
  if (d == nullptr) {
    std::fprintf(stderr, "cannot open corpus %s\n", argv[1]);
    return 1;
  }
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(std::string(argv[1]) + "/" + e->d_name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++n;
  }
  closedir(d);
  std::printf("replayed %d inputs\n", n);
  return n > 0 ? 0 : 1;
}
