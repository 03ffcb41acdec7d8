/* Part of pa_demo: reels. Frames go to ffmpeg over a pipe; no shell is
 * involved (fork + execvp with a fixed argument list). */
#include "seed_video.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_quiet(char *const argv[], int in_fd) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    /* dup2 clears close-on-exec on 0 and 1; the pipe's write end closes. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(in_fd >= 0 ? in_fd : null, 0);
    dup2(null, 1);
    execvp(argv[0], argv);
    _exit(127);
  }
  return pid;
}

int pa_demo_have_ffmpeg(void) {
  char *const argv[] = {"ffmpeg", "-hide_banner", "-loglevel", "quiet", "-version", NULL};
  int pid = run_quiet(argv, -1), status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int read_file(const char *path, unsigned char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  *out = NULL;
  if (!f) return -1;
  if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || !(*out = malloc((size_t)st.st_size))) {
    fclose(f);
    return -1;
  }
  *len = fread(*out, 1, (size_t)st.st_size, f);
  fclose(f);
  if (*len != (size_t)st.st_size) {
    free(*out);
    *out = NULL;
    return -1;
  }
  return 0;
}

/* The pose at time t seconds: hops of 0.6 s with a rest between, and a
 * little tilt at the top of each, as a happy pet does. */
static pa_art_pose hop_pose(double t) {
  const double period = 1.0, air = 0.6;
  double u = fmod(t, period) / air;
  pa_art_pose p = {0, 0};
  if (u < 1) {
    p.lift = (float)(4.0 * 9.0 * u * (1 - u)); /* a parabola 9 units high */
    p.tilt = (float)(0.12 * sin(u * 2 * M_PI));
  }
  return p;
}

int pa_demo_reel(const pa_art_pet *pet, uint32_t seed, int w, int h, int fps, int seconds,
                 const char *tmpdir, unsigned char *poster, pa_demo_clip *out, char *err,
                 size_t errlen) {
  char mp4[4096], webm[4096], size[32], rate[16];
  int fds[2], rc = -1;
  memset(out, 0, sizeof *out);
  pa_art_scene scene = {seed, PA_ART_FRAME_POST};
  pa_art_pose rest = {0, 0};
  if (pa_art_render_pet_pose(pet, &scene, &rest, poster, w, h) != PA_ART_OK) {
    snprintf(err, errlen, "reel: cannot draw %dx%d", w, h);
    return -1;
  }
  unsigned char *frame = malloc((size_t)w * h * 3);
  snprintf(mp4, sizeof mp4, "%s/.reel-%u-%d.mp4", tmpdir, seed, (int)getpid());
  snprintf(webm, sizeof webm, "%s/.reel-%u-%d.webm", tmpdir, seed, (int)getpid());
  snprintf(size, sizeof size, "%dx%d", w, h);
  snprintf(rate, sizeof rate, "%d", fps);
  /* Bit-exact, single-threaded encodes: the same frames give the same bytes. */
  /* clang-format off */
  char *const argv[] = {"ffmpeg",
                        "-hide_banner",
                        "-loglevel",
                        "error",
                        "-y",
                        "-f",
                        "rawvideo",
                        "-pix_fmt",
                        "rgb24",
                        "-s",
                        size,
                        "-r",
                        rate,
                        "-i",
                        "pipe:0",
                        "-map_metadata",
                        "-1",
                        "-fflags",
                        "+bitexact",
                        "-flags:v",
                        "+bitexact",
                        "-c:v",
                        "libx264",
                        "-preset",
                        "veryfast",
                        "-crf",
                        "26",
                        "-threads",
                        "1",
                        "-pix_fmt",
                        "yuv420p",
                        "-movflags",
                        "+faststart",
                        mp4,
                        "-map_metadata",
                        "-1",
                        "-fflags",
                        "+bitexact",
                        "-flags:v",
                        "+bitexact",
                        "-c:v",
                        "libvpx",
                        "-deadline",
                        "realtime",
                        /* Negative: a fixed speed. A positive one in realtime
                         * mode lets VP8 pick its speed from the wall clock, so
                         * a busy machine seeded different bytes. */
                        "-cpu-used",
                        "-8",
                        "-b:v",
                        "700k",
                        "-threads",
                        "1",
                        "-pix_fmt",
                        "yuv420p",
                        webm,
                        NULL};
  /* clang-format on */
  if (!frame || pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
      fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
    snprintf(err, errlen, "reel: %s", frame ? strerror(errno) : "out of memory");
    free(frame);
    return -1;
  }
  int pid = run_quiet(argv, fds[0]);
  close(fds[0]);
  /* A dead encoder must not kill us with SIGPIPE. */
  void (*old)(int) = signal(SIGPIPE, SIG_IGN);
  int frames = fps * seconds, wrote = pid > 0;
  for (int t = 0; t < frames && wrote; t++) {
    pa_art_pose pose = hop_pose((double)t / fps);
    if (pa_art_render_pet_pose(pet, &scene, &pose, frame, w, h) != PA_ART_OK) break;
    size_t left = (size_t)w * h * 3;
    const unsigned char *p = frame;
    while (left > 0) {
      ssize_t n = write(fds[1], p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        wrote = 0;
        break;
      }
      p += n;
      left -= (size_t)n;
    }
  }
  close(fds[1]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  signal(SIGPIPE, old);
  free(frame);
  if (pid > 0 && wrote && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
      read_file(mp4, &out->mp4, &out->mp4_len) == 0 &&
      read_file(webm, &out->webm, &out->webm_len) == 0) {
    rc = 0;
  } else {
    snprintf(err, errlen, "reel: ffmpeg failed (exit %d)",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    free(out->mp4);
    free(out->webm);
    memset(out, 0, sizeof *out);
  }
  unlink(mp4);
  unlink(webm);
  return rc;
}
