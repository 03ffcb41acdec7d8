// PetAmigos embeds for partner sites (web/README.md, "Embedding a post",
// "Embedding a listing"). Turns each <blockquote class="petamigos-embed"
// data-post-id="p_1"> (or data-listing-id="lst_1", a marketplace listing) on
// the page into a sandboxed iframe of it (/embed/p/:id or /embed/l/:id on the
// PetAmigos origin this script came from) and sizes it to its height. Only
// messages from that iframe, from that origin, naming that item are believed.
// Loading the script twice is harmless; its one global, PetAmigosEmbed,
// offers scan() for blockquotes added later.
(() => {
  if (window.PetAmigosEmbed) {
    window.PetAmigosEmbed.scan();
    return;
  }
  const script = document.currentScript;
  if (!script || !script.src) return;
  const origin = new URL(script.src).origin;
  const frames = new Map(); // iframe -> post or listing id

  function scan() {
    const quotes = 'blockquote.petamigos-embed[data-post-id], blockquote.petamigos-embed[data-listing-id]';
    for (const quote of document.querySelectorAll(quotes)) {
      const post = quote.dataset.postId;
      const id = post ?? quote.dataset.listingId;
      if (!(post ? /^p_[1-9][0-9]{0,17}$/ : /^lst_[1-9][0-9]{0,17}$/).test(id)) continue;
      const frame = document.createElement('iframe');
      // The partner page's language (the snippet's own lang names its fallback words).
      const lang = quote.parentElement?.closest('[lang]')?.lang;
      // An affiliate's snippet names their code: the frame's link goes through their /r/ link.
      const query = new URLSearchParams();
      if (lang) query.set('lang', lang);
      if (/^[a-z0-9]{6,16}$/.test(quote.dataset.ref ?? '')) query.set('ref', quote.dataset.ref);
      const search = query.toString();
      frame.src = `${origin}/embed/${post ? 'p' : 'l'}/${id}${search ? `?${search}` : ''}`;
      // allow-same-origin keeps the frame on its own (PetAmigos) origin, so
      // its messages carry that origin; the partner's page stays out of reach.
      frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
      frame.loading = 'lazy';
      frame.title = quote.dataset.title || 'PetAmigos';
      frame.className = 'petamigos-embed-frame';
      const width = Number(quote.dataset.width) || 325;
      Object.assign(frame.style, { display: 'block', width: '100%', maxWidth: `${width}px`, border: '0' });
      frames.set(frame, id);
      quote.replaceWith(frame);
    }
  }

  addEventListener('message', (event) => {
    if (event.origin !== origin) return;
    const data = event.data;
    if (!data || data.type !== 'petamigos:resize' || !Number.isFinite(data.height)) return;
    for (const [frame, id] of frames) {
      if (!frame.isConnected) frames.delete(frame);
      else if (frame.contentWindow !== event.source || data.id !== id) continue;
      else frame.style.height = `${Math.max(1, Math.min(Math.ceil(data.height), 10000))}px`;
    }
  });

  window.PetAmigosEmbed = Object.freeze({ scan });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scan, { once: true });
  else scan();
})();
