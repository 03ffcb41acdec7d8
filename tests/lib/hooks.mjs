// The app's test hooks, which production pages never have: shell/feed.js
// exports its image-decode counters (mediaStats) and a frame timer
// (timeFrames), and only a test or a benchmark publishes them on the page's
// window, by importing the feed's module (the app's own instance: one module
// per URL) from the page:
//   window.paMedia.stats   the decode counters (live)
//   window.paFrameTimes()  the core's frame times in ms (when asked: frames)
// tests/browser/feed.test.mjs checks that a page without them has neither.

// For every page the context opens, from its start (survives reloads). The
// import waits until the document is parsed: app.js, a module script, has
// run by then, so no second copy of the feed starts.
export function installTestHooks(context, { frames = false } = {}) {
  return context.addInitScript((timeFrames) => {
    addEventListener('DOMContentLoaded', () => {
      if (!document.getElementById('canvas')) return; // not the app (an embed, a partner page)
      import('/feed.js').then((m) => {
        window.paMedia = { stats: m.mediaStats };
        if (timeFrames) window.paFrameTimes = m.timeFrames();
      });
    });
  }, frames);
}

// For a page already loaded: the counters from now on (they count from the start).
export function exposeTestHooks(page) {
  return page.evaluate(async () => {
    const m = await import('/feed.js');
    window.paMedia = { stats: m.mediaStats };
  });
}

// The live viewer's video as getStats reads it (issue 24): shell/live/watch.js
// lists the page's watches (activeWatches()); the page's own module instance
// is imported, as /feed.js is above, so nothing is published on window.
// → {state, framesDecoded, feed} of the first watch, or null when none runs.
export function liveWatchStats(page) {
  return page.evaluate(async () => {
    const { activeWatches } = await import('/live/watch.js');
    const w = activeWatches()[0];
    if (!w) return null;
    const stats = [...(await w.pc.getStats()).values()];
    const video = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    return { state: w.state, feed: w.feed, framesDecoded: video?.framesDecoded ?? 0 };
  });
}
