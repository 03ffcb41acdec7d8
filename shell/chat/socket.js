// The relay connection (web/README.md, "Chat"): one WebSocket, reopened with
// a growing delay (0.5 s … 10 s) whenever it drops, at once when the browser
// says it is online again, and kept alive with a ping every 25 s. When the
// browser says it went offline the socket is closed at once (a dead TCP
// connection could otherwise look open for a long time) and not retried
// until it is online again.
// onFrame(obj) gets each JSON frame; onState(open) each change.
export class ChatSocket {
  constructor(url, onFrame, onState) {
    this.url = url;
    this.onFrame = onFrame;
    this.onState = onState;
    this.ws = null;
    this.delay = 500;
    this.timer = 0;
    this.stopped = false;
    this.online = () => this.reopen(0);
    this.offline = () => {
      const ws = this.ws;
      if (!ws) return;
      this.ws = null;
      ws.close();
      this.onState(false);
    };
    addEventListener('online', this.online);
    addEventListener('offline', this.offline);
    this.ping = setInterval(() => this.send({ type: 'ping' }), 25_000);
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect() {
    if (this.stopped || this.ws || navigator.onLine === false) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this.onState(true);
    };
    ws.onmessage = (e) => {
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      this.onFrame(frame);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onState(false);
      this.reopen(this.delay);
      this.delay = Math.min(this.delay * 2, 10_000);
    };
  }

  reopen(after) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.connect(), after);
  }

  // false when not connected (the caller keeps the frame for later).
  send(obj) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    removeEventListener('online', this.online);
    removeEventListener('offline', this.offline);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }
}
