// What the stand-in libcuda.so.1 (fake_libcuda.cpp) records of the last cuLaunchKernel,
// and the two entry points beyond the driver API it exports for reading it.
#pragma once

/// The last launch, with the first 64 bytes of each of its first tilecc_fake_record_params()
/// parameters (they live in the caller's ArgPack, gone once the launch returns; the driver
/// cannot know how many there are).
struct TileccFakeLaunch {
  long count;  // launches so far
  void* function;
  unsigned grid[3];
  unsigned block[3];
  unsigned shared_bytes;
  void* stream;
  unsigned char params[8][64];
};

extern "C" {
using TileccFakeLastLaunchFn = const TileccFakeLaunch* (*)();  // tilecc_fake_last_launch
using TileccFakeRecordParamsFn = void (*)(int count);         // tilecc_fake_record_params (at most 8)
}
