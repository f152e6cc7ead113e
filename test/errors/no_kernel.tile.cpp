// A file without any TILECC_KERNEL function.
#include <tilecc/tile.hpp>
inline float twice(float x) { return 2 * x; }
