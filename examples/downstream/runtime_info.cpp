// Links the installed runtime library (tilecc::runtime) and uses it without a GPU: where its
// cubin cache lives, the key it would give a compile, and the device templates NVRTC would
// include (the install's own, wherever it was moved).
#include <cstdio>

#include "runtime/cache.hpp"
#include "runtime/kernel.hpp"

int main() {
  const std::string key = tilecc::runtime::hash_parts({"__global__ void k() {}", "--gpu-architecture=sm_80"});
  std::printf("tilecc runtime: cache folder %s, a key %s, templates %s\n",
              tilecc::runtime::DiskCache::default_dir().string().c_str(), key.c_str(),
              tilecc::runtime::templates_dir().c_str());
  return key.size() == 32 ? 0 : 1;
}
