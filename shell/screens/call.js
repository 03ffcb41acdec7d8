// The call screen (chat/calls.js drives it): a modal dialog over whatever is
// open, so an incoming call rings on any screen. Ringing: Accept / Decline.
// Calling and in a call: Mute, Camera off (video calls), the sound output
// (where the browser has setSinkId), Hang up. Everything is a button or a
// select, so the keyboard reaches all of it; Escape hangs up (or declines).
// Remote sound plays from an <audio> element (the output choice applies to
// it); the videos are muted <video> elements.
import { el } from '../compose-kit.js';
import { t } from '../i18n.js';

let open = null; // {calls, dialog, onUpdate}

export function showCall(calls) {
  if (open?.calls === calls) {
    open.render(calls.call);
    return;
  }
  open?.close();
  open = mount(calls);
}

function ensureStyles() {
  if (document.getElementById('call-css')) return;
  document.head.append(el('link', { id: 'call-css', rel: 'stylesheet', href: '/chat/calls.css' }));
}

function mount(calls) {
  ensureStyles();
  const title = el('h2', { id: 'call-title', className: 'call-title' });
  const status = el('p', { className: 'call-status', role: 'status' });
  const remoteVideo = el('video', { className: 'call-remote', autoplay: true, playsInline: true, muted: true, hidden: true });
  const localVideo = el('video', { className: 'call-local', autoplay: true, playsInline: true, muted: true, hidden: true });
  const audio = el('audio', { className: 'call-audio', autoplay: true });
  const videos = el('div', { className: 'call-videos' }, remoteVideo, localVideo);
  const button = (cls, key) => el('button', { type: 'button', className: `chat-button call-button ${cls}`, textContent: t(key) });
  const accept = button('call-accept', 'call.accept');
  const decline = button('call-decline', 'call.decline');
  const mute = button('call-mute', 'call.mute');
  const camera = button('call-camera', 'call.cameraOff');
  const hangUp = button('call-hangup', 'call.hangUp');
  const output = el('select', { id: 'call-output', className: 'call-output' });
  const outputWrap = el('p', { className: 'call-output-wrap', hidden: true },
    el('label', { htmlFor: 'call-output', textContent: t('call.output') }), output);
  const ringing = el('div', { className: 'call-actions' }, accept, decline);
  const inCall = el('div', { className: 'call-actions' }, mute, camera, hangUp);
  const dialog = el('dialog', { className: 'call-dialog', 'aria-labelledby': 'call-title' },
    title, status, videos, audio, ringing, inCall, outputWrap);
  document.body.append(dialog);
  const media = { local: null, remote: null };
  let closeTimer = 0;

  accept.addEventListener('click', () => calls.accept());
  decline.addEventListener('click', () => calls.decline());
  hangUp.addEventListener('click', () => calls.hangUp());
  mute.addEventListener('click', () => calls.mute(!calls.call?.muted));
  camera.addEventListener('click', () => calls.camera(!calls.call?.cameraOff));
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    calls.hangUp();
  });
  // The sound output, where the browser lets a page choose it.
  const canChoose = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  const fillOutputs = async () => {
    if (!canChoose || !navigator.mediaDevices?.enumerateDevices) return;
    const outs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput');
    output.replaceChildren(el('option', { value: '', textContent: t('call.outputDefault') }),
      ...outs.filter((d) => d.deviceId && d.deviceId !== 'default')
        .map((d, i) => el('option', { value: d.deviceId, textContent: d.label || `${t('call.output')} ${i + 1}` })));
    outputWrap.hidden = false;
  };
  output.addEventListener('change', () => { audio.setSinkId(output.value).catch((err) => console.warn('calls: output', err)); });

  const setStream = (video, which, stream) => {
    if (media[which] === stream) return;
    media[which] = stream;
    video.srcObject = stream ?? null;
    if (which === 'remote') audio.srcObject = stream ?? null;
  };

  const reasonText = (c) => ({
    declined: t('call.declined', { name: c.name }),
    busy: t('call.busy', { name: c.name }),
    missed: c.role === 'caller' ? t('call.noAnswer') : t('call.missed', { name: c.name }),
    elsewhere: t('call.elsewhere'),
    failed: t('call.failed', { reason: c.detail || '' }),
  })[c.reason] ?? t('call.ended');

  const render = (c) => {
    if (!c) return;
    clearTimeout(closeTimer);
    ringing.hidden = !(c.role === 'callee' && c.state === 'ringing');
    inCall.hidden = c.state === 'ended' || !ringing.hidden;
    camera.hidden = !c.video;
    mute.textContent = t(c.muted ? 'call.unmute' : 'call.mute');
    mute.setAttribute('aria-pressed', String(!!c.muted));
    camera.textContent = t(c.cameraOff ? 'call.cameraOn' : 'call.cameraOff');
    camera.setAttribute('aria-pressed', String(!!c.cameraOff));
    title.textContent = c.state === 'ringing' ? t('call.incoming', { name: c.name })
      : c.state === 'calling' ? t('call.calling', { name: c.name })
        : c.state === 'active' ? t('call.inCall', { name: c.name }) : t('call.title');
    status.textContent = c.state === 'connecting' ? t('call.connecting') : c.state === 'ended' ? reasonText(c) : '';
    setStream(localVideo, 'local', c.state === 'ended' ? null : c.local ?? null);
    setStream(remoteVideo, 'remote', c.state === 'ended' ? null : c.remote ?? null);
    localVideo.hidden = !c.video || !media.local;
    remoteVideo.hidden = !c.video || !media.remote;
    remoteVideo.setAttribute('aria-label', t('call.remoteVideo', { name: c.name }));
    localVideo.setAttribute('aria-label', t('call.localVideo'));
    if (c.state === 'active' && outputWrap.hidden) fillOutputs().catch(() => {});
    if (!dialog.open && c.state !== 'ended') {
      dialog.showModal();
      (ringing.hidden ? hangUp : accept).focus();
    } else if (c.state === 'active' && document.activeElement === accept) {
      hangUp.focus();
    }
    if (c.state === 'ended') closeTimer = setTimeout(() => dialog.close(), 2500); // the reason stays readable a moment
  };
  const onUpdate = (e) => render(e.detail);
  calls.addEventListener('update', onUpdate);
  const close = () => {
    clearTimeout(closeTimer);
    calls.removeEventListener('update', onUpdate);
    dialog.remove();
  };
  render(calls.call);
  return { calls, render, close };
}
