#pragma once

#define OFFSET 0.25f
