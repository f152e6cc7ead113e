// A project header the kernel includes: changing it re-translates axpy.tile.cpp.
#pragma once

#define AXPY_BIAS 1.0f
