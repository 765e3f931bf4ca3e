/* libfuse refuses to compile without an API version; 35 is libfuse 3.5+. */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
