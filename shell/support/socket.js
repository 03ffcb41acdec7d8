// The page's one support socket (issue 23, contract §6/§7): the chat relay's
// endpoint opened *without* `?device=`, which the server upgrades for any
// signed-in session as a support-only socket (no chat frames, only
// `support.*`). The chat engine's own socket is separate; this one carries
// the person's conversation and the agents' inbox alike, so a page never
// holds two. It opens with the first listener and closes with the last, and
// reconnects with ChatSocket's growing delay (0.5 s … 10 s, at once when the
// browser is online again). Frames missed while it was down are not replayed
// by the server: each listener's onOpen is called on every (re)open so it
// reads the server again.
import { ChatSocket } from '../chat/socket.js';

const listeners = new Set(); // {onFrame, onOpen}
let socket = null;
let open = false;

const url = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/chat/socket`;

function dispatch(frame) {
  if (typeof frame?.type !== 'string' || !frame.type.startsWith('support.')) return;
  for (const l of [...listeners]) l.onFrame?.(frame);
}

function state(isOpen) {
  open = isOpen;
  document.documentElement.dataset.supportSocket = isOpen ? 'open' : 'closed';
  if (!isOpen) return;
  for (const l of [...listeners]) l.onOpen?.();
}

// listen({onFrame(frame), onOpen()}) → stop(): frames whose type starts with
// `support.`; onOpen at once when the socket is already open, and after
// every reconnection.
export function listen(listener) {
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

export const isOpen = () => open;
