/* pa_replay — the replay pipeline: a room's MJR files → janus-pp-rec → ffmpeg
 * (copy, no re-encoding where the segments allow) → a scrubbed WebM and a
 * poster. The worker half is in live_replay_worker.c. */
#include "live_replay.h"

#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Set while the server stops: the step under way is killed at once. */
static atomic_int cancelled;

void pa_replay_cancel(int on) { atomic_store(&cancelled, on); }

int pa_replay_size_ok(int64_t bytes) { return bytes >= 0 && bytes <= PA_REPLAY_MAX_BYTES; }

/* Copies s into out with anything but printable ASCII as '?', so a program's
 * output can go into a log line or an error answer as it is. */
static void printable(const char *s, char *out, size_t cap) {
  size_t n = 0;
  if (!cap) return;
  for (; *s && n + 1 < cap; s++) out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
  out[n] = '\0';
}

/* The last non-empty line of the log file at path (a program's own words on
 * why it failed), printable, into out. */
static void last_line(const char *path, char *out, size_t cap) {
  char buf[512] = "";
  out[0] = '\0';
  FILE *f = fopen(path, "rb");
  if (!f) return;
  long at = 0;
  if (fseek(f, 0, SEEK_END) == 0 && (at = ftell(f)) > (long)sizeof buf - 1)
    fseek(f, at - (long)(sizeof buf - 1), SEEK_SET);
  else
    fseek(f, 0, SEEK_SET);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = '\0';
  char *line = strrchr(buf, '\n');
  printable(line ? line + 1 : buf, out, cap);
}

/* The program's name for messages: argv[0]'s last part. */
static const char *prog_name(const char *argv0) {
  const char *slash = strrchr(argv0, '/');
  return slash ? slash + 1 : argv0;
}

/* Signals blocked by the server's threads are unblocked in the child, so it
 * stops like any program. */
int pa_replay_run(const char *const argv[], const char *log, int limit_s, char *err, size_t cap) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, dflt;
  pid_t pid;
  sigemptyset(&none);
  sigemptyset(&dflt);
  sigaddset(&dflt, SIGINT);
  sigaddset(&dflt, SIGTERM);
  sigaddset(&dflt, SIGPIPE);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &dflt);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (rc != 0) {
    snprintf(err, cap, "cannot run %s: %s", prog_name(argv[0]), strerror(rc));
    return -1;
  }
  struct timespec start, now, nap = {0, 20 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  int status = 0;
  for (;;) {
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) break;
    if (got < 0 && errno != EINTR) {
      snprintf(err, cap, "waiting for %s: %s", prog_name(argv[0]), strerror(errno));
      return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    int stop = atomic_load(&cancelled);
    long long ms = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (stop || ms >= limit_s * 1000LL) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (stop)
        snprintf(err, cap, "%s was stopped: the server is stopping", prog_name(argv[0]));
      else
        snprintf(err, cap, "%s ran past %d s and was stopped", prog_name(argv[0]), limit_s);
      return -1;
    }
    nanosleep(&nap, NULL);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  char why[200];
  last_line(log, why, sizeof why);
  if (WIFEXITED(status))
    snprintf(err, cap, "%s failed (exit %d): %s", prog_name(argv[0]), WEXITSTATUS(status), why);
  else
    snprintf(err, cap, "%s died (signal %d): %s", prog_name(argv[0]),
             WIFSIGNALED(status) ? WTERMSIG(status) : 0, why);
  return -1;
}

/* ---- the room's files */

typedef pa_replay_name rec_file;

typedef struct segment {
  const rec_file *video, *audio; /* audio NULL: silence is added */
} segment;

static int by_time(const void *a, const void *b) {
  const rec_file *x = a, *y = b;
  return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* The folder's recordings in time order (*files, the caller frees it). */
static int list_files(const char *dir, rec_file **files, int *n, char *err, size_t cap) {
  DIR *d = opendir(dir);
  *files = NULL, *n = 0;
  if (!d) {
    snprintf(err, cap, "cannot open the recording folder: %s", strerror(errno));
    return -1;
  }
  int room = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    rec_file f;
    if (pa_replay_parse_name(e->d_name, &f) != 0) continue;
    if (*n == room) {
      room = room ? room * 2 : 16;
      rec_file *more = realloc(*files, room * sizeof f);
      if (!more) {
        closedir(d);
        snprintf(err, cap, "out of memory");
        return -1;
      }
      *files = more;
    }
    if (*n == PA_REPLAY_MAX_FILES) {
      closedir(d);
      snprintf(err, cap, "more than %d recordings in the folder", PA_REPLAY_MAX_FILES);
      return -1;
    }
    (*files)[(*n)++] = f;
  }
  closedir(d);
  if (*n) qsort(*files, *n, sizeof **files, by_time);
  return 0;
}

/* Each video file starts a segment; the audio Janus opened with it (same
 * feed, within PA_REPLAY_PAIR_US) joins it. Audio alone is not a replay. */
static int make_segments(const rec_file *f, int n, segment *seg, int *nseg, char *err, size_t cap) {
  *nseg = 0;
  for (int i = 0; i < n; i++) {
    if (!f[i].video) continue;
    if (*nseg == PA_REPLAY_MAX_SEGMENTS) {
      snprintf(err, cap, "more than %d segments", PA_REPLAY_MAX_SEGMENTS);
      return -1;
    }
    seg[(*nseg)++] = (segment){&f[i], NULL};
  }
  for (int i = 0; i < n; i++) {
    if (f[i].video) continue;
    segment *best = NULL;
    long long gap = PA_REPLAY_PAIR_US + 1LL;
    for (int s = 0; s < *nseg; s++) {
      long long d = llabs(seg[s].video->ts - f[i].ts);
      if (seg[s].video->feed == f[i].feed && !seg[s].audio && d < gap) best = &seg[s], gap = d;
    }
    if (best) best->audio = &f[i];
  }
  if (*nseg == 0) {
    snprintf(err, cap, "no video recording in the folder");
    return -1;
  }
  return 0;
}

/* ---- the steps */

typedef struct job {
  const char *rec_dir, *work_dir;
  char *err;
  size_t cap;
  char log[PATH_MAX];
} job;

static void path_in(char *out, const char *dir, const char *name) {
  snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

/* Every ffmpeg step: no questions, errors only, overwriting the step's own
 * output (a step built again after a stop). */
#define PA_REPLAY_FFMPEG "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"

/* ffmpeg's options that keep every container-level trace out: no metadata,
 * chapters or encoder strings (bitexact), so two runs write the same bytes. */
#define PA_REPLAY_CLEAN                                                                            \
  "-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",   \
      "-flags:a", "+bitexact"

static int pp_rec(job *j, const rec_file *f, const char *out) {
  char in[PATH_MAX];
  path_in(in, j->rec_dir, f->name);
  const char *argv[] = {"janus-pp-rec", "-o", "-d", "3", in, out, NULL};
  struct stat st;
  if (pa_replay_run(argv, j->log, PA_REPLAY_STEP_S, j->err, j->cap) == 0) {
    /* It exits 0 on a file with no packets, writing nothing. */
    if (stat(out, &st) == 0 && st.st_size > 0) return 0;
    snprintf(j->err, j->cap, "janus-pp-rec found no media");
  }
  size_t n = strlen(j->err);
  snprintf(j->err + n, j->cap - n, " [%s]", f->name);
  return -1;
}

/* One segment: its video and audio (or silence) into out, copied. */
static int mux_segment(job *j, int i, const segment *s, const char *out) {
  char v[PATH_MAX], a[PATH_MAX], name[32];
  snprintf(name, sizeof name, "s%d-video.webm", i);
  path_in(v, j->work_dir, name);
  snprintf(name, sizeof name, "s%d-audio.opus", i);
  path_in(a, j->work_dir, name);
  if (pp_rec(j, s->video, v) != 0 || (s->audio && pp_rec(j, s->audio, a) != 0)) return -1;
  int rc;
  if (s->audio) {
    const char *argv[] = {
        PA_REPLAY_FFMPEG, "-i", v,      "-i", a,   "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
        PA_REPLAY_CLEAN,  "-f", "webm", out,  NULL};
    rc = pa_replay_run(argv, j->log, PA_REPLAY_STEP_S, j->err, j->cap);
  } else {
    /* A segment without sound still needs an audio track for the join. */
    const char *argv[] = {PA_REPLAY_FFMPEG,
                          "-i",
                          v,
                          "-f",
                          "lavfi",
                          "-i",
                          "anullsrc=r=48000:cl=stereo",
                          "-map",
                          "0:v:0",
                          "-map",
                          "1:a:0",
                          "-c:v",
                          "copy",
                          "-c:a",
                          "libopus",
                          "-shortest",
                          PA_REPLAY_CLEAN,
                          "-f",
                          "webm",
                          out,
                          NULL};
    rc = pa_replay_run(argv, j->log, PA_REPLAY_STEP_S, j->err, j->cap);
  }
  unlink(v);
  unlink(a);
  return rc;
}

/* Joins the segments' files (in order) into out with the concat demuxer. */
static int join(job *j, int nseg, const char *out) {
  char list[PATH_MAX];
  path_in(list, j->work_dir, "segments.txt");
  FILE *f = fopen(list, "w");
  if (!f) {
    snprintf(j->err, j->cap, "cannot write the segment list: %s", strerror(errno));
    return -1;
  }
  for (int i = 0; i < nseg; i++) fprintf(f, "file 's%d.webm'\n", i);
  if (fclose(f) != 0) {
    snprintf(j->err, j->cap, "cannot write the segment list");
    return -1;
  }
  const char *argv[] = {PA_REPLAY_FFMPEG,
                        "-f",
                        "concat",
                        "-safe",
                        "0",
                        "-i",
                        list,
                        "-map",
                        "0:v:0",
                        "-map",
                        "0:a:0",
                        "-c",
                        "copy",
                        PA_REPLAY_CLEAN,
                        "-f",
                        "webm",
                        out,
                        NULL};
  int rc = pa_replay_run(argv, j->log, PA_REPLAY_STEP_S, j->err, j->cap);
  unlink(list);
  return rc;
}

/* Reads the whole file at path (at most max bytes): *data (malloc'd, the
 * caller frees it) and *len. */
static int slurp(const char *path, int64_t max, unsigned char **data, size_t *len, char *err,
                 size_t cap) {
  struct stat st;
  *data = NULL;
  if (stat(path, &st) != 0) {
    snprintf(err, cap, "cannot read %s: %s", strrchr(path, '/') + 1, strerror(errno));
    return -1;
  }
  if ((int64_t)st.st_size > max) {
    snprintf(err, cap, "the replay is %lld bytes, over the limit of %lld", (long long)st.st_size,
             (long long)max);
    return -1;
  }
  FILE *f = fopen(path, "rb");
  *data = malloc(st.st_size ? (size_t)st.st_size : 1);
  *len = f && *data ? fread(*data, 1, (size_t)st.st_size, f) : 0;
  if (f) fclose(f);
  if (!*data || *len != (size_t)st.st_size) {
    free(*data);
    *data = NULL;
    snprintf(err, cap, "cannot read %s", strrchr(path, '/') + 1);
    return -1;
  }
  return 0;
}

static int spill(const char *path, const unsigned char *data, size_t len, char *err, size_t cap) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    if (f) fclose(f);
    snprintf(err, cap, "cannot write %s", strrchr(path, '/') + 1);
    return -1;
  }
  return 0;
}

/* The WebM through the same scrubber as every uploaded reel; its duration. */
static int scrub(job *j, pa_replay_out *out) {
  unsigned char *data;
  size_t len;
  char msg[160];
  struct stat st;
  if (stat(out->video, &st) == 0 && !pa_replay_size_ok((int64_t)st.st_size)) {
    snprintf(j->err, j->cap, "the replay is %lld bytes, over the limit of %lld",
             (long long)st.st_size, (long long)PA_REPLAY_MAX_BYTES);
    return -1;
  }
  if (slurp(out->video, PA_REPLAY_MAX_BYTES, &data, &len, j->err, j->cap) != 0) return -1;
  pa_replay_void_apps(data, len);
  int rc = pa_blob_scrub_video(data, len, &out->duration_ms, msg, sizeof msg);
  if (rc == 0 && out->duration_ms <= 0) rc = -1;
  if (rc != 0) {
    free(data);
    snprintf(j->err, j->cap, "the replay's WebM was refused: %s", msg);
    return -1;
  }
  rc = spill(out->video, data, len, j->err, j->cap);
  free(data);
  out->video_bytes = (int64_t)len;
  return rc;
}

/* A frame at min(1 s, half the length) as a JPEG, then cleaned like an
 * uploaded image (ffmpeg's JFIF comment and the like go). */
static int poster(job *j, pa_replay_out *out) {
  int64_t at = out->duration_ms / 2 < 1000 ? out->duration_ms / 2 : 1000;
  char ss[32];
  snprintf(ss, sizeof ss, "%lld.%03lld", (long long)(at / 1000), (long long)(at % 1000));
  const char *argv[] = {
      PA_REPLAY_FFMPEG, "-ss", ss,       "-i",   out->video, "-frames:v", "1", "-an", "-q:v", "3",
      PA_REPLAY_CLEAN,  "-f",  "image2", "-c:v", "mjpeg",    out->poster, NULL};
  if (pa_replay_run(argv, j->log, PA_REPLAY_STEP_S, j->err, j->cap) != 0) return -1;
  unsigned char *data, *clean = NULL;
  size_t len, clean_len = 0;
  pa_blob_info info;
  pa_blob_cleaning how;
  char msg[160] = "";
  if (slurp(out->poster, PA_BLOB_IMAGE_BYTES, &data, &len, j->err, j->cap) != 0) return -1;
  int rc = pa_blob_sniff(data, len, &info);
  if (rc == PA_BLOB_OK && info.kind != PA_BLOB_JPEG) rc = PA_BLOB_EFORMAT;
  if (rc == PA_BLOB_OK)
    rc = pa_blob_clean_image(data, len, &info, &how, &clean, &clean_len, msg, sizeof msg);
  if (rc != PA_BLOB_OK) {
    free(data);
    snprintf(j->err, j->cap, "the poster was refused: %s %s", pa_blob_errstr(rc), msg);
    return -1;
  }
  rc = how == PA_BLOB_KEPT ? 0 : spill(out->poster, clean, clean_len, j->err, j->cap);
  free(clean);
  free(data);
  return rc;
}

int pa_replay_build(const char *rec_dir, const char *work_dir, pa_replay_out *out, char *err,
                    size_t cap) {
  job j = {rec_dir, work_dir, err, cap, ""};
  rec_file *files = NULL;
  segment seg[PA_REPLAY_MAX_SEGMENTS];
  int n = 0, nseg = 0, rc = -1;
  memset(out, 0, sizeof *out);
  if (mkdir(work_dir, 0700) != 0 && errno != EEXIST) {
    snprintf(err, cap, "cannot make the work folder: %s", strerror(errno));
    return -1;
  }
  path_in(j.log, work_dir, "step.log");
  path_in(out->video, work_dir, "replay.webm");
  path_in(out->poster, work_dir, "poster.jpg");
  if (list_files(rec_dir, &files, &n, err, cap) != 0 ||
      make_segments(files, n, seg, &nseg, err, cap) != 0)
    goto done;
  out->segments = nseg;
  if (nseg == 1) {
    if (mux_segment(&j, 0, &seg[0], out->video) != 0) goto done;
  } else {
    char part[PATH_MAX], name[32];
    int i = 0;
    for (; i < nseg; i++) {
      snprintf(name, sizeof name, "s%d.webm", i);
      path_in(part, work_dir, name);
      if (mux_segment(&j, i, &seg[i], part) != 0) break;
    }
    int joined = i == nseg && join(&j, nseg, out->video) == 0;
    for (int k = 0; k < nseg; k++) {
      snprintf(name, sizeof name, "s%d.webm", k);
      path_in(part, work_dir, name);
      unlink(part);
    }
    if (!joined) goto done;
  }
  if (scrub(&j, out) != 0 || poster(&j, out) != 0) goto done;
  rc = 0;
done:
  free(files);
  unlink(j.log);
  if (rc != 0) {
    unlink(out->video);
    unlink(out->poster);
  }
  return rc;
}

int pa_replay_remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return errno == ENOENT ? 0 : -1;
  struct dirent *e;
  char path[PATH_MAX];
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  return rmdir(dir);
}

int pa_replay_cli(int argc, char **argv) {
  static const char usage[] = "usage: petamigos-server replay build REC_DIR OUT_DIR\n"
                              "  Rebuilds a kept live's replay from its recording folder.\n";
  if (argc != 4 || strcmp(argv[1], "build") != 0) {
    fputs(usage, argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
  }
  pa_replay_out out;
  char err[512];
  if (pa_replay_build(argv[2], argv[3], &out, err, sizeof err) != 0) {
    fprintf(stderr, "replay: %s\n", err);
    return 1;
  }
  printf("duration_ms %lld\nsegments %d\nvideo %s (%lld bytes)\nposter %s\n",
         (long long)out.duration_ms, out.segments, out.video, (long long)out.video_bytes,
         out.poster);
  return 0;
}
