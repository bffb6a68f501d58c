/* cli_files.c - atomic output files: nothing partial is ever left behind.
 * Output goes to a temporary file in the destination's directory (so the
 * rename cannot cross file systems) and is renamed only on success. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

bool cli_outfile_open(cli_outfile *o, const char *path, spcc_diag *d) {
  memset(o, 0, sizeof o[0]);
  size_t n = strlen(path);
  o->path = strdup(path);
  o->tmp = malloc(n + 16);
  if (!o->path || !o->tmp) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  snprintf(o->tmp, n + 16, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    spcc_error(d, path, NULL, "cannot create output file: %s", strerror(errno));
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof o[0]);
    return false;
  }
  o->f = fdopen(fd, "wb");
  if (!o->f) {
    close(fd);
    unlink(o->tmp);
    spcc_error(d, path, NULL, "cannot write output file: %s", strerror(errno));
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof o[0]);
    return false;
  }
  return true;
}

bool cli_outfile_commit(cli_outfile *o, spcc_diag *d) {
  bool ok = !ferror(o->f);
  ok = (fclose(o->f) == 0) && ok;
  o->f = NULL;
  if (ok && rename(o->tmp, o->path) != 0) ok = false;
  if (!ok) {
    spcc_error(d, o->path, NULL, "cannot write output file: %s", strerror(errno));
    unlink(o->tmp);
  }
  free(o->path);
  free(o->tmp);
  o->path = o->tmp = NULL;
  return ok;
}

void cli_outfile_abort(cli_outfile *o) {
  if (o->f) fclose(o->f);
  if (o->tmp) unlink(o->tmp);
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof o[0]);
}
