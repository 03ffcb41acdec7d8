// The page's one signed-in socket (issue 23, contract §6/§7; issue 24 §7): the
// chat relay's endpoint opened *without* `?device=`, which the server upgrades
// for any signed-in session as a device-less socket (no chat frames, only
// `support.*` and `live.*`). The chat engine's own socket is separate; this one
// carries the person's support conversation, the agents' inbox and the live
// viewer alike, so a page never holds two. It opens with the first listener
// and closes with the last, and reconnects with ChatSocket's growing delay
// (0.5 s … 10 s, at once when the browser is online again). Frames missed
// while it was down are not replayed by the server: each listener's onOpen is
// called on every (re)open so it reads the server again (or joins again).
import { wsUrl } from '../api.js';
import { ChatSocket } from '../chat/socket.js';

const listeners = new Set(); // {prefix, onFrame, onOpen}
let socket = null;
let open = false;

const url = () => wsUrl('/api/v1/chat/socket');

// The prefix a frame is for: its type's, except the socket's plain error
// frames, which belong to the live listeners when they name a live.
function kindOf(frame) {
  if (typeof frame?.type !== 'string') return null;
  if (frame.type === 'error' && typeof frame.live === 'string') return 'live.';
  return frame.type;
}

function dispatch(frame) {
  const kind = kindOf(frame);
  if (!kind) return;
  for (const l of [...listeners]) if (kind.startsWith(l.prefix)) l.onFrame?.(frame);
}

function state(isOpen) {
  open = isOpen;
  document.documentElement.dataset.supportSocket = isOpen ? 'open' : 'closed';
  if (!isOpen) return;
  for (const l of [...listeners]) l.onOpen?.();
}

// listen({prefix = 'support.', onFrame(frame), onOpen()}) → stop(): frames
// whose type starts with prefix (error frames carrying `live` count as
// `live.`); onOpen at once when the socket is already open, and after every
// reconnection.
export function listen({ prefix = 'support.', onFrame, onOpen } = {}) {
  const listener = { prefix, onFrame, onOpen };
  listeners.add(listener);
  if (!socket) {
    socket = new ChatSocket(url(), dispatch, state);
    socket.connect();
  } else if (open) {
    listener.onOpen?.();
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size || !socket) return;
    socket.stop();
    socket = null;
    open = false;
    document.documentElement.dataset.supportSocket = 'closed';
  };
}

// send(frame) → true when written, false when the socket is not open (the
// caller keeps or drops the frame; nothing is queued here).
export function send(frame) {
  return socket ? socket.send(frame) : false;
}

export const isOpen = () => open;
