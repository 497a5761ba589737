// AIG_API marks what the shared library exports: the C API (include/aiguillage.h defines the
// same macro) and the public C++ API. Everything else is compiled with hidden visibility.
#pragma once

#ifndef AIG_API
#if defined(_WIN32)
#define AIG_API
#else
#define AIG_API __attribute__((visibility("default")))
#endif
#endif
