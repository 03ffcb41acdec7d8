/* pa_origin — the server's public origins (web/README.md, "Origins").
 *
 * The server answers only for the origins it is configured with (--origin,
 * PA_PUBLIC_ORIGINS, or by default the address it listens on): a request
 * whose Host names anything else is refused, the Origin of signup, login
 * and the chat socket must be one of them, and every absolute URL the server
 * writes (oEmbed, discovery links) starts with the first. Nothing is ever
 * taken from the Host header: with DNS rebinding, an attacker's name can
 * point at this server, and Host is whatever that name was.
 *
 * Pure functions on a pa_origins value; no I/O except the temporary
 * pa_origin_process below. */
#ifndef PA_ORIGIN_H
#define PA_ORIGIN_H

#include <stddef.h>

enum {
  PA_ORIGIN_MAX = 8,        /* origins in one configuration */
  PA_ORIGIN_HOST_MAX = 253, /* bytes of a host: the longest DNS name */
  /* "https://" + host + ":65535", with room for any int so the compiler
   * can see the port always fits */
  PA_ORIGIN_URL_MAX = 8 + PA_ORIGIN_HOST_MAX + 12
};

typedef struct pa_origin {
  int https;
  int port;                          /* always set: 80 or 443 when the URL leaves it out */
  char host[PA_ORIGIN_HOST_MAX + 1]; /* lower case; an IPv6 address in brackets */
  char url[PA_ORIGIN_URL_MAX + 1];   /* scheme://host[:port], the port only when not the default */
} pa_origin;

typedef struct pa_origins {
  int n;
  pa_origin list[PA_ORIGIN_MAX];
} pa_origins;

/* Appends the comma-separated origins in text ("https://petamigos.example,
 * http://localhost:8080"; spaces around commas are ignored): each is
 * http(s)://host[:port] with an optional trailing '/', nothing else (no path,
 * query or user). Case is normalised, a default port dropped, duplicates
 * kept once. 0, or -1 with err saying which one is wrong and why. */
int pa_origin_parse(pa_origins *o, const char *text, char *err, size_t errlen);

/* When o holds no origin yet: http://HOST:PORT for the address the server
 * listens on (the real port when --port 0 picked one), plus
 * http://localhost:PORT when HOST is loopback (127.0.0.1 or ::1). An address
 * that listens everywhere (0.0.0.0, ::) names no origin: -1 and err. */
int pa_origin_default(pa_origins *o, const char *listen_host, int port, char *err, size_t errlen);

/* 1 when a Host header value names one of the origins (host[:port]; no port
 * means the scheme's default), else 0 (NULL too). */
int pa_origin_host_ok(const pa_origins *o, const char *host);

/* 1 when an Origin header value is exactly one of the origins, else 0
 * ("null" and NULL too). */
int pa_origin_origin_ok(const pa_origins *o, const char *origin);

/* When url is an absolute http(s) URL on one of the origins: its path (from
 * the first '/', query and fragment included; "" when it has none), else
 * NULL. */
const char *pa_origin_url_path(const pa_origins *o, const char *url);

/* The first origin's url, the base of every absolute link ("" when none). */
const char *pa_origin_base(const pa_origins *o);

#endif
