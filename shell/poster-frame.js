// A reel's poster: a frame of its video, taken by the browser (compose.js
// for reels, ads-campaign.js for an ad that is a reel). Loaded on demand
// with them.
// The frame at 0.5 s (or the middle of a shorter clip) as a PNG, and the
// length the browser reads (seconds; Infinity for a MediaRecorder WebM), or
// null when this browser cannot play the file.
export function posterFrame(blob) {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    const url = URL.createObjectURL(blob);
    const done = (v) => {
      URL.revokeObjectURL(url);
      video.removeAttribute('src');
      video.load();
      resolve(v);
    };
    video.muted = true;
    video.preload = 'auto';
    video.onerror = () => done(null);
    video.onloadeddata = () => {
      video.currentTime = Math.min(0.5, (video.duration || 0) / 2);
    };
    video.onseeked = () => {
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      if (!canvas.width || !canvas.height) return done(null);
      canvas.getContext('2d').drawImage(video, 0, 0);
      canvas.toBlob((png) => done(png && { png, duration: video.duration }), 'image/png');
    };
    video.src = url;
  });
}
