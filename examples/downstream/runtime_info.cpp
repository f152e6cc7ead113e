// Links the installed runtime library (tilecc::runtime) and uses it without a GPU: where its
// cubin cache lives and the key it would give a compile.
#include <cstdio>

#include "runtime/cache.hpp"

int main() {
  const std::string key = tilecc::runtime::hash_parts({"__global__ void k() {}", "--gpu-architecture=sm_80"});
  std::printf("tilecc runtime: cache folder %s, a key %s\n",
              tilecc::runtime::DiskCache::default_dir().string().c_str(), key.c_str());
  return key.size() == 32 ? 0 : 1;
}
