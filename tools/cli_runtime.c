/* cli_runtime.c - where the runtime headers and archive are, for
 * `spcc --print-runtime` and `spcc run`. A spcc inside its build tree uses
 * the build tree; an installed one uses paths relative to its own location
 * (bin/../include, bin/../lib), falling back to the configured prefix. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static char exe_dir[PATH_MAX];

static const char *self_dir(void) {
  if (exe_dir[0]) return exe_dir;
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return NULL;
  buf[n] = 0;
  char *slash = strrchr(buf, '/');
  if (slash) *slash = 0;
  snprintf(exe_dir, sizeof exe_dir, "%s", buf);
  return exe_dir;
}

static bool in_build_tree(void) {
  const char *dir = self_dir();
  char real_build[PATH_MAX];
  if (!dir || !realpath(SPCC_BUILD_BINDIR, real_build)) return false;
  return strcmp(dir, real_build) == 0;
}

static bool exists(const char *p) { return access(p, R_OK) == 0; }

const char *cli_runtime_include_dir(void) {
  static char buf[PATH_MAX];
  if (in_build_tree()) return SPCC_BUILD_INCLUDEDIR;
  const char *dir = self_dir();
  if (dir) {
    snprintf(buf, sizeof buf, "%s/../include/spcc/spcc_rt.h", dir);
    if (exists(buf)) {
      snprintf(buf, sizeof buf, "%s/../include", dir);
      char *r = realpath(buf, NULL);
      if (r) {
        snprintf(buf, sizeof buf, "%s", r);
        free(r);
      }
      return buf;
    }
  }
  return SPCC_INSTALL_INCLUDEDIR;
}

const char *cli_runtime_library(void) {
  static char buf[PATH_MAX];
  if (in_build_tree()) return SPCC_BUILD_RTLIB;
  const char *dir = self_dir();
  if (dir) {
    const char *libdirs[] = {"lib", "lib64", "lib/x86_64-linux-gnu"};
    for (size_t i = 0; i < sizeof libdirs / sizeof libdirs[0]; i++) {
      snprintf(buf, sizeof buf, "%s/../%s/libspcc_rt.a", dir, libdirs[i]);
      if (exists(buf)) {
        char *r = realpath(buf, NULL);
        if (r) {
          snprintf(buf, sizeof buf, "%s", r);
          free(r);
        }
        return buf;
      }
    }
  }
  return SPCC_INSTALL_RTLIB;
}
