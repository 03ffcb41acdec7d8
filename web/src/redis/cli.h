/* `petamigos-server redis ...`: for the operator who sets up Redis (and the
 * tests, which drive the bus and presence through real processes with it):
 *   check             PING, a publish/subscribe round trip between two
 *                     connections, a presence add and count; a line a step
 *   listen [--echo] [--hold KEY=N] PREFIX...
 *                     prints "listening NODE", then "message CHANNEL PAYLOAD"
 *                     per bus message from another process on a channel under
 *                     a PREFIX, and "resync" after a gap, until SIGTERM;
 *                     --hold counts N sockets under KEY in presence; --echo
 *                     publishes every message on CHANNEL.echo again
 *   publish CHANNEL PAYLOAD     one pa_bus_publish
 *   count KEY                   prints pa_presence_count(KEY)
 *   parse URL...                a line per URL, no connection: "ok HOST PORT PATH DB"
 *                               (- for an empty one) or "error REASON"
 * Every command reads PA_REDIS_URL as the server does. */
#ifndef PA_REDIS_CLI_H
#define PA_REDIS_CLI_H

enum {
  PA_REDIS_CLI_OK = 0,     /* done */
  PA_REDIS_CLI_FAIL = 1,   /* Redis does not answer, or a step failed (named in the output) */
  PA_REDIS_CLI_USAGE = 2,  /* bad arguments, or PA_REDIS_URL malformed */
  PA_REDIS_CLI_NOT_SET = 4 /* PA_REDIS_URL is not set: the server runs alone */
};

/* argv[0] is "redis". Returns the exit status above. */
int pa_redis_cli(int argc, char **argv);

#endif
