// How a server the tests started must end: stopped by the one signal the
// harness sends (SIGTERM), it exits 0 on its own (web/src/main.c), and its
// stderr holds no sanitizer report. The native-debug build runs under ASan
// (with LeakSanitizer, which reports only when main returns) and UBSan
// (-fno-sanitize-recover: a report also ends the process with status 1), so
// a leak, an overflow or undefined behaviour anywhere in a test's requests
// shows up here even when every HTTP answer looked right. Used by
// tests/lib/server.mjs (browser tests, benchmarks) and tests/server/helpers.mjs.

// What a sanitizer prints when it finds something: "ERROR: AddressSanitizer",
// "ERROR: LeakSanitizer" (any "ERROR: " heads a sanitizer report; the server
// itself never prints it), UBSan's "runtime error:".
export const SANITIZER_MARKERS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:', 'ERROR: '];

// The signal the harnesses stop a server with, and how long it may take to
// exit after it (a hung server is then killed, and reported).
export const STOP_SIGNAL = 'SIGTERM';
export const STOP_GRACE_MS = 30_000;

/** The sanitizer markers stderr contains (empty when clean). */
export function sanitizerReports(stderr) {
  return SANITIZER_MARKERS.filter((m) => stderr.includes(m));
}

/**
 * What is wrong with how a server ended, as sentences (empty when it ended
 * cleanly). exit: {code, signal} as child_process reports it; stopped: whether
 * the harness had sent STOP_SIGNAL (an exit before that is a crash, whatever
 * its status); killed: whether it had to be killed after STOP_GRACE_MS.
 */
export function exitProblems({ exit, stderr, stopped = true, killed = false }) {
  const problems = [];
  if (!stopped) problems.push(`exited by itself while the tests ran (${exit.signal ?? `status ${exit.code}`})`);
  else if (killed) problems.push(`did not exit within ${STOP_GRACE_MS / 1000} s of ${STOP_SIGNAL}; killed`);
  else if (exit.signal) problems.push(`ended by ${exit.signal}${exit.signal === STOP_SIGNAL ? ' (it did not handle it: no clean exit, no leak check)' : ''}`);
  else if (exit.code !== 0) problems.push(`exited with status ${exit.code}`);
  for (const m of sanitizerReports(stderr)) problems.push(`stderr has a sanitizer report ("${m}")`);
  return problems;
}

/** Throws (naming what, the problems and stderr's tail) unless the server ended cleanly. */
export function assertCleanExit(what, ended) {
  const problems = exitProblems(ended);
  if (problems.length) {
    throw new Error(`${what}: ${problems.join('; ')}\n--- its stderr (last 6000 characters):\n${ended.stderr.slice(-6000)}`);
  }
}
