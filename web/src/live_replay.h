/* pa_replay — a kept live's recording becomes a replay (issue 24).
 *
 * Janus's VideoRoom records each publisher's streams into the room's folder as
 * MJR files ("videoroom-<room>-user-<feed>-<µs>-<video|audio>-<mindex>.mjr");
 * a broadcaster who reconnected published under a new feed id, so one live
 * may leave several segments. pa_replay_build turns the folder into one
 * metadata-free VP8 + Opus WebM and a poster JPEG with Debian's janus-pp-rec
 * and ffmpeg (run with posix_spawnp and an argv, never a shell). The replay
 * worker (pa_replay_start) does that for every live kept by its broadcaster
 * and makes the result a reel of kind "replay" (web/README.md, "Lives"). */
#ifndef PA_LIVE_REPLAY_H
#define PA_LIVE_REPLAY_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum {
  /* One program (a janus-pp-rec or ffmpeg run) may take this long; it is
   * killed past it and the build fails. An hour of VP8 copies in seconds. */
  PA_REPLAY_STEP_S = 600,
  /* Segments (publishing sessions) one replay joins; a live with more is refused. */
  PA_REPLAY_MAX_SEGMENTS = 64,
  /* Recordings one folder may hold: a video and an audio file per segment. */
  PA_REPLAY_MAX_FILES = 2 * PA_REPLAY_MAX_SEGMENTS,
  /* The worker's round when nobody wakes it (lives kept while it was busy). */
  PA_REPLAY_TICK_S = 60,
  /* A video and an audio file of one feed belong together when Janus opened
   * them this close together (it opens one per stream, microseconds apart). */
  PA_REPLAY_PAIR_US = 10 * 1000 * 1000
};
/* The replay's WebM may be this large (768 MiB): an hour at PA_LIVE_BITRATE
 * (1 Mbit/s) is 450 MB, so a longer or richer one is refused, not stored. */
#define PA_REPLAY_MAX_BYTES (768LL * 1024 * 1024)

typedef struct pa_replay_out {
  char video[PATH_MAX];  /* work_dir/replay.webm: VP8 + Opus, scrubbed */
  char poster[PATH_MAX]; /* work_dir/poster.jpg: a frame at min(1 s, half the length) */
  int64_t duration_ms;   /* what the WebM states */
  int64_t video_bytes;
  int segments; /* publishing sessions joined, in time order */
} pa_replay_out;

/* A recording's name as VideoRoom gives it without a base name:
 * "videoroom-<room>-user-<feed>-<µs>-<video|audio>-<mindex>.mjr". */
typedef struct pa_replay_name {
  char name[256];
  unsigned long long feed;
  long long ts; /* microseconds since 1970, when Janus opened the file; < 2^62 */
  int video;    /* 1 video, 0 audio */
} pa_replay_name;
/* 0 with *out, or -1 for any other name (data channels, other shapes: not
 * ours). Pure (fuzzed). */
int pa_replay_parse_name(const char *name, pa_replay_name *out);

/* ffmpeg writes its name as the WebM's MuxingApp and WritingApp even when
 * bitexact ("Lavf"), which players show as the file's "encoder" tag: each
 * becomes a Void element of the same length, in place, so no byte moves and
 * a replay states nothing about how it was made. Walks only the EBML header,
 * the Segment's start and its Info, bounds-checked; anything unexpected
 * leaves the bytes as they are (pa_blob_scrub_video checks the whole file
 * after it). Pure (fuzzed). */
void pa_replay_void_apps(unsigned char *d, size_t len);

/* 1 when a replay of bytes may be kept (≤ PA_REPLAY_MAX_BYTES), else 0. */
int pa_replay_size_ok(int64_t bytes);

/* Runs argv (argv[0] found on PATH, no shell) with stdin from /dev/null and
 * stdout and stderr into the file log, killing it past limit_s seconds or
 * once pa_replay_cancel(1) was called. 0 when it exited 0; -1 with a
 * printable reason in err (its last line of output included). */
int pa_replay_run(const char *const argv[], const char *log, int limit_s, char *err, size_t cap);

/* Builds the replay of the recordings in rec_dir into work_dir (created if
 * missing; its intermediate files are removed, replay.webm and poster.jpg
 * stay). 0 on success with *out filled; -1 with a printable reason in err
 * (no recording, a program failing or running past PA_REPLAY_STEP_S, a file
 * too large, a WebM the core cannot walk). rec_dir is never changed. */
int pa_replay_build(const char *rec_dir, const char *work_dir, pa_replay_out *out, char *err,
                    size_t cap);

/* Deletes the folder dir and the plain files in it (a live's raw recording:
 * Janus writes no subfolders). 0, or -1 with errno. */
int pa_replay_remove_dir(const char *dir);

/* ---- the worker (started and stopped with the server, srv.c) */
struct pa_srv;
typedef struct pa_replay_worker pa_replay_worker;
/* Starts the thread with its own connection to the database at db_where:
 * at once it takes every live whose replay is pending or processing (a
 * restart mid-build builds again). media is the media store (mstore.h,
 * borrowed: it outlives the worker), rec_root
 * PA_JANUS_REC_DIR (NULL or "": replays off, nothing starts). NULL when it
 * could not start (logged). The caller stops it with pa_replay_stop (before
 * the transport: a replay made is told through the sockets) and frees it
 * with pa_replay_free once no request can wake it. */
struct pa_mstore;
pa_replay_worker *pa_replay_start(const struct pa_srv *srv, const char *db_where,
                                  struct pa_mstore *media, const char *rec_root);
void pa_replay_stop(pa_replay_worker *w); /* the step under way killed, the thread joined */
void pa_replay_free(pa_replay_worker *w); /* stops it if need be; NULL is fine */
/* While on, a program pa_replay_build runs is killed at once and the build
 * fails (pa_replay_stop uses it so stopping never waits on ffmpeg). */
void pa_replay_cancel(int on);
/* Wakes srv's replay worker: a live was just ended with keep (api/live.c). */
void pa_replay_wake(const struct pa_srv *srv);

/* `petamigos-server replay build REC_DIR OUT_DIR`: the operator rebuilds a
 * replay from a folder; prints the duration and the files. Exit code. */
int pa_replay_cli(int argc, char **argv);

#endif
